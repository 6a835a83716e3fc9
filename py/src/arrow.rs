//! The Arrow PyCapsule boundary, in both directions.
//!
//! **In.** [`Table::from_py`] takes anything with `__arrow_c_stream__` or
//! `__arrow_c_array__` (pyarrow `Table`/`RecordBatch`, polars `DataFrame`,
//! pandas `DataFrame`), [`Column::from_py`] any single column (pyarrow
//! `Array`/`ChunkedArray`, polars `Series`, pandas `Series`). Typed readers
//! check presence, type and nulls and raise `ValidationError` naming the
//! column and row (`minutes[3]: null value; …`). Matching types are read in
//! place: an `int64` column is borrowed, not copied, when it arrives in one
//! chunk.
//!
//! **Out.** [`ArrowColumn`] and [`ArrowTable`] export through
//! `__arrow_c_array__` / `__arrow_c_stream__` / `__arrow_c_schema__`, so
//! `pyarrow.array(c)`, `pyarrow.table(t)`, `polars.Series(c)` and
//! `polars.DataFrame(t)` read them without a copy and without this module
//! importing either library; `to_pyarrow()`, `to_polars()` and `to_pandas()`
//! import the library only when called.

use crate::convert::{datetime, invalid};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_schema::{DataType, Field, FieldRef, Schema, TimeUnit};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyList, PyTuple};
use pyo3_arrow::ffi::{
    ArrayIterator, to_array_pycapsules, to_schema_pycapsule, to_stream_pycapsule,
};
use pyo3_arrow::input::{AnyArray, AnyRecordBatch};
use std::borrow::Cow;
use std::sync::Arc;
use zhiyuan::time::Timestamp;

/// An input table: every batch read from the producer, one schema.
pub(crate) struct Table {
    schema: Arc<Schema>,
    batches: Vec<RecordBatch>,
}

impl Table {
    /// Reads a table from any Arrow PyCapsule producer. `param` names the
    /// argument in errors.
    pub(crate) fn from_py(obj: &Bound<'_, PyAny>, param: &str) -> PyResult<Table> {
        let any: AnyRecordBatch = obj.extract().map_err(|_| not_arrow(obj, param, "table"))?;
        let reader = any.into_reader()?;
        let schema = reader.schema();
        let batches = reader
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(param, format!("cannot read the Arrow stream: {e}")))?;
        Ok(Table { schema, batches })
    }

    fn names(&self) -> Vec<&str> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect()
    }

    /// Whether the table has a column `name`.
    pub(crate) fn has_column(&self, name: &str) -> bool {
        self.schema.column_with_name(name).is_some()
    }

    /// The column `name`; a missing column raises a `ValidationError` naming
    /// it and listing the columns present.
    pub(crate) fn column(&self, name: &str) -> PyResult<Column> {
        let Some((i, field)) = self.schema.column_with_name(name) else {
            return Err(missing_column(name, self.names()));
        };
        Ok(Column {
            name: name.to_owned(),
            data_type: field.data_type().clone(),
            chunks: self.batches.iter().map(|b| b.column(i).clone()).collect(),
        })
    }
}

/// A table argument: an Arrow table, or a dict of Arrow columns (whose
/// lengths may differ; the core then names the short column). Columns are
/// named in errors as `prefix` + their name.
pub(crate) struct Columns {
    prefix: String,
    source: Source,
}

enum Source {
    Table(Table),
    Dict(Vec<(String, Column)>),
}

impl Columns {
    /// Reads a table or a `{name: column}` dict. `param` names the argument
    /// in errors; with `qualify`, column errors read `param.name`.
    pub(crate) fn from_py(obj: &Bound<'_, PyAny>, param: &str, qualify: bool) -> PyResult<Self> {
        let prefix = if qualify {
            format!("{param}.")
        } else {
            String::new()
        };
        let source = match obj.cast::<PyDict>() {
            Ok(d) => {
                let mut cols = Vec::with_capacity(d.len());
                for (k, v) in d.iter() {
                    let name: String = k.extract()?;
                    let full = format!("{prefix}{name}");
                    cols.push((name, Column::from_py(&v, &full)?.named(&full)));
                }
                Source::Dict(cols)
            }
            Err(_) => Source::Table(Table::from_py(obj, param)?),
        };
        Ok(Columns { prefix, source })
    }

