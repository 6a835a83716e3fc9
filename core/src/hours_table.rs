//! Batch kernels over service records held as columns.
//!
//! A data team's export of service records arrives as columns (Arrow from
//! Python, arrays from C): [`RecordColumns`] borrows them without a copy.
//! Three kernels read them, each multi-threaded under a caller-chosen
//! [`Threads`] and byte-identical for any thread count and any row order:
//!
//! - [`hours_by_period`]: approved service minutes per volunteer per local
//!   day / ISO week / month / year ([`HoursByPeriod`]); partials of any row
//!   partition merge exactly with [`merge_hours_by_period`];
//! - [`unit_minutes`]: approved service minutes per unit, own and rolled up
//!   through the [`UnitTree`] ([`UnitMinutes`]); merged with
//!   [`merge_unit_minutes`];
//! - [`find_overlaps`]: which live record overlaps which earlier one of the
//!   same volunteer ([`Overlaps`]); partition rows by volunteer to scale out.
//!
//! Counting follows the ledger: a row counts when its status is approved
//! (when a status column is given) and its kind is service (when a kind
//! column is given); its minutes are `floor((end − start) / 1 min)`
//! ([`ServiceRecord::minutes`](crate::hours::ServiceRecord::minutes)), all
//! credited to the local period holding its start, cut at
//! [`Policy::offset`] (UTC+08:00 by default, domain-rules §1).
//!
//! ```
//! use zhiyuan::hours_table::{RecordColumns, hours_by_period, find_overlaps};
//! use zhiyuan::threads::Threads;
//! use zhiyuan::time::{Grain, Timestamp};
//! use zhiyuan::Policy;
//!
//! let t = |s: &str| s.parse::<Timestamp>().map(Timestamp::as_micros);
//! // Volunteer 7 serves Sunday evening and Monday morning (Beijing time):
//! // two ISO weeks. The second record starts inside the first.
//! let start = [t("2024-03-10T11:00:00Z")?, t("2024-03-10T16:30:00Z")?];
//! let end = [t("2024-03-10T17:00:00Z")?, t("2024-03-10T18:00:00Z")?];
//! let cols = RecordColumns {
//!     id: &[1, 2],
//!     volunteer: &[7, 7],
//!     unit: &[1, 1],
//!     start: &start,
//!     end: &end,
//!     status: None,
//!     kind: None,
//! };
//! let weeks = hours_by_period(&Policy::default(), &cols, Grain::Week, Threads::Global)?;
//! // 2024-W10 opens Monday 4 March at 00:00+08:00 (Sunday 16:00Z).
//! assert_eq!(weeks.minutes, vec![360, 90]);
//! assert_eq!(weeks.period_start[0], t("2024-03-03T16:00:00Z")?);
//! let overlaps = find_overlaps(&cols, Threads::exactly(2)?)?;
//! assert_eq!((overlaps.id[0], overlaps.overlaps[0]), (2, 1));
//! # Ok::<(), zhiyuan::Error>(())
//! ```
//!
//! How it is fast: rows are range-partitioned on the volunteer id into a
//! few thousand buckets (each thread scatters its own chunk, so no locks
//! and no shared writes), then each bucket is counting-sorted by volunteer
//! inside the cache and reduced. Buckets are disjoint, ordered volunteer
//! ranges, so concatenating their results in bucket order is the sorted
//! output; nothing depends on which thread did what. Periods are computed
//! arithmetically from microseconds, never through calendar objects.

use crate::error::{Error, Result};
use crate::hours::{RecordKind, RecordStatus};
use crate::labels::Labels;
use crate::policy::Policy;
use crate::threads::{self, Threads};
use crate::time::{Grain, LocalDate, MICROS_PER_DAY, MICROS_PER_MINUTE, Timestamp};
use crate::units::UnitTree;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Service records as borrowed columns, one row per record.
///
/// Times are microseconds since the Unix epoch, UTC (the Arrow
/// `timestamp[us, UTC]` layout). `status` and `kind` are optional: without
/// a status column every row is taken as approved (and, for overlaps, live);
/// without a kind column every row is service. A kernel reads only the
/// columns it needs (see each function); the others may be empty.
#[derive(Clone, Copy, Debug, Default)]
pub struct RecordColumns<'a> {
    /// Record ids (read by [`find_overlaps`]).
    pub id: &'a [u64],
    /// Volunteers (read by [`hours_by_period`] and [`find_overlaps`]).
    pub volunteer: &'a [u64],
    /// Recording units (read by [`unit_minutes`]).
    pub unit: &'a [u64],
    /// Starts, inclusive, µs UTC.
    pub start: &'a [i64],
    /// Ends, exclusive, µs UTC; never before the start.
    pub end: &'a [i64],
    /// Statuses, if the table has them (values or dictionary codes).
    pub status: Option<Labels<'a, RecordStatus>>,
    /// Kinds, if the table has them (values or dictionary codes).
    pub kind: Option<Labels<'a, RecordKind>>,
}

