//! `zy_ledger`: the hours ledger (服务记录 submit → approve / reject →
//! revoke), its totals and star levels.
//!
//! Two faces over the same core calls:
//! - JSON rich calls `zy_ledger_<op>_json`, one per golden-vector op
//!   (`tests/vectors/hours`), inputs and outputs in the serde form of the
//!   core types; every one writes `*out_json` (`null` for commands);
//! - hot calls on `#[repr(C)]` structs and columns: `zy_ledger_submit`,
//!   `zy_ledger_submit_batch`, `zy_ledger_approve`, `zy_ledger_reject`,
//!   `zy_ledger_revoke`, `zy_ledger_approved_minutes`,
//!   `zy_ledger_star_levels`. Instants are `int64_t` microseconds since the
//!   Unix epoch, UTC.

use crate::boundary::{
    Handle, enum_arg, ffi_boundary, json_call, mut_arg, out_arg, owned_string, ref_arg, slice_arg,
    slice_out, str_arg,
};
use crate::error::{CallError, zy_status};
use crate::policy::zy_policy;
use crate::units::zy_unit_tree;
use std::ffi::c_char;
use zhiyuan::hours::{Flag, RecordKind, RevokeReason, ServiceRecord, VolunteerId};
use zhiyuan::ledger::{HoursLedger, Receipt};
use zhiyuan::ledger_ops::{
    Amend, Approve, ApprovedMinutes, Command, History, Query, RecordOf, Reject, Revoke, StarLevel,
    SubmitBatch, Totals, TotalsBy,
};
use zhiyuan::time::Timestamp;

/// An hours ledger (opaque): the policy and unit tree it was built with and
/// every record's history.
///
/// Thread safety: calls taking `const zy_ledger *` only read and may run
/// concurrently with each other; calls taking `zy_ledger *` mutate and need
/// exclusive access (no other call on the same ledger at the same time).
/// Different ledgers are independent.
#[allow(non_camel_case_types)]
pub struct zy_ledger {
    pub(crate) inner: HoursLedger,
}

impl Handle for zy_ledger {}

/// `uint32_t` codes for `zy_service_record.kind`.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum zy_record_kind {
    /// Volunteer service: counts towards hours, stars and points.
    Service = 0,
    /// Training (学习时长): recorded and totalled apart.
    Training = 1,
}

const RECORD_KINDS: [(zy_record_kind, RecordKind); 2] = [
    (zy_record_kind::Service, RecordKind::Service),
    (zy_record_kind::Training, RecordKind::Training),
];

/// `uint32_t` codes for the `reason` of `zy_ledger_revoke`.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum zy_revoke_reason {
    /// Entered wrongly.
    Error = 0,
    /// The same service recorded twice.
    Duplicate = 1,
    /// False hours.
    Fraud = 2,
    /// Not volunteer work.
    NotVolunteerWork = 3,
    /// The volunteer asked for it.
    VolunteerRequest = 4,
}

const REVOKE_REASONS: [(zy_revoke_reason, RevokeReason); 5] = [
    (zy_revoke_reason::Error, RevokeReason::Error),
    (zy_revoke_reason::Duplicate, RevokeReason::Duplicate),
    (zy_revoke_reason::Fraud, RevokeReason::Fraud),
    (
        zy_revoke_reason::NotVolunteerWork,
        RevokeReason::NotVolunteerWork,
    ),
    (
        zy_revoke_reason::VolunteerRequest,
        RevokeReason::VolunteerRequest,
    ),
];

/// `zy_receipt.flags` bit: the volunteer's live minutes that local day exceed
/// the daily review threshold.
pub const ZY_FLAG_DAILY_REVIEW: u32 = 1;
/// `zy_receipt.flags` bit: the record is longer than the per-record cap.
pub const ZY_FLAG_OVER_RECORD_CAP: u32 = 2;
/// `zy_receipt.flags` bit: recorded after the deadline; approve with
/// `late_ok`.
pub const ZY_FLAG_LATE: u32 = 4;

