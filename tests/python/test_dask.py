"""Scale-out on Dask: tasks over 4+ partitions on a two-worker LocalCluster
equal the single-process result exactly, with the handles (Policy,
UnitTree) shipped to the workers by pickle. Small data: seconds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

import zhiyuan

distributed = pytest.importorskip("distributed")

import dask_recipes as r  # noqa: E402  (after the importorskip)

AS_OF = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
PARTS = 4


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    # Processes, not threads: every argument really crosses a pickle
    # boundary. No dashboard and port 0: nothing fixed to collide with.
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_port=0,
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def county() -> zhiyuan.County:
    return zhiyuan.county(seed=7, params={"volunteers": 400})


def test_handles_arrive_intact(client: Any, county: zhiyuan.County) -> None:
    policy = zhiyuan.Policy.from_toml("[likes]\nauthor_cap = 2\n")
    tree = county.tree()
    got = client.submit(r.handle_summary, policy, tree).result()
    assert got == (policy.hash, [u.id for u in tree.units])


def test_d_weekly_boards_by_liker_partition(client: Any, county: zhiyuan.County) -> None:
    # A liker cap makes partitioning by anything but the liker inexact.
    policy = zhiyuan.Policy.from_toml("[likes]\nliker_weekly_cap = 3\n")
    posts, likes, regs = (
        pa.table(t) for t in (county.posts(), county.likes(), county.registrations())
    )
    assert likes.num_rows > 1000
    want = zhiyuan.weekly_leaderboard(policy, posts, likes, regs, k=10)
    assert want and any(b.posts for b in want)
    parts = r.split_by(likes, "liker", PARTS)
    assert all(p.num_rows > 0 for p in parts)
    [posts_f, regs_f] = client.scatter([posts, regs], broadcast=True)
    partials = client.map(
        r.like_partial, [policy] * PARTS, parts, posts=posts_f, registrations=regs_f, pure=False
    )
    got = client.submit(r.like_boards, partials, 10).result()
    assert got == want
    assert [b.to_dict() for b in got] == [b.to_dict() for b in want]


def facts_table(n: int) -> pa.Table:
    """``n`` volunteers spread over every tier and status."""
    ids = list(range(1, n + 1))
    return pa.table(
        {
            "volunteer": ids,
            "cumulative_minutes": [(i * 7919) % 150_000 for i in ids],
            "minutes_last_12_months": [(i * 31) % 3000 for i in ids],
            "minutes_this_year": [(i * 17) % 2000 for i in ids],
            "months_registered": [i % 60 for i in ids],
            "age": [18 + i % 60 for i in ids],
            "star_level": [i % 6 for i in ids],
            "monthly_star_honours": [i % 3 for i in ids],
            "annual_excellent_honours": [i % 2 for i in ids],
            "honours": [i % 4 for i in ids],
            "fraud_revocations": [int(i % 13 == 0) for i in ids],
            "sanctions": [int(i % 17 == 0) for i in ids],
            "average_rating_centi": [(i * 37) % 501 for i in ids],
            "rating_count": [i % 9 for i in ids],
            "active": [i % 5 != 0 for i in ids],
            "status": [["active", "suspended", "active"][i % 3] for i in ids],
        }
    )


def test_e_credit_decisions_concatenate(client: Any, policy: zhiyuan.Policy) -> None:
    facts = facts_table(1000)
    want = zhiyuan.credit_decisions(policy, facts, AS_OF).to_pyarrow()
    assert len(set(want.column("tier").to_pylist())) > 2
    parts = r.split_rows(facts, PARTS + 1)
    # pure=False: Dask's token for a pyarrow slice ignores its offset, so
    # equal-length slices of one table would share a key (and one result).
    futures = client.map(r.credit_partition, [policy] * len(parts), parts, as_of=AS_OF, pure=False)
    got = client.submit(r.concat, futures).result()
    assert got.equals(want, check_metadata=True)


def records_with_status(county: zhiyuan.County) -> pa.Table:
    """The county's records with a status column (3 in 4 approved)."""
    records = pa.table(county.records())
    statuses = ["approved", "approved", "submitted", "approved"]
    status = [statuses[i % 4] for i in range(records.num_rows)]
    return records.append_column("status", pa.array(status))


def test_a_hours_by_period_merge(
    client: Any, county: zhiyuan.County, policy: zhiyuan.Policy
) -> None:
    records = records_with_status(county)
    assert records.num_rows > 1000
    parts = r.split_rows(records, PARTS)
    for grain in ("week", "month"):
        want = zhiyuan.hours_by_period(policy, records, grain=grain).to_pyarrow()
        futures = client.map(r.hours_partial, [policy] * PARTS, parts, grain=grain, pure=False)
        got = client.submit(r.hours_merge, futures).result()
        assert got.num_rows > PARTS
        assert got.equals(want)


def test_b_unit_minutes_merge(client: Any, county: zhiyuan.County, policy: zhiyuan.Policy) -> None:
    records = records_with_status(county)
    tree = county.tree()
    want = zhiyuan.unit_minutes(policy, tree, records).to_pyarrow()
    # A shuffled-looking partition (by volunteer) is as exact as slices.
    parts = r.split_by(records, "volunteer", PARTS)
    futures = client.map(r.units_partial, [policy] * PARTS, [tree] * PARTS, parts, pure=False)
    got = client.submit(r.units_merge, tree, futures).result()
    assert got.equals(want)
    assert sum(got.column("own_minutes").to_pylist()) > 0
