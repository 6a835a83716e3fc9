//! 文明贷: boundaries of the default policy (domain-rules §3.4), policy
//! rejections, monotonicity, batch equivalence and determinism.

use proptest::prelude::*;
use zhiyuan::credit::{CreditEngine, CreditPolicy, Gate, Tier};
use zhiyuan::facts::{
    Fact, FactInputs, FactType, Facts, FactsColumns, Polarity, VolunteerProfile, VolunteerStatus,
    derive_facts,
};
use zhiyuan::rules::{Condition, Literal, Op};
use zhiyuan::threads::Threads;
use zhiyuan::time::Timestamp;
use zhiyuan::{ErrorKind, Policy, PolicySpec};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// Every default gate met; `hours` cumulative.
fn ok_facts(hours: i64) -> Facts {
    Facts {
        cumulative_minutes: hours * 60,
        minutes_last_12_months: 20 * 60,
        minutes_this_year: 20 * 60,
        months_registered: 6,
        age: 30,
        active: true,
        ..Facts::default()
    }
}

type Spoil = fn(&mut Facts);
type Edit = Box<dyn FnOnce(&mut CreditPolicy)>;

fn engine() -> CreditEngine {
    CreditEngine::new(&Policy::default()).unwrap()
}

#[test]
fn default_tier_boundaries_match_domain_rules_3_4() {
    let e = engine();
    let at = ts("2024-06-01T00:00:00Z");
    let cases = [
        (99, None, 0, 0),
        (100, Some(1), 10_000_000, 25),
        (299, Some(1), 10_000_000, 25),
        (300, Some(2), 20_000_000, 50),
        (600, Some(3), 30_000_000, 75),
        (999, Some(3), 30_000_000, 75),
        (1000, Some(4), 40_000_000, 100),
        (1499, Some(4), 40_000_000, 100),
        (1500, Some(5), 50_000_000, 125),
        (5000, Some(5), 50_000_000, 125),
    ];
    for (h, tier, limit, bp) in cases {
        let d = e.decide(&ok_facts(h), at);
        assert_eq!(
            (d.tier, d.limit_fen, d.rate_discount_bp),
            (tier, limit, bp),
            "{h} h"
        );
        assert_eq!(d.eligible, tier.is_some(), "{h} h");
        assert!(d.failing_gates.is_empty());
    }
    // One minute short of tier 1.
    let mut f = ok_facts(100);
    f.cumulative_minutes -= 1;
    let d = e.decide(&f, at);
    assert!(!d.eligible);
    assert_eq!(d.next_tier.unwrap().unmet[0].needs, "needs 1 more minute");
}

#[test]
fn gap_to_tier_1_at_99_hours_reads_one_hour() {
    let d = engine().decide(&ok_facts(99), ts("2024-06-01T00:00:00Z"));
    let next = d.next_tier.expect("a next tier");
    assert_eq!((next.tier, next.id.as_str()), (1, "tier_1"));
    assert_eq!(next.unmet.len(), 1);
    assert_eq!(next.unmet[0].fact, Fact::CumulativeHours);
    assert_eq!(next.unmet[0].shortfall, Some(60));
    assert_eq!(next.unmet[0].needs, "needs 1 more hour");
    // At the top there is no next tier.
    assert!(
        engine()
            .decide(&ok_facts(1500), ts("2024-06-01T00:00:00Z"))
            .next_tier
            .is_none()
    );
    // 1379.5 h: needs 120.5 more hours to tier 5.
    let mut f = ok_facts(1379);
    f.cumulative_minutes += 30;
    let d = engine().decide(&f, ts("2024-06-01T00:00:00Z"));
    assert_eq!(
        d.next_tier.unwrap().unmet[0].needs,
        "needs 120.5 more hours"
    );
}

