//! The weekly like leaderboard (点赞排行榜) of posts and of authors, and the
//! excellent-works exhibition, computed two ways that give identical output:
//!
//! - [`LikeBoard`]: incremental. A like / unlike updates it in O(log n)
//!   (plus moves inside one liker's small groups); the top k of a week
//!   comes out in O(k + log n).
//! - [`like_batch`] / [`weekly_boards`]: a batch function over columns
//!   (struct of arrays), multi-threaded with rayon, identical for any thread
//!   count. Its result is a [`LikePartial`]: exact per-post weights per
//!   week, which [`LikePartial::merge`] sums across partitions to the
//!   identical answer (partition likes by liker, or by the post's author
//!   when `liker_weekly_cap` is off; see `docs/rankings/likes.md`).
//!
//! A post competes on the board of the ISO week (local time at the policy
//! offset) in which it was posted, with the likes given inside that week.
//! Posts order by weight desc, earlier post time, smaller post id; authors
//! by weight desc, earlier first counted post, smaller author id. Displayed
//! ranks are competition ranks (1, 2, 2, 4) on equal weight.
//!
//! ```
//! use zhiyuan::Policy;
//! use zhiyuan::leaderboard::{LikeBoard, PostTable, LikeTable, RegistrationTable, weekly_boards};
//! use zhiyuan::posts::{LikeAction, LikeEvent};
//! use zhiyuan::threads::Threads;
//! let t = |s: &str| s.parse().unwrap();
//! let policy = Policy::default();
//! let mut board = LikeBoard::new(&policy);
//! for v in [1, 2, 3] { board.register(v, t("2024-01-01T00:00:00Z"))?; }
//! board.add_post(10, 1, t("2024-03-04T02:00:00Z"))?;
//! board.apply(&LikeEvent::new(1, 2, 10, t("2024-03-05T02:00:00Z"), LikeAction::Like))?;
//! board.apply(&LikeEvent::new(2, 3, 10, t("2024-03-05T03:00:00Z"), LikeAction::Like))?;
//! let week = board.board("2024-W10".parse()?, 10)?;
//! assert_eq!((week.posts[0].weight, week.posts[0].likes), (2000, 2));
//!
//! // The same data as columns gives the same board.
//! let posts = PostTable { id: vec![10], author: vec![1], time: vec![t("2024-03-04T02:00:00Z").as_micros()] };
//! let likes = LikeTable::from_events(&[
//!     LikeEvent::new(1, 2, 10, t("2024-03-05T02:00:00Z"), LikeAction::Like),
//!     LikeEvent::new(2, 3, 10, t("2024-03-05T03:00:00Z"), LikeAction::Like)]);
//! let regs = RegistrationTable { volunteer: vec![1, 2, 3], registered_at: vec![t("2024-01-01T00:00:00Z").as_micros(); 3] };
//! let boards = weekly_boards(posts.columns(), likes.columns(), regs.columns(), &policy, 10, Threads::Global)?;
//! assert_eq!(boards, vec![week]);
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::hours::VolunteerId;
use crate::policy::Policy;
use crate::posts::{
    FULL_WEIGHT, LikeAction, LikeEvent, LikeEventId, LikeReason, LikeVerdict, PostId,
};
use crate::threads::{Threads, run};
use crate::time::{Grain, LocalDate, MICROS_PER_DAY, MICROS_PER_MINUTE, Period, Timestamp};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeSet, HashMap};

// ---------------------------------------------------------------------------
// Rules shared by both paths
// ---------------------------------------------------------------------------

/// The filter's parameters resolved to microseconds and counts, so both the
/// incremental and the batch path read the policy the same way.
#[derive(Clone, Copy, Debug)]
struct Rules {
    offset_us: i64,
    grace_us: i64,
    author_cap: usize,
    liker_cap: Option<usize>,
    young_us: i64,
    full_us: i64,
}

impl Rules {
    fn new(policy: &Policy) -> Self {
        let l = &policy.likes;
        Rules {
            offset_us: i64::from(policy.offset().minutes()) * MICROS_PER_MINUTE,
            grace_us: i64::from(l.window_grace_minutes) * MICROS_PER_MINUTE,
            author_cap: l.author_cap as usize,
            liker_cap: l.liker_weekly_cap.map(|c| c as usize),
            young_us: i64::from(l.new_account_days) * MICROS_PER_DAY,
            full_us: i64::from(l.full_weight_days) * MICROS_PER_DAY,
        }
    }

    /// Week ordinal: weeks since the Monday 1969-12-29 (local time).
    fn week(&self, t: i64) -> i32 {
        // 1970-01-01 was a Thursday, three days after its week's Monday.
        ((t + self.offset_us).div_euclid(MICROS_PER_DAY) + 3).div_euclid(7) as i32
    }

    fn window_end(&self, week: i32) -> i64 {
        (i64::from(week) * 7 + 4) * MICROS_PER_DAY - self.offset_us + self.grace_us
    }

    fn in_window(&self, post_time: i64, week: i32, t: i64) -> bool {
        t >= post_time && t < self.window_end(week)
    }

    /// Weight of a like at `t` from an account registered at `reg`.
    fn weight(&self, reg: i64, t: i64) -> i64 {
        let age = t - reg;
        if age < self.young_us {
            0
        } else if age >= self.full_us {
            FULL_WEIGHT
        } else {
            // Linear ramp, floored to a thousandth; i128 keeps it exact.
            let num = i128::from(FULL_WEIGHT) * i128::from(age - self.young_us);
            (num / i128::from(self.full_us - self.young_us)) as i64
        }
    }
}

fn week_period(week: i32) -> Period {
    Period::of_date(Grain::Week, LocalDate::from_days(week * 7 - 3))
}

fn week_ordinal(p: Period) -> i32 {
    (p.first_day().days() + 3).div_euclid(7)
}

fn ts(us: i64) -> Timestamp {
    // Every stored time was validated on the way in.
    Timestamp::from_micros(us).expect("validated timestamp")
}

// ---------------------------------------------------------------------------
// Output types
// ---------------------------------------------------------------------------

/// One post on a board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostEntry {
    /// Competition rank (1, 2, 2, 4) on equal weight.
    pub rank: u32,
    /// The post.
    pub post: PostId,
    /// Its author.
    pub author: VolunteerId,
    /// When it was posted.
    pub time: Timestamp,
    /// Sum of counted like weights, in thousandths.
    pub weight: i64,
    /// Number of counted likes (weight > 0).
    pub likes: u64,
}

/// One author on a board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorEntry {
    /// Competition rank (1, 2, 2, 4) on equal weight.
    pub rank: u32,
    /// The author.
    pub author: VolunteerId,
    /// Sum of counted like weights over the author's posts of the week.
    pub weight: i64,
    /// Number of counted likes.
    pub likes: u64,
    /// Posts of the week with at least one counted like.
    pub posts: u64,
    /// Time of the earliest of those posts (the tie-breaker after weight).
    pub first_post_time: Timestamp,
}

/// The weekly board of one ISO week: top k posts and top k authors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyBoard {
    /// The ISO week, e.g. `2024-W10`.
    pub week: Period,
    /// Hash of the policy used.
    pub policy_hash: String,
    /// Posts with weight > 0, best first.
    pub posts: Vec<PostEntry>,
    /// Authors with weight > 0, best first.
    pub authors: Vec<AuthorEntry>,
}

/// The excellent-works exhibition of a month: top posts, one per author.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exhibition {
    /// The month, e.g. `2024-03`.
    pub month: Period,
    /// Hash of the policy used.
    pub policy_hash: String,
    /// Chosen works, best first; ranks are competition ranks among them.
    pub works: Vec<PostEntry>,
}

/// Exact counted weight of one post: the unit a [`LikePartial`] sums.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostTotal {
    /// The post's ISO week.
    pub week: Period,
    /// Its author.
    pub author: VolunteerId,
    /// The post.
    pub post: PostId,
    /// When it was posted.
    pub time: Timestamp,
    /// Counted weight, thousandths.
    pub weight: i64,
    /// Counted likes.
    pub likes: u64,
}

/// A mergeable partial result: exact per-post weights of every post with a
/// counted like, sorted by (week, author, post). Partials of disjoint like
/// partitions [`merge`](LikePartial::merge) by summation into exactly the
/// whole's partial, provided each (liker, author, week) group (and, with
/// `liker_weekly_cap`, each (liker, week) group) lies in one partition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LikePartial {
    /// Hash of the policy used; only equal hashes merge.
    pub policy_hash: String,
    /// The policy's UTC offset in minutes (months are cut with it).
    pub utc_offset_minutes: i32,
    /// Per-post totals, sorted by (week, author, post), weight > 0.
    pub totals: Vec<PostTotal>,
}

/// `totals` sorted by (week, author, post), borrowed when it already is.
fn sorted_totals(totals: &[PostTotal]) -> std::borrow::Cow<'_, [PostTotal]> {
    let key = |p: &PostTotal| (p.week, p.author, p.post);
    if totals.is_sorted_by_key(key) {
        std::borrow::Cow::Borrowed(totals)
    } else {
        let mut v = totals.to_vec();
        v.sort_by_key(key);
        std::borrow::Cow::Owned(v)
    }
}

fn post_order(a: &PostTotal, b: &PostTotal) -> Ordering {
    b.weight
        .cmp(&a.weight)
        .then(a.time.cmp(&b.time))
        .then(a.post.cmp(&b.post))
}

fn author_order(a: &AuthorEntry, b: &AuthorEntry) -> Ordering {
    b.weight
        .cmp(&a.weight)
        .then(a.first_post_time.cmp(&b.first_post_time))
        .then(a.author.cmp(&b.author))
}

/// Keeps the first `k` of `v` under the total order `cmp`, sorted.
fn top_k<T>(v: &mut Vec<T>, k: usize, cmp: impl Fn(&T, &T) -> Ordering) {
    if k == 0 {
        v.clear();
        return;
    }
    if v.len() > k {
        v.select_nth_unstable_by(k - 1, &cmp);
        v.truncate(k);
    }
    v.sort_unstable_by(&cmp);
}

/// Competition ranks over entries already in board order: equal weight,
/// equal rank; the next distinct weight gets its 1-based position.
fn competition_ranks(weights: impl Iterator<Item = i64>) -> Vec<u32> {
    let mut out = Vec::new();
    let mut prev: Option<(i64, u32)> = None;
    for (i, w) in weights.enumerate() {
        let rank = match prev {
            Some((pw, pr)) if pw == w => pr,
            _ => i as u32 + 1,
        };
        prev = Some((w, rank));
        out.push(rank);
    }
    out
}

fn post_entries(sorted: &[&PostTotal]) -> Vec<PostEntry> {
    let ranks = competition_ranks(sorted.iter().map(|p| p.weight));
    sorted
        .iter()
        .zip(ranks)
        .map(|(p, rank)| PostEntry {
            rank,
            post: p.post,
            author: p.author,
            time: p.time,
            weight: p.weight,
            likes: p.likes,
        })
        .collect()
}

fn rank_authors(mut authors: Vec<AuthorEntry>, k: usize) -> Vec<AuthorEntry> {
    top_k(&mut authors, k, author_order);
    let ranks = competition_ranks(authors.iter().map(|a| a.weight));
    for (a, r) in authors.iter_mut().zip(ranks) {
        a.rank = r;
    }
    authors
}

