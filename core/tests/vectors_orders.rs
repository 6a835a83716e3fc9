//! Replays `tests/vectors/orders/*.json` and `tests/vectors/dispatch/*.json`.
//!
//! Orders ops (inputs are the serde forms of the core types):
//! - `orders.new`: `{units: [Unit], teams: [Team]}` → `null` (an `OrderBook`
//!   and an `HoursLedger` on the same tree, under the scenario policy)
//! - `orders.place`: `NewOrder` → `Order`
//! - `orders.apply`: `Command` → `Order`
//! - `orders.fulfil`: `Fulfilment` → `Order` (records go to the ledger)
//! - `orders.order`: `{id}` → `Order`
//! - `orders.events_of`: `{id}` → `[OrderEvent]`
//! - `orders.order_of_record`: `{record}` → order id or `null`
//! - `orders.overdue`: `{now}` → `[Breach]`
//! - `orders.sweep`: `{actor, now}` → `[OrderEvent]`
//! - `orders.metrics`: `{unit, period}` → `OrderMetrics`
//! - `orders.service_list`: `{from, to, within?}` → `ServiceList`
//! - `ledger.record`: `{id}` → `RecordState`
//!
//! Dispatch ops:
//! - `dispatch.rank`: `{candidates: [Candidate], query: DispatchQuery, now, limit?}` → `Ranking`
//! - `dispatch.distance_m`: `{a: LatLon, b: LatLon}` → integer metres

use crate::vectors;
use serde::Deserialize;
use serde_json::{Value, json};
use zhiyuan::dispatch::{Candidate, CandidatePool, DispatchQuery};
use zhiyuan::geo::{LatLon, distance_m};
use zhiyuan::ledger::HoursLedger;
use zhiyuan::orders::OrderBook;
use zhiyuan::time::{Period, Timestamp};
use zhiyuan::units::{Team, Unit, UnitTree};
use zhiyuan::{Error, Policy};

fn arg<T: for<'de> Deserialize<'de>>(input: &Value) -> Result<T, Error> {
    serde_json::from_value(input.clone()).map_err(|e| Error::invalid_input("input", e.to_string()))
}

fn to_json<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap()
}

#[derive(Deserialize)]
struct New {
    units: Vec<Unit>,
    #[serde(default)]
    teams: Vec<Team>,
}
#[derive(Deserialize)]
struct Id {
    id: u64,
}
#[derive(Deserialize)]
struct Rec {
    record: u64,
}
#[derive(Deserialize)]
struct Now {
    now: Timestamp,
}
#[derive(Deserialize)]
struct Sweep {
    actor: u64,
    now: Timestamp,
}
#[derive(Deserialize)]
struct Metrics {
    unit: u64,
    period: Period,
}
#[derive(Deserialize)]
struct List {
    from: Timestamp,
    to: Timestamp,
    #[serde(default)]
    within: Option<u64>,
}
#[derive(Deserialize)]
struct Rank {
    candidates: Vec<Candidate>,
    query: DispatchQuery,
    now: Timestamp,
    #[serde(default)]
    limit: Option<u32>,
}
#[derive(Deserialize)]
struct Dist {
    a: LatLon,
    b: LatLon,
}

type State = Option<(OrderBook, HoursLedger)>;

fn step(policy: &Policy, state: &mut State, op: &str, input: &Value) -> Result<Value, Error> {
    match op {
        "orders.new" => {
            let n: New = arg(input)?;
            let tree = UnitTree::new(n.units, n.teams)?;
            *state = Some((
                OrderBook::new(policy.clone(), tree.clone()),
                HoursLedger::new(policy.clone(), tree),
            ));
            return Ok(Value::Null);
        }
        "dispatch.rank" => {
            let r: Rank = arg(input)?;
            let pool = CandidatePool::with_cell(r.candidates, policy.dispatch.radius_m)?;
            return Ok(to_json(pool.rank(policy, &r.query, r.now, r.limit)?));
        }
        "dispatch.distance_m" => {
            let d: Dist = arg(input)?;
            d.a.validate().map_err(|e| e.at("a"))?;
            d.b.validate().map_err(|e| e.at("b"))?;
            return Ok(json!(distance_m(d.a, d.b)));
        }
        _ => {}
    }
    let (book, ledger) = state.as_mut().expect("vector must start with orders.new");
    Ok(match op {
        "orders.place" => to_json(book.place(arg(input)?)?),
        "orders.apply" => to_json(book.apply(arg(input)?)?),
        "orders.fulfil" => to_json(book.fulfil(ledger, arg(input)?)?),
        "orders.order" => to_json(book.order(arg::<Id>(input)?.id)?),
        "orders.events_of" => to_json(book.events_of(arg::<Id>(input)?.id)?),
        "orders.order_of_record" => to_json(book.order_of_record(arg::<Rec>(input)?.record)),
        "orders.overdue" => to_json(book.overdue(arg::<Now>(input)?.now)),
        "orders.sweep" => {
            let s: Sweep = arg(input)?;
            to_json(book.sweep(s.actor, s.now))
        }
        "orders.metrics" => {
            let m: Metrics = arg(input)?;
            to_json(book.metrics(m.unit, m.period)?)
        }
        "orders.service_list" => {
            let l: List = arg(input)?;
            to_json(book.service_list(l.from, l.to, l.within)?)
        }
        "ledger.record" => to_json(ledger.record(arg::<Id>(input)?.id)?),
        other => panic!("unknown op {other}"),
    })
}

fn run(capability: &str) -> usize {
    let mut steps = 0;
    for s in vectors::load(capability) {
        let mut state = None;
        steps += vectors::run(&s, |op, input| step(&s.policy, &mut state, op, input));
    }
    steps
}

#[test]
fn orders_vectors() {
    let n = run("orders");
    assert!(n > 30, "only {n} steps ran");
}

#[test]
fn dispatch_vectors() {
    let n = run("dispatch");
    assert!(n > 5, "only {n} steps ran");
}
