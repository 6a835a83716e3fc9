//! The honours registry: monthly stars, annual excellent volunteers and
//! other titles, with grantor and date, revocable with a reason.
//!
//! An honour is keyed by (volunteer, kind, period): one volunteer holds at
//! most one monthly star for `2024-03`. Recording is idempotent, so the
//! selection engine can write its winners again after a crash:
//! [`HonoursRegistry::record_winners`] with the same winners is a no-op, and
//! a different grantor or date for an existing key is a conflict.
//!
//! ```
//! use zhiyuan::honours::{HonourKind, HonoursRegistry};
//! use zhiyuan::time::{LocalDate, UtcOffset};
//! let mut reg = HonoursRegistry::new();
//! let on = LocalDate::new(2024, 4, 2)?;
//! let period = "2024-03".parse()?;
//! assert_eq!(reg.record_winners(HonourKind::MonthlyStar, period, &[7, 8], 1, on)?, 2);
//! assert_eq!(reg.record_winners(HonourKind::MonthlyStar, period, &[7, 8], 1, on)?, 0);
//! reg.revoke(8, HonourKind::MonthlyStar, period, 1, "2024-05-01T00:00:00Z".parse()?, "fraud")?;
//! let t = "2024-06-01T00:00:00Z".parse()?;
//! assert_eq!(reg.live(7, t, UtcOffset::CST).len(), 1);
//! assert_eq!(reg.live(8, t, UtcOffset::CST).len(), 0);
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::hours::{ActorId, VolunteerId};
use crate::time::{LocalDate, Period, Timestamp, UtcOffset};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// What an honour is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HonourKind {
    /// 十佳文明秀之星: a monthly top-10 star.
    MonthlyStar,
    /// 千名优秀志愿者: an annual excellent volunteer.
    AnnualExcellent,
    /// A work chosen for the excellent-works exhibition.
    ExcellentWork,
    /// Any other commendation.
    Commendation,
}

impl HonourKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            HonourKind::MonthlyStar => "monthly_star",
            HonourKind::AnnualExcellent => "annual_excellent",
            HonourKind::ExcellentWork => "excellent_work",
            HonourKind::Commendation => "commendation",
        }
    }
}

impl fmt::Display for HonourKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why and when an honour was withdrawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HonourRevocation {
    /// When it takes effect.
    pub at: Timestamp,
    /// Who withdrew it.
    pub by: ActorId,
    /// Why (non-empty).
    pub reason: String,
}

/// One honour as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Honour {
    /// Who holds it.
    pub volunteer: VolunteerId,
    /// What it is.
    pub kind: HonourKind,
    /// The period it honours (`2024-03`, `2024`, …).
    pub period: Period,
    /// Who granted it.
    pub grantor: ActorId,
    /// The local date it was granted; it counts from that day.
    pub granted_on: LocalDate,
    /// Set once it is revoked.
    #[serde(default)]
    pub revoked: Option<HonourRevocation>,
}

impl Honour {
    /// Granted on or before the local date of `as_of` and not revoked by
    /// then.
    pub fn is_live(&self, as_of: Timestamp, offset: UtcOffset) -> bool {
        self.granted_on <= as_of.local_date(offset)
            && self.revoked.as_ref().is_none_or(|r| r.at > as_of)
    }

    /// The registry key `volunteer/kind/period`, used in error messages and
    /// as the points ledger's idempotency key.
    pub fn key(&self) -> String {
        format!("honour {}/{}/{}", self.volunteer, self.kind, self.period)
    }
}

/// Every honour ever granted, revoked ones included.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HonoursRegistry {
    honours: BTreeMap<VolunteerId, BTreeMap<(HonourKind, Period), Honour>>,
}

