"""Tasks a–e through zhiyuan's Python API (the contract of the batch kernels).

Inputs are pyarrow tables read into memory; every call runs with
`threads=THREADS`.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pyarrow as pa

import zhiyuan
from zycompare import THREADS, data

TABLES = {
    "a": ["records"],
    "b": ["records", "units"],
    "c": ["records"],
    "d": ["posts", "likes", "registrations"],
    "e": ["facts"],
}


def load(folder: Path, task: str) -> dict[str, Any]:
    """The task's input tables (pyarrow), and the unit tree for task b."""
    out: dict[str, Any] = {name: data.read(folder, name) for name in TABLES[task]}
    if task == "b":
        units = out.pop("units")
        out["tree"] = zhiyuan.UnitTree(units=units.to_pylist())
    return out


def _threads(fn: Any) -> dict[str, Any]:
    """`threads=THREADS` when `fn` takes it; otherwise the global pool, which the
    harness sizes with RAYON_NUM_THREADS (older builds of d and e)."""
    try:
        takes = "threads" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        takes = False
    return {"threads": THREADS} if takes else {}


def run(task: str, inp: dict[str, Any], policy: zhiyuan.Policy) -> Any:
    """Runs one task; returns what the API returns."""
    if task == "a":
        return zhiyuan.hours_by_period(policy, inp["records"], grain="week", threads=THREADS)
    if task == "b":
        return zhiyuan.unit_minutes(policy, inp["tree"], inp["records"], threads=THREADS)
    if task == "c":
        return zhiyuan.find_overlaps(inp["records"], threads=THREADS)
    if task == "d":
        return zhiyuan.weekly_leaderboard(
            policy,
            inp["posts"],
            inp["likes"],
            inp["registrations"],
            k=10,
            **_threads(zhiyuan.weekly_leaderboard),
        )
    if task == "e":
        return zhiyuan.credit_decisions(
            policy, inp["facts"], data.AS_OF, **_threads(zhiyuan.credit_decisions)
        )
    raise ValueError(f"unknown task {task!r}")


def table(task: str, inp: dict[str, Any], result: Any) -> pa.Table:
    """The result as one pyarrow table in the engines' shared column layout."""
    if task == "d":
        rows: list[dict[str, Any]] = []
        for board in result:
            week = str(board.week)
            for i, p in enumerate(board.posts, start=1):
                rows.append(
                    {
                        "week": week,
                        "kind": "post",
                        "position": i,
                        "rank": p["rank"],
                        "id": p["post"],
                        "author": p["author"],
                        "time": p["time"],
                        "weight": p["weight"],
                        "likes": p["likes"],
                        "posts": 0,
                    }
                )
            for i, a in enumerate(board.authors, start=1):
                rows.append(
                    {
                        "week": week,
                        "kind": "author",
                        "position": i,
                        "rank": a["rank"],
                        "id": a["author"],
                        "author": a["author"],
                        "time": a["first_post_time"],
                        "weight": a["weight"],
                        "likes": a["likes"],
                        "posts": a["posts"],
                    }
                )
        return pa.Table.from_pylist(rows)
    out = pa.table(result)
    if task == "e":
        # Decisions line up with the input rows.
        out = out.append_column("volunteer", inp["facts"].column("volunteer"))
    return out
