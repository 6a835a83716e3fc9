//! Perks (联盟商家礼遇): a catalogue of merchants' offers, each with a
//! condition in the rule language, an optional points cost and a limit per
//! volunteer per period.
//!
//! The catalogue is policy data (validated on load, errors name
//! `perks.catalogue[i]…`). A [`PerkDesk`] answers "which perks may this
//! volunteer claim, and why not the others" ([`PerkDesk::eligible_perks`])
//! and records claims ([`PerkDesk::claim`]), idempotent by claim code, never
//! letting a volunteer exceed a perk's limit in a period (default: one per
//! volunteer per calendar year, 启东, domain-rules §2.4).
//!
//! ```
//! use zhiyuan::Policy;
//! use zhiyuan::facts::Facts;
//! use zhiyuan::perks::{PerkClaim, PerkDesk};
//! let policy = Policy::from_toml(r#"
//! [[perks.catalogue]]
//! id = "bus_card_1star"
//! merchant = "county_bus"
//! title = "10 yuan bus card"
//! when = { fact = "star_level", op = ">=", value = 1 }
//! "#)?;
//! let mut desk = PerkDesk::new(&policy)?;
//! let facts = Facts { cumulative_minutes: 6000, star_level: 1, ..Facts::default() };
//! let at = "2024-03-01T00:00:00Z".parse()?;
//! assert!(desk.eligible_perks(7, &facts, at, None)[0].eligible);
//! let claim = PerkClaim { claim_code: "c1".into(), volunteer: 7, perk: "bus_card_1star".into(), at };
//! desk.claim(&claim, &facts, None)?;
//! let again = PerkClaim { claim_code: "c2".into(), ..claim };
//! assert_eq!(desk.claim(&again, &facts, None).unwrap_err().kind(), zhiyuan::ErrorKind::InvalidState);
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::credit::check_ids;
use crate::error::{Error, Result};
use crate::facts::Facts;
use crate::hours::VolunteerId;
use crate::points::{PointsAccount, PointsLedger, Redemption};
use crate::policy::{Policy, ensure};
use crate::rules::{CompiledCondition, Condition, ConditionOutcome, Gap};
use crate::time::{Grain, Period, Timestamp, UtcOffset};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One perk in the catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Perk {
    /// Unique, stable id.
    pub id: String,
    /// The partner merchant.
    pub merchant: String,
    /// What the volunteer gets.
    pub title: String,
    /// Who qualifies.
    pub when: Condition,
    /// Points spent when claimed; `None` = free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_cost: Option<i64>,
    /// Claims allowed per volunteer per period; `None` = the section default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_per_period: Option<u32>,
    /// The period the limit counts in; `None` = the section default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Grain>,
}

/// Perk rules and the catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PerksPolicy {
    /// Claims per volunteer per period when a perk sets none. Default 1
    /// (启东 2019, domain-rules §2.4).
    pub default_limit_per_period: u32,
    /// The period limits count in when a perk sets none. Default `year`.
    pub default_period: Grain,
    /// The catalogue. Default empty (each programme lists its merchants).
    pub catalogue: Vec<Perk>,
}

impl Default for PerksPolicy {
    fn default() -> Self {
        PerksPolicy {
            default_limit_per_period: 1,
            default_period: Grain::Year,
            catalogue: Vec::new(),
        }
    }
}

impl PerksPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        ensure(
            self.default_limit_per_period > 0,
            "default_limit_per_period",
            "must be > 0",
        )?;
        check_ids("catalogue", self.catalogue.iter().map(|p| p.id.as_str()))?;
        for (i, p) in self.catalogue.iter().enumerate() {
            let at = |f: &str| format!("catalogue[{i}].{f}");
            ensure(
                !p.merchant.trim().is_empty(),
                &at("merchant"),
                "must not be empty",
            )?;
            CompiledCondition::compile(&p.when).map_err(|e| e.at(&at("when")))?;
            if let Some(c) = p.points_cost {
                ensure(
                    (1..=100_000_000).contains(&c),
                    &at("points_cost"),
                    "must be within 1..=100000000",
                )?;
            }
            if let Some(l) = p.limit_per_period {
                ensure(l > 0, &at("limit_per_period"), "must be > 0")?;
            }
        }
        Ok(())
    }
}

