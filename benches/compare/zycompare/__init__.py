"""The polars / duckdb comparison of zhiyuan's batch functions (issue #9).

`zycompare.data` generates the seeded synthetic inputs once into Arrow IPC
files, `zycompare.engine_*` implement tasks a–e with each engine, and
`zycompare.harness` runs every (engine, task) in its own subprocess, checks
that the three engines agree exactly and prints the table of
`docs/performance.md`. Run it with `scripts/compare.sh [--scale S]`.
"""

TASKS = ("a", "b", "c", "d", "e")
ENGINES = ("zhiyuan", "polars", "duckdb")
THREADS = 2
