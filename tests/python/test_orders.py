"""Order-book and dispatch bindings: objects, the shared ledger, errors
(rules tested in core; the golden vectors replay every op)."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

import vectors
import zhiyuan


def replayed(name: str) -> vectors.State:
    """The state after replaying ``tests/vectors/orders/<name>`` through the runner."""
    s = vectors.load(vectors.VECTORS / "orders" / name)
    state = vectors.State(s.policy)
    for step in s.steps:
        try:
            vectors.OPS[step["op"]](state, vectors.unmask(step["input"], s.policy.hash))
        except zhiyuan.ZhiyuanError:
            assert "error" in step
    return state


def test_fulfilled_orders_write_to_the_shared_ledger() -> None:
    state = replayed("lifecycle.json")
    book: zhiyuan.OrderBook = state.objects["book"]
    ledger: zhiyuan.HoursLedger = state.objects["ledger"]
    fulfilled = [
        o
        for o in (book.order(i) for i in range(1, 50) if _exists(book, i))
        if o.records
    ]
    assert fulfilled, "the lifecycle scenario fulfils an order"
    o = fulfilled[0]
    assert isinstance(o.placed, dict) and isinstance(o.state_since, dt.datetime)
    for r in o.records:
        assert ledger.record(r).record.id == r
        assert book.order_of_record(r) == o.placed["id"]
    assert zhiyuan.Order.from_dict(o.to_dict()) == o
    assert pickle.loads(pickle.dumps(o)) == o
    events = book.events_of(o.placed["id"])
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    assert all(isinstance(e, zhiyuan.OrderEvent) for e in events)


def _exists(book: zhiyuan.OrderBook, i: int) -> bool:
    try:
        book.order(i)
    except zhiyuan.NotFoundError:
        return False
    return True


def test_metrics_and_service_list_objects() -> None:
    state = replayed("metrics_and_service_list.json")
    book: zhiyuan.OrderBook = state.objects["book"]
    with pytest.raises(zhiyuan.NotFoundError):
        book.order(10_000)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    lst = book.service_list(start, start + dt.timedelta(days=366))
    assert getattr(lst, "from") == start and lst.to_dict()["from"] == "2024-01-01T00:00:00Z"
    with pytest.raises(zhiyuan.ValidationError, match=r"^to: must be after from"):
        book.service_list(start, start)
    by_unit = book.metrics_by_unit("2024")
    assert all(isinstance(m, zhiyuan.OrderMetrics) for m in by_unit)
    assert all(m.period == zhiyuan.Period.parse("2024") for m in by_unit)


def test_dispatch_and_distance(policy: zhiyuan.Policy) -> None:
    here = {"lat": 34.30, "lon": 117.95}
    assert zhiyuan.distance_m(here, here) == 0
    assert 1100 <= zhiyuan.distance_m(here, {"lat": 34.31, "lon": 117.95}) <= 1120
    with pytest.raises(zhiyuan.ValidationError) as info:
        zhiyuan.distance_m(here, {"lat": 95.0, "lon": 0.0})
    assert (info.value.field or "").startswith("b")
    with pytest.raises(zhiyuan.ValidationError) as info:
        zhiyuan.dispatch_candidates(policy, [{"who": {"volunteer": 1}}], {}, "2024-01-01T00:00:00Z")
    assert (info.value.field or "").startswith("candidates[0]")
