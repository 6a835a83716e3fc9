"""apportion bindings: argument conversion and result objects (rules tested in core)."""

from __future__ import annotations

import pickle

import pytest

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
