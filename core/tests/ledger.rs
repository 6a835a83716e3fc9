//! Hours-ledger examples and invariants.

use proptest::prelude::*;
use zhiyuan::hours::{Flag, RecordKind, RecordStatus, RevokeReason, ServiceRecord};
use zhiyuan::ledger::{GroupBy, HoursLedger, Scope};
use zhiyuan::time::{Grain, LocalDate, Period, Timestamp};
use zhiyuan::units::{Team, Unit, UnitTree};
use zhiyuan::{ErrorKind, Policy};

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn tree() -> UnitTree {
    UnitTree::new(
        vec![
            Unit::new(1, None, "中心", "centre"),
            Unit::new(10, Some(1), "所 A", "institute"),
            Unit::new(11, Some(1), "所 B", "institute"),
            Unit::new(100, Some(10), "站 A1", "station"),
            Unit::new(101, Some(10), "站 A2", "station"),
            Unit::new(110, Some(11), "站 B1", "station"),
        ],
        vec![Team {
            id: 5,
            unit: 100,
            name: "医疗队".into(),
            skills: vec!["medical".into()],
        }],
    )
    .unwrap()
}

fn rec(id: u64, volunteer: u64, start: &str, end: &str) -> ServiceRecord {
    ServiceRecord {
        id,
        volunteer,
        unit: 100,
        team: None,
        activity: 1,
        start: t(start),
        end: t(end),
        kind: RecordKind::Service,
        recorded_by: 9,
        recorded_at: t(end),
    }
}

fn ledger() -> HoursLedger {
    HoursLedger::new(Policy::default(), tree())
}

#[test]
fn sunday_evening_utc_lands_in_next_local_iso_week() {
    let mut l = ledger();
    l.submit(rec(1, 7, "2024-03-10T16:30:00Z", "2024-03-10T17:30:00Z"))
        .unwrap();
    l.approve(1, 2, t("2024-03-11T00:00:00Z"), false).unwrap();
    let weeks = l
        .totals(Scope::Volunteer(7), Grain::Week, Timestamp::MAX)
        .unwrap();
    assert_eq!(weeks.len(), 1);
    assert_eq!(weeks[0].period.to_string(), "2024-W11");
    assert_eq!(weeks[0].service_minutes, 60);
}

#[test]
fn overnight_record_counts_whole_on_its_first_local_day() {
    let mut l = ledger();
    // 23:00–01:00 at +08:00.
    l.submit(rec(1, 7, "2024-03-04T15:00:00Z", "2024-03-04T17:00:00Z"))
        .unwrap();
    l.approve(1, 2, t("2024-03-05T00:00:00Z"), false).unwrap();
    let days = l.totals(Scope::All, Grain::Day, Timestamp::MAX).unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!(
        days[0].period,
        Period::Day(LocalDate::new(2024, 3, 4).unwrap())
    );
    assert_eq!(days[0].service_minutes, 120);
}

#[test]
fn recording_deadline_counts_a_makeup_saturday_as_a_working_day() {
    // 2024-09-14 (Sat) was a 调休 working day; 09-16 and 09-17 holidays.
    let policy = Policy::from_toml(
        "[calendar]\nholidays = [\"2024-09-16\", \"2024-09-17\"]\nmakeup_workdays = [\"2024-09-14\"]\n",
    )
    .unwrap();
    let cal = policy.calendar();
    let end_day = LocalDate::new(2024, 9, 11).unwrap(); // Wednesday
    // Working days after 09-11: 12, 13, 14 (Sat, 调休), 18, 19, 20, 23, 24, 25, 26.
    assert_eq!(
        cal.add_working_days(end_day, 10),
        LocalDate::new(2024, 9, 26).unwrap()
    );
    let mut l = HoursLedger::new(policy, tree());
    let mut on_time = rec(1, 7, "2024-09-11T01:00:00Z", "2024-09-11T02:00:00Z");
    on_time.recorded_at = t("2024-09-26T15:59:59Z"); // 23:59:59 local on the 26th
    assert!(l.submit(on_time).unwrap().flags.is_empty());
    let mut late = rec(2, 8, "2024-09-11T01:00:00Z", "2024-09-11T02:00:00Z");
    late.recorded_at = t("2024-09-26T16:00:00Z"); // 00:00 local on the 27th
    let receipt = l.submit(late).unwrap();
    assert_eq!(
        receipt.flags,
        vec![Flag::Late {
            deadline: t("2024-09-26T16:00:00Z")
        }]
    );
    let e = l
        .approve(2, 3, t("2024-09-27T00:00:00Z"), false)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidState);
    assert_eq!(
        e.to_string(),
        "record 2: recorded after the deadline 2024-09-26T16:00:00Z; approve it with late_ok"
    );
    l.approve(2, 3, t("2024-09-27T00:00:00Z"), true).unwrap();
    assert_eq!(l.approved_minutes(8, Timestamp::MAX), 60);
}

