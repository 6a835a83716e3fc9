"""HoursLedger bindings: argument conversion, result objects, errors, pickling, threads.

The ledger's rules are tested in core; here only the mapping is checked.
"""

from __future__ import annotations

import datetime as dt
import pickle
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import zhiyuan
from conftest import CST, UTC


def rec(
    id: int, volunteer: int = 42, start_hour: int = 9, hours: int = 2, **kw: Any
) -> dict[str, Any]:
    start = dt.datetime(2024, 3, 4, start_hour, tzinfo=CST)
    return {
        "id": id,
        "volunteer": volunteer,
        "unit": 100,
        "team": 7,
        "activity": 1,
        "start": start,
        "end": start + dt.timedelta(hours=hours),
        "kind": "service",
        "recorded_by": 900,
        "recorded_at": start + dt.timedelta(hours=hours, minutes=5),
        **kw,
    }


APPROVE_AT = dt.datetime(2024, 3, 5, tzinfo=UTC)


@pytest.fixture
def ledger(policy: zhiyuan.Policy, tree: zhiyuan.UnitTree) -> zhiyuan.HoursLedger:
    return zhiyuan.HoursLedger(policy, tree)


def test_submit_approve_totals(ledger: zhiyuan.HoursLedger) -> None:
    receipt = ledger.submit(rec(1))
    assert (receipt.id, receipt.minutes, receipt.flags) == (1, 120, [])
    assert repr(receipt) == "Receipt(id=1, minutes=120, flags=[])"
    assert ledger.submit(rec(1)) == receipt  # idempotent
    ledger.approve(1, 900, APPROVE_AT)
    assert ledger.approved_minutes(42, APPROVE_AT) == 120
    assert ledger.approved_minutes(42, APPROVE_AT - dt.timedelta(microseconds=1)) == 0
    assert ledger.star_level(42, APPROVE_AT) == 0
    assert ledger.volunteers() == [42] and len(ledger) == 1
    [week] = ledger.totals("all", "week", APPROVE_AT)
    assert (str(week.period), week.service_minutes, week.records) == ("2024-W10", 120, 1)
    assert week.to_dict() == {
        "period": "2024-W10", "service_minutes": 120, "training_minutes": 0, "records": 1,
    }
    [unit_row, *_] = ledger.totals({"scope": "unit", "id": 1}, "month", APPROVE_AT)
    assert unit_row.service_minutes == 120


def test_record_state_attributes_are_python_values(ledger: zhiyuan.HoursLedger) -> None:
    ledger.submit(rec(1))
    ledger.approve(1, 900, APPROVE_AT)
    st = ledger.record(1)
    assert st.status == "approved" and st.minutes == 120
    assert st.approved_at == APPROVE_AT and st.approved_at.tzinfo is UTC
    assert st.record.start == dt.datetime(2024, 3, 4, 9, tzinfo=CST)
    assert st.record.kind == "service" and st.record.team == 7
    assert st.to_dict()["record"]["start"] == "2024-03-04T01:00:00Z"
    assert zhiyuan.RecordState.from_dict(st.to_dict()) == st
    assert pickle.loads(pickle.dumps(st)) == st
    with pytest.raises(AttributeError):
        st.status = "revoked"  # type: ignore[misc]


def test_record_objects_are_accepted_as_input(ledger: zhiyuan.HoursLedger) -> None:
    r = zhiyuan.ServiceRecord.from_dict(rec(3))
    assert ledger.submit(r).minutes == 120
    assert ledger.record(3).record == r


def test_errors_map_to_classes(ledger: zhiyuan.HoursLedger) -> None:
    ledger.submit(rec(1))
    with pytest.raises(zhiyuan.ConflictError, match=r"^record 1\.end: id already used"):
        ledger.submit(rec(1, hours=3))
    with pytest.raises(zhiyuan.NotFoundError, match=r"^record 9: not found$"):
        ledger.record(9)
    ledger.approve(1, 900, APPROVE_AT)
    with pytest.raises(zhiyuan.StateError) as info:
        ledger.approve(1, 901, APPROVE_AT)
    assert str(info.value) == "record 1: cannot approve a record that is approved"
    assert info.value.kind == "InvalidState"
    with pytest.raises(zhiyuan.ValidationError, match=r'^reason: "oops" is not one of'):
        ledger.revoke(1, "oops", 900, APPROVE_AT)  # type: ignore[arg-type]


def test_naive_datetime_in_a_record_names_the_field(ledger: zhiyuan.HoursLedger) -> None:
    bad = rec(1, start=dt.datetime(2024, 3, 4, 9))
    with pytest.raises(zhiyuan.ValidationError) as info:
        ledger.submit(bad)
    assert info.value.field == "record.start"
    assert "naive datetime" in str(info.value)
    with pytest.raises(zhiyuan.ValidationError, match=r"^at: .* naive"):
        ledger.approve(1, 900, dt.datetime(2024, 3, 5))
    assert len(ledger) == 0


