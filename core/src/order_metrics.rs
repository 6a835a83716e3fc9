//! Order metrics per unit (rolled up the unit tree) and period
//! (domain-rules §6.4).
//!
//! The cohort of a period is the orders **placed** in it (local calendar at
//! the policy offset) whose unit lies within the queried unit. Over that
//! cohort, with every event known to the book:
//!
//! | metric | definition |
//! |---|---|
//! | `placed` | orders in the cohort |
//! | `reviewed` | review started, minus orders the requester cancelled before any dispatch |
//! | `dispatched` | reviewed orders dispatched at least once |
//! | `dispatch_rate_bp` | `floor(10000 × dispatched ÷ reviewed)` |
//! | `acceptance_seconds` | placed → first acceptance, whole seconds (floor), p50 / p90 |
//! | `completion_seconds` | placed → first fulfilment, whole seconds, p50 / p90 |
//! | `completion_rate_bp` | `floor(10000 × fulfilled ÷ accepted)` |
//! | `satisfaction_rate_bp` | `floor(10000 × satisfied ÷ rated)` (基本满意 counts only if `orders.basic_counts_as_satisfied`) |
//! | `unrated_share_bp` | `floor(10000 × unrated ÷ (rated + unrated))`, unrated = closed without rating |
//! | `redispatches` | dispatches after each order's first, summed |
//!
//! Rates are `None` when the denominator is 0. Percentiles are
//! **nearest-rank**: of `n` sorted values, the p-th percentile is the
//! `ceil(p × n ÷ 100)`-th (1-based); `None` when `n = 0`.
//!
//! ```
//! use zhiyuan::order_metrics::nearest_rank;
//! let v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
//! assert_eq!(nearest_rank(&v, 50), Some(50));
//! assert_eq!(nearest_rank(&v, 90), Some(90));
//! assert_eq!(nearest_rank(&[7], 90), Some(7));
//! assert_eq!(nearest_rank(&[], 50), None);
//! ```

use crate::Policy;
use crate::error::Result;
use crate::orders::{
    EventKind, OrderBook, OrderEvent, OrderFacts, OrderId, Outcome, Party, Satisfaction,
};
use crate::time::{MICROS_PER_SECOND, Period, Timestamp};
use crate::units::{UnitId, UnitTree};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The nearest-rank `p`-th percentile (0 < p ≤ 100) of ascending `sorted`.
pub fn nearest_rank(sorted: &[i64], p: u32) -> Option<i64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (p as usize * n).div_ceil(100).clamp(1, n);
    sorted.get(rank - 1).copied()
}

/// p50 and p90 of a sample of durations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Sample size.
    pub count: u32,
    /// Nearest-rank median.
    pub p50: Option<i64>,
    /// Nearest-rank 90th percentile.
    pub p90: Option<i64>,
}

impl Percentiles {
    fn of(mut v: Vec<i64>) -> Self {
        v.sort_unstable();
        Percentiles {
            count: v.len() as u32,
            p50: nearest_rank(&v, 50),
            p90: nearest_rank(&v, 90),
        }
    }
}

/// Metrics of one unit (with its descendants) and period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderMetrics {
    /// Hash of the policy used.
    pub policy_hash: String,
    /// The unit (descendants included).
    pub unit: UnitId,
    /// The placement period.
    pub period: Period,
    /// Orders placed.
    pub placed: u32,
    /// Orders reviewed (requester cancellations before dispatch excluded).
    pub reviewed: u32,
    /// Reviewed orders dispatched at least once.
    pub dispatched: u32,
    /// dispatched ÷ reviewed, basis points.
    pub dispatch_rate_bp: Option<u32>,
    /// Orders accepted at least once.
    pub accepted: u32,
    /// Placed → first acceptance, seconds.
    pub acceptance_seconds: Percentiles,
    /// Orders fulfilled at least once.
    pub fulfilled: u32,
    /// fulfilled ÷ accepted, basis points.
    pub completion_rate_bp: Option<u32>,
    /// Placed → first fulfilment, seconds.
    pub completion_seconds: Percentiles,
    /// Orders with a current rating.
    pub rated: u32,
    /// Rated satisfied (see the module table).
    pub satisfied: u32,
    /// satisfied ÷ rated, basis points.
    pub satisfaction_rate_bp: Option<u32>,
    /// Orders closed without a rating.
    pub unrated: u32,
    /// unrated ÷ (rated + unrated), basis points.
    pub unrated_share_bp: Option<u32>,
    /// Re-dispatches, summed.
    pub redispatches: u32,
}

