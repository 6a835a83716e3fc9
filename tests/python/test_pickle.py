"""Every class of the module pickles and deep-copies through the core's saved
forms (so Dask and multiprocessing can ship them), and a pickled handle
behaves like the original on later calls. Replay rules are tested in core."""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import pickle
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zhiyuan
from zhiyuan import _zhiyuan

UTC = dt.UTC
T0 = dt.datetime(2024, 3, 4, 1, tzinfo=UTC)  # Monday 09:00 in Beijing


def round_trips(obj: Any) -> list[Any]:
    """The object back from pickle (every protocol) and from deepcopy."""
    out = [pickle.loads(pickle.dumps(obj, protocol=p)) for p in (2, pickle.HIGHEST_PROTOCOL)]
    out.append(copy.deepcopy(obj))
    for back in out:
        assert type(back) is type(obj) and back is not obj
    return out


def test_every_class_defines_its_pickle_form() -> None:
    classes = [
        c
        for _, c in inspect.getmembers(_zhiyuan, inspect.isclass)
        if not issubclass(c, BaseException)
    ]
    assert len(classes) > 40
    missing = [c.__name__ for c in classes if "__reduce__" not in vars(c)]
    assert missing == []


def test_policy_period_and_unit_tree(policy: zhiyuan.Policy, tree: zhiyuan.UnitTree) -> None:
    custom = zhiyuan.Policy.from_toml("[likes]\nauthor_cap = 2\n")
    for p in (policy, custom):
        for back in round_trips(p):
            assert back.hash == p.hash and back.to_toml() == p.to_toml()
    week = zhiyuan.Period.parse("2024-W10")
    assert all(back == week for back in round_trips(week))
    for back in round_trips(tree):
        assert back.units == tree.units and back.teams == tree.teams


def test_hours_ledger(policy: zhiyuan.Policy, tree: zhiyuan.UnitTree) -> None:
    ledger = zhiyuan.HoursLedger(policy, tree)
    ledger.submit(
        {
            "id": 1,
            "volunteer": 42,
            "unit": 100,
            "activity": 1,
            "start": T0,
            "end": T0 + dt.timedelta(hours=2),
            "kind": "service",
            "recorded_by": 9,
            "recorded_at": T0 + dt.timedelta(hours=2),
        }
    )
    for back in round_trips(ledger):
        assert back.snapshot() == ledger.snapshot()
        back.approve(1, 900, T0 + dt.timedelta(days=1))
        assert back.record(1).status == "approved"
    assert ledger.record(1).status == "submitted"  # copies are independent


def like(event: int, liker: int, post: int, hours: int, action: str = "like") -> dict[str, Any]:
    return {
        "id": event,
        "liker": liker,
        "post": post,
        "time": T0 + dt.timedelta(hours=hours),
        "action": action,
    }


@settings(max_examples=40, deadline=None)
@given(
    events=st.lists(
        st.tuples(
            st.integers(1, 5),
            st.sampled_from([10, 11]),
            st.integers(0, 200),
            st.sampled_from(["like", "unlike"]),
        ),
        max_size=25,
    ),
    split=st.integers(0, 25),
)
def test_like_board_and_feed_continue_identically_after_pickling(
    events: list[tuple[int, int, int, str]], split: int
) -> None:
    policy = zhiyuan.Policy()
    board = zhiyuan.LikeBoard(policy)
    feed = zhiyuan.Feed(policy)
    for v in range(1, 6):
        board.register(v, dt.datetime(2023, 1, 1, tzinfo=UTC))
        feed.register(v, dt.datetime(2023, 1, 1, tzinfo=UTC))
    for post, author in ((10, 1), (11, 2)):
        board.add_post(post, author, T0)
        feed.add_post({"id": post, "author": author, "time": T0, "topic": "助老"})
    evs = [like(i + 1, v, p, h, a) for i, (v, p, h, a) in enumerate(events)]
    for e in evs[:split]:
        board.apply(e)
        feed.like(e)
    b2 = pickle.loads(pickle.dumps(board))
    f2 = copy.deepcopy(feed)
    for e in evs[split:]:
        for b in (board, b2):
            b.apply(e)
        for f in (feed, f2):
            f.like(e)
    assert b2.snapshot() == board.snapshot()
    assert b2.verdicts() == board.verdicts()
    assert f2.snapshot() == feed.snapshot()
    assert f2.likes().verdicts() == feed.likes().verdicts() == board.verdicts()
    for week in board.weeks():
        assert b2.board(week, 3) == board.board(week, 3)


def test_tampered_snapshot_raises_naming_the_field() -> None:
    board = zhiyuan.LikeBoard(zhiyuan.Policy())
    board.register(1, T0)
    snap = board.snapshot().replace('"volunteer":[1]', '"volunteer":[1,2]')
    with pytest.raises(zhiyuan.ValidationError, match=r"^snapshot\.state\.registrations\."):
        zhiyuan.LikeBoard.restore(snap)
    with pytest.raises(zhiyuan.ValidationError, match=r"^snapshot\.format: "):
        zhiyuan.Feed.restore(board.snapshot())


