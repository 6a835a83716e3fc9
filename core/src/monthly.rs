//! 十佳文明秀之星: the monthly stars, chosen by online votes and judges.
//!
//! One call, [`monthly_stars`], takes a [`MonthlyRound`] (the month, the
//! candidates, the raw votes, the judges' marks and any votes voided by an
//! audit) and returns a [`MonthlyResult`]: every candidate's place with a
//! full breakdown, every void vote with its [`VoidReason`], and the
//! [`Winner`]s. All rules come from [`MonthlyStarsPolicy`]
//! (`policy.monthly_stars`); see `docs/rankings/selection.md` for every
//! formula and a worked example.
//!
//! 1. **Votes** are taken in `(time, id)` order. A vote is void when its id
//!    was already seen (`duplicate`), an audit voided it
//!    (`voided_by_audit`), its candidate is not in the round
//!    (`unknown_candidate`), it falls outside the voting window
//!    (`outside_window`), the voter already has
//!    `votes_per_candidate_per_day` counted votes for that candidate that
//!    local day (`candidate_day_limit`), or already has
//!    `votes_per_voter_per_day` counted votes that local day
//!    (`voter_daily_cap`).
//! 2. **Vote part** `V` (0–100): `votes × 100 / top votes` by default; or a
//!    rank coefficient; or capped linear.
//! 3. **Judge part** `J` (0–100): the mean of a candidate's marks, dropping
//!    the `trim_each_side` highest and lowest when there are at least
//!    `trim_min_judges` marks, scaled by `100 / max_mark`. With
//!    `standardise_judges`, each judge's marks are first turned into
//!    z-scores (population sd) and the trimmed mean `z̄` is mapped to
//!    `50 + 10 z̄`, clamped to 0–100.
//! 4. **Final** = `(vote_weight · V + judge_weight · J) / 1000` (weights in
//!    permille, summing to exactly 1000). Order: final desc, `J` desc, `V`
//!    desc, candidate id asc. The first `winners` (10) are the stars.
//!
//! ```
//! use zhiyuan::{Policy, monthly::{monthly_stars, MonthlyRound, Mark}};
//! let marks = |c, ms: [u32; 5]| {
//!     (1..=5).zip(ms).map(move |(judge, mark)| Mark { judge, candidate: c, mark })
//! };
//! let round = MonthlyRound {
//!     month: "2024-03".parse()?,
//!     candidates: vec![1, 2],
//!     votes: vec![],
//!     marks: marks(1, [80, 85, 90, 70, 95]).chain(marks(2, [95; 5])).collect(),
//!     voided: vec![],
//!     window: None,
//! };
//! let r = monthly_stars(&Policy::default(), &round)?;
//! assert_eq!(r.standings[0].candidate, 2); // 0.7 × 95 beats 0.7 × 85
//! assert_eq!(r.standings[1].judge_mean.to_string(), "85"); // 70 and 95 dropped
//! assert_eq!(r.standings[1].final_display, "59.5000");
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::hours::VolunteerId;
use crate::policy::{Policy, ensure};
use crate::selection::{Ratio, SelectionKind, Winner, at};
use crate::time::{LocalDate, Period, Timestamp, days_in_month};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Most candidates one round may have (keeps every z-score product inside
/// `u128`).
pub const MAX_CANDIDATES: usize = 1000;
/// Fixed-point scale of z-scores: one unit is 10⁻⁹.
pub const Z_SCALE: i128 = 1_000_000_000;

/// How counted votes become the vote part (0–100).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteMode {
    /// `votes × 100 / top candidate's votes` (人民网 practice).
    #[default]
    RelativeToTop,
    /// A coefficient by vote rank (`rank_coefficients`), × 100.
    RankCoefficient,
    /// `min(votes, capped_linear_full_votes) × 100 / capped_linear_full_votes`.
    CappedLinear,
}

/// One rank-coefficient tier: ranks up to `up_to_rank` get `permille`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankCoefficient {
    /// Last rank (1-based, inclusive) of this tier.
    pub up_to_rank: u32,
    /// Coefficient in thousandths (1000 = full vote part).
    pub permille: u32,
}

