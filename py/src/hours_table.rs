//! Batch kernels over a records table: `hours_by_period`, `unit_minutes`,
//! `find_overlaps` and the merges of their partial tables.
//!
//! Columns are read in place where the layout allows: one-chunk `uint64` or
//! `int64` (checked ≥ 0) ids and one-chunk `int64` / `timestamp[us, tz]`
//! times are shared with the producer, not copied. Status and kind are
//! strings or dictionary-encoded strings (pyarrow `dictionary`, polars
//! `Categorical`/`Enum`). The kernels run in core with the interpreter
//! released.

use crate::arrow::{ArrowColumn, ArrowTable, Column, Columns};
use crate::convert::invalid;
use crate::errors::{check, run};
use crate::policy::Policy;
use crate::units::UnitTree;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int64Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt64Type,
};
use arrow_array::{ArrayRef, Int64Array, TimestampMicrosecondArray, UInt64Array};
use arrow_buffer::ScalarBuffer;
use arrow_schema::{DataType, TimeUnit};
use pyo3::prelude::*;
use std::sync::Arc;
use zhiyuan::hours::{RecordKind, RecordStatus};
use zhiyuan::hours_table::{self as core, HoursByPeriod, RecordColumns, UnitMinutes};
use zhiyuan::threads::Threads;
use zhiyuan::time::Grain;
use zhiyuan_arrow::LabelColumn;

/// Ids as `u64`, shared with the producer for one `uint64` chunk or one
/// `int64` chunk with no negative value; copied otherwise.
fn ids(col: &Column) -> PyResult<ScalarBuffer<u64>> {
    let (data_type, chunks) = col.raw();
    if let [c] = chunks
        && col.non_null()?
    {
        match data_type {
            DataType::UInt64 => return Ok(c.as_primitive::<UInt64Type>().values().clone()),
            DataType::Int64 => {
                let v = c.as_primitive::<Int64Type>().values();
                if let Some(row) = v.iter().position(|&x| x < 0) {
                    return Err(col.at(row, format!("{} is negative; ids are >= 0", v[row])));
                }
                // Same bits: every value is non-negative.
                return Ok(ScalarBuffer::new(v.inner().clone(), 0, v.len()));
            }
            _ => {}
        }
    }
    Ok(col.u64s()?.into_owned().into())
}

/// The raw `i64` values of a timestamp or `int64` chunk.
fn raw_i64(data_type: &DataType, c: &ArrayRef) -> ScalarBuffer<i64> {
    match data_type {
        DataType::Timestamp(TimeUnit::Second, _) => {
            c.as_primitive::<TimestampSecondType>().values().clone()
        }
        DataType::Timestamp(TimeUnit::Millisecond, _) => c
            .as_primitive::<TimestampMillisecondType>()
            .values()
            .clone(),
        DataType::Timestamp(TimeUnit::Microsecond, _) => c
            .as_primitive::<TimestampMicrosecondType>()
            .values()
            .clone(),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            c.as_primitive::<TimestampNanosecondType>().values().clone()
        }
        _ => c.as_primitive::<Int64Type>().values().clone(),
    }
}

/// Instants as µs UTC: a timestamp column with a time zone (any unit,
/// nanoseconds floored) or `int64` UTC µs; shared with the producer for
/// one `us` or `int64` chunk. Range checks are the core's (`start[3]: …`).
fn micros(col: &Column) -> PyResult<ScalarBuffer<i64>> {
    let (data_type, chunks) = col.raw();
    let (mul, div) = match data_type {
        DataType::Timestamp(_, None) => {
            return Err(invalid(
                col.name(),
                format!(
                    "{data_type} has no time zone; naive timestamps are rejected \
                     (use a time-zone-aware column or int64 UTC microseconds)"
                ),
            ));
        }
        DataType::Timestamp(TimeUnit::Second, _) => (1_000_000, 1),
        DataType::Timestamp(TimeUnit::Millisecond, _) => (1_000, 1),
        DataType::Timestamp(TimeUnit::Microsecond, _) | DataType::Int64 => (1, 1),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => (1, 1_000),
        DataType::Null => (1, 1),
        other => {
            return Err(invalid(
                col.name(),
                format!(
                    "expected a timestamp column with a time zone, or int64 UTC microseconds, \
                     got Arrow type {other}"
                ),
            ));
        }
    };
    if !col.non_null()? {
        return Ok(ScalarBuffer::from(Vec::new()));
    }
    if let ([c], (1, 1)) = (chunks, (mul, div)) {
        return Ok(raw_i64(data_type, c));
    }
    let mut out = Vec::with_capacity(col.len());
    for c in chunks {
        let base = out.len();
        for (i, &v) in raw_i64(data_type, c).iter().enumerate() {
            let us = v
                .checked_mul(mul)
                .ok_or_else(|| col.at(base + i, format!("{v} is out of range")))?;
            out.push(us.div_euclid(div));
        }
    }
    Ok(out.into())
}