#[test]
fn decision_lists_every_condition_and_failing_gate() {
    let mut f = ok_facts(700);
    f.age = 61;
    f.fraud_revocations = 1;
    let d = engine().decide(&f, ts("2024-06-01T00:00:00Z"));
    assert!(!d.eligible);
    assert_eq!(d.tier, None);
    assert_eq!(d.limit_fen, 0);
    assert_eq!(d.failing_gates, vec!["age_22_to_60", "no_fraud_3_years"]);
    // 7 gate comparisons + 5 tier comparisons.
    assert_eq!(d.conditions.len(), 12);
    let age_max = &d.conditions[1];
    assert_eq!(
        (age_max.rule.as_str(), age_max.path.as_str()),
        ("gate:age_22_to_60", "when.all[1]")
    );
    assert_eq!((age_max.op, age_max.passed), (Op::Le, false));
    // Gates aside, 700 h reaches tier 3; the next tier is 4.
    assert_eq!(d.next_tier.unwrap().tier, 4);
    assert_eq!(d.policy_hash, Policy::default().hash());
}

fn profile(birth: &str) -> VolunteerProfile {
    VolunteerProfile {
        id: 7,
        birth_date: birth.parse().unwrap(),
        registered_at: ts("2020-01-01T00:00:00Z"),
        status: VolunteerStatus::Active,
        home_unit: 1,
        skills: vec![],
    }
}

fn hours_inputs(h: i64) -> FactInputs {
    FactInputs {
        cumulative_minutes: h * 60,
        minutes_last_12_months: h * 60,
        minutes_this_year: h * 60,
        ..FactInputs::default()
    }
}

#[test]
fn age_band_is_inclusive_and_counts_from_the_birthday() {
    let p = Policy::default();
    let e = engine();
    // Local midnight of 2024-06-01 in Beijing.
    let birthday = ts("2024-05-31T16:00:00Z");
    let before = ts("2024-05-31T15:59:59Z");
    let young = profile("2002-06-01");
    let f = derive_facts(&p, &young, &hours_inputs(100), birthday).unwrap();
    assert_eq!(f.age, 22);
    assert!(e.decide(&f, birthday).eligible);
    let f = derive_facts(&p, &young, &hours_inputs(100), before).unwrap();
    assert_eq!(f.age, 21);
    assert_eq!(e.decide(&f, before).failing_gates, vec!["age_22_to_60"]);
    let old = profile("1963-06-01");
    let f = derive_facts(&p, &old, &hours_inputs(100), birthday).unwrap();
    assert_eq!(f.age, 61);
    assert!(!e.decide(&f, birthday).eligible);
    let f = derive_facts(&p, &old, &hours_inputs(100), before).unwrap();
    assert_eq!(f.age, 60);
    assert!(e.decide(&f, before).eligible);
}

#[test]
fn fraud_exactly_three_years_ago_excludes_but_three_years_and_a_day_does_not() {
    let p = Policy::default();
    let e = engine();
    let as_of = ts("2024-06-01T04:00:00Z"); // 12:00 local
    let mut inputs = hours_inputs(300);
    inputs.fraud_revocations = vec![ts("2021-05-31T16:00:00Z")]; // 2021-06-01 00:00 local
    let f = derive_facts(&p, &profile("1990-01-01"), &inputs, as_of).unwrap();
    assert_eq!(f.fraud_revocations, 1);
    assert_eq!(e.decide(&f, as_of).failing_gates, vec!["no_fraud_3_years"]);
    inputs.fraud_revocations = vec![ts("2021-05-31T15:59:59Z")]; // 2021-05-31 23:59:59 local
    let f = derive_facts(&p, &profile("1990-01-01"), &inputs, as_of).unwrap();
    assert_eq!(f.fraud_revocations, 0);
    let d = e.decide(&f, as_of);
    assert!(d.eligible);
    assert_eq!(d.tier, Some(2));
}

#[test]
fn other_gates_each_exclude() {
    let e = engine();
    let at = ts("2024-06-01T00:00:00Z");
    let cases: [(&str, Spoil); 5] = [
        ("registered_6_months", |f| f.months_registered = 5),
        ("active_last_12_months", |f| {
            f.minutes_last_12_months = 20 * 60 - 1
        }),
        ("no_bad_credit_3_years", |f| f.sanctions = 1),
        ("not_suspended", |f| f.status = VolunteerStatus::Suspended),
        ("not_suspended", |f| {
            f.status = VolunteerStatus::Deregistered
        }),
    ];
    for (gate, spoil) in cases {
        let mut f = ok_facts(2000);
        spoil(&mut f);
        let d = e.decide(&f, at);
        assert_eq!(d.failing_gates, vec![gate]);
        assert!(!d.eligible);
    }
}