/// The `monthly_stars` policy section. Defaults follow domain-rules §0 and
/// §5.1–5.4; `docs/policy/monthly_stars.md` lists every field and source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MonthlyStarsPolicy {
    /// How many stars a month names. Default 10.
    pub winners: u32,
    /// Counted votes per (voter, candidate, local day). Default 1.
    pub votes_per_candidate_per_day: u32,
    /// Counted votes per (voter, local day). Default 10.
    pub votes_per_voter_per_day: u32,
    /// Voting happens this many months after the month being selected.
    /// Default 0 (during the month itself).
    pub window_month_offset: u32,
    /// First local day of the voting window in that month. Default 1.
    pub window_first_day: u32,
    /// Last local day (inclusive) of the window; clamped to the month's
    /// length. Default 31 (the month's end).
    pub window_last_day: u32,
    /// Vote-part mode. Default `relative_to_top`.
    pub vote_mode: VoteMode,
    /// Tiers for `rank_coefficient`, by rank. Default 1st 1000, 2nd–3rd 800,
    /// 4th–6th 700, 7th–10th 600.
    pub rank_coefficients: Vec<RankCoefficient>,
    /// Coefficient beyond the last tier and for zero votes. Default 500.
    pub rank_coefficient_rest_permille: u32,
    /// Votes that earn the full vote part in `capped_linear`. Default 1000.
    pub capped_linear_full_votes: u64,
    /// Turn each judge's marks into z-scores before averaging. Default off.
    pub standardise_judges: bool,
    /// Trim only when a candidate has at least this many marks. Default 5.
    pub trim_min_judges: u32,
    /// Marks dropped at each end when trimming. Default 1.
    pub trim_each_side: u32,
    /// Highest mark a judge may give (lowest is 0). Default 100.
    pub max_mark: u32,
    /// Weight of the vote part, in permille. Default 300.
    pub vote_weight_permille: u32,
    /// Weight of the judge part, in permille. Default 700.
    pub judge_weight_permille: u32,
}

impl Default for MonthlyStarsPolicy {
    fn default() -> Self {
        MonthlyStarsPolicy {
            winners: 10,
            votes_per_candidate_per_day: 1,
            votes_per_voter_per_day: 10,
            window_month_offset: 0,
            window_first_day: 1,
            window_last_day: 31,
            vote_mode: VoteMode::RelativeToTop,
            rank_coefficients: vec![
                RankCoefficient {
                    up_to_rank: 1,
                    permille: 1000,
                },
                RankCoefficient {
                    up_to_rank: 3,
                    permille: 800,
                },
                RankCoefficient {
                    up_to_rank: 6,
                    permille: 700,
                },
                RankCoefficient {
                    up_to_rank: 10,
                    permille: 600,
                },
            ],
            rank_coefficient_rest_permille: 500,
            capped_linear_full_votes: 1000,
            standardise_judges: false,
            trim_min_judges: 5,
            trim_each_side: 1,
            max_mark: 100,
            vote_weight_permille: 300,
            judge_weight_permille: 700,
        }
    }
}