def test_batch_is_all_or_nothing(ledger: zhiyuan.HoursLedger) -> None:
    with pytest.raises(zhiyuan.ZhiyuanError, match=r"^records\[1\]: record 2: overlaps"):
        ledger.submit_batch([rec(1), rec(2, start_hour=10)])
    assert len(ledger) == 0
    assert [r.id for r in ledger.submit_batch([rec(1), rec(2, start_hour=11)])] == [1, 2]


def test_revoke_amend_history_revocations(ledger: zhiyuan.HoursLedger) -> None:
    ledger.submit(rec(1))
    ledger.approve(1, 900, APPROVE_AT)
    later = APPROVE_AT + dt.timedelta(days=1)
    new = ledger.amend(1, rec(2, hours=1), "error", 900, later)
    assert new.minutes == 60
    assert ledger.record(1).amended_by == 2 and ledger.record(2).amends == 1
    assert [e["action"] for e in ledger.history(1)] == ["submit", "approve", "revoke"]
    [rv] = ledger.revocations(42, later)
    assert (rv.record, rv.reason, rv.minutes, rv.kind, rv.at) == (1, "error", 120, "service", later)


def test_snapshot_restore_and_pickle(ledger: zhiyuan.HoursLedger) -> None:
    ledger.submit(rec(1))
    ledger.approve(1, 900, APPROVE_AT)
    ledger.submit(rec(2, start_hour=12))
    for back in (
        zhiyuan.HoursLedger.restore(ledger.snapshot()),
        pickle.loads(pickle.dumps(ledger)),
        zhiyuan.HoursLedger.replay(ledger.policy, ledger.units, ledger.entries()),
    ):
        assert back.snapshot() == ledger.snapshot()
        assert back.record(2) == ledger.record(2)
    assert repr(ledger) == f"HoursLedger(records=2, policy='{ledger.policy.hash[:12]}…')"
    with pytest.raises(zhiyuan.ValidationError, match=r"^snapshot: "):
        zhiyuan.HoursLedger.restore("{}")


def test_totals_by_table_reads_in_polars(ledger: zhiyuan.HoursLedger) -> None:
    ledger.submit_batch([rec(1), rec(2, volunteer=43)])
    ledger.approve(1, 900, APPROVE_AT)
    ledger.approve(2, 900, APPROVE_AT)
    objs = ledger.totals_by("volunteer", "week", APPROVE_AT)
    df = pl.DataFrame(ledger.totals_by_table("volunteer", "week", APPROVE_AT))
    assert df.to_dicts() == [o.to_dict() for o in objs]
    assert df["key"].to_list() == [42, 43]


def test_shared_ledger_across_threads(ledger: zhiyuan.HoursLedger) -> None:
    def submit(v: int) -> int:
        return ledger.submit(rec(v, volunteer=v)).minutes

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(submit, range(1, 41))) == [120] * 40
    assert ledger.volunteers() == list(range(1, 41))


def records_table(n: int) -> dict[str, Any]:
    rows = [rec(i + 1, volunteer=i % 3 + 1, start_hour=(i // 3) % 20, hours=1) for i in range(n)]
    cols = {k: [r[k] for r in rows] for k in rows[0]}
    cols["team"] = [None if i % 2 else 7 for i in range(n)]
    return cols


@pytest.mark.parametrize("lib", ["pyarrow", "polars", "pandas"])
def test_submit_table_from_every_library(policy: zhiyuan.Policy, tree: zhiyuan.UnitTree,
                                         lib: str) -> None:
    cols = records_table(12)
    data: Any
    if lib == "pyarrow":
        data = pa.table(cols)
    elif lib == "polars":
        data = pl.DataFrame(cols)
    else:
        data = pd.DataFrame(cols).astype({"team": "Int64"})  # nullable ints, not float NaN
    ledger = zhiyuan.HoursLedger(policy, tree)
    out = ledger.submit_table(data)
    assert out.to_pydict() == {"id": list(range(1, 13)), "minutes": [60] * 12, "flags": ["[]"] * 12}
    dicts = zhiyuan.HoursLedger(policy, tree)
    dicts.submit_batch([{k: v[i] for k, v in cols.items()} for i in range(12)])
    assert ledger.snapshot() == dicts.snapshot()


def test_submit_table_errors_name_column_and_row(ledger: zhiyuan.HoursLedger) -> None:
    cols = records_table(3)
    with pytest.raises(zhiyuan.ValidationError, match=r"^kind\[1\]: \"nap\" is not one of"):
        ledger.submit_table(pa.table({**cols, "kind": ["service", "nap", "service"]}))
    naive = pa.array([dt.datetime(2024, 3, 4)] * 3, pa.timestamp("us"))
    with pytest.raises(zhiyuan.ValidationError, match=r"^start: .*no time zone"):
        ledger.submit_table(pa.table({**cols, "start": naive}))
    del cols["activity"]
    with pytest.raises(zhiyuan.ValidationError, match=r"^activity: missing column"):
        ledger.submit_table(pa.table(cols))
    assert len(ledger) == 0