/// Owned [`RecordColumns`], the serde (golden-vector) form: times as RFC
/// 3339 strings, statuses and kinds as snake_case strings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordTable {
    /// Record ids.
    #[serde(default)]
    pub id: Vec<u64>,
    /// Volunteers.
    #[serde(default)]
    pub volunteer: Vec<u64>,
    /// Recording units.
    #[serde(default)]
    pub unit: Vec<u64>,
    /// Starts, µs UTC.
    #[serde(with = "crate::leaderboard::ts_vec")]
    pub start: Vec<i64>,
    /// Ends, µs UTC.
    #[serde(with = "crate::leaderboard::ts_vec")]
    pub end: Vec<i64>,
    /// Statuses, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Vec<RecordStatus>>,
    /// Kinds, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Vec<RecordKind>>,
}

impl RecordTable {
    /// Borrowed columns.
    pub fn columns(&self) -> RecordColumns<'_> {
        RecordColumns {
            id: &self.id,
            volunteer: &self.volunteer,
            unit: &self.unit,
            start: &self.start,
            end: &self.end,
            status: self.status.as_deref().map(Labels::from),
            kind: self.kind.as_deref().map(Labels::from),
        }
    }
}

impl RecordStatus {
    /// The code of this status in columnar C input: 0 submitted,
    /// 1 approved, 2 rejected, 3 revoked.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Every status, indexed by its code: the table of labels for
    /// [`Labels::Coded`] columns of these codes.
    pub const BY_CODE: [RecordStatus; 4] = [
        RecordStatus::Submitted,
        RecordStatus::Approved,
        RecordStatus::Rejected,
        RecordStatus::Revoked,
    ];

    /// The status of a code, if valid (see [`RecordStatus::code`]).
    pub fn from_code(code: u8) -> Option<Self> {
        Self::BY_CODE.get(usize::from(code)).copied()
    }
}

impl RecordKind {
    /// The code of this kind in columnar C input: 0 service, 1 training.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Every kind, indexed by its code (see [`RecordStatus::BY_CODE`]).
    pub const BY_CODE: [RecordKind; 2] = [RecordKind::Service, RecordKind::Training];

    /// The kind of a code, if valid (see [`RecordKind::code`]).
    pub fn from_code(code: u8) -> Option<Self> {
        Self::BY_CODE.get(usize::from(code)).copied()
    }
}

/// Approved service minutes per volunteer and local period, sorted by
/// (volunteer, period_start). One row per (volunteer, period) with at
/// least one counted record (0 when all its records are under a minute).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoursByPeriod {
    /// Volunteers.
    pub volunteer: Vec<u64>,
    /// The instant (µs UTC) of the local midnight opening each period.
    #[serde(with = "crate::leaderboard::ts_vec")]
    pub period_start: Vec<i64>,
    /// Minutes.
    pub minutes: Vec<i64>,
}

impl HoursByPeriod {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.volunteer.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.volunteer.is_empty()
    }
}

/// Approved service minutes per unit of a tree, sorted by unit id, every
/// unit present (zeros included).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitMinutes {
    /// Units, ascending.
    pub unit: Vec<u64>,
    /// Minutes of records whose recording unit is this unit.
    pub own_minutes: Vec<i64>,
    /// Own minutes plus those of every unit below.
    pub total_minutes: Vec<i64>,
}

/// Overlapping records, one row per record that starts before an earlier
/// record of the same volunteer ends, sorted by (volunteer, start, id).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overlaps {
    /// Volunteers.
    pub volunteer: Vec<u64>,
    /// The overlapping record.
    pub id: Vec<u64>,
    /// The earlier record it overlaps: the one with the latest end, ties to
    /// the earliest in (start, id) order.
    pub overlaps: Vec<u64>,
}

// ---------------------------------------------------------------- validation

/// Rows per validation or scatter chunk at least; smaller inputs run on one
/// thread, where spawning costs more than it saves.
const MIN_CHUNK: usize = 1 << 15;

/// Rows per chunk at most, so that a chunk's minutes (each record < 2^33
/// minutes) sum below 2^62 without per-row overflow checks.
const MAX_CHUNK: usize = 1 << 29;

/// Rows per block: the unit of per-row masks, small enough for the stack
/// and the L1 cache.
const BLOCK: usize = 2048;

/// Splits `0..n` into contiguous chunks, a few per thread.
fn chunks(n: usize) -> Vec<Range<usize>> {
    let want = (rayon::current_num_threads() * 2).max(1);
    let size = n.div_ceil(want).clamp(MIN_CHUNK, MAX_CHUNK);
    (0..n.div_ceil(size).max(1))
        .map(|i| i * size..((i + 1) * size).min(n))
        .collect()
}

