//! The synthetic county: a seeded, deterministic generator of a realistic
//! district like 南京市江宁区 for the demo, the tests and the benchmarks.
//!
//! One [`CountyParams`] (seed + scale) gives one [`County`]: a unit tree
//! (centre → institutes → stations), teams with skills, volunteer profiles
//! with heavy-tailed activity, a year of service records (with some
//! overlapping double entries, some late entries, some training and a few
//! bad actors' fabricated records), 文明秀 posts and likes (duplicates,
//! self-likes, a ring of new accounts), monthly-star votes (with a burst
//! from new accounts) and judges' marks, and five-order work orders with
//! locations, declines and ratings.
//!
//! **Determinism.** The generator uses its own SplitMix64 ([`Rng`]) and
//! integer arithmetic only: no floats, no hash-map order and no thread
//! scheduling reach any value, so the same params give byte-identical data
//! on every machine and for every thread count. [`County::hash`] is the
//! SHA-256 of the canonical JSON form; a test pins it.
//!
//! **Shapes** (domain-rules §7: hours per head are small and the long tail
//! dominates). A share `inactive_bp` of regular volunteers serves nothing in
//! the year; the others draw a record count from a discrete Pareto law with
//! tail index 1 (`P(n ≥ k) = min_records / k`, capped at `max_records`),
//! so most serve a few hours and a few serve hundreds.
//!
//! Id spaces (all `u64`): units `1` (centre), `101..` (institutes),
//! `10_001..` (stations); teams, volunteers, records, posts, likes, votes and
//! orders from `1`; actors: recorders `1_000_000_000 + unit`, judges
//! `2_000_000_000 + n`, residents placing orders `3_000_000_000 + n`.
//!
//! ```
//! use zhiyuan::county::{County, CountyParams};
//! let params = CountyParams::small();
//! let county = County::generate(&params)?;
//! assert_eq!(county.volunteers.len() as u64, params.volunteers);
//! assert_eq!(county.hash(), County::generate(&params)?.hash());
//! let tree = county.tree()?;
//! assert_eq!(tree.children(1)?.len(), params.institutes as usize);
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::Policy;
use crate::error::{Error, Result};
use crate::hours::{
    ActivityId, ActorId, Flag, RecordId, RecordKind, RevokeReason, ServiceRecord, VolunteerId,
};
use crate::ledger::{GroupBy, HoursLedger, Scope};
use crate::policy::ensure;
use crate::posts::{LikeAction, LikeEvent};
use crate::time::{
    Calendar, Grain, LocalDate, MICROS_PER_DAY, MICROS_PER_MINUTE, Period, Timestamp, UtcOffset,
};
use crate::units::{Team, TeamId, Unit, UnitId, UnitTree};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;

// ---------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------

/// SplitMix64 (Steele, Lea and Flood 2014): tiny, fast, full-period and
/// defined entirely by 64-bit wrapping integer operations, so every machine
/// produces the same stream.
#[derive(Clone, Debug)]
pub struct Rng(u64);

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// An independent stream for (`seed`, `tag`, `index`): lets each
    /// volunteer, post or activity draw from its own stream, so generation
    /// can run in parallel and stay identical.
    pub fn stream(seed: u64, tag: u64, index: u64) -> Self {
        Rng(mix(mix(seed ^ mix(tag.wrapping_add(GOLDEN))) ^ index))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// Uniform in `0..n` (0 when `n` is 0), by the multiply-high method; the
    /// bias is below `n / 2^64`, far under anything the county can show.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi` (`lo` when `hi < lo`).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    /// True with probability `bp` / 10 000.
    pub fn chance(&mut self, bp: u32) -> bool {
        self.below(10_000) < u64::from(bp)
    }

    /// A discrete Pareto draw with tail index 1: `P(X ≥ k) ≈ xm / k` for
    /// `xm ≤ k ≤ cap`, capped at `cap`. Integer-only.
    pub fn pareto(&mut self, xm: u64, cap: u64) -> u64 {
        let u = self.below(1 << 20) + 1;
        ((xm << 20) / u).clamp(xm.min(cap), cap)
    }

    /// An index drawn with probability proportional to `cumulative`
    /// weights (a non-decreasing prefix-sum array; last = total > 0).
    pub fn weighted(&mut self, cumulative: &[u64]) -> usize {
        let total = cumulative.last().copied().unwrap_or(0);
        let x = self.below(total);
        cumulative.partition_point(|&c| c <= x)
    }
}

// Stream tags: one per kind of draw, so adding a draw of one kind never
// shifts another kind's values.
const TAG_UNITS: u64 = 1;
const TAG_VOLUNTEERS: u64 = 2;
const TAG_RECORDS: u64 = 3;
const TAG_ACTIVITY: u64 = 4;
const TAG_POSTS: u64 = 5;
const TAG_LIKES: u64 = 6;
const TAG_VOTES: u64 = 7;
const TAG_ORDERS: u64 = 8;

// ---------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------

/// Seed and scale of a synthetic county. Shares are in basis points
/// (1/10 000).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CountyParams {
    /// The seed; the same seed and params give byte-identical data.
    pub seed: u64,
    /// The calendar year of the service records, posts, votes and orders.
    pub year: i32,
    /// 新时代文明实践所 (one per street); children of the centre.
    pub institutes: u32,
    /// 实践站, spread unevenly over the institutes (each gets at least one).
    pub stations: u32,
    /// 志愿服务队 with 1–3 skills each, attached at every level.
    pub teams: u32,
    /// Registered volunteers, all cohorts included.
    pub volunteers: u64,
    /// Share of regular volunteers with no service in the year.
    pub inactive_bp: u32,
    /// Pareto scale: the fewest records an active volunteer has.
    pub min_records: u32,
    /// Pareto cap on an active volunteer's records (≤ 730: two half-day
    /// slots a day).
    pub max_records: u32,
    /// Share of records entered a second time by another unit, overlapping
    /// the first (double counting across capture paths, domain-rules §8.1).
    pub overlap_bp: u32,
    /// Share of records entered 25–60 days after the service (past the 10
    /// working-day deadline under the default calendar).
    pub late_bp: u32,
    /// Share of records that are training (学习时长), not service.
    pub training_bp: u32,
    /// Volunteers whose records are all fabricated: 13–15 h "services"
    /// entered in monthly batches.
    pub bad_actors: u32,
    /// 文明秀 posts, ring posts included.
    pub posts: u64,
    /// Like events, duplicates, self-likes and ring likes included.
    pub likes: u64,
    /// Share of likes that repeat an earlier (liker, post) pair.
    pub duplicate_like_bp: u32,
    /// Share of likes on one's own post.
    pub self_like_bp: u32,
    /// New accounts that register together, post once each and all like
    /// each other's posts within days (0 = no ring; else ≥ 2).
    pub like_ring: u32,
    /// Monthly-star candidates per month.
    pub candidates_per_month: u32,
    /// Monthly-star votes, the burst included.
    pub votes: u64,
    /// New accounts that register the day before one month's burst and vote
    /// twice each (one same-day duplicate) for the same candidate.
    pub vote_burst: u32,
    /// Judges marking every candidate every month.
    pub judges: u32,
    /// Work orders (点单) placed by residents.
    pub orders: u64,
    /// Share of dispatches declined by the team (then re-dispatched).
    pub decline_bp: u32,
}

impl Default for CountyParams {
    /// About 江宁: a centre, 10 institutes, 200 stations, 240 teams, 60 000
    /// volunteers (≈ 3 % of 1.9 M residents registered and on the books),
    /// a year of records, 20 000 posts, 200 000 likes, 3 000 orders.
    fn default() -> Self {
        CountyParams {
            seed: 20_250_101,
            year: 2025,
            institutes: 10,
            stations: 200,
            teams: 240,
            volunteers: 60_000,
            inactive_bp: 3_000,
            min_records: 1,
            max_records: 300,
            overlap_bp: 100,
            late_bp: 300,
            training_bp: 800,
            bad_actors: 8,
            posts: 20_000,
            likes: 200_000,
            duplicate_like_bp: 200,
            self_like_bp: 100,
            like_ring: 12,
            candidates_per_month: 20,
            votes: 60_000,
            vote_burst: 300,
            judges: 7,
            orders: 3_000,
            decline_bp: 1_000,
        }
    }
}

impl CountyParams {
    /// A small county for tests and the quick demo: 3 institutes, 12
    /// stations, 2 000 volunteers.
    pub fn small() -> Self {
        CountyParams {
            institutes: 3,
            stations: 12,
            teams: 15,
            volunteers: 2_000,
            bad_actors: 3,
            posts: 600,
            likes: 6_000,
            like_ring: 6,
            candidates_per_month: 10,
            votes: 3_000,
            vote_burst: 40,
            judges: 5,
            orders: 200,
            ..CountyParams::default()
        }
    }

