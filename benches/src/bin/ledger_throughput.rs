//! Ledger submit throughput with full validation, single-threaded:
//! `cargo run --release -p zhiyuan-benches --bin ledger_throughput [N]`.

use std::time::Instant;
use zhiyuan::Policy;
use zhiyuan::ledger::HoursLedger;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let records = zhiyuan_benches::records(n, (n / 10).max(1) as u64);
    for round in 1..=3 {
        let mut ledger = HoursLedger::new(Policy::default(), zhiyuan_benches::small_tree());
        let t0 = Instant::now();
        for r in records.iter().cloned() {
            if let Err(e) = ledger.submit(r) {
                eprintln!("unexpected: {e}");
                std::process::exit(1);
            }
        }
        let dt = t0.elapsed().as_secs_f64();
        println!(
            "round {round}: {n} records submitted in {dt:.3} s = {:.0} records/s",
            n as f64 / dt
        );
    }
}
