"""Runs the mypy-checked usage file, so its calls are exercised as well as typed."""

from typing_usage import usage


def test_usage_runs() -> None:
    assert usage() == [0, 5]
