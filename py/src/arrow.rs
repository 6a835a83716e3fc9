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
use crate::errors::to_py_err;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int32Type, Int64Type, TimestampMicrosecondType, UInt8Type, UInt32Type, UInt64Type,
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
use zhiyuan_arrow::{LabelColumn, missing_column};

/// An input table: every batch read from the producer, one schema. The
/// readers live in `zhiyuan_arrow` (pure Rust, fuzzed); this wrapper reads
/// the PyCapsule and maps their errors to `ValidationError`.
pub(crate) struct Table(zhiyuan_arrow::Table);

impl Table {
    /// Reads a table from any Arrow PyCapsule producer. `param` names the
    /// argument in errors.
    pub(crate) fn from_py(obj: &Bound<'_, PyAny>, param: &str) -> PyResult<Table> {
        let any: AnyRecordBatch = obj.extract().map_err(|_| not_arrow(obj, param, "table"))?;
        let reader = any.into_reader()?;
        let schema = reader.schema();
        let batches = reader.collect::<Result<Vec<_>, _>>().map_err(|e| {
            // arrow-rs refuses some producers' all-null columns (Arrow type
            // `null` with buffers); name them, the likeliest cause.
            let nulls: Vec<&str> = schema
                .fields()
                .iter()
                .filter(|f| f.data_type() == &DataType::Null)
                .map(|f| f.name().as_str())
                .collect();
            let hint = if nulls.is_empty() {
                String::new()
            } else {
                format!(
                    "; column(s) {} hold only nulls (Arrow type null)",
                    nulls.join(", ")
                )
            };
            invalid(param, format!("cannot read the Arrow stream: {e}{hint}"))
        })?;
        Ok(Table(zhiyuan_arrow::Table::new(schema, batches)))
    }

    fn names(&self) -> Vec<&str> {
        self.0.names()
    }

    /// Whether the table has a column `name`.
    pub(crate) fn has_column(&self, name: &str) -> bool {
        self.0.has_column(name)
    }

    /// The column `name`; a missing column raises a `ValidationError` naming
    /// it and listing the columns present.
    pub(crate) fn column(&self, name: &str) -> PyResult<Column> {
        self.0.column(name).map(Column).map_err(to_py_err)
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
            Source::Table(t) => Err(to_py_err(missing_column(&full, t.names()))),
            Source::Dict(d) => match d.iter().find(|(n, _)| n == name) {
                Some((_, c)) => Ok(c.clone()),
                None => Err(to_py_err(missing_column(
                    &full,
                    d.iter().map(|(n, _)| n.as_str()).collect(),
                ))),
            },
        }
    }
}

/// One input column (possibly chunked), named for errors.
#[derive(Clone)]
pub(crate) struct Column(zhiyuan_arrow::Column);

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
            param
        } else {
            field.name().as_str()
        };
        Ok(Column(zhiyuan_arrow::Column::new(
            name,
            field.data_type().clone(),
            chunks,
        )))
    }

    /// The column's name in errors.
    pub(crate) fn name(&self) -> &str {
        self.0.name()
    }

    /// The same column, named `name` in errors (for a column passed under
    /// a dict key, whatever its Arrow field name).
    pub(crate) fn named(self, name: &str) -> Self {
        Column(self.0.named(name))
    }

    /// Number of rows.
    #[allow(dead_code, reason = "part of the reader API the batch kernels use")]
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the column holds text.
    pub(crate) fn is_text(&self) -> bool {
        self.0.is_text()
    }

    /// A `ValidationError` about row `row` (`name[row]: reason`).
    pub(crate) fn at(&self, row: usize, reason: impl Into<String>) -> PyErr {
        to_py_err(self.0.at(row, reason))
    }

    /// The column as `i64`s, borrowed when it is one `int64` chunk; narrower
    /// integer types are widened. Nulls are errors.
    pub(crate) fn i64s(&self) -> PyResult<Cow<'_, [i64]>> {
        self.0.i64s().map_err(to_py_err)
    }

    /// The column as ids (`u64`), borrowed when it is one `uint64` chunk;
    /// signed integers must not be negative. Nulls are errors.
    pub(crate) fn u64s(&self) -> PyResult<Cow<'_, [u64]>> {
        self.0.u64s().map_err(to_py_err)
    }

    /// The column as optional ids: nulls become `None`.
    pub(crate) fn opt_u64s(&self) -> PyResult<Vec<Option<u64>>> {
        self.0.opt_u64s().map_err(to_py_err)
    }

    /// The column as instants (see `zhiyuan_arrow::Column::timestamps`):
    /// zone-aware timestamps or int64 UTC microseconds; naive ones, nulls
    /// and out-of-range values raise.
    pub(crate) fn timestamps(&self) -> PyResult<Vec<Timestamp>> {
        self.0.timestamps().map_err(to_py_err)
    }

    /// The column as UTC microseconds (the checks of `timestamps`),
    /// borrowed when it is one `timestamp[us, tz]` or `int64` chunk.
    pub(crate) fn micros(&self) -> PyResult<Cow<'_, [i64]>> {
        self.0.micros().map_err(to_py_err)
    }

    /// The column as booleans (Arrow `bool`). Nulls are errors.
    pub(crate) fn bools(&self) -> PyResult<Vec<bool>> {
        self.0.bools().map_err(to_py_err)
    }

    /// The column as text (`string`, `large_string` or `string_view`). Nulls
    /// are errors.
    pub(crate) fn strs(&self) -> PyResult<Vec<&str>> {
        self.0.strs().map_err(to_py_err)
    }
}

