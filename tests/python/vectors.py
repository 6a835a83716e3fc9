"""Golden-vector runner: replays ``tests/vectors/<capability>/*.json`` through the
Python API, the same files the Rust runner (``core/tests/vectors.rs``) checks.

A scenario is ``{"description", "policy", "steps": [{"op", "input", "output" |
"error"}]}``. Each ``op`` maps to one registered Python function taking the
scenario's :class:`State` and the step's ``input`` dict; its result is turned
into the wire form (``to_dict()``, lists, plain values) and compared with
``output`` as JSON values. An expected ``error`` is compared by ``kind`` (the
core's ``ErrorKind`` name, carried as ``exc.kind``) and by the full message
(``str(exc)``).

Registering a new capability is one function per op::

    @op("ledger.submit")
    def _(s: State, i: dict[str, Any]) -> Any:
        return s.ledger().submit(i["record"])

and one name in :data:`BOUND`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

import zhiyuan

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"

#: Capabilities (directories under tests/vectors) whose ops are bound here.
BOUND: list[str] = [
    "hours",
    "apportion",
    "monthly_stars",
    "annual",
    "facts",
    "credit",
    "points",
    "perks",
    "certificates",
    "leaderboard",
    "hours_table",
    "orders",
    "dispatch",
]

Op = Callable[["State", dict[str, Any]], Any]
OPS: dict[str, Op] = {}


def op(name: str) -> Callable[[Op], Op]:
    """Registers the Python call for vector op ``name``."""

    def register(f: Op) -> Op:
        if name in OPS:
            raise ValueError(f"op {name!r} registered twice")
        OPS[name] = f
        return f

    return register


@dataclass
class State:
    """What one scenario's steps share: its policy and the objects built from it."""

    policy: zhiyuan.Policy
    objects: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, make: Callable[[], Any]) -> Any:
        """The scenario's object ``key`` (e.g. its ledger), made on first use."""
        if key not in self.objects:
            self.objects[key] = make()
        return self.objects[key]


@dataclass
class Scenario:
    file: str
    description: str
    policy: zhiyuan.Policy
    steps: list[dict[str, Any]]


def files(capability: str) -> list[Path]:
    """The capability's vector files, sorted by name (empty if none yet)."""
    d = VECTORS / capability
    return sorted(d.glob("*.json")) if d.is_dir() else []


def load(path: Path) -> Scenario:
    raw = json.loads(path.read_text(encoding="utf-8"))
    p = raw.get("policy")
    policy = zhiyuan.Policy() if p is None else zhiyuan.Policy.from_dict(p)
    return Scenario(path.name, raw.get("description", ""), policy, raw.get("steps", []))


def wire(value: Any) -> Any:
    """A result in the golden-vector wire form (the core's serde form)."""
    if isinstance(value, zhiyuan.Period):
        value = str(value)
    elif hasattr(value, "to_dict"):
        value = value.to_dict()
    elif isinstance(value, list | tuple):
        value = [wire(v) for v in value]
    elif isinstance(value, dict):
        value = {str(k): wire(v) for k, v in value.items()}
    return json.loads(json.dumps(value))


def mask(value: Any, digest: str) -> Any:
    """``value`` with every string equal to the policy hash written ``$policy_hash``,
    as core/tests/vectors.rs compares it (decisions carry the hash, which
    changes with any section's defaults)."""
    if value == digest:
        return "$policy_hash"
    if isinstance(value, list):
        return [mask(v, digest) for v in value]
    if isinstance(value, dict):
        return {k: mask(v, digest) for k, v in value.items()}
    return value


def unmask(value: Any, digest: str) -> Any:
    """The inverse of :func:`mask`, for inputs that carry a decision's hash."""
    if value == "$policy_hash":
        return digest
    if isinstance(value, list):
        return [unmask(v, digest) for v in value]
    if isinstance(value, dict):
        return {k: unmask(v, digest) for k, v in value.items()}
    return value