    /// The benchmark scale of issue 9: 1 M volunteers, about 10 M service
    /// records, 2 M posts, 20 M likes.
    pub fn benchmark() -> Self {
        CountyParams {
            stations: 500,
            teams: 1_000,
            volunteers: 1_000_000,
            inactive_bp: 2_000,
            min_records: 2,
            max_records: 700,
            bad_actors: 100,
            posts: 2_000_000,
            likes: 20_000_000,
            like_ring: 20,
            candidates_per_month: 20,
            votes: 1_000_000,
            vote_burst: 2_000,
            orders: 50_000,
            ..CountyParams::default()
        }
    }

    /// Checks the params; errors name the field.
    pub fn validate(&self) -> Result<()> {
        ensure(
            (2000..=2100).contains(&self.year),
            "year",
            "must be in 2000..=2100",
        )?;
        ensure(self.institutes >= 1, "institutes", "must be >= 1")?;
        ensure(self.institutes <= 99, "institutes", "must be <= 99")?;
        ensure(
            self.stations >= self.institutes,
            "stations",
            "must be >= institutes",
        )?;
        ensure(self.stations <= 90_000, "stations", "must be <= 90000")?;
        ensure(self.teams >= 1, "teams", "must be >= 1")?;
        ensure(
            self.min_records >= 1 && self.min_records <= self.max_records,
            "min_records",
            "must be in 1..=max_records",
        )?;
        ensure(self.max_records <= 730, "max_records", "must be <= 730")?;
        for (name, bp) in [
            ("inactive_bp", self.inactive_bp),
            ("overlap_bp", self.overlap_bp),
            ("late_bp", self.late_bp),
            ("training_bp", self.training_bp),
            ("duplicate_like_bp", self.duplicate_like_bp),
            ("self_like_bp", self.self_like_bp),
            ("decline_bp", self.decline_bp),
        ] {
            ensure(bp <= 10_000, name, "must be <= 10000")?;
        }
        ensure(self.like_ring != 1, "like_ring", "must be 0 or >= 2")?;
        let special =
            u64::from(self.bad_actors) + u64::from(self.like_ring) + u64::from(self.vote_burst);
        ensure(
            self.volunteers > special,
            "volunteers",
            "must exceed bad_actors + like_ring + vote_burst",
        )?;
        ensure(self.volunteers <= 1 << 32, "volunteers", "must be <= 2^32")?;
        ensure(
            self.posts >= u64::from(self.like_ring) + u64::from(self.likes > 0),
            "posts",
            "must be >= like_ring (and >= 1 when there are likes)",
        )?;
        let ring_likes = u64::from(self.like_ring) * u64::from(self.like_ring.saturating_sub(1));
        ensure(
            self.likes
                >= ring_likes
                    + self.bp_of(self.likes, self.duplicate_like_bp)
                    + self.bp_of(self.likes, self.self_like_bp),
            "likes",
            "too few for the ring, duplicates and self-likes",
        )?;
        ensure(
            self.votes >= 2 * u64::from(self.vote_burst),
            "votes",
            "must be >= 2 * vote_burst",
        )?;
        ensure(
            self.votes == 0 || self.candidates_per_month >= 1,
            "candidates_per_month",
            "must be >= 1 when there are votes",
        )?;
        ensure(
            u64::from(self.candidates_per_month) <= self.volunteers - special,
            "candidates_per_month",
            "must not exceed the regular volunteers",
        )?;
        ensure(
            self.likes <= ring_likes || self.posts > u64::from(self.like_ring),
            "posts",
            "must exceed like_ring when there are organic likes",
        )?;
        Ok(())
    }

    fn bp_of(&self, n: u64, bp: u32) -> u64 {
        (u128::from(n) * u128::from(bp) / 10_000) as u64
    }
}

// ---------------------------------------------------------------------------
// Generated data types
// ---------------------------------------------------------------------------

/// Why a volunteer is in the county: ground truth for tests and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cohort {
    /// An ordinary volunteer.
    Regular,
    /// All their records are fabricated (fraud).
    BadActor,
    /// A new account in the like ring.
    LikeRing,
    /// A new account in the vote burst.
    VoteBurst,
}

/// A generated volunteer: what the generator knows (team, cohort) beyond
/// the facts profile it maps onto ([`County::profiles`] in
/// [`crate::county_run`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolunteerProfile {
    /// Volunteer id.
    pub id: VolunteerId,
    /// Home station.
    pub unit: UnitId,
    /// The team they belong to, if any.
    pub team: Option<TeamId>,
    /// When the account was registered.
    pub registered_at: Timestamp,
    /// Date of birth.
    pub birth_date: LocalDate,
    /// Ground-truth cohort.
    pub cohort: Cohort,
}

/// A 文明秀 post about an activity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Post {
    /// Post id.
    pub id: u64,
    /// The author.
    pub author: VolunteerId,
    /// The unit the activity belonged to.
    pub unit: UnitId,
    /// The activity shown, if any.
    pub activity: Option<ActivityId>,
    /// When it was posted.
    pub created_at: Timestamp,
}

/// A monthly-star candidate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    /// The month of the selection.
    pub month: Period,
    /// The volunteer nominated.
    pub volunteer: VolunteerId,
}

/// One online vote for a monthly-star candidate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vote {
    /// Event id.
    pub id: u64,
    /// The voter.
    pub voter: VolunteerId,
    /// The candidate voted for.
    pub candidate: VolunteerId,
    /// The month of the selection.
    pub month: Period,
    /// When.
    pub at: Timestamp,
}

/// One judge's mark (0–100) for one candidate in one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgeMark {
    /// The month of the selection.
    pub month: Period,
    /// The judge.
    pub judge: ActorId,
    /// The candidate.
    pub candidate: VolunteerId,
    /// The mark, 0–100.
    pub mark: u32,
}

/// A step in a work order's life (domain-rules §6.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum OrderStep {
    /// The station starts reviewing.
    ReviewStarted,
    /// The station rejects the order (final).
    Rejected {
        /// Why.
        reason: String,
    },
    /// The centre dispatches to a team.
    Dispatched {
        /// The team.
        team: TeamId,
    },
    /// The team declines; the order goes back to review.
    Declined {
        /// The team.
        team: TeamId,
        /// Why.
        reason: String,
    },
    /// The team accepts.
    Accepted {
        /// The team.
        team: TeamId,
    },
    /// The team reports the service done.
    Fulfilled,
    /// The requester rates the service 1–5.
    Rated {
        /// The stars given.
        stars: u8,
    },
    /// The requester cancels (final).
    Cancelled,
    /// Nobody accepted in time (final).
    Expired,
}

/// A timed order step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderEvent {
    /// When.
    pub at: Timestamp,
    /// What.
    pub step: OrderStep,
}

/// A work order (点单) with its history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// Order id.
    pub id: u64,
    /// The resident who placed it (an actor id, not a volunteer).
    pub requester: ActorId,
    /// The station it was placed at.
    pub unit: UnitId,
    /// Demand category, one of [`SKILLS`].
    pub category: String,
    /// Target-group tags from `elderly`, `child`, `disabled`, `hardship`,
    /// `ill`.
    pub target_groups: Vec<String>,
    /// Latitude in degrees (an exact micro-degree value).
    pub lat: f64,
    /// Longitude in degrees (an exact micro-degree value).
    pub lon: f64,
    /// When it was placed.
    pub placed_at: Timestamp,
    /// When the requester expects the service by.
    pub expected_by: Timestamp,
    /// Its steps, oldest first.
    pub events: Vec<OrderEvent>,
}

/// A unit's location (centres, institutes, stations).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitLocation {
    /// The unit.
    pub unit: UnitId,
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lon: f64,
}

/// A generated record that overlaps an earlier one of the same volunteer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverlapTruth {
    /// The later-entered, overlapping record.
    pub record: RecordId,
    /// The record it overlaps.
    pub clashes_with: RecordId,
}

/// Skills of teams, and order categories (after the Jiangsu project types,
/// domain-rules §6.6).
pub const SKILLS: [&str; 10] = [
    "policy_talk",
    "culture",
    "education",
    "medical",
    "science",
    "legal",
    "environment",
    "poverty_relief",
    "civility",
    "emergency",
];

const SKILL_NAMES: [&str; 10] = [
    "理论宣讲",
    "文化文艺",
    "助学支教",
    "医疗健身",
    "科技科普",
    "法律服务",
    "生态环保",
    "扶贫帮困",
    "文明倡导",
    "应急救援",
];

const TARGET_GROUPS: [&str; 5] = ["elderly", "child", "disabled", "hardship", "ill"];