impl MonthlyStarsPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        ensure(self.winners >= 1, "winners", "must be >= 1")?;
        ensure(
            self.votes_per_candidate_per_day >= 1,
            "votes_per_candidate_per_day",
            "must be >= 1",
        )?;
        ensure(
            self.votes_per_voter_per_day >= 1,
            "votes_per_voter_per_day",
            "must be >= 1",
        )?;
        ensure(
            self.window_month_offset <= 12,
            "window_month_offset",
            "must be <= 12",
        )?;
        ensure(
            (1..=31).contains(&self.window_first_day),
            "window_first_day",
            "must be within 1..=31",
        )?;
        ensure(
            (self.window_first_day..=31).contains(&self.window_last_day),
            "window_last_day",
            "must be within window_first_day..=31",
        )?;
        let mut prev: Option<RankCoefficient> = None;
        for (i, t) in self.rank_coefficients.iter().enumerate() {
            let f = at("rank_coefficients", i);
            ensure(
                t.permille <= 1000,
                &format!("{f}.permille"),
                "must be <= 1000",
            )?;
            match prev {
                None => ensure(
                    t.up_to_rank >= 1,
                    &format!("{f}.up_to_rank"),
                    "must be >= 1",
                )?,
                Some(p) => {
                    ensure(
                        t.up_to_rank > p.up_to_rank,
                        &format!("{f}.up_to_rank"),
                        &format!("must be greater than {}", p.up_to_rank),
                    )?;
                    ensure(
                        t.permille <= p.permille,
                        &format!("{f}.permille"),
                        &format!("must be <= {} (a lower rank never earns more)", p.permille),
                    )?;
                }
            }
            prev = Some(*t);
        }
        let last = prev.map_or(1000, |p| p.permille);
        ensure(
            self.rank_coefficient_rest_permille <= last,
            "rank_coefficient_rest_permille",
            &format!("must be <= {last} (the last tier)"),
        )?;
        ensure(
            self.capped_linear_full_votes >= 1,
            "capped_linear_full_votes",
            "must be >= 1",
        )?;
        ensure(
            self.trim_min_judges > 2 * self.trim_each_side,
            "trim_min_judges",
            "must be greater than 2 × trim_each_side (at least one mark must remain)",
        )?;
        ensure(
            (1..=1000).contains(&self.max_mark),
            "max_mark",
            "must be within 1..=1000",
        )?;
        let sum = u64::from(self.vote_weight_permille) + u64::from(self.judge_weight_permille);
        ensure(
            sum == 1000,
            "judge_weight_permille",
            &format!(
                "vote_weight_permille + judge_weight_permille must be 1000, got {} + {} = {sum}",
                self.vote_weight_permille, self.judge_weight_permille
            ),
        )?;
        Ok(())
    }

    /// The voting window `[opens, closes)` of `month` (a month period) in
    /// local time at `policy.offset()`.
    pub fn window(&self, policy: &Policy, month: Period) -> Result<VoteWindow> {
        let Period::Month { year, month: m } = month else {
            return Err(Error::invalid_input(
                "month",
                "must be a month like 2024-03",
            ));
        };
        let idx = i64::from(year) * 12 + i64::from(m) - 1 + i64::from(self.window_month_offset);
        let (y, m) = (idx.div_euclid(12) as i32, idx.rem_euclid(12) as u32 + 1);
        let last = self.window_last_day.min(days_in_month(y, m));
        let first = self.window_first_day.min(last);
        let opens = LocalDate::new(y, m, first)?;
        let closes = LocalDate::new(y, m, last)?
            .checked_add_days(1)
            .ok_or_else(|| Error::invalid_input("month", "out of range"))?;
        Ok(VoteWindow {
            opens: opens.start(policy.offset()),
            closes: closes.start(policy.offset()),
        })
    }
}

/// A half-open voting window `[opens, closes)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteWindow {
    /// First instant at which votes count.
    pub opens: Timestamp,
    /// First instant at which votes no longer count.
    pub closes: Timestamp,
}

/// One online vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vote {
    /// Client-chosen event id; a replay of the same vote is void
    /// (`duplicate`).
    pub id: u64,
    /// The voter (a platform account).
    pub voter: u64,
    /// The candidate voted for.
    pub candidate: VolunteerId,
    /// When the vote was cast.
    pub at: Timestamp,
}

/// One judge's mark for one candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mark {
    /// The judge.
    pub judge: u64,
    /// The candidate marked.
    pub candidate: VolunteerId,
    /// The mark, `0..=max_mark` (default 0–100).
    pub mark: u32,
}

/// The input of one monthly round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthlyRound {
    /// The month being selected, e.g. `2024-03`.
    pub month: Period,
    /// The candidates (volunteer ids).
    pub candidates: Vec<VolunteerId>,
    /// Raw online votes, in any order.
    #[serde(default)]
    pub votes: Vec<Vote>,
    /// Judges' marks, in any order; every candidate needs at least one.
    #[serde(default)]
    pub marks: Vec<Mark>,
    /// Vote ids voided by an audit (anomalies found by a reviewer).
    #[serde(default)]
    pub voided: Vec<u64>,
    /// Overrides the policy's voting window for this round.
    #[serde(default)]
    pub window: Option<VoteWindow>,
}

