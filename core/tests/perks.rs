//! Perks: eligibility with reasons, claims, limits per period, points costs.

use proptest::prelude::*;
use zhiyuan::facts::Facts;
use zhiyuan::perks::{PerkClaim, PerkDesk};
use zhiyuan::points::PointsLedger;
use zhiyuan::time::Timestamp;
use zhiyuan::{ErrorKind, Policy};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn example() -> Policy {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/examples/policy.toml"
    ))
    .unwrap();
    Policy::from_toml(&text).unwrap()
}

fn star(level: i64) -> Facts {
    Facts {
        star_level: level,
        active: true,
        ..Facts::default()
    }
}

fn claim(code: &str, perk: &str, at: &str) -> PerkClaim {
    PerkClaim {
        claim_code: code.into(),
        volunteer: 7,
        perk: perk.into(),
        at: ts(at),
    }
}

#[test]
fn eligible_perks_explain_every_refusal() {
    let desk = PerkDesk::new(&example()).unwrap();
    let list = desk.eligible_perks(7, &star(1), ts("2024-03-01T00:00:00Z"), None);
    let ids: Vec<_> = list.iter().map(|e| (e.perk.as_str(), e.eligible)).collect();
    assert_eq!(
        ids,
        [
            ("bus_card_1star", true),
            ("bus_card_2star_up", false),
            ("health_check", false),
            ("bakery_voucher", true),
        ]
    );
    let two = &list[1];
    assert_eq!(two.reasons, ["condition_unmet"]);
    assert_eq!(two.gaps[0].needs, "needs 1 more");
    assert_eq!(two.period.to_string(), "2024");
    assert_eq!(two.limit_per_period, 1);
    // With a points account, costs are checked too.
    let mut book = PointsLedger::new(&example());
    book.sync_hours(7, 60 * 50, ts("2024-02-01T00:00:00Z"))
        .unwrap(); // 500 points
    let acc = book.account(7);
    let list = desk.eligible_perks(7, &star(1), ts("2024-03-01T00:00:00Z"), Some(&acc));
    assert_eq!(list[3].reasons, ["insufficient_points"]);
}