def run(s: Scenario) -> int:
    """Runs every step of ``s``; raises AssertionError at the first mismatch."""
    state = State(s.policy)
    for i, step in enumerate(s.steps):
        name = step.get("op")
        at = f"{s.file} step {i} ({name})"
        f = OPS.get(name or "")
        assert f is not None, f"{at}: op has no Python binding; register it in vectors.py"
        assert ("output" in step) != ("error" in step), (
            f"{at}: a step has exactly one of output and error"
        )
        want_out, want_err = step.get("output"), step.get("error")
        given = unmask(step.get("input") or {}, s.policy.hash)
        try:
            got = mask(wire(f(state, given)), s.policy.hash)
        except zhiyuan.ZhiyuanError as e:
            assert want_err is not None, f"{at}: unexpected error {e.kind}: {e}"
            assert e.kind == want_err["kind"], f"{at}: kind {e.kind} != {want_err['kind']}: {e}"
            message = str(e).replace(s.policy.hash, "$policy_hash")
            assert message == want_err["message"], f"{at}: message differs: {message}"
            continue
        assert want_err is None, f"{at}: expected error {want_err}, got {got}"
        assert got == want_out, f"{at}: output differs\n got: {got}\nwant: {want_out}"
    return len(s.steps)


# ---------------------------------------------------------------- hours (the ledger)
# One op per public call, as in core/tests/vectors_hours.rs.


def _ledger(s: State) -> zhiyuan.HoursLedger:
    ledger = s.objects.get("ledger")
    assert ledger is not None, "the scenario must start with ledger.new"
    return ledger  # type: ignore[no-any-return]


@op("ledger.new")
def _new(s: State, i: dict[str, Any]) -> Any:
    s.objects["ledger"] = zhiyuan.HoursLedger(
        s.policy, zhiyuan.UnitTree(i["units"], i.get("teams", []))
    )


@op("ledger.submit")
def _submit(s: State, i: dict[str, Any]) -> Any:
    return _ledger(s).submit(i)


@op("ledger.submit_batch")
def _submit_batch(s: State, i: dict[str, Any]) -> Any:
    return _ledger(s).submit_batch(i["records"])


@op("ledger.approve")
def _approve(s: State, i: dict[str, Any]) -> Any:
    _ledger(s).approve(i["id"], i["by"], i["at"], i.get("late_ok", False))


@op("ledger.reject")
def _reject(s: State, i: dict[str, Any]) -> Any:
    _ledger(s).reject(i["id"], i["by"], i["at"], i["reason"])


@op("ledger.revoke")
def _revoke(s: State, i: dict[str, Any]) -> Any:
    _ledger(s).revoke(i["id"], i["reason"], i["by"], i["at"], i.get("note", ""))


@op("ledger.amend")
def _amend(s: State, i: dict[str, Any]) -> Any:
    return _ledger(s).amend(i["old"], i["record"], i["reason"], i["by"], i["at"])


@op("ledger.record")
def _record(s: State, i: dict[str, Any]) -> Any:
    return _ledger(s).record(i["id"])


@op("ledger.history")
def _history(s: State, i: dict[str, Any]) -> Any:
    return _ledger(s).history(i["id"])


@op("ledger.approved_minutes")
def _approved_minutes(s: State, i: dict[str, Any]) -> Any:
    return _ledger(s).approved_minutes(i["volunteer"], i["as_of"])


@op("ledger.star_level")
def _star_level(s: State, i: dict[str, Any]) -> Any:
    return _ledger(s).star_level(i["volunteer"], i["as_of"])


@op("ledger.totals")
def _totals(s: State, i: dict[str, Any]) -> Any:
    return _ledger(s).totals(i["scope"], i["grain"], i["as_of"])


@op("ledger.totals_by")
def _totals_by(s: State, i: dict[str, Any]) -> Any:
    return _ledger(s).totals_by(i["group"], i["grain"], i["as_of"])


# ---------------------------------------------------------------- apportion


@op("apportion")
def _apportion(s: State, i: dict[str, Any]) -> Any:
    return zhiyuan.apportion(i["districts"], i["total"], i.get("method", "sainte_lague"))


# ---------------------------------------------------------------- monthly_stars, annual
# As in core/tests/vectors_selection.rs, an output's policy_hash is written
# "$policy_hash" (checked to be the scenario policy's own first).