    /// Whether the column `name` is present.
    pub(crate) fn has(&self, name: &str) -> bool {
        match &self.source {
            Source::Table(t) => t.has_column(name),
            Source::Dict(d) => d.iter().any(|(n, _)| n == name),
        }
    }

    /// The column `name`; a missing one raises a `ValidationError` naming
    /// it and listing the columns present.
    pub(crate) fn column(&self, name: &str) -> PyResult<Column> {
        let full = format!("{}{name}", self.prefix);
        match &self.source {
            Source::Table(t) if t.has_column(name) => Ok(t.column(name)?.named(&full)),
            Source::Table(t) => Err(missing_column(&full, t.names())),
            Source::Dict(d) => match d.iter().find(|(n, _)| n == name) {
                Some((_, c)) => Ok(c.clone()),
                None => Err(missing_column(
                    &full,
                    d.iter().map(|(n, _)| n.as_str()).collect(),
                )),
            },
        }
    }
}

fn missing_column(field: &str, have: Vec<&str>) -> PyErr {
    invalid(
        field,
        format!(
            "missing column; the table has columns [{}]",
            have.join(", ")
        ),
    )
}

/// One input column (possibly chunked), named for errors.
#[derive(Clone)]
pub(crate) struct Column {
    name: String,
    data_type: DataType,
    chunks: Vec<ArrayRef>,
}

fn not_arrow(obj: &Bound<'_, PyAny>, param: &str, what: &str) -> PyErr {
    let ty = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into());
    invalid(
        param,
        format!(
            "expected an Arrow {what} (an object with __arrow_c_stream__ or __arrow_c_array__, \
             e.g. from pyarrow, polars or pandas), got {ty}"
        ),
    )
}

/// Rows of a column, chunk by chunk, with each chunk's first global row.
fn with_offsets(chunks: &[ArrayRef]) -> impl Iterator<Item = (usize, &ArrayRef)> {
    chunks.iter().scan(0usize, |row, c| {
        let start = *row;
        *row += c.len();
        Some((start, c))
    })
}

