"""Runtime Protocols for the Arrow PyCapsule interface.

They live here, not in the stub, because stubtest rejects Protocols that exist
only in a ``.pyi`` (conventions §4.6). Any pyarrow, polars or pandas object
(or one of ours) satisfies one of them.
"""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

__all__ = [
    "ApportionMethod",
    "ArrowArrayExportable",
    "ArrowArrayLike",
    "ArrowSchemaExportable",
    "ArrowStreamExportable",
    "ArrowTableLike",
    "Grain",
    "GroupBy",
    "HonourKind",
    "LikeAction",
    "LikeReason",
    "OrderState",
    "RecordKind",
    "RecordStatus",
    "RevokeReason",
    "VolunteerStatus",
]


@runtime_checkable
class ArrowSchemaExportable(Protocol):
    """An object exporting an Arrow C schema (``__arrow_c_schema__``)."""

    def __arrow_c_schema__(self) -> object: ...


@runtime_checkable
class ArrowArrayExportable(Protocol):
    """An object exporting one Arrow C array (``__arrow_c_array__``)."""

    def __arrow_c_array__(
        self, requested_schema: object | None = None
    ) -> tuple[object, object]: ...


@runtime_checkable
class ArrowStreamExportable(Protocol):
    """An object exporting an Arrow C stream (``__arrow_c_stream__``)."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...


#: What a column parameter accepts: a pyarrow Array or ChunkedArray, a
#: polars Series, a pandas Series.
ArrowArrayLike = ArrowArrayExportable | ArrowStreamExportable

#: What a table parameter accepts: a pyarrow Table or RecordBatch, a polars
#: DataFrame, a pandas DataFrame.
ArrowTableLike = ArrowArrayExportable | ArrowStreamExportable

#: A calendar grain; periods are cut at the policy's UTC offset.
Grain = Literal["day", "week", "month", "year"]
#: Service time, or training time kept apart from it.
RecordKind = Literal["service", "training"]
#: Where a service record stands.
RecordStatus = Literal["submitted", "approved", "rejected", "revoked"]
#: Why an approved record was revoked (2020 办法 §13, §19).
RevokeReason = Literal["error", "duplicate", "fraud", "not_volunteer_work", "volunteer_request"]
#: How ledger totals are grouped.
GroupBy = Literal["volunteer", "team", "unit"]
#: How seats are apportioned across districts.
ApportionMethod = Literal["sainte_lague", "largest_remainder", "dhondt", "huntington_hill"]
#: A volunteer's registration status.
VolunteerStatus = Literal["active", "suspended", "deregistered"]
#: An honour kind (domain-rules §4).
HonourKind = Literal["monthly_star", "annual_excellent", "excellent_work", "commendation"]
#: A like event's action.
LikeAction = Literal["like", "unlike"]
#: Why a like counts less than fully (domain-rules §5).
LikeReason = Literal[
    "outside_window", "self_like", "duplicate", "unliked", "new_account", "author_cap", "liker_cap"
]
#: Where an order stands (点单 → 派单 → 接单 → 评单).
OrderState = Literal[
    "placed",
    "under_review",
    "dispatched",
    "accepted",
    "fulfilled",
    "rated",
    "closed",
    "rejected",
    "cancelled",
    "expired",
]