def _hash_placeholder(s: State, result: Any) -> Any:
    out = wire(result)
    if isinstance(out, dict) and "policy_hash" in out:
        assert out["policy_hash"] == s.policy.hash, "policy_hash is the policy's"
    return out


@op("monthly_stars")
def _monthly_stars(s: State, i: dict[str, Any]) -> Any:
    return _hash_placeholder(s, zhiyuan.monthly_stars(s.policy, i))


@op("monthly.count_votes")
def _count_votes(s: State, i: dict[str, Any]) -> Any:
    return _hash_placeholder(s, zhiyuan.count_votes(s.policy, i))


@op("annual_selection")
def _annual_selection(s: State, i: dict[str, Any]) -> Any:
    return _hash_placeholder(s, zhiyuan.annual_selection(s.policy, i))


@op("policy.from_json")
def _policy_from_json(s: State, i: dict[str, Any]) -> Any:
    p = zhiyuan.Policy.from_dict(i)
    return {"monthly_stars": p.section("monthly_stars"), "annual": p.section("annual")}


# ---------------------------------------------------------------- facts, credit (文明贷)
# As in core/tests/vectors_rewards.rs.


@op("policy.load")
def _policy_load(s: State, i: dict[str, Any]) -> Any:
    zhiyuan.Policy.from_dict(i["policy"])


def _honours(s: State) -> zhiyuan.HonoursRegistry:
    return s.get("honours", zhiyuan.HonoursRegistry)  # type: ignore[no-any-return]


@op("honours.grant")
def _honours_grant(s: State, i: dict[str, Any]) -> Any:
    return _honours(s).grant(
        i["volunteer"], i["kind"], i["period"], i["grantor"], i["granted_on"]
    )


@op("honours.record_winners")
def _honours_record_winners(s: State, i: dict[str, Any]) -> Any:
    return _honours(s).record_winners(
        i["kind"], i["period"], i["winners"], i["grantor"], i["granted_on"]
    )


@op("honours.revoke")
def _honours_revoke(s: State, i: dict[str, Any]) -> Any:
    _honours(s).revoke(i["volunteer"], i["kind"], i["period"], i["by"], i["at"], i["reason"])


@op("honours.of")
def _honours_of(s: State, i: dict[str, Any]) -> Any:
    return _honours(s).of(i["volunteer"])


@op("facts.derive")
def _facts_derive(s: State, i: dict[str, Any]) -> Any:
    return zhiyuan.derive_facts(s.policy, i["profile"], i.get("inputs"), as_of=i["as_of"])


@op("credit.decide")
def _credit_decide(s: State, i: dict[str, Any]) -> Any:
    return zhiyuan.credit_decision(s.policy, i["facts"], i["as_of"])


@op("credit.decide_batch")
def _credit_decide_batch(s: State, i: dict[str, Any]) -> Any:
    # Columns as Arrow arrays under their names: unequal lengths reach core.
    columns = {name: pa.array(values) for name, values in i["columns"].items()}
    with_reasons = i.get("with_reasons", False)
    table = zhiyuan.credit_decisions(s.policy, columns, i["as_of"], with_reasons=with_reasons)
    out = table.to_pydict()
    reasons = out.pop("reasons", None)
    return {
        **out,
        "reasons": None if reasons is None else [json.loads(r) for r in reasons],
        "policy_hash": table.metadata["policy_hash"],
        "as_of": table.metadata["as_of"],
    }


# ---------------------------------------------------------------- leaderboard (文明秀 likes)
# As in core/tests/vectors_boards.rs; the batch ops get typed Arrow columns.


def _feed(s: State) -> zhiyuan.Feed:
    return s.get("feed", lambda: zhiyuan.Feed(s.policy))  # type: ignore[no-any-return]


@op("feed.register")
def _feed_register(s: State, i: dict[str, Any]) -> Any:
    _feed(s).register(i["volunteer"], i["registered_at"])


@op("feed.add_post")
def _feed_add_post(s: State, i: dict[str, Any]) -> Any:
    _feed(s).add_post(i)


@op("feed.like")
def _feed_like(s: State, i: dict[str, Any]) -> Any:
    _feed(s).like(i)


