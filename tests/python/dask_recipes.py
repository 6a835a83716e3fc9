"""Partition functions for running zhiyuan's batch calls on Dask.

Dask ships functions to its workers by reference, so they must live in an
importable module, never in ``__main__`` (docs/distributed.md). Each task
has a *map* step run on one partition and a *merge* step that combines the
partials exactly; the handles they take (``Policy``, ``UnitTree``) travel to
the workers by pickle. Inputs and outputs are pyarrow tables, which Dask
serialises without copies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pyarrow as pa

import zhiyuan


def split_by(table: pa.Table, column: str, n: int) -> list[pa.Table]:
    """``n`` partitions of ``table``: row r goes to partition ``column[r] % n``.

    Partitioning by an id keeps every row of that id in one partition, which
    is what tasks c (by volunteer) and d (by liker) need to stay exact.
    """
    key = table.column(column).to_numpy() % n
    return [table.filter(pa.array(key == i)) for i in range(n)]


def split_rows(table: pa.Table, n: int) -> list[pa.Table]:
    """``n`` contiguous slices of ``table`` (any partition works for a, b, e)."""
    size = -(-table.num_rows // n)
    return [table.slice(i * size, size) for i in range(n)]


# a. approved minutes per volunteer per period ------------------------------


def hours_partial(policy: zhiyuan.Policy, records: pa.Table, grain: str = "week") -> pa.Table:
    """Map: minutes per (volunteer, period) of one partition of records."""
    return zhiyuan.hours_by_period(policy, records, grain=grain, threads=1).to_pyarrow()


def hours_merge(partials: Sequence[pa.Table]) -> pa.Table:
    """Merge: minutes summed per (volunteer, period), sorted."""
    return zhiyuan.merge_hours_by_period(list(partials)).to_pyarrow()


# b. minutes per unit rolled up through the unit tree ----------------------


def units_partial(policy: zhiyuan.Policy, units: zhiyuan.UnitTree, records: pa.Table) -> pa.Table:
    """Map: own and rolled-up minutes per unit of one partition of records."""
    return zhiyuan.unit_minutes(policy, units, records, threads=1).to_pyarrow()


def units_merge(units: zhiyuan.UnitTree, partials: Sequence[pa.Table]) -> pa.Table:
    """Merge: own minutes summed per unit, totals recomputed through the tree."""
    return zhiyuan.merge_unit_minutes(units, list(partials)).to_pyarrow()


# c. overlapping records ------------------------------------------------------


def overlaps_partition(records: pa.Table) -> pa.Table:
    """Map: overlaps within one partition **by volunteer**; outputs concatenate."""
    return zhiyuan.find_overlaps(records, threads=1).to_pyarrow()


# d. the weekly like leaderboard ---------------------------------------------


def like_partial(
    policy: zhiyuan.Policy, likes: pa.Table, posts: pa.Table, registrations: pa.Table
) -> zhiyuan.LikePartial:
    """Map: exact per-post weights of one partition of likes **by liker**."""
    partial, _ = zhiyuan.like_batch(policy, posts, likes, registrations)
    return partial


def like_boards(partials: Sequence[zhiyuan.LikePartial], k: int = 10) -> list[zhiyuan.WeeklyBoard]:
    """Merge: add the exact partials, then rank once (never merge top-k lists)."""
    return zhiyuan.partial_boards(zhiyuan.merge_partials(list(partials)), k)


# e. 文明贷 decisions for a table of facts ------------------------------------


def credit_partition(policy: zhiyuan.Policy, facts: pa.Table, as_of: dt.datetime) -> pa.Table:
    """Map: one decision row per facts row (row-wise, any partition)."""
    return zhiyuan.credit_decisions(policy, facts, as_of).to_pyarrow()


def concat(tables: Sequence[pa.Table]) -> pa.Table:
    """Merge for row-wise tasks: the partitions in order."""
    return pa.concat_tables(tables).combine_chunks()


# handles on a worker ---------------------------------------------------------


def handle_summary(policy: zhiyuan.Policy, units: zhiyuan.UnitTree) -> tuple[str, list[int]]:
    """What a worker sees of the handles it was sent (policy hash, unit ids)."""
    return policy.hash, [u.id for u in units.units]


__all__ = [
    "concat",
    "credit_partition",
    "handle_summary",
    "hours_merge",
    "hours_partial",
    "like_boards",
    "like_partial",
    "overlaps_partition",
    "split_by",
    "split_rows",
    "units_merge",
    "units_partial",
]
