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
use serde_json::{Value, json};
use zhiyuan::hours::{RevokeReason, ServiceRecord};
use zhiyuan::ledger::{GroupBy, HoursLedger, Scope};
use zhiyuan::time::{Grain, Timestamp};
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
#[derive(Deserialize)]
struct Batch {
    records: Vec<ServiceRecord>,
}
#[derive(Deserialize)]
struct Approve {
    id: u64,
    by: u64,
    at: Timestamp,
    #[serde(default)]
    late_ok: bool,
}
#[derive(Deserialize)]
struct Reject {
    id: u64,
    by: u64,
    at: Timestamp,
    reason: String,
}
#[derive(Deserialize)]
struct Revoke {
    id: u64,
    reason: RevokeReason,
    by: u64,
    at: Timestamp,
    #[serde(default)]
    note: String,
}
#[derive(Deserialize)]
struct Amend {
    old: u64,
    record: ServiceRecord,
    reason: RevokeReason,
    by: u64,
    at: Timestamp,
}
#[derive(Deserialize)]
struct Id {
    id: u64,
}
#[derive(Deserialize)]
struct VolunteerAsOf {
    volunteer: u64,
    as_of: Timestamp,
}
#[derive(Deserialize)]
struct Totals {
    scope: Scope,
    grain: Grain,
    as_of: Timestamp,
}
#[derive(Deserialize)]
struct TotalsBy {
    group: GroupBy,
    grain: Grain,
    as_of: Timestamp,
}

fn to_json<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap()
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
        "ledger.submit" => to_json(l.submit(arg(input)?)?),
        "ledger.submit_batch" => to_json(l.submit_batch(arg::<Batch>(input)?.records)?),
        "ledger.approve" => {
            let a: Approve = arg(input)?;
            l.approve(a.id, a.by, a.at, a.late_ok)?;
            Value::Null
        }
        "ledger.reject" => {
            let a: Reject = arg(input)?;
            l.reject(a.id, a.by, a.at, &a.reason)?;
            Value::Null
        }
        "ledger.revoke" => {
            let a: Revoke = arg(input)?;
            l.revoke(a.id, a.reason, a.by, a.at, &a.note)?;
            Value::Null
        }
        "ledger.amend" => {
            let a: Amend = arg(input)?;
            to_json(l.amend(a.old, a.record, a.reason, a.by, a.at)?)
        }
        "ledger.record" => to_json(l.record(arg::<Id>(input)?.id)?),
        "ledger.history" => to_json(l.history(arg::<Id>(input)?.id)?),
        "ledger.approved_minutes" => {
            let a: VolunteerAsOf = arg(input)?;
            json!(l.approved_minutes(a.volunteer, a.as_of))
        }
        "ledger.star_level" => {
            let a: VolunteerAsOf = arg(input)?;
            json!(l.star_level(a.volunteer, a.as_of))
        }
        "ledger.totals" => {
            let a: Totals = arg(input)?;
            to_json(l.totals(a.scope, a.grain, a.as_of)?)
        }
        "ledger.totals_by" => {
            let a: TotalsBy = arg(input)?;
            to_json(l.totals_by(a.group, a.grain, a.as_of))
        }
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