fn parse_status(s: &str) -> Option<RecordStatus> {
    Some(match s {
        "submitted" => RecordStatus::Submitted,
        "approved" => RecordStatus::Approved,
        "rejected" => RecordStatus::Rejected,
        "revoked" => RecordStatus::Revoked,
        _ => return None,
    })
}

fn parse_kind(s: &str) -> Option<RecordKind> {
    s.parse().ok()
}

/// A column of snake_case names (text or dictionary-encoded text) as
/// labels; an unknown name is an error listing the allowed ones.
fn one_of<T: Copy>(
    col: &Column,
    parse: fn(&str) -> Option<T>,
    allowed: &str,
) -> PyResult<LabelColumn<T>> {
    col.labels(parse, |s| format!("{s:?} is not one of {allowed}"))
}

/// The columns a kernel reads, owned (or shared with the producer).
#[derive(Default)]
struct Records {
    id: ScalarBuffer<u64>,
    volunteer: ScalarBuffer<u64>,
    unit: ScalarBuffer<u64>,
    start: ScalarBuffer<i64>,
    end: ScalarBuffer<i64>,
    status: Option<LabelColumn<RecordStatus>>,
    kind: Option<LabelColumn<RecordKind>>,
}

#[derive(Clone, Copy)]
enum Key {
    Id,
    Volunteer,
    Unit,
}

impl Records {
    /// Reads `keys`, start, end, status (if present) and, with `kind`,
    /// kind (if present) from a records table or dict of columns.
    fn read(records: &Bound<'_, PyAny>, keys: &[Key], kind: bool) -> PyResult<Records> {
        let t = Columns::from_py(records, "records", false)?;
        let mut r = Records::default();
        for k in keys {
            match k {
                Key::Id => r.id = ids(&t.column("id")?)?,
                Key::Volunteer => r.volunteer = ids(&t.column("volunteer")?)?,
                Key::Unit => r.unit = ids(&t.column("unit")?)?,
            }
        }
        r.start = micros(&t.column("start")?)?;
        r.end = micros(&t.column("end")?)?;
        const STATUSES: &str = "submitted, approved, rejected, revoked";
        if t.has("status") {
            r.status = Some(one_of(&t.column("status")?, parse_status, STATUSES)?);
        }
        if kind && t.has("kind") {
            r.kind = Some(one_of(&t.column("kind")?, parse_kind, "service, training")?);
        }
        Ok(r)
    }

    fn columns(&self) -> RecordColumns<'_> {
        RecordColumns {
            id: &self.id,
            volunteer: &self.volunteer,
            unit: &self.unit,
            start: &self.start,
            end: &self.end,
            status: self.status.as_ref().map(LabelColumn::labels),
            kind: self.kind.as_ref().map(LabelColumn::labels),
        }
    }
}

