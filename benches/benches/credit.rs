//! 文明贷 column-kernel benchmarks: `cargo bench -p zhiyuan-benches --bench credit`.

use divan::{Bencher, black_box};
use zhiyuan::Policy;
use zhiyuan::credit::CreditEngine;
use zhiyuan::threads::Threads;

fn main() {
    divan::main();
}

/// Tier, limit, discount and eligibility for a million rows of facts under
/// the default policy, reasons off, with 1 and 2 threads.
#[divan::bench(args = [1, 2])]
fn decide_columns_1m(bencher: Bencher, threads: usize) {
    let cols = zhiyuan_benches::facts(1_000_000);
    let engine = CreditEngine::new(&Policy::default()).expect("the default policy compiles");
    let as_of = "2024-06-01T00:00:00Z".parse().expect("a valid instant");
    let threads = Threads::exactly(threads).expect("at least one thread");
    bencher
        .counter(divan::counter::ItemsCount::new(cols.rows()))
        .bench(|| {
            black_box(
                engine
                    .decide_columns(cols.as_ref(), as_of, false, threads)
                    .expect("columns of equal length"),
            )
        });
}

/// One volunteer at a time, no allocation (the C struct call's core).
#[divan::bench]
fn grant_one(bencher: Bencher) {
    let row = zhiyuan_benches::facts(1).row(0);
    let engine = CreditEngine::new(&Policy::default()).expect("the default policy compiles");
    bencher.bench(|| black_box(engine.grant(black_box(&row))));
}
