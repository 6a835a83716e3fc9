//! Seeded simulation of the hours ledger, in the spirit of TigerBeetle's VOPR.
//!
//! From a seed, [`run`] generates a long random workload — submissions
//! (some overlapping, some invalid), batches, approvals, rejections,
//! revocations and amendments — and delivers it the way a flaky network
//! would: some operations twice, some swapped with their neighbour, some
//! dropped and retried later. After every delivered operation it checks the
//! invariants; at the end it replays the log and restores a snapshot and
//! compares both with the live ledger. A failure names the seed and the step,
//! so `run(seed, ops)` reproduces it exactly.
//!
//! ```
//! let report = zhiyuan::simulation::run(7, 2_000)?;
//! assert_eq!(report.delivered, report.generated + report.duplicates);
//! # Ok::<(), String>(())
//! ```
//!
//! Invariants checked after every step:
//! 1. balance: each volunteer's approved minutes equal what the succeeded
//!    approvals minus the succeeded revocations credited;
//! 2. no two live records of one volunteer overlap;
//! 3. every record is resolved (approved or rejected) at most once, and its
//!    status agrees with its history;
//! 4. a duplicate delivery of an operation that succeeded succeeds again and
//!    changes nothing; one that failed fails again and changes nothing.

use crate::Policy;
use crate::hours::{RecordKind, RecordStatus, RevokeReason, ServiceRecord};
use crate::ledger::{Entry, HoursLedger};
use crate::time::{MICROS_PER_MINUTE, Timestamp};
use crate::units::{Unit, UnitTree};
use std::collections::{BTreeMap, VecDeque};

/// What a simulation run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The seed.
    pub seed: u64,
    /// Operations generated.
    pub generated: usize,
    /// Operations delivered, duplicates included.
    pub delivered: usize,
    /// Duplicate deliveries.
    pub duplicates: usize,
    /// Adjacent swaps performed.
    pub reorders: usize,
    /// Operations dropped and retried later.
    pub retried: usize,
    /// Delivered operations the ledger accepted.
    pub accepted: usize,
    /// Delivered operations the ledger refused (with an error).
    pub refused: usize,
    /// Records in the final ledger.
    pub records: usize,
    /// Log entries in the final ledger.
    pub entries: usize,
}

#[derive(Clone, Debug)]
enum Op {
    Submit(ServiceRecord),
    Batch(Vec<ServiceRecord>),
    Approve(u64, Timestamp),
    Reject(u64, Timestamp),
    Revoke(u64, RevokeReason, Timestamp),
    Amend(u64, ServiceRecord, Timestamp),
}

/// SplitMix64: tiny, fast and identical on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const BASE: i64 = 1_704_038_400_000_000; // 2023-12-31T16:00:00Z = 2024-01-01 00:00 +08:00

fn tree() -> UnitTree {
    let mut units = vec![Unit::new(1, None, "centre", "centre")];
    for i in 0..4u64 {
        units.push(Unit::new(10 + i, Some(1), "institute", "institute"));
        for s in 0..4u64 {
            units.push(Unit::new(
                100 + i * 10 + s,
                Some(10 + i),
                "station",
                "station",
            ));
        }
    }
    UnitTree::new(units, vec![]).expect("the simulation tree is valid")
}

struct Generator {
    rng: Rng,
    volunteers: u64,
    next_id: u64,
    /// The logical clock: every operation happens later than the previous.
    now: i64,
    submitted: Vec<u64>,
}

impl Generator {
    fn record(&mut self) -> ServiceRecord {
        let rng = &mut self.rng;
        self.next_id += 1;
        let volunteer = rng.below(self.volunteers);
        // Starts fall in the last ~20 days, so overlaps happen often enough.
        let start = self.now - (rng.below(20 * 24 * 60) as i64 + 30) * MICROS_PER_MINUTE;
        let mut len = 15 + rng.below(8 * 60) as i64;
        if rng.chance(2) {
            len = -len; // invalid: end before start
        }
        let end = start + len * MICROS_PER_MINUTE;
        let unit = if rng.chance(1) {
            999
        } else {
            100 + rng.below(4) * 10 + rng.below(4)
        };
        let recorded_at = end.max(start) + rng.below(12 * 24 * 60) as i64 * MICROS_PER_MINUTE;
        ServiceRecord {
            id: self.next_id,
            volunteer,
            unit,
            team: None,
            activity: rng.below(50),
            start: ts(start),
            end: ts(end),
            kind: if rng.chance(10) {
                RecordKind::Training
            } else {
                RecordKind::Service
            },
            recorded_by: 1,
            recorded_at: ts(recorded_at),
        }
    }

    fn pick(&mut self) -> u64 {
        if self.submitted.is_empty() || self.rng.chance(3) {
            self.next_id + 1 + self.rng.below(5) // unknown id
        } else {
            let i = self.rng.below(self.submitted.len() as u64) as usize;
            self.submitted[i]
        }
    }