#[test]
fn claims_enforce_the_limit_per_period_and_are_idempotent() {
    let mut desk = PerkDesk::new(&example()).unwrap();
    let c = claim("c1", "bus_card_1star", "2024-03-01T00:00:00Z");
    let r = desk.claim(&c, &star(1), None).unwrap();
    assert_eq!(
        (r.claims_in_period, r.period.to_string().as_str()),
        (1, "2024")
    );
    assert_eq!(desk.claim(&c, &star(1), None).unwrap(), r);
    let e = desk
        .claim(
            &claim("c2", "bus_card_1star", "2024-12-31T15:59:59Z"),
            &star(1),
            None,
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidState);
    assert_eq!(
        e.to_string(),
        "volunteer 7: already claimed perk \"bus_card_1star\" 1 of 1 times in 2024"
    );
    // 2025 starts at 16:00Z on 31 December in Beijing.
    desk.claim(
        &claim("c3", "bus_card_1star", "2024-12-31T16:00:00Z"),
        &star(1),
        None,
    )
    .unwrap();
    let e = desk
        .claim(
            &claim("c1", "bus_card_2star_up", "2024-03-01T00:00:00Z"),
            &star(3),
            None,
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    let e = desk
        .claim(
            &claim("c4", "bus_card_2star_up", "2024-03-01T00:00:00Z"),
            &star(1),
            None,
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "volunteer 7: does not qualify for perk \"bus_card_2star_up\": star_level needs 1 more"
    );
    let e = desk
        .claim(&claim("c5", "spa", "2024-03-01T00:00:00Z"), &star(1), None)
        .unwrap_err();
    assert_eq!(e.to_string(), "perk \"spa\": not in the catalogue");
}

#[test]
fn a_perk_with_a_cost_redeems_points_or_records_nothing() {
    let p = example();
    let mut desk = PerkDesk::new(&p).unwrap();
    let mut book = PointsLedger::new(&p);
    book.sync_hours(7, 60 * 170, ts("2024-02-01T00:00:00Z"))
        .unwrap(); // 1700 points
    let c = claim("b1", "bakery_voucher", "2024-03-01T00:00:00Z");
    let e = desk.claim(&c, &star(1), None).unwrap_err();
    assert_eq!(e.field(), Some("points"));
    let r = desk.claim(&c, &star(1), Some(&mut book)).unwrap();
    assert_eq!(r.points_spent, 800);
    assert_eq!(book.account(7).balance, 900);
    assert_eq!(
        book.redemption("perk:b1").unwrap().redemption.merchant,
        "bakery"
    );
    desk.claim(
        &claim("b2", "bakery_voucher", "2024-03-02T00:00:00Z"),
        &star(1),
        Some(&mut book),
    )
    .unwrap();
    // Limit 2 a month reached.
    let e = desk
        .claim(
            &claim("b3", "bakery_voucher", "2024-03-03T00:00:00Z"),
            &star(1),
            Some(&mut book),
        )
        .unwrap_err();
    assert!(e.to_string().contains("2 of 2 times in 2024-03"), "{e}");
    // Next month the limit resets but the balance (100) is short: nothing recorded.
    let e = desk
        .claim(
            &claim("b4", "bakery_voucher", "2024-04-03T00:00:00Z"),
            &star(1),
            Some(&mut book),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidState);
    assert_eq!(desk.claims().count(), 2);
    assert_eq!(book.account(7).balance, 100);
}

#[test]
fn catalogue_errors_name_the_perk() {
    let e = Policy::from_toml(
        r#"
[[perks.catalogue]]
id = "x"
merchant = "m"
title = "t"
when = { fact = "star", op = ">=", value = 1 }
"#,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "perks.catalogue[0].when.fact: unknown fact \"star\""
    );
    let e = Policy::from_toml(
        r#"
[[perks.catalogue]]
id = "x"
merchant = "m"
title = "t"
when = { fact = "star_level", op = ">=", value = 1 }
points_cost = 0
"#,
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("perks.catalogue[0].points_cost"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_perk_limit_is_never_exceeded(
        claims in prop::collection::vec((0u64..3, 0usize..4, 0i64..400, 0u8..3, any::<bool>()), 1..60),
    ) {
        let p = example();
        let mut desk = PerkDesk::new(&p).unwrap();
        let mut book = PointsLedger::new(&p);
        let perks = ["bus_card_1star", "bus_card_2star_up", "health_check", "bakery_voucher"];
        let mut t = ts("2024-01-01T00:00:00Z").as_micros();
        for v in 0..3 {
            book.sync_hours(v, 60 * 1000, Timestamp::from_micros(t).unwrap()).unwrap();
        }
        for (i, (v, perk, hours, level, reuse)) in claims.into_iter().enumerate() {
            t += hours * 3_600_000_000;
            let at = Timestamp::from_micros(t).unwrap();
            let code = if reuse && i > 0 { format!("k{}", i - 1) } else { format!("k{i}") };
            let c = PerkClaim { claim_code: code, volunteer: v, perk: perks[perk].into(), at };
            let _ = desk.claim(&c, &star(i64::from(level) + 1), Some(&mut book));
        }
        let mut counts = std::collections::BTreeMap::new();
        for r in desk.claims() {
            *counts.entry((r.claim.volunteer, r.claim.perk.clone(), r.period)).or_insert(0u32) += 1;
            prop_assert!(r.claims_in_period <= r.limit_per_period);
        }
        for ((_, perk, _), n) in counts {
            let limit = if perk == "bakery_voucher" { 2 } else { 1 };
            prop_assert!(n <= limit, "{} claimed {} times", perk, n);
        }
    }
}
