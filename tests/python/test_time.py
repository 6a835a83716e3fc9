"""Time at the boundary: aware datetimes only, exact microseconds, Arrow timestamp rules."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import zhiyuan
from conftest import CST, UTC

offsets = st.integers(min_value=-18 * 60 + 1, max_value=18 * 60 - 1).map(
    lambda m: dt.timezone(dt.timedelta(minutes=m))
)
aware = st.datetimes(
    min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=offsets
)


@given(aware)
def test_aware_datetime_round_trips_exactly(d: dt.datetime) -> None:
    out = zhiyuan.to_utc(d)
    assert out == d
    assert out.tzinfo is UTC
    assert out.microsecond == d.astimezone(UTC).microsecond


def test_naive_datetime_is_rejected_saying_so(policy: zhiyuan.Policy) -> None:
    with pytest.raises(zhiyuan.ValidationError) as info:
        policy.local_date(dt.datetime(2024, 3, 4, 8, 0))
    assert info.value.field == "at"
    assert "naive" in str(info.value)
    assert str(info.value).startswith("at: 2024-03-04 08:00:00 is a naive datetime")


def test_naive_text_is_rejected_by_core() -> None:
    with pytest.raises(zhiyuan.ValidationError, match="naive datetimes are rejected"):
        zhiyuan.to_utc("2024-03-04T08:00:00")


def test_rfc3339_text_with_offset_is_accepted() -> None:
    assert zhiyuan.to_utc("2024-03-04T08:00:00+08:00") == dt.datetime(2024, 3, 4, tzinfo=UTC)


def test_other_types_are_rejected() -> None:
    with pytest.raises(zhiyuan.ValidationError, match=r"^at: expected an aware datetime, got int"):
        zhiyuan.to_utc(1_700_000_000)  # type: ignore[arg-type]


def test_local_date_and_period_cut_at_policy_offset(policy: zhiyuan.Policy) -> None:
    # Sunday 16:30Z is Monday 00:30 in Beijing: the next ISO week.
    at = dt.datetime(2024, 3, 10, 16, 30, tzinfo=UTC)
    assert policy.local_date(at) == dt.date(2024, 3, 11)
    assert str(policy.period(at, "week")) == "2024-W11"
    utc = zhiyuan.Policy.from_dict({"calendar": {"utc_offset_minutes": 0}})
    assert str(utc.period(at, "week")) == "2024-W10"


def test_period_object(policy: zhiyuan.Policy) -> None:
    p = zhiyuan.Period.parse("2024-W10")
    assert p.grain == "week"
    assert (p.first_day, p.end_day) == (dt.date(2024, 3, 4), dt.date(2024, 3, 11))
    start, end = p.bounds(policy)
    assert start == dt.datetime(2024, 3, 4, tzinfo=CST)
    assert end == dt.datetime(2024, 3, 11, tzinfo=CST)
    assert repr(p) == "Period('2024-W10')"
    assert p == zhiyuan.Period.parse("2024-W10")
    assert p < zhiyuan.Period.parse("2024-W11")
    assert len({p, zhiyuan.Period.parse("2024-W10")}) == 1


def test_calendar_helpers(policy: zhiyuan.Policy) -> None:
    sat, mon = dt.date(2024, 9, 14), dt.date(2024, 9, 16)
    cal = zhiyuan.Policy.from_dict(
        {"calendar": {"holidays": [mon], "makeup_workdays": ["2024-09-14"]}}
    )
    assert cal.is_working_day(sat) and not cal.is_working_day(mon)
    assert policy.is_working_day(mon) and not policy.is_working_day(sat)
    assert cal.add_working_days(dt.date(2024, 9, 13), 1) == sat
    deadline = policy.working_deadline(dt.datetime(2024, 3, 4, 1, tzinfo=UTC), 1)
    assert deadline == dt.datetime(2024, 3, 6, tzinfo=CST)
    with pytest.raises(zhiyuan.ValidationError, match=r"^day: expected a datetime.date"):
        policy.is_working_day(dt.datetime(2024, 3, 4, tzinfo=UTC))


# ------------------------------------------------------------- Arrow timestamp columns

WHEN = [dt.datetime(2024, 3, 10, 16, 30, tzinfo=UTC), dt.datetime(2024, 12, 30, 1, tzinfo=UTC)]
WEEKS = ["2024-W11", "2025-W01"]


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_timestamp_columns_with_time_zone_in_any_unit(policy: zhiyuan.Policy, unit: str) -> None:
    col = pa.array(WHEN, pa.timestamp(unit, tz="Asia/Shanghai"))
    assert zhiyuan.periods(policy, col, "week").to_pylist() == WEEKS


def test_int64_utc_microseconds(policy: zhiyuan.Policy) -> None:
    us = [int(d.timestamp()) * 1_000_000 for d in WHEN]
    assert zhiyuan.periods(policy, pa.array(us, pa.int64()), "week").to_pylist() == WEEKS


def test_polars_datetime_with_time_zone(policy: zhiyuan.Policy) -> None:
    s = pl.Series("start", WHEN, dtype=pl.Datetime("us", "Asia/Shanghai"))
    assert zhiyuan.periods(policy, s, "week").to_pylist() == WEEKS


def test_naive_timestamp_column_is_rejected_naming_it(policy: zhiyuan.Policy) -> None:
    t = pa.table({"start": pa.array([dt.datetime(2024, 3, 4)], pa.timestamp("us"))})
    with pytest.raises(zhiyuan.ValidationError) as info:
        zhiyuan.periods(policy, t, "week", column="start")
    assert info.value.field == "start"
    assert "no time zone; naive timestamps are rejected" in str(info.value)


def test_non_timestamp_column_is_rejected_naming_it(policy: zhiyuan.Policy) -> None:
    s = pl.Series("start", ["2024-03-04"])
    with pytest.raises(zhiyuan.ValidationError, match=r"^start: expected a timestamp column"):
        zhiyuan.periods(policy, s, "week")


def test_out_of_range_timestamp_names_row(policy: zhiyuan.Policy) -> None:
    col = pa.array([0, 2**62], pa.int64())
    with pytest.raises(zhiyuan.ValidationError, match=r"^at\[1\]: .* outside years 0001-9999"):
        zhiyuan.periods(policy, col, "week")


def test_bad_grain(policy: zhiyuan.Policy) -> None:
    with pytest.raises(zhiyuan.ValidationError, match=r'^grain: "fortnight" is not one of'):
        zhiyuan.periods(policy, pa.array([0]), "fortnight")  # type: ignore[arg-type]