/// Runs `check` on every chunk in parallel and returns the error of the
/// lowest row: each chunk stops at its own first bad row, and the earliest
/// chunk with an error wins, so the answer does not depend on threads.
fn first_error(n: usize, check: impl Fn(Range<usize>) -> Result<()> + Sync) -> Result<()> {
    chunks(n)
        .into_par_iter()
        .map(&check)
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

fn same_len(name: &str, len: usize, first: &str, n: usize) -> Result<()> {
    if len == n {
        Ok(())
    } else {
        Err(Error::invalid_input(
            name,
            format!("{len} rows, but {first} has {n}"),
        ))
    }
}

fn optional_len<T: Copy>(
    name: &str,
    col: Option<Labels<'_, T>>,
    first: &str,
    n: usize,
) -> Result<()> {
    col.map_or(Ok(()), |c| same_len(name, c.len(), first, n))
}

/// Every dictionary code of `status` and `kind` indexes its table (a
/// separate pass, so which error wins never depends on chunking).
fn check_labels(cols: &RecordColumns<'_>, n: usize, with_kind: bool) -> Result<()> {
    if let Some(s) = cols.status {
        first_error(n, |rows| s.check("status", rows))?;
    }
    if let Some(k) = cols.kind.filter(|_| with_kind) {
        first_error(n, |rows| k.check("kind", rows))?;
    }
    Ok(())
}

/// Checks the lengths of the columns a kernel reads (`keys`, then start,
/// end, status, kind) against the first of them.
fn check_lengths(cols: &RecordColumns<'_>, keys: &[(&str, &[u64])]) -> Result<usize> {
    let (first, n) = keys
        .first()
        .map_or(("start", cols.start.len()), |(name, c)| (*name, c.len()));
    for (name, c) in keys {
        same_len(name, c.len(), first, n)?;
    }
    same_len("start", cols.start.len(), first, n)?;
    same_len("end", cols.end.len(), first, n)?;
    optional_len("status", cols.status, first, n)?;
    optional_len("kind", cols.kind, first, n)?;
    Ok(n)
}

/// The instant bounds: every start and end must be a valid [`Timestamp`]
/// (years 1–9999), and no record may end before it starts.
fn check_times(cols: &RecordColumns<'_>, rows: Range<usize>) -> Result<()> {
    let (lo, hi) = (Timestamp::MIN.as_micros(), Timestamp::MAX.as_micros());
    // start ≥ lo, end ≥ start and end ≤ hi bound both; no early exit, so
    // the scan vectorises, and the (rare) bad row is found afterwards.
    let bad = |s: i64, e: i64| (e < s) | (s < lo) | (e > hi);
    let (starts, ends) = (&cols.start[rows.clone()], &cols.end[rows.clone()]);
    if !starts
        .iter()
        .zip(ends)
        .fold(false, |acc, (&s, &e)| acc | bad(s, e))
    {
        return Ok(());
    }
    match rows.into_iter().find(|&r| bad(cols.start[r], cols.end[r])) {
        Some(row) => Err(time_error(cols, row)),
        None => Ok(()),
    }
}

#[cold]
fn time_error(cols: &RecordColumns<'_>, row: usize) -> Error {
    let (s, e) = (cols.start[row], cols.end[row]);
    if let Err(err) = Timestamp::from_micros(s) {
        return Error::invalid_input(format!("start[{row}]"), err.reason());
    }
    if let Err(err) = Timestamp::from_micros(e) {
        return Error::invalid_input(format!("end[{row}]"), err.reason());
    }
    Error::invalid_input(
        format!("end[{row}]"),
        format!(
            "{} is before start {}",
            Timestamp::from_micros(e).map_or_else(|_| e.to_string(), |t| t.to_string()),
            Timestamp::from_micros(s).map_or_else(|_| s.to_string(), |t| t.to_string()),
        ),
    )
}

/// Whether row `row` counts towards approved service minutes.
#[inline]
fn counted(cols: &RecordColumns<'_>, row: usize) -> bool {
    cols.status
        .is_none_or(|s| s.get(row) == Some(RecordStatus::Approved))
        && cols
            .kind
            .is_none_or(|k| k.get(row) == Some(RecordKind::Service))
}

/// `rows` in blocks of at most [`BLOCK`].
fn blocks(rows: Range<usize>) -> impl Iterator<Item = Range<usize>> {
    let end = rows.end;
    rows.step_by(BLOCK).map(move |s| s..(s + BLOCK).min(end))
}

/// [`counted`] for a block of rows at once: `keep[i]` for row
/// `rows.start + i` (`keep` as long as `rows`).
fn counted_mask(cols: &RecordColumns<'_>, rows: Range<usize>, keep: &mut [bool]) {
    keep.fill(true);
    if let Some(s) = cols.status {
        s.retain(rows.clone(), |x| x == RecordStatus::Approved, keep);
    }
    if let Some(k) = cols.kind {
        k.retain(rows, |x| x == RecordKind::Service, keep);
    }
}

/// Whether row `row` occupies its volunteer's time (submitted or approved,
/// and not zero-length).
#[inline]
fn live(cols: &RecordColumns<'_>, row: usize) -> bool {
    cols.status
        .is_none_or(|s| s.get(row).is_some_and(RecordStatus::is_live))
        && cols.start[row] < cols.end[row]
}

#[inline]
fn minutes(cols: &RecordColumns<'_>, row: usize) -> i64 {
    (cols.end[row] - cols.start[row]) / MICROS_PER_MINUTE
}

fn min_max(xs: &[u64]) -> Option<(u64, u64)> {
    xs.par_chunks(MIN_CHUNK)
        .map(|c| {
            c.iter()
                .fold((u64::MAX, u64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)))
        })
        .reduce_with(|a, b| (a.0.min(b.0), a.1.max(b.1)))
}