/// 江宁's ten streets, then generic names beyond ten institutes.
const STREETS: [&str; 10] = [
    "东山", "秣陵", "汤山", "淳化", "禄口", "江宁", "谷里", "湖熟", "横溪", "麒麟",
];

/// The centre's unit id.
pub const CENTRE: UnitId = 1;
/// Recorder actor ids are this plus the unit id.
pub const RECORDER_BASE: ActorId = 1_000_000_000;
/// Judge actor ids are this plus 1, 2, ….
pub const JUDGE_BASE: ActorId = 2_000_000_000;
/// Resident actor ids are this plus 1, 2, ….
pub const RESIDENT_BASE: ActorId = 3_000_000_000;

const CENTRE_LAT_E6: i64 = 31_950_000;
const CENTRE_LON_E6: i64 = 118_840_000;

/// The whole generated county. Every list is sorted by id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct County {
    /// The params it was generated from.
    pub params: CountyParams,
    /// Units: the centre, institutes, stations.
    pub units: Vec<Unit>,
    /// Unit locations.
    pub locations: Vec<UnitLocation>,
    /// Teams with skills.
    pub teams: Vec<Team>,
    /// Volunteer profiles.
    pub volunteers: Vec<VolunteerProfile>,
    /// Service and training records, ids in order of start time.
    pub records: Vec<ServiceRecord>,
    /// Which records overlap which earlier one (ground truth).
    pub overlaps: Vec<OverlapTruth>,
    /// The bad actors' fabricated records (ground truth), ascending.
    pub fraud_records: Vec<RecordId>,
    /// 文明秀 posts, ids in order of time.
    pub posts: Vec<Post>,
    /// Like events, ids in order of time.
    pub likes: Vec<LikeEvent>,
    /// Monthly-star candidates, by month then volunteer.
    pub candidates: Vec<Candidate>,
    /// Votes, ids in order of time.
    pub votes: Vec<Vote>,
    /// Judges' marks, by month, judge, candidate.
    pub marks: Vec<JudgeMark>,
    /// Work orders, ids in order of placement.
    pub orders: Vec<Order>,
}

// ---------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------

/// Context shared by the generation steps.
struct Ctx<'a> {
    p: &'a CountyParams,
    /// Local midnight (CST) of 1 January, in days since the epoch.
    day0: i32,
    days: i32,
}

impl Ctx<'_> {
    /// Local (CST) day `day` of the year, minute `minute` after midnight.
    fn at(&self, day: i64, minute: i64) -> Timestamp {
        let us = (i64::from(self.day0) + day) * MICROS_PER_DAY + minute * MICROS_PER_MINUTE
            - i64::from(UtcOffset::CST.minutes()) * MICROS_PER_MINUTE;
        Timestamp::from_micros(us).expect("county years 2000-2100 are in range")
    }
}

fn add_minutes(t: Timestamp, minutes: i64) -> Timestamp {
    t.saturating_add_micros(minutes * MICROS_PER_MINUTE)
}

/// Splits `total` over `weights` exactly (prefix-floor apportionment).
fn apportion(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let mut acc = 0u128;
    let mut prev = 0u64;
    weights
        .iter()
        .map(|&w| {
            acc += u128::from(w);
            let upto = (u128::from(total) * acc / sum) as u64;
            let n = upto - prev;
            prev = upto;
            n
        })
        .collect()
}

fn prefix_sums(weights: impl IntoIterator<Item = u64>) -> Vec<u64> {
    let mut acc = 0u64;
    weights
        .into_iter()
        .map(|w| {
            acc += w;
            acc
        })
        .collect()
}

/// Micro-degrees to degrees: one IEEE division, identical everywhere.
fn degrees(e6: i64) -> f64 {
    e6 as f64 / 1e6
}

struct Structure {
    units: Vec<Unit>,
    locations: Vec<UnitLocation>,
    teams: Vec<Team>,
    /// Station ids.
    stations: Vec<UnitId>,
    /// Station locations in micro-degrees, parallel to `stations`.
    station_e6: Vec<(i64, i64)>,
    /// Institute of each station, parallel to `stations`.
    station_institute: Vec<UnitId>,
    /// Teams usable by each institute's volunteers (its own subtree and the
    /// centre's), by institute position.
    institute_teams: Vec<Vec<TeamId>>,
}

fn institute_id(i: u32) -> UnitId {
    101 + UnitId::from(i)
}

fn gen_structure(p: &CountyParams) -> Structure {
    let mut rng = Rng::stream(p.seed, TAG_UNITS, 0);
    let mut units = vec![Unit::new(
        CENTRE,
        None,
        "江宁区新时代文明实践中心",
        "centre",
    )];
    let mut locations = vec![UnitLocation {
        unit: CENTRE,
        lat: degrees(CENTRE_LAT_E6),
        lon: degrees(CENTRE_LON_E6),
    }];
    let mut inst_loc = Vec::new();
    for i in 0..p.institutes {
        let street = STREETS
            .get(i as usize)
            .map_or_else(|| format!("第{}", i + 1), |s| (*s).to_owned());
        let id = institute_id(i);
        units.push(Unit::new(
            id,
            Some(CENTRE),
            &format!("{street}街道新时代文明实践所"),
            "institute",
        ));
        let (la, lo) = (
            CENTRE_LAT_E6 + rng.range(-150_000, 150_000),
            CENTRE_LON_E6 + rng.range(-150_000, 150_000),
        );
        inst_loc.push((la, lo));
        locations.push(UnitLocation {
            unit: id,
            lat: degrees(la),
            lon: degrees(lo),
        });
    }
    // Uneven institutes: 1–4 weight each, every one gets at least a station.
    let weights: Vec<u64> = (0..p.institutes).map(|_| 1 + rng.below(4)).collect();
    let extra = apportion(u64::from(p.stations - p.institutes), &weights);
    let mut stations = Vec::new();
    let mut station_e6 = Vec::new();
    let mut station_institute = Vec::new();
    let mut next = 10_001u64;
    for (i, n) in extra.iter().enumerate() {
        let inst = institute_id(i as u32);
        let street = STREETS.get(i).copied().unwrap_or("");
        for k in 0..=*n {
            units.push(Unit::new(
                next,
                Some(inst),
                &format!("{street}第{}实践站", k + 1),
                "station",
            ));
            let (la, lo) = inst_loc[i];
            let e6 = (
                la + rng.range(-40_000, 40_000),
                lo + rng.range(-40_000, 40_000),
            );
            locations.push(UnitLocation {
                unit: next,
                lat: degrees(e6.0),
                lon: degrees(e6.1),
            });
            station_e6.push(e6);
            stations.push(next);
            station_institute.push(inst);
            next += 1;
        }
    }
    // Teams: ~5 % at the centre, ~20 % at institutes, the rest at stations.
    let mut teams = Vec::new();
    let mut institute_teams = vec![Vec::new(); p.institutes as usize];
    let mut centre_teams = Vec::new();
    for t in 0..p.teams {
        let id = TeamId::from(t) + 1;
        let roll = rng.below(100);
        let (unit, inst_pos) = if roll < 5 {
            (CENTRE, None)
        } else if roll < 25 {
            let i = rng.below(u64::from(p.institutes)) as u32;
            (institute_id(i), Some(i as usize))
        } else {
            let s = rng.below(stations.len() as u64) as usize;
            (
                stations[s],
                Some((station_institute[s] - institute_id(0)) as usize),
            )
        };
        let mut skills: Vec<usize> = Vec::new();
        let n = 1 + rng.below(3);
        while (skills.len() as u64) < n {
            let s = rng.below(SKILLS.len() as u64) as usize;
            if !skills.contains(&s) {
                skills.push(s);
            }
        }
        let name = format!("{}志愿服务队{}", SKILL_NAMES[skills[0]], id);
        skills.sort_unstable();
        teams.push(Team {
            id,
            unit,
            name,
            skills: skills.iter().map(|&s| SKILLS[s].to_owned()).collect(),
        });
        match inst_pos {
            Some(i) => institute_teams[i].push(id),
            None => centre_teams.push(id),
        }
    }
    for list in &mut institute_teams {
        list.extend(&centre_teams);
        list.sort_unstable();
    }
    Structure {
        units,
        locations,
        teams,
        stations,
        station_e6,
        station_institute,
        institute_teams,
    }
}