impl Column {
    /// Reads a single column from any Arrow producer. Its Arrow field name
    /// names it in errors, or `param` when the field has no name.
    pub(crate) fn from_py(obj: &Bound<'_, PyAny>, param: &str) -> PyResult<Column> {
        let any: AnyArray = obj.extract().map_err(|_| not_arrow(obj, param, "column"))?;
        let reader = any.into_reader()?;
        let field = pyo3_arrow::ffi::ArrayReader::field(&reader);
        let chunks = reader
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(param, format!("cannot read the Arrow stream: {e}")))?;
        let name = if field.name().is_empty() {
            param.to_owned()
        } else {
            field.name().clone()
        };
        Ok(Column {
            name,
            data_type: field.data_type().clone(),
            chunks,
        })
    }

    /// The column's name in errors.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The same column, named `name` in errors (for a column passed under
    /// a dict key, whatever its Arrow field name).
    pub(crate) fn named(mut self, name: &str) -> Self {
        name.clone_into(&mut self.name);
        self
    }

    /// Number of rows.
    pub(crate) fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.len()).sum()
    }

    fn wrong_type(&self, want: &str) -> PyErr {
        invalid(
            &self.name,
            format!("expected {want}, got Arrow type {}", self.data_type),
        )
    }

    /// Whether the column holds text.
    pub(crate) fn is_text(&self) -> bool {
        matches!(
            self.data_type,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        )
    }

    /// A `ValidationError` about row `row` (`name[row]: reason`).
    pub(crate) fn at(&self, row: usize, reason: impl Into<String>) -> PyErr {
        invalid(&format!("{}[{row}]", self.name), reason)
    }

    /// Whether the column is of Arrow type `null` (polars and pyarrow infer
    /// it for an empty list): fine when empty, a null error otherwise.
    fn null_typed(&self) -> PyResult<bool> {
        if self.data_type != DataType::Null {
            return Ok(false);
        }
        if self.len() > 0 {
            return Err(self.at(0, "null value; this column must not contain nulls"));
        }
        Ok(true)
    }

    fn no_nulls(&self) -> PyResult<()> {
        for (start, c) in with_offsets(&self.chunks) {
            if c.null_count() > 0 {
                let i = (0..c.len()).find(|&i| c.is_null(i)).unwrap_or(0);
                return Err(self.at(start + i, "null value; this column must not contain nulls"));
            }
        }
        Ok(())
    }

    /// The column as `i64`s, borrowed when it is one `int64` chunk; narrower
    /// integer types are widened. Nulls are errors.
    pub(crate) fn i64s(&self) -> PyResult<Cow<'_, [i64]>> {
        if self.null_typed()? {
            return Ok(Cow::Owned(Vec::new()));
        }
        self.no_nulls()?;
        if let ([c], DataType::Int64) = (self.chunks.as_slice(), &self.data_type) {
            return Ok(Cow::Borrowed(c.as_primitive::<Int64Type>().values()));
        }
        let mut out = Vec::with_capacity(self.len());
        for (start, c) in with_offsets(&self.chunks) {
            macro_rules! widen {
                ($t:ty) => {
                    out.extend(
                        c.as_primitive::<$t>()
                            .values()
                            .iter()
                            .map(|&v| i64::from(v)),
                    )
                };
            }
            match &self.data_type {
                DataType::Int64 => out.extend_from_slice(c.as_primitive::<Int64Type>().values()),
                DataType::Int32 => widen!(Int32Type),
                DataType::Int16 => widen!(Int16Type),
                DataType::Int8 => widen!(Int8Type),
                DataType::UInt32 => widen!(UInt32Type),
                DataType::UInt16 => widen!(UInt16Type),
                DataType::UInt8 => widen!(UInt8Type),
                DataType::UInt64 => {
                    for (i, &v) in c.as_primitive::<UInt64Type>().values().iter().enumerate() {
                        out.push(
                            i64::try_from(v).map_err(|_| {
                                self.at(start + i, format!("{v} does not fit int64"))
                            })?,
                        );
                    }
                }
                _ => return Err(self.wrong_type("an integer column (int64)")),
            }
        }
        Ok(Cow::Owned(out))
    }

    /// The column as ids (`u64`), borrowed when it is one `uint64` chunk;
    /// signed integers must not be negative. Nulls are errors.
    pub(crate) fn u64s(&self) -> PyResult<Cow<'_, [u64]>> {
        if self.null_typed()? {
            return Ok(Cow::Owned(Vec::new()));
        }
        self.no_nulls()?;
        if let ([c], DataType::UInt64) = (self.chunks.as_slice(), &self.data_type) {
            return Ok(Cow::Borrowed(c.as_primitive::<UInt64Type>().values()));
        }
        Ok(Cow::Owned(self.u64_values()?))
    }

    /// The column as optional ids: nulls become `None`.
    pub(crate) fn opt_u64s(&self) -> PyResult<Vec<Option<u64>>> {
        if self.data_type == DataType::Null {
            return Ok(vec![None; self.len()]);
        }
        let values = self.u64_values()?;
        let valid = self
            .chunks
            .iter()
            .flat_map(|c| (0..c.len()).map(|i| c.is_valid(i)));
        Ok(values
            .into_iter()
            .zip(valid)
            .map(|(v, ok)| ok.then_some(v))
            .collect())
    }

    /// Every slot as a `u64` (slots under nulls are 0, never checked).
    fn u64_values(&self) -> PyResult<Vec<u64>> {
        let mut out = Vec::with_capacity(self.len());
        for (start, c) in with_offsets(&self.chunks) {
            macro_rules! unsigned {
                ($t:ty) => {
                    out.extend(
                        c.as_primitive::<$t>()
                            .values()
                            .iter()
                            .map(|&v| u64::from(v)),
                    )
                };
            }
            macro_rules! signed {
                ($t:ty) => {
                    for (i, &v) in c.as_primitive::<$t>().values().iter().enumerate() {
                        if c.is_null(i) {
                            out.push(0);
                            continue;
                        }
                        out.push(u64::try_from(v).map_err(|_| {
                            self.at(start + i, format!("{v} is negative; ids are >= 0"))
                        })?);
                    }
                };
            }
            match &self.data_type {
                DataType::UInt64 => out.extend_from_slice(c.as_primitive::<UInt64Type>().values()),
                DataType::UInt32 => unsigned!(UInt32Type),
                DataType::UInt16 => unsigned!(UInt16Type),
                DataType::UInt8 => unsigned!(UInt8Type),
                DataType::Int64 => signed!(Int64Type),
                DataType::Int32 => signed!(Int32Type),
                DataType::Int16 => signed!(Int16Type),
                DataType::Int8 => signed!(Int8Type),
                _ => return Err(self.wrong_type("an id column (uint64 or int64)")),
            }
        }
        Ok(out)
    }

    /// The column as instants. Accepted: an Arrow timestamp *with* a time
    /// zone (any unit; nanoseconds are floored to microseconds), or `int64`
    /// UTC microseconds. A timestamp without a time zone is rejected: local
    /// times are never guessed. Nulls and out-of-range values are errors.
    pub(crate) fn timestamps(&self) -> PyResult<Vec<Timestamp>> {
        if self.null_typed()? {
            return Ok(Vec::new());
        }
        let (mul, div) = match &self.data_type {
            DataType::Timestamp(_, None) => {
                return Err(invalid(
                    &self.name,
                    format!(
                        "{} has no time zone; naive timestamps are rejected \
                         (use a time-zone-aware column or int64 UTC microseconds)",
                        self.data_type
                    ),
                ));
            }
            DataType::Timestamp(TimeUnit::Second, Some(_)) => (1_000_000, 1),
            DataType::Timestamp(TimeUnit::Millisecond, Some(_)) => (1_000, 1),
            DataType::Timestamp(TimeUnit::Microsecond, Some(_)) | DataType::Int64 => (1, 1),
            DataType::Timestamp(TimeUnit::Nanosecond, Some(_)) => (1, 1_000),
            _ => {
                return Err(self
                    .wrong_type("a timestamp column with a time zone, or int64 UTC microseconds"));
            }
        };
        self.no_nulls()?;
        let mut out = Vec::with_capacity(self.len());
        for (start, c) in with_offsets(&self.chunks) {
            let raw: &[i64] = match &self.data_type {
                DataType::Timestamp(TimeUnit::Second, _) => {
                    c.as_primitive::<TimestampSecondType>().values()
                }
                DataType::Timestamp(TimeUnit::Millisecond, _) => {
                    c.as_primitive::<TimestampMillisecondType>().values()
                }
                DataType::Timestamp(TimeUnit::Microsecond, _) => {
                    c.as_primitive::<TimestampMicrosecondType>().values()
                }
                DataType::Timestamp(TimeUnit::Nanosecond, _) => {
                    c.as_primitive::<TimestampNanosecondType>().values()
                }
                _ => c.as_primitive::<Int64Type>().values(),
            };
            for (i, &v) in raw.iter().enumerate() {
                let us = v
                    .checked_mul(mul)
                    .map(|x| x.div_euclid(div))
                    .ok_or_else(|| self.at(start + i, format!("{v} is out of range")))?;
                out.push(Timestamp::from_micros(us).map_err(|e| self.at(start + i, e.reason()))?);
            }
        }
        Ok(out)
    }

    /// The column as booleans (Arrow `bool`). Nulls are errors.
    pub(crate) fn bools(&self) -> PyResult<Vec<bool>> {
        if self.null_typed()? {
            return Ok(Vec::new());
        }
        if self.data_type != DataType::Boolean {
            return Err(self.wrong_type("a boolean column"));
        }
        self.no_nulls()?;
        Ok(self
            .chunks
            .iter()
            .flat_map(|c| c.as_boolean().values().iter())
            .collect())
    }

    /// The column as text (`string`, `large_string` or `string_view`). Nulls
    /// are errors.
    pub(crate) fn strs(&self) -> PyResult<Vec<&str>> {
        if self.null_typed()? {
            return Ok(Vec::new());
        }
        self.no_nulls()?;
        let mut out = Vec::with_capacity(self.len());
        for c in &self.chunks {
            match &self.data_type {
                DataType::Utf8 => out.extend(c.as_string::<i32>().iter().flatten()),
                DataType::LargeUtf8 => out.extend(c.as_string::<i64>().iter().flatten()),
                DataType::Utf8View => out.extend(c.as_string_view().iter().flatten()),
                _ => return Err(self.wrong_type("a string column")),
            }
        }
        Ok(out)
    }
}