/// One service record for the struct calls (the JSON calls take the serde
/// form of `ServiceRecord` instead).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct zy_service_record {
    /// Client-chosen id: resubmitting the same record is a no-op, a
    /// different record under the same id is `ZY_STATUS_CONFLICT`.
    pub id: u64,
    /// Who served.
    pub volunteer: u64,
    /// The organising unit.
    pub unit: u64,
    /// The team served with; read only when `has_team` is true.
    pub team: u64,
    /// Whether `team` is set.
    pub has_team: bool,
    /// The activity.
    pub activity: u64,
    /// Start (inclusive), µs since the Unix epoch, UTC.
    pub start_us: i64,
    /// End (exclusive), µs since the Unix epoch, UTC.
    pub end_us: i64,
    /// A `zy_record_kind` code.
    pub kind: u32,
    /// Who recorded it.
    pub recorded_by: u64,
    /// When it was recorded, µs since the Unix epoch, UTC.
    pub recorded_at_us: i64,
}

/// What a struct submission returns.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct zy_receipt {
    /// The record id.
    pub id: u64,
    /// Whole minutes of the record (never cut by flags).
    pub minutes: i64,
    /// `ZY_FLAG_*` bits; details through `zy_ledger_record_json`.
    pub flags: u32,
}

pub(crate) fn timestamp(us: i64, field: &str) -> Result<Timestamp, CallError> {
    Timestamp::from_micros(us).map_err(|e| CallError::invalid(field, e.reason()))
}

impl zy_service_record {
    fn to_core(self, at: &str) -> Result<ServiceRecord, CallError> {
        let kind = enum_arg(self.kind, &RECORD_KINDS, &format!("{at}.kind"))?.1;
        Ok(ServiceRecord {
            id: self.id,
            volunteer: self.volunteer,
            unit: self.unit,
            team: self.has_team.then_some(self.team),
            activity: self.activity,
            start: timestamp(self.start_us, &format!("{at}.start_us"))?,
            end: timestamp(self.end_us, &format!("{at}.end_us"))?,
            kind,
            recorded_by: self.recorded_by,
            recorded_at: timestamp(self.recorded_at_us, &format!("{at}.recorded_at_us"))?,
        })
    }
}

impl From<&Receipt> for zy_receipt {
    fn from(r: &Receipt) -> Self {
        let flags = r.flags.iter().fold(0, |bits, f| {
            bits | match f {
                Flag::DailyReview { .. } => ZY_FLAG_DAILY_REVIEW,
                Flag::OverRecordCap { .. } => ZY_FLAG_OVER_RECORD_CAP,
                Flag::Late { .. } => ZY_FLAG_LATE,
            }
        });
        zy_receipt {
            id: r.id,
            minutes: r.minutes,
            flags,
        }
    }
}

/// Starts an empty ledger under `policy` and `tree`. Both are copied: they
/// may be freed right after this call.
///
/// # Safety
/// `policy` and `tree` must be NULL or live handles; `out` NULL or writable.
/// On success `*out` owns the ledger: free it with `zy_ledger_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_new(
    policy: *const zy_policy,
    tree: *const zy_unit_tree,
    out: *mut *mut zy_ledger,
) -> zy_status {
    ffi_boundary(|| {
        let policy = unsafe { ref_arg(policy, "policy") }?;
        let tree = unsafe { ref_arg(tree, "tree") }?;
        let out = unsafe { out_arg(out, "out") }?;
        let inner = HoursLedger::new(policy.inner.clone(), tree.inner.clone());
        out.write(zy_ledger { inner }.into_raw());
        Ok(())
    })
}

/// Restores a ledger from `zy_ledger_snapshot` text by replaying its log.
///
/// # Safety
/// `snapshot` must be NULL or a NUL-terminated string; `out` NULL or
/// writable. On success `*out` owns the ledger: free it with
/// `zy_ledger_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_restore(
    snapshot: *const c_char,
    out: *mut *mut zy_ledger,
) -> zy_status {
    ffi_boundary(|| {
        let out = unsafe { out_arg(out, "out") }?;
        let inner = HoursLedger::restore(unsafe { str_arg(snapshot, "snapshot") }?)?;
        out.write(zy_ledger { inner }.into_raw());
        Ok(())
    })
}

