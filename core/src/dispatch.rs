//! Dispatch candidates inside the ten-minute service circle (十分钟志愿服务圈).
//!
//! For an order with a location, [`CandidatePool::rank`] finds the teams and
//! volunteers whose base lies within `dispatch.radius_m` (default 800 m,
//! about ten minutes on foot) by haversine distance rounded to whole metres
//! (see [`crate::geo`]), drops the requester and anyone at or above the
//! open-order limit, and ranks the rest lexicographically by the criteria in
//! `dispatch.rank_by` (default: skill match ↓, open load ↑, average rating ↓,
//! recently active first, distance ↑), then teams before volunteers, then id
//! ↑. Every comparison is on integers: the average rating is fixed point in
//! thousandths, floored. Each candidate carries its reasons.
//!
//! A grid of cells the size of the radius ([`crate::geo::GridIndex`]) makes a
//! query touch a few cells, so ranking among 100k located volunteers takes
//! microseconds; [`rank_scan`] is the plain full scan it must agree with.
//!
//! ```
//! use zhiyuan::dispatch::*;
//! use zhiyuan::geo::LatLon;
//! use zhiyuan::orders::{Taker, Urgency};
//! use zhiyuan::Policy;
//! let p = Policy::default();
//! let home = LatLon::new(34.3, 117.95)?;
//! let c = |id, m: f64| Candidate::new(Taker::Volunteer(id), home.north(m), &["legal"]);
//! let pool = CandidatePool::new(vec![c(1, 799.0), c(2, 801.0), c(3, 10.0)])?;
//! let q = DispatchQuery { order: 9, requester: 100, category: "legal_services".into(),
//!     urgency: Urgency::Normal, location: home };
//! let r = pool.rank(&p, &q, "2024-03-04T00:00:00Z".parse()?, None)?;
//! let ids: Vec<_> = r.candidates.iter().map(|c| (c.who, c.distance_m)).collect();
//! assert_eq!(ids, vec![(Taker::Volunteer(3), 10), (Taker::Volunteer(1), 799)]);
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::Policy;
use crate::error::{Error, Result};
use crate::geo::{GridIndex, LatLon, distance_m};
use crate::hours::ActorId;
use crate::orders::{Order, OrderId, Taker, Urgency};
use crate::policy::{PolicySpec, ensure};
use crate::time::{MICROS_PER_DAY, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One ranking criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// More of the wanted skills first.
    Skill,
    /// Fewer open orders first.
    Load,
    /// Higher average rating first.
    Rating,
    /// Active within `recent_days` first.
    Recent,
    /// Nearer first.
    Distance,
}

/// Dispatch inside the ten-minute circle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DispatchPolicy {
    /// Circle radius in metres. Default 800 (≈ ten minutes on foot).
    pub radius_m: u32,
    /// Skills wanted per order category (codes from `orders.categories`).
    pub category_skills: BTreeMap<String, Vec<String>>,
    /// Skill also wanted for emergency orders. Default `emergency`.
    pub emergency_skill: String,
    /// Candidates with this many open orders or more are left out.
    /// Default 3.
    pub max_open_orders: u32,
    /// Average rating assumed for candidates never rated, in thousandths of
    /// a star. Default 3000 (a neutral 3.0, so newcomers are not starved).
    pub unrated_rating_milli: u32,
    /// "Recently active" = served within this many days. Default 30.
    pub recent_days: u32,
    /// Ranking criteria, most important first; a permutation of all five.
    pub rank_by: Vec<Criterion>,
    /// How many candidates a ranking returns when the caller gives no
    /// limit. Default 10.
    pub default_limit: u32,
}

impl Default for DispatchPolicy {
    fn default() -> Self {
        let skills: [(&str, &[&str]); 10] = [
            ("theory_policy", &["lecture"]),
            ("culture_arts", &["arts"]),
            ("education_support", &["teaching"]),
            ("medical_fitness", &["medical", "psychological", "fitness"]),
            ("science_tech", &["science"]),
            ("legal_services", &["legal"]),
            ("ecology", &["environment"]),
            ("poverty_relief", &["social_work"]),
            ("civility_promotion", &["lecture"]),
            ("public_welfare", &["general"]),
        ];
        DispatchPolicy {
            radius_m: 800,
            category_skills: skills
                .iter()
                .map(|&(c, s)| (c.to_owned(), s.iter().map(|x| (*x).to_owned()).collect()))
                .collect(),
            emergency_skill: "emergency".to_owned(),
            max_open_orders: 3,
            unrated_rating_milli: 3000,
            recent_days: 30,
            rank_by: vec![
                Criterion::Skill,
                Criterion::Load,
                Criterion::Rating,
                Criterion::Recent,
                Criterion::Distance,
            ],
            default_limit: 10,
        }
    }
}