impl Column {
    /// The column's text mapped by `parse`: `string`, `large_string`,
    /// `string_view`, or a dictionary of those (each dictionary entry is
    /// parsed once). A value `parse` rejects raises a `ValidationError`
    /// naming `name[row]` with `why(value)`. Nulls are errors.
    pub(crate) fn parse_text<T: Copy>(
        &self,
        parse: impl Fn(&str) -> Option<T>,
        why: impl Fn(&str) -> String,
    ) -> PyResult<Vec<T>> {
        if self.null_typed()? {
            return Ok(Vec::new());
        }
        self.no_nulls()?;
        let mut out = Vec::with_capacity(self.len());
        for (start, c) in with_offsets(&self.chunks) {
            let one = |i: usize, s: Option<&str>| {
                let s = s.ok_or_else(|| {
                    self.at(start + i, "null value; this column must not contain nulls")
                })?;
                parse(s).ok_or_else(|| self.at(start + i, why(s)))
            };
            match c.data_type() {
                DataType::Utf8 => {
                    for (i, s) in c.as_string::<i32>().iter().enumerate() {
                        out.push(one(i, s)?);
                    }
                }
                DataType::LargeUtf8 => {
                    for (i, s) in c.as_string::<i64>().iter().enumerate() {
                        out.push(one(i, s)?);
                    }
                }
                DataType::Utf8View => {
                    for (i, s) in c.as_string_view().iter().enumerate() {
                        out.push(one(i, s)?);
                    }
                }
                DataType::Dictionary(_, _) => {
                    let d = c.as_any_dictionary();
                    let values = Column {
                        name: self.name().to_owned(),
                        data_type: d.values().data_type().clone(),
                        chunks: vec![d.values().clone()],
                    };
                    let entries = values.texts()?;
                    let parsed: Vec<Option<T>> =
                        entries.iter().map(|s| s.and_then(&parse)).collect();
                    for (i, k) in d.normalized_keys().into_iter().enumerate() {
                        out.push(match parsed.get(k).copied().flatten() {
                            Some(v) => v,
                            None => one(i, entries.get(k).copied().flatten())?,
                        });
                    }
                }
                _ => return Err(self.wrong_type("a string column")),
            }
        }
        Ok(out)
    }

