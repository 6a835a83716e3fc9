//! Typed, validating readers of Arrow input columns, shared by the Python
//! module (`py/src/arrow.rs`) and the fuzz targets (`core/fuzz`).
//!
//! Pure conversion: a [`Column`] (one or more chunks of one Arrow type) is
//! read as `i64`s, ids, instants, booleans or text, checking the type, nulls
//! and ranges and answering with a [`zhiyuan::Error`] whose field names the
//! column and row (`minutes[3]: null value; …`). No domain behaviour lives
//! here; the bindings map the error to their own exception type. Matching
//! types are read in place: an `int64` column in one chunk is borrowed.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{ArrayRef, Int64Array};
//! use arrow_schema::DataType;
//! use zhiyuan_arrow::Column;
//! let a: ArrayRef = Arc::new(Int64Array::from(vec![Some(1), None]));
//! let c = Column::new("minutes", DataType::Int64, vec![a]);
//! let err = c.i64s().unwrap_err();
//! assert_eq!(err.to_string(), "minutes[1]: null value; this column must not contain nulls");
//! ```
#![deny(missing_docs)]

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, Int8Array, Int16Array, Int32Array, Int64Array, RecordBatch, UInt8Array,
    UInt16Array, UInt32Array, UInt64Array,
};
use arrow_schema::{DataType, Schema, TimeUnit};
use std::borrow::Cow;
use std::sync::Arc;
use zhiyuan::Error;
use zhiyuan::labels::{Codes, Labels};
use zhiyuan::time::Timestamp;

/// Result of a reader: a core `InvalidInput` error naming the column.
pub type Result<T> = std::result::Result<T, Error>;

/// An input table: every batch read from the producer, one schema.
#[derive(Clone, Debug)]
pub struct Table {
    schema: Arc<Schema>,
    batches: Vec<RecordBatch>,
}

impl Table {
    /// A table of `batches`, all of `schema`.
    pub fn new(schema: Arc<Schema>, batches: Vec<RecordBatch>) -> Table {
        Table { schema, batches }
    }

    /// The schema every batch shares.
    pub fn schema(&self) -> &Arc<Schema> {
        &self.schema
    }

    /// The batches, in stream order.
    pub fn batches(&self) -> &[RecordBatch] {
        &self.batches
    }

    /// The column names, in schema order.
    pub fn names(&self) -> Vec<&str> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect()
    }

    /// Whether the table has a column `name`.
    pub fn has_column(&self, name: &str) -> bool {
        self.schema.column_with_name(name).is_some()
    }

    /// The column `name`; a missing column is an error naming it and listing
    /// the columns present.
    pub fn column(&self, name: &str) -> Result<Column> {
        let Some((i, field)) = self.schema.column_with_name(name) else {
            return Err(missing_column(name, self.names()));
        };
        let mut chunks = Vec::with_capacity(self.batches.len());
        for b in &self.batches {
            // A batch whose schema disagrees with the table's is the
            // producer's fault; name the column rather than index past it.
            match b.columns().get(i) {
                Some(c) if c.data_type() == field.data_type() => chunks.push(c.clone()),
                _ => {
                    return Err(Error::invalid_input(
                        name,
                        "a batch does not match the table schema",
                    ));
                }
            }
        }
        Ok(Column {
            name: name.to_owned(),
            data_type: field.data_type().clone(),
            chunks,
        })
    }
}

/// The error for a missing column `field` of a table with columns `have`.
pub fn missing_column(field: &str, have: Vec<&str>) -> Error {
    Error::invalid_input(
        field,
        format!(
            "missing column; the table has columns [{}]",
            have.join(", ")
        ),
    )
}

/// A label column read by [`Column::labels`]: the dictionary's codes
/// (shared with the producer) and its parsed entries, or one parsed value
/// per row.
#[derive(Clone, Debug)]
pub enum LabelColumn<T> {
    /// One value per row.
    Values(Vec<T>),
    /// Codes into `labels`.
    Coded {
        /// The dictionary's keys, in their own integer type.
        keys: KeyArray,
        /// The dictionary's entries, parsed.
        labels: Vec<T>,
    },
}

