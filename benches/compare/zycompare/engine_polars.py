"""Tasks a–e in polars (lazy API), encoding the rules of `zycompare.rules`.

Times are handled as int64 UTC microseconds: the local period of an instant
is integer arithmetic on `t + offset`, exactly as zhiyuan cuts periods.
Set POLARS_MAX_THREADS before importing this module.
"""

from __future__ import annotations

import functools
import operator
from pathlib import Path
from typing import Any

import polars as pl

from zycompare import data
from zycompare.rules import DAY_US, MINUTE_US, All, Any_, Cond, Not, Rules

Inputs = dict[str, pl.DataFrame]


def load(folder: Path, task: str) -> Inputs:
    """The task's input tables as in-memory polars frames."""
    names = {
        "a": ["records"],
        "b": ["records", "units"],
        "c": ["records"],
        "d": ["posts", "likes", "registrations"],
        "e": ["facts"],
    }[task]
    out: Inputs = {}
    for n in names:
        df = pl.DataFrame(data.read(folder, n))
        if n == "records":
            # Dictionary columns arrive as Categorical; compare them as text.
            df = df.with_columns(pl.col("status", "kind").cast(pl.String))
        out[n] = df
    return out


def _us(col: str) -> pl.Expr:
    return pl.col(col).dt.epoch("us")


def _week_start(t: pl.Expr, rules: Rules) -> pl.Expr:
    """UTC µs of the local Monday 00:00 opening the ISO week holding `t` (µs)."""
    day = (t + rules.offset_us) // DAY_US
    monday = day - (day + 3) % 7  # 1970-01-01 was a Thursday
    return monday * DAY_US - rules.offset_us