/// Why a vote does not count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoidReason {
    /// The same vote id was already counted or voided (a replay).
    Duplicate,
    /// Listed in the round's `voided` (an audited decision).
    VoidedByAudit,
    /// Its candidate is not in this round.
    UnknownCandidate,
    /// Cast outside the voting window.
    OutsideWindow,
    /// The voter already used `votes_per_candidate_per_day` on this
    /// candidate that local day.
    CandidateDayLimit,
    /// The voter already used `votes_per_voter_per_day` that local day.
    VoterDailyCap,
}

/// A vote that does not count, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoidVote {
    /// The vote id.
    pub vote: u64,
    /// The reason.
    pub reason: VoidReason,
}

/// Counted votes and void votes of a round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteTally {
    /// The window applied.
    pub window: VoteWindow,
    /// Counted votes per candidate, by candidate id (zeros included).
    pub counted: BTreeMap<VolunteerId, u64>,
    /// Total counted votes.
    pub counted_total: u64,
    /// Every void vote, by vote id then reason.
    pub void: Vec<VoidVote>,
}

/// One candidate's place and breakdown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standing {
    /// 1-based position in the total order (no shared places).
    pub place: u32,
    /// The candidate.
    pub candidate: VolunteerId,
    /// Counted votes.
    pub votes: u64,
    /// Vote part, 0–100.
    pub vote_part: Ratio,
    /// Marks received.
    pub marks: u32,
    /// Judges whose marks were trimmed, lowest mark first.
    pub dropped_judges: Vec<u64>,
    /// Trimmed mean of the kept marks (z-scores when standardised).
    pub judge_mean: Ratio,
    /// `judge_mean` to 4 decimals, for display.
    pub judge_mean_display: String,
    /// Judge part, 0–100.
    pub judge_part: Ratio,
    /// Final score, 0–100.
    pub final_score: Ratio,
    /// `final_score` to 4 decimals, for display.
    pub final_display: String,
    /// Among the first `winners`.
    pub winner: bool,
}

/// The outcome of a monthly round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthlyResult {
    /// The month selected.
    pub month: Period,
    /// Hash of the policy used.
    pub policy_hash: String,
    /// How the votes were counted.
    pub tally: VoteTally,
    /// Every candidate, best first.
    pub standings: Vec<Standing>,
    /// The stars, best first.
    pub winners: Vec<Winner>,
}

impl MonthlyResult {
    /// The stars' volunteer ids, best first (for the honours registry's
    /// `record_winners(MonthlyStar, month, ids, …)`).
    pub fn winner_ids(&self) -> Vec<VolunteerId> {
        self.winners.iter().map(|w| w.volunteer).collect()
    }
}

/// Checks the candidate list: no duplicates, not too many.
fn candidate_set(candidates: &[VolunteerId]) -> Result<BTreeSet<VolunteerId>> {
    if candidates.len() > MAX_CANDIDATES {
        return Err(Error::invalid_input(
            "candidates",
            format!("at most {MAX_CANDIDATES} candidates per round"),
        ));
    }
    let mut set = BTreeSet::new();
    for (i, &c) in candidates.iter().enumerate() {
        if !set.insert(c) {
            return Err(Error::conflict(
                at("candidates", i),
                format!("candidate {c} is listed twice"),
            ));
        }
    }
    Ok(set)
}