    fn op(&mut self) -> Op {
        self.now += (1 + self.rng.below(30)) as i64 * MICROS_PER_MINUTE;
        let at = ts(self.now + 30 * 24 * 60 * MICROS_PER_MINUTE);
        match self.rng.below(100) {
            0..=34 => {
                let r = self.record();
                self.submitted.push(r.id);
                Op::Submit(r)
            }
            35..=39 => {
                let n = 1 + self.rng.below(6);
                let rs: Vec<_> = (0..n).map(|_| self.record()).collect();
                self.submitted.extend(rs.iter().map(|r| r.id));
                Op::Batch(rs)
            }
            40..=74 => Op::Approve(self.pick(), at),
            75..=84 => Op::Reject(self.pick(), at),
            85..=94 => {
                let reason = match self.rng.below(5) {
                    0 => RevokeReason::Error,
                    1 => RevokeReason::Duplicate,
                    2 => RevokeReason::Fraud,
                    3 => RevokeReason::NotVolunteerWork,
                    _ => RevokeReason::VolunteerRequest,
                };
                Op::Revoke(self.pick(), reason, at)
            }
            _ => {
                let old = self.pick();
                let mut r = self.record();
                r.recorded_at = at;
                self.submitted.push(r.id);
                Op::Amend(old, r, at)
            }
        }
    }
}

fn ts(us: i64) -> Timestamp {
    Timestamp::from_micros(us).expect("simulated instants stay in range")
}

/// Applies `op`, updating `balance` on success. Returns whether it succeeded.
fn apply(l: &mut HoursLedger, op: &Op, balance: &mut BTreeMap<u64, i64>) -> bool {
    let credit = |l: &HoursLedger, id: u64| {
        l.record(id)
            .ok()
            .filter(|s| s.record.kind == RecordKind::Service)
            .map(|s| (s.record.volunteer, s.minutes))
    };
    match op {
        Op::Submit(r) => l.submit(r.clone()).is_ok(),
        Op::Batch(rs) => l.submit_batch(rs.clone()).is_ok(),
        Op::Approve(id, at) => {
            let was = l.record(*id).map(|s| s.status).ok();
            let ok = l.approve(*id, 2, *at, true).is_ok();
            if ok
                && was == Some(RecordStatus::Submitted)
                && let Some((v, m)) = credit(l, *id)
            {
                *balance.entry(v).or_default() += m;
            }
            ok
        }
        Op::Reject(id, at) => l.reject(*id, 2, *at, "not verified").is_ok(),
        Op::Revoke(id, reason, at) => {
            let was = l.record(*id).map(|s| s.status).ok();
            let ok = l.revoke(*id, *reason, 3, *at, "audit").is_ok();
            if ok
                && was == Some(RecordStatus::Approved)
                && let Some((v, m)) = credit(l, *id)
            {
                *balance.entry(v).or_default() -= m;
            }
            ok
        }
        Op::Amend(old, r, at) => {
            let was = l.record(*old).map(|s| s.status).ok();
            let ok = l
                .amend(*old, r.clone(), RevokeReason::Error, 3, *at)
                .is_ok();
            if ok
                && was == Some(RecordStatus::Approved)
                && let Some((v, m)) = credit(l, *old)
            {
                *balance.entry(v).or_default() -= m;
            }
            ok
        }
    }
}

/// The volunteers an operation can affect.
fn touched(l: &HoursLedger, op: &Op) -> Vec<u64> {
    let of = |id: &u64| l.record(*id).ok().map(|s| s.record.volunteer);
    match op {
        Op::Submit(r) => vec![r.volunteer],
        Op::Batch(rs) => rs.iter().map(|r| r.volunteer).collect(),
        Op::Approve(id, _) | Op::Reject(id, _) | Op::Revoke(id, _, _) => {
            of(id).into_iter().collect()
        }
        Op::Amend(old, r, _) => of(old).into_iter().chain([r.volunteer]).collect(),
    }
}

fn check(l: &HoursLedger, balance: &BTreeMap<u64, i64>, volunteers: &[u64]) -> Result<(), String> {
    for &v in volunteers {
        let got = l.approved_minutes(v, Timestamp::MAX);
        let want = balance.get(&v).copied().unwrap_or(0);
        if got != want {
            return Err(format!(
                "volunteer {v}: ledger has {got} approved minutes, operations credited {want}"
            ));
        }
        let mut live: Vec<_> = l
            .records_of(v)
            .into_iter()
            .filter(|s| s.status.is_live())
            .map(|s| (s.record.start, s.record.end, s.record.id))
            .collect();
        live.sort();
        for w in live.windows(2) {
            if w[0].1 > w[1].0 {
                return Err(format!(
                    "volunteer {v}: live records {} and {} overlap",
                    w[0].2, w[1].2
                ));
            }
        }
    }
    Ok(())
}