fn gen_volunteers(p: &CountyParams, cx: &Ctx, s: &Structure) -> Vec<VolunteerProfile> {
    let n = p.volunteers;
    let burst_from = n - u64::from(p.vote_burst) + 1;
    let ring_from = burst_from - u64::from(p.like_ring);
    let (ring_day, burst_day) = special_days(p, cx);
    // Bad actors: distinct regular ids picked by the volunteer stream 0.
    let mut rng = Rng::stream(p.seed, TAG_VOLUNTEERS, 0);
    let mut bad = std::collections::BTreeSet::new();
    while (bad.len() as u32) < p.bad_actors {
        bad.insert(1 + rng.below(ring_from - 1));
    }
    let station_weights = prefix_sums(
        (0..s.stations.len()).map(|i| 1 + Rng::stream(p.seed, TAG_UNITS, 1 + i as u64).below(5)),
    );
    (1..=n)
        .into_par_iter()
        .map(|id| {
            let mut rng = Rng::stream(p.seed, TAG_VOLUNTEERS, id);
            let cohort = if id >= burst_from {
                Cohort::VoteBurst
            } else if id >= ring_from {
                Cohort::LikeRing
            } else if bad.contains(&id) {
                Cohort::BadActor
            } else {
                Cohort::Regular
            };
            let si = rng.weighted(&station_weights);
            let inst_pos = (s.station_institute[si] - institute_id(0)) as usize;
            let teams = &s.institute_teams[inst_pos];
            let team = if !teams.is_empty() && rng.chance(6_000) {
                Some(teams[rng.below(teams.len() as u64) as usize])
            } else {
                None
            };
            let reg_day = match cohort {
                Cohort::LikeRing => ring_day - 2,
                Cohort::VoteBurst => burst_day - 1,
                // Up to eight years before the year; ids grow with time.
                _ => -1 - ((ring_from - 1 - id) * 8 * 365 / ring_from) as i64,
            };
            let registered_at = cx.at(reg_day, rng.range(9 * 60, 21 * 60));
            // Age at registration: students, working age, retirees.
            let age = match rng.below(10) {
                0..=2 => rng.range(14, 24),
                3..=6 => rng.range(25, 59),
                _ => rng.range(60, 72),
            };
            let birth_days = i64::from(cx.day0) + reg_day - age * 365 - rng.range(0, 364);
            VolunteerProfile {
                id,
                unit: s.stations[si],
                team,
                registered_at,
                birth_date: LocalDate::from_days(birth_days as i32),
                cohort,
            }
        })
        .collect()
}

/// The day of the year of the like ring and of the vote burst.
fn special_days(p: &CountyParams, cx: &Ctx) -> (i64, i64) {
    let mut rng = Rng::stream(p.seed, TAG_VOLUNTEERS, u64::MAX);
    let days = i64::from(cx.days);
    (rng.range(60, days - 40), rng.range(60, days - 40))
}

/// Activity windows: a morning slot 08:00–12:30 and an afternoon slot
/// 13:30–21:30 (local), so records in different slots never touch.
const WINDOWS: [(i64, i64); 2] = [(8 * 60, 12 * 60 + 30), (13 * 60 + 30, 21 * 60 + 30)];

/// The activity `unit` holds in half-day `slot` (`day * 2 + half`): a
/// stateless function of the seed, so every attendee sees the same times.
fn activity(p: &CountyParams, unit: UnitId, slot: i64) -> (ActivityId, i64, i64) {
    let id = unit * 10_000 + slot as u64;
    let mut rng = Rng::stream(p.seed, TAG_ACTIVITY, id);
    let (lo, hi) = WINDOWS[(slot % 2) as usize];
    let dur = 30 + 15 * (rng.range(0, 7) + rng.range(0, 7)); // 30–240, triangular
    let dur = dur.min(hi - lo);
    let start = lo + 15 * rng.range(0, (hi - lo - dur) / 15);
    (id, start, dur)
}

struct Draft {
    rec: ServiceRecord,
    seq: u32,
    twin_of: Option<u32>,
}

fn recorded_after(rng: &mut Rng, end: Timestamp, late_bp: u32) -> Timestamp {
    if rng.chance(late_bp) {
        add_minutes(end, rng.range(25 * 1440, 60 * 1440))
    } else {
        add_minutes(end, rng.range(10, 3 * 1440))
    }
}

fn gen_volunteer_records(
    p: &CountyParams,
    cx: &Ctx,
    s: &Structure,
    v: &VolunteerProfile,
) -> Vec<Draft> {
    let mut rng = Rng::stream(p.seed, TAG_RECORDS, v.id);
    let mut out = Vec::new();
    let institute = s
        .station_institute
        .get(s.stations.partition_point(|&x| x < v.unit))
        .copied()
        .unwrap_or(CENTRE);
    match v.cohort {
        Cohort::LikeRing | Cohort::VoteBurst => {}
        Cohort::BadActor => {
            // 30–60 fabricated 13–15 h days, entered in a batch on the 2nd
            // of the following month.
            let n = rng.range(30, 60) as usize;
            let mut days: Vec<i64> = Vec::new();
            while days.len() < n {
                let d = rng.below(cx.days as u64) as i64;
                if !days.contains(&d) {
                    days.push(d);
                }
            }
            days.sort_unstable();
            for d in days {
                let start = cx.at(d, 6 * 60);
                let end = add_minutes(start, rng.range(52, 60) * 15);
                let date = LocalDate::from_days(cx.day0 + d as i32);
                let next_month = Period::of_date(Grain::Month, date).end_day();
                let recorded_at =
                    add_minutes(next_month.start(UtcOffset::CST), 1440 + 10 * 60).max(end);
                let seq = out.len() as u32;
                out.push(Draft {
                    rec: ServiceRecord {
                        id: 0,
                        volunteer: v.id,
                        unit: v.unit,
                        team: None,
                        activity: v.unit * 10_000 + (d * 2) as u64,
                        start,
                        end,
                        kind: RecordKind::Service,
                        recorded_by: RECORDER_BASE + v.unit,
                        recorded_at,
                    },
                    seq,
                    twin_of: None,
                });
            }
        }
        Cohort::Regular => {
            if rng.chance(p.inactive_bp) {
                return out;
            }
            let slots = 2 * i64::from(cx.days);
            let n = rng.pareto(u64::from(p.min_records), u64::from(p.max_records)) as i64;
            let n = n.min(slots);
            for i in 0..n {
                // Slot i of n evenly spaced ranges: distinct half-days.
                let (a, b) = (i * slots / n, (i + 1) * slots / n);
                let slot = rng.range(a, b - 1);
                let day = slot / 2;
                let roll = rng.below(100);
                let unit = if roll < 80 {
                    v.unit
                } else if roll < 95 {
                    institute
                } else {
                    CENTRE
                };
                let (act, a_start, a_dur) = activity(p, unit, slot);
                // 85 % attend it all; others come late or leave early.
                let (mut st, mut du) = (a_start, a_dur);
                if a_dur >= 45 && rng.chance(1_500) {
                    let cut = 15 * rng.range(1, a_dur / 15 - 2);
                    if rng.chance(5_000) {
                        st += cut;
                    }
                    du -= cut;
                }
                let start = cx.at(day, st);
                let end = add_minutes(start, du);
                let kind = if rng.chance(p.training_bp) {
                    RecordKind::Training
                } else {
                    RecordKind::Service
                };
                let team = v.team.filter(|_| rng.chance(7_000));
                let seq = out.len() as u32;
                let rec = ServiceRecord {
                    id: 0,
                    volunteer: v.id,
                    unit,
                    team,
                    activity: act,
                    start,
                    end,
                    kind,
                    recorded_by: RECORDER_BASE + unit,
                    recorded_at: recorded_after(&mut rng, end, p.late_bp),
                };
                let twin = rng.chance(p.overlap_bp).then(|| {
                    // Another unit enters the same service again, starting
                    // inside the first and ending inside the half-day window.
                    let other = if unit == v.unit { institute } else { v.unit };
                    let t_st = st + 15 * rng.range(0, (du - 15) / 15);
                    let (_, hi) = WINDOWS[(slot % 2) as usize];
                    let t_end = (t_st + 30 + 15 * rng.range(0, 10)).min(hi);
                    let t_start = cx.at(day, t_st);
                    let t_e = cx.at(day, t_end);
                    ServiceRecord {
                        id: 0,
                        volunteer: v.id,
                        unit: other,
                        team: None,
                        activity: other * 10_000 + slot as u64,
                        start: t_start,
                        end: t_e,
                        kind,
                        recorded_by: RECORDER_BASE + other,
                        recorded_at: add_minutes(rec.recorded_at, rng.range(60, 3 * 1440)),
                    }
                });
                out.push(Draft {
                    rec,
                    seq,
                    twin_of: None,
                });
                if let Some(t) = twin {
                    out.push(Draft {
                        rec: t,
                        seq: seq + 1,
                        twin_of: Some(seq),
                    });
                }
            }
        }
    }
    out
}

type RecordsOut = (Vec<ServiceRecord>, Vec<OverlapTruth>, Vec<RecordId>);

