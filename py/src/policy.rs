//! `Policy`, star levels and the calendar helpers that hang off a policy.

use crate::arrow::{ArrowColumn, ArrowTable, Column};
use crate::convert::{date, datetime, local_date, serde_to_py, timestamp, to_value};
use crate::errors::{check, run};
use arrow_array::{Int64Array, StringArray, UInt8Array};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use std::sync::Arc;
use zhiyuan::time::Grain;

/// A validated policy with its content hash. Immutable, picklable and safe
/// to share across threads.
#[pyclass(frozen, module = "zhiyuan._zhiyuan", name = "Policy")]
#[derive(Clone)]
pub struct Policy(pub Arc<zhiyuan::Policy>);

impl Policy {
    /// The core policy.
    pub(crate) fn core(&self) -> &zhiyuan::Policy {
        &self.0
    }
}

fn grain(text: &str) -> PyResult<Grain> {
    check(text.parse())
}

#[pymethods]
impl Policy {
    /// The Jiangsu defaults (domain-rules §0).
    #[new]
    fn py_new() -> Self {
        Policy(Arc::new(zhiyuan::Policy::default()))
    }

    /// The Jiangsu defaults (domain-rules §0).
    #[staticmethod]
    fn default() -> Self {
        Self::py_new()
    }

    /// Parses TOML; missing keys take defaults, unknown keys are errors.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<Self> {
        run(py, || zhiyuan::Policy::from_toml(text)).map(|p| Policy(Arc::new(p)))
    }

    /// Parses JSON; missing keys take defaults, unknown keys are errors.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        run(py, || zhiyuan::Policy::from_json(text)).map(|p| Policy(Arc::new(p)))
    }

    /// From a (partial) dict of sections, as in a golden vector's `policy`.
    #[staticmethod]
    fn from_dict(py: Python<'_>, d: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = to_value(d, "")?.to_string();
        Self::from_json(py, &text)
    }

    /// The full policy as TOML (every key, defaults included).
    fn to_toml(&self) -> String {
        self.0.to_toml()
    }

    /// The canonical JSON that is hashed: sorted keys, no whitespace.
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    /// The full policy as a dict of sections.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        serde_to_py(py, self.0.spec())
    }

    /// The lowercase hex SHA-256 of `to_json()`; decisions carry it.
    #[getter]
    fn hash(&self) -> &str {
        self.0.hash()
    }

    /// Section names, sorted.
    #[getter]
    fn section_names<'py>(&self, py: Python<'py>) -> PyResult<Vec<String>> {
        let d = self.to_dict(py)?;
        let d = d.cast::<PyDict>()?;
        let mut names: Vec<String> = d.keys().extract()?;
        names.sort();
        Ok(names)
    }

    /// One section as a dict, e.g. `policy.section("hours")`. An unknown
    /// name raises `KeyError`.
    fn section<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let d = self.to_dict(py)?;
        d.cast::<PyDict>()?.get_item(name)?.ok_or_else(|| {
            pyo3::exceptions::PyKeyError::new_err(format!("no policy section {name:?}"))
        })
    }

    /// The star level (0 = none) for cumulative approved service minutes.
    fn star_level(&self, minutes: i64) -> u8 {
        self.0.stars.level(minutes)
    }

    /// Minutes still needed for the next star, or None at the top.
    fn minutes_to_next_star(&self, minutes: i64) -> Option<i64> {
        self.0.stars.minutes_to_next(minutes)
    }

    /// Minutes east of UTC at which days, weeks, months and years are cut.
    #[getter]
    fn utc_offset_minutes(&self) -> i32 {
        self.0.offset().minutes()
    }

    /// The local date of an instant.
    fn local_date<'py>(
        &self,
        py: Python<'py>,
        at: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        date(py, self.0.calendar().date(timestamp(at, "at")?))
    }

    /// The period of `grain` (`day`, `week`, `month`, `year`) holding `at`.
    fn period(&self, at: &Bound<'_, PyAny>, grain: &str) -> PyResult<Period> {
        let g = self::grain(grain)?;
        Ok(Period(self.0.calendar().period(g, timestamp(at, "at")?)))
    }

    /// Whether a local date is a working day (make-up workdays count, public
    /// holidays do not).
    fn is_working_day(&self, day: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.0.calendar().is_working_day(local_date(day, "day")?))
    }

    /// The `n`-th working day after `day` (`n` = 0 gives `day`).
    fn add_working_days<'py>(
        &self,
        py: Python<'py>,
        day: &Bound<'py, PyAny>,
        n: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        date(
            py,
            self.0
                .calendar()
                .add_working_days(local_date(day, "day")?, n),
        )
    }

    /// The exclusive instant by which something due `n` working days after
    /// the local date of `at` must happen.
    fn working_deadline<'py>(
        &self,
        py: Python<'py>,
        at: &Bound<'py, PyAny>,
        n: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        datetime(
            py,
            self.0.calendar().working_deadline(timestamp(at, "at")?, n),
        )
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Self>()
            .is_ok_and(|o| o.get().0.hash() == self.0.hash())
    }

    fn __hash__(&self) -> u64 {
        // The first 16 hex digits of the content hash.
        u64::from_str_radix(&self.0.hash()[..16], 16).unwrap_or(0)
    }

    fn __repr__(&self) -> String {
        format!("Policy(hash='{}…')", &self.0.hash()[..12])
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        Ok((
            py.get_type::<Self>().getattr("from_json")?,
            PyTuple::new(py, [slf.get().0.to_json()])?,
        ))
    }
}

