"""The rules the polars and duckdb versions encode, read from a zhiyuan policy.

Numbers come from `zhiyuan.Policy` sections (`calendar`, `likes`, `credit`),
never from literals here, so a policy change reaches all three engines. The
credit gates and tiers are condition trees (docs/policy/facts.md); `Cond`
turns one into an engine-neutral form that each engine compiles to its own
expression language.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import zhiyuan

US = 1_000_000
MINUTE_US = 60 * US
DAY_US = 86_400 * US

#: Fact name → (column, kind). Hours are stored in minutes, ratings in hundredths.
FACTS: dict[str, tuple[str, str]] = {
    "cumulative_hours": ("cumulative_minutes", "hours"),
    "hours_last_12_months": ("minutes_last_12_months", "hours"),
    "hours_this_year": ("minutes_this_year", "hours"),
    "months_registered": ("months_registered", "count"),
    "age": ("age", "count"),
    "star_level": ("star_level", "count"),
    "monthly_star_honours": ("monthly_star_honours", "count"),
    "annual_excellent_honours": ("annual_excellent_honours", "count"),
    "honours": ("honours", "count"),
    "fraud_revocations": ("fraud_revocations", "count"),
    "sanctions": ("sanctions", "count"),
    "average_rating": ("average_rating_centi", "rating"),
    "rating_count": ("rating_count", "count"),
    "active": ("active", "bool"),
    "status": ("status", "status"),
}


@dataclass(frozen=True)
class Cmp:
    """`column op value`, value already in the column's unit."""

    column: str
    op: str
    value: int | bool | str | tuple[str, ...]


@dataclass(frozen=True)
class All:
    """Every part holds."""

    parts: tuple[Cond, ...]


@dataclass(frozen=True)
class Any_:
    """Some part holds."""

    parts: tuple[Cond, ...]


@dataclass(frozen=True)
class Not:
    """The part does not hold."""

    part: Cond


Cond = Cmp | All | Any_ | Not


def _exact(v: Any, scale: int, what: str) -> int:
    """`v` (a number or decimal text) × scale, which must be a whole number."""
    q = Fraction(str(v)) * scale
    if q.denominator != 1:
        raise ValueError(f"{what}: {v!r} is not a whole number of the column's unit")
    return int(q)


def cond(d: dict[str, Any]) -> Cond:
    """A policy condition (its serde form) as a `Cond`."""
    if "all" in d:
        return All(tuple(cond(x) for x in d["all"]))
    if "any" in d:
        return Any_(tuple(cond(x) for x in d["any"]))
    if "not" in d:
        return Not(cond(d["not"]))
    column, kind = FACTS[d["fact"]]
    op, v = d["op"], d["value"]
    value: int | bool | str | tuple[str, ...]
    if op == "in":
        value = tuple(str(x) for x in v)
    elif kind == "hours":
        value = _exact(v, 60, d["fact"])
    elif kind == "rating":
        value = _exact(v, 100, d["fact"])
    elif kind == "count":
        value = int(v)
    elif kind == "bool":
        value = bool(v)
    else:
        value = str(v)
    return Cmp(column, op, value)


def columns(c: Cond) -> set[str]:
    """The fact columns a condition reads."""
    if isinstance(c, Cmp):
        return {c.column}
    if isinstance(c, Not):
        return columns(c.part)
    return set().union(*(columns(p) for p in c.parts))


@dataclass(frozen=True)
class Tier:
    """One credit tier, lowest first."""

    id: str
    when: Cond
    limit_fen: int
    rate_discount_bp: int


@dataclass(frozen=True)
class Rules:
    """Every number the tasks use, from one policy."""

    offset_us: int
    author_cap: int
    liker_weekly_cap: int | None
    new_account_us: int
    full_weight_us: int
    grace_us: int
    gates: tuple[Cond, ...]
    tiers: tuple[Tier, ...]
    k: int = 10

    @staticmethod
    def of(policy: zhiyuan.Policy) -> Rules:
        """The rules of `policy`."""
        likes = policy.section("likes")
        credit = policy.section("credit")
        return Rules(
            offset_us=policy.utc_offset_minutes * MINUTE_US,
            author_cap=int(likes["author_cap"]),
            liker_weekly_cap=(
                None if likes.get("liker_weekly_cap") is None else int(likes["liker_weekly_cap"])
            ),
            new_account_us=int(likes["new_account_days"]) * DAY_US,
            full_weight_us=int(likes["full_weight_days"]) * DAY_US,
            grace_us=int(likes["window_grace_minutes"]) * MINUTE_US,
            gates=tuple(cond(g["when"]) for g in credit["gates"]),
            tiers=tuple(
                Tier(t["id"], cond(t["when"]), int(t["limit_fen"]), int(t["rate_discount_bp"]))
                for t in credit["tiers"]
            ),
        )

    def fact_columns(self) -> list[str]:
        """The fact columns the credit rules read, sorted."""
        out: set[str] = set()
        for c in (*self.gates, *(t.when for t in self.tiers)):
            out |= columns(c)
        return sorted(out)
