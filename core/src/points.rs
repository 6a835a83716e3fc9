//! The points (积分) ledger, kept apart from hours.
//!
//! Points are earned from approved hours and from honours, and spent at
//! merchants. Hours points are **synced**, not accrued per record: the
//! volunteer's hours points are always `floor(cumulative approved minutes ×
//! points_per_hour / 60)` as of the sync instant (domain-rules §2.2), so a
//! revocation lowers the target and the difference is clawed back. Honour
//! points are credited once per live honour and clawed back if it is revoked.
//!
//! Spending consumes the oldest points first (FIFO lots), which is what
//! makes optional expiry (after N years, or at each calendar-year end)
//! well defined. A clawback larger than the balance takes the whole balance
//! and records the rest as **debt**: the balance never goes silently
//! negative, later earnings repay the debt first, and redemption is refused
//! while any debt remains. At all times
//! `balance = earned − redeemed − expired − clawed_back`.
//!
//! ```
//! use zhiyuan::Policy;
//! use zhiyuan::points::{PointsLedger, Redemption};
//! let mut book = PointsLedger::new(&Policy::default());
//! let t = |s: &str| s.parse().unwrap();
//! book.sync_hours(7, 95, t("2024-01-01T00:00:00Z"))?; // floor(95 × 10 / 60) = 15
//! let r = Redemption { order_code: "M1-0001".into(), volunteer: 7, merchant: "bakery".into(),
//!                      points: 10, at: t("2024-01-02T00:00:00Z") };
//! book.redeem(&r)?;
//! book.redeem(&r)?; // same order code and body: no-op
//! book.sync_hours(7, 0, t("2024-01-03T00:00:00Z"))?; // hours revoked: claw back 15
//! let a = book.account(7);
//! assert_eq!((a.balance, a.debt, a.redeemed), (0, 10, 10));
//! assert!(book.redeem(&Redemption { order_code: "M1-0002".into(), points: 1, ..r }).is_err());
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::facts::add_months;
use crate::honours::{Honour, HonourKind};
use crate::hours::VolunteerId;
use crate::ledger::HoursLedger;
use crate::policy::{Policy, ensure};
use crate::time::{LocalDate, Timestamp, UtcOffset};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// When unspent points lapse.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointsExpiry {
    /// Points never lapse (default; domain-rules §0).
    #[default]
    Never,
    /// Each earning lapses N years after the local date it was earned
    /// (黄山: 3), oldest first.
    FifoYears(u32),
    /// Everything earned in a calendar year lapses when the next local year
    /// starts (no carry-over).
    CalendarYearReset,
}

/// Points accrual and expiry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PointsPolicy {
    /// Points per approved service hour, from cumulative minutes (floor).
    /// Default 10 (昆山 2025, domain-rules §2.2).
    pub points_per_hour: i64,
    /// Points credited once per live honour, by kind. Default none (no
    /// source gives a figure; set per programme).
    pub honour_points: BTreeMap<HonourKind, i64>,
    /// Expiry rule. Default `never` (domain-rules §2.3).
    pub expiry: PointsExpiry,
}

impl Default for PointsPolicy {
    fn default() -> Self {
        PointsPolicy {
            points_per_hour: 10,
            honour_points: BTreeMap::new(),
            expiry: PointsExpiry::Never,
        }
    }
}

impl PointsPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        ensure(
            (0..=10_000).contains(&self.points_per_hour),
            "points_per_hour",
            "must be within 0..=10000",
        )?;
        for (k, &v) in &self.honour_points {
            ensure(
                (0..=1_000_000).contains(&v),
                &format!("honour_points.{k}"),
                "must be within 0..=1000000",
            )?;
        }
        if let PointsExpiry::FifoYears(n) = self.expiry {
            ensure(
                (1..=100).contains(&n),
                "expiry.fifo_years",
                "must be within 1..=100",
            )?;
        }
        Ok(())
    }

    /// Hours points for `minutes` of cumulative approved service.
    pub fn hours_points(&self, minutes: i64) -> i64 {
        let p = i128::from(minutes.max(0)) * i128::from(self.points_per_hour) / 60;
        i64::try_from(p).unwrap_or(i64::MAX)
    }
}