fn gen_records(p: &CountyParams, cx: &Ctx, s: &Structure, vols: &[VolunteerProfile]) -> RecordsOut {
    let per: Vec<Vec<Draft>> = vols
        .par_iter()
        .map(|v| gen_volunteer_records(p, cx, s, v))
        .collect();
    // base[v - 1] = offset of volunteer v's drafts in generation order.
    let base = prefix_sums(std::iter::once(0).chain(per.iter().map(|d| d.len() as u64)));
    let mut drafts: Vec<Draft> = per.into_iter().flatten().collect();
    // (start, volunteer, seq) is unique, so the unstable sort is total.
    drafts.par_sort_unstable_by_key(|d| (d.rec.start, d.rec.volunteer, d.seq));
    let mut id_of = vec![0u64; drafts.len()];
    for (pos, d) in drafts.iter_mut().enumerate() {
        d.rec.id = pos as u64 + 1;
        id_of[(base[(d.rec.volunteer - 1) as usize] + u64::from(d.seq)) as usize] = d.rec.id;
    }
    let mut overlaps: Vec<OverlapTruth> = drafts
        .iter()
        .filter_map(|d| {
            d.twin_of.map(|o| OverlapTruth {
                record: d.rec.id,
                clashes_with: id_of[(base[(d.rec.volunteer - 1) as usize] + u64::from(o)) as usize],
            })
        })
        .collect();
    overlaps.sort_by_key(|o| o.record);
    let fraud: Vec<RecordId> = drafts
        .iter()
        .filter(|d| vols[(d.rec.volunteer - 1) as usize].cohort == Cohort::BadActor)
        .map(|d| d.rec.id)
        .collect();
    let records = drafts.into_iter().map(|d| d.rec).collect();
    (records, overlaps, fraud)
}

fn regular_ids(vols: &[VolunteerProfile]) -> Vec<VolunteerId> {
    vols.iter()
        .filter(|v| v.cohort == Cohort::Regular)
        .map(|v| v.id)
        .collect()
}

fn gen_posts(
    p: &CountyParams,
    cx: &Ctx,
    vols: &[VolunteerProfile],
    records: &[ServiceRecord],
) -> Vec<Post> {
    let mut rng = Rng::stream(p.seed, TAG_POSTS, 0);
    let (ring_day, _) = special_days(p, cx);
    let ring: Vec<&VolunteerProfile> = vols
        .iter()
        .filter(|v| v.cohort == Cohort::LikeRing)
        .collect();
    let regular = regular_ids(vols);
    let organic = p.posts - ring.len() as u64;
    let service: Vec<&ServiceRecord> = records
        .iter()
        .filter(|r| {
            r.kind == RecordKind::Service
                && vols[(r.volunteer - 1) as usize].cohort == Cohort::Regular
        })
        .collect();
    let mut posts: Vec<Post> = Vec::with_capacity(p.posts as usize);
    for _ in 0..organic {
        // A post shows a service a volunteer did: active volunteers post
        // in proportion to their records.
        if service.is_empty() {
            let author = regular[rng.below(regular.len() as u64) as usize];
            posts.push(Post {
                id: 0,
                author,
                unit: vols[(author - 1) as usize].unit,
                activity: None,
                created_at: cx.at(
                    rng.range(0, i64::from(cx.days) - 1),
                    rng.range(8 * 60, 22 * 60),
                ),
            });
        } else {
            let r = service[rng.below(service.len() as u64) as usize];
            posts.push(Post {
                id: 0,
                author: r.volunteer,
                unit: r.unit,
                activity: Some(r.activity),
                created_at: add_minutes(r.end, rng.range(5, 48 * 60)),
            });
        }
    }
    for v in ring {
        posts.push(Post {
            id: 0,
            author: v.id,
            unit: v.unit,
            activity: None,
            created_at: cx.at(ring_day, rng.range(9 * 60, 12 * 60)),
        });
    }
    number_by(
        &mut posts,
        |x| (x.created_at, x.author, x.unit, x.activity),
        |x| &mut x.id,
    );
    posts
}

/// Sorts rows by `key` and numbers them 1, 2, … in that order. The key
/// covers every field but the id, so rows with equal keys are identical and
/// the (parallel, unstable) sort still gives one result.
fn number_by<T: Send, K: Ord>(
    rows: &mut [T],
    key: impl Fn(&T) -> K + Sync,
    id: impl Fn(&mut T) -> &mut u64,
) {
    rows.par_sort_unstable_by_key(key);
    for (n, r) in rows.iter_mut().enumerate() {
        *id(r) = n as u64 + 1;
    }
}

fn gen_likes(p: &CountyParams, vols: &[VolunteerProfile], posts: &[Post]) -> Vec<LikeEvent> {
    if p.likes == 0 || posts.is_empty() {
        return Vec::new();
    }
    let regular = regular_ids(vols);
    let ring_posts: Vec<&Post> = posts
        .iter()
        .filter(|x| vols[(x.author - 1) as usize].cohort == Cohort::LikeRing)
        .collect();
    let ring_likes = (ring_posts.len() * ring_posts.len().saturating_sub(1)) as u64;
    let dups = p.bp_of(p.likes, p.duplicate_like_bp);
    let selfs = p.bp_of(p.likes, p.self_like_bp);
    let organic = p.likes - ring_likes - dups - selfs;
    // Heavy-tailed popularity: organic likes split over posts by Pareto
    // weights (ring posts get none organically).
    let weights: Vec<u64> = posts
        .iter()
        .map(|x| {
            if vols[(x.author - 1) as usize].cohort == Cohort::LikeRing {
                0
            } else {
                Rng::stream(p.seed, TAG_LIKES, x.id).pareto(1, 2_000)
            }
        })
        .collect();
    let per_post = apportion(organic, &weights);
    let regular = &regular;
    let mut likes: Vec<LikeEvent> = posts
        .par_iter()
        .zip(per_post.par_iter())
        .flat_map_iter(|(post, &n)| {
            let mut rng = Rng::stream(p.seed, TAG_LIKES ^ (1 << 32), post.id);
            (0..n).map(move |_| {
                let mut liker = regular[rng.below(regular.len() as u64) as usize];
                if liker == post.author {
                    liker = regular[rng.below(regular.len() as u64) as usize];
                }
                // A post competes in its own ISO week, and so do most of its
                // likes: 80 % within a day, 15 % later that week, 5 % after
                // the week closed (discounted as outside the window).
                let (_, week_end) =
                    Period::week_of(post.created_at, UtcOffset::CST).bounds(UtcOffset::CST);
                let left = (week_end.as_micros() - post.created_at.as_micros()) / MICROS_PER_MINUTE;
                let roll = rng.below(100);
                let delay = if roll < 5 {
                    left + rng.range(0, 7 * 1440)
                } else if roll < 20 && left > 1440 {
                    rng.range(1440, left - 1)
                } else {
                    rng.range(1, 1440).min(left.max(2) - 1)
                };
                LikeEvent::new(
                    0,
                    liker,
                    post.id,
                    add_minutes(post.created_at, delay),
                    LikeAction::Like,
                )
            })
        })
        .collect();
    let mut rng = Rng::stream(p.seed, TAG_LIKES, u64::MAX);
    let n_organic = likes.len() as u64;
    for _ in 0..dups {
        if n_organic == 0 {
            break;
        }
        let l = &likes[rng.below(n_organic) as usize];
        let again = LikeEvent::new(
            0,
            l.liker,
            l.post,
            add_minutes(l.time, rng.range(1, 3 * 1440)),
            LikeAction::Like,
        );
        likes.push(again);
    }
    for _ in 0..selfs {
        let post = &posts[rng.below(posts.len() as u64) as usize];
        likes.push(LikeEvent::new(
            0,
            post.author,
            post.id,
            add_minutes(post.created_at, rng.range(1, 2 * 1440)),
            LikeAction::Like,
        ));
    }
    for a in &ring_posts {
        for b in &ring_posts {
            if a.id != b.id {
                likes.push(LikeEvent::new(
                    0,
                    a.author,
                    b.id,
                    add_minutes(b.created_at, rng.range(10, 2 * 1440)),
                    LikeAction::Like,
                ));
            }
        }
    }
    number_by(&mut likes, |l| (l.time, l.liker, l.post), |l| &mut l.id);
    likes
}

type Selection = (Vec<Candidate>, Vec<Vote>, Vec<JudgeMark>);

