"""The Arrow boundary: any producer in, PyCapsule objects out, checked columns."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zhiyuan

MINUTES = [0, 5999, 6000, 18000, 90000, 120]
LEVELS = [0, 0, 1, 2, 5, 0]
TO_NEXT = [6000, 1, 12000, 18000, None, 5880]


def producers(minutes: list[int]) -> dict[str, tuple[Any, str | None]]:
    """The same minutes as every kind of input, with the column argument to use."""
    table = {"volunteer": list(range(len(minutes))), "minutes": minutes}
    return {
        "pa.array": (pa.array(minutes, pa.int64()), None),
        "pa.chunked_array": (
            pa.chunked_array([minutes[:2], minutes[2:]], pa.int64()) if len(minutes) > 2
            else pa.chunked_array([minutes], pa.int64()),
            None,
        ),
        "pa.Table": (pa.table(table), "minutes"),
        "pa.RecordBatch": (pa.RecordBatch.from_pydict(table), "minutes"),
        "pl.Series": (pl.Series("minutes", minutes, dtype=pl.Int64), None),
        "pl.DataFrame": (pl.DataFrame(table, schema={"volunteer": pl.Int64, "minutes": pl.Int64}),
                         "minutes"),
        "pd.Series": (pd.Series(minutes, name="minutes", dtype="int64"), None),
        "pd.DataFrame": (pd.DataFrame(table), "minutes"),
        "pd.Series[int32]": (
            pd.Series(minutes, dtype="int32" if all(abs(m) < 2**31 for m in minutes) else "int64"),
            None,
        ),
    }


@pytest.mark.parametrize("kind", list(producers(MINUTES)))
def test_every_producer_gives_identical_results(policy: zhiyuan.Policy, kind: str) -> None:
    data, column = producers(MINUTES)[kind]
    out = zhiyuan.star_levels(policy, data, column=column)
    assert out.to_pydict() == {"star_level": LEVELS, "minutes_to_next": TO_NEXT}


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=-(2**40), max_value=2**40), max_size=40))
def test_producers_agree_on_random_columns(minutes: list[int]) -> None:
    p = zhiyuan.Policy()
    results = {
        kind: zhiyuan.star_levels(p, data, column=column).to_pydict()
        for kind, (data, column) in producers(minutes).items()
    }
    want = {
        "star_level": [p.star_level(m) for m in minutes],
        "minutes_to_next": [p.minutes_to_next_star(m) for m in minutes],
    }
    assert all(r == want for r in results.values()), results


def test_output_is_read_by_pyarrow_polars_pandas(policy: zhiyuan.Policy) -> None:
    out = zhiyuan.star_levels(policy, pa.array(MINUTES, pa.int64()))
    assert out.num_rows == len(out) == 6 and out.column_names == ["star_level", "minutes_to_next"]
    assert repr(out) == "ArrowTable(rows=6, columns=[star_level: UInt8, minutes_to_next: Int64])"
    t = pa.table(out)
    assert t.schema.field("star_level").type == pa.uint8()
    assert t.column("minutes_to_next").to_pylist() == TO_NEXT
    assert out.to_pyarrow().equals(t)
    assert pl.DataFrame(out).to_dict(as_series=False) == out.to_polars().to_dict(as_series=False)
    assert out.to_polars()["star_level"].to_list() == LEVELS
    assert out.to_pandas()["star_level"].tolist() == LEVELS
    assert pa.record_batch(out).num_rows == 6
    col = out.column("star_level")
    assert (col.name, col.type, len(col)) == ("star_level", "UInt8", 6)
    assert pa.array(col).to_pylist() == LEVELS
    assert pl.Series(col).to_list() == LEVELS
    assert col.to_polars().name == "star_level"
    assert col.to_pandas().name == "star_level"
    assert col.to_pyarrow().type == pa.uint8()
    with pytest.raises(KeyError):
        out.column("nope")


def test_outputs_are_exported_without_copies(policy: zhiyuan.Policy) -> None:
    out = zhiyuan.star_levels(policy, pa.array(MINUTES, pa.int64()))
    a, b = pa.table(out), pa.table(out)
    # Two exports of the same result share one Rust buffer.
    assert a.column(0).chunk(0).buffers()[1].address == b.column(0).chunk(0).buffers()[1].address
    col = out.column("minutes_to_next")
    assert pa.array(col).buffers()[1].address == a.column(1).chunk(0).buffers()[1].address


def test_missing_column_is_named(policy: zhiyuan.Policy) -> None:
    df = pl.DataFrame({"volunteer": [1], "mins": [60]})
    with pytest.raises(zhiyuan.ValidationError) as info:
        zhiyuan.star_levels(policy, df, column="minutes")
    assert str(info.value) == "minutes: missing column; the table has columns [volunteer, mins]"
    assert info.value.field == "minutes"


@pytest.mark.parametrize(
    "data",
    [pd.DataFrame({"minutes": ["60"]}), pa.table({"minutes": pa.array([1.5])})],
    ids=["pandas-str", "arrow-float"],
)
def test_mistyped_column_is_named(policy: zhiyuan.Policy, data: Any) -> None:
    with pytest.raises(zhiyuan.ValidationError, match=r"^minutes: expected an integer column"):
        zhiyuan.star_levels(policy, data, column="minutes")


@pytest.mark.parametrize(
    "data",
    [
        pa.array([60, 120, None], pa.int64()),
        pl.Series("minutes", [60, 120, None]),
        pd.Series([60, 120, None], name="minutes", dtype="Int64"),
        pa.chunked_array([[60, 120], [None]], pa.int64()),
    ],
    ids=["pa", "pl", "pd", "chunked"],
)
def test_null_names_column_and_row(policy: zhiyuan.Policy, data: Any) -> None:
    with pytest.raises(zhiyuan.ValidationError) as info:
        zhiyuan.star_levels(policy, data)
    assert str(info.value) == "minutes[2]: null value; this column must not contain nulls"


def test_non_arrow_input_is_rejected(policy: zhiyuan.Policy) -> None:
    with pytest.raises(zhiyuan.ValidationError, match=r"^minutes: expected an Arrow column"):
        zhiyuan.star_levels(policy, [1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(zhiyuan.ValidationError, match=r"^minutes: expected an Arrow table"):
        zhiyuan.star_levels(policy, {"minutes": [1]}, column="minutes")  # type: ignore[arg-type]


def test_uint64_too_large_for_int64_names_row(policy: zhiyuan.Policy) -> None:
    with pytest.raises(zhiyuan.ValidationError, match=r"^minutes\[1\]: 18446744073709551615"):
        zhiyuan.star_levels(policy, pa.array([1, 2**64 - 1], pa.uint64()))


def test_empty_column(policy: zhiyuan.Policy) -> None:
    empty = {"star_level": [], "minutes_to_next": []}
    assert zhiyuan.star_levels(policy, pa.array([], pa.int64())).to_pydict() == empty
    # pyarrow infers Arrow type `null` for an empty list: accepted when empty.
    assert zhiyuan.star_levels(policy, pa.table({"minutes": []}), "minutes").to_pydict() == empty
    with pytest.raises(zhiyuan.ValidationError, match=r"^minutes\[0\]: null value"):
        zhiyuan.star_levels(policy, pa.array([None]))


def test_shared_policy_across_threads(policy: zhiyuan.Policy) -> None:
    data = pa.array(list(range(0, 200_000, 7)), pa.int64())
    want = zhiyuan.star_levels(policy, data).to_pydict()
    barrier = threading.Barrier(4)

    def call(_: int) -> dict[str, list[Any]]:
        barrier.wait()
        return zhiyuan.star_levels(policy, data).to_pydict()

    with ThreadPoolExecutor(4) as pool:
        assert all(r == want for r in pool.map(call, range(4)))