    /// Every slot of a text column, nulls as `None`.
    fn texts(&self) -> PyResult<Vec<Option<&str>>> {
        let mut out = Vec::with_capacity(self.len());
        for c in &self.chunks {
            match &self.data_type {
                DataType::Utf8 => out.extend(c.as_string::<i32>().iter()),
                DataType::LargeUtf8 => out.extend(c.as_string::<i64>().iter()),
                DataType::Utf8View => out.extend(c.as_string_view().iter()),
                _ => return Err(self.wrong_type("a string column")),
            }
        }
        Ok(out)
    }
}

/// An output column: an Arrow array with its field.
#[pyclass(frozen, module = "zhiyuan._zhiyuan", name = "ArrowColumn")]
pub struct ArrowColumn {
    field: FieldRef,
    array: ArrayRef,
}

impl ArrowColumn {
    /// A non-nullable column `name` holding `array`.
    pub(crate) fn new(name: &str, array: ArrayRef) -> Self {
        let field = Arc::new(Field::new(
            name,
            array.data_type().clone(),
            array.null_count() > 0,
        ));
        ArrowColumn { field, array }
    }
}

fn pylist<'py>(py: Python<'py>, a: &dyn Array) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    macro_rules! ints {
        ($t:ty) => {
            for v in a.as_primitive::<$t>().iter() {
                list.append(v)?;
            }
        };
    }
    match a.data_type() {
        DataType::Int64 => ints!(Int64Type),
        DataType::UInt64 => ints!(UInt64Type),
        DataType::Int32 => ints!(Int32Type),
        DataType::UInt32 => ints!(UInt32Type),
        DataType::UInt8 => ints!(UInt8Type),
        DataType::Boolean => {
            for v in a.as_boolean().iter() {
                list.append(v)?;
            }
        }
        DataType::Utf8 => {
            for v in a.as_string::<i32>().iter() {
                list.append(v)?;
            }
        }
        DataType::Timestamp(TimeUnit::Microsecond, Some(_)) => {
            for v in a.as_primitive::<TimestampMicrosecondType>().iter() {
                match v.map(Timestamp::from_micros) {
                    Some(Ok(t)) => list.append(datetime(py, t)?)?,
                    _ => list.append(py.None())?,
                }
            }
        }
        other => {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "to_pylist does not support Arrow type {other}; use to_pyarrow()"
            )));
        }
    }
    Ok(list)
}