/// Boards of every week from totals sorted by (week, author, post).
fn boards_from_totals(totals: &[PostTotal], k: usize, hash: &str) -> Vec<WeeklyBoard> {
    let mut weeks = Vec::new();
    let mut start = 0;
    for i in 1..=totals.len() {
        if i == totals.len() || totals[i].week != totals[start].week {
            weeks.push(start..i);
            start = i;
        }
    }
    weeks
        .into_par_iter()
        .map(|range| {
            let slice = &totals[range];
            let mut posts: Vec<&PostTotal> = slice.iter().collect();
            top_k(&mut posts, k, |a, b| post_order(a, b));
            let mut authors: Vec<AuthorEntry> = Vec::new();
            for p in slice {
                match authors.last_mut() {
                    Some(a) if a.author == p.author => {
                        // Saturating: only a hand-made partial could overflow.
                        a.weight = a.weight.saturating_add(p.weight);
                        a.likes = a.likes.saturating_add(p.likes);
                        a.posts += 1;
                        a.first_post_time = a.first_post_time.min(p.time);
                    }
                    _ => authors.push(AuthorEntry {
                        rank: 0,
                        author: p.author,
                        weight: p.weight,
                        likes: p.likes,
                        posts: 1,
                        first_post_time: p.time,
                    }),
                }
            }
            WeeklyBoard {
                week: slice[0].week,
                policy_hash: hash.to_owned(),
                posts: post_entries(&posts),
                authors: rank_authors(authors, k),
            }
        })
        .collect()
}

impl LikePartial {
    /// An empty partial for `policy`.
    pub fn empty(policy: &Policy) -> Self {
        LikePartial {
            policy_hash: policy.hash().to_owned(),
            utc_offset_minutes: policy.offset().minutes(),
            totals: Vec::new(),
        }
    }

    /// Adds `other` into `self`: weights and like counts of the same post
    /// sum. Errors (leaving `self` untouched) when the policies differ or
    /// the partials disagree about a post's author, time or week.
    pub fn merge(&mut self, other: &LikePartial) -> Result<()> {
        if other.policy_hash != self.policy_hash
            || other.utc_offset_minutes != self.utc_offset_minutes
        {
            return Err(Error::conflict(
                "policy_hash",
                format!(
                    "cannot merge partials of policies {} and {}",
                    self.policy_hash, other.policy_hash
                ),
            ));
        }
        let key = |p: &PostTotal| (p.week, p.author, p.post);
        // Partials built here are sorted; ones read from JSON may not be.
        let (a, b) = (sorted_totals(&self.totals), sorted_totals(&other.totals));
        let (a, b) = (a.as_ref(), b.as_ref());
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            let ord = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) => key(x).cmp(&key(y)),
                (Some(_), None) => Ordering::Less,
                _ => Ordering::Greater,
            };
            match ord {
                Ordering::Less => {
                    out.push(a[i].clone());
                    i += 1;
                }
                Ordering::Greater => {
                    out.push(b[j].clone());
                    j += 1;
                }
                Ordering::Equal => {
                    let (x, y) = (&a[i], &b[j]);
                    if x.time != y.time {
                        return Err(Error::conflict(
                            format!("totals.post {}", x.post),
                            format!(
                                "posted at {} in one partial, {} in the other",
                                x.time, y.time
                            ),
                        ));
                    }
                    let mut s = x.clone();
                    match (s.weight.checked_add(y.weight), s.likes.checked_add(y.likes)) {
                        (Some(w), Some(l)) => (s.weight, s.likes) = (w, l),
                        _ => {
                            return Err(Error::invalid_input(
                                format!("totals.post {}", x.post),
                                "weight or like count overflows",
                            ));
                        }
                    }
                    out.push(s);
                    i += 1;
                    j += 1;
                }
            }
        }
        // A post seen under two authors or weeks would sit at two keys.
        let mut seen: HashMap<PostId, usize> = HashMap::with_capacity(out.len());
        for (n, p) in out.iter().enumerate() {
            if let Some(prev) = seen.insert(p.post, n) {
                return Err(Error::conflict(
                    format!("totals.post {}", p.post),
                    format!(
                        "author/week {}/{} in one partial, {}/{} in the other",
                        out[prev].author, out[prev].week, p.author, p.week
                    ),
                ));
            }
        }
        self.totals = out;
        Ok(())
    }

    /// The board of every week with a counted like, top `k` posts and
    /// authors each, weeks in order.
    pub fn boards(&self, k: usize) -> Vec<WeeklyBoard> {
        boards_from_totals(&sorted_totals(&self.totals), k, &self.policy_hash)
    }

    /// The excellent-works exhibition of `month`: posts published in that
    /// local month, by weight desc, earlier post time, smaller id, keeping
    /// only each author's best, first `n`.
    pub fn exhibition(&self, month: Period, n: usize) -> Result<Exhibition> {
        if month.grain() != Grain::Month {
            return Err(Error::invalid_input(
                "month",
                format!("{month} is not a month like 2024-03"),
            ));
        }
        let offset = crate::time::UtcOffset::from_minutes(self.utc_offset_minutes)?;
        let mut cands: Vec<&PostTotal> = self
            .totals
            .iter()
            .filter(|p| Period::of(Grain::Month, p.time, offset) == month)
            .collect();
        cands.sort_unstable_by(|a, b| post_order(a, b));
        let mut seen = BTreeSet::new();
        let chosen: Vec<&PostTotal> = cands
            .into_iter()
            .filter(|p| seen.insert(p.author))
            .take(n)
            .collect();
        Ok(Exhibition {
            month,
            policy_hash: self.policy_hash.clone(),
            works: post_entries(&chosen),
        })
    }
}

// ---------------------------------------------------------------------------
// Incremental board
// ---------------------------------------------------------------------------

/// A like that passed window, self, dedup and new-account: (time, event,
/// post, weight). Ordered by (time, event id), which is unique.
type Cand = (i64, LikeEventId, PostId, i64);

/// [`Cand`] on the incremental board, with the post's dense index.
type Counted = (i64, LikeEventId, u32, i64);

/// Result of changing a capped group: the like that entered the counted
/// prefix and the one that left it.
#[derive(Default)]
struct Delta {
    entered: Option<Counted>,
    left: Option<Counted>,
}

/// A group whose first `cap` members (by time, event id) count, sorted:
/// O(log m) search; inserts and removals move at most m small elements,
/// and in-order arrival appends at the end. Most groups only ever hold one
/// like: that case is inline, without an allocation.
#[derive(Clone, Debug)]
enum Capped {
    One(Counted),
    Many(Vec<Counted>),
}

impl Capped {
    fn items(&self) -> &[Counted] {
        match self {
            Capped::One(c) => std::slice::from_ref(c),
            Capped::Many(v) => v,
        }
    }

    fn insert(&mut self, c: Counted, cap: usize) -> Delta {
        let pos = self.items().partition_point(|x| *x < c);
        match self {
            Capped::Many(v) if v.is_empty() => *self = Capped::One(c),
            Capped::Many(v) => v.insert(pos, c),
            Capped::One(x) => {
                let mut v = vec![*x];
                v.insert(pos, c);
                *self = Capped::Many(v);
            }
        }
        let mut d = Delta::default();
        if pos < cap {
            d.entered = Some(c);
            d.left = self.items().get(cap).copied();
        }
        d
    }

    fn remove(&mut self, c: Counted, cap: usize) -> Delta {
        let pos = self.items().partition_point(|x| *x < c);
        let mut d = Delta::default();
        if self.items().get(pos) != Some(&c) {
            return d;
        }
        match self {
            Capped::One(_) => *self = Capped::Many(Vec::new()),
            Capped::Many(v) => {
                v.remove(pos);
            }
        }
        if pos < cap {
            d.left = Some(c);
            d.entered = cap
                .checked_sub(1)
                .and_then(|i| self.items().get(i))
                .copied();
        }
        d
    }
}

/// The in-window, non-self events of one (liker, post) beyond a single
/// like, by (time, id). A pair with one like only is held in the pair
/// table itself (see [`LikeBoard::pairs`]).
#[derive(Clone, Debug, Default)]
struct ManyPair {
    likes: Vec<(i64, LikeEventId)>,
    unlikes: Vec<(i64, LikeEventId)>,
}

impl ManyPair {
    fn insert(&mut self, action: LikeAction, key: (i64, LikeEventId)) {
        let v = match action {
            LikeAction::Like => &mut self.likes,
            LikeAction::Unlike => &mut self.unlikes,
        };
        let pos = v.partition_point(|x| *x < key);
        v.insert(pos, key);
    }

    /// The counted like: the first like after the last unlike. Replaying
    /// the events in order, an unlike always leaves the pair unliked, and
    /// the next like starts the like that stands.
    fn active(&self) -> Option<(i64, LikeEventId)> {
        let from = match self.unlikes.last() {
            None => 0,
            Some(u) => self.likes.partition_point(|l| l < u),
        };
        self.likes.get(from).copied()
    }
}

/// A pair-table value at or above this is an index into
/// [`LikeBoard::many`] (plus `MANY`); below it, the dense index of the
/// pair's only event, a like.
const MANY: u32 = 1 << 31;

/// The most events, volunteers or posts one board holds: dense indices
/// are `u32`, and pair values keep the top bit for [`MANY`].
const MAX_DENSE: usize = MANY as usize - 1;

/// Marks an empty slot of an [`IdTable`]; the key `u64::MAX` itself is
/// held beside the slots.
const EMPTY: u64 = u64::MAX;

/// An open-addressing table from `u64` keys to small values, linear
/// probing, at most half full. A look-up usually reads one cache line,
/// where a std `HashMap` reads a control byte and then the slot: the
/// incremental board is bound by cache misses, not instructions. Keys
/// are placed in blocks of four by their low two bits and the block by a
/// Fibonacci hash of the rest, so ids issued in sequence (event ids from
/// a counter, posts and volunteers numbered in order) share cache lines,
/// while any other pattern still spreads over the table. No table's
/// iteration order reaches an output: the board never iterates them.
#[derive(Clone, Debug)]
struct IdTable<V> {
    slots: Vec<(u64, V)>,
    /// 64 − log2(number of blocks).
    shift: u32,
    len: usize,
    max_key: Option<V>,
}

/// Where a key is, or the empty slot where it would go.
enum Probe {
    Found(usize),
    Vacant(usize),
}

impl<V: Copy + Default> IdTable<V> {
    fn new() -> Self {
        IdTable {
            slots: Vec::new(),
            shift: 64,
            len: 0,
            max_key: None,
        }
    }

    fn home(&self, key: u64) -> usize {
        let block = (key >> 2).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift;
        ((block << 2) | (key & 3)) as usize
    }

    /// Probes for `key` (not [`EMPTY`]) in a table with slots.
    fn probe(&self, key: u64) -> Probe {
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        loop {
            // i stays below the power-of-two slot count by the mask.
            let k = self.slots[i].0;
            if k == key {
                return Probe::Found(i);
            }
            if k == EMPTY {
                return Probe::Vacant(i);
            }
            i = (i + 1) & mask;
        }
    }

    fn get(&self, key: u64) -> Option<V> {
        if key == EMPTY {
            return self.max_key;
        }
        if self.slots.is_empty() {
            return None;
        }
        match self.probe(key) {
            Probe::Found(i) => Some(self.slots[i].1),
            Probe::Vacant(_) => None,
        }
    }

