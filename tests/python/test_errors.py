"""The exception tree: one class per core error kind, messages unchanged."""

from __future__ import annotations

import pickle

import pytest

import zhiyuan
from zhiyuan import (
    ConflictError,
    NotFoundError,
    PolicyError,
    StateError,
    ValidationError,
    ZhiyuanError,
)

KINDS = {
    PolicyError: "PolicyInvalid",
    ValidationError: "InvalidInput",
    ConflictError: "Conflict",
    StateError: "InvalidState",
    NotFoundError: "NotFound",
}


def test_root_is_an_exception_importable_from_the_package() -> None:
    assert issubclass(ZhiyuanError, Exception)
    assert ZhiyuanError.__module__ == "zhiyuan"
    assert zhiyuan._zhiyuan.ZhiyuanError is ZhiyuanError
    assert ZhiyuanError.kind is None


@pytest.mark.parametrize(("cls", "kind"), list(KINDS.items()))
def test_each_kind_has_a_subclass(cls: type[ZhiyuanError], kind: str) -> None:
    assert issubclass(cls, ZhiyuanError)
    assert cls.kind == kind
    assert cls.__module__ == "zhiyuan"
    assert cls.__name__ in zhiyuan.__all__


def test_builtin_bases_where_natural() -> None:
    assert issubclass(ValidationError, ValueError)
    assert issubclass(NotFoundError, KeyError)
    for cls in (PolicyError, ConflictError, StateError):
        assert not issubclass(cls, ValueError | KeyError)
    assert not issubclass(ValidationError, KeyError)
    assert not issubclass(NotFoundError, ValueError)


def test_policy_error_carries_core_message_and_parts() -> None:
    with pytest.raises(PolicyError) as info:
        zhiyuan.Policy.from_toml("[hours]\ndaily_review_minutes = 0\n")
    e = info.value
    assert str(e) == "hours.daily_review_minutes: must be > 0"
    assert (e.kind, e.field, e.reason) == (
        "PolicyInvalid",
        "hours.daily_review_minutes",
        "must be > 0",
    )


def test_validation_error_is_caught_as_value_error() -> None:
    with pytest.raises(ValueError, match=r"^period: \"2024-W99\" is not a period"):
        zhiyuan.Period.parse("2024-W99")


def test_not_found_is_a_key_error_without_quotes(tree: zhiyuan.UnitTree) -> None:
    with pytest.raises(KeyError) as info:
        tree.ancestors(999)
    assert isinstance(info.value, NotFoundError)
    # KeyError's own __str__ would give "'unit: unknown unit 999'".
    assert str(info.value) == "unit: unknown unit 999"
    assert info.value.field == "unit"


def test_conflict_error() -> None:
    unit = {"id": 1, "parent": None, "name": "a", "level": "centre"}
    with pytest.raises(ConflictError, match=r"^units\[id=1\]: duplicate unit id$"):
        zhiyuan.UnitTree([unit, unit])


def test_errors_pickle_with_their_parts() -> None:
    with pytest.raises(PolicyError) as info:
        zhiyuan.Policy.from_json('{"stars": {"thresholds_hours": []}}')
    back = pickle.loads(pickle.dumps(info.value))
    assert type(back) is PolicyError
    assert str(back) == str(info.value) == "stars.thresholds_hours: must not be empty"
    assert back.field == "stars.thresholds_hours"


def test_unknown_policy_key_is_a_policy_error() -> None:
    with pytest.raises(PolicyError) as info:
        zhiyuan.Policy.from_json('{"hours": {"nope": 1}}')
    assert str(info.value).startswith("hours.nope: unknown field `nope`")