/// Filters and counts the votes of `round` under `policy.monthly_stars`.
///
/// ```
/// use zhiyuan::{Policy, monthly::{count_votes, MonthlyRound, Vote, VoidReason}};
/// let t = |s: &str| s.parse().unwrap();
/// let v = |id, candidate, at| Vote { id, voter: 9, candidate, at: t(at) };
/// let round = MonthlyRound {
///     month: "2024-03".parse()?,
///     candidates: vec![1, 2],
///     votes: vec![
///         v(1, 1, "2024-03-05T01:00:00Z"),
///         v(2, 1, "2024-03-05T09:00:00Z"), // same local day (CST) again
///         v(3, 1, "2024-03-05T17:00:00Z"), // 01:00 on the 6th in CST: counts
///         v(4, 2, "2024-04-01T00:00:00Z"), // 08:00 on 1 April: after the window
///     ],
///     marks: vec![], voided: vec![], window: None,
/// };
/// let tally = count_votes(&Policy::default(), &round)?;
/// assert_eq!(tally.counted[&1], 2);
/// assert_eq!(tally.void[0].reason, VoidReason::CandidateDayLimit);
/// assert_eq!(tally.void[1].reason, VoidReason::OutsideWindow);
/// # Ok::<(), zhiyuan::Error>(())
/// ```
pub fn count_votes(policy: &Policy, round: &MonthlyRound) -> Result<VoteTally> {
    let p = &policy.monthly_stars;
    if !matches!(round.month, Period::Month { .. }) {
        return Err(Error::invalid_input(
            "month",
            "must be a month like 2024-03",
        ));
    }
    let window = match round.window {
        Some(w) if w.closes <= w.opens => {
            return Err(Error::invalid_input(
                "window.closes",
                "must be after window.opens",
            ));
        }
        Some(w) => w,
        None => p.window(policy, round.month)?,
    };
    // Sorted candidate ids: a vote's candidate becomes an index into `counts`.
    let candidates: Vec<VolunteerId> = candidate_set(&round.candidates)?.into_iter().collect();
    let votes = &round.votes;
    // Replays: sort by (id, position); the first position of an id is the
    // vote, later ones with the same content are void, with other content a
    // conflict (the earliest such position is reported).
    let mut by_id: Vec<usize> = (0..votes.len()).collect();
    by_id.sort_unstable_by_key(|&i| (votes[i].id, i));
    let mut void = Vec::new();
    let mut unique: Vec<usize> = Vec::with_capacity(votes.len());
    let mut conflict: Option<(usize, usize)> = None;
    for &i in &by_id {
        match unique.last() {
            Some(&j) if votes[j].id == votes[i].id => {
                if votes[j] == votes[i] {
                    void.push(VoidVote {
                        vote: votes[i].id,
                        reason: VoidReason::Duplicate,
                    });
                } else if conflict.is_none_or(|(c, _)| i < c) {
                    conflict = Some((i, j));
                }
            }
            _ => unique.push(i),
        }
    }
    if let Some((i, j)) = conflict {
        return Err(Error::conflict(
            format!("{}.id", at("votes", i)),
            format!(
                "vote {} differs from votes[{j}] with the same id",
                votes[i].id
            ),
        ));
    }
    // `unique` is sorted by id.
    let mut audited = Vec::with_capacity(round.voided.len());
    for (i, &id) in round.voided.iter().enumerate() {
        if unique.binary_search_by_key(&id, |&k| votes[k].id).is_err() {
            return Err(Error::not_found(
                at("voided", i),
                format!("unknown vote {id}"),
            ));
        }
        audited.push(id);
    }
    audited.sort_unstable();
    // Reasons that do not depend on other votes first; the rest compete for
    // the caps.
    let offset = policy.offset();
    let mut open: Vec<(u64, LocalDate, Timestamp, u64, usize)> = Vec::with_capacity(unique.len());
    for &k in &unique {
        let v = &votes[k];
        let reason = if audited.binary_search(&v.id).is_ok() {
            Some(VoidReason::VoidedByAudit)
        } else if candidates.binary_search(&v.candidate).is_err() {
            Some(VoidReason::UnknownCandidate)
        } else if v.at < window.opens || v.at >= window.closes {
            Some(VoidReason::OutsideWindow)
        } else {
            None
        };
        match reason {
            Some(reason) => void.push(VoidVote { vote: v.id, reason }),
            None => open.push((v.voter, v.at.local_date(offset), v.at, v.id, k)),
        }
    }
    // Both caps are per (voter, local day), so each such group is counted on
    // its own, in (time, id) order: the earliest votes use the caps first.
    open.sort_unstable();
    let mut counts = vec![0u64; candidates.len()];
    let mut counted_total = 0;
    let mut group: Vec<(VolunteerId, u32)> = Vec::new();
    let mut used = 0u32;
    for (n, &(voter, day, _, id, k)) in open.iter().enumerate() {
        if n == 0 || (open[n - 1].0, open[n - 1].1) != (voter, day) {
            group.clear();
            used = 0;
        }
        let c = votes[k].candidate;
        let per_candidate = group.iter().find(|g| g.0 == c).map_or(0, |g| g.1);
        let reason = if per_candidate >= p.votes_per_candidate_per_day {
            Some(VoidReason::CandidateDayLimit)
        } else if used >= p.votes_per_voter_per_day {
            Some(VoidReason::VoterDailyCap)
        } else {
            None
        };
        match reason {
            Some(reason) => void.push(VoidVote { vote: id, reason }),
            None => {
                match group.iter_mut().find(|g| g.0 == c) {
                    Some(g) => g.1 += 1,
                    None => group.push((c, 1)),
                }
                used += 1;
                if let Ok(ci) = candidates.binary_search(&c) {
                    counts[ci] += 1;
                }
                counted_total += 1;
            }
        }
    }
    void.sort_unstable_by_key(|v| (v.vote, v.reason));
    Ok(VoteTally {
        window,
        counted: candidates.into_iter().zip(counts).collect(),
        counted_total,
        void,
    })
}