    /// Inserts or overwrites.
    fn set(&mut self, key: u64, v: V) {
        if key == EMPTY {
            self.max_key = Some(v);
            return;
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        match self.probe(key) {
            Probe::Found(i) => self.slots[i].1 = v,
            Probe::Vacant(i) => {
                self.slots[i] = (key, v);
                self.len += 1;
            }
        }
    }

    fn grow(&mut self) {
        let n = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![(EMPTY, V::default()); n]);
        self.shift = 64 - (n / 4).trailing_zeros();
        for (k, v) in old {
            if k != EMPTY
                && let Probe::Vacant(i) = self.probe(k)
            {
                self.slots[i] = (k, v);
            }
        }
    }
}

/// A post of the board; `index` = its position in [`LikeBoard::posts`].
#[derive(Clone, Debug)]
struct PostMeta {
    id: PostId,
    author: VolunteerId,
    time: i64,
    week: i32,
    /// The (author, week) it counts for: index into [`LikeBoard::authors`].
    aw: u32,
    weight: i64,
    likes: i64,
    /// Position in its [`Ranked`] bucket while weight > 0.
    slot: u32,
    /// The next post of the same (author, week), or `u32::MAX`.
    next: u32,
}

/// One author's totals of one week.
#[derive(Clone, Debug)]
struct AuthorWeek {
    author: VolunteerId,
    weight: i64,
    likes: i64,
    /// How many of the author's posts that week have weight > 0.
    counted: u32,
    /// The earliest time of those posts (`i64::MAX` when none).
    first: i64,
    /// Position in its [`Ranked`] bucket while weight > 0.
    slot: u32,
    /// The author's latest-added post of the week (a list through
    /// [`PostMeta::next`]), or `u32::MAX`.
    posts: u32,
}

/// A [`Ranked`] member with its tie order inline: (post time, post id) or
/// (first counted post time, author id), then the member's dense index.
type Tied = (i64, u64, u32);

/// The entries of one kind (posts, or author-weeks) with weight > 0, in
/// buckets of equal (week, weight), plus the ordered set of non-empty
/// buckets. A weight change moves one entry between two buckets: a swap
/// removal and a push, O(1) with a hot, small level set, where a B-tree
/// ordered by the full key touched a cold path of nodes per change. Ties
/// inside a bucket are ordered when a board is read, from the tie keys
/// held in the bucket (a sequential scan, no look-ups).
#[derive(Clone, Debug, Default)]
struct Ranked {
    levels: BTreeSet<(i32, Reverse<i64>)>,
    buckets: FxMap<(i32, i64), Vec<Tied>>,
}

impl Ranked {
    /// Adds `member` at (week, weight); returns its position.
    fn push(&mut self, week: i32, weight: i64, member: Tied) -> u32 {
        let b = self.buckets.entry((week, weight)).or_default();
        if b.is_empty() {
            self.levels.insert((week, Reverse(weight)));
        }
        b.push(member);
        (b.len() - 1) as u32
    }

    /// Removes the member at `pos` of (week, weight); returns the member
    /// moved into `pos`, whose position the caller updates.
    fn remove(&mut self, week: i32, weight: i64, pos: u32) -> Option<u32> {
        let b = self
            .buckets
            .get_mut(&(week, weight))
            .expect("a ranked entry's bucket exists");
        b.swap_remove(pos as usize);
        let moved = b.get(pos as usize).map(|m| m.2);
        if b.is_empty() {
            self.buckets.remove(&(week, weight));
            self.levels.remove(&(week, Reverse(weight)));
        }
        moved
    }

    /// The first `k` members of `week` by weight desc, then tie order
    /// asc (a total order): whole buckets down to the one the cut falls
    /// in, which is partially selected.
    fn top(&self, week: i32, k: usize) -> Vec<u32> {
        let mut out = Vec::new();
        let levels = self
            .levels
            .range((week, Reverse(i64::MAX))..=(week, Reverse(i64::MIN)));
        for &(_, Reverse(w)) in levels {
            let need = k - out.len();
            if need == 0 {
                break;
            }
            let mut members = self.buckets.get(&(week, w)).cloned().unwrap_or_default();
            if members.len() > need {
                members.select_nth_unstable(need - 1);
                members.truncate(need);
            }
            members.sort_unstable();
            out.extend(members.iter().map(|m| m.2));
        }
        out
    }

    /// Weeks with at least one member, in order.
    fn weeks(&self) -> Vec<i32> {
        let mut out = Vec::new();
        let mut next = self.levels.first();
        while let Some(&(w, _)) = next {
            out.push(w);
            next = w
                .checked_add(1)
                .and_then(|n| self.levels.range((n, Reverse(i64::MAX))..).next());
        }
        out
    }
}

/// FxHash (as in rustc): the board's maps are keyed by small integer ids
/// that the caller already validated, so a multiply-rotate hash replaces
/// SipHash, which cost a third of `apply`. No map's iteration order
/// reaches an output.
#[derive(Clone, Copy, Default)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(w));
        }
    }
    fn write_u8(&mut self, x: u8) {
        self.write_u64(u64::from(x));
    }
    fn write_u32(&mut self, x: u32) {
        self.write_u64(u64::from(x));
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
    fn finish(&self) -> u64 {
        // The multiply leaves the high bits best mixed; the table indexes
        // with the low ones.
        self.0.rotate_left(26)
    }
}

type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// A stored like event, liker and post as dense indices.
#[derive(Clone, Debug)]
struct Stored {
    id: LikeEventId,
    time: i64,
    liker: u32,
    post: u32,
    action: LikeAction,
}

/// The incremental weekly like board. Register volunteers and add posts
/// before the likes that refer to them; then [`apply`](LikeBoard::apply)
/// events in any order: the boards depend only on the set of events.
///
/// Internally every volunteer, post, (author, week) and event gets a dense
/// index on arrival; per-pair and per-group state sits in open-addressing
/// tables keyed by one packed `u64`, so a like costs a handful of cache
/// lines (see `docs/rankings/likes.md` §5).
#[derive(Clone, Debug)]
pub struct LikeBoard {
    rules: Rules,
    policy: Policy,
    /// Volunteer id → (registered at, dense index).
    volunteer_ix: IdTable<(i64, u32)>,
    /// Dense index → (volunteer id, registered at).
    volunteers: Vec<(VolunteerId, i64)>,
    post_ix: IdTable<u32>,
    posts: Vec<PostMeta>,
    author_ix: FxMap<(VolunteerId, i32), u32>,
    authors: Vec<AuthorWeek>,
    event_ix: IdTable<u32>,
    /// Append-only, in arrival order.
    events: Vec<Stored>,
    /// (liker << 32 | post) → the only like's event index, or `MANY` + an
    /// index into `many`.
    pairs: IdTable<u32>,
    many: Vec<ManyPair>,
    /// (liker << 32 | author-week) → index into `groups`.
    author_groups: IdTable<u32>,
    /// (liker << 32 | week) → index into `groups`.
    liker_groups: IdTable<u32>,
    groups: Vec<Capped>,
    ranked_posts: Ranked,
    ranked_authors: Ranked,
}

fn packed(hi: u32, lo: u32) -> u64 {
    (u64::from(hi) << 32) | u64::from(lo)
}

/// A dense index for the next of `len` entries, or an error once the
/// board is full.
fn next_dense(len: usize, what: &str) -> Result<u32> {
    if len >= MAX_DENSE {
        return Err(Error::invalid_state(
            what,
            format!("a like board holds at most {MAX_DENSE}"),
        ));
    }
    Ok(len as u32)
}

impl LikeBoard {
    /// An empty board under `policy`.
    pub fn new(policy: &Policy) -> Self {
        LikeBoard {
            rules: Rules::new(policy),
            policy: policy.clone(),
            volunteer_ix: IdTable::new(),
            volunteers: Vec::new(),
            post_ix: IdTable::new(),
            posts: Vec::new(),
            author_ix: FxMap::default(),
            authors: Vec::new(),
            event_ix: IdTable::new(),
            events: Vec::new(),
            pairs: IdTable::new(),
            many: Vec::new(),
            author_groups: IdTable::new(),
            liker_groups: IdTable::new(),
            groups: Vec::new(),
            ranked_posts: Ranked::default(),
            ranked_authors: Ranked::default(),
        }
    }

    /// Records when `volunteer` registered. The same time again is a no-op;
    /// another time is a conflict (weights already given depend on it).
    pub fn register(&mut self, volunteer: VolunteerId, registered_at: Timestamp) -> Result<()> {
        let at = registered_at.as_micros();
        match self.volunteer_ix.get(volunteer) {
            Some((old, _)) if old == at => Ok(()),
            Some((old, _)) => Err(Error::conflict(
                format!("volunteer {volunteer}.registered_at"),
                format!("already registered at {}", ts(old)),
            )),
            None => {
                let d = next_dense(self.volunteers.len(), "volunteers")?;
                self.volunteers.push((volunteer, at));
                self.volunteer_ix.set(volunteer, (at, d));
                Ok(())
            }
        }
    }

    /// Adds a post. The same post again is a no-op; the same id with
    /// another author or time is a conflict.
    pub fn add_post(&mut self, post: PostId, author: VolunteerId, time: Timestamp) -> Result<()> {
        let t = time.as_micros();
        if let Some(p) = self.post_ix.get(post) {
            let m = &self.posts[p as usize];
            return if m.author == author && m.time == t {
                Ok(())
            } else {
                Err(Error::conflict(
                    format!("post {post}"),
                    "id reused with a different author or time",
                ))
            };
        }
        let p = next_dense(self.posts.len(), "posts")?;
        let week = self.rules.week(t);
        let aw = match self.author_ix.get(&(author, week)) {
            Some(&aw) => aw,
            None => {
                // At most one author-week per post, so this fits too.
                let aw = self.authors.len() as u32;
                self.authors.push(AuthorWeek {
                    author,
                    weight: 0,
                    likes: 0,
                    counted: 0,
                    first: i64::MAX,
                    slot: 0,
                    posts: u32::MAX,
                });
                self.author_ix.insert((author, week), aw);
                aw
            }
        };
        let a = &mut self.authors[aw as usize];
        self.posts.push(PostMeta {
            id: post,
            author,
            time: t,
            week,
            aw,
            weight: 0,
            likes: 0,
            slot: 0,
            next: a.posts,
        });
        a.posts = p;
        self.post_ix.set(post, p);
        Ok(())
    }

    /// The event as it was applied.
    fn event(&self, e: &Stored) -> LikeEvent {
        LikeEvent {
            id: e.id,
            liker: self.volunteers[e.liker as usize].0,
            post: self.posts[e.post as usize].id,
            time: ts(e.time),
            action: e.action,
        }
    }

