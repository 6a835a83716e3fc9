"""One (engine, task) measurement, run in its own process by the harness.

Loads the inputs (timed apart), notes RSS, resets the peak-RSS mark, runs the
task `repeat` times, keeps the best wall time, and writes the canonical
result to an Arrow IPC file. Prints one JSON line of figures on stdout.
Thread counts come from the environment the harness sets
(POLARS_MAX_THREADS) and from `zycompare.THREADS`.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.ipc as ipc


def _status_kb(key: str) -> int:
    """A `kB` field of /proc/self/status (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def _reset_peak() -> bool:
    """Resets VmHWM to the current RSS (Linux ≥ 4.0); False when not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def measure(engine: str, task: str, folder: Path, out: Path, repeat: int) -> dict[str, Any]:
    """Runs one (engine, task); returns the figures."""
    import zhiyuan
    from zycompare import canon
    from zycompare.rules import Rules

    policy = zhiyuan.Policy.default()
    rules = Rules.of(policy)
    rss_start = _status_kb("VmRSS")
    t0 = time.perf_counter()
    run: Any
    if engine == "zhiyuan":
        from zycompare import engine_zhiyuan as z

        inp: Any = z.load(folder, task)

        def run() -> Any:
            return z.run(task, inp, policy)

    elif engine == "polars":
        from zycompare import engine_polars as p

        inp = p.load(folder, task)

        def run() -> Any:
            return p.run(task, inp, rules)

    elif engine == "duckdb":
        from zycompare import engine_duckdb as d

        inp = d.load(folder, task)

        def run() -> Any:
            return d.run(task, inp, rules)

    else:
        raise ValueError(f"unknown engine {engine!r}")
    load_s = time.perf_counter() - t0
    gc.collect()
    rss_loaded = _status_kb("VmRSS")
    exact_peak = _reset_peak()
    times = []
    result: Any = None
    for i in range(repeat):
        result = None
        gc.collect()
        t = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - t)
        if i + 1 < repeat:
            result = None
    peak = _status_kb("VmHWM")
    if engine == "zhiyuan":
        result = z.table(task, inp, result)
    table = canon.canonical(task, result, rules.offset_us)
    with pa.OSFile(str(out), "wb") as f, ipc.new_file(f, table.schema) as w:
        w.write_table(table)
    return {
        "engine": engine,
        "task": task,
        "load_s": load_s,
        "times_s": times,
        "best_s": min(times),
        "rss_start_mb": rss_start / 1024,
        "rss_loaded_mb": rss_loaded / 1024,
        "peak_mb": peak / 1024,
        "added_peak_mb": max(0, peak - rss_loaded) / 1024,
        "exact_peak": exact_peak,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "result_rows": table.num_rows,
    }


def main() -> None:
    """Command line: `python -m zycompare.child ENGINE TASK DATA OUT [--repeat N]`."""
    ap = argparse.ArgumentParser()
    ap.add_argument("engine")
    ap.add_argument("task")
    ap.add_argument("data", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    print(json.dumps(measure(a.engine, a.task, a.data, a.out, a.repeat)))


if __name__ == "__main__":
    main()
