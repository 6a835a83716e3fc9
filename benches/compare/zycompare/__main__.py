"""The comparison harness: `python -m zycompare [--scale S] [--seed N] ...`.

Generates (or re-uses) the data, runs every (engine, task) in its own
subprocess with 2 threads, checks that the three engines' canonical results
are identical (exit 1 naming the first differing row otherwise) and prints
one table. `scripts/compare.sh` sets up the venv and the wheel and calls this.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.ipc as ipc

from zycompare import ENGINES, TASKS, THREADS, canon, data

#: The input table whose rows a task's rows/s counts.
MAIN_TABLE = {"a": "records", "b": "records", "c": "records", "d": "likes", "e": "facts"}
TASK_NAMES = {
    "a": "a hours_by_period (week)",
    "b": "b unit_minutes",
    "c": "c find_overlaps",
    "d": "d weekly_leaderboard",
    "e": "e credit_decisions",
}


def child_env() -> dict[str, str]:
    """The environment of a measuring child: two threads everywhere."""
    env = dict(os.environ)
    env["POLARS_MAX_THREADS"] = str(THREADS)
    env["RAYON_NUM_THREADS"] = str(THREADS)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).resolve().parent.parent), env.get("PYTHONPATH", "")]
    ).rstrip(os.pathsep)
    return env


def run_child(engine: str, task: str, folder: Path, out: Path, repeat: int) -> dict[str, Any]:
    """Measures one (engine, task) in a fresh interpreter."""
    cmd = [
        sys.executable,
        "-m",
        "zycompare.child",
        engine,
        task,
        str(folder),
        str(out),
        "--repeat",
        str(repeat),
    ]
    p = subprocess.run(cmd, env=child_env(), capture_output=True, text=True, check=False)
    if p.returncode != 0:
        raise RuntimeError(f"{engine} task {task} failed ({p.returncode}):\n{p.stderr}")
    figures: dict[str, Any] = json.loads(p.stdout.strip().splitlines()[-1])
    return figures


def read_result(path: Path) -> pa.Table:
    """A canonical result file."""
    with pa.OSFile(str(path), "rb") as f:
        return ipc.open_file(f).read_all()


def rows_of(folder: Path, name: str) -> int:
    """Row count of a cached table, from its file footer."""
    with pa.memory_map(str(folder / f"{name}.arrow")) as f:
        r = ipc.open_file(f)
        return sum(r.get_batch(i).num_rows for i in range(r.num_record_batches))


def compare(
    folder: Path,
    tasks: str,
    engines: tuple[str, ...],
    repeat: int,
    workdir: Path,
    log: Any = sys.stderr,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Runs every (engine, task); returns the figures and the disagreements."""
    figures: list[dict[str, Any]] = []
    problems: list[str] = []
    for task in tasks:
        results: dict[str, pa.Table] = {}
        for engine in engines:
            out = workdir / f"{task}-{engine}.arrow"
            f = run_child(engine, task, folder, out, repeat)
            f["rows"] = rows_of(folder, MAIN_TABLE[task])
            figures.append(f)
            results[engine] = read_result(out)
            print(
                f"  {task} {engine:8} load {f['load_s']:.2f} s, best {f['best_s']:.3f} s, "
                f"+{f['added_peak_mb']:.0f} MB, {f['result_rows']} result rows",
                file=log,
                flush=True,
            )
        ref = engines[0]
        for other in engines[1:]:
            diff = canon.first_difference(task, results[ref], results[other])
            if diff is not None:
                problems.append(f"{ref} vs {other}: {diff}")
    return figures, problems


def table(figures: list[dict[str, Any]]) -> str:
    """The comparison as a Markdown table."""
    lines = [
        "| task | engine | load s | best of 3 s | rows/s | added peak RSS MB | "
        "ratio to fastest other |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for f in figures:
        others = [
            g["best_s"] for g in figures if g["task"] == f["task"] and g["engine"] != f["engine"]
        ]
        ratio = f"{f['best_s'] / min(others):.2f}" if others else "—"
        lines.append(
            f"| {TASK_NAMES[f['task']]} | {f['engine']} | {f['load_s']:.2f} | "
            f"{f['best_s']:.3f} | {f['rows'] / f['best_s']:,.0f} | "
            f"{f['added_peak_mb']:.0f} | {ratio} |"
        )
    return "\n".join(lines)


#: Issue #9 targets: zhiyuan time ÷ fastest of polars / duckdb.
TARGETS = {"a": 0.5, "b": 1.0, "c": 0.5, "d": 0.5, "e": 1.0}


def targets(figures: list[dict[str, Any]]) -> str:
    """Issue #9's targets, met or missed, as a Markdown table."""
    lines = [
        "| task | zhiyuan ÷ fastest other | target | met | "
        "zhiyuan added MB ÷ polars added MB (target ≤ 0.5) | met |",
        "|---|---:|---:|---|---:|---|",
    ]
    by = {(f["task"], f["engine"]): f for f in figures}
    for task in TASK_NAMES:
        z = by.get((task, "zhiyuan"))
        others = [by[(task, e)]["best_s"] for e in ("polars", "duckdb") if (task, e) in by]
        if z is None or not others:
            continue
        ratio = z["best_s"] / min(others)
        mem = "—"
        mem_ok = "—"
        if (task, "polars") in by:
            pol = by[(task, "polars")]["added_peak_mb"]
            m = z["added_peak_mb"] / pol if pol > 0 else float("inf")
            mem = f"{m:.2f}"
            mem_ok = "yes" if m <= 0.5 else "no"
        met = "yes" if ratio <= TARGETS[task] else "no"
        lines.append(f"| {task} | {ratio:.2f} | ≤ {TARGETS[task]} | {met} | {mem} | {mem_ok} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit code."""
    ap = argparse.ArgumentParser(prog="python -m zycompare", description=__doc__)
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 = full size (default)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tasks", default="".join(TASKS), help="subset of abcde")
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    a = ap.parse_args(argv)
    engines = tuple(a.engines.split(","))
    t = time.perf_counter()
    folder = data.ensure(a.seed, a.scale)
    print(f"data {folder} ready in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="zycompare-") as tmp:
        figures, problems = compare(folder, a.tasks, engines, a.repeat, Path(tmp))
    print(table(figures))
    print()
    print(targets(figures))
    if a.json:
        a.json.write_text(json.dumps(figures, indent=1))
    for p in problems:
        print(f"DISAGREEMENT {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