fn with_credit(edit: impl FnOnce(&mut CreditPolicy)) -> zhiyuan::Result<Policy> {
    let mut spec = PolicySpec::default();
    edit(&mut spec.credit);
    Policy::new(spec)
}

#[test]
fn unknown_fact_is_rejected_with_its_path() {
    let e = Policy::from_toml(
        r#"
[[credit.tiers]]
id = "a"
when = { all = [ { fact = "cumulative_hour", op = ">=", value = 100 } ] }
limit_fen = 1
rate_discount_bp = 0
"#,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PolicyInvalid);
    assert_eq!(
        e.to_string(),
        "credit.tiers[0].when.all[0].fact: unknown fact \"cumulative_hour\""
    );
    let e = with_credit(|c| {
        c.tiers[2].when = Condition::All(vec![Condition::at_least("cumulative_hour", 1)])
    })
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "credit.tiers[2].when.all[0].fact: unknown fact \"cumulative_hour\""
    );
}

#[test]
fn limit_above_the_cap_is_rejected_naming_the_tier() {
    let e = with_credit(|c| c.tiers[4].limit_fen = 50_000_001).unwrap_err();
    assert_eq!(
        e.to_string(),
        "credit.tiers[4].limit_fen: 50000001 exceeds the cap of 50000000 fen"
    );
    // Raising the cap admits it.
    with_credit(|c| {
        c.cap_fen = 60_000_000;
        c.tiers[4].limit_fen = 60_000_000;
    })
    .unwrap();
}

#[test]
fn a_tier_that_pays_less_for_more_hours_is_rejected() {
    let e = with_credit(|c| c.tiers[2].limit_fen = 15_000_000).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PolicyInvalid);
    assert_eq!(e.field(), Some("credit.tiers[2].limit_fen"));
    assert!(
        e.reason()
            .contains("tier \"tier_3\" pays 15000000 fen, less than the lower tier \"tier_2\""),
        "{e}"
    );
    let e = with_credit(|c| c.tiers[1].rate_discount_bp = 10).unwrap_err();
    assert_eq!(e.field(), Some("credit.tiers[1].rate_discount_bp"));
    // A condition that turns false as hours rise.
    let e = with_credit(|c| {
        c.tiers[0].when = Condition::All(vec![
            Condition::at_least("cumulative_hours", 100),
            Condition::cmp("cumulative_hours", Op::Lt, 300),
        ])
    })
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "credit.tiers[0].when.all[1]: cumulative_hours is more-is-better, but `cumulative_hours < 300` can turn false when it rises"
    );
    // `not` flips the direction.
    let e = with_credit(|c| {
        c.gates[3].when = Condition::Not(Box::new(Condition::cmp("fraud_revocations", Op::Eq, 0)))
    })
    .unwrap_err();
    assert_eq!(e.field(), Some("credit.gates[3].when.not"));
    with_credit(|c| {
        c.tiers[0].when = Condition::Not(Box::new(Condition::cmp("cumulative_hours", Op::Lt, 100)))
    })
    .unwrap();
}

