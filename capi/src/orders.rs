//! 点单 service orders (place → dispatch → accept → fulfil → rate), their
//! SLA breaches, metrics and the public service list, plus dispatch
//! candidate ranking and distances.
//!
//! `zy_order_book` is a handle with one JSON call per golden-vector op
//! (`tests/vectors/orders`, `core/tests/vectors_orders.rs`); fulfilment
//! writes its service records into a `zy_ledger` passed alongside, all or
//! nothing. Dispatch calls take the policy (`tests/vectors/dispatch`).

use crate::boundary::{
    Handle, ffi_boundary, mut_arg, mut_json, on_mut, plain_json, policy_handle, ref_arg, ref_json,
};
use crate::error::{CallError, zy_status};
use crate::ledger::zy_ledger;
use crate::policy::zy_policy;
use crate::units::zy_unit_tree;
use serde::Deserialize;
use std::ffi::c_char;
use zhiyuan::dispatch::{Candidate, CandidatePool, DispatchQuery};
use zhiyuan::geo::{LatLon, distance_m};
use zhiyuan::hours::{ActorId, RecordId};
use zhiyuan::orders::{Command, Fulfilment, NewOrder, OrderBook, OrderId};
use zhiyuan::time::{Period, Timestamp};
use zhiyuan::units::UnitId;

/// The order book (opaque): every order's state and event history under
/// one policy and unit tree.
///
/// Thread safety as for `zy_ledger`.
#[allow(non_camel_case_types)]
pub struct zy_order_book {
    inner: OrderBook,
}

impl Handle for zy_order_book {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdArgs {
    id: OrderId,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordArgs {
    record: RecordId,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NowArgs {
    now: Timestamp,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepArgs {
    actor: ActorId,
    now: Timestamp,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricsArgs {
    unit: UnitId,
    period: Period,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceListArgs {
    from: Timestamp,
    to: Timestamp,
    #[serde(default)]
    within: Option<UnitId>,
}

/// Starts an empty order book under `policy` and `tree` (both copied).
///
/// # Safety
/// `policy` and `tree` must be NULL or live handles; `out` NULL or
/// writable. On success `*out` owns the book: free it with
/// `zy_order_book_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_order_book_new(
    policy: *const zy_policy,
    tree: *const zy_unit_tree,
    out: *mut *mut zy_order_book,
) -> zy_status {
    policy_handle(policy, out, |p| {
        let tree = unsafe { ref_arg(tree, "tree") }?;
        Ok(zy_order_book {
            inner: OrderBook::new(p.inner.clone(), tree.inner.clone()),
        })
    })
}

/// `orders.place`: `NewOrder` → `Order` (idempotent by id).
///
/// # Safety
/// `book` must be NULL or a live order book (with no concurrent call for
/// the mutating calls); `in_json` NULL or a NUL-terminated string;
/// `out_json` NULL or writable. On success `*out_json` is owned: free it
/// with `zy_string_free`. The same holds for every `zy_order_book_*_json`
/// call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_order_book_place_json(
    book: *mut zy_order_book,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(book, "book", in_json, out_json, |b, o: NewOrder| {
        b.inner.place(o).cloned()
    })
}

/// `orders.apply`: `Command` (`{"order", "actor", "at", "action": {…}}`) →
/// the updated `Order`.
///
/// # Safety
/// As for `zy_order_book_place_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_order_book_apply_json(
    book: *mut zy_order_book,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(book, "book", in_json, out_json, |b, c: Command| {
        b.inner.apply(c).cloned()
    })
}

/// `orders.fulfil`: `Fulfilment` → the updated `Order`; its service
/// records are submitted to `ledger` as one batch (on any error neither
/// the book nor the ledger changes).
///
/// # Safety
/// As for `zy_order_book_place_json`; `ledger` must be NULL or a live
/// ledger with no concurrent call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_order_book_fulfil_json(
    book: *mut zy_order_book,
    ledger: *mut zy_ledger,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ffi_boundary(|| {
        let ledger = unsafe { mut_arg(ledger, "ledger") }?;
        on_mut(book, "book", in_json, out_json, |b, f: Fulfilment| {
            b.inner.fulfil(&mut ledger.inner, f).cloned()
        })
    })
}

/// `orders.order`: `{"id"}` → `Order`.
///
/// # Safety
/// As for `zy_order_book_place_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_order_book_order_json(
    book: *const zy_order_book,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(book, "book", in_json, out_json, |b, a: IdArgs| {
        b.inner.order(a.id).cloned()
    })
}

/// `orders.events_of`: `{"id"}` → `[OrderEvent]`, the order's history.
///
/// # Safety
/// As for `zy_order_book_place_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_order_book_events_of_json(
    book: *const zy_order_book,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(book, "book", in_json, out_json, |b, a: IdArgs| {
        b.inner.events_of(a.id).map(<[_]>::to_vec)
    })
}

