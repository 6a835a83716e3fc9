//! Replays `tests/vectors/hours/*.json` through the hours ledger.
//!
//! Ops (inputs are the serde forms of the core types):
//! - `ledger.new`: `{units: [Unit], teams: [Team]}` → `null` (starts a ledger under the scenario policy)
//! - `ledger.submit`: `ServiceRecord` → `Receipt`
//! - `ledger.submit_batch`: `{records: [ServiceRecord]}` → `[Receipt]`
//! - `ledger.approve`: `{id, by, at, late_ok}` → `null`
//! - `ledger.reject`: `{id, by, at, reason}` → `null`
//! - `ledger.revoke`: `{id, reason, by, at, note}` → `null`
//! - `ledger.amend`: `{old, record, reason, by, at}` → `Receipt`
//! - `ledger.record`: `{id}` → `RecordState`
//! - `ledger.approved_minutes`: `{volunteer, as_of}` → integer
//! - `ledger.star_level`: `{volunteer, as_of}` → integer
//! - `ledger.totals`: `{scope: {scope, id?}, grain, as_of}` → `[PeriodTotal]`
//! - `ledger.totals_by`: `{group, grain, as_of}` → `[GroupTotal]`
//! - `ledger.history`: `{id}` → `[Entry]`

use crate::vectors;
use serde::Deserialize;
use serde_json::Value;
use zhiyuan::hours::ServiceRecord;
use zhiyuan::ledger::HoursLedger;
use zhiyuan::ledger_ops::{
    Amend, Approve, ApprovedMinutes, Command, History, Query, RecordOf, Reject, Revoke, StarLevel,
    SubmitBatch, Totals, TotalsBy,
};
use zhiyuan::units::{Team, Unit, UnitTree};
use zhiyuan::{Error, Policy};

fn arg<T: for<'de> Deserialize<'de>>(input: &Value) -> Result<T, Error> {
    serde_json::from_value(input.clone()).map_err(|e| Error::invalid_input("input", e.to_string()))
}

#[derive(Deserialize)]
struct New {
    units: Vec<Unit>,
    #[serde(default)]
    teams: Vec<Team>,
}
fn cmd<C: Command + for<'de> Deserialize<'de>>(
    l: &mut HoursLedger,
    input: &Value,
) -> Result<Value, Error> {
    Ok(serde_json::to_value(arg::<C>(input)?.apply(l)?).unwrap())
}

fn ask<Q: Query + for<'de> Deserialize<'de>>(
    l: &HoursLedger,
    input: &Value,
) -> Result<Value, Error> {
    Ok(serde_json::to_value(arg::<Q>(input)?.ask(l)?).unwrap())
}

fn step(
    policy: &Policy,
    ledger: &mut Option<HoursLedger>,
    op: &str,
    input: &Value,
) -> Result<Value, Error> {
    if op == "ledger.new" {
        let n: New = arg(input)?;
        *ledger = Some(HoursLedger::new(
            policy.clone(),
            UnitTree::new(n.units, n.teams)?,
        ));
        return Ok(Value::Null);
    }
    let l = ledger.as_mut().expect("vector must start with ledger.new");
    Ok(match op {
        "ledger.submit" => cmd::<ServiceRecord>(l, input)?,
        "ledger.submit_batch" => cmd::<SubmitBatch>(l, input)?,
        "ledger.approve" => cmd::<Approve>(l, input)?,
        "ledger.reject" => cmd::<Reject>(l, input)?,
        "ledger.revoke" => cmd::<Revoke>(l, input)?,
        "ledger.amend" => cmd::<Amend>(l, input)?,
        "ledger.record" => ask::<RecordOf>(l, input)?,
        "ledger.history" => ask::<History>(l, input)?,
        "ledger.approved_minutes" => ask::<ApprovedMinutes>(l, input)?,
        "ledger.star_level" => ask::<StarLevel>(l, input)?,
        "ledger.totals" => ask::<Totals>(l, input)?,
        "ledger.totals_by" => ask::<TotalsBy>(l, input)?,
        other => panic!("unknown op {other}"),
    })
}

#[test]
fn hours_vectors() {
    let mut steps = 0;
    for s in vectors::load("hours") {
        let mut ledger = None;
        steps += vectors::run(&s, |op, input| step(&s.policy, &mut ledger, op, input));
    }
    assert!(steps > 20, "only {steps} steps ran");
}