impl DispatchPolicy {
    /// Checks the section; category codes are checked against
    /// `spec.orders.categories`.
    pub(crate) fn validate(&self, spec: &PolicySpec) -> Result<()> {
        ensure(
            (1..=50_000).contains(&self.radius_m),
            "radius_m",
            "must be within 1..=50000",
        )?;
        for (code, skills) in &self.category_skills {
            let f = format!("category_skills.{code}");
            ensure(
                spec.orders.category_index(code).is_some(),
                &f,
                "unknown category",
            )?;
            ensure(
                skills.iter().all(|s| !s.is_empty()),
                &f,
                "skills must be non-empty strings",
            )?;
        }
        ensure(self.max_open_orders >= 1, "max_open_orders", "must be >= 1")?;
        ensure(
            (1000..=5000).contains(&self.unrated_rating_milli),
            "unrated_rating_milli",
            "must be within 1000..=5000",
        )?;
        ensure(
            (1..=3660).contains(&self.recent_days),
            "recent_days",
            "must be within 1..=3660",
        )?;
        let set: BTreeSet<Criterion> = self.rank_by.iter().copied().collect();
        ensure(
            set.len() == 5 && self.rank_by.len() == 5,
            "rank_by",
            "must list skill, load, rating, recent and distance once each",
        )?;
        ensure(
            (1..=10_000).contains(&self.default_limit),
            "default_limit",
            "must be within 1..=10000",
        )
    }
}

/// A team or volunteer that could take orders, with its base location and
/// the load / rating / activity facts (see
/// [`OrderBook::service_stats`](crate::orders::OrderBook::service_stats) and
/// [`OrderBook::open_load`](crate::orders::OrderBook::open_load)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    /// Team or volunteer.
    pub who: Taker,
    /// Where they are based.
    pub location: LatLon,
    /// Skills (`legal`, `medical`, `psychological`, `science`, `emergency`, …).
    #[serde(default)]
    pub skills: Vec<String>,
    /// Orders currently dispatched to or accepted by them.
    #[serde(default)]
    pub open_orders: u32,
    /// Sum of their ratings (1–5 each).
    #[serde(default)]
    pub rating_sum: u32,
    /// Number of ratings.
    #[serde(default)]
    pub rating_count: u32,
    /// Their last service.
    #[serde(default)]
    pub last_active: Option<Timestamp>,
}

impl Candidate {
    /// A candidate without load, ratings or activity.
    pub fn new(who: Taker, location: LatLon, skills: &[&str]) -> Self {
        Candidate {
            who,
            location,
            skills: skills.iter().map(|s| (*s).to_owned()).collect(),
            open_orders: 0,
            rating_sum: 0,
            rating_count: 0,
            last_active: None,
        }
    }

    fn validate(&self) -> Result<()> {
        self.location.validate().map_err(|e| e.at("location"))?;
        if self.rating_sum > self.rating_count.saturating_mul(5)
            || self.rating_sum < self.rating_count
        {
            return Err(Error::invalid_input(
                "rating_sum",
                format!(
                    "{} is not a sum of {} ratings of 1..=5",
                    self.rating_sum, self.rating_count
                ),
            ));
        }
        Ok(())
    }
}

/// What to find candidates for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DispatchQuery {
    /// The order.
    pub order: OrderId,
    /// Its requester (never a candidate).
    pub requester: ActorId,
    /// Its category.
    pub category: String,
    /// Its urgency.
    #[serde(default)]
    pub urgency: Urgency,
    /// Where the service is needed.
    pub location: LatLon,
}

impl DispatchQuery {
    /// The query for an order; errors when it has no location.
    pub fn for_order(o: &Order) -> Result<Self> {
        let location = o.placed.location.ok_or_else(|| {
            Error::invalid_input(
                format!("order {}.location", o.id()),
                "needed to find candidates in the circle",
            )
        })?;
        Ok(DispatchQuery {
            order: o.id(),
            requester: o.placed.requester,
            category: o.placed.category.clone(),
            urgency: o.placed.urgency,
            location,
        })
    }
}

/// Why a candidate ranks where it does: rule, the candidate's value and the
/// bound it was held to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// `within_circle`, `skill_match`, `open_load`, `rating`,
    /// `recent_activity`.
    pub rule: String,
    /// The candidate's value (metres, skills matched, open orders, rating in
    /// thousandths, days since last service); `None` when unknown.
    pub actual: Option<i64>,
    /// The bound (radius, skills wanted, open-order limit, unrated default,
    /// recent window in days).
    pub required: Option<i64>,
}

