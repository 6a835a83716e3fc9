//! Batch-kernel timings at scale (issue #9 tasks a–c):
//! `cargo run --release -p zhiyuan-benches --bin hours_table_timing [rows] [volunteers] [kernels]`
//! (default 10,000,000 rows, 1,000,000 volunteers, kernels `abc`). Prints best-of-3 wall
//! and process CPU times per kernel and thread count; asserts nothing
//! about speed.

use std::time::Instant;
use zhiyuan::Policy;
use zhiyuan::hours_table::{find_overlaps, hours_by_period, unit_minutes};
use zhiyuan::threads::Threads;
use zhiyuan::time::Grain;

/// Process CPU time (user + system) in seconds, from /proc/self/stat.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn best_of_3<R>(mut f: impl FnMut() -> R) -> (f64, f64, R) {
    let mut best = (f64::MAX, f64::MAX);
    let mut out = None;
    for _ in 0..3 {
        let (w, c) = (Instant::now(), cpu_seconds());
        let r = f();
        let wall = w.elapsed().as_secs_f64();
        best = (best.0.min(wall), best.1.min(cpu_seconds() - c));
        out = Some(r);
    }
    (best.0, best.1, out.expect("three runs"))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let volunteers: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let kernels = args.next().unwrap_or_else(|| "abc".into());
    let t0 = Instant::now();
    let t = zhiyuan_benches::record_table(rows, volunteers, 42);
    println!(
        "generated {rows} rows, {volunteers} volunteers in {:.2} s",
        t0.elapsed().as_secs_f64()
    );
    let p = Policy::default();
    let tree = zhiyuan_benches::small_tree();
    println!(
        "{:<28} {:>7} {:>9} {:>9} {:>12} {:>10}",
        "kernel", "threads", "wall s", "cpu s", "rows/s", "out rows"
    );
    for threads in [1usize, 2] {
        let pool = Threads::exactly(threads).expect("at least one thread");
        if kernels.contains('a') {
            let (w, c, out) = best_of_3(|| {
                hours_by_period(&p, &t.columns(), Grain::Week, pool).expect("valid records")
            });
            row("a hours_by_period (week)", threads, w, c, rows, out.len());
        }
        if kernels.contains('b') {
            let (w, c, out) =
                best_of_3(|| unit_minutes(&tree, &t.columns(), pool).expect("valid records"));
            row("b unit_minutes", threads, w, c, rows, out.unit.len());
            let coded = zhiyuan_benches::CodedRecords::new(&t);
            let (w, c, out) =
                best_of_3(|| unit_minutes(&tree, &coded.columns(), pool).expect("valid records"));
            row(
                "b unit_minutes (int8 codes)",
                threads,
                w,
                c,
                rows,
                out.unit.len(),
            );
        }
        if kernels.contains('c') {
            let (w, c, out) =
                best_of_3(|| find_overlaps(&t.columns(), pool).expect("valid records"));
            row("c find_overlaps", threads, w, c, rows, out.id.len());
        }
    }
}

fn row(name: &str, threads: usize, wall: f64, cpu: f64, rows: usize, out: usize) {
    println!(
        "{name:<28} {threads:>7} {wall:>9.3} {cpu:>9.3} {:>12.0} {out:>10}",
        rows as f64 / wall
    );
}
