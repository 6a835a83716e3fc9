//! Batch kernels over record columns:
//! `cargo bench -p zhiyuan-benches --bench hours_table`.
//! Times at 10M rows: `cargo run --release -p zhiyuan-benches --bin hours_table_timing`.

use divan::{Bencher, black_box};
use zhiyuan::Policy;
use zhiyuan::hours_table::{find_overlaps, hours_by_period, unit_minutes};
use zhiyuan::threads::Threads;
use zhiyuan::time::Grain;

fn main() {
    divan::main();
}

const ROWS: [usize; 2] = [100_000, 1_000_000];

fn pool(threads: usize) -> Threads {
    Threads::exactly(threads).expect("at least one thread")
}

/// Approved minutes per volunteer per ISO week (task a).
#[divan::bench(args = ROWS, consts = [1, 2])]
fn weekly_hours<const T: usize>(bencher: Bencher, n: usize) {
    let t = zhiyuan_benches::record_table(n, (n / 10) as u64, 1);
    let p = Policy::default();
    bencher
        .counter(divan::counter::ItemsCount::new(n))
        .bench(|| black_box(hours_by_period(&p, &t.columns(), Grain::Week, pool(T))));
}

/// Minutes per unit rolled up through the tree (task b).
#[divan::bench(args = ROWS, consts = [1, 2])]
fn unit_rollup<const T: usize>(bencher: Bencher, n: usize) {
    let t = zhiyuan_benches::record_table(n, (n / 10) as u64, 2);
    let tree = zhiyuan_benches::small_tree();
    bencher
        .counter(divan::counter::ItemsCount::new(n))
        .bench(|| black_box(unit_minutes(&tree, &t.columns(), pool(T))));
}

/// Task b with status and kind as `int8` dictionary codes, the layout a
/// pyarrow or polars dictionary column arrives in.
#[divan::bench(args = ROWS, consts = [1, 2])]
fn unit_rollup_coded<const T: usize>(bencher: Bencher, n: usize) {
    let t = zhiyuan_benches::record_table(n, (n / 10) as u64, 2);
    let tree = zhiyuan_benches::small_tree();
    let coded = zhiyuan_benches::CodedRecords::new(&t);
    let cols = coded.columns();
    bencher
        .counter(divan::counter::ItemsCount::new(n))
        .bench(|| black_box(unit_minutes(&tree, &cols, pool(T))));
}

/// Overlapping records per volunteer (task c).
#[divan::bench(args = ROWS, consts = [1, 2])]
fn overlaps<const T: usize>(bencher: Bencher, n: usize) {
    let t = zhiyuan_benches::record_table(n, (n / 10) as u64, 3);
    bencher
        .counter(divan::counter::ItemsCount::new(n))
        .bench(|| black_box(find_overlaps(&t.columns(), pool(T))));
}
