//! Monthly stars, annual selection and apportionment: worked examples from
//! domain-rules §5 and property tests.

use proptest::prelude::*;
use std::collections::BTreeMap;
use zhiyuan::annual::{AnnualCandidate, AnnualRound, EligibilityRule, annual_selection};
use zhiyuan::apportion::{District, Method, apportion};
use zhiyuan::monthly::{
    Mark, MonthlyRound, MonthlyStarsPolicy, VoidReason, Vote, VoteMode, count_votes, judge_scores,
    monthly_stars,
};
use zhiyuan::selection::{Ratio, SelectionKind};
use zhiyuan::time::Timestamp;
use zhiyuan::{ErrorKind, Policy, PolicySpec};

const METHODS: [Method; 4] = [
    Method::SainteLague,
    Method::LargestRemainder,
    Method::DHondt,
    Method::HuntingtonHill,
];

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn r(n: i128, d: i128) -> Ratio {
    Ratio::new(n, d).unwrap()
}

fn policy_with(f: impl FnOnce(&mut MonthlyStarsPolicy)) -> Policy {
    let mut spec = PolicySpec::default();
    f(&mut spec.monthly_stars);
    Policy::new(spec).unwrap()
}

/// A deterministic permutation of `v` driven by `seed` (Fisher–Yates over an
/// LCG), so proptest can shuffle inputs reproducibly.
fn permute<T>(mut v: Vec<T>, mut seed: u64) -> Vec<T> {
    for i in (1..v.len()).rev() {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = (seed >> 33) as usize % (i + 1);
        v.swap(i, j);
    }
    v
}

/// `n` votes for `candidate`, each from a distinct voter, inside March 2024.
fn votes_for(candidate: u64, n: u64, first_id: u64) -> Vec<Vote> {
    (0..n)
        .map(|k| Vote {
            id: first_id + k,
            voter: first_id + k,
            candidate,
            at: ts("2024-03-10T04:00:00Z"),
        })
        .collect()
}

fn marks_for(candidate: u64, marks: &[u32]) -> Vec<Mark> {
    marks
        .iter()
        .enumerate()
        .map(|(j, &mark)| Mark {
            judge: j as u64 + 1,
            candidate,
            mark,
        })
        .collect()
}

fn round(candidates: Vec<u64>, votes: Vec<Vote>, marks: Vec<Mark>) -> MonthlyRound {
    MonthlyRound {
        month: "2024-03".parse().unwrap(),
        candidates,
        votes,
        marks,
        voided: vec![],
        window: None,
    }
}

// ---------------------------------------------------------------- apportion

fn three(h: u64, m: Method) -> Vec<u64> {
    let d = [
        District::new(1, 169),
        District::new(2, 166),
        District::new(3, 10),
    ];
    apportion(&d, h, m).unwrap().seats()
}

#[test]
fn districts_169_166_10_with_19_and_20_seats() {
    // domain-rules §5.6.
    assert_eq!(three(19, Method::LargestRemainder), vec![9, 9, 1]);
    assert_eq!(three(20, Method::LargestRemainder), vec![10, 10, 0]);
    assert_eq!(three(19, Method::SainteLague), vec![9, 9, 1]);
    assert_eq!(three(20, Method::SainteLague), vec![10, 9, 1]);
    assert_eq!(three(19, Method::HuntingtonHill), vec![9, 9, 1]);
    assert_eq!(three(20, Method::HuntingtonHill), vec![10, 9, 1]);
    assert_eq!(three(19, Method::DHondt), vec![10, 9, 0]);
    assert_eq!(three(20, Method::DHondt), vec![10, 10, 0]);
    let a = apportion(
        &[
            District::new(1, 169),
            District::new(2, 166),
            District::new(3, 10),
        ],
        20,
        Method::LargestRemainder,
    )
    .unwrap();
    // Quotas 9.797, 9.623, 0.580: the two leftovers go to the big districts.
    assert_eq!(a.districts[2].quota, r(200, 345));
    assert_eq!(a.districts[0].quota.to_decimal(3), "9.797");
}

#[test]
fn equal_priorities_go_to_the_lower_district_id() {
    for m in METHODS {
        let a = apportion(&[District::new(9, 5), District::new(4, 5)], 1, m).unwrap();
        assert_eq!(a.seats_of(4), 1, "{m:?}");
        assert_eq!(a.seats_of(9), 0, "{m:?}");
    }
}

fn districts() -> impl Strategy<Value = Vec<District>> {
    prop::collection::vec((0u64..2000, prop::option::of(0u64..40)), 1..8).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (size, cap))| District {
                id: i as u64 * 3 + 1,
                size,
                cap,
            })
            .collect()
    })
}