fn gen_selection(
    p: &CountyParams,
    cx: &Ctx,
    vols: &[VolunteerProfile],
    posts: &[Post],
) -> Selection {
    let mut rng = Rng::stream(p.seed, TAG_VOTES, 0);
    let regular = regular_ids(vols);
    let (_, burst_day) = special_days(p, cx);
    let burst_month = LocalDate::from_days(cx.day0 + burst_day as i32).month();
    let mut candidates = Vec::new();
    let mut marks = Vec::new();
    let mut votes = Vec::new();
    let burst: Vec<VolunteerId> = vols
        .iter()
        .filter(|v| v.cohort == Cohort::VoteBurst)
        .map(|v| v.id)
        .collect();
    let organic = p.votes - 2 * burst.len() as u64;
    let per_month = apportion(organic, &[1; 12]);
    for m in 1..=12u32 {
        let first = LocalDate::new(cx.p.year, m, 1).expect("months 1-12 exist");
        let month = Period::of_date(Grain::Month, first);
        let mdays = i64::from(month.end_day().days() - first.days());
        let from = i64::from(first.days() - cx.day0);
        // Candidates: authors of the month's posts, topped up at random.
        let (lo, hi) = month.bounds(UtcOffset::CST);
        let authors: Vec<VolunteerId> = posts
            .iter()
            .filter(|x| x.created_at >= lo && x.created_at < hi)
            .filter(|x| vols[(x.author - 1) as usize].cohort == Cohort::Regular)
            .map(|x| x.author)
            .collect();
        let mut chosen: Vec<VolunteerId> = Vec::new();
        let mut tries = 0;
        while (chosen.len() as u32) < p.candidates_per_month {
            tries += 1;
            let pick = if !authors.is_empty() && tries < 10_000 {
                authors[rng.below(authors.len() as u64) as usize]
            } else {
                regular[rng.below(regular.len() as u64) as usize]
            };
            if !chosen.contains(&pick) {
                chosen.push(pick);
            }
        }
        chosen.sort_unstable();
        // Appeal: heavy-tailed, so a few candidates draw most votes.
        let appeal = prefix_sums(chosen.iter().map(|_| rng.pareto(1, 50)));
        let quality: Vec<i64> = chosen.iter().map(|_| rng.range(60, 95)).collect();
        for &c in &chosen {
            candidates.push(Candidate {
                month,
                volunteer: c,
            });
        }
        for j in 1..=u64::from(p.judges) {
            // Judge 1 is harsh, judge 2 lenient: what trimming is for.
            let bias = match j {
                1 => -10,
                2 => 8,
                _ => rng.range(-3, 3),
            };
            for (k, &c) in chosen.iter().enumerate() {
                let mark = (quality[k] + bias + rng.range(-5, 5)).clamp(0, 100);
                marks.push(JudgeMark {
                    month,
                    judge: JUDGE_BASE + j,
                    candidate: c,
                    mark: mark as u32,
                });
            }
        }
        if !chosen.is_empty() {
            for _ in 0..per_month[(m - 1) as usize] {
                let c = chosen[rng.weighted(&appeal)];
                let voter = regular[rng.below(regular.len() as u64) as usize];
                votes.push(Vote {
                    id: 0,
                    voter,
                    candidate: c,
                    month,
                    at: cx.at(from + rng.range(0, mdays - 1), rng.range(7 * 60, 23 * 60)),
                });
            }
            if m == burst_month {
                // The burst backs the month's last candidate, within 6 hours.
                let target = chosen[chosen.len() - 1];
                for &voter in &burst {
                    let t = cx.at(burst_day, rng.range(20 * 60, 20 * 60 + 359));
                    for extra in [0, rng.range(1, 60)] {
                        votes.push(Vote {
                            id: 0,
                            voter,
                            candidate: target,
                            month,
                            at: add_minutes(t, extra),
                        });
                    }
                }
            }
        }
    }
    number_by(
        &mut votes,
        |v| (v.at, v.voter, v.candidate, v.month),
        |v| &mut v.id,
    );
    (candidates, votes, marks)
}

fn gen_orders(p: &CountyParams, cx: &Ctx, s: &Structure, teams: &[Team]) -> Vec<Order> {
    let mut orders: Vec<Order> = (0..p.orders)
        .into_par_iter()
        .map(|k| {
            let mut rng = Rng::stream(p.seed, TAG_ORDERS, k);
            let si = rng.below(s.stations.len() as u64) as usize;
            let unit = s.stations[si];
            let (la, lo) = s.station_e6[si];
            let lat = degrees(la + rng.range(-10_000, 10_000));
            let lon = degrees(lo + rng.range(-10_000, 10_000));
            let cat = rng.below(SKILLS.len() as u64) as usize;
            let mut groups: Vec<String> = Vec::new();
            for _ in 0..rng.below(3) {
                let g = TARGET_GROUPS[rng.below(TARGET_GROUPS.len() as u64) as usize];
                if !groups.iter().any(|x| x == g) {
                    groups.push(g.to_owned());
                }
            }
            groups.sort();
            let placed_at = cx.at(
                rng.range(0, i64::from(cx.days) - 8),
                rng.range(7 * 60, 21 * 60),
            );
            let expected_by = add_minutes(placed_at, rng.range(1, 7) * 1440);
            let inst_pos = (s.station_institute[si] - institute_id(0)) as usize;
            let events = order_events(
                p,
                &mut rng,
                placed_at,
                cat,
                &s.institute_teams[inst_pos],
                teams,
            );
            Order {
                id: k + 1,
                requester: RESIDENT_BASE + 1 + rng.below(p.orders.max(1) * 2 / 3 + 1),
                unit,
                category: SKILLS[cat].to_owned(),
                target_groups: groups,
                lat,
                lon,
                placed_at,
                expected_by,
                events,
            }
        })
        .collect();
    // Ids in order of placement.
    orders.sort_by_key(|o| (o.placed_at, o.id));
    for (n, o) in orders.iter_mut().enumerate() {
        o.id = n as u64 + 1;
    }
    orders
}

fn order_events(
    p: &CountyParams,
    rng: &mut Rng,
    placed_at: Timestamp,
    cat: usize,
    local: &[TeamId],
    teams: &[Team],
) -> Vec<OrderEvent> {
    let mut ev = Vec::new();
    let mut t = add_minutes(placed_at, rng.range(5, 4 * 60));
    ev.push(OrderEvent {
        at: t,
        step: OrderStep::ReviewStarted,
    });
    let roll = rng.below(100);
    if roll < 5 {
        ev.push(OrderEvent {
            at: add_minutes(t, rng.range(10, 20 * 60)),
            step: OrderStep::Rejected {
                reason: "out_of_scope".to_owned(),
            },
        });
        return ev;
    }
    if roll < 8 {
        ev.push(OrderEvent {
            at: add_minutes(t, rng.range(10, 20 * 60)),
            step: OrderStep::Cancelled,
        });
        return ev;
    }
    // Skilled local teams first, then any local team, then any team.
    let skilled: Vec<TeamId> = local
        .iter()
        .copied()
        .filter(|&id| {
            teams
                .get((id - 1) as usize)
                .is_some_and(|x| x.skills.iter().any(|k| k == SKILLS[cat]))
        })
        .collect();
    let pool: Vec<TeamId> = if !skilled.is_empty() {
        skilled
    } else if !local.is_empty() {
        local.to_vec()
    } else {
        teams.iter().map(|x| x.id).collect()
    };
    let mut declines = 0;
    loop {
        let team = pool[rng.below(pool.len() as u64) as usize];
        t = add_minutes(t, rng.range(10, 12 * 60));
        ev.push(OrderEvent {
            at: t,
            step: OrderStep::Dispatched { team },
        });
        if declines < 2 && rng.chance(p.decline_bp) {
            declines += 1;
            t = add_minutes(t, rng.range(10, 20 * 60));
            ev.push(OrderEvent {
                at: t,
                step: OrderStep::Declined {
                    team,
                    reason: ["no_capacity", "skill_mismatch", "too_far"][rng.below(3) as usize]
                        .to_owned(),
                },
            });
            continue;
        }
        if rng.chance(200) {
            ev.push(OrderEvent {
                at: add_minutes(t, 3 * 1440),
                step: OrderStep::Expired,
            });
            return ev;
        }
        // Most accept within the 24 h clock; some miss it.
        t = add_minutes(
            t,
            if rng.chance(9_000) {
                rng.range(5, 24 * 60 - 1)
            } else {
                rng.range(24 * 60, 48 * 60)
            },
        );
        ev.push(OrderEvent {
            at: t,
            step: OrderStep::Accepted { team },
        });
        t = add_minutes(t, rng.range(60, 3 * 1440));
        ev.push(OrderEvent {
            at: t,
            step: OrderStep::Fulfilled,
        });
        if rng.chance(8_000) {
            let stars = match rng.below(100) {
                0..=59 => 5,
                60..=84 => 4,
                85..=92 => 3,
                93..=96 => 2,
                _ => 1,
            };
            ev.push(OrderEvent {
                at: add_minutes(t, rng.range(30, 6 * 1440)),
                step: OrderStep::Rated { stars },
            });
        }
        return ev;
    }
}