/// A candidate's judge score: trimmed mean and its 0–100 part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgeScore {
    /// The candidate.
    pub candidate: VolunteerId,
    /// Marks received.
    pub marks: u32,
    /// Judges whose marks were trimmed, lowest first.
    pub dropped_judges: Vec<u64>,
    /// Trimmed mean of marks, or of z-scores when standardised.
    pub mean: Ratio,
    /// The judge part, 0–100.
    pub part: Ratio,
}

/// Each candidate's judge score under `policy.monthly_stars`, by candidate
/// id. Checks the marks (known candidate, in range, one per judge and
/// candidate, every candidate marked).
///
/// With `standardise_judges`, judge `j`'s mark `x` on the `m` candidates
/// they marked becomes `z = d · √(m / S)` where `d = m·x − Σx` and `S = Σd²`
/// (the population z-score). It is kept in fixed point, units of 10⁻⁹,
/// rounded to nearest with halves away from zero, computed exactly as
/// `sign(d) · round(√(10¹⁸ · d² · m / S))` by an integer square root. Since
/// that radicand is unchanged when a judge's marks are all replaced by
/// `a·x + b` (`a > 0`), so are the z-scores, to the last digit. A judge
/// whose marks are all equal contributes z = 0.
///
/// ```
/// use zhiyuan::{Policy, PolicySpec, monthly::{judge_scores, Mark}};
/// // domain-rules §5.2: five judges, four candidates, marks 0–10.
/// let table = [[9, 8, 7, 6], [6, 5, 4, 3], [10, 9, 9, 2], [7, 7, 6, 6], [8, 6, 7, 5]];
/// let marks: Vec<Mark> = table.iter().enumerate().flat_map(|(j, row)| {
///     row.iter().enumerate().map(move |(c, &mark)| {
///         Mark { judge: j as u64 + 1, candidate: c as u64 + 1, mark }
///     })
/// }).collect();
/// let mut spec = PolicySpec::default();
/// spec.monthly_stars.max_mark = 10;
/// let raw = judge_scores(&Policy::new(spec.clone())?, &[1, 2, 3, 4], &marks)?;
/// let shown: Vec<String> = raw.iter().map(|s| s.mean.to_decimal(4)).collect();
/// assert_eq!(shown, ["8.0000", "7.0000", "6.6667", "4.6667"]);
/// spec.monthly_stars.standardise_judges = true;
/// let z = judge_scores(&Policy::new(spec)?, &[1, 2, 3, 4], &marks)?;
/// let shown: Vec<String> = z.iter().map(|s| s.mean.to_decimal(4)).collect();
/// assert_eq!(shown, ["1.2278", "0.4543", "-0.1491", "-1.3416"]);
/// # Ok::<(), zhiyuan::Error>(())
/// ```
pub fn judge_scores(
    policy: &Policy,
    candidates: &[VolunteerId],
    marks: &[Mark],
) -> Result<Vec<JudgeScore>> {
    let p = &policy.monthly_stars;
    let set = candidate_set(candidates)?;
    let mut by_pair: BTreeMap<(u64, VolunteerId), u32> = BTreeMap::new();
    for (i, m) in marks.iter().enumerate() {
        let f = at("marks", i);
        if !set.contains(&m.candidate) {
            return Err(Error::not_found(
                format!("{f}.candidate"),
                format!("unknown candidate {}", m.candidate),
            ));
        }
        if m.mark > p.max_mark {
            return Err(Error::invalid_input(
                format!("{f}.mark"),
                format!("must be within 0..={}, got {}", p.max_mark, m.mark),
            ));
        }
        if by_pair.insert((m.judge, m.candidate), m.mark).is_some() {
            return Err(Error::conflict(
                format!("{f}.judge"),
                format!("judge {} marked candidate {} twice", m.judge, m.candidate),
            ));
        }
    }
    // Each candidate's (score, judge) list; scores are marks or z-scores in
    // units of 10⁻⁹.
    let mut per_candidate: BTreeMap<VolunteerId, Vec<(i128, u64)>> =
        set.iter().map(|&c| (c, Vec::new())).collect();
    if p.standardise_judges {
        let mut per_judge: BTreeMap<u64, Vec<(VolunteerId, u32)>> = BTreeMap::new();
        for (&(j, c), &x) in &by_pair {
            per_judge.entry(j).or_default().push((c, x));
        }
        for (j, xs) in per_judge {
            for (c, z) in z_scores(&xs)? {
                per_candidate.entry(c).or_default().push((z, j));
            }
        }
    } else {
        for (&(j, c), &x) in &by_pair {
            per_candidate.entry(c).or_default().push((i128::from(x), j));
        }
    }
    let mut out = Vec::with_capacity(set.len());
    for (i, &c) in candidates.iter().enumerate() {
        let Some(mut xs) = per_candidate.remove(&c) else {
            continue;
        };
        if xs.is_empty() {
            return Err(Error::invalid_input(
                at("candidates", i),
                format!("candidate {c} has no judges' marks"),
            ));
        }
        // Ties among equal marks: the lower judge id counts as lower, so the
        // dropped judges are determined.
        xs.sort_unstable();
        let n = xs.len();
        let trim = if n >= p.trim_min_judges as usize {
            p.trim_each_side as usize
        } else {
            0
        };
        let kept = &xs[trim..n - trim];
        let mut dropped: Vec<u64> = xs[..trim].iter().map(|x| x.1).collect();
        dropped.extend(xs[n - trim..].iter().map(|x| x.1));
        let sum: i128 = kept.iter().map(|x| x.0).sum();
        let k = kept.len() as i128;
        let (mean, part) = if p.standardise_judges {
            let mean = Ratio::new(sum, k * Z_SCALE)?;
            // T-score 50 + 10 z̄, clamped to the 0–100 scale of the blend.
            let t = mean
                .checked_scale(10, 1)?
                .checked_add(Ratio::integer(50))?
                .max(Ratio::ZERO)
                .min(Ratio::integer(100));
            (mean, t)
        } else {
            let mean = Ratio::new(sum, k)?;
            (mean, mean.checked_scale(100, i128::from(p.max_mark))?)
        };
        out.push(JudgeScore {
            candidate: c,
            marks: n as u32,
            dropped_judges: dropped,
            mean,
            part,
        });
    }
    out.sort_by_key(|s| s.candidate);
    Ok(out)
}