fn room(ds: &[District]) -> u64 {
    ds.iter()
        .filter(|d| d.size > 0)
        .map(|d| d.cap.unwrap_or(u64::MAX / 16))
        .fold(0u64, |a, b| a.saturating_add(b))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn seats_sum_to_the_total_and_respect_caps(ds in districts(), h in 0u64..120) {
        for m in METHODS {
            let a = apportion(&ds, h, m).unwrap();
            let want = h.min(room(&ds));
            prop_assert_eq!(a.allocated, want, "{:?}", m);
            prop_assert_eq!(a.seats().iter().sum::<u64>(), want);
            prop_assert_eq!(a.unfilled, h - want);
            for d in &a.districts {
                if let Some(c) = d.cap { prop_assert!(d.seats <= c, "{:?} {:?}", m, d); }
                if d.size == 0 { prop_assert_eq!(d.seats, 0); }
            }
        }
    }

    #[test]
    fn divisor_methods_never_take_a_seat_when_the_total_grows(ds in districts(), h in 0u64..120) {
        for m in [Method::SainteLague, Method::DHondt, Method::HuntingtonHill] {
            let a = apportion(&ds, h, m).unwrap().seats();
            let b = apportion(&ds, h + 1, m).unwrap().seats();
            for (x, y) in a.iter().zip(&b) {
                prop_assert!(y >= x, "{:?}: {:?} -> {:?}", m, a, b);
            }
        }
    }

    #[test]
    fn independent_of_district_order_and_scale(ds in districts(), h in 0u64..120, seed: u64, k in 1u64..50) {
        for m in METHODS {
            let a = apportion(&ds, h, m).unwrap();
            let shuffled = apportion(&permute(ds.clone(), seed), h, m).unwrap();
            prop_assert_eq!(&a, &shuffled);
            let scaled: Vec<District> = ds.iter().map(|d| District { size: d.size * k, ..*d }).collect();
            prop_assert_eq!(a.seats(), apportion(&scaled, h, m).unwrap().seats(), "{:?} ×{}", m, k);
        }
    }

    #[test]
    fn largest_remainder_without_caps_satisfies_quota(sizes in prop::collection::vec(1u64..5000, 1..8), h in 0u64..200) {
        let ds: Vec<District> = sizes.iter().enumerate().map(|(i, &s)| District::new(i as u64, s)).collect();
        let a = apportion(&ds, h, Method::LargestRemainder).unwrap();
        for d in &a.districts {
            let s = Ratio::integer(i128::from(d.seats));
            prop_assert!(s > d.quota.checked_add(Ratio::integer(-1)).unwrap());
            prop_assert!(s < d.quota.checked_add(Ratio::integer(1)).unwrap());
        }
    }
}

// ------------------------------------------------------------ monthly stars

#[test]
fn worked_example_5_3() {
    // A=1, B=2, C=3, D=4, E=5 (domain-rules §5.3).
    let mut votes = votes_for(1, 1200, 0);
    votes.extend(votes_for(2, 900, 10_000));
    votes.extend(votes_for(3, 350, 20_000));
    votes.extend(votes_for(4, 780, 30_000));
    votes.extend(votes_for(5, 1200, 40_000));
    let mut marks = marks_for(1, &[80, 85, 90, 70, 95]);
    marks.extend(marks_for(2, &[92, 88, 90, 60, 94]));
    marks.extend(marks_for(3, &[95, 96, 97, 98, 99]));
    marks.extend(marks_for(4, &[95; 5]));
    marks.extend(marks_for(5, &[80; 5]));
    let res = monthly_stars(
        &Policy::default(),
        &round(vec![1, 2, 3, 4, 5], votes, marks),
    )
    .unwrap();
    let order: Vec<u64> = res.standings.iter().map(|s| s.candidate).collect();
    assert_eq!(order, vec![1, 4, 5, 2, 3]);
    let finals: Vec<Ratio> = res.standings.iter().map(|s| s.final_score).collect();
    assert_eq!(
        finals,
        vec![r(179, 2), r(86, 1), r(86, 1), r(171, 2), r(1533, 20)]
    );
    let c = &res.standings[4];
    assert_eq!(c.vote_part, r(175, 6));
    assert_eq!(c.judge_part, r(97, 1));
    assert_eq!(c.final_score.to_string(), "1533/20");
    assert_eq!(c.final_display, "76.6500");
    // D and E tie on 86; D has the higher judge part.
    assert_eq!(res.standings[1].judge_part, r(95, 1));
    assert_eq!(res.standings[2].judge_part, r(80, 1));
    assert_eq!(res.standings[0].dropped_judges, vec![4, 5]);
    assert_eq!(res.tally.counted_total, 4430);
    assert!(res.tally.void.is_empty());
    assert_eq!(res.winners.len(), 5);
    assert!(
        res.winners
            .iter()
            .all(|w| w.kind == SelectionKind::MonthlyStar)
    );
    assert_eq!(res.policy_hash, Policy::default().hash());
}