/// `+HH:MM` for an offset in minutes, the Arrow time-zone form.
fn tz_name(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

fn threads_arg(threads: Option<usize>) -> PyResult<Threads> {
    check(Threads::from_option(threads))
}

fn hours_table(t: HoursByPeriod, tz: &str) -> PyResult<ArrowTable> {
    let starts = TimestampMicrosecondArray::from(t.period_start).with_timezone(tz);
    ArrowTable::new(vec![
        ArrowColumn::new("volunteer", Arc::new(UInt64Array::from(t.volunteer))),
        ArrowColumn::new("period_start", Arc::new(starts)),
        ArrowColumn::new("minutes", Arc::new(Int64Array::from(t.minutes))),
    ])
}

fn unit_table(t: UnitMinutes) -> PyResult<ArrowTable> {
    ArrowTable::new(vec![
        ArrowColumn::new("unit", Arc::new(UInt64Array::from(t.unit))),
        ArrowColumn::new("own_minutes", Arc::new(Int64Array::from(t.own_minutes))),
        ArrowColumn::new("total_minutes", Arc::new(Int64Array::from(t.total_minutes))),
    ])
}

/// Approved service minutes per volunteer per local period: columns
/// `volunteer` (uint64), `period_start` (timestamp[us] at the policy's
/// offset: the local midnight opening the period) and `minutes` (int64),
/// sorted by (volunteer, period_start). Schema metadata: `policy_hash`,
/// `grain`.
#[pyfunction]
#[pyo3(signature = (policy, records, *, grain="week", threads=None))]
pub fn hours_by_period(
    py: Python<'_>,
    policy: &Bound<'_, Policy>,
    records: &Bound<'_, PyAny>,
    grain: &str,
    threads: Option<usize>,
) -> PyResult<ArrowTable> {
    let g: Grain = check(grain.parse())?;
    let threads = threads_arg(threads)?;
    let r = Records::read(records, &[Key::Volunteer], true)?;
    let p = policy.get().core();
    let t = run(py, || core::hours_by_period(p, &r.columns(), g, threads))?;
    hours_table(t, &tz_name(p.offset().minutes()))?.with_metadata([
        ("policy_hash".to_owned(), p.hash().to_owned()),
        ("grain".to_owned(), grain.to_owned()),
    ])
}

/// Each item of `tables` read as a table (or dict of columns); its columns
/// are named `tables[i].column` in errors.
fn each_table<T>(
    tables: &Bound<'_, PyAny>,
    mut read: impl FnMut(&Columns) -> PyResult<T>,
) -> PyResult<Vec<T>> {
    let mut out = Vec::new();
    for (i, t) in tables.try_iter()?.enumerate() {
        out.push(read(&Columns::from_py(
            &t?,
            &format!("tables[{i}]"),
            true,
        )?)?);
    }
    Ok(out)
}

/// Merges `hours_by_period` tables of disjoint row partitions (same policy
/// and grain) into the table of the whole: minutes summed per
/// (volunteer, period_start), sorted.
#[pyfunction]
pub fn merge_hours_by_period(py: Python<'_>, tables: &Bound<'_, PyAny>) -> PyResult<ArrowTable> {
    let mut tz: Option<String> = None;
    let parts = each_table(tables, |t| {
        let starts = t.column("period_start")?;
        if let (DataType::Timestamp(_, Some(z)), None) = (starts.raw().0, &tz) {
            tz = Some(z.to_string());
        }
        Ok(HoursByPeriod {
            volunteer: ids(&t.column("volunteer")?)?.to_vec(),
            period_start: micros(&starts)?.to_vec(),
            minutes: t.column("minutes")?.i64s()?.into_owned(),
        })
    })?;
    let merged = run(py, || core::merge_hours_by_period(&parts))?;
    hours_table(merged, tz.as_deref().unwrap_or("+08:00"))
}

/// Approved service minutes per unit of `units`: columns `unit` (uint64),
/// `own_minutes` and `total_minutes` (int64, own plus every unit below),
/// one row per unit, sorted by unit. Schema metadata: `policy_hash`.
#[pyfunction]
#[pyo3(signature = (policy, units, records, *, threads=None))]
pub fn unit_minutes(
    py: Python<'_>,
    policy: &Bound<'_, Policy>,
    units: &Bound<'_, UnitTree>,
    records: &Bound<'_, PyAny>,
    threads: Option<usize>,
) -> PyResult<ArrowTable> {
    let threads = threads_arg(threads)?;
    let r = Records::read(records, &[Key::Unit], true)?;
    let tree = units.get().core();
    let t = run(py, || core::unit_minutes(tree, &r.columns(), threads))?;
    unit_table(t)?.with_metadata([(
        "policy_hash".to_owned(),
        policy.get().core().hash().to_owned(),
    )])
}

/// Merges `unit_minutes` tables of disjoint row partitions: own minutes
/// summed per unit, totals rolled up again through `units`.
#[pyfunction]
pub fn merge_unit_minutes(
    py: Python<'_>,
    units: &Bound<'_, UnitTree>,
    tables: &Bound<'_, PyAny>,
) -> PyResult<ArrowTable> {
    let parts = each_table(tables, |t| {
        let unit = ids(&t.column("unit")?)?.to_vec();
        let own = t.column("own_minutes")?.i64s()?.into_owned();
        Ok(UnitMinutes {
            total_minutes: vec![0; unit.len()],
            unit,
            own_minutes: own,
        })
    })?;
    let tree = units.get().core();
    unit_table(run(py, || core::merge_unit_minutes(tree, &parts))?)
}

/// Live records overlapping an earlier live record of the same volunteer:
/// columns `volunteer`, `id`, `overlaps` (uint64), sorted by (volunteer,
/// start, id). Partition by volunteer to scale out.
#[pyfunction]
#[pyo3(signature = (records, *, threads=None))]
pub fn find_overlaps(
    py: Python<'_>,
    records: &Bound<'_, PyAny>,
    threads: Option<usize>,
) -> PyResult<ArrowTable> {
    let threads = threads_arg(threads)?;
    let r = Records::read(records, &[Key::Id, Key::Volunteer], false)?;
    let t = run(py, || core::find_overlaps(&r.columns(), threads))?;
    ArrowTable::new(vec![
        ArrowColumn::new("volunteer", Arc::new(UInt64Array::from(t.volunteer))),
        ArrowColumn::new("id", Arc::new(UInt64Array::from(t.id))),
        ArrowColumn::new("overlaps", Arc::new(UInt64Array::from(t.overlaps))),
    ])
}