@op("feed.add_comment")
def _feed_add_comment(s: State, i: dict[str, Any]) -> Any:
    _feed(s).add_comment(i)


@op("feed.comments")
def _feed_comments(s: State, i: dict[str, Any]) -> Any:
    return _feed(s).comments(i["post"])


@op("feed.topic")
def _feed_topic(s: State, i: dict[str, Any]) -> Any:
    return _feed(s).topic(i["topic"])


@op("feed.topics")
def _feed_topics(s: State, i: dict[str, Any]) -> Any:
    return _feed(s).topics()


@op("feed.weeks")
def _feed_weeks(s: State, i: dict[str, Any]) -> Any:
    return _feed(s).likes().weeks()


@op("feed.board")
def _feed_board(s: State, i: dict[str, Any]) -> Any:
    return _feed(s).likes().board(i["week"], i["k"])


@op("feed.exhibition")
def _feed_exhibition(s: State, i: dict[str, Any]) -> Any:
    return _feed(s).likes().exhibition(i["month"], i["n"])


@op("feed.verdicts")
def _feed_verdicts(s: State, i: dict[str, Any]) -> Any:
    return _feed(s).likes().verdicts()


@op("feed.partial")
def _feed_partial(s: State, i: dict[str, Any]) -> Any:
    return _feed(s).likes().partial()


ID = pa.uint64()
TS = pa.timestamp("us", tz="UTC")
COLUMN_TYPES: dict[str, pa.DataType] = {
    "time": TS,
    "registered_at": TS,
    "action": pa.string(),
}


def arrow_columns(cols: dict[str, list[Any]]) -> dict[str, pa.Array]:
    """A vector's column dict as typed Arrow arrays (lengths kept as written)."""
    out = {}
    for name, values in cols.items():
        t = COLUMN_TYPES.get(name, ID)
        if t == TS:
            values = [dt.datetime.fromisoformat(v) for v in values]
        out[name] = pa.array(values, t)
    return out


def _tables(i: dict[str, Any]) -> tuple[Any, Any, Any]:
    return (
        arrow_columns(i["posts"]),
        arrow_columns(i["likes"]),
        arrow_columns(i["registrations"]),
    )


@op("batch.weekly_boards")
def _weekly_boards(s: State, i: dict[str, Any]) -> Any:
    return zhiyuan.weekly_leaderboard(s.policy, *_tables(i), k=i.get("k", 0))


@op("batch.like_batch")
def _like_batch(s: State, i: dict[str, Any]) -> Any:
    options = i.get("options") or {}
    partial, verdicts = zhiyuan.like_batch(s.policy, *_tables(i), **options)
    if verdicts is None:
        return {"partial": partial, "verdicts": None}
    d = verdicts.to_pydict()
    rows = [dict(zip(d, row, strict=True)) for row in zip(*d.values(), strict=True)]
    return {"partial": partial, "verdicts": rows}


@op("partial.merge")
def _partial_merge(s: State, i: dict[str, Any]) -> Any:
    return zhiyuan.merge_partials([zhiyuan.LikePartial.from_dict(p) for p in i["partials"]])


@op("partial.boards")
def _partial_boards(s: State, i: dict[str, Any]) -> Any:
    return zhiyuan.partial_boards(zhiyuan.LikePartial.from_dict(i["partial"]), i.get("k", 0))


@op("partial.exhibition")
def _partial_exhibition(s: State, i: dict[str, Any]) -> Any:
    p = zhiyuan.LikePartial.from_dict(i["partial"])
    return zhiyuan.partial_exhibition(p, i["month"], i.get("n", 0))


# ---------------------------------------------------------------- orders, dispatch
# As in core/tests/vectors_orders.rs: an OrderBook and an HoursLedger on one tree.


def _book(s: State) -> zhiyuan.OrderBook:
    book = s.objects.get("book")
    assert book is not None, "the scenario must start with orders.new"
    return book  # type: ignore[no-any-return]


@op("orders.new")
def _orders_new(s: State, i: dict[str, Any]) -> Any:
    tree = zhiyuan.UnitTree(i["units"], i.get("teams", []))
    s.objects["book"] = zhiyuan.OrderBook(s.policy, tree)
    s.objects["ledger"] = zhiyuan.HoursLedger(s.policy, tree)