impl Column {
    /// The column's text mapped by `parse` (see
    /// `zhiyuan_arrow::Column::parse_text`); a rejected value raises a
    /// `ValidationError` naming `name[row]` with `why(value)`.
    pub(crate) fn parse_text<T: Copy>(
        &self,
        parse: impl Fn(&str) -> Option<T>,
        why: impl Fn(&str) -> String,
    ) -> PyResult<Vec<T>> {
        self.0.parse_text(parse, why).map_err(to_py_err)
    }

    /// The column as per-row labels, a dictionary's codes kept as they are
    /// (see `zhiyuan_arrow::Column::labels`); errors as [`Column::parse_text`].
    pub(crate) fn labels<T: Copy>(
        &self,
        parse: impl Fn(&str) -> Option<T>,
        why: impl Fn(&str) -> String,
    ) -> PyResult<LabelColumn<T>> {
        self.0.labels(parse, why).map_err(to_py_err)
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

    /// Pickles as column `name` of a one-column `ArrowTable` (which
    /// pickles through pyarrow).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> crate::convert::Reduced<'py> {
        let py = slf.py();
        let c = slf.get();
        let t = ArrowTable::new(vec![ArrowColumn {
            field: c.field.clone(),
            array: c.array.clone(),
        }])?;
        Ok((
            Bound::new(py, t)?.getattr("column")?,
            PyTuple::new(py, [c.field.name().as_str()])?,
        ))
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

    /// A table from any Arrow producer (an object with
    /// `__arrow_c_stream__` or `__arrow_c_array__`: pyarrow, polars, …);
    /// its batches are concatenated into one.
    #[staticmethod]
    fn from_arrow(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let t = Table::from_py(data, "data")?;
        let batch = arrow_select::concat::concat_batches(t.0.schema(), t.0.batches())
            .map_err(|e| invalid("data", format!("cannot join the Arrow batches: {e}")))?;
        Ok(ArrowTable { batch })
    }

    /// Pickles through a `pyarrow.Table` (Arrow IPC inside), so pickling
    /// needs pyarrow; unpickling rebuilds with `from_arrow`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> crate::convert::Reduced<'py> {
        let py = slf.py();
        Ok((
            py.get_type::<Self>().getattr("from_arrow")?,
            PyTuple::new(py, [Self::to_pyarrow(slf)?])?,
        ))
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

// Small accessors for readers in other files (py/src/hours_table.rs).
impl Column {
    /// The Arrow type and chunks, for zero-copy readers elsewhere.
    pub(crate) fn raw(&self) -> (&DataType, &[ArrayRef]) {
        (self.0.data_type(), self.0.chunks())
    }

    /// Errors on the first null; `false` for an empty column of Arrow type
    /// `null` (which has no values to read).
    pub(crate) fn non_null(&self) -> PyResult<bool> {
        self.0.non_null().map_err(to_py_err)
    }
}