/// A redemption request: spend points at a merchant under a unique order
/// code (the idempotency key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redemption {
    /// Unique per order; resending the same body is a no-op.
    pub order_code: String,
    /// Who spends.
    pub volunteer: VolunteerId,
    /// Where.
    pub merchant: String,
    /// How many points (> 0).
    pub points: i64,
    /// When.
    pub at: Timestamp,
}

/// What a points entry did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PointsEntryKind {
    /// Points earned; `source` is `hours` or an honour key.
    Earn {
        /// `hours` or `honour <volunteer>/<kind>/<period>`.
        source: String,
    },
    /// Earned points that went to repay debt instead of the balance.
    DebtRepaid,
    /// Points spent at a merchant.
    Redeem {
        /// The order code.
        order_code: String,
        /// The merchant.
        merchant: String,
    },
    /// Points that lapsed.
    Expire,
    /// Points taken back from the balance.
    Clawback {
        /// `hours` or an honour key.
        source: String,
    },
    /// A clawback beyond the balance, recorded as debt.
    Debt {
        /// `hours` or an honour key.
        source: String,
    },
}

/// One line of a volunteer's points history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsEntry {
    /// When.
    pub at: Timestamp,
    /// What.
    #[serde(flatten)]
    pub kind: PointsEntryKind,
    /// How many points (> 0).
    pub points: i64,
    /// The balance afterwards.
    pub balance_after: i64,
    /// The debt afterwards.
    pub debt_after: i64,
}

/// A volunteer's points totals.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsAccount {
    /// Whose.
    pub volunteer: VolunteerId,
    /// Spendable points (never negative).
    pub balance: i64,
    /// Everything ever earned (hours and honours, gross).
    pub earned: i64,
    /// Everything redeemed.
    pub redeemed: i64,
    /// Everything that lapsed.
    pub expired: i64,
    /// Everything actually taken back (from the balance or from later
    /// earnings that repaid debt).
    pub clawed_back: i64,
    /// Clawbacks not yet recovered; blocks redemption while > 0.
    pub debt: i64,
    /// Hours points currently credited (the last synced target).
    pub hours_points: i64,
}