@op("orders.place")
def _orders_place(s: State, i: dict[str, Any]) -> Any:
    return _book(s).place(i)


@op("orders.apply")
def _orders_apply(s: State, i: dict[str, Any]) -> Any:
    return _book(s).apply(i)


@op("orders.fulfil")
def _orders_fulfil(s: State, i: dict[str, Any]) -> Any:
    return _book(s).fulfil(_ledger(s), i)


@op("orders.order")
def _orders_order(s: State, i: dict[str, Any]) -> Any:
    return _book(s).order(i["id"])


@op("orders.events_of")
def _orders_events_of(s: State, i: dict[str, Any]) -> Any:
    return _book(s).events_of(i["id"])


@op("orders.order_of_record")
def _orders_order_of_record(s: State, i: dict[str, Any]) -> Any:
    return _book(s).order_of_record(i["record"])


@op("orders.overdue")
def _orders_overdue(s: State, i: dict[str, Any]) -> Any:
    return _book(s).overdue(i["now"])


@op("orders.sweep")
def _orders_sweep(s: State, i: dict[str, Any]) -> Any:
    return _book(s).sweep(i["actor"], i["now"])


@op("orders.metrics")
def _orders_metrics(s: State, i: dict[str, Any]) -> Any:
    return _book(s).metrics(i["unit"], i["period"])


@op("orders.service_list")
def _orders_service_list(s: State, i: dict[str, Any]) -> Any:
    return _book(s).service_list(i["from"], i["to"], i.get("within"))


@op("dispatch.rank")
def _dispatch_rank(s: State, i: dict[str, Any]) -> Any:
    return zhiyuan.dispatch_candidates(
        s.policy, i["candidates"], i["query"], i["now"], i.get("limit")
    )


@op("dispatch.distance_m")
def _dispatch_distance_m(s: State, i: dict[str, Any]) -> Any:
    return zhiyuan.distance_m(i["a"], i["b"])


# ---------------------------------------------------------------- points, perks, certificates
# As in core/tests/vectors_rewards.rs: one honours registry, points ledger,
# perk desk and certificate registry (serial prefix PZ) per scenario.


def _points(s: State) -> zhiyuan.PointsLedger:
    return s.get("points", lambda: zhiyuan.PointsLedger(s.policy))  # type: ignore[no-any-return]


def _desk(s: State) -> zhiyuan.PerkDesk:
    return s.get("perks", lambda: zhiyuan.PerkDesk(s.policy))  # type: ignore[no-any-return]


def _certificates(s: State) -> zhiyuan.CertificateRegistry:
    return s.get(  # type: ignore[no-any-return]
        "certificates", lambda: zhiyuan.CertificateRegistry(s.policy, "PZ")
    )


def _key(k: dict[str, Any]) -> zhiyuan.CertificateKey:
    return zhiyuan.CertificateKey(k["id"], k["secret"])


@op("points.sync_hours")
def _points_sync_hours(s: State, i: dict[str, Any]) -> Any:
    return _points(s).sync_hours(i["volunteer"], i["approved_minutes"], i["at"])


@op("points.sync_honours")
def _points_sync_honours(s: State, i: dict[str, Any]) -> Any:
    honours = _honours(s).of(i["volunteer"])
    return _points(s).sync_honours(i["volunteer"], honours, i["at"])


@op("points.redeem")
def _points_redeem(s: State, i: dict[str, Any]) -> Any:
    return _points(s).redeem(i)


@op("points.expire")
def _points_expire(s: State, i: dict[str, Any]) -> Any:
    return _points(s).expire(i["volunteer"], i["at"])


@op("points.account")
def _points_account(s: State, i: dict[str, Any]) -> Any:
    return _points(s).account(i["volunteer"])


@op("points.entries")
def _points_entries(s: State, i: dict[str, Any]) -> Any:
    return _points(s).entries(i["volunteer"])


@op("perks.eligible")
def _perks_eligible(s: State, i: dict[str, Any]) -> Any:
    account = _points(s).account(i["volunteer"]) if i.get("with_points") else None
    return _desk(s).eligible_perks(i["volunteer"], i["facts"], i["at"], account)