    /// Applies a like or unlike. A replay of a known event id is a no-op;
    /// the same id with other content is a conflict; an unknown post or an
    /// unregistered liker is not found. On error nothing changes.
    pub fn apply(&mut self, ev: &LikeEvent) -> Result<()> {
        if let Some(prev) = self.event_ix.get(ev.id) {
            return if self.event(&self.events[prev as usize]) == *ev {
                Ok(())
            } else {
                Err(Error::conflict(
                    format!("like {}", ev.id),
                    "event id reused with different content",
                ))
            };
        }
        let p = self.post_ix.get(ev.post).ok_or_else(|| {
            Error::not_found(
                format!("like {}.post", ev.id),
                format!("unknown post {}", ev.post),
            )
        })?;
        let (reg, l) = self.volunteer_ix.get(ev.liker).ok_or_else(|| {
            Error::not_found(
                format!("like {}.liker", ev.id),
                format!("unknown volunteer {}", ev.liker),
            )
        })?;
        let e = next_dense(self.events.len(), "likes")?;
        let t = ev.time.as_micros();
        self.events.push(Stored {
            id: ev.id,
            time: t,
            liker: l,
            post: p,
            action: ev.action,
        });
        self.event_ix.set(ev.id, e);
        let meta = &self.posts[p as usize];
        let (author, post_time, week, aw) = (meta.author, meta.time, meta.week, meta.aw);
        if !self.rules.in_window(post_time, week, t) || ev.liker == author {
            return Ok(());
        }
        let key = packed(l, p);
        let state = self.pairs.get(key);
        let before = state.and_then(|s| self.active(s));
        let next = match (state, ev.action) {
            (None, LikeAction::Like) => e,
            (Some(s), _) if s >= MANY => {
                self.many[(s - MANY) as usize].insert(ev.action, (t, ev.id));
                s
            }
            (state, action) => {
                let mut m = ManyPair::default();
                if let Some(only) = state {
                    let o = &self.events[only as usize];
                    m.likes.push((o.time, o.id));
                }
                m.insert(action, (t, ev.id));
                // Fewer pairs than events, so the index fits below MANY.
                let s = MANY + self.many.len() as u32;
                self.many.push(m);
                s
            }
        };
        if state != Some(next) {
            self.pairs.set(key, next);
        }
        let after = self.active(next);
        if before != after {
            if let Some((bt, bid)) = before {
                self.retract(l, aw, week, reg, (bt, bid, p, 0));
            }
            if let Some((at, aid)) = after {
                self.admit(l, aw, week, reg, (at, aid, p, 0));
            }
        }
        Ok(())
    }

    /// The standing like of a pair-table value.
    fn active(&self, state: u32) -> Option<(i64, LikeEventId)> {
        if state >= MANY {
            self.many[(state - MANY) as usize].active()
        } else {
            let e = &self.events[state as usize];
            Some((e.time, e.id))
        }
    }

    /// The group of `key` in `table`, created empty if new.
    fn group(table: &mut IdTable<u32>, groups: &mut Vec<Capped>, key: u64) -> usize {
        if let Some(g) = table.get(key) {
            return g as usize;
        }
        // Fewer groups than events, so the index fits.
        let g = groups.len();
        groups.push(Capped::Many(Vec::new()));
        table.set(key, g as u32);
        g
    }

    fn admit(&mut self, liker: u32, aw: u32, week: i32, reg: i64, mut c: Counted) {
        c.3 = self.rules.weight(reg, c.0);
        if c.3 == 0 {
            return;
        }
        let g = Self::group(&mut self.author_groups, &mut self.groups, packed(liker, aw));
        let d = self.groups[g].insert(c, self.rules.author_cap);
        self.through_liker_cap(liker, week, d);
    }

    fn retract(&mut self, liker: u32, aw: u32, week: i32, reg: i64, mut c: Counted) {
        c.3 = self.rules.weight(reg, c.0);
        if c.3 == 0 {
            return;
        }
        let Some(g) = self.author_groups.get(packed(liker, aw)) else {
            return;
        };
        let d = self.groups[g as usize].remove(c, self.rules.author_cap);
        self.through_liker_cap(liker, week, d);
    }

    /// Passes a change of the author-capped set through the liker cap (if
    /// any) and books what starts or stops counting.
    fn through_liker_cap(&mut self, liker: u32, week: i32, d: Delta) {
        let Some(cap) = self.rules.liker_cap else {
            self.book(d);
            return;
        };
        let g = Self::group(
            &mut self.liker_groups,
            &mut self.groups,
            packed(liker, week as u32),
        );
        let group = &mut self.groups[g];
        let left = d.left.map(|l| group.remove(l, cap));
        let entered = d.entered.map(|e| group.insert(e, cap));
        for d2 in [left, entered].into_iter().flatten() {
            self.book(d2);
        }
    }

    fn book(&mut self, d: Delta) {
        if let Some(l) = d.left {
            self.count(l, -1);
        }
        if let Some(e) = d.entered {
            self.count(e, 1);
        }
    }

    /// Adds (`sign` = 1) or removes (−1) a counted like.
    fn count(&mut self, c: Counted, sign: i64) {
        let p = c.2;
        let delta = sign * c.3;
        let m = &mut self.posts[p as usize];
        let old = m.weight;
        m.weight += delta;
        m.likes += sign;
        let (new, time, week, aw, slot) = (m.weight, m.time, m.week, m.aw, m.slot);
        if old > 0
            && let Some(moved) = self.ranked_posts.remove(week, old, slot)
        {
            self.posts[moved as usize].slot = slot;
        }
        if new > 0 {
            let id = self.posts[p as usize].id;
            self.posts[p as usize].slot = self.ranked_posts.push(week, new, (time, id, p));
        }

        let a = &mut self.authors[aw as usize];
        let a_old = a.weight;
        a.weight += delta;
        a.likes += sign;
        let (a_new, a_slot) = (a.weight, a.slot);
        if old == 0 && new > 0 {
            a.counted += 1;
            a.first = a.first.min(time);
        } else if old > 0 && new == 0 {
            a.counted -= 1;
            if a.first == time {
                let first = self.first_counted(aw);
                self.authors[aw as usize].first = first;
            }
        }
        if a_old > 0
            && let Some(moved) = self.ranked_authors.remove(week, a_old, a_slot)
        {
            self.authors[moved as usize].slot = a_slot;
        }
        if a_new > 0 {
            let a = &self.authors[aw as usize];
            let tied = (a.first, a.author, aw);
            self.authors[aw as usize].slot = self.ranked_authors.push(week, a_new, tied);
        }
    }

    /// The earliest time of an author-week's posts with weight > 0.
    fn first_counted(&self, aw: u32) -> i64 {
        let mut first = i64::MAX;
        let mut p = self.authors[aw as usize].posts;
        while let Some(m) = self.posts.get(p as usize) {
            if m.weight > 0 {
                first = first.min(m.time);
            }
            p = m.next;
        }
        first
    }

    /// The weeks that have at least one counted like, in order.
    pub fn weeks(&self) -> Vec<Period> {
        self.ranked_posts
            .weeks()
            .into_iter()
            .map(week_period)
            .collect()
    }

    /// The top `k` posts and authors of ISO week `week`. Entries of equal
    /// weight are ordered when read, so the cost is O(k log k + log n) plus
    /// the size of the equal-weight group the k-th entry falls in.
    pub fn board(&self, week: Period, k: usize) -> Result<WeeklyBoard> {
        if week.grain() != Grain::Week {
            return Err(Error::invalid_input(
                "week",
                format!("{week} is not an ISO week like 2024-W10"),
            ));
        }
        let w = week_ordinal(week);
        let totals: Vec<PostTotal> = self
            .ranked_posts
            .top(w, k)
            .into_iter()
            .map(|p| self.total(p))
            .collect();
        let authors: Vec<AuthorEntry> = self
            .ranked_authors
            .top(w, k)
            .into_iter()
            .map(|aw| {
                let a = &self.authors[aw as usize];
                AuthorEntry {
                    rank: 0,
                    author: a.author,
                    weight: a.weight,
                    likes: a.likes as u64,
                    posts: u64::from(a.counted),
                    first_post_time: ts(a.first),
                }
            })
            .collect();
        Ok(WeeklyBoard {
            week,
            policy_hash: self.policy.hash().to_owned(),
            posts: post_entries(&totals.iter().collect::<Vec<_>>()),
            authors: rank_authors(authors, k),
        })
    }

    fn total(&self, p: u32) -> PostTotal {
        let m = &self.posts[p as usize];
        PostTotal {
            week: week_period(m.week),
            author: m.author,
            post: m.id,
            time: ts(m.time),
            weight: m.weight,
            likes: m.likes as u64,
        }
    }

    /// Every post with a counted like as a mergeable partial.
    pub fn partial(&self) -> LikePartial {
        let mut totals: Vec<PostTotal> = (0..self.posts.len() as u32)
            .filter(|&p| self.posts[p as usize].weight > 0)
            .map(|p| self.total(p))
            .collect();
        totals.sort_unstable_by_key(|a| (a.week, a.author, a.post));
        LikePartial {
            totals,
            ..LikePartial::empty(&self.policy)
        }
    }

    /// The excellent-works exhibition of `month` (see
    /// [`LikePartial::exhibition`]).
    pub fn exhibition(&self, month: Period, n: usize) -> Result<Exhibition> {
        self.partial().exhibition(month, n)
    }

    /// The verdict of every like event applied so far, by event id.
    pub fn verdicts(&self) -> Vec<LikeVerdict> {
        let BoardInputs {
            registrations: rt,
            posts: pt,
            likes: lt,
        } = self.inputs();
        let opts = BatchOptions {
            verdicts: true,
            check_event_ids: false,
            threads: Threads::Global,
        };
        like_batch(
            pt.columns(),
            lt.columns(),
            rt.columns(),
            &self.policy,
            &opts,
        )
        .expect("stored events were validated on apply")
        .verdicts
        .unwrap_or_default()
    }
}

/// Everything a [`LikeBoard`] was given, as columns sorted by id: its
/// saved form (the boards follow from the inputs alone).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BoardInputs {
    pub(crate) registrations: RegistrationTable,
    pub(crate) posts: PostTable,
    pub(crate) likes: LikeTable,
}

const LIKE_BOARD_FORMAT: &str = "zhiyuan.like_board.v1";

impl LikeBoard {
    pub(crate) fn inputs(&self) -> BoardInputs {
        let mut posts: Vec<&PostMeta> = self.posts.iter().collect();
        posts.sort_unstable_by_key(|m| m.id);
        let mut regs = self.volunteers.clone();
        regs.sort_unstable();
        let mut evs: Vec<LikeEvent> = self.events.iter().map(|e| self.event(e)).collect();
        evs.sort_unstable_by_key(|e| e.id);
        BoardInputs {
            registrations: RegistrationTable {
                volunteer: regs.iter().map(|r| r.0).collect(),
                registered_at: regs.iter().map(|r| r.1).collect(),
            },
            posts: PostTable {
                id: posts.iter().map(|m| m.id).collect(),
                author: posts.iter().map(|m| m.author).collect(),
                time: posts.iter().map(|m| m.time).collect(),
            },
            likes: LikeTable::from_events(&evs),
        }
    }

    /// A JSON snapshot (see [`crate::saved`]): the policy and the board's
    /// inputs — registrations, posts and like events, as columns sorted by
    /// id.
    pub fn snapshot(&self) -> String {
        crate::saved::save(LIKE_BOARD_FORMAT, Some(&self.policy), &self.inputs())
    }

