//! Selection timings (monthly stars, annual selection, apportionment):
//! `cargo run --release -p zhiyuan-benches --bin selection_timing`.
//! Prints wall times; asserts nothing about speed.

use zhiyuan::annual::{AnnualCandidate, AnnualRound, annual_selection};
use zhiyuan::apportion::{District, Method, apportion};
use zhiyuan::monthly::{Mark, MonthlyRound, Vote, monthly_stars};
use zhiyuan::time::Timestamp;
use zhiyuan::{Policy, PolicySpec};

const METHODS: [Method; 4] = [
    Method::SainteLague,
    Method::LargestRemainder,
    Method::DHondt,
    Method::HuntingtonHill,
];

fn ts(s: &str) -> Timestamp {
    s.parse().expect("a valid timestamp")
}

fn policy_with(standardise_judges: bool) -> Policy {
    let mut spec = PolicySpec::default();
    spec.monthly_stars.standardise_judges = standardise_judges;
    Policy::new(spec).expect("a valid policy")
}

fn round(candidates: Vec<u64>, votes: Vec<Vote>, marks: Vec<Mark>) -> MonthlyRound {
    MonthlyRound {
        month: "2024-03".parse().expect("a valid month"),
        candidates,
        votes,
        marks,
        voided: vec![],
        window: None,
    }
}

fn main() {
    use std::time::Instant;
    let n = 1000u64;
    let mut seed = 7u64;
    let mut next = |m: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % m
    };
    let base = ts("2024-03-01T00:00:00Z");
    let votes: Vec<Vote> = (0..1_000_000u64)
        .map(|i| Vote {
            id: i,
            voter: next(100_000),
            candidate: 1 + next(n),
            at: base
                .checked_add_micros(next(30 * 86_400) as i64 * 1_000_000)
                .expect("valid input"),
        })
        .collect();
    let marks: Vec<Mark> = (1..=n)
        .flat_map(|c| (1..=7).map(move |j| (c, j)))
        .map(|(c, j)| Mark {
            judge: j,
            candidate: c,
            mark: next(101) as u32,
        })
        .collect();
    let rd = round((1..=n).collect(), votes, marks);
    for z in [false, true] {
        let p = policy_with(z);
        let t = Instant::now();
        let res = monthly_stars(&p, &rd).expect("valid input");
        println!(
            "monthly_stars 1000 candidates, 1M votes, 7 judges, z={z}: {:?} ({} counted)",
            t.elapsed(),
            res.tally.counted_total
        );
    }
    let cs: Vec<AnnualCandidate> = (0..100_000u64)
        .map(|v| AnnualCandidate {
            volunteer: v,
            district: next(20),
            annual_minutes: next(30_000) as i64,
            avg_rating_milli: Some(1000 + next(4001) as u32),
            honours: next(6) as u32,
            fulfilled_orders: next(60) as u32,
            fraud_revocations: u32::from(next(100) == 0),
            age: None,
        })
        .collect();
    let t = Instant::now();
    let res = annual_selection(
        &Policy::default(),
        &AnnualRound {
            year: "2024".parse().expect("valid input"),
            candidates: cs,
        },
    )
    .expect("valid input");
    println!(
        "annual_selection 100k candidates, 20 districts, 1000 seats: {:?} ({} winners)",
        t.elapsed(),
        res.winners.len()
    );
    let ds: Vec<District> = (0..1000)
        .map(|i| District::new(i, 1 + next(1_000_000)))
        .collect();
    for m in METHODS {
        let t = Instant::now();
        let a = apportion(&ds, 1_000_000, m).expect("valid input");
        println!(
            "apportion 1000 districts, 1M seats, {m:?}: {:?} ({})",
            t.elapsed(),
            a.allocated
        );
    }
}
