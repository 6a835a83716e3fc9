"""Times `zhiyuan.credit_decisions` (reasons off) against polars and duckdb.

    .venv/bin/python benches/python/credit_timing.py [rows] [repeats]

Not a test: prints wall and CPU seconds (best of `repeats`) for 1M fact rows
shaped like the comparison data (`int64` columns, `status` as strings), for
zhiyuan with 1 and 2 threads and for polars / duckdb (when installed) doing the
same gates and tiers, and checks that all agree. On a shared machine judge by
CPU seconds.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import zhiyuan

AS_OF = "2024-06-01T00:00:00Z"


def facts(n: int) -> pa.Table:
    rng = np.random.default_rng(7)
    tiers = np.array([100, 300, 600, 1000, 1500]) * 60
    near = rng.random(n) < 1 / 3
    cum = np.where(
        near,
        tiers[rng.integers(0, len(tiers), n)] + rng.integers(-1, 2, n),
        rng.lognormal(9.0, 1.3, n).astype(np.int64),
    )
    last12 = np.minimum(rng.lognormal(6.5, 1.5, n).astype(np.int64), cum)
    return pa.table(
        {
            "cumulative_minutes": pa.array(cum.astype(np.int64)),
            "minutes_last_12_months": pa.array(last12.astype(np.int64)),
            "months_registered": pa.array(rng.integers(-1, 121, n)),
            "age": pa.array(rng.integers(16, 76, n)),
            "fraud_revocations": pa.array((rng.random(n) < 0.01).astype(np.int64)),
            "sanctions": pa.array(rng.poisson(0.02, n)),
            "active": pa.array(rng.random(n) < 0.5),
            "status": pa.array(
                np.array(["active", "suspended", "deregistered"])[
                    rng.choice(3, n, p=[0.95, 0.03, 0.02])
                ]
            ),
        }
    )


def best(f: Callable[[], Any], repeats: int) -> tuple[float, float, Any]:
    wall, cpu, out = float("inf"), float("inf"), None
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        out = f()
        wall = min(wall, time.perf_counter() - w)
        cpu = min(cpu, time.process_time() - c)
    return wall, cpu, out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    t = facts(n)
    policy = zhiyuan.Policy()
    rows: list[tuple[str, float, float]] = []
    want = None
    for threads in (1, 2):
        w, c, out = best(
            lambda: zhiyuan.credit_decisions(policy, t, AS_OF, threads=threads), repeats
        )
        rows.append((f"zhiyuan threads={threads}", w, c))
        want = pa.table(out).column("tier").to_numpy()
    try:
        import polars as pl

        df = pl.from_arrow(t)
        assert isinstance(df, pl.DataFrame)
        gates = (
            (pl.col("age") >= 22)
            & (pl.col("age") <= 60)
            & (pl.col("months_registered") >= 6)
            & (pl.col("minutes_last_12_months") >= 20 * 60)
            & (pl.col("fraud_revocations") == 0)
            & (pl.col("sanctions") == 0)
            & (pl.col("status") == "active")
        )
        chain: Any = pl.when(~gates).then(pl.lit(0, pl.UInt32))
        for i, h in reversed(list(enumerate([100, 300, 600, 1000, 1500], start=1))):
            chain = chain.when(pl.col("cumulative_minutes") >= h * 60).then(pl.lit(i, pl.UInt32))
        limits = {0: 0, 1: 10_000_000, 2: 20_000_000, 3: 30_000_000, 4: 40_000_000, 5: 50_000_000}
        bps = {0: 0, 1: 25, 2: 50, 3: 75, 4: 100, 5: 125}
        tier = pl.col("tier")

        def polars_e() -> pl.DataFrame:
            return (
                df.lazy()
                .select(tier=chain.otherwise(pl.lit(0, pl.UInt32)))
                .with_columns(
                    limit_fen=tier.replace_strict(limits, return_dtype=pl.Int64),
                    rate_discount_bp=tier.replace_strict(bps, return_dtype=pl.Int64),
                    eligible=tier > 0,
                )
                .collect()
            )

        w, c, out = best(polars_e, repeats)
        rows.append(("polars", w, c))
        assert (out["tier"].to_numpy() == want).all(), "polars disagrees"
    except ImportError:
        pass
    try:
        import duckdb

        con = duckdb.connect()
        con.register("facts", t)
        sql = """
            SELECT tier,
                   [0, 10000000, 20000000, 30000000, 40000000, 50000000][tier + 1] AS limit_fen,
                   [0, 25, 50, 75, 100, 125][tier + 1] AS rate_discount_bp,
                   tier > 0 AS eligible
            FROM (SELECT CASE WHEN NOT (age >= 22 AND age <= 60 AND months_registered >= 6
                                        AND minutes_last_12_months >= 1200
                                        AND fraud_revocations = 0 AND sanctions = 0
                                        AND status = 'active') THEN 0
                              WHEN cumulative_minutes >= 90000 THEN 5
                              WHEN cumulative_minutes >= 60000 THEN 4
                              WHEN cumulative_minutes >= 36000 THEN 3
                              WHEN cumulative_minutes >= 18000 THEN 2
                              WHEN cumulative_minutes >= 6000 THEN 1
                              ELSE 0 END::UINTEGER AS tier
                  FROM facts)
        """
        w, c, out = best(lambda: con.sql(sql).to_arrow_table(), repeats)
        rows.append(("duckdb", w, c))
        got = out.read_all() if hasattr(out, "read_all") else out
        assert (got.column("tier").to_numpy() == want).all(), "duckdb disagrees"
    except ImportError:
        pass
    print(f"{n} fact rows, best of {repeats}")
    print(f"{'engine':<22}{'wall s':>10}{'cpu s':>10}")
    for name, w, c in rows:
        print(f"{name:<22}{w:>10.4f}{c:>10.4f}")


if __name__ == "__main__":
    main()