#[test]
fn type_errors_and_empty_tables_are_rejected() {
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|c| c.tiers.clear()),
            "credit.tiers: must not be empty",
        ),
        (
            Box::new(|c| c.tiers[0].when = Condition::All(vec![])),
            "credit.tiers[0].when.all: must not be empty",
        ),
        (
            Box::new(|c| c.gates[5].when = Condition::cmp("status", Op::Eq, "retired")),
            "credit.gates[5].when.value: \"retired\" is not one of active, suspended, deregistered",
        ),
        (
            Box::new(|c| c.gates[1].when = Condition::cmp("months_registered", Op::Ge, true)),
            "credit.gates[1].when.value: true does not fit months_registered: expected a whole number",
        ),
        (
            Box::new(|c| c.gates[5].when = Condition::cmp("status", Op::Ge, "active")),
            "credit.gates[5].when.op: \">=\" does not apply to status fact status",
        ),
        (
            Box::new(|c| {
                c.tiers[0].when = Condition::cmp("cumulative_hours", Op::Ge, Literal::Decimal(0.01))
            }),
            "credit.tiers[0].when.value: 0.01 hours is not a whole number of minutes",
        ),
        (
            Box::new(|c| c.gates[0].when = Condition::cmp("age", Op::In, Literal::List(vec![]))),
            "credit.gates[0].when.value: `in` needs a non-empty list",
        ),
        (
            Box::new(|c| c.gates[1].id = "age_22_to_60".into()),
            "credit.gates[1].id: duplicate id \"age_22_to_60\"",
        ),
    ];
    for (edit, want) in cases {
        let e = with_credit(edit).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PolicyInvalid);
        assert_eq!(e.to_string(), want);
    }
    // A malformed condition shape is caught by the parser, with its path.
    let e = Policy::from_json(
        r#"{"credit": {"gates": [{"id": "x", "when": {"fact": "age", "all": []}}]}}"#,
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("credit.gates[0].when"), "{e}");
}

#[test]
fn decimal_hours_thresholds_are_exact() {
    let p = with_credit(|c| {
        c.tiers[0].when = Condition::cmp("cumulative_hours", Op::Ge, Literal::Decimal(120.5))
    })
    .unwrap();
    let e = CreditEngine::new(&p).unwrap();
    let at = ts("2024-06-01T00:00:00Z");
    let mut f = ok_facts(120);
    f.cumulative_minutes += 29;
    assert_eq!(e.decide(&f, at).tier, None);
    f.cumulative_minutes += 1;
    assert_eq!(e.decide(&f, at).tier, Some(1));
    // Written as a string for JSON users who avoid floats.
    let p = Policy::from_json(
        r#"{"credit": {"tiers": [{"id": "t", "when": {"fact": "cumulative_hours", "op": ">=", "value": "120.5"},
            "limit_fen": 100, "rate_discount_bp": 1}]}}"#,
    )
    .unwrap();
    assert_eq!(CreditEngine::new(&p).unwrap().decide(&f, at).tier, Some(1));
}

#[test]
fn example_policy_file_loads() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/examples/policy.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let p = Policy::from_toml(&text).unwrap();
    assert!(!p.perks.catalogue.is_empty());
    assert_eq!(p.credit.tiers.len(), 5);
    // It round-trips.
    assert_eq!(Policy::from_toml(&p.to_toml()).unwrap().hash(), p.hash());
}

// ---- properties -------------------------------------------------------

fn arb_facts() -> impl Strategy<Value = Facts> {
    (
        (
            0i64..200_000,
            0i64..20_000,
            0i64..20_000,
            -5i64..240,
            10i64..80,
        ),
        (0i64..6, 0i64..4, 0i64..3, 0i64..6, 0i64..3, 0i64..3),
        (0i64..=500, 0i64..40, any::<bool>(), 0usize..3),
    )
        .prop_map(
            |((cum, l12, yr, months, age), (star, ms, ae, ho, fr, sa), (rt, rc, active, st))| {
                Facts {
                    cumulative_minutes: cum,
                    minutes_last_12_months: l12,
                    minutes_this_year: yr,
                    months_registered: months,
                    age,
                    star_level: star,
                    monthly_star_honours: ms,
                    annual_excellent_honours: ae,
                    honours: ho,
                    fraud_revocations: fr,
                    sanctions: sa,
                    average_rating_centi: rt,
                    rating_count: rc,
                    active,
                    status: VolunteerStatus::ALL[st],
                }
            },
        )
}

/// Makes `fact` better by `step` (raising a more-is-better fact, lowering a
/// less-is-better one, never below 0).
fn improve(f: &Facts, fact: Fact, step: i64) -> Facts {
    let mut g = f.clone();
    let v = f.get(fact);
    let nv = match (fact.polarity(), fact.fact_type()) {
        (_, FactType::Bool) => 1,
        (Polarity::LessIsBetter, _) => (v - step).max(0),
        _ => v + step,
    };
    g.set(fact, nv);
    g
}