    /// Rebuilds a board from [`snapshot`](Self::snapshot) text by
    /// registering, adding posts and applying every like event again
    /// (the boards depend only on the set of events); a bad row is an
    /// error naming `snapshot.state.<table>.<column>[i]` or the event.
    pub fn restore(json: &str) -> Result<Self> {
        let (policy, inputs): (Policy, BoardInputs) = crate::saved::load(json, LIKE_BOARD_FORMAT)?;
        let mut board = LikeBoard::new(&policy);
        board.replay(&inputs).map_err(|e| e.at("snapshot.state"))?;
        Ok(board)
    }

    fn replay(&mut self, inputs: &BoardInputs) -> Result<()> {
        self.replay_registrations(&inputs.registrations)?;
        let p = &inputs.posts;
        same_len(
            "posts",
            &[
                ("id", p.id.len()),
                ("author", p.author.len()),
                ("time", p.time.len()),
            ],
        )?;
        for i in 0..p.id.len() {
            let t =
                Timestamp::from_micros(p.time[i]).map_err(|e| e.at(&format!("posts.time[{i}]")))?;
            self.add_post(p.id[i], p.author[i], t)
                .map_err(|e| e.at(&format!("posts[{i}]")))?;
        }
        self.replay_likes(&inputs.likes)
    }

    /// Registers every row of a saved registration table.
    pub(crate) fn replay_registrations(&mut self, r: &RegistrationTable) -> Result<()> {
        same_len(
            "registrations",
            &[
                ("volunteer", r.volunteer.len()),
                ("registered_at", r.registered_at.len()),
            ],
        )?;
        for (i, (&v, &at)) in r.volunteer.iter().zip(&r.registered_at).enumerate() {
            let at = Timestamp::from_micros(at)
                .map_err(|e| e.at(&format!("registrations.registered_at[{i}]")))?;
            self.register(v, at)
                .map_err(|e| e.at(&format!("registrations[{i}]")))?;
        }
        Ok(())
    }

    /// Applies every row of a saved like table; a repeated event id is a
    /// conflict (a snapshot lists each event once).
    pub(crate) fn replay_likes(&mut self, l: &LikeTable) -> Result<()> {
        same_len(
            "likes",
            &[
                ("event", l.event.len()),
                ("liker", l.liker.len()),
                ("post", l.post.len()),
                ("time", l.time.len()),
                ("action", l.action.len()),
            ],
        )?;
        for i in 0..l.event.len() {
            let time =
                Timestamp::from_micros(l.time[i]).map_err(|e| e.at(&format!("likes.time[{i}]")))?;
            let action = LikeAction::from_code(l.action[i]).ok_or_else(|| {
                Error::invalid_input(format!("likes.action[{i}]"), "is not like or unlike")
            })?;
            let ev = LikeEvent::new(l.event[i], l.liker[i], l.post[i], time, action);
            if self.event_ix.get(ev.id).is_some() {
                return Err(Error::conflict(
                    format!("likes.event[{i}]"),
                    format!("event {} is listed twice", ev.id),
                ));
            }
            self.apply(&ev).map_err(|e| e.at(&format!("likes[{i}]")))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod incremental_tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Keys that stress the table: sequential, strided by the block size
    /// and by 2^32 (packed keys), and the empty marker itself.
    fn key() -> impl Strategy<Value = u64> {
        prop_oneof![
            0u64..64,
            (0u64..64).prop_map(|x| x * 4),
            (0u64..64).prop_map(|x| x << 32),
            (0u64..4).prop_map(|x| u64::MAX - x),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The open-addressing table answers like a map, through growth.
        #[test]
        fn id_table_is_a_map(ops in prop::collection::vec((key(), 0u32..1000), 0..300)) {
            let mut t: IdTable<u32> = IdTable::new();
            let mut model = BTreeMap::new();
            for (k, v) in ops {
                prop_assert_eq!(t.get(k), model.get(&k).copied());
                t.set(k, v);
                model.insert(k, v);
            }
            for (k, v) in &model {
                prop_assert_eq!(t.get(*k), Some(*v));
            }
            prop_assert_eq!(t.len + usize::from(t.max_key.is_some()), model.len());
        }

        /// Buckets with positions kept by the caller give every top k of
        /// the full order (weight desc, then tie key), for weights with
        /// many ties, across weeks.
        #[test]
        fn ranked_top_k_is_the_sorted_prefix(
            changes in prop::collection::vec((0usize..40, 0i64..5), 0..200),
        ) {
            // Member m: week m % 3, tie key (m % 7, m); weight in thousands.
            let mut weight = [0i64; 40];
            let mut slot = [0u32; 40];
            let mut r = Ranked::default();
            for (m, w) in changes {
                let (week, new) = ((m % 3) as i32, w * 1000);
                if weight[m] > 0
                    && let Some(moved) = r.remove(week, weight[m], slot[m])
                {
                    slot[moved as usize] = slot[m];
                }
                weight[m] = new;
                if new > 0 {
                    slot[m] = r.push(week, new, ((m % 7) as i64, m as u64, m as u32));
                }
            }
            let mut weeks = Vec::new();
            for week in 0..3i32 {
                let mut all: Vec<usize> =
                    (0..40).filter(|&m| m % 3 == week as usize && weight[m] > 0).collect();
                all.sort_by_key(|&m| (Reverse(weight[m]), m % 7, m));
                if !all.is_empty() {
                    weeks.push(week);
                }
                for k in [0, 1, 2, 5, 40] {
                    let want: Vec<u32> = all.iter().take(k).map(|&m| m as u32).collect();
                    prop_assert_eq!(r.top(week, k), want);
                }
            }
            prop_assert_eq!(r.weeks(), weeks);
        }
    }

    #[test]
    fn capped_keeps_the_first_cap_and_reports_the_swap() {
        let c = |t: i64| (t, t as u64, 0u32, 1000i64);
        let mut g = Capped::Many(Vec::new());
        let d = g.insert(c(5), 2);
        assert_eq!((d.entered, d.left), (Some(c(5)), None));
        let d = g.insert(c(7), 2);
        assert_eq!((d.entered, d.left), (Some(c(7)), None));
        // An earlier like enters and pushes the latest out of the cap.
        let d = g.insert(c(1), 2);
        assert_eq!((d.entered, d.left), (Some(c(1)), Some(c(7))));
        // A later one does not enter.
        let d = g.insert(c(9), 2);
        assert_eq!((d.entered, d.left), (None, None));
        // Removing a counted one lets the next in.
        let d = g.remove(c(1), 2);
        assert_eq!((d.entered, d.left), (Some(c(7)), Some(c(1))));
        // Removing an absent one changes nothing.
        let d = g.remove(c(3), 2);
        assert_eq!((d.entered, d.left), (None, None));
        assert_eq!(g.items(), &[c(5), c(7), c(9)]);
    }
}

/// `x % d` for a `u32` x by multiplications (Lemire's fastmod): bucketing
/// takes it for every row of every wave, where a division would cost
/// more than the rest of the row.
#[derive(Clone, Copy)]
struct FastMod {
    m: u64,
    d: u64,
}

impl FastMod {
    fn new(d: usize) -> Self {
        let d = d.clamp(1, u32::MAX as usize) as u64;
        FastMod {
            m: (u64::MAX / d).wrapping_add(1),
            d,
        }
    }

    fn of(&self, x: u32) -> usize {
        let low = self.m.wrapping_mul(u64::from(x));
        ((u128::from(low) * u128::from(self.d)) >> 64) as usize
    }
}

/// `v` cut into consecutive pieces of the given lengths.
fn split_by<'a, T>(mut v: &'a mut [T], sizes: &[usize]) -> Vec<&'a mut [T]> {
    let mut out = Vec::with_capacity(sizes.len());
    for &n in sizes {
        let (head, tail) = v.split_at_mut(n);
        out.push(head);
        v = tail;
    }
    out
}

/// One bucket's counted likes (post rank << 32 | weight), grouped by
/// slice of post ranks, and its verdicts when asked for.
struct BucketAdds {
    adds: Vec<u64>,
    /// `adds[starts[c]..starts[c + 1]]` fall in slice c.
    starts: Vec<u32>,
    verdicts: Vec<LikeVerdict>,
}

impl BucketAdds {
    /// Groups `adds` by slice (a counting sort into an exactly sized
    /// vector).
    fn by_slice(adds: &[u64], slice: usize, nslices: usize, verdicts: Vec<LikeVerdict>) -> Self {
        let of = |a: u64| (a >> 32) as usize / slice;
        let mut starts = vec![0u32; nslices + 1];
        for &a in adds {
            starts[of(a) + 1] += 1;
        }
        for c in 0..nslices {
            starts[c + 1] += starts[c];
        }
        let mut at = starts.clone();
        let mut out = vec![0u64; adds.len()];
        for &a in adds {
            let s = &mut at[of(a)];
            out[*s as usize] = a;
            *s += 1;
        }
        BucketAdds {
            adds: out,
            starts,
            verdicts,
        }
    }

    fn slice(&self, c: usize) -> &[u64] {
        let (lo, hi) = (self.starts[c] as usize, self.starts[c + 1] as usize);
        &self.adds[lo..hi]
    }
}

/// Checks that a table's columns have one length.
fn same_len(table: &str, columns: &[(&str, usize)]) -> Result<()> {
    let Some(&(first, n)) = columns.first() else {
        return Ok(());
    };
    match columns.iter().find(|c| c.1 != n) {
        None => Ok(()),
        Some((name, m)) => Err(Error::invalid_input(
            format!("{table}.{name}"),
            format!("has {m} rows; {first} has {n}"),
        )),
    }
}

// ---------------------------------------------------------------------------
// Columns
// ---------------------------------------------------------------------------

/// Posts as columns (borrowed; the Arrow layout: u64 ids, i64 µs UTC).
#[derive(Clone, Copy, Debug)]
pub struct PostColumns<'a> {
    /// Post ids (unique).
    pub id: &'a [u64],
    /// Authors.
    pub author: &'a [u64],
    /// Post times, µs since the epoch, UTC.
    pub time: &'a [i64],
}

/// Like events as columns.
#[derive(Clone, Copy, Debug)]
pub struct LikeColumns<'a> {
    /// Event ids.
    pub event: &'a [u64],
    /// Likers.
    pub liker: &'a [u64],
    /// Posts.
    pub post: &'a [u64],
    /// Event times, µs since the epoch, UTC.
    pub time: &'a [i64],
    /// 0 like, 1 unlike ([`LikeAction::code`]).
    pub action: &'a [u8],
}

/// Volunteer registration times as columns.
#[derive(Clone, Copy, Debug)]
pub struct RegistrationColumns<'a> {
    /// Volunteers (unique).
    pub volunteer: &'a [u64],
    /// Registration times, µs since the epoch, UTC.
    pub registered_at: &'a [i64],
}

/// Serde form of a µs column as RFC 3339 strings.
pub(crate) mod ts_vec {
    use crate::time::Timestamp;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    pub fn serialize<S: Serializer>(v: &[i64], s: S) -> Result<S::Ok, S::Error> {
        let mut out = Vec::with_capacity(v.len());
        for &us in v {
            out.push(Timestamp::from_micros(us).map_err(serde::ser::Error::custom)?);
        }
        out.serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
        Ok(Vec::<Timestamp>::deserialize(d)?
            .into_iter()
            .map(Timestamp::as_micros)
            .collect())
    }
}