fn reason(rule: &str, actual: Option<i64>, required: Option<i64>) -> Reason {
    Reason {
        rule: rule.to_owned(),
        actual,
        required,
    }
}

/// One ranked candidate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankedCandidate {
    /// 1-based rank.
    pub rank: u32,
    /// Team or volunteer.
    pub who: Taker,
    /// Distance to the order, whole metres.
    pub distance_m: u32,
    /// Wanted skills they have, sorted.
    pub skill_matches: Vec<String>,
    /// Open orders.
    pub open_orders: u32,
    /// Average rating in thousandths (floor), or the unrated default.
    pub rating_milli: u32,
    /// Whether they have ratings.
    pub rated: bool,
    /// Active within the recent window.
    pub recently_active: bool,
    /// Machine-readable reasons.
    pub reasons: Vec<Reason>,
}

/// The ranking for one order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranking {
    /// The order.
    pub order: OrderId,
    /// Hash of the policy used.
    pub policy_hash: String,
    /// The circle radius used.
    pub radius_m: u32,
    /// Skills wanted, sorted.
    pub wanted_skills: Vec<String>,
    /// Candidates inside the circle (requester excluded).
    pub in_circle: u32,
    /// Of those, left out at or above the open-order limit.
    pub overloaded: u32,
    /// The best `limit`, in rank order.
    pub candidates: Vec<RankedCandidate>,
}

/// Located candidates with a grid index.
#[derive(Clone, Debug)]
pub struct CandidatePool {
    candidates: Vec<Candidate>,
    grid: GridIndex,
    cell_m: u32,
}

impl CandidatePool {
    /// Validates and indexes candidates (cells of the default 800 m radius).
    /// Errors name `candidates[i]`; a repeated team or volunteer is a
    /// conflict.
    pub fn new(candidates: Vec<Candidate>) -> Result<Self> {
        Self::with_cell(candidates, DispatchPolicy::default().radius_m)
    }

    /// Same, with cells of `cell_m` metres (use the policy radius).
    pub fn with_cell(candidates: Vec<Candidate>, cell_m: u32) -> Result<Self> {
        let mut seen = BTreeSet::new();
        for (i, c) in candidates.iter().enumerate() {
            let at = format!("candidates[{i}]");
            c.validate().map_err(|e| e.at(&at))?;
            if !seen.insert(c.who) {
                return Err(Error::conflict(
                    format!("{at}.who"),
                    format!("{} is listed twice", c.who),
                ));
            }
        }
        let grid = GridIndex::new(candidates.iter().map(|c| c.location).collect(), cell_m);
        Ok(CandidatePool {
            candidates,
            grid,
            cell_m,
        })
    }

    /// The candidates, in input order.
    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    /// The grid cell size in metres.
    pub fn cell_m(&self) -> u32 {
        self.cell_m
    }

    /// Ranks candidates in the circle for `query` at `now`, returning the
    /// best `limit` (default `dispatch.default_limit`).
    pub fn rank(
        &self,
        policy: &Policy,
        query: &DispatchQuery,
        now: Timestamp,
        limit: Option<u32>,
    ) -> Result<Ranking> {
        check_query(policy, query)?;
        let hits = self.grid.within(query.location, policy.dispatch.radius_m);
        let found = hits
            .into_iter()
            .filter_map(|(i, d)| self.candidates.get(i as usize).map(|c| (c, d)));
        Ok(rank_found(policy, query, now, limit, found))
    }
}

fn check_query(policy: &Policy, q: &DispatchQuery) -> Result<()> {
    if policy.orders.category_index(&q.category).is_none() {
        return Err(Error::invalid_input(
            format!("order {}.category", q.order),
            format!("unknown category {:?}", q.category),
        ));
    }
    q.location
        .validate()
        .map_err(|e| e.at(&format!("order {}.location", q.order)))
}

/// The reference ranking by full scan, without an index; same result as
/// [`CandidatePool::rank`].
pub fn rank_scan(
    policy: &Policy,
    candidates: &[Candidate],
    query: &DispatchQuery,
    now: Timestamp,
    limit: Option<u32>,
) -> Result<Ranking> {
    check_query(policy, query)?;
    let r = policy.dispatch.radius_m;
    let found = candidates.iter().filter_map(|c| {
        let d = distance_m(query.location, c.location);
        (d <= r).then_some((c, d))
    });
    Ok(rank_found(policy, query, now, limit, found))
}

fn wanted_skills(policy: &Policy, q: &DispatchQuery) -> Vec<String> {
    let d = &policy.dispatch;
    let mut w: BTreeSet<String> = d
        .category_skills
        .get(&q.category)
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    if q.urgency == Urgency::Emergency {
        w.insert(d.emergency_skill.clone());
    }
    w.into_iter().collect()
}