/// A JSON snapshot of the ledger (policy, units, teams and the full log),
/// for `zy_ledger_restore`.
///
/// # Safety
/// `ledger` must be NULL or a live ledger; `out` NULL or writable. On
/// success `*out` is owned: free it with `zy_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_snapshot(
    ledger: *const zy_ledger,
    out: *mut *mut c_char,
) -> zy_status {
    ffi_boundary(|| {
        let ledger = unsafe { ref_arg(ledger, "ledger") }?;
        let out = unsafe { out_arg(out, "out") }?;
        out.write(owned_string(ledger.inner.snapshot())?);
        Ok(())
    })
}

/// Submits one record (struct form). Idempotent by id. Flags never change
/// the minutes. On error the ledger is unchanged.
///
/// # Safety
/// `ledger` must be NULL or a live ledger with no concurrent call; `record`
/// NULL or readable; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_submit(
    ledger: *mut zy_ledger,
    record: *const zy_service_record,
    out: *mut zy_receipt,
) -> zy_status {
    ffi_boundary(|| {
        let ledger = unsafe { mut_arg(ledger, "ledger") }?;
        let record = unsafe { ref_arg(record, "record") }?;
        let out = unsafe { out_arg(out, "out") }?;
        let record = record.to_core("record")?;
        out.write(zy_receipt::from(&ledger.inner.submit(record)?));
        Ok(())
    })
}

/// Submits `n` records all or nothing: on error none is stored and `out` is
/// untouched; on success `out[i]` is the receipt of `records[i]`.
///
/// # Safety
/// `ledger` must be NULL or a live ledger with no concurrent call; `records`
/// must point to `n` readable and `out` to `n` writable elements (NULL only
/// when `n == 0`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_submit_batch(
    ledger: *mut zy_ledger,
    records: *const zy_service_record,
    n: usize,
    out: *mut zy_receipt,
) -> zy_status {
    ffi_boundary(|| {
        let ledger = unsafe { mut_arg(ledger, "ledger") }?;
        let records = unsafe { slice_arg(records, n, "records") }?;
        let out = unsafe { slice_out(out, n, "out") }?;
        let records = records
            .iter()
            .enumerate()
            .map(|(i, r)| r.to_core(&format!("records[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let receipts = ledger.inner.submit_batch(records)?;
        for (o, r) in out.iter_mut().zip(&receipts) {
            *o = zy_receipt::from(r);
        }
        Ok(())
    })
}

/// Approves submitted record `id` at `at_us` by actor `by`. A record flagged
/// late needs `late_ok`. Repeating the same approval is a no-op.
///
/// # Safety
/// `ledger` must be NULL or a live ledger with no concurrent call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_approve(
    ledger: *mut zy_ledger,
    id: u64,
    by: u64,
    at_us: i64,
    late_ok: bool,
) -> zy_status {
    ffi_boundary(|| {
        let ledger = unsafe { mut_arg(ledger, "ledger") }?;
        Ok(ledger
            .inner
            .approve(id, by, timestamp(at_us, "at_us")?, late_ok)?)
    })
}

/// Rejects submitted record `id`; `reason` (UTF-8, non-empty) is kept in its
/// history.
///
/// # Safety
/// `ledger` must be NULL or a live ledger with no concurrent call; `reason`
/// NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_reject(
    ledger: *mut zy_ledger,
    id: u64,
    by: u64,
    at_us: i64,
    reason: *const c_char,
) -> zy_status {
    ffi_boundary(|| {
        let ledger = unsafe { mut_arg(ledger, "ledger") }?;
        let reason = unsafe { str_arg(reason, "reason") }?;
        Ok(ledger
            .inner
            .reject(id, by, timestamp(at_us, "at_us")?, reason)?)
    })
}

/// Revokes approved record `id` from `at_us` on. `reason` is a
/// `zy_revoke_reason` code; `note` (UTF-8, may be empty) is kept in its
/// history.
///
/// # Safety
/// `ledger` must be NULL or a live ledger with no concurrent call; `note`
/// NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_revoke(
    ledger: *mut zy_ledger,
    id: u64,
    reason: u32,
    by: u64,
    at_us: i64,
    note: *const c_char,
) -> zy_status {
    ffi_boundary(|| {
        let ledger = unsafe { mut_arg(ledger, "ledger") }?;
        let note = unsafe { str_arg(note, "note") }?;
        let reason = enum_arg(reason, &REVOKE_REASONS, "reason")?.1;
        Ok(ledger
            .inner
            .revoke(id, reason, by, timestamp(at_us, "at_us")?, note)?)
    })
}