impl HonoursRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one grant. Returns `true` when it is new, `false` when the
    /// same grant was already recorded (idempotent); a different grantor or
    /// date for the same key is a `Conflict`.
    pub fn grant(
        &mut self,
        volunteer: VolunteerId,
        kind: HonourKind,
        period: Period,
        grantor: ActorId,
        granted_on: LocalDate,
    ) -> Result<bool> {
        let h = Honour {
            volunteer,
            kind,
            period,
            grantor,
            granted_on,
            revoked: None,
        };
        let new = self.check(&h)?;
        if new {
            self.insert(h);
        }
        Ok(new)
    }

    fn insert(&mut self, h: Honour) {
        self.honours
            .entry(h.volunteer)
            .or_default()
            .insert((h.kind, h.period), h);
    }

    fn find(&self, volunteer: VolunteerId, kind: HonourKind, period: Period) -> Option<&Honour> {
        self.honours.get(&volunteer)?.get(&(kind, period))
    }

    fn check(&self, h: &Honour) -> Result<bool> {
        match self.find(h.volunteer, h.kind, h.period) {
            None => Ok(true),
            Some(old) if old.grantor != h.grantor => Err(Error::conflict(
                format!("{}.grantor", h.key()),
                format!("already granted by {}, not {}", old.grantor, h.grantor),
            )),
            Some(old) if old.granted_on != h.granted_on => Err(Error::conflict(
                format!("{}.granted_on", h.key()),
                format!(
                    "already granted on {}, not {}",
                    old.granted_on, h.granted_on
                ),
            )),
            Some(_) => Ok(false),
        }
    }

    /// Records the winners of a selection (monthly stars, annual excellent
    /// volunteers), each under its own kind and period, all or nothing:
    /// if any winner conflicts with an existing honour, nothing is written.
    /// Winners already recorded identically are skipped. Returns how many
    /// honours were new.
    ///
    /// ```
    /// use zhiyuan::honours::{HonourKind, HonoursRegistry};
    /// use zhiyuan::selection::Winner;
    /// let mut reg = HonoursRegistry::new();
    /// let w = Winner { volunteer: 7, kind: HonourKind::MonthlyStar, period: "2025-03".parse()? };
    /// assert_eq!(reg.record_selection(&[w], 900, "2025-04-01".parse()?)?, 1);
    /// assert_eq!(reg.record_selection(&[w], 900, "2025-04-01".parse()?)?, 0);
    /// # Ok::<(), zhiyuan::Error>(())
    /// ```
    pub fn record_selection(
        &mut self,
        winners: &[crate::selection::Winner],
        grantor: ActorId,
        granted_on: LocalDate,
    ) -> Result<usize> {
        let mut fresh = BTreeMap::new();
        for (i, w) in winners.iter().enumerate() {
            let h = Honour {
                volunteer: w.volunteer,
                kind: w.kind,
                period: w.period,
                grantor,
                granted_on,
                revoked: None,
            };
            if self.check(&h).map_err(|e| e.at(&format!("winners[{i}]")))? {
                fresh.insert((w.volunteer, w.kind, w.period), h);
            }
        }
        let n = fresh.len();
        for h in fresh.into_values() {
            self.insert(h);
        }
        Ok(n)
    }

    /// Records a selection's winners, all or nothing: every winner is
    /// checked before any is written. Returns how many were new. Duplicate
    /// volunteers in `winners` are recorded once.
    pub fn record_winners(
        &mut self,
        kind: HonourKind,
        period: Period,
        winners: &[VolunteerId],
        grantor: ActorId,
        granted_on: LocalDate,
    ) -> Result<usize> {
        let mut fresh = BTreeMap::new();
        for (i, &v) in winners.iter().enumerate() {
            let h = Honour {
                volunteer: v,
                kind,
                period,
                grantor,
                granted_on,
                revoked: None,
            };
            if self.check(&h).map_err(|e| e.at(&format!("winners[{i}]")))? {
                fresh.insert(v, h);
            }
        }
        let n = fresh.len();
        for h in fresh.into_values() {
            self.insert(h);
        }
        Ok(n)
    }

    /// Withdraws an honour. `NotFound` if it was never granted,
    /// `InvalidState` if already revoked, `InvalidInput` for an empty reason.
    pub fn revoke(
        &mut self,
        volunteer: VolunteerId,
        kind: HonourKind,
        period: Period,
        by: ActorId,
        at: Timestamp,
        reason: &str,
    ) -> Result<()> {
        let h = self
            .honours
            .get_mut(&volunteer)
            .and_then(|m| m.get_mut(&(kind, period)))
            .ok_or_else(|| {
                Error::not_found(
                    format!("honour {volunteer}/{kind}/{period}"),
                    "was never granted",
                )
            })?;
        if reason.trim().is_empty() {
            return Err(Error::invalid_input("reason", "must not be empty"));
        }
        if h.revoked.is_some() {
            return Err(Error::invalid_state(h.key(), "is already revoked"));
        }
        h.revoked = Some(HonourRevocation {
            at,
            by,
            reason: reason.to_owned(),
        });
        Ok(())
    }

    /// One honour by key.
    pub fn get(&self, volunteer: VolunteerId, kind: HonourKind, period: Period) -> Result<&Honour> {
        self.find(volunteer, kind, period).ok_or_else(|| {
            Error::not_found(
                format!("honour {volunteer}/{kind}/{period}"),
                "was never granted",
            )
        })
    }

    /// Every honour of `volunteer`, revoked ones included, by kind then
    /// period.
    pub fn of(&self, volunteer: VolunteerId) -> Vec<Honour> {
        self.honours
            .get(&volunteer)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The honours of `volunteer` live at `as_of`.
    pub fn live(&self, volunteer: VolunteerId, as_of: Timestamp, offset: UtcOffset) -> Vec<Honour> {
        let mut v = self.of(volunteer);
        v.retain(|h| h.is_live(as_of, offset));
        v
    }

    /// Every honour, by volunteer, kind and period.
    pub fn iter(&self) -> impl Iterator<Item = &Honour> {
        self.honours.values().flat_map(|m| m.values())
    }

    /// A JSON snapshot (see [`crate::saved`]): every honour, revocations
    /// included, by volunteer, kind and period.
    pub fn snapshot(&self) -> String {
        let state = SavedHonours {
            honours: self.iter().cloned().collect(),
        };
        crate::saved::save(HONOURS_FORMAT, None, &state)
    }

    /// Rebuilds a registry from [`snapshot`](Self::snapshot) text by
    /// granting, then revoking, each honour as the original calls did; a
    /// duplicate key or an empty revocation reason is an error naming
    /// `snapshot.state.honours[i]`.
    pub fn restore(json: &str) -> Result<Self> {
        let state: SavedHonours = crate::saved::load_plain(json, HONOURS_FORMAT)?;
        let mut reg = HonoursRegistry::new();
        for (i, h) in state.honours.into_iter().enumerate() {
            let at = format!("snapshot.state.honours[{i}]");
            if reg.find(h.volunteer, h.kind, h.period).is_some() {
                return Err(Error::conflict(at, format!("{} is listed twice", h.key())));
            }
            reg.grant(h.volunteer, h.kind, h.period, h.grantor, h.granted_on)
                .map_err(|e| e.at(&at))?;
            if let Some(r) = h.revoked {
                reg.revoke(h.volunteer, h.kind, h.period, r.by, r.at, &r.reason)
                    .map_err(|e| e.at(&format!("{at}.revoked")))?;
            }
        }
        Ok(reg)
    }
}

const HONOURS_FORMAT: &str = "zhiyuan.honours_registry.v1";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedHonours {
    honours: Vec<Honour>,
}