fn table_5_2(scale_j2: bool) -> Vec<Mark> {
    let mut t = [
        [9, 8, 7, 6],
        [6, 5, 4, 3],
        [10, 9, 9, 2],
        [7, 7, 6, 6],
        [8, 6, 7, 5],
    ];
    if scale_j2 {
        for x in &mut t[1] {
            *x = 2 * *x + 3;
        }
    }
    t.iter()
        .enumerate()
        .flat_map(|(j, row)| {
            row.iter().enumerate().map(move |(c, &mark)| Mark {
                judge: j as u64 + 1,
                candidate: c as u64 + 1,
                mark,
            })
        })
        .collect()
}

#[test]
fn judges_vector_5_2() {
    let raw = policy_with(|p| p.max_mark = 20);
    let s = judge_scores(&raw, &[1, 2, 3, 4], &table_5_2(false)).unwrap();
    let means: Vec<Ratio> = s.iter().map(|s| s.mean).collect();
    assert_eq!(means, vec![r(8, 1), r(7, 1), r(20, 3), r(14, 3)]);
    let z = policy_with(|p| {
        p.max_mark = 20;
        p.standardise_judges = true;
    });
    let a = judge_scores(&z, &[1, 2, 3, 4], &table_5_2(false)).unwrap();
    let shown: Vec<String> = a.iter().map(|s| s.mean.to_decimal(4)).collect();
    assert_eq!(shown, ["1.2278", "0.4543", "-0.1491", "-1.3416"]);
    // J2 → 2·J2 + 3 changes no z-score, to the last fixed-point digit.
    let b = judge_scores(&z, &[1, 2, 3, 4], &table_5_2(true)).unwrap();
    assert_eq!(a, b);
    // Raw means do change under that rescaling.
    let c = judge_scores(&raw, &[1, 2, 3, 4], &table_5_2(true)).unwrap();
    assert_ne!(s, c);
    // The T-score part: 50 + 10 z̄.
    assert_eq!(a[3].part.to_decimal(2), "36.58");
}

#[test]
fn fewer_than_five_judges_are_not_trimmed() {
    let s = judge_scores(&Policy::default(), &[1], &marks_for(1, &[0, 100, 50, 50])).unwrap();
    assert_eq!(s[0].mean, r(50, 1));
    assert!(s[0].dropped_judges.is_empty());
    let s = judge_scores(
        &Policy::default(),
        &[1],
        &marks_for(1, &[0, 100, 50, 50, 20]),
    )
    .unwrap();
    assert_eq!(s[0].mean, r(40, 1));
    assert_eq!(s[0].dropped_judges, vec![1, 2]);
}

#[test]
fn void_votes_carry_each_reason() {
    let p = policy_with(|p| p.votes_per_voter_per_day = 2);
    let v = |id, voter, candidate, at: &str| Vote {
        id,
        voter,
        candidate,
        at: ts(at),
    };
    let votes = vec![
        v(1, 7, 1, "2024-03-05T01:00:00Z"),  // counted
        v(1, 7, 1, "2024-03-05T01:00:00Z"),  // replay
        v(2, 7, 1, "2024-03-05T02:00:00Z"),  // same candidate, same local day
        v(3, 7, 2, "2024-03-05T03:00:00Z"),  // counted (2nd of the day)
        v(4, 7, 3, "2024-03-05T04:00:00Z"),  // over the daily cap of 2
        v(5, 7, 99, "2024-03-05T05:00:00Z"), // not a candidate
        v(6, 7, 1, "2024-02-29T15:59:59Z"),  // 23:59:59 on 29 Feb local
        v(7, 8, 1, "2024-03-06T01:00:00Z"),  // audited
        v(8, 7, 1, "2024-03-05T16:00:00Z"),  // 00:00 on the 6th local: counted
    ];
    let mut rd = round(vec![1, 2, 3], votes, vec![]);
    rd.voided = vec![7];
    let t = count_votes(&p, &rd).unwrap();
    let reasons: Vec<(u64, VoidReason)> = t.void.iter().map(|v| (v.vote, v.reason)).collect();
    assert_eq!(
        reasons,
        vec![
            (1, VoidReason::Duplicate),
            (2, VoidReason::CandidateDayLimit),
            (4, VoidReason::VoterDailyCap),
            (5, VoidReason::UnknownCandidate),
            (6, VoidReason::OutsideWindow),
            (7, VoidReason::VoidedByAudit),
        ]
    );
    assert_eq!(t.counted, BTreeMap::from([(1, 2), (2, 1), (3, 0)]));
    assert_eq!(t.counted_total, 3);
    assert_eq!(t.window.opens, ts("2024-02-29T16:00:00Z"));
    assert_eq!(t.window.closes, ts("2024-03-31T16:00:00Z"));
}

