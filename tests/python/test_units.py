"""UnitTree, Unit and Team: construction, queries, errors, frozen values, pickling."""

from __future__ import annotations

import pickle

import pytest

import zhiyuan


def test_queries(tree: zhiyuan.UnitTree) -> None:
    assert len(tree) == 4 and 100 in tree and 5 not in tree
    assert tree.ancestors(100) == [10, 1]
    assert tree.descendants(1) == [10, 100, 11]
    assert tree.children(1) == [10, 11]
    assert tree.parent(1) is None and tree.parent(100) == 10
    assert tree.depth(100) == 2
    assert tree.is_within(100, 1) and not tree.is_within(100, 11)
    assert tree.rollup({100: 30, 10: 5, 999: 1}) == {1: 35, 10: 35, 11: 0, 100: 30}


def test_unit_and_team_values(tree: zhiyuan.UnitTree) -> None:
    u = tree.unit(10)
    assert (u.id, u.parent, u.name, u.level) == (10, 1, "东山实践所", "institute")
    assert u.to_dict() == {"id": 10, "parent": 1, "name": "东山实践所", "level": "institute"}
    assert repr(u) == "Unit(id=10, parent=1, name='东山实践所', level='institute')"
    assert u == zhiyuan.Unit.from_dict(u.to_dict()) and u != tree.unit(11)
    t = tree.team(7)
    assert (t.unit, t.skills) == (100, ["medical"])
    with pytest.raises(AttributeError):
        u.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(u)


def test_build_from_value_objects(tree: zhiyuan.UnitTree) -> None:
    again = zhiyuan.UnitTree(tree.units, tree.teams)
    assert again.to_dict() == tree.to_dict()
    assert repr(again) == "UnitTree(units=4, teams=1)"
    assert len(zhiyuan.UnitTree()) == 0


def test_pickle(tree: zhiyuan.UnitTree) -> None:
    back = pickle.loads(pickle.dumps(tree))
    assert back.to_dict() == tree.to_dict()
    assert back.descendants(1) == tree.descendants(1)
    assert pickle.loads(pickle.dumps(tree.unit(100))) == tree.unit(100)


def test_core_errors() -> None:
    msg = r"^units\[id=2\]\.parent: unknown parent unit 9$"
    with pytest.raises(zhiyuan.NotFoundError, match=msg):
        zhiyuan.UnitTree([{"id": 2, "parent": 9, "name": "x", "level": "station"}])
    with pytest.raises(zhiyuan.NotFoundError, match=r"^team: unknown team 3$"):
        zhiyuan.UnitTree().team(3)


def test_input_errors_name_the_path() -> None:
    ok = {"id": 1, "parent": None, "name": "a", "level": "centre"}
    with pytest.raises(zhiyuan.ValidationError) as info:
        zhiyuan.UnitTree([ok, {"id": 2, "parent": "one", "name": "b", "level": "x"}])
    assert info.value.field == "units[1].parent"
    with pytest.raises(zhiyuan.ValidationError, match=r"^units\[0\]: missing field `level`"):
        zhiyuan.UnitTree([{"id": 1, "parent": None, "name": "a"}])
    with pytest.raises(zhiyuan.ValidationError, match=r"^units\[0\]\.id: -1 |invalid value"):
        zhiyuan.UnitTree([{**ok, "id": -1}])