fn overflow(field: String) -> Error {
    Error::invalid_input(field, "total minutes overflow a 64-bit integer")
}

// ---------------------------------------------------------------- periods

/// Local calendar arithmetic on day numbers (days since 1970-01-01), so a
/// row costs a few integer operations and no calendar object.
#[derive(Clone, Copy)]
struct PeriodCut {
    grain: Grain,
    offset_us: i64,
}

impl PeriodCut {
    fn new(policy: &Policy, grain: Grain) -> Self {
        PeriodCut {
            grain,
            offset_us: i64::from(policy.offset().minutes()) * MICROS_PER_MINUTE,
        }
    }

    /// The day number of the local midnight opening the period holding
    /// instant `us`.
    #[inline]
    fn period_day(self, us: i64) -> i32 {
        // In range: `us` is a valid Timestamp, so the local day fits i32.
        let d = (us + self.offset_us).div_euclid(MICROS_PER_DAY) as i32;
        match self.grain {
            Grain::Day => d,
            // 1970-01-01 was a Thursday: (d + 3) mod 7 is days since Monday.
            Grain::Week => d - (d + 3).rem_euclid(7),
            Grain::Month => d - (LocalDate::from_days(d).day() as i32 - 1),
            Grain::Year => days_from_civil(LocalDate::from_days(d).year(), 1, 1),
        }
    }