/// The receipt of a redemption.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedemptionReceipt {
    /// The request.
    #[serde(flatten)]
    pub redemption: Redemption,
    /// The balance right after it.
    pub balance_after: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Lot {
    expires_at: Option<Timestamp>,
    remaining: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Account {
    totals: PointsAccount,
    lots: VecDeque<Lot>,
    honours_credited: BTreeMap<String, i64>,
    last_at: Option<Timestamp>,
    entries: Vec<PointsEntry>,
}

impl Account {
    fn push(&mut self, at: Timestamp, kind: PointsEntryKind, points: i64) {
        self.entries.push(PointsEntry {
            at,
            kind,
            points,
            balance_after: self.totals.balance,
            debt_after: self.totals.debt,
        });
    }

    /// Takes up to `want` points from the oldest lots; returns how many.
    fn take(&mut self, want: i64) -> i64 {
        let mut left = want;
        while left > 0 {
            let Some(lot) = self.lots.front_mut() else {
                break;
            };
            let n = lot.remaining.min(left);
            lot.remaining -= n;
            left -= n;
            if lot.remaining == 0 {
                self.lots.pop_front();
            }
        }
        let taken = want - left;
        self.totals.balance -= taken;
        taken
    }

    fn earn(&mut self, at: Timestamp, points: i64, source: String, expires_at: Option<Timestamp>) {
        if points <= 0 {
            return;
        }
        self.totals.earned += points;
        let repay = points.min(self.totals.debt);
        let keep = points - repay;
        self.totals.balance += keep;
        if keep > 0 {
            self.lots.push_back(Lot {
                expires_at,
                remaining: keep,
            });
        }
        self.push(at, PointsEntryKind::Earn { source }, points);
        if repay > 0 {
            self.totals.debt -= repay;
            self.totals.clawed_back += repay;
            self.push(at, PointsEntryKind::DebtRepaid, repay);
        }
    }

    fn claw(&mut self, at: Timestamp, points: i64, source: String) {
        if points <= 0 {
            return;
        }
        let taken = self.take(points);
        self.totals.clawed_back += taken;
        if taken > 0 {
            self.push(
                at,
                PointsEntryKind::Clawback {
                    source: source.clone(),
                },
                taken,
            );
        }
        if points > taken {
            self.totals.debt += points - taken;
            self.push(at, PointsEntryKind::Debt { source }, points - taken);
        }
    }

    fn expire(&mut self, at: Timestamp) -> i64 {
        let mut n = 0;
        // Lots are in earning order and every rule gives later lots later
        // (or equal) expiry, so the expired ones are a prefix.
        while let Some(lot) = self.lots.front() {
            match lot.expires_at {
                Some(e) if e <= at => {
                    n += lot.remaining;
                    self.lots.pop_front();
                }
                _ => break,
            }
        }
        if n > 0 {
            self.totals.balance -= n;
            self.totals.expired += n;
            self.push(at, PointsEntryKind::Expire, n);
        }
        n
    }
}

/// Every volunteer's points, with redemptions indexed by order code.
#[derive(Clone, Debug, PartialEq)]
pub struct PointsLedger {
    /// The whole policy, carried by snapshots.
    full: Policy,
    policy: PointsPolicy,
    offset: UtcOffset,
    accounts: BTreeMap<VolunteerId, Account>,
    redemptions: BTreeMap<String, RedemptionReceipt>,
}

impl PointsLedger {
    /// An empty ledger under `policy`'s points section.
    pub fn new(policy: &Policy) -> Self {
        PointsLedger {
            full: policy.clone(),
            policy: policy.points.clone(),
            offset: policy.offset(),
            accounts: BTreeMap::new(),
            redemptions: BTreeMap::new(),
        }
    }

    fn expires_at(&self, at: Timestamp) -> Option<Timestamp> {
        let today = at.local_date(self.offset);
        match self.policy.expiry {
            PointsExpiry::Never => None,
            PointsExpiry::FifoYears(n) => Some(add_months(today, n * 12).start(self.offset)),
            PointsExpiry::CalendarYearReset => LocalDate::new(today.year() + 1, 1, 1)
                .ok()
                .map(|d| d.start(self.offset)),
        }
    }

    /// The account of `volunteer` for an operation at `at`, with expiry
    /// applied up to `at`. Refuses instants before the account's last entry.
    fn open(&mut self, volunteer: VolunteerId, at: Timestamp) -> Result<&mut Account> {
        let acc = self.accounts.entry(volunteer).or_insert_with(|| Account {
            totals: PointsAccount {
                volunteer,
                ..PointsAccount::default()
            },
            ..Account::default()
        });
        if let Some(last) = acc.last_at.filter(|&l| at < l) {
            return Err(Error::invalid_input(
                "at",
                format!("{at} is before volunteer {volunteer}'s last points entry at {last}"),
            ));
        }
        acc.last_at = Some(at);
        acc.expire(at);
        Ok(acc)
    }

    fn check_time(&self, volunteer: VolunteerId, at: Timestamp) -> Result<()> {
        match self.accounts.get(&volunteer).and_then(|a| a.last_at) {
            Some(last) if at < last => Err(Error::invalid_input(
                "at",
                format!("{at} is before volunteer {volunteer}'s last points entry at {last}"),
            )),
            _ => Ok(()),
        }
    }

    /// Brings hours points to `floor(approved_minutes × rate / 60)`: earns
    /// the difference, or claws it back (as debt beyond the balance).
    /// Returns the change in credited hours points.
    pub fn sync_hours(
        &mut self,
        volunteer: VolunteerId,
        approved_minutes: i64,
        at: Timestamp,
    ) -> Result<i64> {
        if approved_minutes < 0 {
            return Err(Error::invalid_input(
                "approved_minutes",
                format!("{approved_minutes} must be >= 0"),
            ));
        }
        self.check_time(volunteer, at)?;
        let target = self.policy.hours_points(approved_minutes);
        let expires = self.expires_at(at);
        let acc = self.open(volunteer, at)?;
        let delta = target - acc.totals.hours_points;
        acc.totals.hours_points = target;
        if delta > 0 {
            acc.earn(at, delta, "hours".into(), expires);
        } else {
            acc.claw(at, -delta, "hours".into());
        }
        Ok(delta)
    }

    /// [`PointsLedger::sync_hours`] from the hours ledger: the volunteer's
    /// approved service minutes as of `at`, so revocations effective by
    /// then are clawed back.
    pub fn sync_from_ledger(
        &mut self,
        ledger: &HoursLedger,
        volunteer: VolunteerId,
        at: Timestamp,
    ) -> Result<i64> {
        self.sync_hours(volunteer, ledger.approved_minutes(volunteer, at), at)
    }

    /// Credits each live honour of `volunteer` in `honours` once (points by
    /// kind from the policy) and claws back honours revoked by `at`.
    /// Honours of other volunteers are ignored. Returns the net change.
    pub fn sync_honours(
        &mut self,
        volunteer: VolunteerId,
        honours: &[Honour],
        at: Timestamp,
    ) -> Result<i64> {
        self.check_time(volunteer, at)?;
        let offset = self.offset;
        let expires = self.expires_at(at);
        let rates = self.policy.honour_points.clone();
        let acc = self.open(volunteer, at)?;
        let mut net = 0;
        for h in honours.iter().filter(|h| h.volunteer == volunteer) {
            let key = h.key();
            let credited = acc.honours_credited.get(&key).copied();
            let live = h.is_live(at, offset);
            match credited {
                None if live => {
                    let p = rates.get(&h.kind).copied().unwrap_or(0);
                    acc.honours_credited.insert(key.clone(), p);
                    acc.earn(at, p, key, expires);
                    net += p;
                }
                Some(p) if !live && h.revoked.is_some() && p > 0 => {
                    acc.honours_credited.insert(key.clone(), 0);
                    acc.claw(at, p, key);
                    net -= p;
                }
                _ => {}
            }
        }
        Ok(net)
    }

    /// Spends points. Idempotent by order code: the same body returns the
    /// original receipt, a different body is a `Conflict` naming the first
    /// differing field. `InvalidState` while the volunteer has debt or when
    /// the balance is short; state is untouched on every error.
    pub fn redeem(&mut self, r: &Redemption) -> Result<RedemptionReceipt> {
        if let Some(old) = self.redemptions.get(&r.order_code) {
            let o = &old.redemption;
            let diff = [
                ("volunteer", o.volunteer != r.volunteer),
                ("merchant", o.merchant != r.merchant),
                ("points", o.points != r.points),
                ("at", o.at != r.at),
            ]
            .into_iter()
            .find(|d| d.1);
            return match diff {
                None => Ok(old.clone()),
                Some((field, _)) => Err(Error::conflict(
                    format!("redemption {:?}.{field}", r.order_code),
                    "differs from the order already recorded under this code",
                )),
            };
        }
        if r.order_code.trim().is_empty() {
            return Err(Error::invalid_input("order_code", "must not be empty"));
        }
        if r.merchant.trim().is_empty() {
            return Err(Error::invalid_input("merchant", "must not be empty"));
        }
        if r.points <= 0 {
            return Err(Error::invalid_input(
                "points",
                format!("{} must be > 0", r.points),
            ));
        }
        self.check_time(r.volunteer, r.at)?;
        // Check against the balance as it will be after expiry at r.at,
        // without mutating on failure.
        let mut probe = self.accounts.get(&r.volunteer).cloned().unwrap_or_default();
        probe.expire(r.at);
        if probe.totals.debt > 0 {
            return Err(Error::invalid_state(
                format!("volunteer {}", r.volunteer),
                format!(
                    "owes {} clawed-back points; redemption is blocked until repaid",
                    probe.totals.debt
                ),
            ));
        }
        if probe.totals.balance < r.points {
            return Err(Error::invalid_state(
                format!("volunteer {}", r.volunteer),
                format!(
                    "balance {} is less than the {} points asked",
                    probe.totals.balance, r.points
                ),
            ));
        }
        let acc = self.open(r.volunteer, r.at)?;
        acc.take(r.points);
        acc.totals.redeemed += r.points;
        acc.push(
            r.at,
            PointsEntryKind::Redeem {
                order_code: r.order_code.clone(),
                merchant: r.merchant.clone(),
            },
            r.points,
        );
        let receipt = RedemptionReceipt {
            redemption: r.clone(),
            balance_after: acc.totals.balance,
        };
        self.redemptions
            .insert(r.order_code.clone(), receipt.clone());
        Ok(receipt)
    }

    /// Applies expiry up to `at` for `volunteer`; returns the points that
    /// lapsed.
    pub fn expire(&mut self, volunteer: VolunteerId, at: Timestamp) -> Result<i64> {
        self.check_time(volunteer, at)?;
        let before = self.account(volunteer).expired;
        let acc = self.open(volunteer, at)?;
        Ok(acc.totals.expired - before)
    }

    /// The totals of `volunteer` as of its last entry (all zero if none).
    pub fn account(&self, volunteer: VolunteerId) -> PointsAccount {
        self.accounts
            .get(&volunteer)
            .map(|a| a.totals.clone())
            .unwrap_or(PointsAccount {
                volunteer,
                ..PointsAccount::default()
            })
    }

    /// The history of `volunteer`, oldest first.
    pub fn entries(&self, volunteer: VolunteerId) -> &[PointsEntry] {
        self.accounts
            .get(&volunteer)
            .map_or(&[], |a| a.entries.as_slice())
    }

    /// A recorded redemption by order code.
    pub fn redemption(&self, order_code: &str) -> Result<&RedemptionReceipt> {
        self.redemptions
            .get(order_code)
            .ok_or_else(|| Error::not_found(format!("redemption {order_code:?}"), "no such order"))
    }

    /// The points section this ledger runs under.
    pub fn policy(&self) -> &PointsPolicy {
        &self.policy
    }

    /// A JSON snapshot (see [`crate::saved`]): the policy and, per
    /// volunteer, the history and the instant of the last operation.
    pub fn snapshot(&self) -> String {
        let accounts = self
            .accounts
            .iter()
            .map(|(&volunteer, a)| SavedAccount {
                volunteer,
                last_at: a.last_at,
                entries: a.entries.clone(),
            })
            .collect();
        crate::saved::save(POINTS_FORMAT, Some(&self.full), &SavedPoints { accounts })
    }

    /// Rebuilds a ledger from [`snapshot`](Self::snapshot) text by replaying
    /// each volunteer's history: earnings, clawbacks and redemptions are
    /// re-applied (lots, expiry, debt and totals recomputed) and the
    /// history they produce must equal the saved one entry for entry, so
    /// an edited amount or balance is an error naming
    /// `snapshot.state.accounts[i].entries[j]`.
    pub fn restore(json: &str) -> Result<Self> {
        let (policy, state): (Policy, SavedPoints) = crate::saved::load(json, POINTS_FORMAT)?;
        let mut book = PointsLedger::new(&policy);
        for (i, a) in state.accounts.into_iter().enumerate() {
            let at = format!("snapshot.state.accounts[{i}]");
            if book.accounts.contains_key(&a.volunteer) {
                return Err(Error::conflict(
                    format!("{at}.volunteer"),
                    format!("volunteer {} is listed twice", a.volunteer),
                ));
            }
            let acc = book.replay(&a).map_err(|e| e.at(&at))?;
            book.accounts.insert(a.volunteer, acc);
        }
        Ok(book)
    }

    /// Re-applies one saved history; redemptions are re-indexed.
    fn replay(&mut self, saved: &SavedAccount) -> Result<Account> {
        let mut acc = Account {
            totals: PointsAccount {
                volunteer: saved.volunteer,
                ..PointsAccount::default()
            },
            ..Account::default()
        };
        let es = &saved.entries;
        let mut i = 0;
        while let Some(e) = es.get(i) {
            let field = format!("entries[{i}]");
            if e.points <= 0 {
                return Err(Error::invalid_input(
                    format!("{field}.points"),
                    format!("{} must be > 0", e.points),
                ));
            }
            if acc.last_at.is_some_and(|l| e.at < l) {
                return Err(Error::invalid_input(
                    format!("{field}.at"),
                    "is before the entry above it",
                ));
            }
            acc.last_at = Some(e.at);
            acc.expire(e.at);
            match &e.kind {
                // Produced by the expiry above and by `earn`.
                PointsEntryKind::Expire | PointsEntryKind::DebtRepaid => {}
                PointsEntryKind::Earn { source } => {
                    acc.earn(e.at, e.points, source.clone(), self.expires_at(e.at));
                    if source == "hours" {
                        acc.totals.hours_points += e.points;
                    } else {
                        acc.honours_credited.insert(source.clone(), e.points);
                    }
                }
                PointsEntryKind::Clawback { source } | PointsEntryKind::Debt { source } => {
                    // A clawback beyond the balance logs Clawback then Debt.
                    let mut points = e.points;
                    if let PointsEntryKind::Clawback { .. } = e.kind
                        && let Some(next) = es.get(i + 1)
                        && next.at == e.at
                        && next.kind
                            == (PointsEntryKind::Debt {
                                source: source.clone(),
                            })
                    {
                        points += next.points;
                        i += 1;
                    }
                    acc.claw(e.at, points, source.clone());
                    if source == "hours" {
                        acc.totals.hours_points -= points;
                    } else {
                        acc.honours_credited.insert(source.clone(), 0);
                    }
                }
                PointsEntryKind::Redeem {
                    order_code,
                    merchant,
                } => {
                    if acc.totals.debt > 0 || acc.totals.balance < e.points {
                        return Err(Error::invalid_state(
                            field,
                            format!(
                                "redeems {} points with balance {} and debt {}",
                                e.points, acc.totals.balance, acc.totals.debt
                            ),
                        ));
                    }
                    if self.redemptions.contains_key(order_code) {
                        return Err(Error::conflict(
                            format!("{field}.order_code"),
                            format!("{order_code:?} is redeemed twice"),
                        ));
                    }
                    acc.take(e.points);
                    acc.totals.redeemed += e.points;
                    acc.push(e.at, e.kind.clone(), e.points);
                    let redemption = Redemption {
                        order_code: order_code.clone(),
                        volunteer: saved.volunteer,
                        merchant: merchant.clone(),
                        points: e.points,
                        at: e.at,
                    };
                    self.redemptions.insert(
                        order_code.clone(),
                        RedemptionReceipt {
                            redemption,
                            balance_after: acc.totals.balance,
                        },
                    );
                }
            }
            i += 1;
        }
        if let Some(j) =
            (0..es.len().max(acc.entries.len())).find(|&j| es.get(j) != acc.entries.get(j))
        {
            return Err(Error::invalid_input(
                format!("entries[{j}]"),
                "does not follow from the entries above it",
            ));
        }
        match (saved.last_at, acc.last_at) {
            (Some(l), Some(e)) if l < e => {
                return Err(Error::invalid_input(
                    "last_at",
                    format!("{l} is before the last entry at {e}"),
                ));
            }
            (None, Some(_)) => {
                return Err(Error::invalid_input("last_at", "is missing"));
            }
            _ => {}
        }
        // Operations that changed nothing (a sync with no difference, an
        // expiry with nothing due) still moved the clock forward.
        if let Some(l) = saved.last_at {
            acc.expire(l);
            if acc.entries.len() != es.len() {
                return Err(Error::invalid_input(
                    "last_at",
                    format!("points lapse by {l} but no expiry entry records it"),
                ));
            }
        }
        acc.last_at = saved.last_at;
        Ok(acc)
    }
}

const POINTS_FORMAT: &str = "zhiyuan.points_ledger.v1";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedPoints {
    accounts: Vec<SavedAccount>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedAccount {
    volunteer: VolunteerId,
    last_at: Option<Timestamp>,
    entries: Vec<PointsEntry>,
}