#[pymethods]
impl ArrowColumn {
    /// The column name.
    #[getter]
    fn name(&self) -> &str {
        self.field.name()
    }

    /// The Arrow data type, as text (e.g. `uint8`, `Utf8`).
    #[getter]
    fn r#type(&self) -> String {
        self.field.data_type().to_string()
    }

    fn __len__(&self) -> usize {
        self.array.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "ArrowColumn(name={:?}, type={}, len={})",
            self.field.name(),
            self.field.data_type(),
            self.array.len()
        )
    }

    /// The Arrow C schema capsule (PyCapsule interface).
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        Ok(to_schema_pycapsule(py, self.field.as_ref())?)
    }

    /// The Arrow C (schema, array) capsules (PyCapsule interface).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        Ok(to_array_pycapsules(
            py,
            self.field.clone(),
            &self.array,
            requested_schema,
        )?)
    }

    /// The Arrow C stream capsule (PyCapsule interface).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let reader = ArrayIterator::new(vec![Ok(self.array.clone())], self.field.clone());
        Ok(to_stream_pycapsule(py, Box::new(reader), requested_schema)?)
    }

    /// The values as a Python list (no third-party import).
    fn to_pylist<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        pylist(py, &self.array)
    }

    /// A `pyarrow.Array` sharing this column's memory (imports pyarrow).
    fn to_pyarrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("pyarrow")?.call_method1("array", (slf,))
    }

    /// A `polars.Series` (imports polars).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let kw = PyDict::new(slf.py());
        kw.set_item("name", slf.get().field.name())?;
        kw.set_item("values", slf)?;
        slf.py()
            .import("polars")?
            .getattr("Series")?
            .call((), Some(&kw))
    }

    /// A `pandas.Series` (imports pandas and pyarrow).
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::to_pyarrow(slf)?
            .call_method0("to_pandas")?
            .call_method1("rename", (slf.get().field.name(),))
    }
}