#[test]
fn bad_rounds_are_errors_naming_the_field() {
    let p = Policy::default();
    let mut rd = round(vec![1, 2], vec![], marks_for(1, &[50]));
    let e = monthly_stars(&p, &rd).unwrap_err();
    assert_eq!(
        e.to_string(),
        "candidates[1]: candidate 2 has no judges' marks"
    );
    rd.marks.extend(marks_for(2, &[101]));
    let e = monthly_stars(&p, &rd).unwrap_err();
    assert_eq!(
        e.to_string(),
        "marks[1].mark: must be within 0..=100, got 101"
    );
    rd.marks[1].mark = 40;
    rd.marks.push(Mark {
        judge: 1,
        candidate: 2,
        mark: 41,
    });
    let e = monthly_stars(&p, &rd).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(
        e.to_string(),
        "marks[2].judge: judge 1 marked candidate 2 twice"
    );
    rd.marks.pop();
    rd.voided = vec![3];
    let e = monthly_stars(&p, &rd).unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string()),
        (ErrorKind::NotFound, "voided[0]: unknown vote 3".into())
    );
    rd.voided.clear();
    rd.votes = vec![
        Vote {
            id: 1,
            voter: 1,
            candidate: 1,
            at: ts("2024-03-02T00:00:00Z"),
        },
        Vote {
            id: 1,
            voter: 2,
            candidate: 1,
            at: ts("2024-03-02T00:00:00Z"),
        },
    ];
    let e = monthly_stars(&p, &rd).unwrap_err();
    assert_eq!(
        e.to_string(),
        "votes[1].id: vote 1 differs from votes[0] with the same id"
    );
    rd.votes.clear();
    rd.month = "2024".parse().unwrap();
    assert_eq!(monthly_stars(&p, &rd).unwrap_err().field(), Some("month"));
}

#[test]
fn weights_must_sum_to_exactly_one() {
    let e = Policy::from_toml("[monthly_stars]\nvote_weight_permille = 400\n").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PolicyInvalid);
    assert_eq!(
        e.to_string(),
        "monthly_stars.judge_weight_permille: vote_weight_permille + judge_weight_permille \
         must be 1000, got 400 + 700 = 1100"
    );
    let ok = Policy::from_toml(
        "[monthly_stars]\nvote_weight_permille = 400\njudge_weight_permille = 600\n",
    );
    assert!(ok.is_ok());
    let e = Policy::from_toml("[annual]\nweight_hours_permille = 499\n").unwrap_err();
    assert_eq!(e.field(), Some("annual.weight_orders_permille"));
    let e = Policy::from_toml("[monthly_stars]\ntrim_min_judges = 2\n").unwrap_err();
    assert_eq!(e.field(), Some("monthly_stars.trim_min_judges"));
}

#[test]
fn vote_modes() {
    let mut votes = votes_for(1, 30, 0);
    votes.extend(votes_for(2, 20, 100));
    votes.extend(votes_for(3, 20, 200));
    votes.extend(votes_for(4, 10, 300));
    let marks: Vec<Mark> = (1..=5).flat_map(|c| marks_for(c, &[50])).collect();
    let rd = round(vec![1, 2, 3, 4, 5], votes, marks);
    let parts = |mode, f: fn(&mut MonthlyStarsPolicy)| {
        let p = policy_with(|p| {
            p.vote_mode = mode;
            f(p)
        });
        let mut s = monthly_stars(&p, &rd).unwrap().standings;
        s.sort_by_key(|s| s.candidate);
        s.iter().map(|s| s.vote_part).collect::<Vec<_>>()
    };
    assert_eq!(
        parts(VoteMode::RelativeToTop, |_| {}),
        vec![r(100, 1), r(200, 3), r(200, 3), r(100, 3), r(0, 1)]
    );
    // Ranks 1, 2, 2, 4, and zero votes: 1.0, 0.8, 0.8, 0.7, rest 0.5.
    assert_eq!(
        parts(VoteMode::RankCoefficient, |_| {}),
        vec![r(100, 1), r(80, 1), r(80, 1), r(70, 1), r(50, 1)]
    );
    assert_eq!(
        parts(VoteMode::CappedLinear, |p| p.capped_linear_full_votes = 20),
        vec![r(100, 1), r(100, 1), r(100, 1), r(50, 1), r(0, 1)]
    );
}