/// `orders.order_of_record`: `{"record"}` → the order id that produced
/// service record `record`, or `null`.
///
/// # Safety
/// As for `zy_order_book_place_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_order_book_order_of_record_json(
    book: *const zy_order_book,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(book, "book", in_json, out_json, |b, a: RecordArgs| {
        Ok::<_, CallError>(b.inner.order_of_record(a.record))
    })
}

/// `orders.overdue`: `{"now"}` → `[Breach]`, every SLA deadline missed by
/// `now` (working-day deadlines on the policy calendar).
///
/// # Safety
/// As for `zy_order_book_place_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_order_book_overdue_json(
    book: *const zy_order_book,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(book, "book", in_json, out_json, |b, a: NowArgs| {
        Ok::<_, CallError>(b.inner.overdue(a.now))
    })
}

/// `orders.sweep`: `{"actor", "now"}` → `[OrderEvent]`: expires and
/// escalates what is due by `now`.
///
/// # Safety
/// As for `zy_order_book_place_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_order_book_sweep_json(
    book: *mut zy_order_book,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(book, "book", in_json, out_json, |b, a: SweepArgs| {
        Ok::<_, CallError>(b.inner.sweep(a.actor, a.now))
    })
}

/// `orders.metrics`: `{"unit", "period"}` → `OrderMetrics` for the unit
/// and its descendants.
///
/// # Safety
/// As for `zy_order_book_place_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_order_book_metrics_json(
    book: *const zy_order_book,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(book, "book", in_json, out_json, |b, a: MetricsArgs| {
        b.inner.metrics(a.unit, a.period)
    })
}

/// `orders.service_list`: `{"from", "to", "within"?}` → `ServiceList` (the
/// public list of services delivered in `[from, to)`).
///
/// # Safety
/// As for `zy_order_book_place_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_order_book_service_list_json(
    book: *const zy_order_book,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(book, "book", in_json, out_json, |b, a: ServiceListArgs| {
        b.inner.service_list(a.from, a.to, a.within)
    })
}

/// Frees an order book. NULL is a no-op.
///
/// # Safety
/// `book` must be NULL or from `zy_order_book_new`, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_order_book_free(book: *mut zy_order_book) {
    unsafe { zy_order_book::free(book) }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RankArgs {
    candidates: Vec<Candidate>,
    query: DispatchQuery,
    now: Timestamp,
    #[serde(default)]
    limit: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DistanceArgs {
    a: LatLon,
    b: LatLon,
}

/// `dispatch.rank`: `{"candidates": [Candidate], "query": DispatchQuery,
/// "now", "limit"?}` → `Ranking` (candidates within the policy radius with
/// matching skills, by the declared order, with reasons).
///
/// # Safety
/// `policy` must be NULL or a live policy; `in_json` NULL or a
/// NUL-terminated string; `out_json` NULL or writable. On success
/// `*out_json` is owned: free it with `zy_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_dispatch_rank_json(
    policy: *const zy_policy,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(policy, "policy", in_json, out_json, |p, r: RankArgs| {
        let pool = CandidatePool::with_cell(r.candidates, p.inner.dispatch.radius_m)?;
        pool.rank(&p.inner, &r.query, r.now, r.limit)
    })
}

/// `dispatch.distance_m`: `{"a": {"lat", "lon"}, "b"}` → whole metres
/// (haversine, rounded). Out-of-range coordinates name `a.lat` etc.
///
/// # Safety
/// `in_json` NULL or a NUL-terminated string; `out_json` NULL or writable.
/// On success `*out_json` is owned: free it with `zy_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_distance_m_json(
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    plain_json(in_json, out_json, |d: DistanceArgs| {
        d.a.validate().map_err(|e| e.at("a"))?;
        d.b.validate().map_err(|e| e.at("b"))?;
        Ok::<_, zhiyuan::Error>(distance_m(d.a, d.b))
    })
}