impl County {
    /// Generates the county for `params`; errors name the invalid param.
    pub fn generate(params: &CountyParams) -> Result<County> {
        params.validate()?;
        let first = LocalDate::new(params.year, 1, 1)?;
        let next = LocalDate::new(params.year + 1, 1, 1)?;
        let cx = Ctx {
            p: params,
            day0: first.days(),
            days: next.days() - first.days(),
        };
        let s = gen_structure(params);
        let volunteers = gen_volunteers(params, &cx, &s);
        let (records, overlaps, fraud_records) = gen_records(params, &cx, &s, &volunteers);
        let posts = gen_posts(params, &cx, &volunteers, &records);
        let likes = gen_likes(params, &volunteers, &posts);
        let (candidates, votes, marks) = gen_selection(params, &cx, &volunteers, &posts);
        let mut s = s;
        let teams = std::mem::take(&mut s.teams);
        let orders = gen_orders(params, &cx, &s, &teams);
        Ok(County {
            params: params.clone(),
            units: s.units,
            locations: s.locations,
            teams,
            volunteers,
            records,
            overlaps,
            fraud_records,
            posts,
            likes,
            candidates,
            votes,
            marks,
            orders,
        })
    }

    /// The unit tree with its teams.
    pub fn tree(&self) -> Result<UnitTree> {
        UnitTree::new(self.units.clone(), self.teams.clone())
    }

    /// Lowercase hex SHA-256 of the canonical serialization: the compact
    /// JSON of the whole county (fields in declaration order, lists in id
    /// order, timestamps RFC 3339, floats exact micro-degrees).
    pub fn hash(&self) -> String {
        struct HashWriter(Sha256);
        impl std::io::Write for HashWriter {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.update(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut w = HashWriter(Sha256::new());
        serde_json::to_writer(&mut w, self).expect("county data is JSON-representable");
        let mut out = String::with_capacity(64);
        for b in w.0.finalize() {
            let _ = write!(out, "{b:02x}");
        }
        out
    }

    /// The profile of volunteer `id`.
    pub fn volunteer(&self, id: VolunteerId) -> Result<&VolunteerProfile> {
        id.checked_sub(1)
            .and_then(|i| self.volunteers.get(i as usize))
            .ok_or_else(|| Error::not_found("volunteer", format!("unknown volunteer {id}")))
    }

    /// Row counts and unit-tree shape.
    pub fn overview(&self) -> Overview {
        let level = |l: &str| self.units.iter().filter(|u| u.level == l).count() as u64;
        let count = |k: RecordKind| self.records.iter().filter(|r| r.kind == k).count() as u64;
        let mut active: Vec<VolunteerId> = self
            .records
            .iter()
            .filter(|r| r.kind == RecordKind::Service)
            .map(|r| r.volunteer)
            .collect();
        active.sort_unstable();
        active.dedup();
        Overview {
            year: self.params.year,
            seed: self.params.seed,
            centres: level("centre"),
            institutes: level("institute"),
            stations: level("station"),
            teams: self.teams.len() as u64,
            volunteers: self.volunteers.len() as u64,
            active_volunteers: active.len() as u64,
            service_records: count(RecordKind::Service),
            training_records: count(RecordKind::Training),
            posts: self.posts.len() as u64,
            likes: self.likes.len() as u64,
            votes: self.votes.len() as u64,
            judges: u64::from(self.params.judges),
            orders: self.orders.len() as u64,
        }
    }

    /// Service minutes of every volunteer in id order (index = id − 1),
    /// zeros included, from all generated records (training left out).
    pub fn service_minutes(&self) -> Vec<i64> {
        let mut out = vec![0i64; self.volunteers.len()];
        for r in &self.records {
            if r.kind == RecordKind::Service
                && let Some(m) = r
                    .volunteer
                    .checked_sub(1)
                    .and_then(|i| out.get_mut(i as usize))
            {
                *m += r.minutes();
            }
        }
        out
    }

    /// Records entered past `working_days` working days after their end
    /// under `calendar` (the 2020 办法 §11 deadline), ascending.
    pub fn late_records(&self, calendar: &Calendar, working_days: u32) -> Vec<RecordId> {
        self.records
            .iter()
            .filter(|r| r.recorded_at >= calendar.working_deadline(r.end, working_days))
            .map(|r| r.id)
            .collect()
    }

    /// Records in columns, for the batch kernels.
    pub fn record_columns(&self) -> RecordColumns {
        RecordColumns::from_records(&self.records)
    }

    /// Likes in columns, with each post's author alongside, for the batch
    /// kernels.
    pub fn like_columns(&self) -> LikeColumns {
        let author_of = |post: u64| {
            post.checked_sub(1)
                .and_then(|i| self.posts.get(i as usize))
                .map_or(0, |p| p.author)
        };
        LikeColumns {
            id: self.likes.iter().map(|l| l.id).collect(),
            liker: self.likes.iter().map(|l| l.liker).collect(),
            post: self.likes.iter().map(|l| l.post).collect(),
            author: self.likes.iter().map(|l| author_of(l.post)).collect(),
            at_us: self.likes.iter().map(|l| l.time.as_micros()).collect(),
        }
    }
}

/// Row counts and unit-tree shape of a county.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    /// The year generated.
    pub year: i32,
    /// The seed.
    pub seed: u64,
    /// Centres (1).
    pub centres: u64,
    /// Institutes.
    pub institutes: u64,
    /// Stations.
    pub stations: u64,
    /// Teams.
    pub teams: u64,
    /// Registered volunteers.
    pub volunteers: u64,
    /// Volunteers with at least one service record.
    pub active_volunteers: u64,
    /// Service records.
    pub service_records: u64,
    /// Training records.
    pub training_records: u64,
    /// Posts.
    pub posts: u64,
    /// Like events.
    pub likes: u64,
    /// Votes.
    pub votes: u64,
    /// Judges.
    pub judges: u64,
    /// Orders.
    pub orders: u64,
}

// ---------------------------------------------------------------------------
// Columnar forms
// ---------------------------------------------------------------------------

/// Service records as a struct of arrays (all columns the same length).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordColumns {
    /// Record ids.
    pub id: Vec<u64>,
    /// Volunteers.
    pub volunteer: Vec<u64>,
    /// Units.
    pub unit: Vec<u64>,
    /// Teams, 0 for none (team ids start at 1).
    pub team: Vec<u64>,
    /// Activities.
    pub activity: Vec<u64>,
    /// Start, µs since the epoch (UTC).
    pub start_us: Vec<i64>,
    /// End (exclusive), µs since the epoch (UTC).
    pub end_us: Vec<i64>,
    /// True for training, false for service.
    pub training: Vec<bool>,
    /// Recorder actor ids.
    pub recorded_by: Vec<u64>,
    /// When recorded, µs since the epoch (UTC).
    pub recorded_at_us: Vec<i64>,
}

impl RecordColumns {
    /// Columns of `records`, in the same order.
    pub fn from_records(records: &[ServiceRecord]) -> Self {
        RecordColumns {
            id: records.iter().map(|r| r.id).collect(),
            volunteer: records.iter().map(|r| r.volunteer).collect(),
            unit: records.iter().map(|r| r.unit).collect(),
            team: records.iter().map(|r| r.team.unwrap_or(0)).collect(),
            activity: records.iter().map(|r| r.activity).collect(),
            start_us: records.iter().map(|r| r.start.as_micros()).collect(),
            end_us: records.iter().map(|r| r.end.as_micros()).collect(),
            training: records
                .iter()
                .map(|r| r.kind == RecordKind::Training)
                .collect(),
            recorded_by: records.iter().map(|r| r.recorded_by).collect(),
            recorded_at_us: records.iter().map(|r| r.recorded_at.as_micros()).collect(),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }
}

/// Like events as a struct of arrays (all columns the same length).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LikeColumns {
    /// Event ids.
    pub id: Vec<u64>,
    /// Likers.
    pub liker: Vec<u64>,
    /// Posts.
    pub post: Vec<u64>,
    /// Each post's author (denormalised for the valid-like filter).
    pub author: Vec<u64>,
    /// When, µs since the epoch (UTC).
    pub at_us: Vec<i64>,
}

impl LikeColumns {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }
}

// ---------------------------------------------------------------------------
// Report figures (plain aggregations the demo formats)
// ---------------------------------------------------------------------------

/// Minutes per month of one institute (its stations included).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitMonths {
    /// The institute (or the centre, for records entered at the centre
    /// itself).
    pub unit: UnitId,
    /// Its name.
    pub name: String,
    /// Approved service minutes in January … December (by the local date of
    /// the start).
    pub minutes: [i64; 12],
}

