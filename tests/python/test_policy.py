"""Policy: loading, dumping, hashing, sections, pickling, star levels."""

from __future__ import annotations

import copy
import json
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

import zhiyuan


def test_default_is_stable(policy: zhiyuan.Policy) -> None:
    assert policy == zhiyuan.Policy.default()
    assert policy.hash == zhiyuan.Policy().hash
    assert len(policy.hash) == 64 and int(policy.hash, 16) >= 0
    assert hash(policy) == hash(zhiyuan.Policy())


def test_toml_and_json_round_trip(policy: zhiyuan.Policy) -> None:
    assert zhiyuan.Policy.from_toml(policy.to_toml()) == policy
    assert zhiyuan.Policy.from_json(policy.to_json()) == policy
    changed = zhiyuan.Policy.from_toml("[hours]\ndaily_review_minutes = 600\n")
    assert changed != policy and changed.hash != policy.hash
    assert changed.section("hours")["daily_review_minutes"] == 600
    assert zhiyuan.Policy.from_toml(changed.to_toml()).hash == changed.hash


def test_to_json_is_the_canonical_hashed_text(policy: zhiyuan.Policy) -> None:
    text = policy.to_json()
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"),
                              ensure_ascii=False)


def test_sections_are_readable(policy: zhiyuan.Policy) -> None:
    assert policy.section("hours") == {
        "daily_review_minutes": 720,
        "per_record_cap_minutes": None,
        "recording_deadline_working_days": 10,
    }
    assert policy.section("stars") == {"thresholds_hours": [100, 300, 600, 1000, 1500]}
    assert {"calendar", "hours", "stars", "credit", "likes"} <= set(policy.section_names)
    assert policy.section_names == sorted(policy.to_dict())
    assert policy.utc_offset_minutes == 480
    with pytest.raises(KeyError):
        policy.section("nope")


def test_from_dict_takes_partial_sections() -> None:
    p = zhiyuan.Policy.from_dict({"stars": {"thresholds_hours": [1, 2, 3]}})
    assert p.section("stars")["thresholds_hours"] == [1, 2, 3]
    assert p.section("hours") == zhiyuan.Policy().section("hours")


def test_pickle_and_copy_round_trip() -> None:
    p = zhiyuan.Policy.from_toml("[stars]\nthresholds_hours = [10, 20]\n")
    for back in (pickle.loads(pickle.dumps(p)), copy.deepcopy(p), copy.copy(p)):
        assert back == p and back.hash == p.hash
        assert back.star_level(20 * 60) == 2


def test_frozen_and_readable(policy: zhiyuan.Policy) -> None:
    with pytest.raises(AttributeError):
        policy.hash = "x"  # type: ignore[misc]
    assert repr(policy) == f"Policy(hash='{policy.hash[:12]}…')"


@pytest.mark.parametrize(
    ("minutes", "level", "to_next"),
    [(0, 0, 6000), (5999, 0, 1), (6000, 1, 12000), (90000, 5, None), (-5, 0, 6005)],
)
def test_star_level_edges(policy: zhiyuan.Policy, minutes: int, level: int,
                          to_next: int | None) -> None:
    assert policy.star_level(minutes) == level
    assert policy.minutes_to_next_star(minutes) == to_next


@given(st.integers(min_value=-(2**40), max_value=2**40))
def test_star_level_matches_batch(minutes: int) -> None:
    import pyarrow as pa

    p = zhiyuan.Policy()
    t = zhiyuan.star_levels(p, pa.array([minutes], pa.int64())).to_pydict()
    assert t == {
        "star_level": [p.star_level(minutes)],
        "minutes_to_next": [p.minutes_to_next_star(minutes)],
    }
