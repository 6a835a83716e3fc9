//! Orders (点单-派单-接单-评单): the `OrderBook` with its SLA clocks,
//! metrics and service list, and `dispatch_candidates` (ranking nearby
//! volunteers and teams for an order).
//!
//! The book is one core `OrderBook` behind a mutex, like `HoursLedger`;
//! `fulfil` writes the service records into a `HoursLedger` (locking the
//! book, then the ledger). Orders, events and reports come back as frozen
//! objects whose nested parts are dicts in the wire form.

use crate::convert::{from_py, into_py_value_serde, py_value, timestamp};
use crate::errors::{check, run};
use crate::ledger::HoursLedger;
use crate::policy::{Policy, period_arg};
use crate::units::UnitTree;
use pyo3::prelude::*;
use std::sync::{Mutex, MutexGuard, PoisonError};
use zhiyuan::dispatch::{CandidatePool, RankedCandidate};
use zhiyuan::geo::LatLon;
use zhiyuan::order_metrics::Percentiles;
use zhiyuan::orders::{
    Clock, DispatchRound, EventKind, NewOrder, OrderState, Outcome, Party, Rating, Taker,
};
use zhiyuan::service_list::{Need, PlannedProject};

into_py_value_serde!(
    NewOrder,
    OrderState,
    DispatchRound,
    Taker,
    Rating,
    Outcome,
    Party,
    EventKind,
    Clock,
    Percentiles,
    Need,
    PlannedProject,
    RankedCandidate,
);

py_value!(
    /// One order with its whole state: `placed` (the order as placed, with
    /// its `id`), state, dispatch rounds, taker, records, rating, outcome.
    Order, "Order", zhiyuan::orders::Order,
    {
        placed, state, state_since, last_at, rounds, redispatch_count, taker,
        records, rating, outcome, fulfilled_at, end_reason, cancelled_by,
    }
);

py_value!(
    /// One entry of an order's audit trail.
    OrderEvent, "OrderEvent", zhiyuan::orders::OrderEvent, { seq, order, actor, at, kind }
);

py_value!(
    /// An SLA clock that has run out: which order, in which state, when it
    /// was due, how late.
    Breach, "Breach", zhiyuan::orders::Breach, { order, state, clock, due, late_seconds }
);

py_value!(
    /// A unit's order metrics for a period (rates in basis points, times as
    /// percentiles in seconds).
    OrderMetrics, "OrderMetrics", zhiyuan::order_metrics::OrderMetrics,
    {
        policy_hash, unit, period, placed, reviewed, dispatched, dispatch_rate_bp,
        accepted, acceptance_seconds, fulfilled, completion_rate_bp,
        completion_seconds, rated, satisfied, satisfaction_rate_bp, unrated,
        unrated_share_bp, redispatches,
    }
);

py_value!(
    /// The 服务清单: open needs and planned projects in a window.
    ServiceList, "ServiceList", zhiyuan::service_list::ServiceList,
    { policy_hash, from, to, within, needs, projects }
);

py_value!(
    /// Candidates for an order, best first, each with its reasons.
    Ranking, "Ranking", zhiyuan::dispatch::Ranking,
    { order, policy_hash, radius_m, wanted_skills, in_circle, overloaded, candidates }
);

/// The order book: places orders, applies commands (review, dispatch,
/// accept, …), fulfils them into an `HoursLedger`, watches SLA clocks.
/// Safe to share across threads (calls are serialised).
#[pyclass(frozen, module = "zhiyuan._zhiyuan", name = "OrderBook")]
pub struct OrderBook(Mutex<zhiyuan::orders::OrderBook>);

impl OrderBook {
    fn lock(&self) -> MutexGuard<'_, zhiyuan::orders::OrderBook> {
        // Every core mutation validates before it changes anything.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[pymethods]
impl OrderBook {
    /// The book as JSON (its policy and inputs, versioned); `restore`
    /// rebuilds it. Pickling goes through this.
    fn snapshot(&self, py: Python<'_>) -> PyResult<String> {
        run(py, || Ok(self.lock().snapshot()))
    }

    /// Rebuilds one from `snapshot()`, re-checking every input: a
    /// tampered snapshot raises an error naming the field.
    #[staticmethod]
    fn restore(py: Python<'_>, snapshot: &str) -> PyResult<Self> {
        run(py, || zhiyuan::orders::OrderBook::restore(snapshot)).map(|x| OrderBook(Mutex::new(x)))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> crate::convert::Reduced<'py> {
        crate::convert::reduce_via_restore(slf, slf.get().lock().snapshot())
    }

    /// An empty book under `policy` for the units and teams of `units`.
    #[new]
    fn py_new(policy: &Bound<'_, Policy>, units: &Bound<'_, UnitTree>) -> Self {
        OrderBook(Mutex::new(zhiyuan::orders::OrderBook::new(
            policy.get().core().clone(),
            units.get().core().clone(),
        )))
    }