/// A claim of one perk (idempotent by `claim_code`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerkClaim {
    /// Unique per claim; resending the same body is a no-op.
    pub claim_code: String,
    /// Who claims.
    pub volunteer: VolunteerId,
    /// Which perk.
    pub perk: String,
    /// When.
    pub at: Timestamp,
}

/// A recorded claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerkClaimReceipt {
    /// The claim.
    #[serde(flatten)]
    pub claim: PerkClaim,
    /// The merchant.
    pub merchant: String,
    /// The period the claim counts in.
    pub period: Period,
    /// Claims of this perk by this volunteer in that period, this one included.
    pub claims_in_period: u32,
    /// The limit.
    pub limit_per_period: u32,
    /// Points spent (0 for a free perk).
    pub points_spent: i64,
}

/// Whether a volunteer may claim a perk now, and why not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerkEligibility {
    /// The perk id.
    pub perk: String,
    /// The merchant.
    pub merchant: String,
    /// The title.
    pub title: String,
    /// No reason stands in the way.
    pub eligible: bool,
    /// Machine-readable reasons it is not claimable: `condition_unmet`,
    /// `limit_reached`, `points_debt`, `insufficient_points`.
    pub reasons: Vec<String>,
    /// Every comparison of the perk's condition.
    pub conditions: Vec<ConditionOutcome>,
    /// What is missing for the condition to hold.
    pub gaps: Vec<Gap>,
    /// The current period.
    pub period: Period,
    /// Claims already made in it.
    pub claimed_in_period: u32,
    /// The limit per period.
    pub limit_per_period: u32,
    /// The points cost, if any.
    pub points_cost: Option<i64>,
}

struct CompiledPerk {
    perk: Perk,
    when: CompiledCondition,
    limit: u32,
    grain: Grain,
}

/// The perk catalogue compiled, plus every claim made.
pub struct PerkDesk {
    policy: Policy,
    offset: UtcOffset,
    perks: Vec<CompiledPerk>,
    claims: BTreeMap<String, PerkClaimReceipt>,
    counts: BTreeMap<(VolunteerId, String, Period), u32>,
}

