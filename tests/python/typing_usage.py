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

    as_of = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    profile = {"id": 7, "birth_date": "1990-05-01", "registered_at": as_of, "home_unit": 1}
    facts: zhiyuan.Facts = zhiyuan.derive_facts(
        policy, profile, {"cumulative_minutes": 6000}, as_of=as_of
    )
    decision: zhiyuan.CreditDecision = zhiyuan.credit_decision(policy, facts, as_of)
    limit: int = decision.limit_fen
    tier: int | None = decision.tier
    rows = {name: [value] for name, value in facts.to_dict().items()}
    decisions = zhiyuan.credit_decisions(policy, pa.table(rows), as_of)
    provenance: dict[str, str] = decisions.metadata
    assert decisions.column("limit_fen").to_pylist() == [limit]
    registry = zhiyuan.HonoursRegistry()
    fresh: bool = registry.grant(7, "monthly_star", "2024-03", 1, dt.date(2024, 4, 2))
    honours: list[zhiyuan.Honour] = registry.of(7)

    county: zhiyuan.County = zhiyuan.county(3, "small", {"volunteers": 200, "likes": 300})
    boards: list[zhiyuan.WeeklyBoard] = zhiyuan.weekly_leaderboard(
        policy, county.posts(), county.likes(), county.registrations(), k=3
    )
    partial, verdicts = zhiyuan.like_batch(
        policy, county.posts(), county.likes(), county.registrations(), verdicts=True
    )
    merged: zhiyuan.LikePartial = zhiyuan.merge_partials([partial])
    assert zhiyuan.partial_boards(merged, 3) == boards and verdicts is not None
    book = zhiyuan.OrderBook(policy, county.tree())
    breaches: list[zhiyuan.Breach] = book.overdue(as_of)
    points = zhiyuan.PointsLedger(policy)
    credited: int = points.sync_hours(7, 6000, as_of)
    del breaches, credited

    try:
        zhiyuan.Period.parse("nope")
    except zhiyuan.ValidationError as e:
        kind: str | None = e.kind
        field: str | None = e.field
        assert kind == "InvalidInput" and field == "period"
    del digest, hours, level, to_next, span, day, unit, stream, weeks, tier, provenance
    del fresh, honours
    return [*levels, totals[1]]
