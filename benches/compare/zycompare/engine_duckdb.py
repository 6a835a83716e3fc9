"""Tasks a–e as duckdb SQL, encoding the rules of `zycompare.rules`.

Loading copies the Arrow tables into duckdb tables (its native storage, the
faster way to query them repeatedly), with `SET threads = 2`. Times are
compared as int64 UTC microseconds (`epoch_us`), periods cut with integer
arithmetic on `t + offset` as zhiyuan does (instants after 1970: `//` and `%`
truncate toward zero in SQL).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from zycompare import THREADS, data
from zycompare.rules import DAY_US, MINUTE_US, All, Any_, Cmp, Cond, Not, Rules

TABLES = {
    "a": ["records"],
    "b": ["records", "units"],
    "c": ["records"],
    "d": ["posts", "likes", "registrations"],
    "e": ["facts"],
}


def load(folder: Path, task: str) -> duckdb.DuckDBPyConnection:
    """An in-memory database holding the task's tables."""
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {THREADS}")
    con.execute("SET preserve_insertion_order = false")
    for name in TABLES[task]:
        arrow_table = data.read(folder, name)
        con.register("src", arrow_table)
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM src')
        con.unregister("src")
        del arrow_table
    return con


def _arrow(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """The query's result as a pyarrow table."""
    out: pa.Table = con.sql(sql).to_arrow_table()
    return out


def _week(t: str, r: Rules) -> str:
    """SQL: UTC µs of the local Monday 00:00 opening the ISO week of `t` (µs)."""
    day = f"(({t} + {r.offset_us}) // {DAY_US})"
    return f"(({day} - ({day} + 3) % 7) * {DAY_US} - {r.offset_us})"


def _counted(con: duckdb.DuckDBPyConnection) -> str:
    """SQL: approved service rows (when those columns exist) with their minutes."""
    cols = {row[0] for row in con.execute("DESCRIBE records").fetchall()}
    where = []
    if "status" in cols:
        where.append("status = 'approved'")
    if "kind" in cols:
        where.append("kind = 'service'")
    cond = " AND ".join(where) or "TRUE"
    return f"""
        SELECT volunteer, unit, epoch_us(start) AS s,
               (epoch_us("end") - epoch_us(start)) // {MINUTE_US} AS minutes
        FROM records WHERE {cond}"""


def task_a(con: duckdb.DuckDBPyConnection, r: Rules) -> pa.Table:
    """Approved service minutes per volunteer per ISO week."""
    return _arrow(
        con,
        f"""
        WITH c AS ({_counted(con)})
        SELECT volunteer::UBIGINT AS volunteer, {_week("s", r)} AS period_start,
               SUM(minutes)::BIGINT AS minutes
        FROM c GROUP BY ALL ORDER BY volunteer, period_start""",
    )


def task_b(con: duckdb.DuckDBPyConnection, r: Rules) -> pa.Table:
    """Own and rolled-up minutes per unit of the tree."""
    return _arrow(
        con,
        f"""
        WITH RECURSIVE anc(unit, ancestor) AS (
            SELECT id, id FROM units
            UNION ALL
            SELECT a.unit, u.parent FROM anc a JOIN units u ON u.id = a.ancestor
            WHERE u.parent IS NOT NULL),
        c AS ({_counted(con)}),
        own AS (SELECT unit, SUM(minutes) AS own_minutes FROM c GROUP BY unit),
        tot AS (SELECT a.ancestor AS unit, SUM(o.own_minutes) AS total_minutes
                FROM own o JOIN anc a ON a.unit = o.unit GROUP BY a.ancestor)
        SELECT u.id::UBIGINT AS unit,
               COALESCE(own.own_minutes, 0)::BIGINT AS own_minutes,
               COALESCE(tot.total_minutes, 0)::BIGINT AS total_minutes
        FROM units u LEFT JOIN own ON own.unit = u.id LEFT JOIN tot ON tot.unit = u.id
        ORDER BY unit""",
    )


def task_c(con: duckdb.DuckDBPyConnection, r: Rules) -> pa.Table:
    """Each live record starting before the greatest earlier end of its volunteer."""
    cols = {row[0] for row in con.execute("DESCRIBE records").fetchall()}
    live = "status IN ('submitted', 'approved')" if "status" in cols else "TRUE"
    earlier = (
        "PARTITION BY volunteer ORDER BY s, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING"
    )
    return _arrow(
        con,
        f"""
        WITH l AS (SELECT volunteer, id, epoch_us(start) AS s, epoch_us("end") AS e
                   FROM records WHERE {live}),
        m AS (SELECT *, MAX(e) OVER ({earlier}) AS prev_max FROM l),
        -- rows raising the running maximum end hold it (ties: the earliest)
        h AS (SELECT *, last_value(CASE WHEN prev_max IS NULL OR e > prev_max THEN id END
                                   IGNORE NULLS) OVER ({earlier}) AS partner
              FROM m)
        SELECT volunteer::UBIGINT AS volunteer, id::UBIGINT AS id, partner::UBIGINT AS "overlaps"
        FROM h WHERE s < e AND s < prev_max
        ORDER BY volunteer, s, id""",
    )


def task_d(con: duckdb.DuckDBPyConnection, r: Rules) -> pa.Table:
    """The top-k posts and authors of every ISO week (docs/rankings/likes.md)."""
    d0, d1 = r.new_account_us, r.full_weight_us
    liker_cap = (
        ""
        if r.liker_weekly_cap is None
        else f"""QUALIFY ROW_NUMBER() OVER (PARTITION BY liker, week ORDER BY t, event)
                 <= {r.liker_weekly_cap}"""
    )
    return _arrow(
        con,
        f"""
        WITH p AS (SELECT id AS post, author, epoch_us(time) AS ptime,
                          {_week("epoch_us(time)", r)} AS week FROM posts),
        -- replays (same event id, same content) change no standing like: a
        -- replayed like is a duplicate of its twin, a replayed unlike finds none
        l AS (SELECT event, liker, post, action, epoch_us(time) AS t FROM likes),
        -- steps 1-2: the post's window, no self-likes
        j AS (SELECT l.*, p.author, p.ptime, p.week FROM l JOIN p USING (post)
              WHERE l.t >= p.ptime AND l.t < p.week + {7 * DAY_US + r.grace_us}
                AND l.liker <> p.author),
        -- step 3: the standing like is the first like after the last unlike
        lu AS (SELECT liker, post, max({{'t': t, 'e': event}}) AS lu
               FROM j WHERE action = 1 GROUP BY liker, post),
        st AS (SELECT j.liker, j.post, any_value(j.author) AS author, any_value(j.week) AS week,
                      any_value(j.ptime) AS ptime, min({{'t': j.t, 'e': j.event}}) AS k
               FROM j LEFT JOIN lu ON lu.liker = j.liker AND lu.post = j.post
               WHERE j.action = 0 AND (lu.lu IS NULL OR {{'t': j.t, 'e': j.event}} > lu.lu)
               GROUP BY j.liker, j.post),
        -- step 4: new accounts
        w AS (SELECT liker, post, author, week, ptime, k.t AS t, k.e AS event,
                     CASE WHEN age < {d0} THEN 0 WHEN age >= {d1} THEN 1000
                          ELSE (1000 * (age - {d0})) // {max(d1 - d0, 1)} END AS weight
              FROM (SELECT st.*, st.k.t - epoch_us(g.registered_at) AS age
                    FROM st JOIN registrations g ON g.volunteer = st.liker)),
        -- step 5 (and 6): the earliest likes per (liker, author, week) count
        ac AS (SELECT * FROM w WHERE weight > 0
               QUALIFY ROW_NUMBER() OVER (PARTITION BY liker, author, week ORDER BY t, event)
                       <= {r.author_cap}),
        lc AS (SELECT * FROM ac {liker_cap}),
        pp AS (SELECT week, post, any_value(author) AS author, any_value(ptime) AS time,
                      SUM(weight)::BIGINT AS weight, COUNT(*)::BIGINT AS likes
               FROM lc GROUP BY week, post),
        tp AS (SELECT week, 'post' AS kind,
                      ROW_NUMBER() OVER (PARTITION BY week ORDER BY weight DESC, time, post)
                          AS position,
                      RANK() OVER (PARTITION BY week ORDER BY weight DESC) AS rank,
                      post AS id, author, time, weight, likes, 0::BIGINT AS posts
               FROM pp QUALIFY position <= {r.k}),
        pa AS (SELECT week, author, SUM(weight)::BIGINT AS weight, SUM(likes)::BIGINT AS likes,
                      COUNT(*)::BIGINT AS posts, MIN(time) AS time
               FROM pp GROUP BY week, author),
        ta AS (SELECT week, 'author' AS kind,
                      ROW_NUMBER() OVER (PARTITION BY week ORDER BY weight DESC, time, author)
                          AS position,
                      RANK() OVER (PARTITION BY week ORDER BY weight DESC) AS rank,
                      author AS id, author, time, weight, likes, posts
               FROM pa QUALIFY position <= {r.k})
        SELECT * FROM tp UNION ALL SELECT * FROM ta""",
    )


def _sql(c: Cond) -> str:
    """A credit condition as SQL."""
    if isinstance(c, All):
        return "(" + " AND ".join(_sql(p) for p in c.parts) + ")"
    if isinstance(c, Any_):
        return "(" + " OR ".join(_sql(p) for p in c.parts) + ")"
    if isinstance(c, Not):
        return f"(NOT {_sql(c.part)})"
    assert isinstance(c, Cmp)

    def lit(v: object) -> str:
        if isinstance(v, bool):
            return "TRUE" if v else "FALSE"
        if isinstance(v, int):
            return str(v)
        return "'" + str(v).replace("'", "''") + "'"

    if c.op == "in":
        assert isinstance(c.value, tuple)
        return f'("{c.column}" IN ({", ".join(lit(v) for v in c.value)}))'
    op = "<>" if c.op == "!=" else "=" if c.op == "==" else c.op
    return f'("{c.column}" {op} {lit(c.value)})'


def task_e(con: duckdb.DuckDBPyConnection, r: Rules) -> pa.Table:
    """文明贷 tier, limit and discount per row: all gates, then the highest tier."""
    gates = " AND ".join(_sql(g) for g in r.gates) or "TRUE"
    tiers = list(enumerate(r.tiers, start=1))
    arms = " ".join(f"WHEN {_sql(t.when)} THEN {i}" for i, t in reversed(tiers))
    limit = " ".join(f"WHEN {i} THEN {t.limit_fen}" for i, t in tiers)
    discount = " ".join(f"WHEN {i} THEN {t.rate_discount_bp}" for i, t in tiers)
    return _arrow(
        con,
        f"""
        WITH d AS (SELECT volunteer, CASE WHEN NOT ({gates}) THEN 0 {arms} ELSE 0 END AS tier
                   FROM facts)
        SELECT volunteer::UBIGINT AS volunteer, tier::UINTEGER AS tier,
               (CASE tier {limit} ELSE 0 END)::BIGINT AS limit_fen,
               (CASE tier {discount} ELSE 0 END)::BIGINT AS rate_discount_bp,
               tier > 0 AS eligible
        FROM d""",
    )


TASKS = {"a": task_a, "b": task_b, "c": task_c, "d": task_d, "e": task_e}


def run(task: str, con: duckdb.DuckDBPyConnection, rules: Rules) -> pa.Table:
    """Runs one task."""
    return TASKS[task](con, rules)
