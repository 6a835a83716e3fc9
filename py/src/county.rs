//! The synthetic county generator: `zhiyuan.county(seed, scale)` gives a
//! seeded, deterministic county (units, teams, volunteers, service records,
//! posts and likes) whose tables feed every batch function.

use crate::arrow::{ArrowColumn, ArrowTable};
use crate::convert::{from_value, serde_to_py, to_json, to_value};
use crate::errors::{check, run};
use crate::units::UnitTree;
use arrow_array::{ArrayRef, StringArray, TimestampMicrosecondArray, UInt64Array};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::Arc;
use zhiyuan::county::CountyParams;
use zhiyuan::hours::RecordKind;
use zhiyuan::time::Timestamp;

fn ids(v: impl Iterator<Item = u64>) -> ArrayRef {
    Arc::new(v.collect::<UInt64Array>())
}

fn opt_ids(v: impl Iterator<Item = Option<u64>>) -> ArrayRef {
    Arc::new(v.collect::<UInt64Array>())
}

fn times(v: impl Iterator<Item = Timestamp>) -> ArrayRef {
    Arc::new(
        v.map(|t| Some(t.as_micros()))
            .collect::<TimestampMicrosecondArray>()
            .with_timezone("UTC"),
    )
}

fn texts<S: AsRef<str>>(v: impl Iterator<Item = S>) -> ArrayRef {
    Arc::new(v.map(Some).collect::<StringArray>())
}

fn table(cols: Vec<(&str, ArrayRef)>) -> PyResult<ArrowTable> {
    ArrowTable::new(
        cols.into_iter()
            .map(|(n, a)| ArrowColumn::new(n, a))
            .collect(),
    )
}

/// A generated county. Tables come out as `ArrowTable`s in the column
/// layout the batch functions read (`HoursLedger.submit_table`,
/// `weekly_leaderboard`).
#[pyclass(frozen, module = "zhiyuan._zhiyuan", name = "County")]
pub struct County(Arc<zhiyuan::county::County>);

#[pymethods]
impl County {
    /// Generates the county of `params` (the dict form of `County.params`,
    /// seed included).
    #[staticmethod]
    fn from_params(py: Python<'_>, params: &Bound<'_, PyAny>) -> PyResult<Self> {
        let p: CountyParams = crate::convert::from_py(params, "params")?;
        run(py, || zhiyuan::county::County::generate(&p)).map(|c| County(Arc::new(c)))
    }

