//! Points ledger: accrual from hours (floor), honours, redemption
//! idempotency, clawback into debt, expiry, and the balance identity.

use crate::facts::record;
use proptest::prelude::*;
use zhiyuan::honours::{HonourKind, HonoursRegistry};
use zhiyuan::hours::RevokeReason;
use zhiyuan::ledger::HoursLedger;
use zhiyuan::points::{PointsEntryKind, PointsExpiry, PointsLedger, Redemption};
use zhiyuan::time::Timestamp;
use zhiyuan::units::{Unit, UnitTree};
use zhiyuan::{ErrorKind, Policy, PolicySpec};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn policy(expiry: PointsExpiry) -> Policy {
    let mut spec = PolicySpec::default();
    spec.points.expiry = expiry;
    spec.points
        .honour_points
        .insert(HonourKind::MonthlyStar, 100);
    Policy::new(spec).unwrap()
}

fn redemption(code: &str, points: i64, at: &str) -> Redemption {
    Redemption {
        order_code: code.into(),
        volunteer: 7,
        merchant: "bakery".into(),
        points,
        at: ts(at),
    }
}

#[test]
fn accrual_is_the_floor_of_cumulative_minutes() {
    let mut b = PointsLedger::new(&Policy::default());
    assert_eq!(b.sync_hours(7, 5, ts("2024-01-01T00:00:00Z")).unwrap(), 0);
    assert_eq!(b.sync_hours(7, 6, ts("2024-01-01T00:00:00Z")).unwrap(), 1);
    // 95 min = 15.83 points → 15; per-record rounding would drift.
    assert_eq!(b.sync_hours(7, 95, ts("2024-01-02T00:00:00Z")).unwrap(), 14);
    assert_eq!(b.account(7).hours_points, 15);
    assert_eq!(b.account(7).balance, 15);
    // Syncing the same total again changes nothing.
    assert_eq!(b.sync_hours(7, 95, ts("2024-01-03T00:00:00Z")).unwrap(), 0);
    assert_eq!(b.entries(7).len(), 2);
}