#[test]
fn window_follows_policy_offset_and_month_offset() {
    let p = policy_with(|p| {
        p.window_month_offset = 1;
        p.window_first_day = 1;
        p.window_last_day = 7;
    });
    let w = p
        .monthly_stars
        .window(&p, "2024-12".parse().unwrap())
        .unwrap();
    assert_eq!(w.opens, ts("2024-12-31T16:00:00Z"));
    assert_eq!(w.closes, ts("2025-01-07T16:00:00Z"));
    let d = Policy::default();
    let w = d
        .monthly_stars
        .window(&d, "2024-02".parse().unwrap())
        .unwrap();
    assert_eq!(w.closes, ts("2024-02-29T16:00:00Z")); // 31 clamps to the 29th
}

/// A random round: `n` candidates, `j` judges marking everyone, and votes
/// from a few voters over a few days.
fn any_round() -> impl Strategy<Value = MonthlyRound> {
    (1usize..8, 1usize..8).prop_flat_map(|(n, j)| {
        (
            prop::collection::vec(0u32..=100, n * j),
            prop::collection::vec((0u64..6, 1u64..=n as u64 + 1, 0i64..5 * 86_400), 0..60),
        )
            .prop_map(move |(ms, vs)| {
                let marks = (0..n)
                    .flat_map(|c| (0..j).map(move |k| (c, k)))
                    .map(|(c, k)| Mark {
                        judge: k as u64 + 1,
                        candidate: c as u64 + 1,
                        mark: ms[c * j + k],
                    })
                    .collect();
                let base = ts("2024-03-29T00:00:00Z");
                let votes = vs
                    .iter()
                    .enumerate()
                    .map(|(i, &(voter, candidate, s))| Vote {
                        id: i as u64,
                        voter,
                        candidate,
                        at: base.checked_add_micros(s * 1_000_000).unwrap(),
                    })
                    .collect();
                round((1..=n as u64).collect(), votes, marks)
            })
    })
}