    /// Pickles as its parameters: generation is deterministic, so the
    /// receiver regenerates the identical county (same `hash`).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> crate::convert::Reduced<'py> {
        let py = slf.py();
        Ok((
            py.get_type::<Self>().getattr("from_params")?,
            pyo3::types::PyTuple::new(py, [serde_to_py(py, &slf.get().0.params)?])?,
        ))
    }

    /// The parameters it was generated from.
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        serde_to_py(py, &self.0.params)
    }

    /// A SHA-256 of the whole county (same seed and params, same hash).
    #[getter]
    fn hash(&self) -> String {
        self.0.hash()
    }

    /// Counts of everything generated.
    fn overview<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        serde_to_py(py, &self.0.overview())
    }

    /// The unit tree (centre, institutes, stations) with its teams.
    fn tree(&self) -> PyResult<UnitTree> {
        check(self.0.tree()).map(|t| UnitTree(Arc::new(t)))
    }

    /// Service and training records: `id`, `volunteer`, `unit`, `team`
    /// (nullable), `activity`, `start`, `end`, `kind`, `recorded_by`,
    /// `recorded_at`, ready for `HoursLedger.submit_table`.
    fn records(&self) -> PyResult<ArrowTable> {
        let r = &self.0.records;
        table(vec![
            ("id", ids(r.iter().map(|x| x.id))),
            ("volunteer", ids(r.iter().map(|x| x.volunteer))),
            ("unit", ids(r.iter().map(|x| x.unit))),
            ("team", opt_ids(r.iter().map(|x| x.team))),
            ("activity", ids(r.iter().map(|x| x.activity))),
            ("start", times(r.iter().map(|x| x.start))),
            ("end", times(r.iter().map(|x| x.end))),
            (
                "kind",
                texts(r.iter().map(|x| match x.kind {
                    RecordKind::Training => "training",
                    _ => "service",
                })),
            ),
            ("recorded_by", ids(r.iter().map(|x| x.recorded_by))),
            ("recorded_at", times(r.iter().map(|x| x.recorded_at))),
        ])
    }

    /// Volunteers: `id`, `unit`, `team` (nullable), `registered_at`,
    /// `birth_date` (`YYYY-MM-DD`), `cohort` (`regular`, `bad_actor`, …).
    fn volunteers(&self) -> PyResult<ArrowTable> {
        let v = &self.0.volunteers;
        let cohorts = v
            .iter()
            .map(|x| Ok(to_json(&x.cohort)?.as_str().unwrap_or_default().to_owned()))
            .collect::<PyResult<Vec<String>>>()?;
        table(vec![
            ("id", ids(v.iter().map(|x| x.id))),
            ("unit", ids(v.iter().map(|x| x.unit))),
            ("team", opt_ids(v.iter().map(|x| x.team))),
            ("registered_at", times(v.iter().map(|x| x.registered_at))),
            (
                "birth_date",
                texts(v.iter().map(|x| x.birth_date.to_string())),
            ),
            ("cohort", texts(cohorts.iter())),
        ])
    }

    /// Posts: `id`, `author`, `time` (the `posts` table of
    /// `weekly_leaderboard`).
    fn posts(&self) -> PyResult<ArrowTable> {
        let p = &self.0.posts;
        table(vec![
            ("id", ids(p.iter().map(|x| x.id))),
            ("author", ids(p.iter().map(|x| x.author))),
            ("time", times(p.iter().map(|x| x.created_at))),
        ])
    }

    /// Likes: `event`, `liker`, `post`, `time`, `action` (`like`/`unlike`).
    fn likes(&self) -> PyResult<ArrowTable> {
        let l = &self.0.likes;
        table(vec![
            ("event", ids(l.iter().map(|x| x.id))),
            ("liker", ids(l.iter().map(|x| x.liker))),
            ("post", ids(l.iter().map(|x| x.post))),
            ("time", times(l.iter().map(|x| x.time))),
            (
                "action",
                texts(l.iter().map(|x| match x.action {
                    zhiyuan::posts::LikeAction::Like => "like",
                    zhiyuan::posts::LikeAction::Unlike => "unlike",
                })),
            ),
        ])
    }

    /// Registrations: `volunteer`, `registered_at`.
    fn registrations(&self) -> PyResult<ArrowTable> {
        let v = &self.0.volunteers;
        table(vec![
            ("volunteer", ids(v.iter().map(|x| x.id))),
            ("registered_at", times(v.iter().map(|x| x.registered_at))),
        ])
    }

    fn __repr__(&self) -> String {
        let p = &self.0.params;
        format!(
            "County(seed={}, year={}, volunteers={}, records={}, posts={}, likes={})",
            p.seed,
            p.year,
            self.0.volunteers.len(),
            self.0.records.len(),
            self.0.posts.len(),
            self.0.likes.len()
        )
    }
}

/// Generates a synthetic county: `scale` is `small` (2 000 volunteers,
/// seconds), `default` or `benchmark` (1 M volunteers, 10 M records);
/// `params` overrides single parameters (`{"volunteers": 500}`). The same
/// seed and parameters give identical data.
#[pyfunction]
#[pyo3(signature = (seed=1, scale="small", params=None))]
pub fn county(
    py: Python<'_>,
    seed: u64,
    scale: &str,
    params: Option<&Bound<'_, PyDict>>,
) -> PyResult<County> {
    let base = match scale {
        "small" => CountyParams::small(),
        "default" => CountyParams::default(),
        "benchmark" => CountyParams::benchmark(),
        other => {
            return Err(crate::convert::invalid(
                "scale",
                format!("{other:?} is not one of small, default, benchmark"),
            ));
        }
    };
    let mut v = to_json(&base)?;
    if let (Some(over), Some(map)) = (params, v.as_object_mut())
        && let serde_json::Value::Object(o) = to_value(over, "params")?
    {
        map.extend(o);
    }
    if let Some(map) = v.as_object_mut() {
        map.insert("seed".into(), seed.into());
    }
    let p: CountyParams = from_value(v, "params")?;
    run(py, || zhiyuan::county::County::generate(&p)).map(|c| County(Arc::new(c)))
}