#[test]
fn redemption_is_idempotent_by_order_code() {
    let mut b = PointsLedger::new(&Policy::default());
    b.sync_hours(7, 600, ts("2024-01-01T00:00:00Z")).unwrap(); // 100 points
    let r = redemption("A1", 30, "2024-01-02T00:00:00Z");
    let first = b.redeem(&r).unwrap();
    assert_eq!(first.balance_after, 70);
    assert_eq!(b.redeem(&r).unwrap(), first);
    assert_eq!(b.account(7).redeemed, 30);
    let e = b
        .redeem(&Redemption {
            points: 31,
            ..r.clone()
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(
        e.to_string(),
        "redemption \"A1\".points: differs from the order already recorded under this code"
    );
    let before = b.clone();
    let e = b
        .redeem(&redemption("A2", 71, "2024-01-03T00:00:00Z"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidState);
    assert_eq!(
        e.to_string(),
        "volunteer 7: balance 70 is less than the 71 points asked"
    );
    assert_eq!(
        b, before,
        "a refused redemption leaves the ledger untouched"
    );
    let e = b
        .redeem(&redemption("A3", 0, "2024-01-03T00:00:00Z"))
        .unwrap_err();
    assert_eq!(e.to_string(), "points: 0 must be > 0");
    let e = b
        .redeem(&redemption("A4", 1, "2023-01-03T00:00:00Z"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(e.field(), Some("at"));
}

#[test]
fn revoked_hours_are_clawed_back_into_debt_that_blocks_redemption() {
    let units = UnitTree::new(vec![Unit::new(1, None, "centre", "centre")], vec![]).unwrap();
    let mut ledger = HoursLedger::new(Policy::default(), units);
    ledger.submit(record(1, "2024-03-01T01:00:00Z", 6)).unwrap();
    ledger.submit(record(2, "2024-03-02T01:00:00Z", 3)).unwrap();
    ledger
        .approve(1, 3, ts("2024-03-03T00:00:00Z"), false)
        .unwrap();
    ledger
        .approve(2, 3, ts("2024-03-03T00:00:00Z"), false)
        .unwrap();
    let mut b = PointsLedger::new(&Policy::default());
    assert_eq!(
        b.sync_from_ledger(&ledger, 7, ts("2024-03-04T00:00:00Z"))
            .unwrap(),
        90
    );
    b.redeem(&redemption("R1", 80, "2024-03-05T00:00:00Z"))
        .unwrap();
    // The 6-hour record was fraud: 60 points come back, only 10 are there.
    ledger
        .revoke(
            1,
            RevokeReason::Fraud,
            3,
            ts("2024-03-06T00:00:00Z"),
            "borrowed code",
        )
        .unwrap();
    assert_eq!(
        b.sync_from_ledger(&ledger, 7, ts("2024-03-07T00:00:00Z"))
            .unwrap(),
        -60
    );
    let a = b.account(7);
    assert_eq!((a.balance, a.debt, a.clawed_back), (0, 50, 10));
    let kinds: Vec<_> = b
        .entries(7)
        .iter()
        .map(|e| (e.kind.clone(), e.points))
        .collect();
    assert_eq!(
        kinds[2..],
        [
            (
                PointsEntryKind::Clawback {
                    source: "hours".into()
                },
                10
            ),
            (
                PointsEntryKind::Debt {
                    source: "hours".into()
                },
                50
            ),
        ]
    );
    let e = b
        .redeem(&redemption("R2", 1, "2024-03-08T00:00:00Z"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidState);
    assert_eq!(
        e.to_string(),
        "volunteer 7: owes 50 clawed-back points; redemption is blocked until repaid"
    );
    // New hours repay the debt first.
    ledger.submit(record(3, "2024-04-01T01:00:00Z", 8)).unwrap();
    ledger
        .approve(3, 3, ts("2024-04-02T00:00:00Z"), false)
        .unwrap();
    assert_eq!(
        b.sync_from_ledger(&ledger, 7, ts("2024-04-03T00:00:00Z"))
            .unwrap(),
        80
    );
    let a = b.account(7);
    assert_eq!(
        (a.balance, a.debt, a.clawed_back, a.earned),
        (30, 0, 60, 170)
    );
    b.redeem(&redemption("R3", 30, "2024-04-04T00:00:00Z"))
        .unwrap();
    // As-of sync: looking back before the revocation is not allowed.
    let e = b
        .sync_from_ledger(&ledger, 7, ts("2024-03-01T00:00:00Z"))
        .unwrap_err();
    assert_eq!(e.field(), Some("at"));
}

#[test]
fn honour_points_are_credited_once_and_clawed_back_on_revocation() {
    let p = policy(PointsExpiry::Never);
    let mut reg = HonoursRegistry::new();
    reg.grant(
        7,
        HonourKind::MonthlyStar,
        "2024-03".parse().unwrap(),
        1,
        "2024-04-02".parse().unwrap(),
    )
    .unwrap();
    reg.grant(
        7,
        HonourKind::Commendation,
        "2024".parse().unwrap(),
        1,
        "2024-04-02".parse().unwrap(),
    )
    .unwrap();
    let mut b = PointsLedger::new(&p);
    let honours = reg.of(7);
    // Not yet granted on 2024-04-01 (local).
    assert_eq!(
        b.sync_honours(7, &honours, ts("2024-03-31T00:00:00Z"))
            .unwrap(),
        0
    );
    assert_eq!(
        b.sync_honours(7, &honours, ts("2024-04-02T00:00:00Z"))
            .unwrap(),
        100
    );
    assert_eq!(
        b.sync_honours(7, &honours, ts("2024-04-03T00:00:00Z"))
            .unwrap(),
        0
    );
    reg.revoke(
        7,
        HonourKind::MonthlyStar,
        "2024-03".parse().unwrap(),
        1,
        ts("2024-05-01T00:00:00Z"),
        "fraud",
    )
    .unwrap();
    assert_eq!(
        b.sync_honours(7, &reg.of(7), ts("2024-05-02T00:00:00Z"))
            .unwrap(),
        -100
    );
    assert_eq!(
        b.sync_honours(7, &reg.of(7), ts("2024-05-03T00:00:00Z"))
            .unwrap(),
        0
    );
    let a = b.account(7);
    assert_eq!((a.earned, a.clawed_back, a.balance), (100, 100, 0));
}

#[test]
fn fifo_expiry_lapses_the_oldest_points_first() {
    let mut b = PointsLedger::new(&policy(PointsExpiry::FifoYears(3)));
    b.sync_hours(7, 600, ts("2021-03-01T04:00:00Z")).unwrap(); // 100, lapse 2024-03-01 local
    b.sync_hours(7, 1200, ts("2022-03-01T04:00:00Z")).unwrap(); // +100, lapse 2025-03-01
    b.redeem(&redemption("X", 30, "2023-01-01T00:00:00Z"))
        .unwrap(); // from the 2021 lot
    // Local 2024-02-29 23:59: nothing yet.
    assert_eq!(b.expire(7, ts("2024-02-29T15:59:59Z")).unwrap(), 0);
    // Local 2024-03-01 00:00: the rest of the 2021 lot lapses.
    assert_eq!(b.expire(7, ts("2024-02-29T16:00:00Z")).unwrap(), 70);
    let a = b.account(7);
    assert_eq!((a.balance, a.expired), (100, 70));
    assert_eq!(b.expire(7, ts("2025-03-01T00:00:00Z")).unwrap(), 100);
    assert_eq!(b.account(7).balance, 0);
}

#[test]
fn calendar_year_reset_lapses_everything_at_new_year() {
    let mut b = PointsLedger::new(&policy(PointsExpiry::CalendarYearReset));
    b.sync_hours(7, 600, ts("2024-06-01T00:00:00Z")).unwrap();
    // 2024-12-31T16:00Z is 2025-01-01 00:00 in Beijing.
    assert_eq!(b.expire(7, ts("2024-12-31T15:59:59Z")).unwrap(), 0);
    let e = b
        .redeem(&redemption("Y", 1, "2024-12-31T16:00:00Z"))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "volunteer 7: balance 0 is less than the 1 points asked"
    );
    assert_eq!(b.expire(7, ts("2024-12-31T16:00:00Z")).unwrap(), 100);
}

#[derive(Clone, Debug)]
enum Step {
    Sync(i64),
    Redeem(i64),
    Expire,
    Honour(bool),
}

fn arb_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0i64..3000).prop_map(Step::Sync),
        (1i64..300).prop_map(Step::Redeem),
        Just(Step::Expire),
        any::<bool>().prop_map(Step::Honour),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn balance_is_earned_minus_redeemed_expired_and_clawed_back(
        expiry in prop_oneof![Just(PointsExpiry::Never), Just(PointsExpiry::FifoYears(1)), Just(PointsExpiry::CalendarYearReset)],
        steps in prop::collection::vec((arb_step(), 0i64..200), 1..60),
    ) {
        let p = policy(expiry);
        let mut b = PointsLedger::new(&p);
        let mut reg = HonoursRegistry::new();
        let mut t = ts("2023-01-01T00:00:00Z").as_micros();
        let mut last_minutes = 0;
        for (i, (step, days)) in steps.into_iter().enumerate() {
            t += days * 86_400_000_000;
            let at = Timestamp::from_micros(t).unwrap();
            let before = b.account(7);
            match step {
                Step::Sync(m) => {
                    b.sync_hours(7, m, at).unwrap();
                    last_minutes = m;
                }
                Step::Redeem(n) => {
                    let r = b.redeem(&Redemption { order_code: format!("o{i}"), volunteer: 7,
                        merchant: "m".into(), points: n, at });
                    if r.is_ok() {
                        prop_assert_eq!(before.debt, 0, "redeemed while in debt");
                    }
                }
                Step::Expire => { b.expire(7, at).unwrap(); }
                Step::Honour(grant) => {
                    let period = zhiyuan::time::Period::Day(at.local_date(p.offset()));
                    if grant {
                        reg.grant(7, HonourKind::MonthlyStar, period, 1, at.local_date(p.offset())).unwrap();
                    } else if let Some(h) = reg.of(7).into_iter().find(|h| h.revoked.is_none()) {
                        reg.revoke(7, h.kind, h.period, 1, at, "error").unwrap();
                    }
                    b.sync_honours(7, &reg.of(7), at).unwrap();
                }
            }
            // The saved history replays to the same ledger (lots, debt,
            // credited honours, redemptions), so later steps agree too.
            let back = PointsLedger::restore(&b.snapshot());
            prop_assert_eq!(back.as_ref().ok(), Some(&b));
            let a = b.account(7);
            prop_assert!(a.balance >= 0 && a.debt >= 0);
            prop_assert_eq!(a.balance, a.earned - a.redeemed - a.expired - a.clawed_back);
            prop_assert_eq!(a.hours_points, p.points.hours_points(last_minutes));
            // The history adds up to the totals.
            let sum = |f: fn(&PointsEntryKind) -> bool| -> i64 {
                b.entries(7).iter().filter(|e| f(&e.kind)).map(|e| e.points).sum()
            };
            prop_assert_eq!(a.earned, sum(|k| matches!(k, PointsEntryKind::Earn { .. })));
            prop_assert_eq!(a.redeemed, sum(|k| matches!(k, PointsEntryKind::Redeem { .. })));
            prop_assert_eq!(a.expired, sum(|k| matches!(k, PointsEntryKind::Expire)));
            prop_assert_eq!(a.clawed_back, sum(|k| matches!(k, PointsEntryKind::Clawback { .. } | PointsEntryKind::DebtRepaid)));
            prop_assert_eq!(a.debt, sum(|k| matches!(k, PointsEntryKind::Debt { .. })) - sum(|k| matches!(k, PointsEntryKind::DebtRepaid)));
            if let Some(e) = b.entries(7).last() {
                prop_assert_eq!((e.balance_after, e.debt_after), (a.balance, a.debt));
            }
        }
    }
}