impl<T: Copy> LabelColumn<T> {
    /// The borrowed form the core kernels read.
    pub fn labels(&self) -> Labels<'_, T> {
        match self {
            LabelColumn::Values(v) => Labels::Values(v),
            LabelColumn::Coded { keys, labels } => Labels::Coded {
                codes: keys.codes(),
                labels,
            },
        }
    }
}

/// Dictionary keys of any Arrow integer type.
#[derive(Clone, Debug)]
pub enum KeyArray {
    /// `int8` keys.
    I8(Int8Array),
    /// `int16` keys.
    I16(Int16Array),
    /// `int32` keys.
    I32(Int32Array),
    /// `int64` keys.
    I64(Int64Array),
    /// `uint8` keys.
    U8(UInt8Array),
    /// `uint16` keys.
    U16(UInt16Array),
    /// `uint32` keys.
    U32(UInt32Array),
    /// `uint64` keys.
    U64(UInt64Array),
}

impl KeyArray {
    /// The typed keys of `keys`, if an integer array.
    fn of(keys: &dyn Array) -> Option<KeyArray> {
        Some(match keys.data_type() {
            DataType::Int8 => KeyArray::I8(keys.as_primitive::<Int8Type>().clone()),
            DataType::Int16 => KeyArray::I16(keys.as_primitive::<Int16Type>().clone()),
            DataType::Int32 => KeyArray::I32(keys.as_primitive::<Int32Type>().clone()),
            DataType::Int64 => KeyArray::I64(keys.as_primitive::<Int64Type>().clone()),
            DataType::UInt8 => KeyArray::U8(keys.as_primitive::<UInt8Type>().clone()),
            DataType::UInt16 => KeyArray::U16(keys.as_primitive::<UInt16Type>().clone()),
            DataType::UInt32 => KeyArray::U32(keys.as_primitive::<UInt32Type>().clone()),
            DataType::UInt64 => KeyArray::U64(keys.as_primitive::<UInt64Type>().clone()),
            _ => return None,
        })
    }

    /// The keys as core codes (borrowed).
    pub fn codes(&self) -> Codes<'_> {
        match self {
            KeyArray::I8(k) => Codes::I8(k.values()),
            KeyArray::I16(k) => Codes::I16(k.values()),
            KeyArray::I32(k) => Codes::I32(k.values()),
            KeyArray::I64(k) => Codes::I64(k.values()),
            KeyArray::U8(k) => Codes::U8(k.values()),
            KeyArray::U16(k) => Codes::U16(k.values()),
            KeyArray::U32(k) => Codes::U32(k.values()),
            KeyArray::U64(k) => Codes::U64(k.values()),
        }
    }
}

/// One input column (possibly chunked), named for errors.
#[derive(Clone, Debug)]
pub struct Column {
    name: String,
    data_type: DataType,
    chunks: Vec<ArrayRef>,
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
    /// A column named `name` of `data_type`. Chunks of another type are
    /// refused by every reader with a wrong-type error, never read.
    pub fn new(name: &str, data_type: DataType, chunks: Vec<ArrayRef>) -> Column {
        Column {
            name: name.to_owned(),
            data_type,
            chunks,
        }
    }

    /// The column's name in errors.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The Arrow type.
    pub fn data_type(&self) -> &DataType {
        &self.data_type
    }

    /// The same column, named `name` in errors (for a column passed under
    /// a dict key, whatever its Arrow field name).
    pub fn named(mut self, name: &str) -> Self {
        name.clone_into(&mut self.name);
        self
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.len()).sum()
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn wrong_type(&self, want: &str) -> Error {
        Error::invalid_input(
            &self.name,
            format!("expected {want}, got Arrow type {}", self.data_type),
        )
    }

    /// Every chunk must carry the declared type; otherwise the typed casts
    /// below would panic.
    fn uniform(&self) -> Result<()> {
        if self.chunks.iter().all(|c| c.data_type() == &self.data_type) {
            Ok(())
        } else {
            Err(Error::invalid_input(
                &self.name,
                format!("chunks of mixed Arrow types (declared {})", self.data_type),
            ))
        }
    }

