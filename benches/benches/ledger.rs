//! Hours-ledger micro-benchmarks: `cargo bench -p zhiyuan-benches --bench ledger`.

use divan::{Bencher, black_box};
use zhiyuan::Policy;
use zhiyuan::ledger::HoursLedger;

fn main() {
    divan::main();
}

/// Submitting records one by one, with full validation.
#[divan::bench(args = [10_000, 100_000])]
fn submit(bencher: Bencher, n: usize) {
    let records = zhiyuan_benches::records(n, (n / 10) as u64);
    let tree = zhiyuan_benches::small_tree();
    bencher
        .counter(divan::counter::ItemsCount::new(n))
        .with_inputs(|| {
            (
                HoursLedger::new(Policy::default(), tree.clone()),
                records.clone(),
            )
        })
        .bench_values(|(mut ledger, records)| {
            for r in records {
                black_box(ledger.submit(r).expect("valid records"));
            }
            ledger
        });
}

/// One all-or-nothing batch.
#[divan::bench(args = [100_000])]
fn submit_batch(bencher: Bencher, n: usize) {
    let records = zhiyuan_benches::records(n, (n / 10) as u64);
    let tree = zhiyuan_benches::small_tree();
    bencher
        .counter(divan::counter::ItemsCount::new(n))
        .with_inputs(|| {
            (
                HoursLedger::new(Policy::default(), tree.clone()),
                records.clone(),
            )
        })
        .bench_values(|(mut ledger, records)| {
            black_box(ledger.submit_batch(records).expect("valid records"));
            ledger
        });
}
