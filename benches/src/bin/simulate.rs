//! Offline ledger simulation: `cargo run --release -p zhiyuan-benches --bin simulate -- [SEEDS] [OPS] [FIRST_SEED]`.
//! Defaults: 1 seed, 1,000,000 operations, seed 1. Exits non-zero on the
//! first broken invariant, printing the seed to replay.

use std::time::Instant;

fn main() {
    let arg = |i: usize, d: u64| {
        std::env::args()
            .nth(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or(d)
    };
    let (seeds, ops, first) = (arg(1, 1), arg(2, 1_000_000) as usize, arg(3, 1));
    for seed in first..first + seeds {
        let t0 = Instant::now();
        match zhiyuan::simulation::run(seed, ops) {
            Ok(r) => println!("{r:?} in {:.1} s", t0.elapsed().as_secs_f64()),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
}