    /// Whether the column holds text.
    pub fn is_text(&self) -> bool {
        matches!(
            self.data_type,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        )
    }

    /// An error about row `row` (`name[row]: reason`).
    pub fn at(&self, row: usize, reason: impl Into<String>) -> Error {
        Error::invalid_input(format!("{}[{row}]", self.name), reason)
    }

    /// The chunks as they arrived, for zero-copy readers of other types.
    pub fn chunks(&self) -> &[ArrayRef] {
        &self.chunks
    }

    /// Errors on the first null or on chunks of another type than the
    /// column's; `false` for an empty column of Arrow type `null` (which has
    /// no values to read).
    pub fn non_null(&self) -> Result<bool> {
        if self.null_typed()? {
            return Ok(false);
        }
        self.no_nulls()?;
        Ok(true)
    }

    /// The column's text mapped by `parse`: `string`, `large_string`,
    /// `string_view`, or a dictionary of those whose entries are parsed once
    /// each and whose keys are read in their own type (no per-row index
    /// buffer). A value `parse` rejects is an error naming `name[row]` with
    /// `why(value)`; unused dictionary entries are fine. Nulls are errors.
    pub fn parse_text<T: Copy>(
        &self,
        parse: impl Fn(&str) -> Option<T>,
        why: impl Fn(&str) -> String,
    ) -> Result<Vec<T>> {
        if !self.non_null()? {
            return Ok(Vec::new());
        }
        let mut out = Vec::with_capacity(self.len());
        for (start, c) in with_offsets(&self.chunks) {
            let one = |i: usize, s: &str| parse(s).ok_or_else(|| self.at(start + i, why(s)));
            match c.data_type() {
                DataType::Utf8 => {
                    for (i, s) in c.as_string::<i32>().iter().enumerate() {
                        out.push(one(i, s.unwrap_or_default())?);
                    }
                }
                DataType::LargeUtf8 => {
                    for (i, s) in c.as_string::<i64>().iter().enumerate() {
                        out.push(one(i, s.unwrap_or_default())?);
                    }
                }
                DataType::Utf8View => {
                    for (i, s) in c.as_string_view().iter().enumerate() {
                        out.push(one(i, s.unwrap_or_default())?);
                    }
                }
                DataType::Dictionary(_, _) => {
                    let d = c.as_any_dictionary();
                    let entries = Column::new(
                        self.name(),
                        d.values().data_type().clone(),
                        vec![d.values().clone()],
                    );
                    let entries = entries.texts()?;
                    let parsed: Vec<Option<T>> = entries.iter().map(|s| parse(s)).collect();
                    let mut push = |i: usize, k: usize| match parsed.get(k).copied().flatten() {
                        Some(v) => {
                            out.push(v);
                            Ok(())
                        }
                        None => Err(one(i, entries.get(k).copied().unwrap_or_default())
                            .err()
                            .unwrap_or_else(|| self.at(start + i, "dictionary key out of range"))),
                    };
                    let keys = d.keys();
                    macro_rules! typed_keys {
                        ($t:ty) => {
                            for (i, &k) in keys.as_primitive::<$t>().values().iter().enumerate() {
                                push(i, usize::try_from(k).unwrap_or(usize::MAX))?;
                            }
                        };
                    }
                    match keys.data_type() {
                        DataType::UInt8 => typed_keys!(UInt8Type),
                        DataType::UInt16 => typed_keys!(UInt16Type),
                        DataType::UInt32 => typed_keys!(UInt32Type),
                        DataType::Int8 => typed_keys!(Int8Type),
                        DataType::Int16 => typed_keys!(Int16Type),
                        DataType::Int32 => typed_keys!(Int32Type),
                        _ => {
                            for (i, k) in d.normalized_keys().into_iter().enumerate() {
                                push(i, k)?;
                            }
                        }
                    }
                }
                _ => return Err(self.wrong_type("a string or dictionary<string> column")),
            }
        }
        Ok(out)
    }

