"""Replays the golden vectors of every bound capability, and checks the runner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import vectors
import zhiyuan

CASES = [(cap, path) for cap in vectors.BOUND for path in vectors.files(cap)]


@pytest.mark.parametrize(
    ("capability", "path"), CASES, ids=[f"{c}/{p.name}" for c, p in CASES]
)
def test_golden_vector(capability: str, path: Path) -> None:
    assert vectors.run(vectors.load(path)) > 0


def test_every_bound_capability_has_vectors() -> None:
    for cap in vectors.BOUND:
        assert vectors.files(cap), f"tests/vectors/{cap} has no vectors"


# The runner itself, on a scenario written here: ops registered for the test.
@vectors.op("selftest.star_level")
def _star_level(s: vectors.State, i: dict[str, Any]) -> Any:
    return {"level": s.policy.star_level(i["minutes"])}


@vectors.op("selftest.ancestors")
def _ancestors(s: vectors.State, i: dict[str, Any]) -> Any:
    tree = s.get("tree", lambda: zhiyuan.UnitTree(i["units"]))
    return tree.ancestors(i["id"])


def write(tmp_path: Path, steps: list[dict[str, Any]]) -> Path:
    p = tmp_path / "scenario.json"
    units = [{"id": 1, "parent": None, "name": "c", "level": "centre"}]
    for st in steps:
        if st["op"] == "selftest.ancestors":
            st["input"]["units"] = units
    p.write_text(
        json.dumps({"policy": {"stars": {"thresholds_hours": [1, 2]}}, "steps": steps}),
        encoding="utf-8",
    )
    return p


def test_runner_checks_outputs_and_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            {"op": "selftest.star_level", "input": {"minutes": 120}, "output": {"level": 2}},
            {"op": "selftest.ancestors", "input": {"id": 1}, "output": []},
            {
                "op": "selftest.ancestors",
                "input": {"id": 5},
                "error": {"kind": "NotFound", "message": "unit: unknown unit 5"},
            },
        ],
    )
    assert vectors.run(vectors.load(path)) == 3


@pytest.mark.parametrize(
    "step",
    [
        {"op": "selftest.star_level", "input": {"minutes": 120}, "output": {"level": 1}},
        {
            "op": "selftest.ancestors",
            "input": {"id": 5},
            "error": {"kind": "NotFound", "message": "unit: unknown unit 6"},
        },
        {
            "op": "selftest.ancestors",
            "input": {"id": 5},
            "error": {"kind": "Conflict", "message": "unit: unknown unit 5"},
        },
        {"op": "selftest.ancestors", "input": {"id": 1}, "error": {"kind": "NotFound"}},
        {"op": "no.such.op", "input": {}, "output": None},
    ],
    ids=["wrong-output", "wrong-message", "wrong-kind", "missing-error", "unknown-op"],
)
def test_runner_fails_on_mismatch(tmp_path: Path, step: dict[str, Any]) -> None:
    with pytest.raises(AssertionError):
        vectors.run(vectors.load(write(tmp_path, [step])))


def test_every_vector_capability_is_bound() -> None:
    present = {d.name for d in vectors.VECTORS.iterdir() if d.is_dir()}
    assert present <= set(vectors.BOUND), f"unbound capabilities: {present - set(vectors.BOUND)}"
