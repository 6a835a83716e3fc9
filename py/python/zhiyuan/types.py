"""Runtime Protocols for the Arrow PyCapsule interface.

They live here, not in the stub, because stubtest rejects Protocols that exist
only in a ``.pyi`` (conventions §4.6). Any pyarrow, polars or pandas object
(or one of ours) satisfies one of them.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = [
    "ArrowArrayExportable",
    "ArrowSchemaExportable",
    "ArrowStreamExportable",
    "ArrowArrayLike",
    "ArrowTableLike",
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