/// A local calendar period: a day `2024-03-04`, ISO week `2024-W10`, month
/// `2024-03` or year `2024`. Orders chronologically within one grain.
#[pyclass(frozen, eq, ord, hash, module = "zhiyuan._zhiyuan", name = "Period")]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period(pub zhiyuan::time::Period);

#[pymethods]
impl Period {
    /// Parses `2024-03-04`, `2024-W10`, `2024-03` or `2024`.
    #[staticmethod]
    fn parse(text: &str) -> PyResult<Self> {
        check(text.parse()).map(Period)
    }

    /// `day`, `week`, `month` or `year`.
    #[getter]
    fn grain(&self) -> &'static str {
        match self.0.grain() {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Year => "year",
        }
    }

    /// The first local date of the period.
    #[getter]
    fn first_day<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        date(py, self.0.first_day())
    }

    /// The first local date after the period.
    #[getter]
    fn end_day<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        date(py, self.0.end_day())
    }

    /// The half-open instant range `[start, end)` at the policy's offset.
    fn bounds<'py>(
        &self,
        py: Python<'py>,
        policy: &Bound<'py, Policy>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let (a, b) = self.0.bounds(policy.get().core().offset());
        Ok((datetime(py, a)?, datetime(py, b)?))
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        format!("Period('{}')", self.0)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        Ok((
            py.get_type::<Self>().getattr("parse")?,
            PyTuple::new(py, [slf.get().0.to_string()])?,
        ))
    }
}

/// The column a batch function reads: `data` itself, or its column `column`
/// when a name is given (then `data` is a table).
pub(crate) fn column_arg(
    data: &Bound<'_, PyAny>,
    column: Option<&str>,
    param: &str,
) -> PyResult<Column> {
    match column {
        Some(name) => crate::arrow::Table::from_py(data, param)?.column(name),
        None => Column::from_py(data, param),
    }
}

/// Star level and minutes to the next star for each row of a minutes
/// column: a table with `star_level` (`uint8`) and `minutes_to_next`
/// (`int64`, null at the top level).
///
/// `minutes` is any Arrow column (pyarrow, polars or pandas), or a table
/// with `column` naming the minutes column.
#[pyfunction]
#[pyo3(signature = (policy, minutes, column=None))]
pub fn star_levels(
    py: Python<'_>,
    policy: &Bound<'_, Policy>,
    minutes: &Bound<'_, PyAny>,
    column: Option<&str>,
) -> PyResult<ArrowTable> {
    let col = column_arg(minutes, column, "minutes")?;
    let values = col.i64s()?;
    let stars = &policy.get().core().stars;
    let (levels, next) = run(py, || {
        let levels: UInt8Array = values.iter().map(|&m| stars.level(m)).collect();
        let next: Int64Array = values.iter().map(|&m| stars.minutes_to_next(m)).collect();
        Ok((levels, next))
    })?;
    ArrowTable::new(vec![
        ArrowColumn::new("star_level", Arc::new(levels)),
        ArrowColumn::new("minutes_to_next", Arc::new(next)),
    ])
}

/// An instant normalised through the core: an aware `datetime` (any time
/// zone) or RFC 3339 text with an offset, returned as a UTC `datetime`
/// truncated to whole microseconds. Naive input raises `ValidationError`.
#[pyfunction]
pub fn to_utc<'py>(py: Python<'py>, at: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    datetime(py, timestamp(at, "at")?)
}

/// The period text (`2024-W10`, …) of `grain` holding each instant of a
/// timestamp column, cut at the policy's offset (`string`, named `period`).
#[pyfunction]
#[pyo3(signature = (policy, at, grain, column=None))]
pub fn periods(
    py: Python<'_>,
    policy: &Bound<'_, Policy>,
    at: &Bound<'_, PyAny>,
    grain: &str,
    column: Option<&str>,
) -> PyResult<ArrowColumn> {
    let g = self::grain(grain)?;
    let col = column_arg(at, column, "at")?;
    let instants = col.timestamps()?;
    let cal = policy.get().core().calendar();
    let out = run(py, || {
        Ok(instants
            .iter()
            .map(|&t| Some(cal.period(g, t).to_string()))
            .collect::<StringArray>())
    })?;
    Ok(ArrowColumn::new("period", Arc::new(out)))
}

/// A `Period` object or its text form (`2024-W10`, `2024-03`, `2024`) as a
/// core period; `field` names the argument in errors.
pub(crate) fn period_arg(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<zhiyuan::time::Period> {
    if let Ok(p) = obj.cast::<Period>() {
        return Ok(p.get().0);
    }
    crate::convert::from_py(obj, field)
}