/// Approved service minutes of each of `n` volunteers as of `as_of_us`
/// (approved at or before, not revoked by then); unknown volunteers have 0.
///
/// # Safety
/// `ledger` must be NULL or a live ledger; `volunteers` must point to `n`
/// readable `uint64_t` and `out` to `n` writable `int64_t` (NULL only when
/// `n == 0`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_approved_minutes(
    ledger: *const zy_ledger,
    volunteers: *const u64,
    n: usize,
    as_of_us: i64,
    out: *mut i64,
) -> zy_status {
    volunteer_column(
        ledger,
        volunteers,
        n,
        as_of_us,
        out,
        HoursLedger::approved_minutes,
    )
}

/// Star level of each of `n` volunteers as of `as_of_us`.
///
/// # Safety
/// As for `zy_ledger_approved_minutes`, with `out` pointing to `n` writable
/// `uint8_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_star_levels(
    ledger: *const zy_ledger,
    volunteers: *const u64,
    n: usize,
    as_of_us: i64,
    out: *mut u8,
) -> zy_status {
    volunteer_column(
        ledger,
        volunteers,
        n,
        as_of_us,
        out,
        HoursLedger::star_level,
    )
}

fn volunteer_column<T>(
    ledger: *const zy_ledger,
    volunteers: *const u64,
    n: usize,
    as_of_us: i64,
    out: *mut T,
    query: impl Fn(&HoursLedger, VolunteerId, Timestamp) -> T,
) -> zy_status {
    ffi_boundary(|| {
        let ledger = unsafe { ref_arg(ledger, "ledger") }?;
        let volunteers = unsafe { slice_arg(volunteers, n, "volunteers") }?;
        let out = unsafe { slice_out(out, n, "out") }?;
        let as_of = timestamp(as_of_us, "as_of_us")?;
        for (o, &v) in out.iter_mut().zip(volunteers) {
            *o = query(&ledger.inner, v, as_of);
        }
        Ok(())
    })
}

// ---- JSON rich calls: one per golden-vector op ---------------------------
//
// The argument objects below are the `input` of the ops in
// tests/vectors/hours (documented in core/tests/vectors_hours.rs).

/// A mutating JSON call: borrows the ledger exclusively, then `json_call`.
fn mut_json<I: serde::de::DeserializeOwned, O: serde::Serialize>(
    ledger: *mut zy_ledger,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
    call: impl FnOnce(&mut HoursLedger, I) -> zhiyuan::Result<O>,
) -> zy_status {
    ffi_boundary(|| {
        let ledger = unsafe { mut_arg(ledger, "ledger") }?;
        unsafe { json_call(in_json, out_json, |i| Ok(call(&mut ledger.inner, i)?)) }
    })
}

/// A read-only JSON call.
fn ref_json<I: serde::de::DeserializeOwned, O: serde::Serialize>(
    ledger: *const zy_ledger,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
    call: impl FnOnce(&HoursLedger, I) -> zhiyuan::Result<O>,
) -> zy_status {
    ffi_boundary(|| {
        let ledger = unsafe { ref_arg(ledger, "ledger") }?;
        unsafe { json_call(in_json, out_json, |i| Ok(call(&ledger.inner, i)?)) }
    })
}

/// `ledger.submit`: `ServiceRecord` → `Receipt`
/// (`{"id":1,"minutes":150,"flags":[]}`).
///
/// # Safety
/// `ledger` must be NULL or a live ledger with no concurrent call; `in_json`
/// NULL or a NUL-terminated string; `out_json` NULL or writable. On success
/// `*out_json` is owned: free it with `zy_string_free`. The same holds for
/// every `zy_ledger_*_json` call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_submit_json(
    ledger: *mut zy_ledger,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(ledger, in_json, out_json, |l, r: ServiceRecord| r.apply(l))
}

