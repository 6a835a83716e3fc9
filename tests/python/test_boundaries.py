"""Adversarial input at the Python boundary: wrong types, NaN and None in
columns, naive datetimes, years 1 and 9999, unsorted and duplicate-id tables,
for the batch functions and the handle methods taking user data. Every bad
call raises a ZhiyuanError (or TypeError for a wrong Python type) whose
message names the argument, field or column, and the handle stays usable
with its state unchanged."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import zhiyuan

UTC = dt.UTC
CST = dt.timezone(dt.timedelta(hours=8), "CST")
AT = dt.datetime(2024, 3, 5, tzinfo=UTC)


def rec(id: int, volunteer: int = 42, start_hour: int = 9, **kw: Any) -> dict[str, Any]:
    start = dt.datetime(2024, 3, 4, start_hour, tzinfo=CST)
    return {
        "id": id,
        "volunteer": volunteer,
        "unit": 100,
        "team": None,
        "activity": 1,
        "start": start,
        "end": start + dt.timedelta(hours=1),
        "kind": "service",
        "recorded_by": 900,
        "recorded_at": start + dt.timedelta(hours=1, minutes=5),
        **kw,
    }


def columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {k: [r[k] for r in rows] for k in rows[0]}


@pytest.fixture
def ledger(policy: zhiyuan.Policy, tree: zhiyuan.UnitTree) -> zhiyuan.HoursLedger:
    lg = zhiyuan.HoursLedger(policy, tree)
    lg.submit(rec(1))
    return lg


@pytest.fixture
def book(policy: zhiyuan.Policy, tree: zhiyuan.UnitTree) -> zhiyuan.OrderBook:
    b = zhiyuan.OrderBook(policy, tree)
    b.place(order(1))
    return b


def order(id: int, **kw: Any) -> dict[str, Any]:
    return {
        "id": id,
        "requester": 9,
        "category": "medical_fitness",
        "unit": 100,
        "description_len": 5,
        "at": "2024-03-04T01:00:00Z",
        **kw,
    }


def refused(call: Callable[[], object], field: str,
            kinds: tuple[type[BaseException], ...] = (zhiyuan.ZhiyuanError,)) -> str:
    """`call` raises one of `kinds` whose message names `field`."""
    with pytest.raises(kinds) as e:
        call()
    msg = str(e.value)
    assert field in msg, f"{field!r} not named in {msg!r}"
    return msg


# ---------------------------------------------------------------- batch functions


def star_inputs() -> dict[str, tuple[Any, str]]:
    """Bad minutes columns and the field each error must name."""
    return {
        "None in pyarrow": (
            pa.table({"minutes": pa.array([1, None, 3], pa.int64())}),
            "minutes[1]",
        ),
        "None in polars": (pl.DataFrame({"minutes": [1, 2, None]}), "minutes[2]"),
        "NaN in pandas": (pd.DataFrame({"minutes": [1.0, math.nan]}), "minutes"),
        "float column": (pa.table({"minutes": pa.array([1.5, 2.0])}), "minutes"),
        "string column": (pa.table({"minutes": ["1", "2"]}), "minutes"),
        "missing column": (pa.table({"mins": [1, 2]}), "minutes"),
        "uint64 overflow": (pa.table({"minutes": pa.array([2**63], pa.uint64())}), "minutes[0]"),
    }


@pytest.mark.parametrize("case", list(star_inputs()))
def test_star_levels_bad_columns_name_the_column(policy: zhiyuan.Policy, case: str) -> None:
    data, field = star_inputs()[case]
    refused(lambda: zhiyuan.star_levels(policy, data, column="minutes"), field)
    # The policy handle is unaffected.
    assert zhiyuan.star_levels(policy, pa.array([6000])).to_pydict()["star_level"] == [1]


@pytest.mark.parametrize("bad", [None, 42, "minutes", [1, 2, 3], {"minutes": 5}, object()])
def test_star_levels_wrong_python_types(policy: zhiyuan.Policy, bad: Any) -> None:
    refused(lambda: zhiyuan.star_levels(policy, bad), "minutes", (zhiyuan.ZhiyuanError, TypeError))


def test_periods_reject_naive_and_accept_years_1_and_9999(policy: zhiyuan.Policy) -> None:
    naive = pa.array([dt.datetime(2024, 3, 4)], pa.timestamp("us"))
    refused(lambda: zhiyuan.periods(policy, naive, "month"), "no time zone")
    edge = pa.array(
        [dt.datetime(1, 1, 2, tzinfo=UTC), dt.datetime(9999, 12, 30, tzinfo=UTC)],
        pa.timestamp("us", tz="UTC"),
    )
    assert len(zhiyuan.periods(policy, edge, "day")) == 2
    beyond = pa.array([2**62], pa.int64())
    refused(lambda: zhiyuan.periods(policy, beyond, "day"), "[0]")
    nulls = pa.array([None, dt.datetime(2024, 1, 1, tzinfo=UTC)], pa.timestamp("s", tz="UTC"))
    refused(lambda: zhiyuan.periods(policy, nulls, "day"), "[0]")


def test_submit_table_refusals_leave_the_ledger_unchanged(ledger: zhiyuan.HoursLedger) -> None:
    before = ledger.snapshot()
    good = columns([rec(10, start_hour=12), rec(11, start_hour=14)])
    cases: list[tuple[Any, str]] = [
        (pa.table({**good, "volunteer": pa.array([1, None], pa.int64())}), "volunteer[1]"),
        (pa.table({**good, "id": pa.array([1.0, math.nan])}), "id"),
        (pd.DataFrame({**good, "volunteer": [1.0, math.nan]}), "volunteer"),
        (pa.table({**good, "start": pa.array([dt.datetime(2024, 3, 4, 12)] * 2,
                                              pa.timestamp("us"))}), "start"),
        (pa.table({**good, "id": pa.array([-1, 11], pa.int64())}), "id[0]"),
        (pa.table({**good, "kind": ["service", "nap"]}), "kind[1]"),
        (pa.table({k: v for k, v in good.items() if k != "unit"}), "unit"),
        (pl.DataFrame({**good, "end": [None, good["end"][1]],
                       "team": pl.Series([None, None], dtype=pl.UInt64)}), "end[0]"),
        # polars exports an untyped all-null column as Arrow type null with a
        # buffer, which arrow-rs refuses to import: the error names the column.
        (pl.DataFrame(good), "team"),
        ("not a table", "records"),
        (12, "records"),
    ]
    for data, field in cases:
        refused(lambda data=data: ledger.submit_table(data), field,
                (zhiyuan.ZhiyuanError, TypeError))
        assert ledger.snapshot() == before
    # Year 1 and 9999: the instants are representable, so the ledger answers
    # with its own rule (the record is not before its recording), never a crash.
    far = columns([rec(20, start=dt.datetime(9999, 12, 30, tzinfo=UTC),
                       end=dt.datetime(9999, 12, 30, 1, tzinfo=UTC),
                       recorded_at=dt.datetime(9999, 12, 30, 2, tzinfo=UTC)),
                   rec(21, start=dt.datetime(1, 1, 2, tzinfo=UTC),
                       end=dt.datetime(1, 1, 2, 1, tzinfo=UTC),
                       recorded_at=dt.datetime(1, 1, 2, 2, tzinfo=UTC))])
    out = ledger.submit_table(pa.table(far))
    assert out.to_pydict()["minutes"] == [60, 60]
    # Still usable: a valid table goes in.
    assert ledger.submit_table(pa.table(good)).to_pydict()["id"] == [10, 11]


def test_submit_table_duplicate_and_unsorted_ids(ledger: zhiyuan.HoursLedger) -> None:
    rows = [rec(30, start_hour=15), rec(29, start_hour=13), rec(28, start_hour=11)]
    out = ledger.submit_table(pa.table(columns(rows)))
    assert out.to_pydict()["id"] == [30, 29, 28], "rows keep their input order"
    before = ledger.snapshot()
    # The same record twice in one table is a repeat, a different body under
    # one id a conflict naming the row; either way nothing else goes in.
    same = columns([rec(40, start_hour=16), rec(40, start_hour=16)])
    assert ledger.submit_table(pa.table(same)).to_pydict()["id"] == [40, 40]
    ledger2_before = ledger.snapshot()
    clash = columns([rec(41, start_hour=17), rec(41, start_hour=18)])
    msg = refused(lambda: ledger.submit_table(pa.table(clash)), "41")
    assert "[1]" in msg
    assert ledger.snapshot() == ledger2_before != before


def test_credit_decisions_bad_columns(policy: zhiyuan.Policy) -> None:
    rows: dict[str, list[Any]] = {
        "volunteer": [1, 2],
        "cumulative_minutes": [6000, None],
        "minutes_last_12_months": [0, 0],
        "minutes_this_year": [0, 0],
        "months_registered": [1, 1],
        "age": [30, 30],
        "star_level": [1, 1],
        "monthly_star_honours": [0, 0],
        "annual_excellent_honours": [0, 0],
        "honours": [0, 0],
        "fraud_revocations": [0, 0],
        "sanctions": [0, 0],
        "average_rating_centi": [0, 0],
        "rating_count": [0, 0],
        "active": [True, None],
        "status": ["active", "active"],
    }
    refused(lambda: zhiyuan.credit_decisions(policy, pa.table(rows), AT), "cumulative_minutes[1]")
    rows["cumulative_minutes"] = [6000, 6000]
    refused(lambda: zhiyuan.credit_decisions(policy, pa.table(rows), AT), "active[1]")
    rows["active"] = [True, True]
    refused(lambda: zhiyuan.credit_decisions(policy, pa.table(rows), dt.datetime(2024, 6, 1)),
            "as_of")
    nan = pd.DataFrame({**rows, "age": [30.0, math.nan]})
    refused(lambda: zhiyuan.credit_decisions(policy, nan, AT), "age")
    dup = {k: v + v[:1] for k, v in rows.items()}
    got = zhiyuan.credit_decisions(policy, pa.table(dup), AT).to_pydict()
    assert got["tier"][0] == got["tier"][2], "a repeated volunteer gets the same decision"


# ---------------------------------------------------------------- handle methods


def test_ledger_methods_refuse_bad_input_and_stay_usable(ledger: zhiyuan.HoursLedger) -> None:
    before = ledger.snapshot()
    naive = dt.datetime(2024, 3, 5)
    bad: list[tuple[Callable[[], object], str]] = [
        (lambda: ledger.submit(rec(2, start=naive)), "start"),
        (lambda: ledger.submit(rec(2, volunteer=-1)), "volunteer"),
        (lambda: ledger.submit(rec(2, volunteer=2**64)), "volunteer"),
        (lambda: ledger.submit(rec(2, volunteer=None)), "volunteer"),
        (lambda: ledger.submit(rec(2, kind=float("nan"))), "kind"),
        (lambda: ledger.submit(rec(2, start="0000-01-01T00:00:00Z")), "start"),
        (lambda: ledger.submit(rec(2, start="10000-01-01T00:00:00Z")), "start"),
        (lambda: ledger.submit({"id": 2}), "volunteer"),
        (lambda: ledger.submit_batch([rec(2, start_hour=20), rec(3, unit=999)]), "records[1]"),
        (lambda: ledger.approve(1, 2, naive), "at"),
        (lambda: ledger.approve(1, 2, "yesterday"), "at"),
        # Python's own int conversion refuses it (OverflowError) before zhiyuan
        # sees it; the message says why, not which argument.
        (lambda: ledger.approve(-1, 2, AT), "negative"),
        (lambda: ledger.approve(999, 2, AT), "999"),
        (lambda: ledger.reject(1, 2, AT, ""), "reason"),
        (lambda: ledger.revoke(1, "whim", 2, AT), "reason"),  # type: ignore[arg-type]
        (lambda: ledger.approved_minutes(42, naive), "as_of"),
        (lambda: ledger.totals({"unit": "x"}, "month", AT), "scope"),
        (lambda: ledger.totals("all", "fortnight", AT), "grain"),  # type: ignore[arg-type]
    ]
    for call, field in bad:
        refused(call, field, (zhiyuan.ZhiyuanError, TypeError, OverflowError))
        assert ledger.snapshot() == before
    # Years 1 and 9999 as "now" are valid instants for queries.
    assert ledger.approved_minutes(42, dt.datetime(1, 1, 1, tzinfo=UTC)) == 0
    assert ledger.approved_minutes(42, dt.datetime(9999, 12, 31, tzinfo=UTC)) == 0
    ledger.approve(1, 2, AT)
    assert ledger.approved_minutes(42, AT) == 60


def test_order_book_methods_refuse_bad_input_and_stay_usable(
    book: zhiyuan.OrderBook, ledger: zhiyuan.HoursLedger
) -> None:
    before = book.order(1)
    events = book.events_of(1)
    snap = ledger.snapshot()
    bad: list[tuple[Callable[[], object], str]] = [
        (lambda: book.place(order(2, at="2024-03-04T01:00:00")), "at"),
        (lambda: book.place(order(2, category=None)), "category"),
        (lambda: book.place(order(2, description_len=-1)), "description_len"),
        (lambda: book.place(order(2, location={"lat": math.nan, "lon": 0.0})), "location"),
        (lambda: book.place(order(2, unit=2**70)), "unit"),
        (lambda: book.place(order(1, requester=10)), "order 1"),
        (lambda: book.apply({"order": 1, "actor": 2, "at": AT, "action": "fly"}), "`fly`"),
        (lambda: book.apply({"order": 1, "actor": 2, "at": dt.datetime(2024, 3, 5),
                             "action": "start_review"}), "at"),
        (lambda: book.apply({"order": 1, "actor": 2, "at": "0001-01-01T00:00:00Z",
                             "action": "start_review"}), "order 1.at"),
        (lambda: book.apply({"order": 1, "actor": 2, "at": AT, "action": "accept",
                             "by": {"volunteer": 5}}), "order 1"),
        (lambda: book.fulfil(ledger, {"order": 1, "actor": 2, "at": AT, "records": []}),
         "order 1"),
        (lambda: book.overdue(dt.datetime(2024, 3, 5)), "now"),
        (lambda: book.sweep(1, "not a time"), "now"),
        (lambda: book.metrics(100, "2024-13"), "period"),
    ]
    for call, field in bad:
        refused(call, field, (zhiyuan.ZhiyuanError, TypeError, OverflowError))
        assert book.order(1) == before and book.events_of(1) == events
        assert ledger.snapshot() == snap
    got = book.apply({"order": 1, "actor": 2, "at": AT, "action": "start_review"})
    assert got.state == "under_review"
    swept = book.sweep(1, dt.datetime(9999, 12, 31, tzinfo=UTC))
    assert "expired" in repr(swept[0].kind), swept[0].to_dict()