@op("perks.claim")
def _perks_claim(s: State, i: dict[str, Any]) -> Any:
    points = _points(s) if i.get("with_points") else None
    return _desk(s).claim(i["claim"], i["facts"], points)


@op("certificates.issue")
def _certificates_issue(s: State, i: dict[str, Any]) -> Any:
    return _certificates(s).issue(i["request"], _key(i["key"]), i["at"])


@op("certificates.verify")
def _certificates_verify(s: State, i: dict[str, Any]) -> Any:
    return zhiyuan.verify_certificate(i["certificate"], _key(i["key"]))


@op("certificates.verify_json")
def _certificates_verify_json(s: State, i: dict[str, Any]) -> Any:
    return zhiyuan.verify_certificate_json(i["text"], _key(i["key"]))


@op("certificates.revoke")
def _certificates_revoke(s: State, i: dict[str, Any]) -> Any:
    _certificates(s).revoke(i["serial"], i["by"], i["at"], i["reason"])


@op("certificates.check")
def _certificates_check(s: State, i: dict[str, Any]) -> Any:
    return _certificates(s).check(i["serial"], i["code"])


# ---------------------------------------------------------------- hours_table
# Batch kernels over record columns, as in core/tests/vectors_hours_table.rs.

HOURS_TABLE_TYPES: dict[str, pa.DataType] = {
    "start": TS,
    "end": TS,
    "period_start": TS,
    "status": pa.string(),
    "kind": pa.string(),
    "minutes": pa.int64(),
    "own_minutes": pa.int64(),
    "total_minutes": pa.int64(),
}


def record_columns(cols: dict[str, list[Any]]) -> dict[str, pa.Array]:
    """A vector's record (or partial) table as typed Arrow columns; lengths as
    written, so the core names a short column."""
    out = {}
    for name, values in cols.items():
        t = HOURS_TABLE_TYPES.get(name, ID)
        if t == TS:
            values = [dt.datetime.fromisoformat(v) for v in values]
        out[name] = pa.array(values, t)
    return out


def table_wire(table: zhiyuan.ArrowTable) -> dict[str, list[Any]]:
    """An output table in the wire form: columns of values, instants as RFC 3339 UTC."""
    out: dict[str, list[Any]] = {}
    for name, values in table.to_pydict().items():
        out[name] = [
            v.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if isinstance(v, dt.datetime) else v
            for v in values
        ]
    return out


def _units(i: dict[str, Any]) -> zhiyuan.UnitTree:
    return zhiyuan.UnitTree(i["units"], [])


@op("hours_by_period")
def _hours_by_period(s: State, i: dict[str, Any]) -> Any:
    records = record_columns(i["records"])
    grain = i.get("grain", "week")
    got = table_wire(zhiyuan.hours_by_period(s.policy, records, grain=grain))
    for threads in (1, 3):
        again = zhiyuan.hours_by_period(s.policy, records, grain=grain, threads=threads)
        assert table_wire(again) == got, f"{threads} threads differ"
    return got


@op("unit_minutes")
def _unit_minutes(s: State, i: dict[str, Any]) -> Any:
    records = record_columns(i["records"])
    return table_wire(zhiyuan.unit_minutes(s.policy, _units(i), records, threads=2))


@op("find_overlaps")
def _find_overlaps(s: State, i: dict[str, Any]) -> Any:
    records = record_columns(i["records"])
    got = table_wire(zhiyuan.find_overlaps(records))
    assert table_wire(zhiyuan.find_overlaps(records, threads=3)) == got
    return got


@op("merge_hours_by_period")
def _merge_hours_by_period(s: State, i: dict[str, Any]) -> Any:
    tables = [record_columns(t) for t in i["tables"]]
    return table_wire(zhiyuan.merge_hours_by_period(tables))


@op("merge_unit_minutes")
def _merge_unit_minutes(s: State, i: dict[str, Any]) -> Any:
    tables = [record_columns(t) for t in i["tables"]]
    return table_wire(zhiyuan.merge_unit_minutes(_units(i), tables))
