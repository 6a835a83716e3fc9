//! Replays `tests/vectors/hours_table/*.json` through the batch kernels.
//!
//! Ops (inputs and outputs are the serde forms of the core types; every
//! kernel also runs with 1 and 3 threads and must give the same output):
//! - `hours_by_period`: `{records: RecordTable, grain}` → `HoursByPeriod`
//! - `merge_hours_by_period`: `{tables: [HoursByPeriod]}` → `HoursByPeriod`
//! - `unit_minutes`: `{units: [Unit], records: RecordTable}` → `UnitMinutes`
//! - `merge_unit_minutes`: `{units: [Unit], tables: [UnitMinutes]}` → `UnitMinutes`
//! - `find_overlaps`: `{records: RecordTable}` → `Overlaps`

use crate::vectors;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use zhiyuan::hours_table::{
    HoursByPeriod, RecordTable, UnitMinutes, find_overlaps, hours_by_period, merge_hours_by_period,
    merge_unit_minutes, unit_minutes,
};
use zhiyuan::threads::Threads;
use zhiyuan::time::Grain;
use zhiyuan::units::{Unit, UnitTree};
use zhiyuan::{Error, Result};

fn arg<T: DeserializeOwned>(input: &Value) -> Result<T> {
    serde_json::from_value(input.clone()).map_err(|e| Error::invalid_input("input", e.to_string()))
}

fn out<T: serde::Serialize>(v: T) -> Result<Value> {
    Ok(serde_json::to_value(v).expect("core types serialize"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    #[serde(default)]
    records: RecordTable,
    #[serde(default = "week")]
    grain: Grain,
    #[serde(default)]
    units: Vec<Unit>,
}

fn week() -> Grain {
    Grain::Week
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeHours {
    tables: Vec<HoursByPeriod>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeUnits {
    units: Vec<Unit>,
    tables: Vec<UnitMinutes>,
}

/// Runs `f` with the global pool, 1 and 3 threads; all must agree.
fn every_pool<T: PartialEq + std::fmt::Debug>(f: impl Fn(Threads) -> Result<T>) -> Result<T> {
    let global = f(Threads::Global);
    for n in [1, 3] {
        let other = f(Threads::exactly(n)?);
        match (&global, &other) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{n} threads"),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{n} threads"),
            _ => panic!("{n} threads: {global:?} vs {other:?}"),
        }
    }
    global
}

#[test]
fn hours_table_vectors() {
    let mut steps = 0;
    for s in vectors::load("hours_table") {
        let policy = s.policy.clone();
        steps += vectors::run(&s, |op, input| match op {
            "hours_by_period" => {
                let a: Args = arg(input)?;
                out(every_pool(|t| {
                    hours_by_period(&policy, &a.records.columns(), a.grain, t)
                })?)
            }
            "unit_minutes" => {
                let a: Args = arg(input)?;
                let tree = UnitTree::new(a.units, vec![])?;
                out(every_pool(|t| {
                    unit_minutes(&tree, &a.records.columns(), t)
                })?)
            }
            "find_overlaps" => {
                let a: Args = arg(input)?;
                out(every_pool(|t| find_overlaps(&a.records.columns(), t))?)
            }
            "merge_hours_by_period" => {
                out(merge_hours_by_period(&arg::<MergeHours>(input)?.tables)?)
            }
            "merge_unit_minutes" => {
                let a: MergeUnits = arg(input)?;
                out(merge_unit_minutes(
                    &UnitTree::new(a.units, vec![])?,
                    &a.tables,
                )?)
            }
            other => panic!("{}: unknown op {other}", s.file),
        });
    }
    assert!(steps >= 10, "only {steps} steps");
}