    /// Every slot of a text column (nulls as empty strings: the caller has
    /// checked there are none where they matter).
    fn texts(&self) -> Result<Vec<&str>> {
        let mut out = Vec::with_capacity(self.len());
        for c in &self.chunks {
            match c.data_type() {
                DataType::Utf8 => {
                    out.extend(c.as_string::<i32>().iter().map(Option::unwrap_or_default))
                }
                DataType::LargeUtf8 => {
                    out.extend(c.as_string::<i64>().iter().map(Option::unwrap_or_default))
                }
                DataType::Utf8View => {
                    out.extend(c.as_string_view().iter().map(Option::unwrap_or_default))
                }
                _ => return Err(self.wrong_type("a string or dictionary<string> column")),
            }
        }
        Ok(out)
    }

    /// Whether the column is of Arrow type `null` (polars and pyarrow infer
    /// it for an empty list): fine when empty, a null error otherwise.
    fn null_typed(&self) -> Result<bool> {
        self.uniform()?;
        if self.data_type != DataType::Null {
            return Ok(false);
        }
        if !self.is_empty() {
            return Err(self.at(0, "null value; this column must not contain nulls"));
        }
        Ok(true)
    }

    fn no_nulls(&self) -> Result<()> {
        for (start, c) in with_offsets(&self.chunks) {
            if c.null_count() > 0 {
                let i = (0..c.len()).find(|&i| c.is_null(i)).unwrap_or(0);
                return Err(self.at(start + i, "null value; this column must not contain nulls"));
            }
        }
        Ok(())
    }

    /// The column as per-row labels for a core kernel: a one-chunk
    /// dictionary whose entries all parse is kept as it is (its codes
    /// borrowed, its entries parsed once: no per-row pass, no allocation);
    /// anything else is read with [`Column::parse_text`], whose errors
    /// (naming the first row holding a bad value) it shares.
    pub fn labels<T: Copy>(
        &self,
        parse: impl Fn(&str) -> Option<T>,
        why: impl Fn(&str) -> String,
    ) -> Result<LabelColumn<T>> {
        if let ([c], DataType::Dictionary(_, _)) = (self.chunks.as_slice(), &self.data_type)
            && self.non_null()?
        {
            let d = c.as_any_dictionary();
            let entries = Column::new(
                self.name(),
                d.values().data_type().clone(),
                vec![d.values().clone()],
            );
            // An entry that is null or does not parse may be unused; the
            // row-by-row reader below decides, and names the row if not.
            if d.values().null_count() == 0
                && let Ok(texts) = entries.texts()
                && let Some(labels) = texts.iter().map(|s| parse(s)).collect::<Option<Vec<T>>>()
                && let Some(keys) = KeyArray::of(d.keys())
            {
                return Ok(LabelColumn::Coded { keys, labels });
            }
        }
        self.parse_text(parse, why).map(LabelColumn::Values)
    }

