//! The seeded simulation of the ledger and the order workflow: 20k operations
//! in CI, more offline
//! (`cargo run --release -p zhiyuan-benches --bin simulate -- SEEDS OPS FIRST_SEED`).
//! `ZHIYUAN_SIM_SEED=S [ZHIYUAN_SIM_OPS=N]` replays one seed here.

use zhiyuan::simulation;

#[test]
fn twenty_thousand_operations_across_seeds_keep_every_invariant() {
    let env = |k: &str| {
        std::env::var(k)
            .ok()
            .map(|s| s.parse::<u64>().expect("a u64"))
    };
    let seeds: Vec<u64> = match env("ZHIYUAN_SIM_SEED") {
        Some(s) => vec![s],
        None => vec![1, 2, 3, 4],
    };
    let ops = env("ZHIYUAN_SIM_OPS").unwrap_or(5_000) as usize;
    let mut total = 0;
    for seed in seeds {
        let r = simulation::run(seed, ops).unwrap_or_else(|e| panic!("{e}"));
        // The workload must exercise both outcomes, every fault and the
        // whole order workflow, including close-outs through the ledger.
        assert!(r.accepted > ops / 5 && r.refused > ops / 10, "{r:?}");
        assert!(r.duplicates > 0 && r.reorders > 0 && r.retried > 0, "{r:?}");
        assert!(r.orders > ops / 50 && r.fulfilled > ops / 200, "{r:?}");
        assert!(r.finished_orders > r.orders / 2, "{r:?}");
        assert!(r.order_events > 3 * r.orders, "{r:?}");
        assert_eq!(r.delivered, r.generated + r.duplicates);
        eprintln!("{r:?}");
        total += r.generated;
    }
    assert!(total >= ops);
}

#[test]
fn the_same_seed_gives_the_same_run() {
    assert_eq!(simulation::run(99, 1_000), simulation::run(99, 1_000));
    assert_ne!(simulation::run(99, 1_000), simulation::run(100, 1_000));
}

#[test]
fn a_failure_names_the_seed_and_the_replay_command() {
    let cmd = simulation::replay_command(42, 1_000);
    assert!(cmd.contains("-- 1 1000 42"), "{cmd}");
    assert!(
        cmd.contains("ZHIYUAN_SIM_SEED=42 ZHIYUAN_SIM_OPS=1000"),
        "{cmd}"
    );
}
