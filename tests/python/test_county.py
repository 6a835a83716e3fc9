"""The county generator binding: deterministic tables that feed the batch calls."""

from __future__ import annotations

import pyarrow as pa
import pytest

import zhiyuan

PARAMS = {"volunteers": 300, "posts": 80, "likes": 600, "votes": 200, "orders": 20}


def test_county_is_deterministic_and_feeds_the_batch_calls() -> None:
    a = zhiyuan.county(7, "small", PARAMS)
    b = zhiyuan.county(7, "small", PARAMS)
    assert a.hash == b.hash and a.params["seed"] == 7 and a.params["volunteers"] == 300
    assert zhiyuan.county(8, "small", PARAMS).hash != a.hash
    assert pa.table(a.records()).equals(pa.table(b.records()))
    assert a.overview()["volunteers"] == 300 == a.volunteers().num_rows
    assert a.posts().num_rows == 80 and a.likes().num_rows == a.overview()["likes"]
    policy = zhiyuan.Policy()
    boards = zhiyuan.weekly_leaderboard(
        policy, a.posts(), a.likes(), a.registrations(), 3
    )
    assert boards and all(len(w.posts) <= 3 for w in boards)
    ledger = zhiyuan.HoursLedger(policy, a.tree())
    # The county plants overlapping records; a table submit is all-or-nothing.
    with pytest.raises(zhiyuan.ConflictError, match=r"^records\[\d+\]: record \d+: overlaps"):
        ledger.submit_table(a.records())
    assert len(ledger) == 0
    assert set(pa.table(a.volunteers()).column("cohort").to_pylist()) >= {"regular"}


def test_county_errors() -> None:
    with pytest.raises(zhiyuan.ValidationError, match=r'^scale: "huge" is not one of'):
        zhiyuan.county(1, "huge")  # type: ignore[arg-type]
    with pytest.raises(zhiyuan.ValidationError) as info:
        zhiyuan.county(1, "small", {"nonsense": 1})
    assert (info.value.field or "").startswith("params")