fn rate_bp(num: u32, den: u32) -> Option<u32> {
    (den > 0).then(|| (u64::from(num) * 10_000 / u64::from(den)) as u32)
}

fn seconds(from: Timestamp, to: Timestamp) -> i64 {
    (to.as_micros() - from.as_micros()).div_euclid(MICROS_PER_SECOND)
}

/// Metrics over `facts` already filtered to the cohort.
fn compute<'a>(
    policy: &Policy,
    unit: UnitId,
    period: Period,
    facts: impl Iterator<Item = &'a OrderFacts>,
) -> OrderMetrics {
    let basic_ok = policy.orders.basic_counts_as_satisfied;
    let mut m = OrderMetrics {
        policy_hash: policy.hash().to_owned(),
        unit,
        period,
        placed: 0,
        reviewed: 0,
        dispatched: 0,
        dispatch_rate_bp: None,
        accepted: 0,
        acceptance_seconds: Percentiles::of(Vec::new()),
        fulfilled: 0,
        completion_rate_bp: None,
        completion_seconds: Percentiles::of(Vec::new()),
        rated: 0,
        satisfied: 0,
        satisfaction_rate_bp: None,
        unrated: 0,
        unrated_share_bp: None,
        redispatches: 0,
    };
    let (mut acc, mut done) = (Vec::new(), Vec::new());
    for f in facts {
        let Some(placed_at) = f.placed_at else {
            continue;
        };
        m.placed += 1;
        // A requester's cancellation before any dispatch is not a review outcome.
        let withdrawn_by_requester = f.requester_cancelled && !f.dispatched;
        if f.reviewed && !withdrawn_by_requester {
            m.reviewed += 1;
            m.dispatched += u32::from(f.dispatched);
        }
        if let Some(t) = f.first_accepted_at {
            m.accepted += 1;
            acc.push(seconds(placed_at, t));
        }
        if let Some(t) = f.first_fulfilled_at {
            m.fulfilled += 1;
            done.push(seconds(placed_at, t));
        }
        if let Some(s) = f.satisfaction {
            m.rated += 1;
            let ok = s == Satisfaction::Satisfied || (basic_ok && s == Satisfaction::Basic);
            m.satisfied += u32::from(ok);
        }
        m.unrated += u32::from(f.closed_unrated);
        m.redispatches += f.redispatches;
    }
    m.acceptance_seconds = Percentiles::of(acc);
    m.completion_seconds = Percentiles::of(done);
    m.dispatch_rate_bp = rate_bp(m.dispatched, m.reviewed);
    m.completion_rate_bp = rate_bp(m.fulfilled, m.accepted);
    m.satisfaction_rate_bp = rate_bp(m.satisfied, m.rated);
    m.unrated_share_bp = rate_bp(m.unrated, m.rated + m.unrated);
    m
}

fn in_period(policy: &Policy, period: Period, f: &OrderFacts) -> bool {
    let (from, to) = period.bounds(policy.offset());
    f.placed_at.is_some_and(|t| from <= t && t < to)
}