/// One judge's z-scores in units of 10⁻⁹ (see [`judge_scores`]).
fn z_scores(xs: &[(VolunteerId, u32)]) -> Result<Vec<(VolunteerId, i128)>> {
    let overflow = || Error::invalid_input("marks", "arithmetic overflow in z-scores");
    let m = xs.len() as u128;
    let total: i128 = xs.iter().map(|x| i128::from(x.1)).sum();
    let ds: Vec<i128> = xs
        .iter()
        .map(|x| m as i128 * i128::from(x.1) - total)
        .collect();
    let s: u128 = ds.iter().map(|d| d.unsigned_abs().pow(2)).sum();
    let mut out = Vec::with_capacity(xs.len());
    for (x, &d) in xs.iter().zip(&ds) {
        if s == 0 || d == 0 {
            out.push((x.0, 0));
            continue;
        }
        let scale = (Z_SCALE as u128) * (Z_SCALE as u128);
        let a = scale
            .checked_mul(d.unsigned_abs().pow(2))
            .and_then(|v| v.checked_mul(m))
            .ok_or_else(overflow)?;
        let n = (a / s).isqrt();
        // Round half up: √(a/s) ≥ n + ½  ⇔  4a ≥ (2n + 1)² · s.
        let twice = 2 * n + 1;
        let lhs = a.checked_mul(4).ok_or_else(overflow)?;
        let rhs = twice
            .checked_mul(twice)
            .and_then(|v| v.checked_mul(s))
            .ok_or_else(overflow)?;
        let mag = if lhs >= rhs { n + 1 } else { n } as i128;
        out.push((x.0, if d < 0 { -mag } else { mag }));
    }
    Ok(out)
}

