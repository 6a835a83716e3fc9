"""zhiyuan, polars and duckdb agree exactly on tasks a–e at a tiny scale.

The comparison (benches/compare, docs/performance.md) is only meaningful while
the three implementations encode the same rules; this catches a rule
drifting in any of them. Runs in-process at scale 0.001 (1,000 volunteers,
10,000 records, 20,000 likes), plus the harness itself once on one task.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb  # noqa: F401  (a missing engine must fail the test, never skip it)
import polars  # noqa: F401
import pyarrow as pa
import pytest

import zhiyuan

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benches" / "compare"))

from zycompare import canon, data, engine_duckdb, engine_polars, engine_zhiyuan  # noqa: E402
from zycompare.rules import Rules  # noqa: E402

SCALE = 0.001


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    os.environ["ZHIYUAN_COMPARE_CACHE"] = str(tmp_path_factory.mktemp("compare-data"))
    try:
        return data.ensure(7, SCALE)
    finally:
        del os.environ["ZHIYUAN_COMPARE_CACHE"]


def results(task: str, folder: Path, policy: zhiyuan.Policy) -> dict[str, pa.Table]:
    rules = Rules.of(policy)
    zin = engine_zhiyuan.load(folder, task)
    z = engine_zhiyuan.table(task, zin, engine_zhiyuan.run(task, zin, policy))
    p = engine_polars.run(task, engine_polars.load(folder, task), rules)
    d = engine_duckdb.run(task, engine_duckdb.load(folder, task), rules)
    return {
        name: canon.canonical(task, r, rules.offset_us)
        for name, r in (("zhiyuan", z), ("polars", p), ("duckdb", d))
    }


@pytest.mark.parametrize("task", ["a", "b", "c", "d", "e"])
def test_three_engines_agree(task: str, folder: Path) -> None:
    r = results(task, folder, zhiyuan.Policy.default())
    assert r["zhiyuan"].num_rows > 0
    for other in ("polars", "duckdb"):
        assert canon.first_difference(task, r["zhiyuan"], r[other]) is None


def test_the_data_exercises_every_rule(folder: Path) -> None:
    """Without these cases a drifting rule could go unnoticed."""
    rec = data.read(folder, "records").to_pydict()
    assert set(rec["status"]) == {"submitted", "approved", "rejected", "revoked"}
    assert set(rec["kind"]) == {"service", "training"}
    assert any(s == e for s, e in zip(rec["start"], rec["end"], strict=True))
    likes = data.read(folder, "likes")
    events = likes.column("event").to_pylist()
    assert len(set(events)) < len(events)  # replays
    assert 1 in likes.column("action").to_pylist()  # unlikes
    facts = data.read(folder, "facts").to_pydict()
    assert 6000 in facts["cumulative_minutes"]  # exactly on the 100-hour tier
    r = results("d", folder, zhiyuan.Policy.default())["zhiyuan"].to_pydict()
    assert set(r["kind"]) == {"post", "author"}
    assert len(set(r["week"])) == data.WEEKS


def test_a_policy_change_reaches_every_engine(folder: Path) -> None:
    """Rules are read from the policy: a capped, ramped policy still agrees."""
    policy = zhiyuan.Policy.from_dict(
        {
            "likes": {
                "author_cap": 1,
                "liker_weekly_cap": 2,
                "new_account_days": 3,
                "full_weight_days": 10,
                "window_grace_minutes": 600,
            },
            "calendar": {"utc_offset_minutes": -300},
        }
    )
    for task in ("a", "d"):
        r = results(task, folder, policy)
        for other in ("polars", "duckdb"):
            assert canon.first_difference(task, r["zhiyuan"], r[other]) is None
    weights = results("d", folder, policy)["zhiyuan"].column("weight").to_pylist()
    assert any(w is not None and w % 1000 for w in weights)  # the ramp gave fractional likes


def test_a_difference_is_named() -> None:
    a = pa.table({"unit": pa.array([1, 2], pa.uint64()), "own_minutes": [5, 6]})
    b = pa.table({"unit": pa.array([1, 2], pa.uint64()), "own_minutes": [5, 7]})
    diff: Any = canon.first_difference("b", a, b)
    assert "row 1" in diff and "'own_minutes': 7" in diff


def test_the_harness_runs_and_agrees(tmp_path: Path) -> None:
    env = dict(os.environ, ZHIYUAN_COMPARE_CACHE=str(tmp_path))
    env["PYTHONPATH"] = str(ROOT / "benches" / "compare")
    p = subprocess.run(
        [sys.executable, "-m", "zycompare", "--scale", str(SCALE), "--tasks", "e", "--repeat", "1"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert p.returncode == 0, p.stderr
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("| e credit_decisions |")]
    assert [ln.split("|")[2].strip() for ln in lines] == ["zhiyuan", "polars", "duckdb"]