/// Metrics for `unit` (descendants included) and `period` over per-order
/// facts. Errors when the unit is unknown.
pub fn metrics_from_facts(
    policy: &Policy,
    units: &UnitTree,
    facts: &BTreeMap<OrderId, OrderFacts>,
    unit: UnitId,
    period: Period,
) -> Result<OrderMetrics> {
    units.unit(unit)?;
    let mut cohort = Vec::new();
    for f in facts.values() {
        // Orders of units unknown to the tree cannot be placed, so
        // `is_within` only fails on the queried unit, checked above.
        if in_period(policy, period, f) && units.is_within(f.unit, unit)? {
            cohort.push(f);
        }
    }
    Ok(compute(policy, unit, period, cohort.into_iter()))
}

/// Rebuilds per-order facts from a raw event log (any order of events; they
/// are replayed by sequence number).
pub fn facts_from_events(events: &[OrderEvent]) -> BTreeMap<OrderId, OrderFacts> {
    let mut sorted: Vec<&OrderEvent> = events.iter().collect();
    sorted.sort_by_key(|e| e.seq);
    let mut out: BTreeMap<OrderId, OrderFacts> = BTreeMap::new();
    let mut dispatches: BTreeMap<OrderId, u32> = BTreeMap::new();
    for e in sorted {
        let f = out.entry(e.order).or_default();
        match &e.kind {
            EventKind::Placed { unit, .. } => {
                f.unit = *unit;
                f.placed_at = Some(e.at);
            }
            EventKind::ReviewStarted => f.reviewed = true,
            EventKind::Dispatched { .. } => *dispatches.entry(e.order).or_default() += 1,
            EventKind::Accepted { .. } if f.first_accepted_at.is_none() => {
                f.first_accepted_at = Some(e.at)
            }
            EventKind::Fulfilled { .. } if f.first_fulfilled_at.is_none() => {
                f.first_fulfilled_at = Some(e.at)
            }
            EventKind::Rated { rating } => f.satisfaction = Some(rating.satisfaction),
            EventKind::Reopened { .. } => f.satisfaction = None,
            EventKind::Cancelled { by, .. } => {
                f.requester_cancelled = matches!(by, Party::Requester)
            }
            EventKind::Closed { outcome } => f.closed_unrated = matches!(outcome, Outcome::Unrated),
            _ => {}
        }
    }
    for (id, n) in dispatches {
        if let Some(f) = out.get_mut(&id) {
            f.dispatched = n > 0;
            f.redispatches = n.saturating_sub(1);
        }
    }
    out
}

/// Metrics recomputed from a raw event log; equal to
/// [`OrderBook::metrics`] on the book that produced the log.
pub fn metrics_from_events(
    policy: &Policy,
    units: &UnitTree,
    events: &[OrderEvent],
    unit: UnitId,
    period: Period,
) -> Result<OrderMetrics> {
    metrics_from_facts(policy, units, &facts_from_events(events), unit, period)
}

impl OrderBook {
    /// Metrics of `unit` (with its descendants) for orders placed in
    /// `period`, from the incrementally kept facts.
    pub fn metrics(&self, unit: UnitId, period: Period) -> Result<OrderMetrics> {
        metrics_from_facts(self.policy(), self.units(), self.facts(), unit, period)
    }

    /// Metrics of every unit of the tree for `period`, by unit id; each
    /// unit's figures include its descendants' orders.
    pub fn metrics_by_unit(&self, period: Period) -> Vec<OrderMetrics> {
        let units = self.units();
        let mut own: BTreeMap<UnitId, Vec<&OrderFacts>> = BTreeMap::new();
        for f in self.facts().values() {
            if in_period(self.policy(), period, f) {
                own.entry(f.unit).or_default().push(f);
            }
        }
        units
            .units()
            .iter()
            .map(|u| {
                let subtree =
                    std::iter::once(u.id).chain(units.descendants(u.id).unwrap_or_default());
                let cohort: Vec<&OrderFacts> = subtree
                    .flat_map(|id| own.get(&id).into_iter().flatten().copied())
                    .collect();
                compute(self.policy(), u.id, period, cohort.into_iter())
            })
            .collect()
    }
}
