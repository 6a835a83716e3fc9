"""Checked by `mypy --strict`: the stubs let typical code type-check.

Imported by pytest too (test_typing_usage.py), so every line also runs.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

import zhiyuan
from zhiyuan.types import ArrowStreamExportable


def usage() -> list[int]:
    policy: zhiyuan.Policy = zhiyuan.Policy.from_toml("[hours]\ndaily_review_minutes = 600\n")
    digest: str = policy.hash
    hours: dict[str, object] = policy.section("hours")
    level: int = policy.star_level(6000)
    to_next: int | None = policy.minutes_to_next_star(6000)
    week: zhiyuan.Period = policy.period(dt.datetime(2024, 3, 4, tzinfo=dt.UTC), "week")
    start, end = week.bounds(policy)
    span: dt.timedelta = end - start
    day: dt.date = policy.local_date("2024-03-04T08:00:00+08:00")

    tree = zhiyuan.UnitTree([{"id": 1, "parent": None, "name": "c", "level": "centre"}])
    unit: zhiyuan.Unit = tree.unit(1)
    totals: dict[int, int] = tree.rollup({1: 5})

    table: zhiyuan.ArrowTable = zhiyuan.star_levels(policy, pa.array([60], pa.int64()))
    stream: ArrowStreamExportable = table
    levels: list[int] = table.column("star_level").to_pylist()
    weeks: zhiyuan.ArrowColumn = zhiyuan.periods(policy, pa.array([0], pa.int64()), "week")

    try:
        zhiyuan.Period.parse("nope")
    except zhiyuan.ValidationError as e:
        kind: str | None = e.kind
        field: str | None = e.field
        assert kind == "InvalidInput" and field == "period"
    del digest, hours, level, to_next, span, day, unit, stream, weeks
    return [*levels, totals[1]]