    /// Places an order (its dict form); the same order again returns it
    /// unchanged.
    fn place(&self, py: Python<'_>, order: &Bound<'_, PyAny>) -> PyResult<Order> {
        let o = from_py(order, "order")?;
        run(py, || self.lock().place(o).cloned()).map(Order)
    }

    /// Applies a command (`{"order", "actor", "at", "action": {...}}`).
    fn apply(&self, py: Python<'_>, command: &Bound<'_, PyAny>) -> PyResult<Order> {
        let c = from_py(command, "command")?;
        run(py, || self.lock().apply(c).cloned()).map(Order)
    }

    /// Fulfils an order: its service records go into `ledger`.
    fn fulfil(
        &self,
        py: Python<'_>,
        ledger: &Bound<'_, HoursLedger>,
        fulfilment: &Bound<'_, PyAny>,
    ) -> PyResult<Order> {
        let f = from_py(fulfilment, "fulfilment")?;
        let l = ledger.get();
        run(py, || self.lock().fulfil(&mut l.lock(), f).cloned()).map(Order)
    }

    /// The order `id`.
    fn order(&self, id: u64) -> PyResult<Order> {
        check(self.lock().order(id).cloned()).map(Order)
    }

    /// The audit trail of order `id`, oldest first.
    fn events_of(&self, id: u64) -> PyResult<Vec<OrderEvent>> {
        let book = self.lock();
        let events = check(book.events_of(id))?;
        Ok(events.iter().cloned().map(OrderEvent).collect())
    }

    /// The order a service record was fulfilled for, if any.
    fn order_of_record(&self, record: u64) -> Option<u64> {
        self.lock().order_of_record(record)
    }

    /// Every SLA clock that has run out at `now`.
    fn overdue(&self, py: Python<'_>, now: &Bound<'_, PyAny>) -> PyResult<Vec<Breach>> {
        let t = timestamp(now, "now")?;
        let out = run(py, || Ok(self.lock().overdue(t)))?;
        Ok(out.into_iter().map(Breach).collect())
    }

    /// Applies the automatic transitions due at `now` (expiry, rating
    /// window closing) as `actor`; returns the events it wrote.
    fn sweep(
        &self,
        py: Python<'_>,
        actor: u64,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<OrderEvent>> {
        let t = timestamp(now, "now")?;
        let out = run(py, || Ok(self.lock().sweep(actor, t)))?;
        Ok(out.into_iter().map(OrderEvent).collect())
    }

    /// The order metrics of `unit` (and the units below it) for `period`.
    fn metrics(
        &self,
        py: Python<'_>,
        unit: u64,
        period: &Bound<'_, PyAny>,
    ) -> PyResult<OrderMetrics> {
        let p = period_arg(period, "period")?;
        run(py, || self.lock().metrics(unit, p)).map(OrderMetrics)
    }

    /// The order metrics of every unit for `period`.
    fn metrics_by_unit(
        &self,
        py: Python<'_>,
        period: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<OrderMetrics>> {
        let p = period_arg(period, "period")?;
        let out = run(py, || Ok(self.lock().metrics_by_unit(p)))?;
        Ok(out.into_iter().map(OrderMetrics).collect())
    }

    /// The 服务清单 for `[from, to)`, optionally within one unit's subtree.
    #[pyo3(signature = (start, end, within=None))]
    fn service_list(
        &self,
        py: Python<'_>,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
        within: Option<u64>,
    ) -> PyResult<ServiceList> {
        let (f, t) = (timestamp(start, "from")?, timestamp(end, "to")?);
        run(py, || self.lock().service_list(f, t, within)).map(ServiceList)
    }
}

/// Ranks `candidates` (dicts: `who`, `location`, `skills`, …) for a query
/// (the order's location, wanted skills, …) at `now`, best first, at most
/// `limit`.
#[pyfunction]
#[pyo3(signature = (policy, candidates, query, now, limit=None))]
pub fn dispatch_candidates(
    py: Python<'_>,
    policy: &Bound<'_, Policy>,
    candidates: &Bound<'_, PyAny>,
    query: &Bound<'_, PyAny>,
    now: &Bound<'_, PyAny>,
    limit: Option<u32>,
) -> PyResult<Ranking> {
    let cs = from_py(candidates, "candidates")?;
    let q = from_py(query, "query")?;
    let t = timestamp(now, "now")?;
    let p = policy.get().core();
    run(py, || {
        CandidatePool::with_cell(cs, p.dispatch.radius_m)?.rank(p, &q, t, limit)
    })
    .map(Ranking)
}

/// The great-circle distance between two `{"lat", "lon"}` points, in whole
/// metres.
#[pyfunction]
pub fn distance_m(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<u32> {
    let pa: LatLon = from_py(a, "a")?;
    let pb: LatLon = from_py(b, "b")?;
    check(pa.validate().map_err(|e| e.at("a")))?;
    check(pb.validate().map_err(|e| e.at("b")))?;
    Ok(zhiyuan::geo::distance_m(pa, pb))
}
