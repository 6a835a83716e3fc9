//! Facts: derivation windows, the ledger glue, and the honours registry.

use zhiyuan::facts::{
    FactInputs, Rating, Sanction, VolunteerProfile, VolunteerStatus, derive_facts,
    facts_from_ledger,
};
use zhiyuan::honours::{HonourKind, HonoursRegistry};
use zhiyuan::hours::{RecordKind, RevokeReason, ServiceRecord};
use zhiyuan::ledger::HoursLedger;
use zhiyuan::time::Timestamp;
use zhiyuan::units::{Unit, UnitTree};
use zhiyuan::{ErrorKind, Policy};

fn day(s: &str) -> zhiyuan::time::LocalDate {
    s.parse().unwrap()
}

fn per(s: &str) -> zhiyuan::time::Period {
    s.parse().unwrap()
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn profile() -> VolunteerProfile {
    VolunteerProfile {
        id: 7,
        birth_date: "1990-02-28".parse().unwrap(),
        registered_at: ts("2023-12-31T16:00:00Z"), // 2024-01-01 local
        status: VolunteerStatus::Active,
        home_unit: 1,
        skills: vec!["legal".into()],
    }
}

#[test]
fn months_registered_age_ratings_and_active_flag() {
    let p = Policy::default();
    let as_of = ts("2024-06-30T16:00:00Z"); // 2024-07-01 local
    let inputs = FactInputs {
        cumulative_minutes: 20 * 60,
        minutes_this_year: 20 * 60,
        ratings: vec![
            Rating {
                at: ts("2024-02-01T00:00:00Z"),
                score: 5,
            },
            Rating {
                at: ts("2024-03-01T00:00:00Z"),
                score: 4,
            },
            Rating {
                at: ts("2024-04-01T00:00:00Z"),
                score: 4,
            },
            Rating {
                at: ts("2025-01-01T00:00:00Z"),
                score: 1,
            }, // after as_of
        ],
        sanctions: vec![
            Sanction {
                at: ts("2021-06-30T16:00:00Z"),
                reason: "bad_credit".into(),
            },
            Sanction {
                at: ts("2021-06-30T15:59:59Z"),
                reason: "bad_credit".into(),
            },
        ],
        ..FactInputs::default()
    };
    let f = derive_facts(&p, &profile(), &inputs, as_of).unwrap();
    assert_eq!(f.months_registered, 6);
    assert_eq!(f.age, 34);
    assert_eq!((f.average_rating_centi, f.rating_count), (433, 3));
    assert_eq!(f.sanctions, 1);
    assert!(f.active);
    let mut short = inputs.clone();
    short.minutes_this_year -= 1;
    assert!(!derive_facts(&p, &profile(), &short, as_of).unwrap().active);
    let mut bad = inputs;
    bad.ratings[2].score = 6;
    let e = derive_facts(&p, &profile(), &bad, as_of).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(e.to_string(), "ratings[2].score: 6 is not within 1..=5");
}

#[test]
fn honours_count_within_the_window_and_while_live() {
    let p = Policy::default();
    let mut reg = HonoursRegistry::new();
    reg.grant(
        7,
        HonourKind::MonthlyStar,
        per("2023-05"),
        1,
        day("2023-06-01"),
    )
    .unwrap();
    reg.grant(
        7,
        HonourKind::MonthlyStar,
        per("2024-01"),
        1,
        day("2024-02-01"),
    )
    .unwrap();
    reg.grant(
        7,
        HonourKind::AnnualExcellent,
        per("2023"),
        1,
        day("2024-01-15"),
    )
    .unwrap();
    reg.grant(
        8,
        HonourKind::AnnualExcellent,
        per("2023"),
        1,
        day("2024-01-15"),
    )
    .unwrap();
    let as_of = ts("2024-05-31T16:00:00Z"); // 2024-06-01 local; window from 2023-06-01
    let inputs = FactInputs {
        honours: reg.of(7),
        ..FactInputs::default()
    };
    let f = derive_facts(&p, &profile(), &inputs, as_of).unwrap();
    assert_eq!(
        (
            f.monthly_star_honours,
            f.annual_excellent_honours,
            f.honours
        ),
        (2, 1, 3)
    );
    reg.revoke(
        7,
        HonourKind::MonthlyStar,
        per("2024-01"),
        1,
        ts("2024-05-01T00:00:00Z"),
        "fraud",
    )
    .unwrap();
    let inputs = FactInputs {
        honours: reg.of(7),
        ..FactInputs::default()
    };
    let f = derive_facts(&p, &profile(), &inputs, as_of).unwrap();
    assert_eq!((f.monthly_star_honours, f.honours), (1, 2));
    // A day later the 2023-06-01 grant leaves the 12-month window.
    let f = derive_facts(&p, &profile(), &inputs, ts("2024-06-01T16:00:00Z")).unwrap();
    assert_eq!(f.monthly_star_honours, 0);
}

#[test]
fn honours_registry_is_idempotent_and_all_or_nothing() {
    let mut reg = HonoursRegistry::new();
    assert!(
        reg.grant(
            7,
            HonourKind::MonthlyStar,
            per("2024-03"),
            1,
            day("2024-04-02")
        )
        .unwrap()
    );
    assert!(
        !reg.grant(
            7,
            HonourKind::MonthlyStar,
            per("2024-03"),
            1,
            day("2024-04-02")
        )
        .unwrap()
    );
    let e = reg
        .grant(
            7,
            HonourKind::MonthlyStar,
            per("2024-03"),
            2,
            day("2024-04-02"),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(
        e.to_string(),
        "honour 7/monthly_star/2024-03.grantor: already granted by 1, not 2"
    );
    let before = reg.clone();
    let e = reg
        .record_winners(
            HonourKind::MonthlyStar,
            per("2024-03"),
            &[8, 9, 7],
            2,
            day("2024-04-02"),
        )
        .unwrap_err();
    assert_eq!(
        e.field(),
        Some("winners[2].honour 7/monthly_star/2024-03.grantor")
    );
    assert_eq!(reg, before, "nothing recorded when one winner conflicts");
    assert_eq!(
        reg.record_winners(
            HonourKind::MonthlyStar,
            per("2024-03"),
            &[8, 9, 7, 8],
            1,
            day("2024-04-02")
        )
        .unwrap(),
        2
    );
    let e = reg
        .revoke(
            5,
            HonourKind::MonthlyStar,
            per("2024-03"),
            1,
            ts("2024-05-01T00:00:00Z"),
            "x",
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let e = reg
        .revoke(
            7,
            HonourKind::MonthlyStar,
            per("2024-03"),
            1,
            ts("2024-05-01T00:00:00Z"),
            " ",
        )
        .unwrap_err();
    assert_eq!(e.field(), Some("reason"));
    reg.revoke(
        7,
        HonourKind::MonthlyStar,
        per("2024-03"),
        1,
        ts("2024-05-01T00:00:00Z"),
        "dup",
    )
    .unwrap();
    assert_eq!(
        reg.get(7, HonourKind::MonthlyStar, per("2024-03"))
            .unwrap()
            .revoked
            .as_ref()
            .unwrap()
            .reason,
        "dup"
    );
}

/// A service record of volunteer 7 at unit 1, `hours` long.
pub fn record(id: u64, start: &str, hours: i64) -> ServiceRecord {
    let start = ts(start);
    let end = Timestamp::from_micros(start.as_micros() + hours * 3_600_000_000).unwrap();
    ServiceRecord {
        id,
        volunteer: 7,
        unit: 1,
        team: None,
        activity: 1,
        start,
        end,
        kind: RecordKind::Service,
        recorded_by: 2,
        recorded_at: end,
    }
}

#[test]
fn facts_from_the_ledger_use_windows_and_fraud_revocations() {
    let units = UnitTree::new(vec![Unit::new(1, None, "centre", "centre")], vec![]).unwrap();
    let mut ledger = HoursLedger::new(Policy::default(), units);
    // 2023-05-10: outside the trailing 12 months at 2024-06-01.
    ledger
        .submit(record(1, "2023-05-10T01:00:00Z", 10))
        .unwrap();
    // 2023-12-10: in the trailing window, not in 2024.
    ledger.submit(record(2, "2023-12-10T01:00:00Z", 8)).unwrap();
    // 2024-03-10: both.
    ledger.submit(record(3, "2024-03-10T01:00:00Z", 5)).unwrap();
    ledger.submit(record(4, "2024-04-10T01:00:00Z", 3)).unwrap();
    for id in 1..=4 {
        ledger
            .approve(id, 3, ts("2024-04-20T00:00:00Z"), true)
            .unwrap();
    }
    ledger
        .revoke(
            4,
            RevokeReason::Fraud,
            3,
            ts("2024-05-01T00:00:00Z"),
            "borrowed code",
        )
        .unwrap();
    let mut honours = HonoursRegistry::new();
    honours
        .grant(
            7,
            HonourKind::AnnualExcellent,
            "2023".parse().unwrap(),
            1,
            "2024-01-20".parse().unwrap(),
        )
        .unwrap();
    let as_of = ts("2024-05-31T16:00:00Z");
    let f = facts_from_ledger(&ledger, &profile(), &honours, &[], &[], as_of).unwrap();
    assert_eq!(f.cumulative_minutes, 23 * 60);
    assert_eq!(f.minutes_last_12_months, 13 * 60);
    assert_eq!(f.minutes_this_year, 5 * 60);
    assert_eq!(f.fraud_revocations, 1);
    assert_eq!(f.annual_excellent_honours, 1);
    assert_eq!(f.star_level, 0);
    // As of before the revocation, the fraud is not yet known.
    let f = facts_from_ledger(
        &ledger,
        &profile(),
        &honours,
        &[],
        &[],
        ts("2024-04-30T00:00:00Z"),
    )
    .unwrap();
    assert_eq!((f.fraud_revocations, f.cumulative_minutes), (0, 26 * 60));
}