    /// The instant (µs UTC) at which local day `day` starts.
    fn instant(self, day: i32) -> i64 {
        i64::from(day) * MICROS_PER_DAY - self.offset_us
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// days_from_civil), valid for year 0 too, which the local day of
/// 0001-01-01T00:00Z reaches at a negative offset.
fn days_from_civil(y: i32, m: i32, d: i32) -> i32 {
    let y = y - i32::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

// ---------------------------------------------------------------- partitioning

/// How volunteer ids map to buckets: `(v - lo) >> shift`, so bucket `b`
/// holds a contiguous id range and buckets are in id order.
#[derive(Clone, Copy)]
struct Plan {
    lo: u64,
    shift: u32,
    buckets: usize,
}

impl Plan {
    fn new(lo: u64, hi: u64, rows: usize) -> Plan {
        // About 4096 rows a bucket: a bucket's entries and its counting
        // array then sit in L2.
        let want = (rows / 4096).clamp(1, 1 << 12).next_power_of_two();
        let range_bits = 64 - (hi - lo).leading_zeros();
        let bucket_bits = want.trailing_zeros().min(range_bits);
        Plan {
            lo,
            shift: range_bits - bucket_bits,
            buckets: 1 << bucket_bits,
        }
    }

    #[inline]
    fn bucket(self, v: u64) -> usize {
        // A shift of 64 (one bucket over the whole u64 range) puts all in 0.
        (v - self.lo).checked_shr(self.shift).unwrap_or(0) as usize
    }

    /// The offset of `v` inside its bucket.
    #[inline]
    fn low(self, v: u64) -> usize {
        let mask = 1u64.checked_shl(self.shift).map_or(u64::MAX, |b| b - 1);
        ((v - self.lo) & mask) as usize
    }
}

/// The entries one chunk scattered, grouped by bucket.
struct Scattered<E> {
    data: Vec<E>,
    /// `starts[b]..starts[b + 1]` are bucket `b`'s entries.
    starts: Vec<usize>,
}

/// Scatters the rows `keep` accepts into buckets of their volunteer, chunk
/// by chunk in parallel. Each chunk writes only its own buffer.
fn scatter<E: Copy + Default + Send>(
    n: usize,
    volunteer: &[u64],
    plan: Plan,
    keep: impl Fn(usize) -> bool + Sync,
    make: impl Fn(usize) -> E + Sync,
) -> Vec<Scattered<E>> {
    chunks(n)
        .into_par_iter()
        .map(|rows| {
            let mut starts = vec![0usize; plan.buckets + 1];
            for row in rows.clone() {
                if keep(row) {
                    starts[plan.bucket(volunteer[row]) + 1] += 1;
                }
            }
            for b in 0..plan.buckets {
                starts[b + 1] += starts[b];
            }
            let mut data = vec![E::default(); starts[plan.buckets]];
            let mut cursor = starts.clone();
            for row in rows {
                if keep(row) {
                    let b = plan.bucket(volunteer[row]);
                    data[cursor[b]] = make(row);
                    cursor[b] += 1;
                }
            }
            Scattered { data, starts }
        })
        .collect()
}

/// Gathers bucket `b` from every chunk and sorts it by volunteer (and then
/// by `order`), counting-sorting on the id offset when the bucket's id
/// range is small, else comparison-sorting.
fn gather_sorted<E: Copy + Default, K: Ord>(
    parts: &[Scattered<E>],
    b: usize,
    plan: Plan,
    volunteer: impl Fn(&E) -> u64,
    order: impl Fn(&E) -> K + Copy,
) -> Vec<E> {
    let len: usize = parts.iter().map(|p| p.starts[b + 1] - p.starts[b]).sum();
    let slices = parts.iter().map(|p| &p.data[p.starts[b]..p.starts[b + 1]]);
    let span = 1usize.checked_shl(plan.shift).unwrap_or(usize::MAX);
    if span > 4 * len + 64 {
        let mut all: Vec<E> = slices.flatten().copied().collect();
        all.sort_unstable_by_key(|x| (volunteer(x), order(x)));
        return all;
    }
    let mut starts = vec![0usize; span + 1];
    for e in slices.clone().flatten() {
        starts[plan.low(volunteer(e)) + 1] += 1;
    }
    for i in 0..span {
        starts[i + 1] += starts[i];
    }
    let mut out = vec![E::default(); len];
    let mut cursor = starts.clone();
    for e in slices.flatten() {
        let i = plan.low(volunteer(e));
        out[cursor[i]] = *e;
        cursor[i] += 1;
    }
    for w in starts.windows(2) {
        if w[1] - w[0] > 1 {
            out[w[0]..w[1]].sort_unstable_by_key(order);
        }
    }
    out
}

/// Runs `each` on every bucket in parallel; the outputs are in bucket
/// (volunteer id) order.
fn per_bucket<O: Send>(plan: Plan, each: impl Fn(usize) -> O + Sync) -> Vec<O> {
    (0..plan.buckets).into_par_iter().map(&each).collect()
}

// ---------------------------------------------------------------- kernel a

#[derive(Clone, Copy, Default)]
struct PeriodEntry {
    volunteer: u64,
    minutes: i64,
    day: i32,
}

/// Approved service minutes per volunteer per local period of `grain`.
///
/// Reads `volunteer`, `start`, `end`, and `status` / `kind` when present.
/// Errors (`InvalidInput`, naming the column and the lowest bad row), in
/// this order: a column of another length than `volunteer`; a `status` or
/// `kind` code outside its table of labels ([`Labels::check`]); a start or
/// end outside years 1–9999; `end[row]` before its start.
pub fn hours_by_period(
    policy: &Policy,
    cols: &RecordColumns<'_>,
    grain: Grain,
    threads: Threads,
) -> Result<HoursByPeriod> {
    threads::run(threads, || hours_by_period_in_pool(policy, cols, grain))?
}

fn hours_by_period_in_pool(
    policy: &Policy,
    cols: &RecordColumns<'_>,
    grain: Grain,
) -> Result<HoursByPeriod> {
    let n = check_lengths(cols, &[("volunteer", cols.volunteer)])?;
    check_labels(cols, n, true)?;
    first_error(n, |rows| check_times(cols, rows))?;
    let Some((lo, hi)) = min_max(cols.volunteer) else {
        return Ok(HoursByPeriod::default());
    };
    let cut = PeriodCut::new(policy, grain);
    let plan = Plan::new(lo, hi, n);
    let parts = scatter(
        n,
        cols.volunteer,
        plan,
        |row| counted(cols, row),
        |row| PeriodEntry {
            volunteer: cols.volunteer[row],
            minutes: minutes(cols, row),
            day: cut.period_day(cols.start[row]),
        },
    );
    let groups = per_bucket(plan, |b| {
        let sorted = gather_sorted(&parts, b, plan, |e| e.volunteer, |e| e.day);
        reduce_periods(&sorted)
    });
    let groups = groups.into_iter().collect::<Result<Vec<_>>>()?;
    let len = groups.iter().map(Vec::len).sum();
    let mut out = HoursByPeriod {
        volunteer: Vec::with_capacity(len),
        period_start: Vec::with_capacity(len),
        minutes: Vec::with_capacity(len),
    };
    for g in groups {
        out.volunteer.extend(g.iter().map(|e| e.volunteer));
        out.period_start
            .extend(g.iter().map(|e| cut.instant(e.day)));
        out.minutes.extend(g.iter().map(|e| e.minutes));
    }
    Ok(out)
}

/// Sums runs of equal (volunteer, day) in entries sorted by them.
fn reduce_periods(sorted: &[PeriodEntry]) -> Result<Vec<PeriodEntry>> {
    let mut out: Vec<PeriodEntry> = Vec::with_capacity(sorted.len());
    for e in sorted {
        match out.last_mut() {
            Some(last) if last.volunteer == e.volunteer && last.day == e.day => {
                last.minutes = last
                    .minutes
                    .checked_add(e.minutes)
                    .ok_or_else(|| overflow(format!("minutes[volunteer={}]", e.volunteer)))?;
            }
            _ => out.push(*e),
        }
    }
    Ok(out)
}

/// Merges partial [`HoursByPeriod`] tables (from any partition of the
/// rows, computed with the same policy and grain) into the table of the
/// whole: minutes summed per (volunteer, period_start), sorted.
pub fn merge_hours_by_period(tables: &[HoursByPeriod]) -> Result<HoursByPeriod> {
    let mut rows: Vec<(u64, i64, i64)> = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        let n = t.volunteer.len();
        same_len("period_start", t.period_start.len(), "volunteer", n)
            .and_then(|()| same_len("minutes", t.minutes.len(), "volunteer", n))
            .map_err(|e| e.at(&format!("tables[{i}]")))?;
        rows.extend((0..n).map(|r| (t.volunteer[r], t.period_start[r], t.minutes[r])));
    }
    rows.sort_unstable();
    let mut out = HoursByPeriod::default();
    for (v, p, m) in rows {
        if out.volunteer.last() == Some(&v) && out.period_start.last() == Some(&p) {
            let last = out.minutes.last_mut().expect("columns grow together");
            *last = last
                .checked_add(m)
                .ok_or_else(|| overflow(format!("minutes[volunteer={v}]")))?;
        } else {
            out.volunteer.push(v);
            out.period_start.push(p);
            out.minutes.push(m);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- kernel b

/// Maps unit ids to dense tree indices: a direct table when the ids are
/// dense enough, else a binary search over the sorted ids.
enum UnitIndex {
    Direct { lo: u64, slots: Vec<u32> },
    Sorted(Vec<u64>),
}

impl UnitIndex {
    fn new(units: &UnitTree) -> Self {
        let ids: Vec<u64> = units.units().iter().map(|u| u.id).collect();
        match (ids.first(), ids.last()) {
            (Some(&lo), Some(&hi)) if hi - lo < (4 * ids.len() as u64).max(1 << 16) => {
                let mut slots = vec![u32::MAX; (hi - lo + 1) as usize];
                for (i, &id) in ids.iter().enumerate() {
                    // A tree has fewer than 2^32 units.
                    slots[(id - lo) as usize] = i as u32;
                }
                UnitIndex::Direct { lo, slots }
            }
            _ => UnitIndex::Sorted(ids),
        }
    }

    #[inline]
    fn get(&self, id: u64) -> Option<usize> {
        match self {
            UnitIndex::Direct { lo, slots } => id
                .checked_sub(*lo)
                .and_then(|i| slots.get(i as usize))
                .filter(|&&s| s != u32::MAX)
                .map(|&s| s as usize),
            UnitIndex::Sorted(ids) => ids.binary_search(&id).ok(),
        }
    }
}

/// Approved service minutes per unit of `units`, own and rolled up.
///
/// Reads `unit`, `start`, `end`, and `status` / `kind` when present.
/// Errors (`InvalidInput`, lowest bad row): column lengths and label
/// codes as in [`hours_by_period`], then per row `unit[row]` not in the
/// tree and times as in [`hours_by_period`] (checked on every row, counted
/// or not).
pub fn unit_minutes(
    units: &UnitTree,
    cols: &RecordColumns<'_>,
    threads: Threads,
) -> Result<UnitMinutes> {
    threads::run(threads, || unit_minutes_in_pool(units, cols))?
}

fn unit_minutes_in_pool(units: &UnitTree, cols: &RecordColumns<'_>) -> Result<UnitMinutes> {
    let n = check_lengths(cols, &[("unit", cols.unit)])?;
    check_labels(cols, n, true)?;
    let index = UnitIndex::new(units);
    let sums = chunks(n)
        .into_par_iter()
        .map(|rows| {
            let mut own = vec![0i64; units.len()];
            let mut keep = [true; BLOCK];
            for block in blocks(rows) {
                if check_times(cols, block.clone()).is_err() {
                    return Err(unit_row_error(&index, cols, block));
                }
                let keep = &mut keep[..block.len()];
                counted_mask(cols, block.clone(), keep);
                for (row, &k) in block.clone().zip(keep.iter()) {
                    let Some(u) = index.get(cols.unit[row]) else {
                        return Err(unit_row_error(&index, cols, block));
                    };
                    // No overflow: a record holds < 2^33 minutes (years
                    // 1–9999) and a chunk < 2^29 rows; chunks are summed
                    // with checks below.
                    own[u] += if k { minutes(cols, row) } else { 0 };
                }
            }
            Ok(own)
        })
        .collect::<Vec<Result<Vec<i64>>>>();
    let mut own = vec![0i64; units.len()];
    for chunk in sums {
        add_into(units, &mut own, &chunk?)?;
    }
    roll_up(units, own)
}

/// The error of the lowest bad row of `rows` (which has one): an unknown
/// unit, else its times.
#[cold]
fn unit_row_error(index: &UnitIndex, cols: &RecordColumns<'_>, rows: Range<usize>) -> Error {
    for row in rows {
        if index.get(cols.unit[row]).is_none() {
            return Error::invalid_input(
                format!("unit[{row}]"),
                format!("unknown unit {}", cols.unit[row]),
            );
        }
        if let Err(e) = check_times(cols, row..row + 1) {
            return e;
        }
    }
    Error::invalid_input("unit", "internal: no bad row in the block")
}

fn add_into(units: &UnitTree, acc: &mut [i64], more: &[i64]) -> Result<()> {
    for (i, (a, m)) in acc.iter_mut().zip(more).enumerate() {
        *a = a
            .checked_add(*m)
            .ok_or_else(|| overflow(format!("own_minutes[unit={}]", units.units()[i].id)))?;
    }
    Ok(())
}

fn roll_up(units: &UnitTree, own: Vec<i64>) -> Result<UnitMinutes> {
    let mut total = own.clone();
    let parents = units.dense_parents();
    for &i in units.dense_preorder().iter().rev() {
        if let Some(p) = parents[i] {
            total[p] = total[p]
                .checked_add(total[i])
                .ok_or_else(|| overflow(format!("total_minutes[unit={}]", units.units()[p].id)))?;
        }
    }
    Ok(UnitMinutes {
        unit: units.units().iter().map(|u| u.id).collect(),
        own_minutes: own,
        total_minutes: total,
    })
}

/// Merges partial [`UnitMinutes`] tables (from any partition of the rows)
/// into the table of the whole: own minutes summed per unit, totals rolled
/// up again through `units`. A unit not in the tree is an error naming
/// `tables[i].unit[row]`.
pub fn merge_unit_minutes(units: &UnitTree, tables: &[UnitMinutes]) -> Result<UnitMinutes> {
    let mut own = vec![0i64; units.len()];
    for (i, t) in tables.iter().enumerate() {
        let at = |e: Error| e.at(&format!("tables[{i}]"));
        let n = t.unit.len();
        same_len("own_minutes", t.own_minutes.len(), "unit", n).map_err(at)?;
        for (row, (&u, &m)) in t.unit.iter().zip(&t.own_minutes).enumerate() {
            let d = units.dense_index(u).ok_or_else(|| {
                at(Error::invalid_input(
                    format!("unit[{row}]"),
                    format!("unknown unit {u}"),
                ))
            })?;
            own[d] = own[d]
                .checked_add(m)
                .ok_or_else(|| overflow(format!("own_minutes[unit={u}]")))?;
        }
    }
    roll_up(units, own)
}

// ---------------------------------------------------------------- kernel c

#[derive(Clone, Copy, Default)]
struct SpanEntry {
    volunteer: u64,
    start: i64,
    end: i64,
    id: u64,
}

/// Live records that overlap an earlier live record of the same volunteer.
///
/// Reads `id`, `volunteer`, `start`, `end`, and `status` when present (then
/// only submitted and approved rows take part). Zero-length rows never
/// overlap. Per volunteer, rows are taken in (start, id) order; a row
/// overlaps when it starts before the latest end of the rows before it,
/// and its partner is the row holding that end (ties: the earliest).
///
/// Errors (`InvalidInput`): column lengths, `status` codes and times as
/// in [`hours_by_period`] (`kind` is not read), and a duplicate id, naming `id[row]` at the second
/// occurrence with the lowest row.
pub fn find_overlaps(cols: &RecordColumns<'_>, threads: Threads) -> Result<Overlaps> {
    threads::run(threads, || find_overlaps_in_pool(cols))?
}

fn find_overlaps_in_pool(cols: &RecordColumns<'_>) -> Result<Overlaps> {
    let n = check_lengths(cols, &[("id", cols.id), ("volunteer", cols.volunteer)])?;
    check_labels(cols, n, false)?;
    first_error(n, |rows| check_times(cols, rows))?;
    check_unique_ids(cols.id)?;
    let Some((lo, hi)) = min_max(cols.volunteer) else {
        return Ok(Overlaps::default());
    };
    let plan = Plan::new(lo, hi, n);
    let parts = scatter(
        n,
        cols.volunteer,
        plan,
        |row| live(cols, row),
        |row| SpanEntry {
            volunteer: cols.volunteer[row],
            start: cols.start[row],
            end: cols.end[row],
            id: cols.id[row],
        },
    );
    let found = per_bucket(plan, |b| {
        let sorted = gather_sorted(&parts, b, plan, |e| e.volunteer, |e| (e.start, e.id));
        sweep(&sorted)
    });
    let mut out = Overlaps::default();
    for f in found {
        out.volunteer.extend(f.iter().map(|x| x.0));
        out.id.extend(f.iter().map(|x| x.1));
        out.overlaps.extend(f.iter().map(|x| x.2));
    }
    Ok(out)
}

/// One pass over entries sorted by (volunteer, start, id), carrying the
/// latest end so far and the first row that reached it.
fn sweep(sorted: &[SpanEntry]) -> Vec<(u64, u64, u64)> {
    let mut out = Vec::new();
    let mut prev: Option<&SpanEntry> = None;
    let mut reach: Option<&SpanEntry> = None;
    for e in sorted {
        if prev.is_some_and(|p| p.volunteer != e.volunteer) {
            reach = None;
        }
        if let Some(r) = reach
            && e.start < r.end
        {
            out.push((e.volunteer, e.id, r.id));
        }
        // Strictly later ends only: a tie keeps the earlier row.
        if reach.is_none_or(|r| e.end > r.end) {
            reach = Some(e);
        }
        prev = Some(e);
    }
    out
}

/// Duplicate ids name the lowest row whose id appeared at an earlier row.
fn check_unique_ids(ids: &[u64]) -> Result<()> {
    let Some((lo, hi)) = min_max(ids) else {
        return Ok(());
    };
    let dup = |row: usize| {
        Err(Error::invalid_input(
            format!("id[{row}]"),
            format!("duplicate id {}", ids[row]),
        ))
    };
    if hi - lo < (8 * ids.len() as u64).max(1 << 20) {
        // Dense ids: one bit each; the first repeat in row order is found
        // directly.
        let mut seen = vec![0u64; ((hi - lo) / 64 + 1) as usize];
        for (row, &id) in ids.iter().enumerate() {
            let (w, bit) = (((id - lo) / 64) as usize, (id - lo) % 64);
            if seen[w] >> bit & 1 == 1 {
                return dup(row);
            }
            seen[w] |= 1 << bit;
        }
        return Ok(());
    }
    let mut by_id: Vec<(u64, usize)> = ids.iter().copied().zip(0..).collect();
    by_id.par_sort_unstable();
    // Within a run of equal ids, rows ascend: the second is the first repeat.
    let worst = by_id
        .windows(2)
        .filter(|w| w[0].0 == w[1].0)
        .map(|w| w[1].1)
        .min();
    worst.map_or(Ok(()), dup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_day_matches_the_calendar() {
        let p = Policy::default();
        for us in [
            0i64,
            -1,
            1_709_913_600_000_000,
            Timestamp::MIN.as_micros(),
            Timestamp::MAX.as_micros(),
            951_782_400_000_000,
        ] {
            let t = Timestamp::from_micros(us).unwrap();
            for g in [Grain::Day, Grain::Week, Grain::Month, Grain::Year] {
                let cut = PeriodCut::new(&p, g);
                let want = crate::time::Period::of(g, t, p.offset()).first_day();
                assert_eq!(cut.period_day(us), want.days(), "{t} {g:?}");
            }
        }
    }

    #[test]
    fn plan_covers_the_id_range() {
        for (lo, hi, n) in [
            (0, 0, 1),
            (5, 1_000_000, 10_000_000),
            (0, u64::MAX, 100),
            (0, u64::MAX, 1 << 24),
        ] {
            let p = Plan::new(lo, hi, n);
            assert!(p.bucket(hi) < p.buckets);
            assert_eq!(p.bucket(lo), 0);
            assert!(p.low(hi) <= (hi - lo) as usize);
        }
    }

    #[test]
    fn codes_round_trip() {
        for c in 0..4 {
            assert_eq!(RecordStatus::from_code(c).unwrap().code(), c);
        }
        assert_eq!(RecordStatus::from_code(4), None);
        assert_eq!(RecordKind::from_code(1), Some(RecordKind::Training));
        assert_eq!(RecordKind::from_code(2), None);
    }
}