fn check_resolutions(l: &HoursLedger) -> Result<(), String> {
    let mut resolved: BTreeMap<u64, usize> = BTreeMap::new();
    for e in l.entries() {
        if matches!(e, Entry::Approve { .. } | Entry::Reject { .. }) {
            *resolved.entry(e.record_id()).or_default() += 1;
        }
    }
    for s in l.records() {
        let n = resolved.get(&s.record.id).copied().unwrap_or(0);
        if n > 1 || (n == 1) != (s.status != RecordStatus::Submitted) {
            return Err(format!(
                "record {}: {n} resolutions but status {:?}",
                s.record.id, s.status
            ));
        }
    }
    Ok(())
}

/// Runs the simulation for `seed` with `ops` generated operations. On a
/// broken invariant returns `Err` naming the seed, the step and what broke.
pub fn run(seed: u64, ops: usize) -> Result<Report, String> {
    let fail = |step: usize, why: String| {
        format!(
            "simulation seed {seed} failed at delivery {step}: {why} (reproduce with zhiyuan::simulation::run({seed}, {ops}))"
        )
    };
    // About 300 operations per volunteer keeps overlaps and conflicts
    // frequent at every size.
    let volunteers = (ops as u64 / 300).max(16);
    let all: Vec<u64> = (0..volunteers).collect();
    let full_check_every = (ops / 16).max(1024);
    let mut generator = Generator {
        rng: Rng(seed),
        volunteers,
        next_id: 0,
        now: BASE + 30 * 24 * 60 * MICROS_PER_MINUTE,
        submitted: Vec::new(),
    };
    let mut faults = Rng(seed ^ 0xA5A5_5A5A_DEAD_BEEF);
    let mut queue: VecDeque<Op> = (0..ops).map(|_| generator.op()).collect();
    let mut ledger = HoursLedger::new(Policy::default(), tree());
    let mut balance = BTreeMap::new();
    let mut report = Report {
        seed,
        generated: ops,
        delivered: 0,
        duplicates: 0,
        reorders: 0,
        retried: 0,
        accepted: 0,
        refused: 0,
        records: 0,
        entries: 0,
    };
    let mut dropped: Vec<Op> = Vec::new();
    let mut step = 0usize;
    while let Some(op) = queue.pop_front() {
        if faults.chance(3) && !queue.is_empty() {
            // Reordered: the next operation overtakes this one.
            let next = queue.pop_front().expect("checked non-empty");
            queue.push_front(op);
            queue.push_front(next);
            report.reorders += 1;
            continue;
        }
        if faults.chance(2) {
            // Dropped: retried after a while.
            dropped.push(op);
            report.retried += 1;
            continue;
        }
        if !dropped.is_empty() && faults.chance(20) {
            let back = dropped.remove(0);
            queue.push_front(back);
        }
        step += 1;
        report.delivered += 1;
        let ok = apply(&mut ledger, &op, &mut balance);
        if ok {
            report.accepted += 1
        } else {
            report.refused += 1
        }
        if faults.chance(5) {
            // Delivered twice: must be a no-op either way.
            let (len, log) = (ledger.len(), ledger.log_len());
            let before = (faults.chance(10)).then(|| ledger.clone());
            step += 1;
            report.delivered += 1;
            report.duplicates += 1;
            let again = apply(&mut ledger, &op, &mut balance);
            if again != ok {
                return Err(fail(
                    step,
                    format!("duplicate delivery of {op:?} gave {again}, first {ok}"),
                ));
            }
            if again {
                report.accepted += 1
            } else {
                report.refused += 1
            }
            if ledger.len() != len || ledger.log_len() != log {
                return Err(fail(
                    step,
                    format!("duplicate delivery of {op:?} changed the ledger"),
                ));
            }
            if let Some(before) = before
                && before != ledger
            {
                return Err(fail(
                    step,
                    format!("duplicate delivery of {op:?} changed the ledger"),
                ));
            }
        }
        check(&ledger, &balance, &touched(&ledger, &op)).map_err(|e| fail(step, e))?;
        if step.is_multiple_of(full_check_every) {
            check(&ledger, &balance, &all).map_err(|e| fail(step, e))?;
        }
        if queue.is_empty() && !dropped.is_empty() {
            queue.extend(dropped.drain(..));
        }
    }
    check(&ledger, &balance, &all).map_err(|e| fail(step, e))?;
    check_resolutions(&ledger).map_err(|e| fail(step, e))?;
    let replayed = HoursLedger::replay(Policy::default(), tree(), ledger.entries())
        .map_err(|e| fail(step, format!("replay failed: {e}")))?;
    if replayed != ledger {
        return Err(fail(
            step,
            "replaying the log gave a different ledger".into(),
        ));
    }
    let restored = HoursLedger::restore(&ledger.snapshot())
        .map_err(|e| fail(step, format!("restore failed: {e}")))?;
    if restored != ledger {
        return Err(fail(
            step,
            "restoring the snapshot gave a different ledger".into(),
        ));
    }
    report.records = ledger.len();
    report.entries = ledger.log_len();
    Ok(report)
}
