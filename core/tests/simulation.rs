//! The seeded ledger simulation: 20k operations in CI, more offline
//! (`cargo run --release -p zhiyuan-benches --bin simulate -- SEEDS OPS`).

use zhiyuan::simulation;

#[test]
fn twenty_thousand_operations_across_seeds_keep_every_invariant() {
    let seeds: Vec<u64> = match std::env::var("ZHIYUAN_SIM_SEED") {
        Ok(s) => vec![s.parse().expect("ZHIYUAN_SIM_SEED is a u64")],
        Err(_) => vec![1, 2, 3, 4],
    };
    let mut total = 0;
    for seed in seeds {
        let r = simulation::run(seed, 5_000).unwrap_or_else(|e| panic!("{e}"));
        // The workload must exercise both outcomes and every fault.
        assert!(r.accepted > 1_000 && r.refused > 500, "{r:?}");
        assert!(r.duplicates > 0 && r.reorders > 0 && r.retried > 0, "{r:?}");
        assert_eq!(r.delivered, r.generated + r.duplicates);
        total += r.generated;
    }
    assert!(total >= 5_000);
}

#[test]
fn the_same_seed_gives_the_same_run() {
    assert_eq!(simulation::run(99, 1_000), simulation::run(99, 1_000));
    assert_ne!(simulation::run(99, 1_000), simulation::run(100, 1_000));
}
