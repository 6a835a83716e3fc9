//! `HoursLedger` and its record types.
//!
//! The ledger is one core `HoursLedger` behind a mutex: Python sees one
//! frozen object that is safe to share across threads, every call locks,
//! converts its arguments first and runs the core with the GIL released.
//! Pickling goes through the core's snapshot (`restore(snapshot())`).

use crate::arrow::{ArrowColumn, ArrowTable, Table};
use crate::convert::{from_py, into_py_value_serde, py_value, serde_to_py, timestamp};
use crate::errors::run;
use crate::policy::{Period, Policy};
use crate::units::UnitTree;
use arrow_array::{Int64Array, StringArray, UInt64Array};
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use zhiyuan::hours::{Flag, RecordKind, RecordStatus, RevokeReason};
use zhiyuan::ledger::{Entry, GroupBy, Scope};
use zhiyuan::time::Grain;

into_py_value_serde!(Flag, RecordKind, RecordStatus, RevokeReason);

impl crate::convert::IntoPyValue for zhiyuan::time::Period {
    fn py_value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(Bound::new(py, Period(*self))?.into_any())
    }
}

py_value!(
    /// One stretch of service or training, as submitted.
    ServiceRecord, "ServiceRecord", zhiyuan::hours::ServiceRecord,
    { id, volunteer, unit, team, activity, start, end, kind, recorded_by, recorded_at }
);

py_value!(
    /// What a submission returns; resubmitting the same record returns the
    /// same receipt.
    Receipt, "Receipt", zhiyuan::ledger::Receipt, { id, minutes, flags }
);

py_value!(
    /// The current state of one record.
    RecordState, "RecordState", zhiyuan::ledger::RecordState,
    {
        record, status, minutes, flags, approved_at, approved_by, late_ok,
        rejected_at, rejected_by, reject_reason, revoked_at, revoked_by,
        revoke_reason, revoke_note, amends, amended_by,
    }
);

py_value!(
    /// A revocation of one of a volunteer's records.
    Revocation, "Revocation", zhiyuan::ledger::Revocation, { record, reason, at, minutes, kind }
);

py_value!(
    /// Approved minutes in one period.
    PeriodTotal, "PeriodTotal", zhiyuan::ledger::PeriodTotal,
    { period, service_minutes, training_minutes, records }
);

py_value!(
    /// Approved minutes of one volunteer, team or unit in one period.
    GroupTotal, "GroupTotal", zhiyuan::ledger::GroupTotal,
    { key, period, service_minutes, training_minutes, records }
);

/// The hours ledger: append-only, idempotent, auditable. Safe to share
/// across threads (calls are serialised); picklable through its snapshot.
#[pyclass(frozen, module = "zhiyuan._zhiyuan", name = "HoursLedger")]
pub struct HoursLedger(Mutex<zhiyuan::ledger::HoursLedger>);

impl HoursLedger {
    pub(crate) fn lock(&self) -> MutexGuard<'_, zhiyuan::ledger::HoursLedger> {
        // The core never panics on user input, and a panic inside it leaves
        // no half-applied change (every mutation validates first).
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wrap(l: zhiyuan::ledger::HoursLedger) -> Self {
        HoursLedger(Mutex::new(l))
    }

    fn group_totals(
        &self,
        py: Python<'_>,
        group: &str,
        grain: &str,
        as_of: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<zhiyuan::ledger::GroupTotal>> {
        let (g, gr, t) = (
            group_by(group)?,
            self::grain(grain)?,
            timestamp(as_of, "as_of")?,
        );
        run(py, || Ok(self.lock().totals_by(g, gr, t)))
    }
}

fn reason(s: &str) -> PyResult<RevokeReason> {
    crate::errors::check(s.parse())
}

fn grain(s: &str) -> PyResult<Grain> {
    crate::errors::check(s.parse())
}

fn scope(obj: &Bound<'_, PyAny>) -> PyResult<Scope> {
    // "all" is accepted for {"scope": "all"}.
    if let Ok(s) = obj.cast::<PyString>() {
        return from_value_str(s.to_str()?);
    }
    from_py(obj, "scope")
}

fn from_value_str(s: &str) -> PyResult<Scope> {
    crate::convert::from_value(serde_json::json!({ "scope": s }), "scope")
}

#[pymethods]
impl HoursLedger {
    /// An empty ledger under `policy`, accepting records of the units and
    /// teams of `units`.
    #[new]
    fn py_new(policy: &Bound<'_, Policy>, units: &Bound<'_, UnitTree>) -> Self {
        Self::wrap(zhiyuan::ledger::HoursLedger::new(
            policy.get().core().clone(),
            units.get().core().clone(),
        ))
    }