def test_order_book(policy: zhiyuan.Policy, tree: zhiyuan.UnitTree) -> None:
    book = zhiyuan.OrderBook(policy, tree)
    book.place(
        {
            "id": 5,
            "requester": 105,
            "category": "medical_fitness",
            "unit": 100,
            "description_len": 20,
            "at": T0,
        }
    )
    book.apply({"order": 5, "actor": 9, "at": T0, "action": "start_review"})
    for back in round_trips(book):
        assert back.snapshot() == book.snapshot()
        assert back.events_of(5) == book.events_of(5)
        dispatch = {"order": 5, "actor": 9, "at": T0, "action": "dispatch", "to": {"team": 7}}
        assert back.apply(dispatch).state == "dispatched"
    assert book.order(5).state == "under_review"


@settings(max_examples=40, deadline=None)
@given(
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("sync"), st.integers(0, 3000)),
            st.tuples(st.just("redeem"), st.integers(1, 200)),
            st.tuples(st.just("expire"), st.just(0)),
        ),
        max_size=20,
    )
)
def test_points_ledger_pickles_to_the_same_history(steps: list[tuple[str, int]]) -> None:
    policy = zhiyuan.Policy.from_toml("[points]\nexpiry = { fifo_years = 1 }\n")
    points = zhiyuan.PointsLedger(policy)
    at = T0
    for i, (op, n) in enumerate(steps):
        at += dt.timedelta(days=60)
        if op == "sync":
            points.sync_hours(7, n, at)
        elif op == "expire":
            points.expire(7, at)
        else:
            order = {"order_code": f"o{i}", "volunteer": 7, "merchant": "m", "points": n, "at": at}
            try:
                points.redeem(order)
            except zhiyuan.StateError:
                pass
    for back in round_trips(points):
        assert back.snapshot() == points.snapshot()
        assert back.account(7) == points.account(7)
        assert back.entries(7) == points.entries(7)


def test_honours_perks_and_certificates(policy: zhiyuan.Policy) -> None:
    honours = zhiyuan.HonoursRegistry()
    honours.grant(7, "monthly_star", "2024-03", 900, "2024-04-01")
    for back in round_trips(honours):
        assert back.of(7) == honours.of(7)
        assert back.snapshot() == honours.snapshot()

    perk_policy = zhiyuan.Policy.from_toml(
        "[[perks.catalogue]]\n"
        'id = "bus"\nmerchant = "county_bus"\ntitle = "bus card"\n'
        'when = { fact = "star_level", op = ">=", value = 0 }\n'
    )
    desk = zhiyuan.PerkDesk(perk_policy)
    facts = {"cumulative_minutes": 0, "star_level": 0}
    desk.claim({"claim_code": "c1", "volunteer": 7, "perk": "bus", "at": T0}, facts)
    for back in round_trips(desk):
        assert back.snapshot() == desk.snapshot()
        # The per-year limit of one carried over: a second claim is refused.
        with pytest.raises(zhiyuan.StateError):
            back.claim({"claim_code": "c2", "volunteer": 7, "perk": "bus", "at": T0}, facts)

    key = zhiyuan.CertificateKey("k1", b"s3cret-s3cret-s3cret")
    registry = zhiyuan.CertificateRegistry(policy, "PZ")
    request = {
        "volunteer": 7,
        "volunteer_name": "张三",
        "minutes": 600,
        "content": "社区服务",
        "recording_unit": 1,
        "recording_unit_name": "中心",
        "period_from": "2024-01-01",
        "period_to": "2024-05-31",
        "issuer": 9,
    }
    cert = registry.issue(request, key, T0)
    for back_key in round_trips(key):
        assert back_key.id == key.id
        assert zhiyuan.verify_certificate(cert, back_key)
    for back in round_trips(registry):
        assert back.check(cert.serial, cert.verification_code).valid
        assert back.issue(request, key, T0).serial == "PZ-2024-00000002"


def test_arrow_tables_and_columns() -> None:
    table = zhiyuan.ArrowTable.from_arrow(
        pa.table(
            {
                "volunteer": pa.array([1, 2], pa.uint64()),
                "at": pa.array([T0, T0], pa.timestamp("us", "+08:00")),
            }
        ).replace_schema_metadata({"policy_hash": "abc"})
    )
    for back in round_trips(table):
        assert back.to_pyarrow().equals(table.to_pyarrow())
        assert back.metadata == {"policy_hash": "abc"}
    col = table.column("at")
    for back_col in round_trips(col):
        assert back_col.name == "at" and back_col.to_pylist() == col.to_pylist()
    chunked = pa.concat_tables([table.to_pyarrow(), table.to_pyarrow()])
    assert zhiyuan.ArrowTable.from_arrow(chunked).num_rows == 4
    with pytest.raises(zhiyuan.ValidationError, match=r"^data"):
        zhiyuan.ArrowTable.from_arrow([1, 2])


def test_county_regenerates_identically() -> None:
    county = zhiyuan.county(seed=3, params={"volunteers": 200})
    for back in round_trips(county):
        assert back.hash == county.hash and back.params == county.params


def test_value_objects_from_a_real_run(policy: zhiyuan.Policy) -> None:
    decision = zhiyuan.credit_decision(policy, {"cumulative_minutes": 6000, "star_level": 1}, T0)
    for back in round_trips(decision):
        assert back == decision