    /// The column as `i64`s, borrowed when it is one `int64` chunk; narrower
    /// integer types are widened. Nulls are errors.
    pub fn i64s(&self) -> Result<Cow<'_, [i64]>> {
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
    pub fn u64s(&self) -> Result<Cow<'_, [u64]>> {
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
    pub fn opt_u64s(&self) -> Result<Vec<Option<u64>>> {
        self.uniform()?;
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
    fn u64_values(&self) -> Result<Vec<u64>> {
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
    pub fn timestamps(&self) -> Result<Vec<Timestamp>> {
        if self.null_typed()? {
            return Ok(Vec::new());
        }
        let (mul, div) = match &self.data_type {
            DataType::Timestamp(_, None) => {
                return Err(Error::invalid_input(
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

    /// The column as instants in UTC microseconds, checked as
    /// [`Column::timestamps`] checks them (same errors), and borrowed when
    /// it is one `timestamp[us, tz]` or `int64` chunk: a 20M-row time
    /// column is then read in place instead of copied twice.
    pub fn micros(&self) -> Result<Cow<'_, [i64]>> {
        if let ([c], DataType::Timestamp(TimeUnit::Microsecond, Some(_)) | DataType::Int64) =
            (self.chunks.as_slice(), &self.data_type)
            && c.null_count() == 0
        {
            let v: &[i64] = match &self.data_type {
                DataType::Int64 => c.as_primitive::<Int64Type>().values(),
                _ => c.as_primitive::<TimestampMicrosecondType>().values(),
            };
            let (lo, hi) = (Timestamp::MIN.as_micros(), Timestamp::MAX.as_micros());
            // Out-of-range values take the copying path, which names them.
            if v.iter().fold(true, |ok, &t| ok & (lo..=hi).contains(&t)) {
                return Ok(Cow::Borrowed(v));
            }
        }
        Ok(Cow::Owned(
            self.timestamps()?
                .into_iter()
                .map(Timestamp::as_micros)
                .collect(),
        ))
    }

    /// The column as booleans (Arrow `bool`). Nulls are errors.
    pub fn bools(&self) -> Result<Vec<bool>> {
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
    pub fn strs(&self) -> Result<Vec<&str>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int32Array, Int64Array, StringArray, TimestampMicrosecondArray};

    fn col(t: DataType, chunks: Vec<ArrayRef>) -> Column {
        Column::new("c", t, chunks)
    }

    fn status(s: &str) -> Option<u8> {
        ["submitted", "approved"]
            .iter()
            .position(|x| *x == s)
            .map(|i| i as u8)
    }

    fn rows(l: &LabelColumn<u8>) -> Vec<Option<u8>> {
        let l = l.labels();
        (0..l.len()).map(|r| l.get(r)).collect()
    }

    #[test]
    fn labels_keep_one_chunk_dictionaries_and_parse_the_rest() {
        use arrow_array::DictionaryArray;
        use arrow_array::types::Int8Type;
        let why = |s: &str| format!("{s:?} is not a status");
        let dict = |keys: Vec<i8>, values: Vec<&str>| -> ArrayRef {
            Arc::new(
                DictionaryArray::<Int8Type>::try_new(
                    keys.into(),
                    Arc::new(StringArray::from(values)),
                )
                .unwrap(),
            )
        };
        let d = dict(vec![1, 0, 1], vec!["submitted", "approved"]);
        let t = d.data_type().clone();
        let c = col(t.clone(), vec![d]);
        let l = c.labels(status, why).unwrap();
        assert!(matches!(l, LabelColumn::Coded { .. }));
        assert_eq!(rows(&l), [Some(1), Some(0), Some(1)]);
        // An unused entry that does not parse: read row by row, fine.
        let c = col(t.clone(), vec![dict(vec![1, 1], vec!["bogus", "approved"])]);
        let l = c.labels(status, why).unwrap();
        assert!(matches!(l, LabelColumn::Values(_)));
        assert_eq!(rows(&l), [Some(1), Some(1)]);
        // Used: the row is named.
        let c = col(t.clone(), vec![dict(vec![1, 0], vec!["bogus", "approved"])]);
        assert_eq!(
            c.labels(status, why).unwrap_err().to_string(),
            "c[1]: \"bogus\" is not a status"
        );
        // Two chunks (dictionaries may differ): parsed, rows global.
        let a = dict(vec![0], vec!["approved"]);
        let b = dict(vec![0, 1], vec!["submitted", "approved"]);
        let l = col(t.clone(), vec![a, b]).labels(status, why).unwrap();
        assert_eq!(rows(&l), [Some(1), Some(0), Some(1)]);
        // A null key is an error, not a label.
        let keys: arrow_array::Int8Array = vec![Some(0), None].into();
        let nulls: ArrayRef = Arc::new(
            DictionaryArray::<Int8Type>::try_new(
                keys,
                Arc::new(StringArray::from(vec!["approved"])),
            )
            .unwrap(),
        );
        assert!(
            col(t, vec![nulls])
                .labels(status, why)
                .unwrap_err()
                .to_string()
                .starts_with("c[1]: null value")
        );
    }

    #[test]
    fn mixed_chunk_types_are_an_error_not_a_panic() {
        let a: ArrayRef = Arc::new(Int64Array::from(vec![1]));
        let b: ArrayRef = Arc::new(Int32Array::from(vec![2]));
        let c = col(DataType::Int64, vec![a, b]);
        for e in [
            c.i64s().map(|_| ()).unwrap_err(),
            c.u64s().map(|_| ()).unwrap_err(),
            c.opt_u64s().map(|_| ()).unwrap_err(),
            c.timestamps().map(|_| ()).unwrap_err(),
            c.strs().map(|_| ()).unwrap_err(),
        ] {
            assert_eq!(
                e.to_string(),
                "c: chunks of mixed Arrow types (declared Int64)"
            );
        }
    }

    #[test]
    fn errors_name_the_global_row_across_chunks() {
        let a: ArrayRef = Arc::new(Int64Array::from(vec![1, 2]));
        let b: ArrayRef = Arc::new(Int64Array::from(vec![Some(3), Some(-4)]));
        let c = col(DataType::Int64, vec![a, b]);
        assert_eq!(c.i64s().unwrap().as_ref(), &[1, 2, 3, -4]);
        assert_eq!(
            c.u64s().unwrap_err().to_string(),
            "c[3]: -4 is negative; ids are >= 0"
        );
    }

    #[test]
    fn timestamps_check_zone_range_and_nulls() {
        let naive: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![0]));
        let c = col(
            DataType::Timestamp(TimeUnit::Microsecond, None),
            vec![naive],
        );
        assert!(
            c.timestamps()
                .unwrap_err()
                .to_string()
                .contains("no time zone")
        );
        let big: ArrayRef = Arc::new(Int64Array::from(vec![0, i64::MAX]));
        let c = col(DataType::Int64, vec![big]);
        assert!(
            c.timestamps()
                .unwrap_err()
                .to_string()
                .starts_with("c[1]: ")
        );
        let s: ArrayRef = Arc::new(StringArray::from(vec![Some("a"), None]));
        let c = col(DataType::Utf8, vec![s]);
        assert_eq!(
            c.strs().unwrap_err().to_string(),
            "c[1]: null value; this column must not contain nulls"
        );
    }

    #[test]
    fn micros_borrow_one_checked_chunk_and_fail_as_timestamps_do() {
        let tz = DataType::Timestamp(TimeUnit::Microsecond, Some("+08:00".into()));
        let us: ArrayRef =
            Arc::new(TimestampMicrosecondArray::from(vec![5, -7]).with_timezone("+08:00"));
        let c = col(tz.clone(), vec![us.clone()]);
        assert!(matches!(c.micros().unwrap(), Cow::Borrowed(&[5, -7])));
        // Two chunks are joined into a copy.
        let c = col(tz, vec![us.clone(), us]);
        assert!(matches!(c.micros().unwrap(), Cow::Owned(ref v) if v == &[5, -7, 5, -7]));
        let ms: ArrayRef =
            Arc::new(arrow_array::TimestampMillisecondArray::from(vec![2]).with_timezone("UTC"));
        let c = col(
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            vec![ms],
        );
        assert_eq!(c.micros().unwrap().as_ref(), &[2000]);
        for bad in [
            col(
                DataType::Int64,
                vec![Arc::new(Int64Array::from(vec![0, i64::MIN]))],
            ),
            col(
                DataType::Int64,
                vec![Arc::new(Int64Array::from(vec![Some(0), None]))],
            ),
            col(
                DataType::Timestamp(TimeUnit::Microsecond, None),
                vec![Arc::new(TimestampMicrosecondArray::from(vec![0]))],
            ),
        ] {
            assert_eq!(
                bad.micros().unwrap_err().to_string(),
                bad.timestamps().unwrap_err().to_string()
            );
        }
    }

    #[test]
    fn a_batch_not_matching_the_schema_is_an_error() {
        use arrow_schema::Field;
        let schema = Arc::new(Schema::new(vec![Field::new("a", DataType::Int64, false)]));
        let b = RecordBatch::try_new(
            Arc::new(Schema::new(vec![Field::new("a", DataType::Int32, false)])),
            vec![Arc::new(Int32Array::from(vec![1]))],
        )
        .unwrap();
        let t = Table::new(schema, vec![b]);
        assert!(t.column("a").is_err());
        assert_eq!(
            t.column("zz").unwrap_err().to_string(),
            "zz: missing column; the table has columns [a]"
        );
    }
}