fn any_policy() -> impl Strategy<Value = Policy> {
    (0usize..3, any::<bool>(), 0u32..=1000, 1u32..4).prop_map(|(mode, z, wv, cap)| {
        policy_with(|p| {
            p.vote_mode = [
                VoteMode::RelativeToTop,
                VoteMode::RankCoefficient,
                VoteMode::CappedLinear,
            ][mode];
            p.standardise_judges = z;
            p.vote_weight_permille = wv;
            p.judge_weight_permille = 1000 - wv;
            p.votes_per_voter_per_day = cap;
            p.capped_linear_full_votes = 3;
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn blend_scores_stay_within_0_and_100(rd in any_round(), p in any_policy()) {
        let res = monthly_stars(&p, &rd).unwrap();
        let (lo, hi) = (Ratio::ZERO, Ratio::integer(100));
        for s in &res.standings {
            for x in [s.vote_part, s.judge_part, s.final_score] {
                prop_assert!(x >= lo && x <= hi, "{:?}", s);
            }
        }
        let places: Vec<u32> = res.standings.iter().map(|s| s.place).collect();
        prop_assert_eq!(places, (1..=rd.candidates.len() as u32).collect::<Vec<_>>());
    }

    #[test]
    fn ranking_is_independent_of_input_order(rd in any_round(), p in any_policy(), seed: u64) {
        let a = monthly_stars(&p, &rd).unwrap();
        let mut shuffled = rd.clone();
        shuffled.candidates = permute(rd.candidates.clone(), seed);
        shuffled.votes = permute(rd.votes.clone(), seed ^ 1);
        shuffled.marks = permute(rd.marks.clone(), seed ^ 2);
        prop_assert_eq!(a, monthly_stars(&p, &shuffled).unwrap());
    }

    #[test]
    fn pareto_dominance_never_ranks_lower(rd in any_round(), p in any_policy(), extra in 0u64..5) {
        // Make candidate 1 dominate candidate 2 (if any): every judge's mark
        // at least as high, and at least as many votes (from fresh voters).
        let mut rd = rd;
        if rd.candidates.len() < 2 { return Ok(()); }
        let two: BTreeMap<u64, u32> = rd.marks.iter().filter(|m| m.candidate == 2).map(|m| (m.judge, m.mark)).collect();
        for m in rd.marks.iter_mut().filter(|m| m.candidate == 1) {
            m.mark = m.mark.max(two[&m.judge]);
        }
        let tally = count_votes(&p, &rd).unwrap();
        let gap = tally.counted[&2].saturating_sub(tally.counted[&1]) + extra;
        rd.votes.extend((0..gap).map(|k| Vote { id: 1_000 + k, voter: 1_000 + k, candidate: 1, at: ts("2024-03-30T00:00:00Z") }));
        let res = monthly_stars(&p, &rd).unwrap();
        let a = res.standings.iter().find(|s| s.candidate == 1).unwrap();
        let b = res.standings.iter().find(|s| s.candidate == 2).unwrap();
        prop_assert!(a.final_score >= b.final_score);
        prop_assert!(a.judge_part >= b.judge_part);
        prop_assert!(a.vote_part >= b.vote_part);
        prop_assert!(a.place < b.place);
    }
}

// ---------------------------------------------------------------- annual

fn cand(volunteer: u64, district: u64, hours: i64) -> AnnualCandidate {
    AnnualCandidate {
        volunteer,
        district,
        annual_minutes: hours * 60,
        ..AnnualCandidate::default()
    }
}

#[test]
fn eligibility_lists_every_failed_rule() {
    let mut spec = PolicySpec::default();
    spec.annual.min_age = Some(18);
    spec.annual.max_age = Some(60);
    let p = Policy::new(spec).unwrap();
    let mut cs = vec![
        AnnualCandidate {
            age: Some(30),
            ..cand(1, 1, 20)
        },
        AnnualCandidate {
            age: Some(17),
            fraud_revocations: 1,
            ..cand(2, 1, 19)
        },
        AnnualCandidate {
            age: Some(61),
            ..cand(3, 1, 100)
        },
        cand(4, 1, 100),
    ];
    cs[0].annual_minutes = 1200; // exactly 20 h: eligible
    let res = annual_selection(
        &p,
        &AnnualRound {
            year: "2024".parse().unwrap(),
            candidates: cs,
        },
    )
    .unwrap();
    let fails: Vec<(u64, Vec<EligibilityRule>)> = res
        .ineligible
        .iter()
        .map(|i| (i.volunteer, i.failures.iter().map(|f| f.rule).collect()))
        .collect();
    assert_eq!(
        fails,
        vec![
            (
                2,
                vec![
                    EligibilityRule::MinMinutes,
                    EligibilityRule::NoFraud,
                    EligibilityRule::MinAge
                ]
            ),
            (3, vec![EligibilityRule::MaxAge]),
            (4, vec![EligibilityRule::AgeKnown]),
        ]
    );
    assert_eq!(res.ineligible[0].failures[0].required, Some(1200));
    assert_eq!(res.ineligible[0].failures[0].actual, Some(1140));
    assert_eq!(res.winners.len(), 1);
    assert_eq!(res.winners[0].kind, SelectionKind::AnnualExcellent);
}

#[test]
fn composite_score_is_exact() {
    let c = AnnualCandidate {
        avg_rating_milli: Some(4500),
        honours: 2,
        fulfilled_orders: 60,
        ..cand(1, 1, 100)
    };
    let res = annual_selection(
        &Policy::default(),
        &AnnualRound {
            year: "2024".parse().unwrap(),
            candidates: vec![c],
        },
    )
    .unwrap();
    let s = &res.standings[0];
    assert_eq!(s.hours_part, r(50, 1)); // 100 h of 200
    assert_eq!(s.rating_part, r(175, 2)); // (4500 − 1000) / 4000
    assert_eq!(s.honours_part, r(40, 1));
    assert_eq!(s.orders_part, r(100, 1)); // capped at 50 orders
    // 0.5·50 + 0.2·87.5 + 0.15·40 + 0.15·100 = 25 + 17.5 + 6 + 15
    assert_eq!(s.score, r(127, 2));
}

#[test]
fn quotas_follow_eligible_counts_with_caps_and_surplus() {
    // 169 / 166 / 10 eligible volunteers, 20 seats: Sainte-Laguë gives the
    // small district its seat; largest remainder does not.
    let mut cs = Vec::new();
    let mut id = 0;
    for (district, n) in [(1u64, 169u64), (2, 166), (3, 10)] {
        for k in 0..n {
            id += 1;
            cs.push(cand(id, district, 20 + k as i64));
        }
    }
    cs.push(cand(10_000, 3, 5)); // ineligible: not counted in district 3's size
    let run = |total, method| {
        let mut spec = PolicySpec::default();
        spec.annual.total = total;
        spec.annual.method = method;
        let rd = AnnualRound {
            year: "2024".parse().unwrap(),
            candidates: cs.clone(),
        };
        annual_selection(&Policy::new(spec).unwrap(), &rd).unwrap()
    };
    assert_eq!(run(20, Method::SainteLague).quotas.seats(), vec![10, 9, 1]);
    assert_eq!(
        run(20, Method::LargestRemainder).quotas.seats(),
        vec![10, 10, 0]
    );
    let res = run(20, Method::SainteLague);
    // District 3's seat goes to its best candidate: most hours (29 h).
    let three: Vec<_> = res.notice().filter(|s| s.district == 3).collect();
    assert_eq!(three.len(), 1);
    assert_eq!(three[0].annual_minutes, 29 * 60);
    // 1000 seats exceed the 345 eligible: everyone is selected, 655 unfilled.
    let all = run(1000, Method::SainteLague);
    assert_eq!(all.winners.len(), 345);
    assert_eq!(all.quotas.unfilled, 655);
    assert!(all.quotas.districts.iter().all(|d| d.capped));
}

#[test]
fn bad_candidates_are_errors() {
    let p = Policy::default();
    let year = "2024".parse().unwrap();
    let e = annual_selection(
        &p,
        &AnnualRound {
            year,
            candidates: vec![cand(1, 1, 30), cand(1, 2, 30)],
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "candidates[1].volunteer: volunteer 1 is listed twice"
    );
    let bad = AnnualCandidate {
        avg_rating_milli: Some(6000),
        ..cand(1, 1, 30)
    };
    let e = annual_selection(
        &p,
        &AnnualRound {
            year,
            candidates: vec![bad],
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "candidates[0].avg_rating_milli: must be within 1000..=5000, got 6000"
    );
    let e = annual_selection(
        &p,
        &AnnualRound {
            year: "2024-03".parse().unwrap(),
            candidates: vec![],
        },
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("year"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn annual_is_order_independent_and_fills_its_quotas(
        facts in prop::collection::vec((1u64..5, 0i64..400, prop::option::of(1000u32..=5000), 0u32..8, 0u32..80, 0u32..2), 0..40),
        total in 1u64..30,
        seed: u64,
    ) {
        let cs: Vec<AnnualCandidate> = facts.iter().enumerate().map(|(i, &(d, h, rating, hon, ord, fraud))| AnnualCandidate {
            volunteer: i as u64 + 1, district: d, annual_minutes: h * 60, avg_rating_milli: rating,
            honours: hon, fulfilled_orders: ord, fraud_revocations: fraud, age: None,
        }).collect();
        let mut spec = PolicySpec::default();
        spec.annual.total = total;
        let p = Policy::new(spec).unwrap();
        let year = "2024".parse().unwrap();
        let a = annual_selection(&p, &AnnualRound { year, candidates: cs.clone() }).unwrap();
        let b = annual_selection(&p, &AnnualRound { year, candidates: permute(cs, seed) }).unwrap();
        prop_assert_eq!(&a, &b);
        let eligible = a.standings.len() as u64;
        prop_assert_eq!(a.winners.len() as u64, total.min(eligible));
        for s in &a.standings {
            prop_assert!(s.score >= Ratio::ZERO && s.score <= Ratio::integer(100));
            prop_assert_eq!(s.selected, u64::from(s.district_rank) <= a.quotas.seats_of(s.district));
        }
    }
}

#[test]
fn annual_facts_from_the_ledger() {
    use zhiyuan::hours::{RecordKind, RevokeReason, ServiceRecord};
    use zhiyuan::ledger::HoursLedger;
    use zhiyuan::units::{Unit, UnitTree};
    let units = UnitTree::new(vec![Unit::new(1, None, "中心", "centre")], vec![]).unwrap();
    let mut ledger = HoursLedger::new(Policy::default(), units);
    let mut add = |id, volunteer, start: &str, hours: i64| {
        let start = ts(start);
        let end = start.checked_add_micros(hours * 3_600_000_000).unwrap();
        let rec = ServiceRecord {
            id,
            volunteer,
            unit: 1,
            team: None,
            activity: 1,
            start,
            end,
            kind: RecordKind::Service,
            recorded_by: 9,
            recorded_at: end,
        };
        ledger.submit(rec).unwrap();
        ledger.approve(id, 9, end, false).unwrap();
    };
    add(1, 1, "2024-03-01T00:00:00Z", 10);
    add(2, 1, "2024-06-01T00:00:00Z", 9);
    add(3, 1, "2023-12-31T18:00:00Z", 1); // 02:00 on 1 Jan 2024 local: counts
    add(4, 1, "2023-12-31T10:00:00Z", 5); // 18:00 on 31 Dec 2023 local: not 2024
    add(5, 2, "2024-04-01T00:00:00Z", 10);
    add(6, 2, "2024-04-02T00:00:00Z", 10);
    add(7, 2, "2024-04-03T00:00:00Z", 10);
    ledger
        .revoke(
            7,
            RevokeReason::Fraud,
            9,
            ts("2025-01-05T00:00:00Z"),
            "fake sign-in",
        )
        .unwrap();
    let year = "2024".parse().unwrap();
    let as_of = ts("2025-01-10T00:00:00Z");
    let facts = |v| {
        AnnualCandidate {
            volunteer: v,
            district: 1,
            ..AnnualCandidate::default()
        }
        .with_ledger_facts(&ledger, year, as_of)
        .unwrap()
    };
    let (a, b) = (facts(1), facts(2));
    assert_eq!((a.annual_minutes, a.fraud_revocations), (20 * 60, 0));
    assert_eq!((b.annual_minutes, b.fraud_revocations), (20 * 60, 1));
    // Before the fraud was found, volunteer 2 still had 30 h and no fraud.
    let early = AnnualCandidate {
        volunteer: 2,
        district: 1,
        ..AnnualCandidate::default()
    }
    .with_ledger_facts(&ledger, year, ts("2025-01-01T00:00:00Z"))
    .unwrap();
    assert_eq!(
        (early.annual_minutes, early.fraud_revocations),
        (30 * 60, 0)
    );
    let res = annual_selection(
        &Policy::default(),
        &AnnualRound {
            year,
            candidates: vec![a, b],
        },
    )
    .unwrap();
    assert_eq!(res.winner_ids(), vec![1]);
    assert_eq!(res.ineligible[0].failures[0].rule, EligibilityRule::NoFraud);
}

/// The vote rules written the obvious way: every vote in (time, id) order
/// against running maps. `count_votes` groups by (voter, day) instead.
fn reference_tally(p: &Policy, rd: &MonthlyRound) -> (BTreeMap<u64, u64>, Vec<(u64, VoidReason)>) {
    let w = p.monthly_stars.window(p, rd.month).unwrap();
    let mp = &p.monthly_stars;
    let mut seen = BTreeMap::new();
    let mut void = Vec::new();
    for v in &rd.votes {
        if seen.insert(v.id, *v).is_some() {
            void.push((v.id, VoidReason::Duplicate));
        }
    }
    let mut order: Vec<Vote> = seen.into_values().collect();
    order.sort_by_key(|v| (v.at, v.id));
    let mut per_cand: BTreeMap<(u64, u64, String), u32> = BTreeMap::new();
    let mut per_voter: BTreeMap<(u64, String), u32> = BTreeMap::new();
    let mut counted: BTreeMap<u64, u64> = rd.candidates.iter().map(|&c| (c, 0)).collect();
    for v in order {
        let day = v.at.local_date(p.offset()).to_string();
        let pc = per_cand
            .get(&(v.voter, v.candidate, day.clone()))
            .copied()
            .unwrap_or(0);
        let pv = per_voter.get(&(v.voter, day.clone())).copied().unwrap_or(0);
        let reason = if rd.voided.contains(&v.id) {
            Some(VoidReason::VoidedByAudit)
        } else if !rd.candidates.contains(&v.candidate) {
            Some(VoidReason::UnknownCandidate)
        } else if v.at < w.opens || v.at >= w.closes {
            Some(VoidReason::OutsideWindow)
        } else if pc >= mp.votes_per_candidate_per_day {
            Some(VoidReason::CandidateDayLimit)
        } else if pv >= mp.votes_per_voter_per_day {
            Some(VoidReason::VoterDailyCap)
        } else {
            None
        };
        match reason {
            Some(r) => void.push((v.id, r)),
            None => {
                *per_cand
                    .entry((v.voter, v.candidate, day.clone()))
                    .or_default() += 1;
                *per_voter.entry((v.voter, day)).or_default() += 1;
                *counted.entry(v.candidate).or_default() += 1;
            }
        }
    }
    void.sort();
    (counted, void)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn vote_filter_matches_the_reference(rd in any_round(), p in any_policy(), per_cand in 1u32..3, replays in prop::collection::vec(any::<prop::sample::Index>(), 0..5), audit in prop::collection::vec(any::<prop::sample::Index>(), 0..5)) {
        let p = {
            let mut spec = p.spec().clone();
            spec.monthly_stars.votes_per_candidate_per_day = per_cand;
            Policy::new(spec).unwrap()
        };
        let mut rd = rd;
        if !rd.votes.is_empty() {
            for ix in &replays { let v = *ix.get(&rd.votes); rd.votes.push(v); }
            rd.voided = audit.iter().map(|ix| ix.get(&rd.votes).id).collect();
        }
        let t = count_votes(&p, &rd).unwrap();
        let (counted, void) = reference_tally(&p, &rd);
        prop_assert_eq!(&t.counted, &counted);
        prop_assert_eq!(t.void.iter().map(|v| (v.vote, v.reason)).collect::<Vec<_>>(), void);
        prop_assert_eq!(t.counted_total + t.void.len() as u64, rd.votes.len() as u64);
    }
}
