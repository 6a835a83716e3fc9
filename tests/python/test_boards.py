"""Like-board bindings: the incremental objects, the batch over Arrow tables
from every library, and errors naming the column (rules tested in core)."""

from __future__ import annotations

import datetime as dt
import pickle
from typing import Any

import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zhiyuan

UTC = dt.UTC
REG = dt.datetime(2024, 1, 1, tzinfo=UTC)
MON = dt.datetime(2024, 3, 4, 2, tzinfo=UTC)  # ISO week 2024-W10


def data(likes: list[tuple[int, int, int]]) -> dict[str, dict[str, list[Any]]]:
    """Volunteers 1-6, posts 10 (by 1) and 11 (by 2), and ``(event, liker, post)`` likes."""
    return {
        "posts": {"id": [10, 11], "author": [1, 2], "time": [MON, MON]},
        "likes": {
            "event": [e for e, _, _ in likes],
            "liker": [v for _, v, _ in likes],
            "post": [p for _, _, p in likes],
            "time": [MON + dt.timedelta(hours=1 + e) for e, _, _ in likes],
            "action": ["like"] * len(likes),
        },
        "registrations": {"volunteer": [1, 2, 3, 4, 5, 6], "registered_at": [REG] * 6},
    }


LIKES = [(1, 2, 10), (2, 3, 10), (3, 4, 11), (4, 1, 10), (5, 5, 10), (6, 2, 11)]

SCHEMAS = {
    "posts": pa.schema(
        [("id", pa.uint64()), ("author", pa.int64()), ("time", pa.timestamp("us", "UTC"))]
    ),
    "likes": pa.schema(
        [
            ("event", pa.int64()),
            ("liker", pa.int64()),
            ("post", pa.int64()),
            ("time", pa.timestamp("us", "UTC")),
            ("action", pa.string()),
        ]
    ),
    "registrations": pa.schema(
        [("volunteer", pa.int64()), ("registered_at", pa.timestamp("ms", "Asia/Shanghai"))]
    ),
}


def tables(d: dict[str, dict[str, list[Any]]]) -> dict[str, pa.Table]:
    return {k: pa.table(v, schema=SCHEMAS[k]) for k, v in d.items()}


def incremental(policy: zhiyuan.Policy, likes: list[tuple[int, int, int]]) -> zhiyuan.LikeBoard:
    d = data(likes)
    board = zhiyuan.LikeBoard(policy)
    for v, at in zip(*d["registrations"].values(), strict=True):
        board.register(v, at)
    for p, a, t in zip(*d["posts"].values(), strict=True):
        board.add_post(p, a, t)
    for e, v, p, t, act in zip(*d["likes"].values(), strict=True):
        board.apply({"id": e, "liker": v, "post": p, "time": t, "action": act})
    return board


def test_batch_is_the_same_for_every_library_and_the_incremental_board(
    policy: zhiyuan.Policy,
) -> None:
    t = tables(data(LIKES))
    via_pa = zhiyuan.weekly_leaderboard(policy, t["posts"], t["likes"], t["registrations"], 5)
    via_pl = zhiyuan.weekly_leaderboard(
        policy, *(pl.DataFrame(t[k]) for k in ("posts", "likes", "registrations")), k=5
    )
    via_pd = zhiyuan.weekly_leaderboard(
        policy, *(t[k].to_pandas() for k in ("posts", "likes", "registrations")), k=5
    )
    assert via_pa == via_pl == via_pd and len(via_pa) == 1
    (week,) = via_pa
    assert str(week.week) == "2024-W10" and week.policy_hash == policy.hash
    assert [p["post"] for p in week.posts] == [10, 11]
    assert week.posts[0]["likes"] == 3, "self-like (4: volunteer 1 on post 10) does not count"
    board = incremental(policy, LIKES)
    assert board.board("2024-W10", 5) == week
    assert [str(w) for w in board.weeks()] == ["2024-W10"]
    assert pickle.loads(pickle.dumps(week)) == week
    assert repr(week).startswith("WeeklyBoard(week='2024-W10', ")


