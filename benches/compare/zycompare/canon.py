"""One canonical form per task result, so that engines compare exactly.

Each engine's result becomes a pyarrow table with the task's fixed schema
(times as int64 UTC µs, ISO weeks as `2024-W10` text), sorted by the task's
key. `first_difference` names the first row where two results differ.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from zycompare.rules import US

if TYPE_CHECKING:
    Column: TypeAlias = pa.Array[Any] | pa.ChunkedArray[Any]

I64: pa.DataType = pa.int64()
U64: pa.DataType = pa.uint64()
TEXT: pa.DataType = pa.string()
BOOL: pa.DataType = pa.bool_()

SCHEMAS: dict[str, pa.Schema] = {
    "a": pa.schema([("volunteer", U64), ("period_start", I64), ("minutes", I64)]),
    "b": pa.schema([("unit", U64), ("own_minutes", I64), ("total_minutes", I64)]),
    "c": pa.schema([("volunteer", U64), ("id", U64), ("overlaps", U64)]),
    "d": pa.schema(
        [
            ("week", TEXT),
            ("kind", TEXT),
            ("position", I64),
            ("rank", I64),
            ("id", U64),
            ("author", U64),
            ("time", I64),
            ("weight", I64),
            ("likes", I64),
            ("posts", I64),
        ]
    ),
    "e": pa.schema(
        [
            ("volunteer", U64),
            ("tier", I64),
            ("limit_fen", I64),
            ("rate_discount_bp", I64),
            ("eligible", BOOL),
        ]
    ),
}
KEYS = {
    "a": ["volunteer", "period_start"],
    "b": ["unit"],
    "c": ["volunteer", "id"],
    "d": ["week", "kind", "position"],
    "e": ["volunteer"],
}


def _micros(col: pa.ChunkedArray[Any]) -> Column:
    """Timestamps (any unit / zone), datetimes or RFC 3339 text as int64 UTC µs."""
    t = col.type
    if pa.types.is_timestamp(t):
        return col.cast(pa.timestamp("us", tz="UTC")).cast(I64)
    if pa.types.is_integer(t):
        return col.cast(I64)
    values: list[Any] = col.to_pylist()
    out = []
    for v in values:
        d = dt.datetime.fromisoformat(v.replace("Z", "+00:00")) if isinstance(v, str) else v
        delta = d - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        out.append((delta.days * 86_400 + delta.seconds) * US + delta.microseconds)
    return pa.array(out, I64)


def _week_label(col: pa.ChunkedArray[Any], offset_us: int) -> Column:
    """Week starts (UTC µs of the local Monday) as ISO week labels."""
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return col.cast(pa.string())
    out = []
    for v in col.to_pylist():
        if v is None:
            raise ValueError("week: null")
        day = dt.date(1970, 1, 1) + dt.timedelta(microseconds=int(v) + offset_us)
        y, w, _ = day.isocalendar()
        out.append(f"{y}-W{w:02d}")
    return pa.array(out, pa.string())


def canonical(task: str, result: Any, offset_us: int) -> pa.Table:
    """`result` (anything with the Arrow C stream interface) in the task's canonical form."""
    t = result if isinstance(result, pa.Table) else pa.table(result)
    schema = SCHEMAS[task]
    cols: list[Column] = []
    for field in schema:
        c = t.column(field.name)
        if field.name in ("period_start", "time"):
            cols.append(_micros(c))
        elif field.name == "week":
            cols.append(_week_label(c, offset_us))
        else:
            cols.append(c.cast(field.type))
    out = pa.Table.from_arrays(cols, schema=schema)
    return out.sort_by([(k, "ascending") for k in KEYS[task]]).combine_chunks()


def first_difference(task: str, a: pa.Table, b: pa.Table) -> str | None:
    """None when equal, else a description of the first differing row."""
    if a.equals(b):
        return None
    n = min(a.num_rows, b.num_rows)
    first = n
    for name in a.column_names:
        neq = pc.not_equal(a.column(name).slice(0, n), b.column(name).slice(0, n))
        idx = pc.index(neq, True).as_py()
        if idx is not None and idx >= 0:
            first = min(first, idx)
    row_a = a.slice(first, 1).to_pylist()
    row_b = b.slice(first, 1).to_pylist()
    return (
        f"task {task}: first difference at row {first} "
        f"(rows: {a.num_rows} vs {b.num_rows}): {row_a or 'no row'} vs {row_b or 'no row'}"
    )
