"""apportion bindings: argument conversion and result objects (rules tested in core)."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

import vectors
import zhiyuan


def test_apportion_result_objects() -> None:
    districts = [{"id": 1, "size": 169}, {"id": 2, "size": 166}, {"id": 3, "size": 10}]
    a = zhiyuan.apportion(districts, 10)
    assert a.method == "sainte_lague" and a.total == 10
    assert sum(d.seats for d in a.districts) == a.allocated == 10
    d = a.districts[0]
    assert (d.id, d.size, d.cap) == (1, 169, None)
    assert d.quota == d.to_dict()["quota"] and d.quota.replace("/", "").isdigit()
    assert repr(d).startswith("DistrictSeats(id=1, size=169, cap=None, quota='")
    assert zhiyuan.Apportionment.from_dict(a.to_dict()) == a
    assert pickle.loads(pickle.dumps(a)) == a
    dh = zhiyuan.apportion([{"id": 1, "size": 169}, {"id": 2, "size": 166}], 10, "dhondt")
    assert dh.method == "dhondt"


def test_apportion_errors() -> None:
    with pytest.raises(zhiyuan.ValidationError, match=r"^method: unknown variant `borda`"):
        zhiyuan.apportion([{"id": 1, "size": 1}], 1, "borda")  # type: ignore[arg-type]
    with pytest.raises(zhiyuan.ValidationError) as info:
        zhiyuan.apportion([{"id": 1, "size": -1}], 1)
    assert info.value.field == "districts[0].size"


def vector_input(capability: str, name: str, op: str) -> tuple[zhiyuan.Policy, Any]:
    s = vectors.load(vectors.VECTORS / capability / name)
    step = next(st for st in s.steps if st["op"] == op and "output" in st)
    return s.policy, step["input"]


def test_monthly_result_objects() -> None:
    policy, round_ = vector_input("monthly_stars", "worked_example_5_3.json", "monthly_stars")
    r = zhiyuan.monthly_stars(policy, round_)
    assert isinstance(r.month, zhiyuan.Period) and r.month.grain == "month"
    assert r.policy_hash == policy.hash
    assert isinstance(r.tally, zhiyuan.VoteTally)
    assert all(isinstance(k, int) for k in r.tally.counted)
    assert r.tally.counted_total == sum(r.tally.counted.values())
    assert [w["volunteer"] for w in r.winners] == [
        s["candidate"] for s in r.standings if s["winner"]
    ]
    assert pickle.loads(pickle.dumps(r)) == r
    assert repr(r).startswith("MonthlyResult(month='")


def test_annual_result_objects() -> None:
    policy, round_ = vector_input("annual", "eligibility.json", "annual_selection")
    r = zhiyuan.annual_selection(policy, round_)
    assert isinstance(r.quotas, zhiyuan.Apportionment) and r.year.grain == "year"
    assert zhiyuan.AnnualResult.from_dict(r.to_dict()) == r


def test_round_input_errors_name_the_path(policy: zhiyuan.Policy) -> None:
    with pytest.raises(zhiyuan.ValidationError) as info:
        zhiyuan.monthly_stars(policy, {"month": "2024-13"})
    assert (info.value.field or "").startswith("round")