fn polar_facts() -> Vec<Fact> {
    Fact::ALL
        .into_iter()
        .filter(|f| f.polarity() != Polarity::Neutral)
        .collect()
}

fn arb_literal(fact: Fact) -> BoxedStrategy<Literal> {
    match fact.fact_type() {
        FactType::Hours => (0i64..3000).prop_map(Literal::Int).boxed(),
        FactType::Rating => (0i64..=5).prop_map(Literal::Int).boxed(),
        FactType::Count => (0i64..8).prop_map(Literal::Int).boxed(),
        FactType::Bool => any::<bool>().prop_map(Literal::Bool).boxed(),
        FactType::Status => Just(Literal::Text("active".into())).boxed(),
    }
}

fn arb_atom() -> impl Strategy<Value = Condition> {
    // Indices 6.. pick the direction that suits the fact's polarity, so
    // that a good share of random policies validates.
    (0usize..Fact::ALL.len(), 0usize..12).prop_flat_map(|(fi, oi)| {
        let fact = Fact::ALL[fi];
        let op = match (fact.fact_type(), fact.polarity()) {
            (FactType::Bool | FactType::Status, _) => [Op::Eq, Op::Ne][oi % 2],
            (_, Polarity::MoreIsBetter) if oi >= 6 => [Op::Ge, Op::Gt][oi % 2],
            (_, Polarity::LessIsBetter) if oi >= 6 => [Op::Le, Op::Lt][oi % 2],
            _ => [Op::Ge, Op::Gt, Op::Le, Op::Lt, Op::Eq, Op::Ne][oi % 6],
        };
        arb_literal(fact).prop_map(move |v| Condition::cmp(fact.name(), op, v))
    })
}

fn arb_condition() -> impl Strategy<Value = Condition> {
    arb_atom().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..3).prop_map(Condition::All),
            prop::collection::vec(inner.clone(), 1..3).prop_map(Condition::Any),
            inner.prop_map(|c| Condition::Not(Box::new(c))),
        ]
    })
}

/// A random credit policy; it may or may not validate.
fn arb_policy() -> impl Strategy<Value = PolicySpec> {
    (
        prop::collection::vec(arb_condition(), 0..3),
        prop::collection::vec((arb_condition(), 0i64..10_000_000, 0i64..100), 1..5),
    )
        .prop_map(|(gates, tiers)| {
            let mut spec = PolicySpec::default();
            spec.credit.gates = gates
                .into_iter()
                .enumerate()
                .map(|(i, when)| Gate {
                    id: format!("g{i}"),
                    when,
                })
                .collect();
            // Cumulative sums keep limits and discounts non-decreasing.
            let (mut limit, mut bp) = (0, 0);
            spec.credit.tiers = tiers
                .into_iter()
                .enumerate()
                .map(|(i, (when, l, b))| {
                    limit += l;
                    bp += b;
                    Tier {
                        id: format!("t{i}"),
                        when,
                        limit_fen: limit,
                        rate_discount_bp: bp,
                    }
                })
                .collect();
            spec
        })
}

