"""Facts and 文明贷 bindings: conversions, tables, errors (rules tested in core)."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zhiyuan

AS_OF = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
PROFILE = {
    "id": 7,
    "birth_date": "1990-05-01",
    "registered_at": "2020-01-01T00:00:00Z",
    "home_unit": 1,
    "skills": ["medical"],
}


def facts_rows() -> dict[str, list[Any]]:
    """Five volunteers around the default tiers, every fact column filled."""
    n = 6
    return {
        "volunteer": [1, 2, 3, 4, 5, 6],
        "cumulative_minutes": [5940, 6000, 42000, 90000, 120000, 30000],
        "minutes_last_12_months": [1200] * n,
        "minutes_this_year": [1200] * n,
        "months_registered": [24] * n,
        "age": [30, 30, 30, 30, 61, 30],
        "star_level": [0, 1, 3, 4, 5, 3],
        "monthly_star_honours": [0] * n,
        "annual_excellent_honours": [0] * n,
        "honours": [0] * n,
        "fraud_revocations": [0, 0, 0, 1, 0, 0],
        "sanctions": [0] * n,
        "average_rating_centi": [0] * n,
        "rating_count": [0] * n,
        "active": [True] * n,
        "status": ["active", "active", "active", "active", "active", "suspended"],
    }


def test_derive_facts_and_decision_objects(policy: zhiyuan.Policy) -> None:
    f = zhiyuan.derive_facts(policy, PROFILE, {"cumulative_minutes": 6000}, as_of=AS_OF)
    assert isinstance(f, zhiyuan.Facts)
    assert (f.age, f.star_level, f.months_registered, f.status) == (34, 1, 53, "active")
    assert zhiyuan.Facts.from_dict(f.to_dict()) == f
    assert pickle.loads(pickle.dumps(f)) == f
    assert repr(f).startswith("Facts(cumulative_minutes=6000, ")
    d = zhiyuan.credit_decision(policy, f, AS_OF)
    assert d.policy_hash == policy.hash and d.as_of == AS_OF
    assert d.eligible == (d.tier is not None) and isinstance(d.limit_fen, int)
    assert all(isinstance(c, dict) and "passed" in c for c in d.conditions)
    assert zhiyuan.CreditDecision.from_dict(d.to_dict()) == d
    assert pickle.loads(pickle.dumps(d)) == d
    # A profile object and its dict form are the same input.
    p = zhiyuan.VolunteerProfile.from_dict(PROFILE)
    assert p.birth_date == dt.date(1990, 5, 1) and p.status == "active"
    assert zhiyuan.derive_facts(policy, p, {"cumulative_minutes": 6000}, as_of=AS_OF) == f


def test_input_errors_name_the_field(policy: zhiyuan.Policy) -> None:
    with pytest.raises(zhiyuan.ValidationError) as info:
        zhiyuan.derive_facts(policy, {**PROFILE, "birth_date": "1990-13-01"}, as_of=AS_OF)
    assert info.value.field == "profile.birth_date"
    with pytest.raises(zhiyuan.ValidationError, match=r"^ratings\[0\]\.score: "):
        zhiyuan.derive_facts(
            policy, PROFILE, {"ratings": [{"at": "2024-01-01T00:00:00Z", "score": 9}]}, as_of=AS_OF
        )
    with pytest.raises(zhiyuan.ValidationError, match="naive"):
        zhiyuan.credit_decision(policy, {}, dt.datetime(2024, 6, 1))
    with pytest.raises(zhiyuan.ValidationError) as info:
        zhiyuan.credit_decision(policy, {"cumulative_hours": 1}, AS_OF)
    assert (info.value.field or "").startswith("facts")


def singles(policy: zhiyuan.Policy, rows: dict[str, list[Any]]) -> list[zhiyuan.CreditDecision]:
    n = len(rows["volunteer"])
    return [
        zhiyuan.credit_decision(
            policy, {k: v[i] for k, v in rows.items() if k != "volunteer"}, AS_OF
        )
        for i in range(n)
    ]


def test_batch_matches_single_decisions_for_every_library(policy: zhiyuan.Policy) -> None:
    rows = facts_rows()
    want = singles(policy, rows)
    inputs: list[Any] = [pa.table(rows), pl.DataFrame(rows), pd.DataFrame(rows)]
    outs = [zhiyuan.credit_decisions(policy, t, AS_OF).to_pydict() for t in inputs]
    assert outs[0] == outs[1] == outs[2]
    got = outs[0]
    assert list(got) == ["tier", "limit_fen", "rate_discount_bp", "eligible"]
    assert got["tier"] == [d.tier or 0 for d in want]
    assert got["limit_fen"] == [d.limit_fen for d in want]
    assert got["rate_discount_bp"] == [d.rate_discount_bp for d in want]
    assert got["eligible"] == [d.eligible for d in want]
    assert len(set(got["tier"])) > 2, "the rows cover several tiers"


def test_batch_reasons_and_provenance(policy: zhiyuan.Policy) -> None:
    rows = facts_rows()
    t = zhiyuan.credit_decisions(policy, pa.table(rows), AS_OF, with_reasons=True)
    assert t.metadata == {"policy_hash": policy.hash, "as_of": "2024-06-01T00:00:00Z"}
    # The provenance travels with the table through the PyCapsule interface.
    assert pa.table(t).schema.metadata == {
        b"policy_hash": policy.hash.encode(),
        b"as_of": b"2024-06-01T00:00:00Z",
    }
    reasons = [json.loads(r) for r in t.column("reasons").to_pylist()]
    assert reasons == [d.to_dict() for d in singles(policy, rows)]
    assert pl.DataFrame(t).schema["tier"] == pl.UInt32


def test_batch_column_errors_name_the_column(policy: zhiyuan.Policy) -> None:
    rows = facts_rows()
    del rows["age"]
    with pytest.raises(zhiyuan.ValidationError, match=r"^age: missing column; the table has"):
        zhiyuan.credit_decisions(policy, pa.table(rows), AS_OF)
    rows = facts_rows()
    rows["cumulative_minutes"] = [str(v) for v in rows["cumulative_minutes"]]
    with pytest.raises(zhiyuan.ValidationError, match=r"^cumulative_minutes: expected an integer"):
        zhiyuan.credit_decisions(policy, pl.DataFrame(rows), AS_OF)
    rows = facts_rows()
    rows["status"][3] = "retired"
    with pytest.raises(zhiyuan.ValidationError, match=r'^status\[3\]: "retired" is not one of'):
        zhiyuan.credit_decisions(policy, pd.DataFrame(rows), AS_OF)
    rows = facts_rows()
    rows["active"] = [1] * 6
    with pytest.raises(zhiyuan.ValidationError, match=r"^active: expected a boolean column"):
        zhiyuan.credit_decisions(policy, pa.table(rows), AS_OF)
    t = pa.table({**facts_rows(), "age": pa.array([30, None, 61, 30, 30, 30], pa.int64())})
    with pytest.raises(zhiyuan.ValidationError, match=r"^age\[1\]: null value"):
        zhiyuan.credit_decisions(policy, t, AS_OF)
    with pytest.raises(zhiyuan.ValidationError, match=r"^facts: expected an Arrow table"):
        zhiyuan.credit_decisions(policy, [1, 2], AS_OF)  # type: ignore[arg-type]


def test_batch_from_dict_of_columns(policy: zhiyuan.Policy) -> None:
    rows = facts_rows()
    cols = {k: pa.array(v) for k, v in rows.items()}
    assert (
        zhiyuan.credit_decisions(policy, cols, AS_OF).to_pydict()
        == zhiyuan.credit_decisions(policy, pa.table(rows), AS_OF).to_pydict()
    )
    cols["age"] = pa.array([30, 30])
    with pytest.raises(zhiyuan.ValidationError, match=r"^columns\.age: has 2 rows, expected 6$"):
        zhiyuan.credit_decisions(policy, cols, AS_OF)
    del cols["age"]
    with pytest.raises(zhiyuan.ValidationError, match=r"^age: missing column"):
        zhiyuan.credit_decisions(policy, cols, AS_OF)


@settings(max_examples=50, deadline=None)
@given(
    minutes=st.lists(st.integers(0, 400_000), min_size=1, max_size=30),
    chunk=st.integers(1, 7),
)
def test_batch_is_row_wise_whatever_the_chunking(minutes: list[int], chunk: int) -> None:
    policy = zhiyuan.Policy()
    n = len(minutes)
    rows = {k: (v * n)[:n] for k, v in facts_rows().items()}
    rows["cumulative_minutes"] = minutes
    whole = pa.table(rows)
    chunked = pa.Table.from_batches(whole.to_batches(max_chunksize=chunk))
    got = zhiyuan.credit_decisions(policy, chunked, AS_OF).to_pydict()
    assert got == zhiyuan.credit_decisions(policy, whole, AS_OF).to_pydict()
    assert got["tier"] == [d.tier or 0 for d in singles(policy, rows)]


def test_honours_registry() -> None:
    reg = zhiyuan.HonoursRegistry()
    assert reg.grant(7, "monthly_star", "2024-03", 1, dt.date(2024, 4, 2)) is True
    assert reg.grant(7, "monthly_star", zhiyuan.Period.parse("2024-03"), 1, "2024-04-02") is False
    with pytest.raises(zhiyuan.ConflictError):
        reg.grant(7, "monthly_star", "2024-03", 2, "2024-04-02")
    with pytest.raises(zhiyuan.ValidationError) as info:
        reg.grant(7, "gold", "2024-03", 1, "2024-04-02")  # type: ignore[arg-type]
    assert info.value.field == "kind"
    (h,) = reg.of(7)
    assert h.kind == "monthly_star" and h.period == zhiyuan.Period.parse("2024-03")
    assert h.revoked is None and pickle.loads(pickle.dumps(h)) == h
    reg.revoke(7, "monthly_star", "2024-03", 1, AS_OF, "fraud")
    assert reg.of(7)[0].revoked == {"at": "2024-06-01T00:00:00Z", "by": 1, "reason": "fraud"}
    with pytest.raises(zhiyuan.NotFoundError):
        reg.revoke(8, "monthly_star", "2024-03", 1, AS_OF, "x")
    # Honours feed the facts.
    f = zhiyuan.derive_facts(zhiyuan.Policy(), PROFILE, {"honours": reg.of(7)}, as_of=AS_OF)
    assert f.monthly_star_honours == 0, "a revoked honour does not count"


def test_points_perks_certificates_objects(policy: zhiyuan.Policy) -> None:
    points = zhiyuan.PointsLedger(policy)
    credited = points.sync_hours(7, 600, AS_OF)
    account = points.account(7)
    assert account.balance == credited > 0 and account.hours_points == credited
    assert pickle.loads(pickle.dumps(account)) == account
    assert [e.points for e in points.entries(7)] == [credited]
    with pytest.raises(zhiyuan.ValidationError, match=r"^approved_minutes: "):
        points.sync_hours(7, -1, AS_OF)
    desk = zhiyuan.PerkDesk(policy)
    facts = zhiyuan.derive_facts(policy, PROFILE, {"cumulative_minutes": 600}, as_of=AS_OF)
    perks = desk.eligible_perks(7, facts, AS_OF, account)
    assert all(isinstance(p, zhiyuan.PerkEligibility) for p in perks)
    key = zhiyuan.CertificateKey("k1", "s3cret-s3cret-s3cret")
    assert "s3cret-s3cret-s3cret" not in repr(key) and key.id == "k1"
    registry = zhiyuan.CertificateRegistry(policy, "PZ")
    cert = registry.issue(
        {
            "volunteer": 7,
            "volunteer_name": "张三",
            "minutes": 600,
            "content": "社区服务",
            "recording_unit": 1,
            "recording_unit_name": "中心",
            "period_from": "2024-01-01",
            "period_to": "2024-05-31",
            "issuer": 2,
        },
        key,
        AS_OF,
    )
    assert cert.serial.startswith("PZ") and registry.get(cert.serial) == cert
    assert zhiyuan.verify_certificate(cert, zhiyuan.CertificateKey("k1", b"s3cret-s3cret-s3cret"))
    other = zhiyuan.CertificateKey("k1", "other-other-other!")
    assert not zhiyuan.verify_certificate(cert.to_dict(), other)
    assert registry.check(cert.serial, cert.verification_code).valid
    registry.revoke(cert.serial, 2, AS_OF, "error")
    assert not registry.check(cert.serial, cert.verification_code).valid


def test_batch_threads_and_status_encodings(policy: zhiyuan.Policy) -> None:
    n = 5000
    base = facts_rows()
    rows = {k: (v * n)[:n] for k, v in base.items()}
    rows["cumulative_minutes"] = [(i * 7919) % 120_000 for i in range(n)]
    whole = pa.table(rows)
    want = zhiyuan.credit_decisions(policy, whole, AS_OF).to_pydict()
    assert len(set(want["tier"])) == 6, "every tier and 0 occur"
    # Any thread count gives the same table.
    for threads in (1, 2, 3):
        got = zhiyuan.credit_decisions(policy, whole, AS_OF, threads=threads).to_pydict()
        assert got == want
    with pytest.raises(zhiyuan.ValidationError, match=r"^threads: must be at least 1"):
        zhiyuan.credit_decisions(policy, whole, AS_OF, threads=0)
    # Status names as dictionary, large_string and string_view columns.
    status = whole.column("status")
    for encoded in (
        status.dictionary_encode(),
        status.cast(pa.large_string()),
        status.cast(pa.string_view()),
    ):
        t = whole.set_column(whole.schema.get_field_index("status"), "status", encoded)
        assert zhiyuan.credit_decisions(policy, t, AS_OF).to_pydict() == want
    as_pl = pl.DataFrame(rows).with_columns(pl.col("status").cast(pl.Categorical))
    assert zhiyuan.credit_decisions(policy, as_pl, AS_OF).to_pydict() == want
    # A bad name behind a dictionary is named at its row; unused entries are fine.
    bad = pa.DictionaryArray.from_arrays(
        pa.array([0, 0, 2, 0, 0, 0], pa.int8()), pa.array(["active", "unused", "retired"])
    )
    t = pa.table({**base, "status": bad})
    with pytest.raises(zhiyuan.ValidationError, match=r'^status\[2\]: "retired" is not one of'):
        zhiyuan.credit_decisions(policy, t, AS_OF)
    ok = pa.DictionaryArray.from_arrays(
        pa.array([0, 0, 0, 0, 0, 0], pa.int8()), pa.array(["active", "retired"])
    )
    got = zhiyuan.credit_decisions(policy, pa.table({**base, "status": ok}), AS_OF).to_pydict()
    assert got == zhiyuan.credit_decisions(
        policy, pa.table({**base, "status": ["active"] * 6}), AS_OF
    ).to_pydict()