#[test]
fn star_levels_are_reached_exactly_at_the_threshold() {
    let mut l = ledger();
    // 99 h 59 min in one record, then one more minute.
    l.submit(rec(1, 7, "2024-01-01T00:00:00Z", "2024-01-05T03:59:00Z"))
        .unwrap();
    l.approve(1, 2, t("2024-01-06T00:00:00Z"), false).unwrap();
    assert_eq!(l.approved_minutes(7, Timestamp::MAX), 100 * 60 - 1);
    assert_eq!(l.star_level(7, Timestamp::MAX), 0);
    l.submit(rec(2, 7, "2024-01-06T00:00:00Z", "2024-01-06T00:01:00Z"))
        .unwrap();
    l.approve(2, 2, t("2024-01-07T00:00:00Z"), false).unwrap();
    assert_eq!(l.star_level(7, Timestamp::MAX), 1);
    assert_eq!(
        l.star_level(7, t("2024-01-06T12:00:00Z")),
        0,
        "as of before the approval"
    );
}

#[test]
fn touching_records_are_allowed_and_overlaps_name_the_clash() {
    let mut l = ledger();
    l.submit(rec(1, 7, "2024-03-04T01:00:00Z", "2024-03-04T02:00:00Z"))
        .unwrap();
    l.submit(rec(2, 7, "2024-03-04T02:00:00Z", "2024-03-04T03:00:00Z"))
        .unwrap();
    l.submit(rec(3, 8, "2024-03-04T01:30:00Z", "2024-03-04T02:30:00Z"))
        .unwrap();
    let e = l
        .submit(rec(4, 7, "2024-03-04T00:30:00Z", "2024-03-04T01:01:00Z"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(
        e.to_string(),
        "record 4: overlaps live record 1 of volunteer 7 (2024-03-04T01:00:00Z to 2024-03-04T02:00:00Z)"
    );
    // Rejecting record 1 frees the time.
    l.reject(1, 2, t("2024-03-05T00:00:00Z"), "wrong activity")
        .unwrap();
    l.submit(rec(4, 7, "2024-03-04T00:30:00Z", "2024-03-04T01:01:00Z"))
        .unwrap();
}

#[test]
fn same_id_with_another_body_names_the_first_differing_field() {
    let mut l = ledger();
    let r = rec(1, 7, "2024-03-04T01:00:00Z", "2024-03-04T02:00:00Z");
    l.submit(r.clone()).unwrap();
    let mut other = r.clone();
    other.end = t("2024-03-04T02:30:00Z");
    other.activity = 2;
    let e = l.submit(other).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(
        e.to_string(),
        "record 1.activity: id already used with a different value"
    );
}

#[test]
fn bad_records_are_refused_with_the_field_named() {
    let mut l = ledger();
    let backwards = rec(1, 7, "2024-03-04T02:00:00Z", "2024-03-04T02:00:00Z");
    assert_eq!(
        l.submit(backwards).unwrap_err().to_string(),
        "record 1.end: must be after start (2024-03-04T02:00:00Z <= 2024-03-04T02:00:00Z)"
    );
    let mut future = rec(2, 7, "2024-03-04T01:00:00Z", "2024-03-04T02:00:00Z");
    future.recorded_at = t("2024-03-04T01:59:00Z");
    assert_eq!(l.submit(future).unwrap_err().field(), Some("record 2.end"));
    let mut unit = rec(3, 7, "2024-03-04T01:00:00Z", "2024-03-04T02:00:00Z");
    unit.unit = 999;
    let e = l.submit(unit).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.to_string(), "record 3.unit: unknown unit 999");
    assert!(l.is_empty());
}

#[test]
fn long_days_are_flagged_never_cut() {
    let mut l = ledger();
    l.submit(rec(1, 7, "2024-03-04T00:00:00Z", "2024-03-04T06:00:00Z"))
        .unwrap();
    let r = l
        .submit(rec(2, 7, "2024-03-04T06:00:00Z", "2024-03-04T12:01:00Z"))
        .unwrap();
    assert_eq!(r.minutes, 361);
    assert_eq!(
        r.flags,
        vec![Flag::DailyReview {
            date: LocalDate::new(2024, 3, 4).unwrap(),
            day_minutes: 721,
            threshold_minutes: 720
        }]
    );
}

#[test]
fn training_is_kept_apart_from_service() {
    let mut l = ledger();
    let mut tr = rec(1, 7, "2024-03-04T01:00:00Z", "2024-03-04T03:00:00Z");
    tr.kind = RecordKind::Training;
    l.submit(tr).unwrap();
    l.approve(1, 2, t("2024-03-05T00:00:00Z"), false).unwrap();
    assert_eq!(l.approved_minutes(7, Timestamp::MAX), 0);
    assert_eq!(l.training_minutes(7, Timestamp::MAX), 120);
    let y = l.totals(Scope::All, Grain::Year, Timestamp::MAX).unwrap();
    assert_eq!((y[0].service_minutes, y[0].training_minutes), (0, 120));
}

#[test]
fn revoke_and_amend_keep_history_and_as_of() {
    let mut l = ledger();
    l.submit(rec(1, 7, "2024-03-04T01:00:00Z", "2024-03-04T05:00:00Z"))
        .unwrap();
    l.approve(1, 2, t("2024-03-05T00:00:00Z"), false).unwrap();
    let mut fixed = rec(2, 7, "2024-03-04T01:00:00Z", "2024-03-04T03:00:00Z");
    fixed.recorded_at = t("2024-03-06T00:00:00Z");
    l.amend(
        1,
        fixed.clone(),
        RevokeReason::Error,
        3,
        t("2024-03-06T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(l.record(1).unwrap().status, RecordStatus::Revoked);
    assert_eq!(l.record(1).unwrap().amended_by, Some(2));
    assert_eq!(l.record(2).unwrap().amends, Some(1));
    assert_eq!(l.approved_minutes(7, t("2024-03-05T12:00:00Z")), 240);
    assert_eq!(l.approved_minutes(7, t("2024-03-06T12:00:00Z")), 0);
    l.approve(2, 2, t("2024-03-07T00:00:00Z"), false).unwrap();
    assert_eq!(l.approved_minutes(7, Timestamp::MAX), 120);
    assert_eq!(l.history(1).unwrap().len(), 3);
    let revs = l.revocations(7, Timestamp::MAX);
    assert_eq!(revs.len(), 1);
    assert_eq!(
        (revs[0].record, revs[0].reason, revs[0].minutes),
        (1, RevokeReason::Error, 240)
    );
    // A refused amendment leaves the original approved.
    let mut l2 = ledger();
    l2.submit(rec(1, 7, "2024-03-04T01:00:00Z", "2024-03-04T05:00:00Z"))
        .unwrap();
    l2.approve(1, 2, t("2024-03-05T00:00:00Z"), false).unwrap();
    let before = l2.clone();
    let mut bad = fixed;
    bad.unit = 12345;
    assert!(
        l2.amend(1, bad, RevokeReason::Error, 3, t("2024-03-06T00:00:00Z"))
            .is_err()
    );
    assert_eq!(l2, before);
    // Revoking twice with another reason is refused; repeating it is a no-op.
    l.revoke(2, RevokeReason::Fraud, 4, t("2024-03-08T00:00:00Z"), "")
        .unwrap();
    l.revoke(2, RevokeReason::Fraud, 4, t("2024-03-08T00:00:00Z"), "")
        .unwrap();
    let e = l
        .revoke(2, RevokeReason::Error, 4, t("2024-03-08T00:00:00Z"), "")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "record 2: cannot revoke a record that is revoked"
    );
}

#[test]
fn unit_totals_roll_up_and_team_scope_filters() {
    let mut l = ledger();
    let mut a = rec(1, 7, "2024-03-04T01:00:00Z", "2024-03-04T02:00:00Z");
    a.team = Some(5);
    let mut b = rec(2, 8, "2024-03-04T01:00:00Z", "2024-03-04T03:00:00Z");
    b.unit = 110;
    let mut c = rec(3, 9, "2024-03-04T01:00:00Z", "2024-03-04T04:00:00Z");
    c.unit = 10;
    l.submit_batch(vec![a, b, c]).unwrap();
    for id in 1..=3 {
        l.approve(id, 2, t("2024-03-05T00:00:00Z"), false).unwrap();
    }
    let rows = l.totals_by(GroupBy::Unit, Grain::Year, Timestamp::MAX);
    let get = |u: u64| {
        rows.iter()
            .find(|r| r.key == u)
            .map_or(0, |r| r.service_minutes)
    };
    assert_eq!(
        (get(1), get(10), get(11), get(100), get(110)),
        (360, 240, 120, 60, 120)
    );
    let team = l
        .totals(Scope::Team(5), Grain::Year, Timestamp::MAX)
        .unwrap();
    assert_eq!(team[0].service_minutes, 60);
    assert_eq!(
        l.totals(Scope::Unit(404), Grain::Year, Timestamp::MAX)
            .unwrap_err()
            .to_string(),
        "scope.unit: unknown unit 404"
    );
}

#[test]
fn a_batch_with_one_bad_record_changes_nothing() {
    let mut l = ledger();
    l.submit(rec(1, 7, "2024-03-04T01:00:00Z", "2024-03-04T02:00:00Z"))
        .unwrap();
    let before = l.snapshot();
    let e = l
        .submit_batch(vec![
            rec(2, 8, "2024-03-04T01:00:00Z", "2024-03-04T02:00:00Z"),
            rec(3, 7, "2024-03-04T01:30:00Z", "2024-03-04T02:30:00Z"),
        ])
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(
        e.to_string()
            .starts_with("records[1]: record 3: overlaps live record 1"),
        "{e}"
    );
    assert_eq!(l.snapshot(), before);
    assert!(l.record(2).is_err());
}

#[test]
fn snapshot_restores_an_equal_ledger_and_checks_the_hash() {
    let mut l = ledger();
    l.submit(rec(1, 7, "2024-03-04T01:00:00Z", "2024-03-04T02:00:00Z"))
        .unwrap();
    l.approve(1, 2, t("2024-03-05T00:00:00Z"), false).unwrap();
    let snap = l.snapshot();
    assert_eq!(HoursLedger::restore(&snap).unwrap(), l);
    let tampered = snap.replacen(
        "\"daily_review_minutes\":720",
        "\"daily_review_minutes\":700",
        1,
    );
    assert_ne!(tampered, snap);
    let e = HoursLedger::restore(&tampered).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(e.field(), Some("snapshot.policy_hash"));
}

// ---------------------------------------------------------------- properties

#[derive(Clone, Debug)]
enum Op {
    Submit(ServiceRecord),
    Batch(Vec<ServiceRecord>),
    Approve(u64, i64),
    Reject(u64, i64),
    Revoke(u64, RevokeReason, i64),
    Amend(u64, ServiceRecord, i64),
}

const BASE: i64 = 1_709_740_800_000_000; // 2024-03-06T16:00:00Z = Thu 00:00 local
const MIN: i64 = 60_000_000;

fn record_strategy() -> impl Strategy<Value = ServiceRecord> {
    (
        1u64..40,
        1u64..5,
        prop::sample::select(vec![1u64, 10, 11, 100, 101, 110]),
        prop::option::of(Just(5u64)),
        0i64..(12 * 24 * 60), // start within 12 days
        1i64..900,
        prop::bool::weighted(0.85),
        0i64..(20 * 24 * 60),
    )
        .prop_map(|(id, vol, unit, team, start, len, service, delay)| {
            let start = BASE + start * MIN;
            let end = start + len * MIN;
            ServiceRecord {
                id,
                volunteer: vol,
                unit,
                team,
                activity: id % 3,
                start: Timestamp::from_micros(start).unwrap(),
                end: Timestamp::from_micros(end).unwrap(),
                kind: if service {
                    RecordKind::Service
                } else {
                    RecordKind::Training
                },
                recorded_by: 1,
                recorded_at: Timestamp::from_micros(end + delay * MIN).unwrap(),
            }
        })
}

fn reason() -> impl Strategy<Value = RevokeReason> {
    prop::sample::select(vec![
        RevokeReason::Error,
        RevokeReason::Duplicate,
        RevokeReason::Fraud,
        RevokeReason::NotVolunteerWork,
        RevokeReason::VolunteerRequest,
    ])
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let at = 0i64..(40 * 24 * 60);
    prop_oneof![
        4 => record_strategy().prop_map(Op::Submit),
        1 => prop::collection::vec(record_strategy(), 1..5).prop_map(Op::Batch),
        4 => (1u64..40, at.clone()).prop_map(|(id, a)| Op::Approve(id, a)),
        1 => (1u64..40, at.clone()).prop_map(|(id, a)| Op::Reject(id, a)),
        1 => (1u64..40, reason(), at.clone()).prop_map(|(id, r, a)| Op::Revoke(id, r, a)),
        1 => (1u64..40, record_strategy(), at).prop_map(|(id, r, a)| Op::Amend(id, r, a)),
    ]
}

fn at(minutes: i64) -> Timestamp {
    Timestamp::from_micros(BASE + minutes * MIN).unwrap()
}

/// Applies `op`; Ok(true) when it succeeded.
fn apply(l: &mut HoursLedger, op: &Op) -> bool {
    match op {
        Op::Submit(r) => l.submit(r.clone()).is_ok(),
        Op::Batch(rs) => l.submit_batch(rs.clone()).is_ok(),
        Op::Approve(id, a) => l.approve(*id, 2, at(*a), true).is_ok(),
        Op::Reject(id, a) => l.reject(*id, 2, at(*a), "not verified").is_ok(),
        Op::Revoke(id, r, a) => l.revoke(*id, *r, 3, at(*a), "audit").is_ok(),
        Op::Amend(id, r, a) => l
            .amend(*id, r.clone(), RevokeReason::Error, 3, at(*a))
            .is_ok(),
    }
}

fn run(ops: &[Op]) -> (HoursLedger, Vec<bool>) {
    let mut l = ledger();
    let ok = ops.iter().map(|op| apply(&mut l, op)).collect();
    (l, ok)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn balance_is_approved_minus_reversed(ops in prop::collection::vec(op_strategy(), 1..60)) {
        let (l, _) = run(&ops);
        for v in 1..5u64 {
            // Fold the log independently of the ledger's own bookkeeping.
            let mut bal = 0i64;
            for e in l.entries() {
                match e {
                    zhiyuan::ledger::Entry::Approve { id, .. } => {
                        let s = l.record(id).unwrap();
                        if s.record.volunteer == v && s.record.kind == RecordKind::Service { bal += s.minutes; }
                    }
                    zhiyuan::ledger::Entry::Revoke { id, .. } => {
                        let s = l.record(id).unwrap();
                        if s.record.volunteer == v && s.record.kind == RecordKind::Service { bal -= s.minutes; }
                    }
                    _ => {}
                }
            }
            prop_assert_eq!(l.approved_minutes(v, Timestamp::MAX), bal);
        }
    }

    #[test]
    fn retrying_successful_operations_changes_nothing(
        ops in prop::collection::vec(op_strategy(), 1..60),
        cut in 0usize..60,
    ) {
        let (mut l, ok) = run(&ops);
        let before = l.clone();
        for (op, ok) in ops.iter().zip(&ok).take(cut) {
            if *ok {
                prop_assert!(apply(&mut l, op), "a retried successful op failed: {:?}", op);
            }
        }
        prop_assert_eq!(l, before);
    }

    #[test]
    fn replay_and_restore_rebuild_the_same_ledger(ops in prop::collection::vec(op_strategy(), 1..60)) {
        let (l, _) = run(&ops);
        let replayed = HoursLedger::replay(Policy::default(), tree(), l.entries()).unwrap();
        prop_assert_eq!(&replayed, &l);
        prop_assert_eq!(HoursLedger::restore(&l.snapshot()).unwrap(), l);
    }

    #[test]
    fn live_records_never_overlap_and_resolve_once(ops in prop::collection::vec(op_strategy(), 1..60)) {
        let (l, _) = run(&ops);
        let live: Vec<_> = l.records().iter().filter(|s| s.status.is_live()).collect();
        for (i, a) in live.iter().enumerate() {
            for b in &live[i + 1..] {
                if a.record.volunteer == b.record.volunteer {
                    prop_assert!(a.record.end <= b.record.start || b.record.end <= a.record.start,
                        "records {} and {} overlap", a.record.id, b.record.id);
                }
            }
        }
        for s in l.records() {
            let h = l.history(s.record.id).unwrap();
            let resolutions = h.iter().filter(|e| matches!(e,
                zhiyuan::ledger::Entry::Approve { .. } | zhiyuan::ledger::Entry::Reject { .. })).count();
            prop_assert!(resolutions <= 1);
            prop_assert_eq!(resolutions == 1, s.status != RecordStatus::Submitted);
        }
    }

    #[test]
    fn period_totals_agree_at_every_grain(ops in prop::collection::vec(op_strategy(), 1..60), as_of in 0i64..(40 * 24 * 60)) {
        let (l, _) = run(&ops);
        let as_of = at(as_of);
        let sum = |g| -> (i64, i64) {
            l.totals(Scope::All, g, as_of).unwrap().iter()
                .fold((0, 0), |acc, r| (acc.0 + r.service_minutes, acc.1 + r.training_minutes))
        };
        let all: i64 = (1..5).map(|v| l.approved_minutes(v, as_of)).sum();
        let day = sum(Grain::Day);
        prop_assert_eq!(day.0, all);
        prop_assert_eq!(sum(Grain::Week), day);
        prop_assert_eq!(sum(Grain::Month), day);
        prop_assert_eq!(sum(Grain::Year), day);
        // Each week equals the days inside it.
        let days = l.totals(Scope::All, Grain::Day, as_of).unwrap();
        for w in l.totals(Scope::All, Grain::Week, as_of).unwrap() {
            let (from, to) = (w.period.first_day(), w.period.end_day());
            let inside: i64 = days.iter().filter(|d| {
                let d = d.period.first_day();
                d >= from && d < to
            }).map(|d| d.service_minutes).sum();
            prop_assert_eq!(inside, w.service_minutes);
        }
    }

    #[test]
    fn a_unit_total_is_its_own_plus_its_childrens(ops in prop::collection::vec(op_strategy(), 1..60)) {
        let (l, _) = run(&ops);
        let tree = tree();
        let rows = l.totals_by(GroupBy::Unit, Grain::Year, Timestamp::MAX);
        let total = |u: u64| rows.iter().filter(|r| r.key == u).map(|r| r.service_minutes).sum::<i64>();
        for unit in tree.units() {
            let own: i64 = l.records().iter()
                .filter(|s| s.record.unit == unit.id && s.record.kind == RecordKind::Service && s.counts_at(Timestamp::MAX))
                .map(|s| s.minutes).sum();
            let children: i64 = tree.children(unit.id).unwrap().into_iter().map(total).sum();
            prop_assert_eq!(total(unit.id), own + children);
        }
    }

    #[test]
    fn a_rejected_batch_leaves_the_state_byte_identical(
        ops in prop::collection::vec(op_strategy(), 0..30),
        batch in prop::collection::vec(record_strategy(), 1..8),
        bad_at in 0usize..8,
    ) {
        let (mut l, _) = run(&ops);
        let before = l.snapshot();
        let mut batch = batch;
        let i = bad_at % batch.len();
        batch[i].end = batch[i].start; // invalid: end not after start
        batch[i].id += 1000; // a fresh id, so it is validated, not deduplicated
        let e = l.submit_batch(batch).unwrap_err();
        prop_assert!(e.field().unwrap_or("").starts_with("records["));
        prop_assert_eq!(l.snapshot(), before);
    }
}
