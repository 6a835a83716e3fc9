//! Measures 文明贷 batch throughput under the default policy.
//!
//! `cargo run --release -p zhiyuan-benches --bin credit_batch -- [rows] [reason_rows] [threads]`
//! (defaults: 1,000,000 rows for tier + limit, 100,000 rows with full
//! reasons, since every reasoned row carries a dozen condition outcomes;
//! threads: rayon's global pool).

use std::time::Instant;
use zhiyuan::Policy;
use zhiyuan::credit::CreditEngine;
use zhiyuan::facts::{Facts, FactsColumns};
use zhiyuan::threads::Threads;

fn main() -> Result<(), zhiyuan::Error> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let r: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let threads = Threads::from_option(args.next().and_then(|a| a.parse().ok()))?;
    let policy = Policy::default();
    let engine = CreditEngine::new(&policy)?;
    let as_of = "2024-06-01T00:00:00Z".parse()?;
    let cols = zhiyuan_benches::facts(n);
    let pool = zhiyuan::threads::run(threads, rayon::current_num_threads)?;
    println!("threads: {pool}");
    for (label, rows, reasons) in [("tier + limit", n, false), ("with reasons", r, true)] {
        let cols = if rows == n {
            cols.clone()
        } else {
            self_slice(&cols, rows)
        };
        let mut best = f64::MAX;
        let mut eligible = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let b = engine.decide_columns(cols.as_ref(), as_of, reasons, threads)?;
            best = best.min(t.elapsed().as_secs_f64());
            eligible = b.eligible.iter().filter(|&&e| e).count();
        }
        println!(
            "{label}: {rows} rows in {:.3} s (best of 3) = {:.0} rows/s; {eligible} eligible",
            best,
            rows as f64 / best
        );
    }
    Ok(())
}

fn self_slice(cols: &FactsColumns, n: usize) -> FactsColumns {
    let rows: Vec<Facts> = (0..n.min(cols.rows())).map(|i| cols.row(i)).collect();
    FactsColumns::from_rows(&rows)
}