    /// The policy in force.
    #[getter]
    fn policy(&self) -> Policy {
        Policy(Arc::new(self.lock().policy().clone()))
    }

    /// The unit tree.
    #[getter]
    fn units(&self) -> UnitTree {
        UnitTree(Arc::new(self.lock().units().clone()))
    }

    /// Number of records ever submitted.
    fn __len__(&self) -> usize {
        self.lock().len()
    }

    /// Submits a record (a `ServiceRecord` or its dict form). The same id
    /// with the same body returns the original receipt; with another body
    /// it raises `ConflictError`.
    fn submit(&self, py: Python<'_>, record: &Bound<'_, PyAny>) -> PyResult<Receipt> {
        let r = from_py(record, "record")?;
        run(py, || self.lock().submit(r)).map(Receipt)
    }

    /// Submits records all-or-nothing: on the first bad record nothing
    /// changes and the error names `records[i]`.
    fn submit_batch(&self, py: Python<'_>, records: &Bound<'_, PyAny>) -> PyResult<Vec<Receipt>> {
        let rs = from_py(records, "records")?;
        let out = run(py, || self.lock().submit_batch(rs))?;
        Ok(out.into_iter().map(Receipt).collect())
    }

    /// Submits a table of records all-or-nothing, like `submit_batch`, with
    /// no per-row Python work. Columns: `id`, `volunteer`, `unit`,
    /// `activity`, `recorded_by` (ids), `team` (ids, nullable), `start`,
    /// `end`, `recorded_at` (timestamps with a time zone, or int64 UTC
    /// microseconds), `kind` (`service` / `training`). Returns the receipts
    /// as a table: `id` (uint64), `minutes` (int64), `flags` (JSON text of
    /// the flag list, `[]` when none).
    fn submit_table(&self, py: Python<'_>, records: &Bound<'_, PyAny>) -> PyResult<ArrowTable> {
        let rs = records_from_table(&Table::from_py(records, "records")?)?;
        let receipts = run(py, || self.lock().submit_batch(rs))?;
        let flags = receipts
            .iter()
            .map(|r| serde_json::to_string(&r.flags).map(Some))
            .collect::<Result<StringArray, _>>()
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        ArrowTable::new(vec![
            ArrowColumn::new(
                "id",
                Arc::new(receipts.iter().map(|r| r.id).collect::<UInt64Array>()),
            ),
            ArrowColumn::new(
                "minutes",
                Arc::new(receipts.iter().map(|r| r.minutes).collect::<Int64Array>()),
            ),
            ArrowColumn::new("flags", Arc::new(flags)),
        ])
    }

    /// Approves a submitted record at `at`; a record flagged late needs
    /// `late_ok=True`.
    #[pyo3(signature = (id, by, at, late_ok=false))]
    fn approve(
        &self,
        py: Python<'_>,
        id: u64,
        by: u64,
        at: &Bound<'_, PyAny>,
        late_ok: bool,
    ) -> PyResult<()> {
        let at = timestamp(at, "at")?;
        run(py, || self.lock().approve(id, by, at, late_ok))
    }

    /// Rejects a submitted record with a reason.
    fn reject(
        &self,
        py: Python<'_>,
        id: u64,
        by: u64,
        at: &Bound<'_, PyAny>,
        reason: &str,
    ) -> PyResult<()> {
        let at = timestamp(at, "at")?;
        run(py, || self.lock().reject(id, by, at, reason))
    }

    /// Reverses an approved record with a reason code (`error`, `duplicate`,
    /// `fraud`, `not_volunteer_work`, `volunteer_request`).
    #[pyo3(signature = (id, reason, by, at, note=""))]
    fn revoke(
        &self,
        py: Python<'_>,
        id: u64,
        reason: &str,
        by: u64,
        at: &Bound<'_, PyAny>,
        note: &str,
    ) -> PyResult<()> {
        let (reason, at) = (self::reason(reason)?, timestamp(at, "at")?);
        run(py, || self.lock().revoke(id, reason, by, at, note))
    }

