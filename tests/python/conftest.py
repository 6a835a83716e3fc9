"""Shared fixtures for the binding tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import zhiyuan

REPO = Path(__file__).resolve().parents[2]
UTC = dt.UTC
CST = dt.timezone(dt.timedelta(hours=8), "CST")


@pytest.fixture
def policy() -> zhiyuan.Policy:
    return zhiyuan.Policy()


@pytest.fixture
def tree() -> zhiyuan.UnitTree:
    return zhiyuan.UnitTree(
        [
            {"id": 1, "parent": None, "name": "江宁区新时代文明实践中心", "level": "centre"},
            {"id": 10, "parent": 1, "name": "东山实践所", "level": "institute"},
            {"id": 11, "parent": 1, "name": "秣陵实践所", "level": "institute"},
            {"id": 100, "parent": 10, "name": "佘村实践站", "level": "station"},
        ],
        [{"id": 7, "unit": 100, "name": "佘村志愿服务队", "skills": ["medical"]}],
    )