impl UnitMonths {
    /// The year's total.
    pub fn total(&self) -> i64 {
        self.minutes.iter().sum()
    }
}

/// A record the ledger refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// The record.
    pub record: RecordId,
    /// Its volunteer.
    pub volunteer: VolunteerId,
    /// The error kind (`Conflict` for an overlap).
    pub kind: String,
    /// The ledger's message.
    pub message: String,
}

/// Counts of what the ledger flagged and did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerCounts {
    /// Records offered.
    pub offered: u64,
    /// Records accepted (submitted).
    pub accepted: u64,
    /// Records refused (see [`LedgerRun::rejections`]).
    pub rejected: u64,
    /// Accepted records flagged over the daily review threshold.
    pub daily_review: u64,
    /// Accepted records flagged over the per-record cap.
    pub over_cap: u64,
    /// Accepted records flagged late (approved with `late_ok`).
    pub late: u64,
    /// Accepted training records (kept apart from service).
    pub training: u64,
    /// Approved training minutes.
    pub training_minutes: i64,
    /// Records approved.
    pub approved: u64,
    /// Records revoked for fraud after the audit.
    pub revoked_fraud: u64,
    /// Service minutes revoked for fraud.
    pub revoked_fraud_minutes: i64,
    /// Approved service minutes counting at `as_of`.
    pub service_minutes: i64,
}

/// The county's records after a year in the hours ledger.
#[derive(Clone, Debug)]
pub struct LedgerRun {
    /// The ledger holding every accepted record and decision.
    pub ledger: HoursLedger,
    /// The instant all figures are taken at: 1 April of the next year, after
    /// the last late entry and the fraud audit.
    pub as_of: Timestamp,
    /// Records refused, in submission order.
    pub rejections: Vec<Rejection>,
    /// Counts.
    pub counts: LedgerCounts,
}

/// Records per [`HoursLedger::submit_batch`] call.
const BATCH: usize = 256;

impl County {
    /// Feeds the year's records through an [`HoursLedger`] as the platform
    /// would: in order of entry (`recorded_at`, then id) in batches of 256
    /// via `submit_batch`; a batch the ledger refuses (all-or-nothing) is
    /// retried one record at a time so only the bad records drop out (the
    /// overlapping second entries). Each accepted record is approved by its
    /// recorder a day after entry (`late_ok` exactly when flagged late);
    /// after the 31 January audit, the bad actors' records are revoked for
    /// fraud.
    pub fn run_ledger(&self, policy: Policy) -> Result<LedgerRun> {
        let mut ledger = HoursLedger::new(policy, self.tree()?);
        let mut order: Vec<&ServiceRecord> = self.records.iter().collect();
        order.sort_by_key(|r| (r.recorded_at, r.id));
        let mut counts = LedgerCounts {
            offered: order.len() as u64,
            ..LedgerCounts::default()
        };
        let mut rejections = Vec::new();
        let mut receipts = Vec::with_capacity(order.len());
        for chunk in order.chunks(BATCH) {
            let batch: Vec<ServiceRecord> = chunk.iter().map(|&r| r.clone()).collect();
            match ledger.submit_batch(batch) {
                Ok(rs) => receipts.extend(rs),
                Err(_) => {
                    for &r in chunk {
                        match ledger.submit(r.clone()) {
                            Ok(receipt) => receipts.push(receipt),
                            Err(e) => rejections.push(Rejection {
                                record: r.id,
                                volunteer: r.volunteer,
                                kind: e.kind().as_str().to_owned(),
                                message: e.to_string(),
                            }),
                        }
                    }
                }
            }
        }
        counts.accepted = receipts.len() as u64;
        counts.rejected = rejections.len() as u64;
        for receipt in &receipts {
            let late = receipt.flags.iter().any(|f| matches!(f, Flag::Late { .. }));
            for f in &receipt.flags {
                match f {
                    Flag::DailyReview { .. } => counts.daily_review += 1,
                    Flag::OverRecordCap { .. } => counts.over_cap += 1,
                    Flag::Late { .. } => counts.late += 1,
                }
            }
            let r = ledger.record(receipt.id)?.record.clone();
            let at = add_minutes(r.recorded_at, 1440);
            ledger.approve(r.id, r.recorded_by, at, late)?;
            counts.approved += 1;
            if r.kind == RecordKind::Training {
                counts.training += 1;
                counts.training_minutes += receipt.minutes;
            }
        }
        let next = LocalDate::new(self.params.year + 1, 1, 31)?;
        let audit = next.start(ledger.policy().offset());
        let as_of = LocalDate::new(self.params.year + 1, 4, 1)?.start(ledger.policy().offset());
        for &id in &self.fraud_records {
            let Ok(state) = ledger.record(id) else {
                continue;
            };
            let (approved_at, minutes) = (state.approved_at, state.minutes);
            let at = approved_at.map_or(audit, |a| a.max(audit));
            ledger.revoke(
                id,
                RevokeReason::Fraud,
                CENTRE + RECORDER_BASE,
                at,
                "audit: fabricated 13-15 h days",
            )?;
            counts.revoked_fraud += 1;
            counts.revoked_fraud_minutes += minutes;
        }
        counts.service_minutes = ledger
            .totals(Scope::All, Grain::Year, as_of)?
            .iter()
            .map(|t| t.service_minutes)
            .sum();
        Ok(LedgerRun {
            ledger,
            as_of,
            rejections,
            counts,
        })
    }
}

impl LedgerRun {
    /// Approved service minutes per institute and local month of `year`
    /// at `as_of`; the centre's row (first) holds records entered at the
    /// centre itself.
    pub fn institute_months(&self, year: i32) -> Vec<UnitMonths> {
        let tree = self.ledger.units();
        let totals = self
            .ledger
            .totals_by(GroupBy::Unit, Grain::Month, self.as_of);
        let mut rows: BTreeMap<UnitId, [i64; 12]> = BTreeMap::new();
        for t in totals {
            if let Period::Month { year: y, month } = t.period
                && y == year
                && tree.depth(t.key).is_ok_and(|d| d <= 1)
            {
                rows.entry(t.key).or_insert([0; 12])[(month - 1) as usize] += t.service_minutes;
            }
        }
        let roots: Vec<UnitId> = tree
            .units()
            .iter()
            .filter(|u| u.parent.is_none())
            .map(|u| u.id)
            .collect();
        let mut out = Vec::new();
        for root in roots {
            // Roll-ups include descendants: the centre's own share is its
            // total minus its institutes'.
            let mut own = rows.get(&root).copied().unwrap_or([0; 12]);
            let kids = tree.children(root).unwrap_or_default();
            for k in &kids {
                let r = rows.get(k).copied().unwrap_or([0; 12]);
                for m in 0..12 {
                    own[m] -= r[m];
                }
            }
            let name = |id| tree.unit(id).map(|u| u.name.clone()).unwrap_or_default();
            out.push(UnitMonths {
                unit: root,
                name: name(root),
                minutes: own,
            });
            for k in kids {
                out.push(UnitMonths {
                    unit: k,
                    name: name(k),
                    minutes: rows.get(&k).copied().unwrap_or([0; 12]),
                });
            }
        }
        out
    }

    /// How many of `volunteers` sit at each star level at `as_of` (index 0
    /// = no star); sums to the number of volunteers.
    pub fn star_distribution(&self, volunteers: &[VolunteerProfile]) -> Vec<u64> {
        let levels = self.ledger.policy().stars.thresholds_hours.len();
        let mut out = vec![0u64; levels + 1];
        for v in volunteers {
            out[usize::from(self.ledger.star_level(v.id, self.as_of)).min(levels)] += 1;
        }
        out
    }

    /// Approved service minutes of each of `volunteers` at `as_of`, in the
    /// same order.
    pub fn minutes_of(&self, volunteers: &[VolunteerProfile]) -> Vec<i64> {
        volunteers
            .iter()
            .map(|v| self.ledger.approved_minutes(v.id, self.as_of))
            .collect()
    }
}

/// Share of the total held by the top `top_bp` basis points of `values`
/// (largest first), in basis points; 0 for an empty or all-zero input.
pub fn top_share_bp(values: &[i64], top_bp: u32) -> u32 {
    let mut v: Vec<i64> = values.to_vec();
    v.sort_unstable_by(|a, b| b.cmp(a));
    let total: i128 = v.iter().map(|&x| i128::from(x)).sum();
    if total <= 0 {
        return 0;
    }
    let k = (v.len() as u128 * u128::from(top_bp)).div_ceil(10_000) as usize;
    let top: i128 = v[..k.min(v.len())].iter().map(|&x| i128::from(x)).sum();
    (top * 10_000 / total) as u32
}