/// `ledger.submit_batch`: `{"records": [ServiceRecord]}` → `[Receipt]`, all
/// or nothing.
///
/// # Safety
/// As for `zy_ledger_submit_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_submit_batch_json(
    ledger: *mut zy_ledger,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(ledger, in_json, out_json, |l, a: SubmitBatch| a.apply(l))
}

/// `ledger.approve`: `{"id", "by", "at", "late_ok"?}` → `null`.
///
/// # Safety
/// As for `zy_ledger_submit_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_approve_json(
    ledger: *mut zy_ledger,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(ledger, in_json, out_json, |l, a: Approve| a.apply(l))
}

/// `ledger.reject`: `{"id", "by", "at", "reason"}` → `null`.
///
/// # Safety
/// As for `zy_ledger_submit_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_reject_json(
    ledger: *mut zy_ledger,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(ledger, in_json, out_json, |l, a: Reject| a.apply(l))
}

/// `ledger.revoke`: `{"id", "reason", "by", "at", "note"?}` → `null`;
/// `reason` is `error`, `duplicate`, `fraud`, `not_volunteer_work` or
/// `volunteer_request`.
///
/// # Safety
/// As for `zy_ledger_submit_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_revoke_json(
    ledger: *mut zy_ledger,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(ledger, in_json, out_json, |l, a: Revoke| a.apply(l))
}

/// `ledger.amend`: `{"old", "record", "reason", "by", "at"}` → `Receipt`;
/// revokes `old` and submits `record` atomically.
///
/// # Safety
/// As for `zy_ledger_submit_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_amend_json(
    ledger: *mut zy_ledger,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(ledger, in_json, out_json, |l, a: Amend| a.apply(l))
}

/// `ledger.record`: `{"id"}` → `RecordState` (status, approval, revocation,
/// amendment links, flags).
///
/// # Safety
/// `ledger` must be NULL or a live ledger; otherwise as for
/// `zy_ledger_submit_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_record_json(
    ledger: *const zy_ledger,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(ledger, in_json, out_json, |l, a: RecordOf| a.ask(l))
}

/// `ledger.history`: `{"id"}` → `[Entry]`, the record's audit trail.
///
/// # Safety
/// As for `zy_ledger_record_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_history_json(
    ledger: *const zy_ledger,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(ledger, in_json, out_json, |l, a: History| a.ask(l))
}

/// `ledger.approved_minutes`: `{"volunteer", "as_of"}` → integer.
///
/// # Safety
/// As for `zy_ledger_record_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_approved_minutes_json(
    ledger: *const zy_ledger,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(ledger, in_json, out_json, |l, a: ApprovedMinutes| a.ask(l))
}

/// `ledger.star_level`: `{"volunteer", "as_of"}` → integer.
///
/// # Safety
/// As for `zy_ledger_record_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_star_level_json(
    ledger: *const zy_ledger,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(ledger, in_json, out_json, |l, a: StarLevel| a.ask(l))
}

/// `ledger.totals`: `{"scope": {"scope": "all"|"volunteer"|"team"|"unit",
/// "id"?}, "grain": "day"|"week"|"month"|"year", "as_of"}` →
/// `[PeriodTotal]`.
///
/// # Safety
/// As for `zy_ledger_record_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_totals_json(
    ledger: *const zy_ledger,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(ledger, in_json, out_json, |l, a: Totals| a.ask(l))
}

/// `ledger.totals_by`: `{"group": "volunteer"|"team"|"unit", "grain",
/// "as_of"}` → `[GroupTotal]`.
///
/// # Safety
/// As for `zy_ledger_record_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_totals_by_json(
    ledger: *const zy_ledger,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(ledger, in_json, out_json, |l, a: TotalsBy| a.ask(l))
}

/// Frees a ledger. NULL is a no-op.
///
/// # Safety
/// `ledger` must be NULL or from `zy_ledger_new` / `zy_ledger_restore`, not
/// yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_ledger_free(ledger: *mut zy_ledger) {
    unsafe { zy_ledger::free(ledger) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_tables_match_the_exported_numbers() {
        for (i, (code, _)) in RECORD_KINDS.iter().enumerate() {
            assert_eq!(*code as usize, i);
        }
        for (i, (code, _)) in REVOKE_REASONS.iter().enumerate() {
            assert_eq!(*code as usize, i);
        }
    }
}