/// The vote part (0–100) of every candidate, by candidate id.
fn vote_parts(
    p: &crate::monthly::MonthlyStarsPolicy,
    counted: &BTreeMap<VolunteerId, u64>,
) -> Result<BTreeMap<VolunteerId, Ratio>> {
    let top = counted.values().copied().max().unwrap_or(0);
    let mut out = BTreeMap::new();
    for (&c, &v) in counted {
        let part = match p.vote_mode {
            VoteMode::RelativeToTop if top == 0 => Ratio::ZERO,
            VoteMode::RelativeToTop => Ratio::new(i128::from(v) * 100, i128::from(top))?,
            VoteMode::CappedLinear => {
                let full = p.capped_linear_full_votes;
                Ratio::new(i128::from(v.min(full)) * 100, i128::from(full))?
            }
            VoteMode::RankCoefficient => {
                // Competition ranking: equal votes share the better rank.
                let rank = 1 + counted.values().filter(|&&w| w > v).count() as u64;
                let permille = if v == 0 {
                    p.rank_coefficient_rest_permille
                } else {
                    p.rank_coefficients
                        .iter()
                        .find(|t| rank <= u64::from(t.up_to_rank))
                        .map_or(p.rank_coefficient_rest_permille, |t| t.permille)
                };
                Ratio::new(i128::from(permille), 10)?
            }
        };
        out.insert(c, part);
    }
    Ok(out)
}

/// The total order of standings: final desc, judge part desc, vote part
/// desc, candidate id asc.
fn standing_order(a: &Standing, b: &Standing) -> Ordering {
    b.final_score
        .cmp(&a.final_score)
        .then(b.judge_part.cmp(&a.judge_part))
        .then(b.vote_part.cmp(&a.vote_part))
        .then(a.candidate.cmp(&b.candidate))
}

/// Runs a monthly round: counts votes, scores judges' marks, blends and
/// ranks. See the module docs for the rules.
///
/// Errors: a month that is not a month period, a window that closes before
/// it opens, a candidate listed twice, more than [`MAX_CANDIDATES`], a vote
/// id reused with different content (Conflict), an audited id that is no
/// vote (NotFound), a mark out of range, for an unknown candidate or given
/// twice, a candidate without marks.
pub fn monthly_stars(policy: &Policy, round: &MonthlyRound) -> Result<MonthlyResult> {
    let p = &policy.monthly_stars;
    let tally = count_votes(policy, round)?;
    let judges = judge_scores(policy, &round.candidates, &round.marks)?;
    let votes = vote_parts(p, &tally.counted)?;
    let (wv, wj) = (
        i128::from(p.vote_weight_permille),
        i128::from(p.judge_weight_permille),
    );
    let mut standings = Vec::with_capacity(judges.len());
    for j in judges {
        let v = votes.get(&j.candidate).copied().unwrap_or(Ratio::ZERO);
        let final_score = v
            .checked_scale(wv, 1000)?
            .checked_add(j.part.checked_scale(wj, 1000)?)?;
        standings.push(Standing {
            place: 0,
            candidate: j.candidate,
            votes: tally.counted.get(&j.candidate).copied().unwrap_or(0),
            vote_part: v,
            marks: j.marks,
            dropped_judges: j.dropped_judges,
            judge_mean: j.mean,
            judge_mean_display: j.mean.to_decimal(4),
            judge_part: j.part,
            final_score,
            final_display: final_score.to_decimal(4),
            winner: false,
        });
    }
    standings.sort_by(standing_order);
    let mut winners = Vec::new();
    for (i, s) in standings.iter_mut().enumerate() {
        s.place = i as u32 + 1;
        s.winner = s.place <= p.winners;
        if s.winner {
            winners.push(Winner {
                volunteer: s.candidate,
                kind: SelectionKind::MonthlyStar,
                period: round.month,
            });
        }
    }
    Ok(MonthlyResult {
        month: round.month,
        policy_hash: policy.hash().to_owned(),
        tally,
        standings,
        winners,
    })
}
