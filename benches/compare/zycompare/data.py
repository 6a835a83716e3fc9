"""Seeded synthetic inputs for tasks a–e, the same for every engine.

Full scale (`scale=1.0`): 1M volunteers, 10M service records over 2024 on a
tree of 301 units, 2M posts over eight ISO weeks, 20M like rows, 1M fact
rows. Everything is vectorised numpy; the tables are written once to Arrow
IPC files under a cache directory keyed by seed and scale and re-used.

What the data exercises (so that every rule of the engines is hit):
- records: the four statuses, both kinds, zero-length rows, 3 % injected
  overlaps (a second record of the same volunteer starting inside the first),
  exact ties of start times, volunteers skewed (some with hundreds of rows);
- likes: heavy-tailed likers and posts, self-likes, likes before the post and
  after the week closes (delays exponential, mean 2 days: about 27 % late),
  unlikes, duplicate likes (new event id), replayed events (same id, same
  content), likes from accounts registered during the period (new accounts),
  a ring of 30 new accounts liking each other's posts
  and a ring of 20 established accounts with five posts each (author cap);
- facts: values on and around every tier and gate boundary.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

US = 1_000_000
MINUTE = 60 * US
HOUR = 60 * MINUTE
DAY = 24 * HOUR
TS = pa.timestamp("us", tz="UTC")

FULL = {
    "volunteers": 1_000_000,
    "records": 10_000_000,
    "posts": 2_000_000,
    "likes": 20_000_000,
    "facts": 1_000_000,
}
TOWNS = 15
VILLAGES_PER_TOWN = 19
WEEKS = 8
TABLES = ("units", "records", "posts", "likes", "registrations", "facts")
#: The instant credit decisions are made at (facts are given, not derived).
AS_OF = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)


def _us(y: int, m: int, d: int, hours_offset: int = 0) -> int:
    t = dt.datetime(y, m, d, tzinfo=dt.UTC) - dt.timedelta(hours=hours_offset)
    return int(t.timestamp()) * US


#: Records start anywhere in 2024 (local); posts in the eight ISO weeks from
#: Monday 2024-03-04 00:00 UTC+08:00.
RECORDS_FROM = _us(2024, 1, 1, 8)
RECORDS_TO = _us(2025, 1, 1, 8)
POSTS_FROM = _us(2024, 3, 4, 8)


@dataclass(frozen=True)
class Sizes:
    """Row counts at one scale."""

    volunteers: int
    records: int
    posts: int
    likes: int
    facts: int

    @staticmethod
    def at(scale: float) -> Sizes:
        """Sizes at `scale` (1.0 = the issue's full size), at least a few rows each."""

        def n(key: str, least: int) -> int:
            return max(least, round(FULL[key] * scale))

        return Sizes(
            n("volunteers", 200),
            n("records", 1000),
            n("posts", 200),
            n("likes", 2000),
            n("facts", 500),
        )


def cache_dir(seed: int, scale: float) -> Path:
    """Where the tables of (seed, scale) live: `$ZHIYUAN_COMPARE_CACHE` or
    `<repo>/target/compare-data`, one folder per key."""
    root = os.environ.get("ZHIYUAN_COMPARE_CACHE")
    base = Path(root) if root else Path(__file__).resolve().parents[3] / "target" / "compare-data"
    return base / f"seed{seed}-scale{scale:g}"


def ensure(seed: int, scale: float) -> Path:
    """Generates the tables of (seed, scale) unless they are cached; returns the folder."""
    d = cache_dir(seed, scale)
    if all((d / f"{t}.arrow").exists() for t in TABLES):
        return d
    d.mkdir(parents=True, exist_ok=True)
    for name, table in generate(seed, scale).items():
        tmp = d / f"{name}.arrow.tmp"
        with pa.OSFile(str(tmp), "wb") as f, ipc.new_file(f, table.schema) as w:
            w.write_table(table, max_chunksize=1 << 20)
        tmp.replace(d / f"{name}.arrow")
    return d


def read(folder: Path, name: str) -> pa.Table:
    """One table, read into memory (not memory-mapped: loading is timed apart)."""
    with pa.OSFile(str(folder / f"{name}.arrow"), "rb") as f:
        return ipc.open_file(f).read_all().combine_chunks()


def _skewed(rng: np.random.Generator, n: int, size: int, power: float) -> np.ndarray:
    """Indexes in [0, n) with a heavy head: index 0 is the most frequent."""
    return np.minimum((n * rng.random(size) ** power).astype(np.int64), n - 1)


def _ts(a: np.ndarray) -> pa.Array[Any]:
    return pa.array(a.astype(np.int64), type=pa.int64()).cast(TS)


def generate(seed: int, scale: float) -> dict[str, pa.Table]:
    """All six tables for (seed, scale)."""
    rng = np.random.default_rng(seed)
    s = Sizes.at(scale)
    units = _units()
    regs = _registrations(rng, s)
    records = _records(rng, s, units)
    posts, likes, regs = _posts_and_likes(rng, s, regs)
    facts = _facts(rng, s)
    return {
        "units": units,
        "records": records,
        "posts": posts,
        "likes": likes,
        "registrations": regs,
        "facts": facts,
    }


def _units() -> pa.Table:
    """A county (1), 15 towns (2–16), 19 villages under each (17–301)."""
    ids = [1]
    parents: list[int | None] = [None]
    levels = ["county"]
    for t in range(TOWNS):
        ids.append(2 + t)
        parents.append(1)
        levels.append("town")
    nxt = 2 + TOWNS
    for t in range(TOWNS):
        for _ in range(VILLAGES_PER_TOWN):
            ids.append(nxt)
            parents.append(2 + t)
            levels.append("village")
            nxt += 1
    return pa.table(
        {
            "id": pa.array(ids, pa.uint64()),
            "parent": pa.array(parents, pa.uint64()),
            "name": pa.array([f"{lv}-{i}" for i, lv in zip(ids, levels, strict=True)]),
            "level": pa.array(levels),
        }
    )


def _registrations(rng: np.random.Generator, s: Sizes) -> pa.Table:
    """Volunteers 1..n; 5 % registered during the like period (new accounts)."""
    n = s.volunteers
    old = rng.integers(_us(2015, 1, 1), _us(2024, 2, 1), n)
    new = rng.integers(POSTS_FROM - 7 * DAY, POSTS_FROM + WEEKS * 7 * DAY, n)
    at = np.where(rng.random(n) < 0.05, new, old)
    return pa.table(
        {"volunteer": pa.array(np.arange(1, n + 1, dtype=np.uint64)), "registered_at": _ts(at)}
    )


def _records(rng: np.random.Generator, s: Sizes, units: pa.Table) -> pa.Table:
    n_over = s.records * 3 // 100
    n = s.records - n_over
    vol = (_skewed(rng, s.volunteers, n, 1.6) + 1).astype(np.uint64)
    # Starts on whole minutes half of the time, so that equal starts occur.
    start = rng.integers(RECORDS_FROM, RECORDS_TO, n)
    start = np.where(rng.random(n) < 0.5, start - start % MINUTE, start)
    dur = rng.integers(15 * MINUTE, 8 * HOUR, n)
    dur = np.where(rng.random(n) < 0.01, 0, dur)
    # Overlaps: a second record of the same volunteer starting inside one.
    src = rng.integers(0, n, n_over)
    o_start = start[src] + (dur[src] * rng.random(n_over)).astype(np.int64)
    o_dur = rng.integers(10 * MINUTE, 4 * HOUR, n_over)
    vol = np.concatenate([vol, vol[src]])
    start = np.concatenate([start, o_start])
    end = start + np.concatenate([dur, o_dur])
    total = len(vol)
    unit_ids = units.column("id").to_numpy()
    villages = unit_ids[1 + TOWNS :]
    unit = np.where(
        rng.random(total) < 0.9,
        villages[rng.integers(0, len(villages), total)],
        unit_ids[rng.integers(0, 1 + TOWNS, total)],
    ).astype(np.uint64)
    status_codes = rng.choice(4, total, p=[0.07, 0.85, 0.05, 0.03]).astype(np.int8)
    kind_codes = (rng.random(total) < 0.1).astype(np.int8)
    ids = (rng.permutation(total) + 1).astype(np.uint64)
    order = rng.permutation(total)
    return pa.table(
        {
            "id": pa.array(ids[order]),
            "volunteer": pa.array(vol[order]),
            "unit": pa.array(unit[order]),
            "start": _ts(start[order]),
            "end": _ts(end[order]),
            "status": pa.DictionaryArray.from_arrays(
                status_codes[order],
                pa.array(["submitted", "approved", "rejected", "revoked"]),
            ),
            "kind": pa.DictionaryArray.from_arrays(
                kind_codes[order], pa.array(["service", "training"])
            ),
        }
    )


def _posts_and_likes(
    rng: np.random.Generator, s: Sizes, regs: pa.Table
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Posts, likes and the registrations with the ring members' dates set."""
    nv = s.volunteers
    reg_at = regs.column("registered_at").cast(pa.int64()).to_numpy().copy()
    # Posts: heavy-tailed authors, uniform over the eight weeks.
    author = _skewed(rng, nv, s.posts, 2.0).astype(np.int64) + 1
    ptime = rng.integers(POSTS_FROM, POSTS_FROM + WEEKS * 7 * DAY, s.posts)
    ptime = np.maximum(ptime, reg_at[author - 1])
    # Ring 1: 30 accounts registered two days before week 3, three posts each
    # in week 3, each liking every other member's posts (weight 0: new accounts).
    # Ring 2: 20 established accounts, five posts each in week 5, each liking
    # every other member's posts (the author cap keeps three per author).
    week3 = POSTS_FROM + 2 * 7 * DAY
    week5 = POSTS_FROM + 4 * 7 * DAY
    members = rng.choice(np.arange(1, nv + 1), 50, replace=False)
    ring_new, ring_old = members[:30], members[30:]
    reg_at[ring_new - 1] = week3 - 2 * DAY
    reg_at[ring_old - 1] = _us(2020, 1, 1)
    regs = regs.set_column(1, "registered_at", _ts(reg_at))
    ring_authors = np.concatenate([np.repeat(ring_new, 3), np.repeat(ring_old, 5)])
    ring_ptime = np.concatenate(
        [
            week3 + HOUR * rng.integers(1, 48, 90),
            week5 + HOUR * rng.integers(1, 48, 100),
        ]
    )
    author = np.concatenate([author, ring_authors])
    ptime = np.concatenate([ptime, ring_ptime])
    n_posts = len(author)
    post_id = (rng.permutation(n_posts) + 1).astype(np.int64) * 3  # not dense
    posts = pa.table(
        {
            "id": pa.array(post_id.astype(np.uint64)),
            "author": pa.array(author.astype(np.uint64)),
            "time": _ts(ptime),
        }
    )

    # Base likes.
    n_base = s.likes * 95 // 100
    p = _skewed(rng, s.posts, n_base, 2.5)
    liker = _skewed(rng, nv, n_base, 1.8) + 1
    liker = np.where(rng.random(n_base) < 0.005, author[p], liker)  # self-likes
    delay = rng.exponential(2 * DAY, n_base).astype(np.int64)
    early = rng.random(n_base) < 0.005
    delay = np.where(early, -rng.integers(1, 3 * HOUR, n_base), delay)  # before the post
    ltime = ptime[p] + delay
    # Rings: every member likes every other member's posts.
    ring_liker, ring_post = [], []
    base = s.posts
    for group, per in ((ring_new, 3), (ring_old, 5)):
        k = len(group)
        for i, who in enumerate(group):
            for j in range(k):
                if j != i:
                    ring_liker.append(np.full(per, who))
                    ring_post.append(base + j * per + np.arange(per))
        base += k * per
    r_liker = np.concatenate(ring_liker)
    r_post = np.concatenate(ring_post)
    r_time = ptime[r_post] + rng.integers(MINUTE, 2 * DAY, len(r_post))
    liker = np.concatenate([liker, r_liker])
    p = np.concatenate([p, r_post])
    ltime = np.concatenate([ltime, r_time])
    n_likes = len(liker)
    action = np.zeros(n_likes, dtype=np.int8)
    # Unlikes (3 %) and duplicate likes (1.5 %) of a base like, later.
    n_un = s.likes * 3 // 100
    n_dup = s.likes * 15 // 1000
    u = rng.integers(0, n_likes, n_un)
    dd = rng.integers(0, n_likes, n_dup)
    liker = np.concatenate([liker, liker[u], liker[dd]])
    p = np.concatenate([p, p[u], p[dd]])
    ltime = np.concatenate(
        [
            ltime,
            ltime[u] + rng.exponential(DAY, n_un).astype(np.int64) + 1,
            ltime[dd] + rng.exponential(6 * HOUR, n_dup).astype(np.int64),
        ]
    )
    action = np.concatenate([action, np.ones(n_un, dtype=np.int8), np.zeros(n_dup, dtype=np.int8)])
    n_unique = len(liker)
    event = (rng.permutation(n_unique) + 1).astype(np.int64) * 2 + 1
    # Replays (0.5 %): the same event again, same id and content.
    rep = rng.integers(0, n_unique, s.likes * 5 // 1000)
    event = np.concatenate([event, event[rep]])
    liker = np.concatenate([liker, liker[rep]])
    p = np.concatenate([p, p[rep]])
    ltime = np.concatenate([ltime, ltime[rep]])
    action = np.concatenate([action, action[rep]])
    order = rng.permutation(len(event))
    likes = pa.table(
        {
            "event": pa.array(event[order].astype(np.uint64)),
            "liker": pa.array(liker[order].astype(np.uint64)),
            "post": pa.array(post_id[p[order]].astype(np.uint64)),
            "time": _ts(ltime[order]),
            # 0 like, 1 unlike: the code form every engine reads.
            "action": pa.array(action[order]),
        }
    )
    return posts, likes.combine_chunks(), regs


def _facts(rng: np.random.Generator, s: Sizes) -> pa.Table:
    n = s.facts
    # Hours facts: a third exactly on or one minute either side of a tier /
    # gate boundary (100, 300, 600, 1000, 1500 h; 20 h), the rest log-normal.
    tiers = np.array([100, 300, 600, 1000, 1500]) * 60
    near = rng.random(n) < 1 / 3
    cum = np.where(
        near,
        tiers[rng.integers(0, len(tiers), n)] + rng.integers(-1, 2, n),
        rng.lognormal(9.0, 1.3, n).astype(np.int64),
    )
    last12 = np.where(
        rng.random(n) < 0.2,
        20 * 60 + rng.integers(-1, 2, n),
        rng.lognormal(6.5, 1.5, n).astype(np.int64),
    )
    last12 = np.minimum(last12, cum)
    this_year = (last12 * rng.random(n)).astype(np.int64)
    age = rng.integers(16, 76, n)
    months = rng.integers(-1, 121, n)
    honours = rng.poisson(0.3, n)
    cols: dict[str, pa.Array[Any]] = {
        "volunteer": pa.array(np.arange(1, n + 1, dtype=np.uint64)),
        "cumulative_minutes": pa.array(cum.astype(np.int64)),
        "minutes_last_12_months": pa.array(last12.astype(np.int64)),
        "minutes_this_year": pa.array(this_year),
        "months_registered": pa.array(months),
        "age": pa.array(age),
        "star_level": pa.array(np.minimum(cum // 6000, 5)),
        "monthly_star_honours": pa.array(np.minimum(honours, 2)),
        "annual_excellent_honours": pa.array(honours // 2),
        "honours": pa.array(honours),
        "fraud_revocations": pa.array((rng.random(n) < 0.01).astype(np.int64)),
        "sanctions": pa.array(rng.poisson(0.02, n)),
        "average_rating_centi": pa.array(rng.integers(100, 501, n)),
        "rating_count": pa.array(rng.poisson(3, n)),
        "active": pa.array(this_year >= 20 * 60),
        "status": pa.array(
            np.array(["active", "suspended", "deregistered"])[
                rng.choice(3, n, p=[0.95, 0.03, 0.02])
            ]
        ),
    }
    return pa.table(cols)