fn check_monotone(e: &CreditEngine, f: &Facts, fact: Fact, step: i64) -> Result<(), TestCaseError> {
    let at = ts("2024-06-01T00:00:00Z");
    let before = e.decide(f, at);
    let after = e.decide(&improve(f, fact, step), at);
    prop_assert!(
        after.tier >= before.tier,
        "{fact} +{step}: {:?} -> {:?}",
        before.tier,
        after.tier
    );
    prop_assert!(after.limit_fen >= before.limit_fen);
    prop_assert!(after.rate_discount_bp >= before.rate_discount_bp);
    prop_assert!(after.eligible || !before.eligible);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn raising_a_better_fact_never_lowers_tier_or_limit_default(
        f in arb_facts(), which in 0usize..12, step in 1i64..100_000,
    ) {
        let polar = polar_facts();
        check_monotone(&engine(), &f, polar[which % polar.len()], step)?;
    }

    #[test]
    fn raising_a_better_fact_never_lowers_tier_or_limit_random_policies(
        spec in arb_policy(), rows in prop::collection::vec(arb_facts(), 8),
        which in 0usize..12, step in 1i64..100_000,
    ) {
        // Only policies that validate carry the guarantee.
        if let Ok(policy) = Policy::new(spec) {
            let e = CreditEngine::new(&policy).unwrap();
            let polar = polar_facts();
            for f in &rows {
                check_monotone(&e, f, polar[which % polar.len()], step)?;
            }
        }
    }

    #[test]
    fn batch_equals_row_by_row(rows in prop::collection::vec(arb_facts(), 0..200)) {
        let e = engine();
        let at = ts("2024-06-01T00:00:00Z");
        let cols = FactsColumns::from_rows(&rows);
        let fast = e.decide_batch(&cols, at, false).unwrap();
        let full = e.decide_batch(&cols, at, true).unwrap();
        prop_assert!(fast.reasons.is_none());
        let reasons = full.reasons.clone().unwrap();
        prop_assert_eq!(reasons.len(), rows.len());
        for (i, f) in rows.iter().enumerate() {
            let d = e.decide(f, at);
            prop_assert_eq!(fast.tier[i], d.tier.unwrap_or(0));
            prop_assert_eq!(fast.eligible[i], d.eligible);
            prop_assert_eq!(fast.limit_fen[i], d.limit_fen);
            prop_assert_eq!(fast.rate_discount_bp[i], d.rate_discount_bp);
            prop_assert_eq!(&reasons[i], &d);
        }
        prop_assert_eq!(&full.tier, &fast.tier);
    }
}

#[test]
fn batch_is_identical_for_any_thread_count() {
    let rows: Vec<Facts> = (0..20_000)
        .map(|i: i64| Facts {
            cumulative_minutes: (i * 7919) % 120_000,
            minutes_last_12_months: (i * 31) % 3000,
            months_registered: i % 30,
            age: 18 + i % 50,
            fraud_revocations: i64::from(i % 97 == 0),
            ..Facts::default()
        })
        .collect();
    let cols = FactsColumns::from_rows(&rows);
    let e = engine();
    let at = ts("2024-06-01T00:00:00Z");
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| e.decide_batch(&cols, at, false).unwrap())
    };
    let one = run(1);
    assert_eq!(run(3), one);
    assert_eq!(run(8), one);
    // Every tier occurs in this data.
    for t in 0..=5 {
        assert!(one.tier.contains(&t), "tier {t}");
    }
}

#[test]
fn batch_rejects_short_columns_it_reads_and_ignores_unread_ones() {
    let mut cols = FactsColumns::from_rows(&[ok_facts(100), ok_facts(300)]);
    cols.average_rating_centi.clear(); // not read by the default policy
    let b = engine()
        .decide_batch(&cols, ts("2024-06-01T00:00:00Z"), false)
        .unwrap();
    assert_eq!(b.tier, vec![1, 2]);
    cols.age.pop();
    let e = engine()
        .decide_batch(&cols, ts("2024-06-01T00:00:00Z"), false)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(e.to_string(), "columns.age: has 1 rows, expected 2");
}

#[test]
fn random_policy_generator_yields_valid_and_invalid_policies() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut ok, mut bad) = (0, 0);
    for _ in 0..400 {
        let spec = arb_policy().new_tree(&mut runner).unwrap().current();
        match Policy::new(spec) {
            Ok(_) => ok += 1,
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::PolicyInvalid);
                bad += 1;
            }
        }
    }
    // The monotonicity property above is only meaningful if many random
    // policies pass validation, and the validator only if many fail.
    assert!(ok >= 40, "only {ok} of 400 random policies validated");
    assert!(bad >= 40, "only {bad} of 400 random policies were rejected");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The allocation-free hot path (`grant`, behind the C struct call)
    /// gives exactly the tier, limit and discount of the full decision.
    #[test]
    fn grant_matches_the_full_decision(f in arb_facts()) {
        let e = engine();
        let g = e.grant(&f);
        let d = e.decide(&f, ts("2024-06-01T00:00:00Z"));
        prop_assert_eq!(g.eligible(), d.eligible);
        prop_assert_eq!(g.tier, d.tier.unwrap_or(0));
        prop_assert_eq!(g.limit_fen, d.limit_fen);
        prop_assert_eq!(g.rate_discount_bp, d.rate_discount_bp);
        prop_assert_eq!(e.grant_of_tier(g.tier), g);
    }
}