def _counted(records: pl.DataFrame) -> pl.LazyFrame:
    """Approved service rows with their whole minutes."""
    lf = records.lazy()
    if "status" in records.columns:
        lf = lf.filter(pl.col("status") == "approved")
    if "kind" in records.columns:
        lf = lf.filter(pl.col("kind") == "service")
    return lf.with_columns(minutes=(_us("end") - _us("start")) // MINUTE_US)


def task_a(inp: Inputs, rules: Rules) -> pl.DataFrame:
    """Approved service minutes per volunteer per ISO week."""
    return (
        _counted(inp["records"])
        .group_by(
            pl.col("volunteer").cast(pl.UInt64),
            period_start=_week_start(_us("start"), rules),
        )
        .agg(pl.col("minutes").sum())
        .sort("volunteer", "period_start")
        .collect()
    )


def task_b(inp: Inputs, rules: Rules) -> pl.DataFrame:
    """Own and rolled-up minutes per unit of the tree."""
    units = inp["units"].select(pl.col("id").cast(pl.UInt64), pl.col("parent").cast(pl.UInt64))
    # (unit, ancestor-or-self) pairs, one join per tree level.
    closure = [units.select(unit="id", ancestor="id")]
    step = units.select(unit="id", ancestor="parent").drop_nulls()
    while step.height:
        closure.append(step)
        step = (
            step.join(units, left_on="ancestor", right_on="id")
            .select("unit", ancestor="parent")
            .drop_nulls()
        )
    pairs = pl.concat(closure).lazy()
    own = (
        _counted(inp["records"])
        .group_by(pl.col("unit").cast(pl.UInt64))
        .agg(own_minutes=pl.col("minutes").sum())
    )
    total = (
        own.join(pairs, on="unit")
        .group_by("ancestor")
        .agg(total_minutes=pl.col("own_minutes").sum())
    )
    return (
        units.lazy()
        .select(unit="id")
        .join(own, on="unit", how="left")
        .join(total, left_on="unit", right_on="ancestor", how="left")
        .select(
            "unit",
            pl.col("own_minutes").fill_null(0),
            pl.col("total_minutes").fill_null(0),
        )
        .sort("unit")
        .collect()
    )


def task_c(inp: Inputs, rules: Rules) -> pl.DataFrame:
    """Each live record starting before the greatest earlier end of its volunteer."""
    records = inp["records"]
    lf = records.lazy()
    if "status" in records.columns:
        lf = lf.filter(pl.col("status").is_in(["submitted", "approved"]))
    v = pl.col("volunteer")
    first = v != v.shift(1)  # rows sorted by volunteer: the volunteer's first row
    prev_max = pl.col("e").cum_max().over("volunteer").shift(1)
    return (
        lf.select(v.cast(pl.UInt64), pl.col("id").cast(pl.UInt64), s=_us("start"), e=_us("end"))
        .sort("volunteer", "s", "id")
        .with_columns(prev_max=pl.when(first.fill_null(True)).then(None).otherwise(prev_max))
        # The earliest row holding the running maximum end: rows that raise it.
        .with_columns(
            holder=pl.when(pl.col("prev_max").is_null() | (pl.col("e") > pl.col("prev_max")))
            .then(pl.col("id"))
            .forward_fill()
        )
        .with_columns(overlaps=pl.col("holder").shift(1))
        .filter((pl.col("s") < pl.col("e")) & (pl.col("s") < pl.col("prev_max")))
        .select("volunteer", "id", "overlaps")
        .collect()
    )


def _standing_likes(inp: Inputs, rules: Rules) -> pl.LazyFrame:
    """Steps 1–3: window, self, dedup. One row per (liker, post) with a standing like."""
    posts = (
        inp["posts"]
        .lazy()
        .select(
            post=pl.col("id").cast(pl.UInt64),
            author=pl.col("author").cast(pl.UInt64),
            ptime=_us("time"),
            week=_week_start(_us("time"), rules),
        )
    )
    likes = (
        inp["likes"]
        .lazy()
        # Replays (the same event id again, same content) need no pass of their
        # own: a replayed like follows its twin (a duplicate), a replayed unlike
        # finds nothing standing; neither changes the standing like.
        .select(
            pl.col("event").cast(pl.UInt64),
            pl.col("liker").cast(pl.UInt64),
            pl.col("post").cast(pl.UInt64),
            pl.col("action").cast(pl.Int8),
            t=_us("time"),
        )
    )
    same_pair = (pl.col("liker") == pl.col("liker").shift(1)) & (
        pl.col("post") == pl.col("post").shift(1)
    )
    # After sorting each pair's events by (time, event): a like not preceded by
    # a like opens a standing like; the last such opener stands when the
    # pair's last event is a like (a later unlike would withdraw it).
    opener = (pl.col("action") == 0) & ~(same_pair & (pl.col("action").shift(1) == 0)).fill_null(
        False
    )
    return (
        likes.join(posts, on="post")
        .filter(
            (pl.col("t") >= pl.col("ptime"))
            & (pl.col("t") < pl.col("week") + 7 * DAY_US + rules.grace_us)
            & (pl.col("liker") != pl.col("author"))
        )
        .sort("liker", "post", "t", "event")
        .with_columns(opener=opener)
        .group_by("liker", "post")
        .agg(
            last=pl.col("action").last(),
            t=pl.col("t").filter("opener").last(),
            event=pl.col("event").filter("opener").last(),
            author=pl.col("author").first(),
            week=pl.col("week").first(),
            ptime=pl.col("ptime").first(),
        )
        .filter(pl.col("last") == 0)
    )


def _capped(lf: pl.LazyFrame, keys: list[str], cap: int) -> pl.LazyFrame:
    """Keeps the first `cap` rows of each group by (t, event)."""
    return lf.sort([*keys, "t", "event"]).filter(pl.int_range(pl.len()).over(keys) < cap)


def task_d(inp: Inputs, rules: Rules) -> pl.DataFrame:
    """The top-k posts and authors of every ISO week (docs/rankings/likes.md)."""
    regs = (
        inp["registrations"]
        .lazy()
        .select(liker=pl.col("volunteer").cast(pl.UInt64), reg=_us("registered_at"))
    )
    d0, d1 = rules.new_account_us, rules.full_weight_us
    age = pl.col("t") - pl.col("reg")
    weight = (
        pl.when(age < d0)
        .then(0)
        .when(age >= d1)
        .then(1000)
        .otherwise((1000 * (age - d0)) // max(d1 - d0, 1))
    )
    lf = (
        _standing_likes(inp, rules)
        .join(regs, on="liker")
        .with_columns(weight=weight)
        .filter(pl.col("weight") > 0)
    )
    lf = _capped(lf, ["liker", "author", "week"], rules.author_cap)
    if rules.liker_weekly_cap is not None:
        lf = _capped(lf, ["liker", "week"], rules.liker_weekly_cap)
    per_post = (
        lf.group_by("post")
        .agg(
            pl.col("author").first(),
            pl.col("week").first(),
            time=pl.col("ptime").first(),
            weight=pl.col("weight").sum(),
            likes=pl.len().cast(pl.UInt64),
        )
        .collect()
        .lazy()
    )
    k = rules.k
    top_posts = (
        per_post.sort("week", "weight", "time", "post", descending=[False, True, False, False])
        .with_columns(
            position=pl.int_range(1, pl.len() + 1).over("week"),
            rank=pl.col("weight").rank("min", descending=True).over("week"),
        )
        .filter(pl.col("position") <= k)
        .select(
            "week",
            kind=pl.lit("post"),
            position="position",
            rank="rank",
            id="post",
            author="author",
            time="time",
            weight="weight",
            likes="likes",
            posts=pl.lit(0, pl.UInt64),
        )
    )
    top_authors = (
        per_post.group_by("week", "author")
        .agg(
            weight=pl.col("weight").sum(),
            likes=pl.col("likes").sum(),
            posts=pl.len().cast(pl.UInt64),
            time=pl.col("time").min(),
        )
        .sort("week", "weight", "time", "author", descending=[False, True, False, False])
        .with_columns(
            position=pl.int_range(1, pl.len() + 1).over("week"),
            rank=pl.col("weight").rank("min", descending=True).over("week"),
        )
        .filter(pl.col("position") <= k)
        .select(
            "week",
            kind=pl.lit("author"),
            position="position",
            rank="rank",
            id="author",
            author="author",
            time="time",
            weight="weight",
            likes="likes",
            posts="posts",
        )
    )
    return pl.concat([top_posts, top_authors]).collect()


def _expr(c: Cond) -> pl.Expr:
    """A credit condition as a polars expression."""
    if isinstance(c, All):
        return functools.reduce(operator.and_, (_expr(p) for p in c.parts))
    if isinstance(c, Any_):
        return functools.reduce(operator.or_, (_expr(p) for p in c.parts))
    if isinstance(c, Not):
        return ~_expr(c.part)
    col = pl.col(c.column)
    v: Any = c.value
    ops = {
        ">=": operator.ge,
        ">": operator.gt,
        "<=": operator.le,
        "<": operator.lt,
        "==": operator.eq,
        "!=": operator.ne,
    }
    if c.op == "in":
        return col.is_in(list(v))
    return ops[c.op](col, pl.lit(v))  # type: ignore[no-any-return]


def task_e(inp: Inputs, rules: Rules) -> pl.DataFrame:
    """文明贷 tier, limit and discount per row: all gates, then the highest tier."""
    gates = functools.reduce(operator.and_, (_expr(g) for g in rules.gates), pl.lit(True))
    tiers = list(enumerate(rules.tiers, start=1))
    chain: Any = pl.when(~gates).then(pl.lit(0, pl.UInt32))
    # Highest first: the first tier from the top whose condition holds.
    for i, t in reversed(tiers):
        chain = chain.when(_expr(t.when)).then(pl.lit(i, pl.UInt32))
    limits = {0: 0} | {i: t.limit_fen for i, t in tiers}
    discounts = {0: 0} | {i: t.rate_discount_bp for i, t in tiers}
    tier = pl.col("tier")
    return (
        inp["facts"]
        .lazy()
        .select(pl.col("volunteer").cast(pl.UInt64), tier=chain.otherwise(pl.lit(0, pl.UInt32)))
        .with_columns(
            limit_fen=tier.replace_strict(limits, return_dtype=pl.Int64),
            rate_discount_bp=tier.replace_strict(discounts, return_dtype=pl.Int64),
            eligible=tier > 0,
        )
        .collect()
    )


TASKS = {"a": task_a, "b": task_b, "c": task_c, "d": task_d, "e": task_e}


def run(task: str, inp: Inputs, rules: Rules) -> pl.DataFrame:
    """Runs one task."""
    return TASKS[task](inp, rules)