impl PerkDesk {
    /// Compiles `policy`'s catalogue; no claims yet.
    pub fn new(policy: &Policy) -> Result<Self> {
        let s = &policy.perks;
        let perks = s
            .catalogue
            .iter()
            .enumerate()
            .map(|(i, p)| {
                Ok(CompiledPerk {
                    perk: p.clone(),
                    when: CompiledCondition::compile(&p.when)
                        .map_err(|e| e.at(&format!("perks.catalogue[{i}].when")))?,
                    limit: p.limit_per_period.unwrap_or(s.default_limit_per_period),
                    grain: p.period.unwrap_or(s.default_period),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(PerkDesk {
            policy: policy.clone(),
            offset: policy.offset(),
            perks,
            claims: BTreeMap::new(),
            counts: BTreeMap::new(),
        })
    }

    fn assess(
        &self,
        p: &CompiledPerk,
        volunteer: VolunteerId,
        facts: &Facts,
        at: Timestamp,
        points: Option<&PointsAccount>,
    ) -> PerkEligibility {
        let period = Period::of(p.grain, at, self.offset);
        let claimed = self.claimed(volunteer, &p.perk.id, period);
        let mut reasons = Vec::new();
        if !p.when.eval_facts(facts) {
            reasons.push("condition_unmet".to_owned());
        }
        if claimed >= p.limit {
            reasons.push("limit_reached".to_owned());
        }
        if let (Some(cost), Some(acc)) = (p.perk.points_cost, points) {
            if acc.debt > 0 {
                reasons.push("points_debt".to_owned());
            }
            if acc.balance < cost {
                reasons.push("insufficient_points".to_owned());
            }
        }
        PerkEligibility {
            perk: p.perk.id.clone(),
            merchant: p.perk.merchant.clone(),
            title: p.perk.title.clone(),
            eligible: reasons.is_empty(),
            reasons,
            conditions: p
                .when
                .outcomes(&format!("perk:{}", p.perk.id), "when", facts),
            gaps: p.when.gaps(facts),
            period,
            claimed_in_period: claimed,
            limit_per_period: p.limit,
            points_cost: p.perk.points_cost,
        }
    }

    fn claimed(&self, volunteer: VolunteerId, perk: &str, period: Period) -> u32 {
        self.counts
            .get(&(volunteer, perk.to_owned(), period))
            .copied()
            .unwrap_or(0)
    }

    /// Every catalogue perk, in catalogue order, with whether `volunteer`
    /// (described by `facts`) may claim it at `at` and why not. Pass the
    /// volunteer's points account to check costs; without it costs are not
    /// checked.
    pub fn eligible_perks(
        &self,
        volunteer: VolunteerId,
        facts: &Facts,
        at: Timestamp,
        points: Option<&PointsAccount>,
    ) -> Vec<PerkEligibility> {
        self.perks
            .iter()
            .map(|p| self.assess(p, volunteer, facts, at, points))
            .collect()
    }

    /// Records a claim. Idempotent by claim code (same body → the original
    /// receipt; different body → `Conflict`). `NotFound` for an unknown perk;
    /// `InvalidState` when the condition fails or the limit is reached; a
    /// perk with a points cost redeems from `points` (order code
    /// `perk:<claim_code>`), and any refusal there leaves both untouched.
    pub fn claim(
        &mut self,
        c: &PerkClaim,
        facts: &Facts,
        points: Option<&mut PointsLedger>,
    ) -> Result<PerkClaimReceipt> {
        if let Some(old) = self.claims.get(&c.claim_code) {
            return if old.claim == *c {
                Ok(old.clone())
            } else {
                Err(Error::conflict(
                    format!("claim {:?}", c.claim_code),
                    "differs from the claim already recorded under this code",
                ))
            };
        }
        if c.claim_code.trim().is_empty() {
            return Err(Error::invalid_input("claim_code", "must not be empty"));
        }
        let p = self
            .perks
            .iter()
            .find(|p| p.perk.id == c.perk)
            .ok_or_else(|| {
                Error::not_found(format!("perk {:?}", c.perk), "not in the catalogue")
            })?;
        let e = self.assess(p, c.volunteer, facts, c.at, None);
        let who = format!("volunteer {}", c.volunteer);
        if e.reasons.iter().any(|r| r == "condition_unmet") {
            let needs: Vec<String> = e
                .gaps
                .iter()
                .map(|g| format!("{} {}", g.fact, g.needs))
                .collect();
            return Err(Error::invalid_state(
                who,
                format!(
                    "does not qualify for perk {:?}: {}",
                    c.perk,
                    needs.join("; ")
                ),
            ));
        }
        if e.reasons.iter().any(|r| r == "limit_reached") {
            return Err(Error::invalid_state(
                who,
                format!(
                    "already claimed perk {:?} {} of {} times in {}",
                    c.perk, e.claimed_in_period, p.limit, e.period
                ),
            ));
        }
        let merchant = p.perk.merchant.clone();
        let cost = p.perk.points_cost.unwrap_or(0);
        if cost > 0 {
            let ledger = points.ok_or_else(|| {
                Error::invalid_input(
                    "points",
                    format!(
                        "perk {:?} costs {cost} points; a points ledger is required",
                        c.perk
                    ),
                )
            })?;
            ledger.redeem(&Redemption {
                order_code: format!("perk:{}", c.claim_code),
                volunteer: c.volunteer,
                merchant: merchant.clone(),
                points: cost,
                at: c.at,
            })?;
        }
        let receipt = PerkClaimReceipt {
            claim: c.clone(),
            merchant,
            period: e.period,
            claims_in_period: e.claimed_in_period + 1,
            limit_per_period: e.limit_per_period,
            points_spent: cost,
        };
        self.counts.insert(
            (c.volunteer, c.perk.clone(), e.period),
            e.claimed_in_period + 1,
        );
        self.claims.insert(c.claim_code.clone(), receipt.clone());
        Ok(receipt)
    }

    /// Every recorded claim, by claim code.
    pub fn claims(&self) -> impl Iterator<Item = &PerkClaimReceipt> {
        self.claims.values()
    }

    /// A JSON snapshot (see [`crate::saved`]): the policy (with its
    /// catalogue) and every claim receipt, by volunteer, perk, period and
    /// count within the period.
    pub fn snapshot(&self) -> String {
        let mut claims: Vec<&PerkClaimReceipt> = self.claims.values().collect();
        claims.sort_by(|a, b| {
            (
                a.claim.volunteer,
                &a.claim.perk,
                a.period,
                a.claims_in_period,
            )
                .cmp(&(
                    b.claim.volunteer,
                    &b.claim.perk,
                    b.period,
                    b.claims_in_period,
                ))
        });
        crate::saved::save(
            PERKS_FORMAT,
            Some(&self.policy),
            &SavedPerks {
                claims: claims.into_iter().cloned().collect(),
            },
        )
    }

    /// Rebuilds a desk from [`snapshot`](Self::snapshot) text. Each receipt
    /// must be what [`claim`](Self::claim) would have recorded under the
    /// carried catalogue (perk, merchant, period, limit, cost) and continue
    /// its period's count (1, 2, … up to the limit); the facts a claim was
    /// judged on are not kept, so conditions are not re-evaluated.
    pub fn restore(json: &str) -> Result<Self> {
        let (policy, state): (Policy, SavedPerks) = crate::saved::load(json, PERKS_FORMAT)?;
        let mut desk = PerkDesk::new(&policy).map_err(|e| e.at("snapshot.policy"))?;
        for (i, r) in state.claims.into_iter().enumerate() {
            desk.restore_claim(r)
                .map_err(|e| e.at(&format!("snapshot.state.claims[{i}]")))?;
        }
        Ok(desk)
    }

    fn restore_claim(&mut self, r: PerkClaimReceipt) -> Result<()> {
        let c = &r.claim;
        if c.claim_code.trim().is_empty() {
            return Err(Error::invalid_input("claim_code", "must not be empty"));
        }
        if self.claims.contains_key(&c.claim_code) {
            return Err(Error::conflict(
                "claim_code",
                format!("{:?} is listed twice", c.claim_code),
            ));
        }
        let p = self
            .perks
            .iter()
            .find(|p| p.perk.id == c.perk)
            .ok_or_else(|| {
                Error::not_found("perk", format!("{:?} is not in the catalogue", c.perk))
            })?;
        let period = Period::of(p.grain, c.at, self.offset);
        let count = self.claimed(c.volunteer, &c.perk, period) + 1;
        let want = [
            (
                "merchant",
                r.merchant == p.perk.merchant,
                p.perk.merchant.clone(),
            ),
            ("period", r.period == period, period.to_string()),
            (
                "limit_per_period",
                r.limit_per_period == p.limit,
                p.limit.to_string(),
            ),
            (
                "points_spent",
                r.points_spent == p.perk.points_cost.unwrap_or(0),
                p.perk.points_cost.unwrap_or(0).to_string(),
            ),
            (
                "claims_in_period",
                r.claims_in_period == count,
                count.to_string(),
            ),
        ];
        if let Some((field, _, expected)) = want.into_iter().find(|w| !w.1) {
            return Err(Error::invalid_input(
                field,
                format!("does not match the catalogue and earlier claims (expected {expected})"),
            ));
        }
        if count > p.limit {
            return Err(Error::invalid_state(
                "claims_in_period",
                format!("{count} exceeds the limit of {}", p.limit),
            ));
        }
        self.counts
            .insert((c.volunteer, c.perk.clone(), period), count);
        self.claims.insert(c.claim_code.clone(), r);
        Ok(())
    }
}

const PERKS_FORMAT: &str = "zhiyuan.perk_desk.v1";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedPerks {
    claims: Vec<PerkClaimReceipt>,
}