#[test]
fn grant_of_an_out_of_range_tier_is_not_eligible() {
    let e = engine();
    assert_eq!(e.grant_of_tier(0), zhiyuan::credit::CreditGrant::default());
    assert_eq!(e.grant_of_tier(99), zhiyuan::credit::CreditGrant::default());
    assert_eq!(e.grant_of_tier(1).limit_fen, 10_000_000);
}

// ---- the column kernel --------------------------------------------------

/// A comparison that keeps a policy monotone, over every operator: the
/// right direction on a polar fact (or the wrong one under `not`), `== 0`
/// on a less-is-better count, `active` as a bool, and anything on the
/// neutral facts (`age`, `status`), `in` lists and negations included.
fn arb_good_atom() -> BoxedStrategy<Condition> {
    let not = |c: Condition| Condition::Not(Box::new(c));
    let more = prop_oneof![
        Just(Fact::CumulativeHours),
        Just(Fact::HoursLast12Months),
        Just(Fact::MonthsRegistered),
        Just(Fact::AverageRating),
        Just(Fact::Honours),
    ];
    let less = prop_oneof![Just(Fact::FraudRevocations), Just(Fact::Sanctions)];
    let ops = |a: Op, b: Op| prop_oneof![Just(a), Just(b)];
    prop_oneof![
        (more.clone(), ops(Op::Ge, Op::Gt), any::<bool>()).prop_flat_map(move |(f, op, neg)| {
            arb_literal(f).prop_map(move |v| {
                if neg {
                    not(Condition::cmp(f.name(), op.negated(), v))
                } else {
                    Condition::cmp(f.name(), op, v)
                }
            })
        }),
        (less, ops(Op::Le, Op::Lt), 0usize..3).prop_flat_map(move |(f, op, form)| {
            arb_literal(f).prop_map(move |v| match form {
                0 => Condition::cmp(f.name(), op, v),
                1 => not(Condition::cmp(f.name(), op.negated(), v)),
                _ => Condition::cmp(f.name(), Op::Eq, 0),
            })
        }),
        prop_oneof![
            Just(Condition::cmp("active", Op::Eq, true)),
            Just(Condition::cmp("active", Op::Ne, false)),
            Just(not(Condition::cmp("active", Op::Eq, false))),
            Just(Condition::cmp(
                "active",
                Op::In,
                Literal::List(vec![true.into(), false.into()])
            )),
        ],
        (0usize..6, 10i64..80, any::<bool>()).prop_map(move |(oi, v, neg)| {
            let op = [Op::Ge, Op::Gt, Op::Le, Op::Lt, Op::Eq, Op::Ne][oi];
            let c = Condition::cmp("age", op, v);
            if neg { not(c) } else { c }
        }),
        (prop::collection::vec(10i64..80, 1..4), any::<bool>()).prop_map(move |(vs, neg)| {
            let c = Condition::cmp(
                "age",
                Op::In,
                Literal::List(vs.into_iter().map(Literal::Int).collect()),
            );
            if neg { not(c) } else { c }
        }),
        (prop::collection::vec(0usize..3, 1..3), 0usize..3).prop_map(move |(ss, form)| {
            let name = |i: usize| VolunteerStatus::ALL[i].as_str();
            match form {
                0 => Condition::cmp(
                    "status",
                    Op::In,
                    Literal::List(ss.iter().map(|&i| name(i).into()).collect()),
                ),
                1 => not(Condition::cmp(
                    "status",
                    Op::In,
                    Literal::List(ss.iter().map(|&i| name(i).into()).collect()),
                )),
                _ => Condition::cmp(
                    "status",
                    if ss.len() == 1 { Op::Eq } else { Op::Ne },
                    name(ss[0]),
                ),
            }
        }),
    ]
    .boxed()
}