mod action_vec {
    use crate::posts::LikeAction;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        let mut out = Vec::with_capacity(v.len());
        for &c in v {
            out.push(LikeAction::from_code(c).ok_or_else(|| {
                serde::ser::Error::custom(format!("action code {c} is not 0 or 1"))
            })?);
        }
        out.serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(Vec::<LikeAction>::deserialize(d)?
            .into_iter()
            .map(LikeAction::code)
            .collect())
    }
}

/// Owned [`PostColumns`]; serde form has RFC 3339 times.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostTable {
    /// Post ids.
    pub id: Vec<u64>,
    /// Authors.
    pub author: Vec<u64>,
    /// Times, µs UTC.
    #[serde(with = "ts_vec")]
    pub time: Vec<i64>,
}

impl PostTable {
    /// Borrowed columns.
    pub fn columns(&self) -> PostColumns<'_> {
        PostColumns {
            id: &self.id,
            author: &self.author,
            time: &self.time,
        }
    }
}

/// Owned [`LikeColumns`]; serde form has RFC 3339 times and
/// `"like"` / `"unlike"` actions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LikeTable {
    /// Event ids.
    pub event: Vec<u64>,
    /// Likers.
    pub liker: Vec<u64>,
    /// Posts.
    pub post: Vec<u64>,
    /// Times, µs UTC.
    #[serde(with = "ts_vec")]
    pub time: Vec<i64>,
    /// Action codes, 0 like / 1 unlike.
    #[serde(with = "action_vec")]
    pub action: Vec<u8>,
}

impl LikeTable {
    /// Columns from events, in the given order.
    pub fn from_events(events: &[LikeEvent]) -> Self {
        LikeTable {
            event: events.iter().map(|e| e.id).collect(),
            liker: events.iter().map(|e| e.liker).collect(),
            post: events.iter().map(|e| e.post).collect(),
            time: events.iter().map(|e| e.time.as_micros()).collect(),
            action: events.iter().map(|e| e.action.code()).collect(),
        }
    }

    /// Borrowed columns.
    pub fn columns(&self) -> LikeColumns<'_> {
        LikeColumns {
            event: &self.event,
            liker: &self.liker,
            post: &self.post,
            time: &self.time,
            action: &self.action,
        }
    }
}

/// Owned [`RegistrationColumns`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationTable {
    /// Volunteers.
    pub volunteer: Vec<u64>,
    /// Registration times, µs UTC.
    #[serde(with = "ts_vec")]
    pub registered_at: Vec<i64>,
}

impl RegistrationTable {
    /// Borrowed columns.
    pub fn columns(&self) -> RegistrationColumns<'_> {
        RegistrationColumns {
            volunteer: &self.volunteer,
            registered_at: &self.registered_at,
        }
    }
}

// ---------------------------------------------------------------------------
// Batch
// ---------------------------------------------------------------------------

/// Options of [`like_batch`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BatchOptions {
    /// Also return the verdict of every like event (costs memory and a
    /// sort). Default false.
    pub verdicts: bool,
    /// Reject rows that reuse an event id with different content (a sort of
    /// the event ids). Default true; turn off only when the caller
    /// guarantees unique ids: rows repeating an id with the same liker,
    /// post, time and action are still treated as one event.
    pub check_event_ids: bool,
    /// Threads for this call (serde: `null` = rayon's global pool, or a
    /// count). The result is identical for any count.
    pub threads: Threads,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            verdicts: false,
            check_event_ids: true,
            threads: Threads::Global,
        }
    }
}

/// Output of [`like_batch`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LikeBatch {
    /// Exact per-post totals; merge across partitions, then take boards.
    pub partial: LikePartial,
    /// Every like event's verdict by event id, when asked for.
    pub verdicts: Option<Vec<LikeVerdict>>,
}

/// Id → row lookup: a direct table when ids are dense, else a sorted array.
enum IdIndex {
    Dense { min: u64, slots: Vec<u32> },
    Sorted(Vec<(u64, u32)>),
}

impl IdIndex {
    fn build(ids: &[u64], table: &str, column: &str, noun: &str) -> Result<Self> {
        let dup = |i: usize, j: usize, id: u64| {
            Error::conflict(
                format!("{table}[{i}].{column}"),
                format!("duplicate {noun} {id} (also {table}[{j}])"),
            )
        };
        let (Some(&min), Some(&max)) = (ids.par_iter().min(), ids.par_iter().max()) else {
            return Ok(IdIndex::Sorted(Vec::new()));
        };
        let span = max - min;
        if span < 4 * ids.len() as u64 + 1024 {
            let mut slots = vec![u32::MAX; span as usize + 1];
            for (i, &id) in ids.iter().enumerate() {
                let s = &mut slots[(id - min) as usize];
                if *s != u32::MAX {
                    return Err(dup(i, *s as usize, id));
                }
                *s = i as u32;
            }
            Ok(IdIndex::Dense { min, slots })
        } else {
            let mut v: Vec<(u64, u32)> = ids
                .par_iter()
                .enumerate()
                .map(|(i, &id)| (id, i as u32))
                .collect();
            v.par_sort_unstable();
            // The first row (by index) that repeats an earlier id.
            let first_dup = v
                .par_windows(2)
                .filter(|w| w[0].0 == w[1].0)
                .map(|w| (w[1].1, w[0].1))
                .min();
            if let Some((i, j)) = first_dup {
                return Err(dup(i as usize, j as usize, ids[i as usize]));
            }
            Ok(IdIndex::Sorted(v))
        }
    }

    fn get(&self, id: u64) -> Option<u32> {
        match self {
            IdIndex::Dense { min, slots } => {
                let s = *slots.get(usize::try_from(id.checked_sub(*min)?).ok()?)?;
                (s != u32::MAX).then_some(s)
            }
            IdIndex::Sorted(v) => v.binary_search_by_key(&id, |x| x.0).ok().map(|i| v[i].1),
        }
    }
}

fn check_len(table: &str, col: &str, len: usize, want: usize, first: &str) -> Result<()> {
    if len != want {
        return Err(Error::invalid_input(
            format!("{table}.{col}"),
            format!("has {len} rows, {table}.{first} has {want}"),
        ));
    }
    if want >= u32::MAX as usize - 1 {
        return Err(Error::invalid_input(
            table,
            format!("{want} rows exceed the 4,294,967,293 a batch takes; partition it"),
        ));
    }
    Ok(())
}

/// Index of the first element of `v` for which `bad` holds. Scans in
/// chunks with a plain loop (no per-element rayon bookkeeping), so the
/// common all-good case runs at memory speed.
fn first_where<T: Sync>(v: &[T], bad: impl Fn(&T) -> bool + Sync) -> Option<usize> {
    const CHUNK: usize = 1 << 16;
    let c = v
        .par_chunks(CHUNK)
        .position_first(|c| c.iter().fold(false, |acc, x| acc | bad(x)))?;
    let rest = v.get(c * CHUNK..)?;
    rest.iter().position(bad).map(|i| c * CHUNK + i)
}

fn check_times(table: &str, col: &str, v: &[i64]) -> Result<()> {
    let (lo, hi) = (Timestamp::MIN.as_micros(), Timestamp::MAX.as_micros());
    match first_where(v, |&t| t < lo || t > hi) {
        Some(i) => Err(Error::invalid_input(
            format!("{table}[{i}].{col}"),
            format!("{} µs is outside years 0001-9999", v[i]),
        )),
        None => Ok(()),
    }
}

/// One like row inside a liker bucket: 24 bytes, so a wave of rows stays
/// small (see [`like_batch`]).
#[derive(Clone, Copy, Default)]
struct Rec {
    /// liker index << 32 | post rank.
    key: u64,
    /// Time (µs) × 2 + action code. Checked times lie within years
    /// 0001–9999 (|µs| < 2^58), so the product cannot overflow, and one
    /// field instead of two saves the padding of a fourth.
    time_action: i64,
    event: u64,
}

impl Rec {
    fn time(&self) -> i64 {
        self.time_action >> 1
    }

    fn action(&self) -> u8 {
        (self.time_action & 1) as u8
    }

    fn rank(&self) -> u32 {
        (self.key & 0xffff_ffff) as u32
    }

    fn liker(&self) -> usize {
        (self.key >> 32) as usize
    }
}

#[derive(Clone, Copy)]
struct PostInfo {
    time: i64,
    /// Rank in (week, author, id) order; `u32::MAX` marks a free slot.
    rank: u32,
    /// The author's registration row, `u32::MAX` when not registered.
    author: u32,
}

/// Post id → [`PostInfo`]: by id directly when ids are dense (one random
/// read per like row), else through the sorted index.
enum PostLookup {
    Dense { min: u64, info: Vec<PostInfo> },
    Sorted { ix: IdIndex, info: Vec<PostInfo> },
}

impl PostLookup {
    fn new(ix: IdIndex, by_row: Vec<PostInfo>) -> Self {
        match ix {
            IdIndex::Dense { min, slots } => PostLookup::Dense {
                min,
                info: slots
                    .par_iter()
                    .map(|&s| match s {
                        u32::MAX => PostInfo {
                            time: 0,
                            rank: u32::MAX,
                            author: u32::MAX,
                        },
                        s => by_row[s as usize],
                    })
                    .collect(),
            },
            ix => PostLookup::Sorted { ix, info: by_row },
        }
    }

    fn get(&self, id: u64) -> Option<PostInfo> {
        let p = match self {
            PostLookup::Dense { min, info } => {
                *info.get(usize::try_from(id.checked_sub(*min)?).ok()?)?
            }
            PostLookup::Sorted { ix, info } => *info.get(ix.get(id)? as usize)?,
        };
        (p.rank != u32::MAX).then_some(p)
    }
}

/// Post attributes by rank r (posts sorted by week, author, id).
struct RankedPosts {
    /// Rank of the first post of each post's (week, author) run.
    group: Vec<u32>,
    /// The post's row in the input (for its id, author and time).
    row: Vec<u32>,
    week: Vec<i32>,
}

/// The valid-like filter and per-post totals over columns. Multi-threaded
/// on `opts.threads` ([`Threads`]); the result is identical for any
/// thread count and any row order. Memory beyond the input: 8 bytes a like
/// row, plus about 90 MB for a wave of buckets, plus per-post tables.
///
/// Errors name the row: `likes[3].liker: unknown volunteer 7`,
/// `likes[2].post: unknown post 9`, `posts[4].id: duplicate post 9 (also
/// posts[1])`, `likes[5].event: event 12 repeats likes[2] with different
/// content`, column length mismatches and out-of-range times.
pub fn like_batch(
    posts: PostColumns<'_>,
    likes: LikeColumns<'_>,
    regs: RegistrationColumns<'_>,
    policy: &Policy,
    opts: &BatchOptions,
) -> Result<LikeBatch> {
    // About 64k rows a bucket: each bucket's sort stays cache-sized.
    let buckets = (likes.event.len() / (1 << 16)).clamp(1, 4096);
    run(opts.threads, || {
        batch_with_buckets(posts, likes, regs, policy, opts, buckets, WAVE_ROWS)
    })?
}

/// Rows of one wave of buckets: about 50 MB of [`Rec`]s in memory at a
/// time, whatever the size of the table.
const WAVE_ROWS: usize = 1 << 21;

/// Key of a row decided before bucketing (outside the window, self-like).
/// Never a real key: liker indices stay below `u32::MAX - 1`.
const DECIDED: u64 = u64::MAX;