def test_like_batch_verdicts_and_partials(policy: zhiyuan.Policy) -> None:
    t = tables(data(LIKES))
    partial, verdicts = zhiyuan.like_batch(
        policy, t["posts"], t["likes"], t["registrations"], verdicts=True
    )
    assert verdicts is not None
    got = verdicts.to_pydict()
    assert got["event"] == [1, 2, 3, 4, 5, 6]
    assert got["reason"][3] == "self_like" and got["weight"][3] == 0
    board = incremental(policy, LIKES)
    assert [v.to_dict() for v in board.verdicts()] == [
        dict(zip(got, row, strict=True)) for row in zip(*got.values(), strict=True)
    ]
    assert partial == board.partial()
    # Partitions by liker merge to the whole.
    parts = []
    for keep in ({1, 2, 3}, {4, 5, 6}):
        likes = [x for x in LIKES if x[1] in keep]
        tt = tables(data(likes))
        parts.append(zhiyuan.like_batch(policy, tt["posts"], tt["likes"], tt["registrations"])[0])
    merged = zhiyuan.merge_partials(parts)
    assert merged == partial
    assert zhiyuan.partial_boards(merged, 5) == zhiyuan.weekly_leaderboard(
        policy, t["posts"], t["likes"], t["registrations"], 5
    )
    assert zhiyuan.partial_exhibition(merged, "2024-03", 1).works[0]["post"] == 10
    assert zhiyuan.LikePartial.from_dict(partial.to_dict()) == partial
    with pytest.raises(zhiyuan.ValidationError, match=r"^partials: must not be empty"):
        zhiyuan.merge_partials([])


def test_table_errors_name_the_table_and_column(policy: zhiyuan.Policy) -> None:
    t = tables(data(LIKES))
    with pytest.raises(zhiyuan.ValidationError, match=r"^likes\.liker: missing column"):
        zhiyuan.weekly_leaderboard(
            policy, t["posts"], t["likes"].drop(["liker"]), t["registrations"]
        )
    naive = t["posts"].set_column(2, "time", pa.array([MON.replace(tzinfo=None)] * 2))
    with pytest.raises(zhiyuan.ValidationError, match=r"^posts\.time: .*naive"):
        zhiyuan.weekly_leaderboard(policy, naive, t["likes"], t["registrations"])
    bad = t["likes"].set_column(4, "action", pa.array(["like"] * 5 + ["love"]))
    with pytest.raises(zhiyuan.ValidationError, match=r'^likes\.action\[5\]: "love" is not'):
        zhiyuan.weekly_leaderboard(policy, t["posts"], bad, t["registrations"])
    codes = t["likes"].set_column(4, "action", pa.array([0] * 6, pa.uint8()))
    assert zhiyuan.weekly_leaderboard(
        policy, t["posts"], codes, t["registrations"]
    ) == zhiyuan.weekly_leaderboard(policy, t["posts"], t["likes"], t["registrations"])
    unknown = tables(data([*LIKES, (7, 9, 10)]))
    with pytest.raises(zhiyuan.NotFoundError, match=r"^likes\[6\]\.liker: unknown volunteer 9"):
        zhiyuan.weekly_leaderboard(policy, unknown["posts"], unknown["likes"], t["registrations"])
    with pytest.raises(zhiyuan.ValidationError, match=r"^posts: expected an Arrow table"):
        zhiyuan.weekly_leaderboard(policy, 5, t["likes"], t["registrations"])  # type: ignore[arg-type]


def test_feed_objects(policy: zhiyuan.Policy) -> None:
    feed = zhiyuan.Feed(policy)
    feed.register(1, REG)
    feed.add_post({"id": 10, "author": 1, "time": MON, "topic": "垃圾分类"})
    feed.add_comment({"id": 1, "post": 10, "author": 1, "time": MON, "text": "好"})
    post = feed.post(10)
    assert isinstance(post, zhiyuan.Post) and post.time == MON and post.topic == "垃圾分类"
    assert feed.topic("垃圾分类") == [post] and feed.topics() == [{"topic": "垃圾分类", "posts": 1}]
    assert [c.text for c in feed.comments(10)] == ["好"]
    with pytest.raises(zhiyuan.NotFoundError):
        feed.comments(99)
    with pytest.raises(zhiyuan.NotFoundError, match=r"liker: unknown volunteer 7"):
        feed.like({"id": 1, "liker": 7, "post": 10, "time": MON, "action": "like"})


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 6), st.sampled_from([10, 11])), min_size=0, max_size=25))
def test_batch_equals_incremental(pairs: list[tuple[int, int]]) -> None:
    policy = zhiyuan.Policy()
    likes = [(i + 1, v, p) for i, (v, p) in enumerate(pairs)]
    t = tables(data(likes))
    batch = zhiyuan.weekly_leaderboard(policy, t["posts"], t["likes"], t["registrations"], 3)
    board = incremental(policy, likes)
    assert batch == [board.board(w, 3) for w in board.weeks()]