/// Random monotone conditions of any shape.
fn arb_any_condition() -> impl Strategy<Value = Condition> {
    arb_good_atom().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Condition::All),
            prop::collection::vec(inner, 1..4).prop_map(Condition::Any),
        ]
    })
}

/// A random credit policy over [`arb_any_condition`]; it may or may not
/// validate.
fn arb_any_policy() -> impl Strategy<Value = PolicySpec> {
    (
        prop::collection::vec(arb_any_condition(), 0..4),
        prop::collection::vec(arb_any_condition(), 1..6),
    )
        .prop_map(|(gates, tiers)| {
            let mut spec = PolicySpec::default();
            spec.credit.gates = gates
                .into_iter()
                .enumerate()
                .map(|(i, when)| Gate {
                    id: format!("g{i}"),
                    when,
                })
                .collect();
            spec.credit.tiers = tiers
                .into_iter()
                .enumerate()
                .map(|(i, when)| Tier {
                    id: format!("t{i}"),
                    when,
                    limit_fen: 1000 * (i as i64 + 1),
                    rate_discount_bp: 10 * (i as i64 + 1),
                })
                .collect();
            spec
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The column kernel decides every row exactly as the row-by-row
    /// evaluator does, for any valid policy (gates and tiers of any shape,
    /// `in` and `not` included), any row count across block and chunk
    /// edges, and any thread count.
    #[test]
    fn column_kernel_equals_row_by_row_for_random_policies(
        spec in arb_any_policy(),
        rows in prop::collection::vec(arb_facts(), 0..40),
        repeat in prop_oneof![Just(1usize), 30usize..60, 500usize..600],
        threads in 1usize..4,
    ) {
        // Every generated policy validates (checked below).
        if let Ok(policy) = Policy::new(spec) {
            let e = CreditEngine::new(&policy).unwrap();
            let at = ts("2024-06-01T00:00:00Z");
            let all: Vec<Facts> = rows.iter().cycle().take(rows.len() * repeat).cloned().collect();
            let cols = FactsColumns::from_rows(&all);
            let b = e
                .decide_columns(cols.as_ref(), at, false, Threads::exactly(threads).unwrap())
                .unwrap();
            prop_assert_eq!(b.tier.len(), all.len());
            for (i, f) in all.iter().enumerate() {
                let g = e.grant(f);
                prop_assert_eq!(b.tier[i], g.tier, "row {}", i);
                prop_assert_eq!(b.limit_fen[i], g.limit_fen);
                prop_assert_eq!(b.rate_discount_bp[i], g.rate_discount_bp);
                prop_assert_eq!(b.eligible[i], g.eligible());
            }
        }
    }
}

#[test]
fn column_kernel_random_policies_often_validate() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let ok = (0..400)
        .filter(|_| Policy::new(arb_any_policy().new_tree(&mut runner).unwrap().current()).is_ok())
        .count();
    assert_eq!(ok, 400, "only {ok} of 400 random policies validated");
}

#[test]
fn column_kernel_reads_borrowed_columns_and_checks_their_lengths() {
    let rows: Vec<Facts> = [0, 100, 300, 600, 1000, 1500]
        .into_iter()
        .map(ok_facts)
        .collect();
    let owned = FactsColumns::from_rows(&rows);
    let mut cols = owned.as_ref();
    let e = engine();
    let at = ts("2024-06-01T00:00:00Z");
    let b = e.decide_columns(cols, at, false, Threads::Global).unwrap();
    assert_eq!(b.tier, vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(b, e.decide_batch(&owned, at, false).unwrap());
    // Unread columns may be empty; a short column the policy reads is named.
    cols.average_rating_centi = &[];
    cols.active = &[];
    assert_eq!(
        e.decide_columns(cols, at, false, Threads::Global)
            .unwrap()
            .tier,
        b.tier
    );
    cols.status = &owned.status[..5];
    let err = e
        .decide_columns(cols, at, false, Threads::Global)
        .unwrap_err();
    assert_eq!(err.to_string(), "columns.status: has 5 rows, expected 6");
    let err = Threads::exactly(0).unwrap_err();
    assert_eq!(err.to_string(), "threads: must be at least 1");
}