fn batch_with_buckets(
    posts: PostColumns<'_>,
    likes: LikeColumns<'_>,
    regs: RegistrationColumns<'_>,
    policy: &Policy,
    opts: &BatchOptions,
    nb: usize,
    wave_rows: usize,
) -> Result<LikeBatch> {
    let rules = Rules::new(policy);
    let np = posts.id.len();
    check_len("posts", "author", posts.author.len(), np, "id")?;
    check_len("posts", "time", posts.time.len(), np, "id")?;
    let nl = likes.event.len();
    for (c, len) in [
        ("liker", likes.liker.len()),
        ("post", likes.post.len()),
        ("time", likes.time.len()),
        ("action", likes.action.len()),
    ] {
        check_len("likes", c, len, nl, "event")?;
    }
    let nr = regs.volunteer.len();
    check_len(
        "registrations",
        "registered_at",
        regs.registered_at.len(),
        nr,
        "volunteer",
    )?;
    check_times("posts", "time", posts.time)?;
    check_times("registrations", "registered_at", regs.registered_at)?;
    check_times("likes", "time", likes.time)?;
    if let Some(i) = first_where(likes.action, |&a| a > 1) {
        return Err(Error::invalid_input(
            format!("likes[{i}].action"),
            format!("code {} is not 0 (like) or 1 (unlike)", likes.action[i]),
        ));
    }
    let post_ix = IdIndex::build(posts.id, "posts", "id", "post")?;
    let reg_ix = IdIndex::build(regs.volunteer, "registrations", "volunteer", "volunteer")?;

    // Rank posts by (week, author, id): a liker's likes sorted by rank are
    // grouped by week, then author, then post, which is exactly the nesting
    // of the (liker, week) ⊃ (liker, author, week) ⊃ (liker, post) groups.
    // Sorting contiguous tuples keeps the sort cache-friendly.
    let mut order: Vec<(i32, u64, u64, u32)> = (0..np)
        .into_par_iter()
        .map(|i| {
            (
                rules.week(posts.time[i]),
                posts.author[i],
                posts.id[i],
                i as u32,
            )
        })
        .collect();
    order.par_sort_unstable();
    // What a like row needs of its post, 16 bytes, by input row; then, for
    // dense post ids, by id, so a like row costs one random read.
    let mut info = vec![
        PostInfo {
            time: 0,
            rank: u32::MAX,
            author: u32::MAX,
        };
        np
    ];
    let mut group = Vec::with_capacity(np);
    for (r, o) in order.iter().enumerate() {
        info[o.3 as usize] = PostInfo {
            time: posts.time[o.3 as usize],
            rank: r as u32,
            // Self-likes compare registration rows: an unregistered
            // author can never be the (registered) liker.
            author: reg_ix.get(o.1).unwrap_or(u32::MAX),
        };
        let same_run = r > 0 && (order[r - 1].0, order[r - 1].1) == (o.0, o.1);
        group.push(if same_run { group[r - 1] } else { r as u32 });
    }
    let ranked = RankedPosts {
        group,
        row: order.par_iter().map(|o| o.3).collect(),
        week: order.par_iter().map(|o| o.0).collect(),
    };
    drop(order);
    let post_info = PostLookup::new(post_ix, info);

    // Per row: unknown ids are errors; window and self-likes are decided
    // here, row by row; the rest go to their liker's bucket.
    let early = |i: usize| -> Option<Result<(u32, u32)>> {
        let Some(p) = post_info.get(likes.post[i]) else {
            return Some(Err(Error::not_found(
                format!("likes[{i}].post"),
                format!("unknown post {}", likes.post[i]),
            )));
        };
        let Some(li) = reg_ix.get(likes.liker[i]) else {
            return Some(Err(Error::not_found(
                format!("likes[{i}].liker"),
                format!("unknown volunteer {}", likes.liker[i]),
            )));
        };
        if !rules.in_window(p.time, rules.week(p.time), likes.time[i]) || li == p.author {
            return None;
        }
        Some(Ok((li, p.rank)))
    };

    // Memory: rows are keyed once (8 bytes a row), then bucketed and
    // filtered a wave of buckets at a time, so only one wave's records
    // (24 bytes a row) and counted likes are in memory at once.
    //
    // Pass 1, in chunks: each row's key (or DECIDED), and per chunk how
    // many rows each bucket gets, so every wave's records are placed
    // exactly, in one allocation, without a growing list per bucket.
    const CHUNK: usize = 1 << 20;
    let bucket = FastMod::new(nb);
    let bucket = |k: u64| bucket.of((k >> 32) as u32);
    let mut keys = vec![DECIDED; nl];
    let hists: Vec<std::result::Result<Vec<usize>, usize>> = keys
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(c, ks)| {
            let mut hist = vec![0usize; nb];
            for (j, k) in ks.iter_mut().enumerate() {
                let i = c * CHUNK + j;
                match early(i) {
                    None => {}
                    Some(Err(_)) => return Err(i),
                    Some(Ok((li, r))) => {
                        *k = (u64::from(li) << 32) | u64::from(r);
                        hist[bucket(*k)] += 1;
                    }
                }
            }
            Ok(hist)
        })
        .collect();
    if let Some(i) = hists.iter().find_map(|c| c.as_ref().err()) {
        return Err(early(*i)
            .and_then(|r| r.err())
            .expect("the row was marked bad"));
    }
    if opts.check_event_ids {
        check_event_ids(likes)?;
    }
    let hists: Vec<Vec<usize>> = hists.into_iter().flatten().collect();
    let per_bucket: Vec<usize> = (0..nb).map(|b| hists.iter().map(|h| h[b]).sum()).collect();

    // Consecutive buckets, about `wave_rows` rows a wave.
    let mut waves: Vec<std::ops::Range<usize>> = Vec::new();
    let (mut lo, mut rows) = (0, 0);
    for (b, &n) in per_bucket.iter().enumerate() {
        rows += n;
        if rows >= wave_rows || b + 1 == nb {
            waves.push(lo..b + 1);
            (lo, rows) = (b + 1, 0);
        }
    }

    // Counted likes are handed on per slice of post ranks, so the sums
    // below run slice by slice in cache, without atomics.
    let slice = np.div_ceil(64).max(1);
    let reg_at = regs.registered_at;
    let mut weights = vec![0i64; np];
    let mut counts = vec![0i64; np];
    let mut bucket_verdicts: Vec<LikeVerdict> = Vec::new();
    // One buffer each for every wave's records, groups and counted likes:
    // a few large allocations instead of many that the allocator would
    // keep.
    let most = waves
        .iter()
        .map(|w| per_bucket[w.clone()].iter().sum())
        .max()
        .unwrap_or(0);
    let mut rec_buf = vec![Rec::default(); most];
    let mut group_buf = vec![0u32; most];
    let mut add_buf = vec![0u64; most];
    let nslices = np.div_ceil(slice);
    for wave in waves {
        let sizes = &per_bucket[wave.clone()];
        let recs = &mut rec_buf[..sizes.iter().sum()];
        // Pass 2: each chunk writes its rows of this wave's buckets into
        // its own segment of every bucket (buckets in order, chunks in
        // order inside a bucket).
        let mut segs: Vec<Vec<&mut [Rec]>> = (0..hists.len()).map(|_| Vec::new()).collect();
        let mut rest = &mut *recs;
        for b in wave.clone() {
            for (c, h) in hists.iter().enumerate() {
                let (head, tail) = rest.split_at_mut(h[b]);
                segs[c].push(head);
                rest = tail;
            }
        }
        segs.into_par_iter()
            .zip(keys.par_chunks(CHUNK))
            .enumerate()
            .for_each(|(c, (mut segs, ks))| {
                let mut at = vec![0usize; segs.len()];
                for (j, &k) in ks.iter().enumerate() {
                    // Out-of-wave buckets wrap to large values.
                    let s = bucket(k).wrapping_sub(wave.start);
                    if k == DECIDED || s >= segs.len() {
                        continue;
                    }
                    let i = c * CHUNK + j;
                    segs[s][at[s]] = Rec {
                        key: k,
                        time_action: likes.time[i] * 2 + i64::from(likes.action[i]),
                        event: likes.event[i],
                    };
                    at[s] += 1;
                }
            });
        let by_bucket = split_by(recs, sizes)
            .into_iter()
            .zip(split_by(&mut group_buf, sizes))
            .zip(split_by(&mut add_buf, sizes));
        let bucket_out: Vec<BucketAdds> = by_bucket
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|((recs, groups), adds)| {
                // Sort on the key alone (one integer compare), then order
                // each (liker, post) run, usually one or two rows, by time
                // and id.
                recs.sort_unstable_by_key(|r| r.key);
                // Each row's (week, author) group, looked up in a loop of
                // its own: its cache misses overlap, which they would not
                // inside the filter's dependent loop.
                let mut at = 0;
                for run in recs.chunk_by_mut(|a, b| a.key == b.key) {
                    let g = ranked.group[run[0].rank() as usize];
                    groups[at..at + run.len()].fill(g);
                    at += run.len();
                    if run.len() > 1 {
                        run.sort_unstable_by_key(|r| (r.time(), r.event, r.action()));
                    }
                }
                let mut out = Vec::new();
                let mut n_adds = 0;
                let mut sink = |r: u32, v: LikeVerdict| {
                    if v.weight > 0 {
                        let w = u32::try_from(v.weight).expect("a like weighs at most FULL_WEIGHT");
                        // At most one counted like per row.
                        adds[n_adds] = (u64::from(r) << 32) | u64::from(w);
                        n_adds += 1;
                    }
                    if opts.verdicts {
                        out.push(v);
                    }
                };
                filter_bucket(recs, groups, &ranked, reg_at, &rules, &mut sink);
                BucketAdds::by_slice(&adds[..n_adds], slice, nslices, out)
            })
            .collect();
        weights
            .par_chunks_mut(slice)
            .zip(counts.par_chunks_mut(slice))
            .enumerate()
            .for_each(|(c, (w, n))| {
                let base = c * slice;
                for b in &bucket_out {
                    for &a in b.slice(c) {
                        let r = (a >> 32) as usize - base;
                        w[r] += (a & 0xffff_ffff) as i64;
                        n[r] += 1;
                    }
                }
            });
        if opts.verdicts {
            bucket_verdicts.extend(bucket_out.into_iter().flat_map(|b| b.verdicts));
        }
    }
    drop((rec_buf, group_buf, add_buf));
    drop(keys);
    // Few distinct weeks: convert each once, not once per post.
    let mut periods: Vec<(i32, Period)> = Vec::new();
    for &w in &ranked.week {
        if periods.last().is_none_or(|p| p.0 != w) {
            periods.push((w, week_period(w)));
        }
    }
    let period_of = |w: i32| {
        let i = periods.partition_point(|p| p.0 < w);
        periods[i].1
    };
    // The counted ranks first (4 bytes each), so the totals are collected
    // into one exactly sized vector rather than joined from pieces.
    let counted: Vec<u32> = (0..np as u32)
        .into_par_iter()
        .filter(|&r| weights[r as usize] > 0)
        .collect();
    let totals: Vec<PostTotal> = counted
        .par_iter()
        .map(|&r| {
            let r = r as usize;
            let row = ranked.row[r] as usize;
            PostTotal {
                week: period_of(ranked.week[r]),
                author: posts.author[row],
                post: posts.id[row],
                time: ts(posts.time[row]),
                weight: weights[r],
                likes: counts[r] as u64,
            }
        })
        .collect();
    let partial = LikePartial {
        totals,
        ..LikePartial::empty(policy)
    };

    let verdicts = opts.verdicts.then(|| {
        let mut v = bucket_verdicts;
        let early_verdicts: Vec<LikeVerdict> = (0..nl)
            .into_par_iter()
            .filter(|&i| likes.action[i] == LikeAction::Like.code())
            .filter_map(|i| {
                let p = post_info.get(likes.post[i])?;
                let reason = if !rules.in_window(p.time, rules.week(p.time), likes.time[i]) {
                    LikeReason::OutsideWindow
                } else if reg_ix.get(likes.liker[i]) == Some(p.author) {
                    LikeReason::SelfLike
                } else {
                    return None;
                };
                Some(LikeVerdict {
                    event: likes.event[i],
                    weight: 0,
                    reason: Some(reason),
                })
            })
            .collect();
        v.extend(early_verdicts);
        v.par_sort_unstable();
        v.dedup_by_key(|x| x.event);
        v
    });
    Ok(LikeBatch { partial, verdicts })
}