    /// Revokes `old` and submits `record` in its place, atomically.
    fn amend(
        &self,
        py: Python<'_>,
        old: u64,
        record: &Bound<'_, PyAny>,
        reason: &str,
        by: u64,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<Receipt> {
        let r = from_py(record, "record")?;
        let (reason, at) = (self::reason(reason)?, timestamp(at, "at")?);
        run(py, || self.lock().amend(old, r, reason, by, at)).map(Receipt)
    }

    /// The current state of record `id`.
    fn record(&self, py: Python<'_>, id: u64) -> PyResult<RecordState> {
        run(py, || self.lock().record(id).cloned()).map(RecordState)
    }

    /// Every logged action on record `id`, oldest first, as dicts (the
    /// `Entry` wire form, tagged by `action`).
    fn history<'py>(&self, py: Python<'py>, id: u64) -> PyResult<Bound<'py, PyAny>> {
        let h = run(py, || self.lock().history(id))?;
        serde_to_py(py, &h)
    }

    /// The whole log, oldest first, as dicts (see `history`).
    fn entries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let e = self.lock().entries();
        serde_to_py(py, &e)
    }

    /// Approved service minutes of `volunteer` as of `as_of`.
    fn approved_minutes(
        &self,
        py: Python<'_>,
        volunteer: u64,
        as_of: &Bound<'_, PyAny>,
    ) -> PyResult<i64> {
        let t = timestamp(as_of, "as_of")?;
        run(py, || Ok(self.lock().approved_minutes(volunteer, t)))
    }

    /// Same, only records whose start lies in `[start, end)`.
    fn approved_minutes_in(
        &self,
        py: Python<'_>,
        volunteer: u64,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
        as_of: &Bound<'_, PyAny>,
    ) -> PyResult<i64> {
        let (a, b, t) = (
            timestamp(start, "start")?,
            timestamp(end, "end")?,
            timestamp(as_of, "as_of")?,
        );
        run(py, || {
            Ok(self.lock().approved_minutes_in(volunteer, a, b, t))
        })
    }

    /// Approved training minutes of `volunteer` as of `as_of` (never service).
    fn training_minutes(
        &self,
        py: Python<'_>,
        volunteer: u64,
        as_of: &Bound<'_, PyAny>,
    ) -> PyResult<i64> {
        let t = timestamp(as_of, "as_of")?;
        run(py, || Ok(self.lock().training_minutes(volunteer, t)))
    }

    /// Revocations of the volunteer's records effective at or before `as_of`.
    fn revocations(
        &self,
        py: Python<'_>,
        volunteer: u64,
        as_of: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<Revocation>> {
        let t = timestamp(as_of, "as_of")?;
        let out = run(py, || Ok(self.lock().revocations(volunteer, t)))?;
        Ok(out.into_iter().map(Revocation).collect())
    }

    /// The volunteer's star level as of `as_of`.
    fn star_level(&self, py: Python<'_>, volunteer: u64, as_of: &Bound<'_, PyAny>) -> PyResult<u8> {
        let t = timestamp(as_of, "as_of")?;
        run(py, || Ok(self.lock().star_level(volunteer, t)))
    }

    /// Every volunteer with a record, ascending.
    fn volunteers(&self) -> Vec<u64> {
        self.lock().volunteers()
    }

    /// Approved minutes per local period for `scope`: `"all"` or
    /// `{"scope": "volunteer" | "team" | "unit", "id": n}`.
    fn totals(
        &self,
        py: Python<'_>,
        scope: &Bound<'_, PyAny>,
        grain: &str,
        as_of: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<PeriodTotal>> {
        let (s, g, t) = (
            self::scope(scope)?,
            self::grain(grain)?,
            timestamp(as_of, "as_of")?,
        );
        let out = run(py, || self.lock().totals(s, g, t))?;
        Ok(out.into_iter().map(PeriodTotal).collect())
    }

    /// Approved minutes per group (`volunteer`, `team` or `unit`) and local
    /// period, sorted by (key, period).
    fn totals_by(
        &self,
        py: Python<'_>,
        group: &str,
        grain: &str,
        as_of: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<GroupTotal>> {
        let rows = self.group_totals(py, group, grain, as_of)?;
        Ok(rows.into_iter().map(GroupTotal).collect())
    }

    /// `totals_by` as an Arrow table: `key` (uint64), `period` (string),
    /// `service_minutes`, `training_minutes` (int64), `records` (uint64).
    fn totals_by_table(
        &self,
        py: Python<'_>,
        group: &str,
        grain: &str,
        as_of: &Bound<'_, PyAny>,
    ) -> PyResult<ArrowTable> {
        let rows = self.group_totals(py, group, grain, as_of)?;
        let periods: StringArray = rows.iter().map(|r| Some(r.period.to_string())).collect();
        ArrowTable::new(vec![
            ArrowColumn::new(
                "key",
                Arc::new(rows.iter().map(|r| r.key).collect::<UInt64Array>()),
            ),
            ArrowColumn::new("period", Arc::new(periods)),
            ArrowColumn::new(
                "service_minutes",
                Arc::new(
                    rows.iter()
                        .map(|r| r.service_minutes)
                        .collect::<Int64Array>(),
                ),
            ),
            ArrowColumn::new(
                "training_minutes",
                Arc::new(
                    rows.iter()
                        .map(|r| r.training_minutes)
                        .collect::<Int64Array>(),
                ),
            ),
            ArrowColumn::new(
                "records",
                Arc::new(rows.iter().map(|r| r.records).collect::<UInt64Array>()),
            ),
        ])
    }

    /// The ledger as JSON: policy, units and the full log.
    fn snapshot(&self, py: Python<'_>) -> PyResult<String> {
        run(py, || Ok(self.lock().snapshot()))
    }

    /// Rebuilds a ledger from `snapshot()` by replaying its log.
    #[staticmethod]
    fn restore(py: Python<'_>, snapshot: &str) -> PyResult<Self> {
        run(py, || zhiyuan::ledger::HoursLedger::restore(snapshot)).map(Self::wrap)
    }

    /// Rebuilds a ledger by applying logged entries (dicts from `entries()`)
    /// in order.
    #[staticmethod]
    fn replay(
        py: Python<'_>,
        policy: &Bound<'_, Policy>,
        units: &Bound<'_, UnitTree>,
        entries: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let es: Vec<Entry> = from_py(entries, "entries")?;
        let (p, u) = (policy.get().core().clone(), units.get().core().clone());
        run(py, || zhiyuan::ledger::HoursLedger::replay(p, u, es)).map(Self::wrap)
    }

    fn __repr__(&self) -> String {
        let l = self.lock();
        format!(
            "HoursLedger(records={}, policy='{}…')",
            l.len(),
            &l.policy().hash()[..12]
        )
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> crate::convert::Reduced<'py> {
        crate::convert::reduce_via_restore(slf, slf.get().lock().snapshot())
    }
}

/// Service records from the columns of a table; errors name column and row.
fn records_from_table(t: &Table) -> PyResult<Vec<zhiyuan::hours::ServiceRecord>> {
    let (id, volunteer, unit, activity, recorded_by) = (
        t.column("id")?,
        t.column("volunteer")?,
        t.column("unit")?,
        t.column("activity")?,
        t.column("recorded_by")?,
    );
    let (id, volunteer, unit, activity, recorded_by) = (
        id.u64s()?,
        volunteer.u64s()?,
        unit.u64s()?,
        activity.u64s()?,
        recorded_by.u64s()?,
    );
    let team = t.column("team")?.opt_u64s()?;
    let start = t.column("start")?.timestamps()?;
    let end = t.column("end")?.timestamps()?;
    let recorded_at = t.column("recorded_at")?.timestamps()?;
    let kind_col = t.column("kind")?;
    let kinds = kind_col
        .strs()?
        .into_iter()
        .enumerate()
        .map(|(i, k)| {
            k.parse::<RecordKind>()
                .map_err(|e| crate::convert::invalid(&format!("kind[{i}]"), e.reason()))
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok((0..id.len())
        .map(|i| zhiyuan::hours::ServiceRecord {
            id: id[i],
            volunteer: volunteer[i],
            unit: unit[i],
            team: team[i],
            activity: activity[i],
            start: start[i],
            end: end[i],
            kind: kinds[i],
            recorded_by: recorded_by[i],
            recorded_at: recorded_at[i],
        })
        .collect())
}

fn group_by(s: &str) -> PyResult<GroupBy> {
    crate::convert::from_value(serde_json::Value::String(s.to_owned()), "group")
}
