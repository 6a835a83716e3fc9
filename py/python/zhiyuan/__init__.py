"""zhiyuan (志愿): volunteer-service management as Jiangsu's 新时代文明实践 centres run it.

Every behaviour lives in the Rust core; this package converts, maps errors and
releases the GIL. Tables go in and out through the Arrow PyCapsule protocol, so
pyarrow, polars and pandas objects all work and none is required.

Errors: every exception derives from :class:`ZhiyuanError`; ``ValidationError``
is also a ``ValueError`` and ``NotFoundError`` a ``KeyError``. ``str(e)`` is the
core message (``field.path: reason``); ``e.kind``, ``e.field`` and ``e.reason``
give its parts.

Time: instants are aware ``datetime`` objects only (naive ones raise
``ValidationError``); Arrow timestamp columns must carry a time zone, or be int64
UTC microseconds.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from zhiyuan._zhiyuan import (
    AnnualResult,
    Apportionment,
    ArrowColumn,
    ArrowTable,
    Comment,
    ConflictError,
    CreditDecision,
    DistrictSeats,
    Exhibition,
    Facts,
    Feed,
    GroupTotal,
    Honour,
    HonoursRegistry,
    HoursLedger,
    LikeBoard,
    LikeEvent,
    LikePartial,
    LikeVerdict,
    MonthlyResult,
    NotFoundError,
    Period,
    PeriodTotal,
    Policy,
    PolicyError,
    Post,
    Receipt,
    RecordState,
    Revocation,
    ServiceRecord,
    StateError,
    Team,
    Unit,
    UnitTree,
    ValidationError,
    VolunteerProfile,
    VoteTally,
    WeeklyBoard,
    ZhiyuanError,
    annual_selection,
    apportion,
    core_version,
    count_votes,
    credit_decision,
    credit_decisions,
    derive_facts,
    like_batch,
    merge_partials,
    monthly_stars,
    partial_boards,
    partial_exhibition,
    periods,
    star_levels,
    to_utc,
    weekly_leaderboard,
)

try:
    __version__ = version("zhiyuan")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = core_version()

__all__ = [
    "AnnualResult",
    "Apportionment",
    "ArrowColumn",
    "ArrowTable",
    "Comment",
    "ConflictError",
    "CreditDecision",
    "DistrictSeats",
    "Exhibition",
    "Facts",
    "Feed",
    "GroupTotal",
    "Honour",
    "HonoursRegistry",
    "HoursLedger",
    "LikeBoard",
    "LikeEvent",
    "LikePartial",
    "LikeVerdict",
    "MonthlyResult",
    "NotFoundError",
    "Period",
    "PeriodTotal",
    "Policy",
    "PolicyError",
    "Post",
    "Receipt",
    "RecordState",
    "Revocation",
    "ServiceRecord",
    "StateError",
    "Team",
    "Unit",
    "UnitTree",
    "ValidationError",
    "VolunteerProfile",
    "VoteTally",
    "WeeklyBoard",
    "ZhiyuanError",
    "annual_selection",
    "apportion",
    "core_version",
    "count_votes",
    "credit_decision",
    "credit_decisions",
    "derive_facts",
    "like_batch",
    "merge_partials",
    "monthly_stars",
    "partial_boards",
    "partial_exhibition",
    "periods",
    "star_levels",
    "to_utc",
    "weekly_leaderboard",
]