/// Rejects rows sharing an event id with different content; names the
/// first such row.
fn check_event_ids(likes: LikeColumns<'_>) -> Result<()> {
    let row = |i: u32| {
        let i = i as usize;
        (
            likes.liker[i],
            likes.post[i],
            likes.time[i],
            likes.action[i],
        )
    };
    let conflict = |(i, j): (u32, u32)| {
        Error::conflict(
            format!("likes[{i}].event"),
            format!(
                "event {} repeats likes[{j}] with different content",
                likes.event[i as usize]
            ),
        )
    };
    let n = likes.event.len();
    let (Some(&min), Some(&max)) = (likes.event.iter().min(), likes.event.iter().max()) else {
        return Ok(());
    };
    if max - min < 2 * n as u64 + 1024 {
        // Dense ids (the usual case): one pass in row order per slice of
        // the id range, remembering the last row of each id. The first
        // row (by index) that differs from the previous row of its id is
        // the same (i, j) the sorted path below reports.
        let parts = rayon::current_num_threads().max(1) as u64;
        let width = (max - min) / parts + 1;
        let bad = (0..parts)
            .into_par_iter()
            .filter_map(|p| {
                let lo = min + p * width;
                let mut last = vec![u32::MAX; width as usize];
                for (i, &e) in likes.event.iter().enumerate() {
                    let Some(s) = e.checked_sub(lo).and_then(|d| last.get_mut(d as usize)) else {
                        continue;
                    };
                    let j = std::mem::replace(s, i as u32);
                    if j != u32::MAX && row(j) != row(i as u32) {
                        return Some((i as u32, j));
                    }
                }
                None
            })
            .min();
        return bad.map_or(Ok(()), |b| Err(conflict(b)));
    }
    // Sparse ids: scatter (event, row) by a hash of the event id, then
    // sort each bucket on its own: cache-sized sorts instead of one
    // 20M-row sort.
    let bits = (n / (1 << 16))
        .max(1)
        .next_power_of_two()
        .trailing_zeros()
        .min(12);
    let nb = 1usize << bits;
    let bucket = |e: u64| {
        if bits == 0 {
            0
        } else {
            (e.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize
        }
    };
    let mut starts = vec![0usize; nb + 1];
    for &e in likes.event {
        starts[bucket(e) + 1] += 1;
    }
    for b in 0..nb {
        starts[b + 1] += starts[b];
    }
    let mut fill = starts.clone();
    let mut pairs = vec![(0u64, 0u32); n];
    for (i, &e) in likes.event.iter().enumerate() {
        let b = bucket(e);
        pairs[fill[b]] = (e, i as u32);
        fill[b] += 1;
    }
    let mut chunks: Vec<&mut [(u64, u32)]> = Vec::with_capacity(nb);
    let mut rest = pairs.as_mut_slice();
    for b in 0..nb {
        let (head, tail) = rest.split_at_mut(starts[b + 1] - starts[b]);
        chunks.push(head);
        rest = tail;
    }
    // The first row (by index) that repeats an earlier row's id with
    // different content.
    let bad = chunks
        .into_par_iter()
        .filter_map(|c| {
            c.sort_unstable();
            c.windows(2)
                .filter(|w| w[0].0 == w[1].0 && row(w[0].1) != row(w[1].1))
                .map(|w| (w[1].1, w[0].1))
                .min()
        })
        .min();
    bad.map_or(Ok(()), |b| Err(conflict(b)))
}

/// Runs dedup, new-account, author cap and liker cap over one bucket's rows
/// sorted by (liker, post rank, time, event), giving each like event its
/// verdict through `sink(post rank, verdict)`.
fn filter_bucket(
    recs: &[Rec],
    groups: &[u32],
    posts: &RankedPosts,
    reg_at: &[i64],
    rules: &Rules,
    sink: &mut impl FnMut(u32, LikeVerdict),
) {
    let mut author_cands: Vec<Cand> = Vec::new();
    let mut liker_cands: Vec<Cand> = Vec::new();
    let verdict = |c: &Cand, weight: i64, reason: Option<LikeReason>| LikeVerdict {
        event: c.1,
        weight,
        reason,
    };
    let mut i = 0;
    while i < recs.len() {
        // One (liker, week) group.
        let li = recs[i].liker();
        let week = posts.week[groups[i] as usize];
        let reg = reg_at[li];
        liker_cands.clear();
        // Checked once per (week, author) run, not per row.
        while i < recs.len() && recs[i].liker() == li && posts.week[groups[i] as usize] == week {
            // One (liker, author, week) group.
            let g = groups[i];
            author_cands.clear();
            while i < recs.len() && recs[i].liker() == li && groups[i] == g {
                // One (liker, post) pair: replay its events in order.
                let key = recs[i].key;
                let r = recs[i].rank();
                let mut head: Option<(i64, u64)> = None;
                let mut last_event = None;
                while i < recs.len() && recs[i].key == key {
                    let e = recs[i];
                    i += 1;
                    if last_event == Some(e.event) {
                        continue; // a replayed row of the same event
                    }
                    last_event = Some(e.event);
                    match (LikeAction::from_code(e.action()), head) {
                        (Some(LikeAction::Like), None) => head = Some((e.time(), e.event)),
                        (Some(LikeAction::Like), Some(_)) => sink(
                            r,
                            verdict(&(e.time(), e.event, 0, 0), 0, Some(LikeReason::Duplicate)),
                        ),
                        (Some(LikeAction::Unlike), Some(h)) => {
                            sink(r, verdict(&(h.0, h.1, 0, 0), 0, Some(LikeReason::Unliked)));
                            head = None;
                        }
                        _ => {}
                    }
                }
                if let Some((t, ev)) = head {
                    let w = rules.weight(reg, t);
                    if w == 0 {
                        sink(r, verdict(&(t, ev, 0, 0), 0, Some(LikeReason::NewAccount)));
                    } else {
                        author_cands.push((t, ev, PostId::from(r), w));
                    }
                }
            }
            author_cands.sort_unstable();
            for (n, c) in author_cands.iter().enumerate() {
                if n < rules.author_cap {
                    liker_cands.push(*c);
                } else {
                    sink(c.2 as u32, verdict(c, 0, Some(LikeReason::AuthorCap)));
                }
            }
        }
        liker_cands.sort_unstable();
        let cap = rules.liker_cap.unwrap_or(usize::MAX);
        for (n, c) in liker_cands.iter().enumerate() {
            if n < cap {
                let reason = (c.3 < FULL_WEIGHT).then_some(LikeReason::NewAccount);
                sink(c.2 as u32, verdict(c, c.3, reason));
            } else {
                sink(c.2 as u32, verdict(c, 0, Some(LikeReason::LikerCap)));
            }
        }
    }
}

/// The weekly boards (top `k` posts and authors of every week with a
/// counted like) straight from columns: [`like_batch`] then
/// [`LikePartial::boards`], both on `threads`.
pub fn weekly_boards(
    posts: PostColumns<'_>,
    likes: LikeColumns<'_>,
    regs: RegistrationColumns<'_>,
    policy: &Policy,
    k: usize,
    threads: Threads,
) -> Result<Vec<WeeklyBoard>> {
    run(threads, || {
        let opts = BatchOptions::default();
        Ok(like_batch(posts, likes, regs, policy, &opts)?
            .partial
            .boards(k))
    })?
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Buckets and waves only split work: any bucket count and wave size
        /// give the same result.
        #[test]
        fn bucket_count_does_not_change_the_result(
            rows in prop::collection::vec((1u64..40, 0u64..30, 0i64..400, 0u8..2), 0..300),
            nb in 2usize..9,
            wave in 1usize..80,
            cap in prop::option::of(1u32..4),
        ) {
            let mut spec = crate::PolicySpec::default();
            spec.likes.liker_weekly_cap = cap;
            let policy = Policy::new(spec).unwrap();
            let base = 1_709_481_600_000_000i64;
            let hour = 3_600_000_000i64;
            let posts = PostTable {
                id: (0..30).collect(),
                author: (0..30).map(|i| i % 7 + 1).collect(),
                time: (0..30).map(|i| base + i * 11 * hour).collect(),
            };
            let regs = RegistrationTable {
                volunteer: (1..40).collect(),
                registered_at: (1..40).map(|v| base - (v % 12) * 24 * hour).collect(),
            };
            let likes = LikeTable {
                event: (0..rows.len() as u64).collect(),
                liker: rows.iter().map(|r| r.0).collect(),
                post: rows.iter().map(|r| r.1).collect(),
                time: rows.iter().map(|r| base + r.2 * hour).collect(),
                action: rows.iter().map(|r| r.3).collect(),
            };
            let opts = BatchOptions { verdicts: true, check_event_ids: true, threads: Threads::Global };
            let run = |nb, wave| batch_with_buckets(posts.columns(), likes.columns(), regs.columns(), &policy, &opts, nb, wave).unwrap();
            prop_assert_eq!(run(nb, wave), run(1, WAVE_ROWS));
        }
    }

    #[test]
    fn fast_mod_is_the_remainder() {
        for d in [1usize, 2, 3, 7, 308, 4096, 65_537] {
            let f = FastMod::new(d);
            for x in [
                0u32,
                1,
                2,
                306,
                307,
                308,
                309,
                4095,
                65_536,
                1 << 31,
                u32::MAX,
            ] {
                assert_eq!(f.of(x), x as usize % d, "{x} % {d}");
            }
        }
    }

    #[test]
    fn sparse_ids_use_the_sorted_index() {
        let ids = [u64::MAX, 3, 1 << 40];
        let ix = IdIndex::build(&ids, "posts", "id", "post").unwrap();
        assert!(matches!(ix, IdIndex::Sorted(_)));
        assert_eq!(ix.get(1 << 40), Some(2));
        assert_eq!(ix.get(4), None);
        let dense = IdIndex::build(&[7, 5, 6], "posts", "id", "post").unwrap();
        assert!(matches!(dense, IdIndex::Dense { .. }));
        assert_eq!(
            (dense.get(5), dense.get(8), dense.get(0)),
            (Some(1), None, None)
        );
    }
}