/// The ranking keys of one candidate; cheap to build for every candidate in
/// the circle, while the full [`RankedCandidate`] (strings, reasons) is only
/// built for the `limit` best.
struct Keys<'a> {
    c: &'a Candidate,
    distance_m: u32,
    skills: usize,
    rating_milli: u32,
    recently_active: bool,
    /// The criteria in policy order, each mapped so that smaller ranks
    /// first; compared as an integer array, then by `who`.
    key: [u32; 5],
}

fn rank_found<'a>(
    policy: &Policy,
    q: &DispatchQuery,
    now: Timestamp,
    limit: Option<u32>,
    found: impl Iterator<Item = (&'a Candidate, u32)>,
) -> Ranking {
    let d = &policy.dispatch;
    let wanted = wanted_skills(policy, q);
    let window = i64::from(d.recent_days) * MICROS_PER_DAY;
    let mut in_circle = 0u32;
    let mut overloaded = 0u32;
    let mut keys: Vec<Keys<'a>> = Vec::new();
    for (c, dist) in found {
        if c.who == Taker::Volunteer(q.requester) {
            continue;
        }
        in_circle += 1;
        if c.open_orders >= d.max_open_orders {
            overloaded += 1;
            continue;
        }
        let rating_milli = if c.rating_count > 0 {
            (u64::from(c.rating_sum) * 1000 / u64::from(c.rating_count)) as u32
        } else {
            d.unrated_rating_milli
        };
        let mut k = Keys {
            c,
            distance_m: dist,
            skills: wanted.iter().filter(|s| c.skills.contains(s)).count(),
            rating_milli,
            recently_active: c
                .last_active
                .is_some_and(|t| t.as_micros() > now.as_micros() - window),
            key: [0; 5],
        };
        k.key = sort_key(&d.rank_by, &k);
        keys.push(k);
    }
    let keep = limit.unwrap_or(d.default_limit) as usize;
    let order = |a: &Keys<'_>, b: &Keys<'_>| a.key.cmp(&b.key).then(a.c.who.cmp(&b.c.who));
    if keys.len() > keep && keep > 0 {
        // Only the best `keep` are returned: partition, then sort those.
        keys.select_nth_unstable_by(keep - 1, order);
    }
    keys.truncate(keep);
    keys.sort_unstable_by(order);
    let candidates = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let c = k.c;
            let skill_matches: Vec<String> = wanted
                .iter()
                .filter(|s| c.skills.contains(s))
                .cloned()
                .collect();
            let rated = c.rating_count > 0;
            let since_days = c
                .last_active
                .map(|t| ((now.as_micros() - t.as_micros()) / MICROS_PER_DAY).max(0));
            let reasons = vec![
                reason(
                    "within_circle",
                    Some(i64::from(k.distance_m)),
                    Some(i64::from(d.radius_m)),
                ),
                reason(
                    "skill_match",
                    Some(k.skills as i64),
                    Some(wanted.len() as i64),
                ),
                reason(
                    "open_load",
                    Some(i64::from(c.open_orders)),
                    Some(i64::from(d.max_open_orders)),
                ),
                reason(
                    "rating",
                    Some(i64::from(k.rating_milli)),
                    (!rated).then_some(i64::from(d.unrated_rating_milli)),
                ),
                reason(
                    "recent_activity",
                    since_days,
                    Some(i64::from(d.recent_days)),
                ),
            ];
            RankedCandidate {
                rank: i as u32 + 1,
                who: c.who,
                distance_m: k.distance_m,
                skill_matches,
                open_orders: c.open_orders,
                rating_milli: k.rating_milli,
                rated,
                recently_active: k.recently_active,
                reasons,
            }
        })
        .collect();
    Ranking {
        order: q.order,
        policy_hash: policy.hash().to_owned(),
        radius_m: d.radius_m,
        wanted_skills: wanted,
        in_circle,
        overloaded,
        candidates,
    }
}

/// The declared total order as an integer array: the policy criteria, each
/// mapped so that smaller ranks first (ties then go to teams before
/// volunteers, then id, in the caller).
fn sort_key(by: &[Criterion], k: &Keys<'_>) -> [u32; 5] {
    let mut key = [0u32; 5];
    for (slot, c) in key.iter_mut().zip(by) {
        *slot = match c {
            Criterion::Skill => u32::MAX - k.skills.min(u32::MAX as usize) as u32,
            Criterion::Load => k.c.open_orders,
            Criterion::Rating => u32::MAX - k.rating_milli,
            Criterion::Recent => u32::from(!k.recently_active),
            Criterion::Distance => k.distance_m,
        };
    }
    key
}