/// An output table: one Arrow record batch.
#[pyclass(frozen, module = "zhiyuan._zhiyuan", name = "ArrowTable")]
pub struct ArrowTable {
    batch: RecordBatch,
}

impl ArrowTable {
    /// A table of named, equally long columns.
    pub(crate) fn new(columns: Vec<ArrowColumn>) -> PyResult<Self> {
        let fields: Vec<FieldRef> = columns.iter().map(|c| c.field.clone()).collect();
        let arrays: Vec<ArrayRef> = columns.into_iter().map(|c| c.array).collect();
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        Ok(ArrowTable { batch })
    }

    /// The same table with schema metadata (provenance such as the policy
    /// hash), which pyarrow and polars readers see with the schema.
    pub(crate) fn with_metadata(
        self,
        pairs: impl IntoIterator<Item = (String, String)>,
    ) -> PyResult<Self> {
        let schema = self.batch.schema().as_ref().clone();
        let schema = schema.with_metadata(pairs.into_iter().collect());
        let batch = self
            .batch
            .with_schema(Arc::new(schema))
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        Ok(ArrowTable { batch })
    }

    /// The batch as one struct column: the C stream interface carries a
    /// table as a stream of struct arrays. Shares the column buffers.
    fn as_struct(&self) -> ArrowColumn {
        ArrowColumn {
            field: Arc::new(
                Field::new_struct("", self.batch.schema().fields().clone(), false)
                    .with_metadata(self.batch.schema().metadata().clone()),
            ),
            array: Arc::new(StructArray::from(self.batch.clone())),
        }
    }
}

#[pymethods]
impl ArrowTable {
    /// Number of rows.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }

    /// Column names, in order.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    /// The column `name`.
    fn column(&self, name: &str) -> PyResult<ArrowColumn> {
        let schema = self.batch.schema();
        let (i, field) = schema
            .column_with_name(name)
            .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(format!("no column {name:?}")))?;
        Ok(ArrowColumn {
            field: Arc::new(field.clone()),
            array: self.batch.column(i).clone(),
        })
    }

    /// The schema metadata (e.g. `policy_hash`, `as_of` of a decision
    /// table); empty for most tables.
    #[getter]
    fn metadata(&self) -> std::collections::BTreeMap<String, String> {
        self.batch
            .schema()
            .metadata()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }

    fn __repr__(&self) -> String {
        let cols: Vec<String> = self
            .batch
            .schema()
            .fields()
            .iter()
            .map(|f| format!("{}: {}", f.name(), f.data_type()))
            .collect();
        format!(
            "ArrowTable(rows={}, columns=[{}])",
            self.batch.num_rows(),
            cols.join(", ")
        )
    }

    /// The Arrow C schema capsule (PyCapsule interface): a struct of the
    /// columns, as for a record batch.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        self.as_struct().__arrow_c_schema__(py)
    }

    /// The table as one struct array (PyCapsule interface).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        self.as_struct().__arrow_c_array__(py, requested_schema)
    }

    /// The Arrow C stream capsule (PyCapsule interface).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        self.as_struct().__arrow_c_stream__(py, requested_schema)
    }

    /// `{column: [values…]}` (no third-party import).
    fn to_pydict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (f, a) in self
            .batch
            .schema()
            .fields()
            .iter()
            .zip(self.batch.columns())
        {
            d.set_item(f.name(), pylist(py, a)?)?;
        }
        Ok(d)
    }

    /// A `pyarrow.Table` sharing this table's memory (imports pyarrow).
    fn to_pyarrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("pyarrow")?.call_method1("table", (slf,))
    }

    /// A `polars.DataFrame` (imports polars).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("polars")?.call_method1("DataFrame", (slf,))
    }

    /// A `pandas.DataFrame` (imports pandas and pyarrow).
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::to_pyarrow(slf)?.call_method0("to_pandas")
    }
}
