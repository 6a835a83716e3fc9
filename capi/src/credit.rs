//! Facts and 文明贷 credit decisions.
//!
//! Three faces over `zhiyuan::credit::CreditEngine` (compiled once per
//! `zy_policy` and cached in it):
//! - the hot path `zy_credit_decide`: one `#[repr(C)]` `zy_facts` in, one
//!   `zy_credit_result` out, no allocation, no JSON;
//! - the column call `zy_credit_decide_columns` over a `zy_facts_columns`
//!   struct of column pointers (rows decided in parallel by core);
//! - JSON rich calls with the full reasons (`zy_credit_decide_json`,
//!   `zy_credit_decide_batch_json`) and fact derivation
//!   (`zy_facts_derive_json`), in the schema of `tests/vectors/{facts,credit}`.

use crate::boundary::{enum_arg, ffi_boundary, out_arg, ref_arg, ref_json, slice_arg, slice_out};
use crate::error::{CallError, zy_status};
use crate::ledger::timestamp;
use crate::policy::zy_policy;
use serde::Deserialize;
use std::ffi::c_char;
use zhiyuan::credit::CreditGrant;
use zhiyuan::facts::{
    FactInputs, Facts, FactsColumns, FactsColumnsRef, VolunteerProfile, VolunteerStatus,
    derive_facts,
};
use zhiyuan::threads::Threads;
use zhiyuan::time::Timestamp;

/// `uint32_t` codes for `zy_facts.status` (the core `VolunteerStatus`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum zy_volunteer_status {
    /// Registered and in good standing.
    Active = 0,
    /// Temporarily barred.
    Suspended = 1,
    /// Registration cancelled.
    Deregistered = 2,
}

const STATUSES: [(zy_volunteer_status, VolunteerStatus); 3] = [
    (zy_volunteer_status::Active, VolunteerStatus::Active),
    (zy_volunteer_status::Suspended, VolunteerStatus::Suspended),
    (
        zy_volunteer_status::Deregistered,
        VolunteerStatus::Deregistered,
    ),
];

/// Everything a credit rule can read about one volunteer at one instant
/// (the core `Facts`; JSON callers use its serde form). Hours are whole
/// minutes, the average rating is in hundredths.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct zy_facts {
    /// Cumulative approved service minutes.
    pub cumulative_minutes: i64,
    /// Approved minutes in the trailing window (12 months by default).
    pub minutes_last_12_months: i64,
    /// Approved minutes in the local calendar year.
    pub minutes_this_year: i64,
    /// Whole months since registration.
    pub months_registered: i64,
    /// Age in whole years.
    pub age: i64,
    /// Star level, 0–5 by default.
    pub star_level: i64,
    /// Live monthly-star honours in the honours window.
    pub monthly_star_honours: i64,
    /// Live annual-excellent honours in the honours window.
    pub annual_excellent_honours: i64,
    /// Live honours of any kind in the honours window.
    pub honours: i64,
    /// Revocations for fraud in the fraud window.
    pub fraud_revocations: i64,
    /// Sanctions in the sanction window.
    pub sanctions: i64,
    /// Average rating × 100, floored (0 without ratings).
    pub average_rating_centi: i64,
    /// Number of ratings.
    pub rating_count: i64,
    /// At least the policy's active hours in the calendar year.
    pub active: bool,
    /// A `zy_volunteer_status` code.
    pub status: u32,
}

impl zy_facts {
    fn to_core(self, at: &str) -> Result<Facts, CallError> {
        Ok(Facts {
            cumulative_minutes: self.cumulative_minutes,
            minutes_last_12_months: self.minutes_last_12_months,
            minutes_this_year: self.minutes_this_year,
            months_registered: self.months_registered,
            age: self.age,
            star_level: self.star_level,
            monthly_star_honours: self.monthly_star_honours,
            annual_excellent_honours: self.annual_excellent_honours,
            honours: self.honours,
            fraud_revocations: self.fraud_revocations,
            sanctions: self.sanctions,
            average_rating_centi: self.average_rating_centi,
            rating_count: self.rating_count,
            active: self.active,
            status: enum_arg(self.status, &STATUSES, &format!("{at}.status"))?.1,
        })
    }
}

/// Facts of `n` volunteers as columns: each pointer is NULL or points to
/// `n` elements. A NULL column is a column the policy does not read; a
/// NULL column the policy reads is `ZY_STATUS_INVALID_INPUT` naming
/// `columns.<fact>`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct zy_facts_columns {
    /// See `zy_facts.cumulative_minutes`.
    pub cumulative_minutes: *const i64,
    /// See `zy_facts.minutes_last_12_months`.
    pub minutes_last_12_months: *const i64,
    /// See `zy_facts.minutes_this_year`.
    pub minutes_this_year: *const i64,
    /// See `zy_facts.months_registered`.
    pub months_registered: *const i64,
    /// See `zy_facts.age`.
    pub age: *const i64,
    /// See `zy_facts.star_level`.
    pub star_level: *const i64,
    /// See `zy_facts.monthly_star_honours`.
    pub monthly_star_honours: *const i64,
    /// See `zy_facts.annual_excellent_honours`.
    pub annual_excellent_honours: *const i64,
    /// See `zy_facts.honours`.
    pub honours: *const i64,
    /// See `zy_facts.fraud_revocations`.
    pub fraud_revocations: *const i64,
    /// See `zy_facts.sanctions`.
    pub sanctions: *const i64,
    /// See `zy_facts.average_rating_centi`.
    pub average_rating_centi: *const i64,
    /// See `zy_facts.rating_count`.
    pub rating_count: *const i64,
    /// See `zy_facts.active`.
    pub active: *const bool,
    /// `zy_volunteer_status` codes.
    pub status: *const u32,
}

/// A column pointer as a borrowed column: NULL is an empty (unread) column.
///
/// # Safety
/// `p` is NULL or points to `n` readable `T` that outlive `'a`.
unsafe fn column<'a, T>(p: *const T, n: usize) -> &'a [T] {
    if p.is_null() {
        &[]
    } else {
        // SAFETY: non-NULL, `n` elements per the caller.
        unsafe { std::slice::from_raw_parts(p, n) }
    }
}

impl zy_facts_columns {
    /// The status codes as core statuses (the one column whose C layout
    /// differs from the core's); errors name `columns.status[i]`.
    ///
    /// # Safety
    /// `self.status` is NULL or points to `n` readable codes.
    unsafe fn statuses(&self, n: usize) -> Result<Vec<VolunteerStatus>, CallError> {
        unsafe { column(self.status, n) }
            .iter()
            .enumerate()
            .map(|(i, &c)| Ok(enum_arg(c, &STATUSES, &format!("columns.status[{i}]"))?.1))
            .collect()
    }

    /// The columns borrowed in place, with `status` from `statuses`.
    ///
    /// # Safety
    /// Every non-NULL pointer points to `n` readable elements that outlive
    /// `'a`.
    unsafe fn to_core<'a>(self, n: usize, status: &'a [VolunteerStatus]) -> FactsColumnsRef<'a> {
        unsafe {
            FactsColumnsRef {
                cumulative_minutes: column(self.cumulative_minutes, n),
                minutes_last_12_months: column(self.minutes_last_12_months, n),
                minutes_this_year: column(self.minutes_this_year, n),
                months_registered: column(self.months_registered, n),
                age: column(self.age, n),
                star_level: column(self.star_level, n),
                monthly_star_honours: column(self.monthly_star_honours, n),
                annual_excellent_honours: column(self.annual_excellent_honours, n),
                honours: column(self.honours, n),
                fraud_revocations: column(self.fraud_revocations, n),
                sanctions: column(self.sanctions, n),
                average_rating_centi: column(self.average_rating_centi, n),
                rating_count: column(self.rating_count, n),
                active: column(self.active, n),
                status,
            }
        }
    }
}

/// A credit decision without reasons.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct zy_credit_result {
    /// Whether every gate holds and some tier is reached.
    pub eligible: bool,
    /// The granted tier, 1 = lowest; 0 = not eligible.
    pub tier: u32,
    /// The credit limit in fen (0 when not eligible).
    pub limit_fen: i64,
    /// The interest-rate discount in basis points (0 when not eligible).
    pub rate_discount_bp: i64,
}

impl From<CreditGrant> for zy_credit_result {
    fn from(g: CreditGrant) -> Self {
        zy_credit_result {
            eligible: g.eligible(),
            tier: g.tier,
            limit_fen: g.limit_fen,
            rate_discount_bp: g.rate_discount_bp,
        }
    }
}

/// The 文明贷 decision for one volunteer: the hot path (no allocation, no
/// JSON). Same tier, limit and discount as `zy_credit_decide_json`; for the
/// reasons call that.
///
/// # Safety
/// `policy` must be NULL or a live policy; `facts` NULL or readable; `out`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_credit_decide(
    policy: *const zy_policy,
    facts: *const zy_facts,
    out: *mut zy_credit_result,
) -> zy_status {
    ffi_boundary(|| {
        let policy = unsafe { ref_arg(policy, "policy") }?;
        let facts = unsafe { ref_arg(facts, "facts") }?;
        let out = unsafe { out_arg(out, "out") }?;
        let facts = facts.to_core("facts")?;
        out.write(policy.credit()?.grant(&facts).into());
        Ok(())
    })
}

/// Decisions for `n` volunteers given as columns: `out[i]` is the decision
/// for row `i`. Rows are decided in parallel; the result does not depend on
/// the thread count. On error `out` is untouched.
///
/// # Safety
/// `policy` must be NULL or a live policy; `columns` NULL or readable, each
/// of its pointers NULL or pointing to `n` readable elements; `out` must
/// point to `n` writable `zy_credit_result` (NULL only when `n == 0`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_credit_decide_columns(
    policy: *const zy_policy,
    columns: *const zy_facts_columns,
    n: usize,
    out: *mut zy_credit_result,
) -> zy_status {
    ffi_boundary(|| {
        let policy = unsafe { ref_arg(policy, "policy") }?;
        let columns = unsafe { ref_arg(columns, "columns") }?;
        let out = unsafe { slice_out(out, n, "out") }?;
        let status = unsafe { columns.statuses(n) }?;
        let columns = unsafe { columns.to_core(n, &status) };
        // The instant only stamps full decisions, which are not asked for.
        let batch = policy.credit()?.decide_columns(
            columns,
            timestamp(0, "as_of")?,
            false,
            Threads::Global,
        )?;
        if batch.tier.len() != n {
            return Err(CallError::invalid(
                "columns",
                format!("every column is NULL, but n is {n}"),
            ));
        }
        let terms = (batch.tier.iter().zip(&batch.limit_fen))
            .zip(batch.rate_discount_bp.iter().zip(&batch.eligible));
        for (o, ((&tier, &limit_fen), (&rate_discount_bp, &eligible))) in out.iter_mut().zip(terms)
        {
            *o = zy_credit_result {
                eligible,
                tier,
                limit_fen,
                rate_discount_bp,
            };
        }
        Ok(())
    })
}

/// Decisions for an array of `n` `zy_facts` rows: `out[i]` for `rows[i]`.
/// On error (a bad status code, naming `rows[i].status`) `out` is untouched.
///
/// # Safety
/// `policy` must be NULL or a live policy; `rows` must point to `n`
/// readable and `out` to `n` writable elements (NULL only when `n == 0`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_credit_decide_rows(
    policy: *const zy_policy,
    rows: *const zy_facts,
    n: usize,
    out: *mut zy_credit_result,
) -> zy_status {
    ffi_boundary(|| {
        let policy = unsafe { ref_arg(policy, "policy") }?;
        let rows = unsafe { slice_arg(rows, n, "rows") }?;
        let out = unsafe { slice_out(out, n, "out") }?;
        let engine = policy.credit()?;
        let facts = rows
            .iter()
            .enumerate()
            .map(|(i, r)| r.to_core(&format!("rows[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        for (o, f) in out.iter_mut().zip(&facts) {
            *o = engine.grant(f).into();
        }
        Ok(())
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideArgs {
    facts: Facts,
    as_of: Timestamp,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideBatchArgs {
    columns: FactsColumns,
    as_of: Timestamp,
    #[serde(default)]
    with_reasons: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeriveArgs {
    profile: VolunteerProfile,
    #[serde(default)]
    inputs: FactInputs,
    as_of: Timestamp,
}

/// `credit.decide`: `{"facts": Facts, "as_of"}` → `CreditDecision` (tier,
/// limit, discount, every condition's outcome, failing gates, the gap to
/// the next tier, the policy hash).
///
/// # Safety
/// `policy` must be NULL or a live policy; `in_json` NULL or a
/// NUL-terminated string; `out_json` NULL or writable. On success
/// `*out_json` is owned: free it with `zy_string_free`. The same holds for
/// every policy-level `zy_*_json` call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_credit_decide_json(
    policy: *const zy_policy,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(policy, "policy", in_json, out_json, |p, a: DecideArgs| {
        Ok::<_, CallError>(p.credit()?.decide(&a.facts, a.as_of))
    })
}

/// `credit.decide_batch`: `{"columns": FactsColumns, "as_of",
/// "with_reasons"?}` → `CreditBatch` (columns of eligible, tier, limit,
/// discount; the full decisions when `with_reasons`).
///
/// # Safety
/// As for `zy_credit_decide_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_credit_decide_batch_json(
    policy: *const zy_policy,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(
        policy,
        "policy",
        in_json,
        out_json,
        |p, a: DecideBatchArgs| {
            Ok::<_, CallError>(
                p.credit()?
                    .decide_batch(&a.columns, a.as_of, a.with_reasons)?,
            )
        },
    )
}

/// `facts.derive`: `{"profile": VolunteerProfile, "inputs": FactInputs?,
/// "as_of"}` → `Facts`.
///
/// # Safety
/// As for `zy_credit_decide_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_facts_derive_json(
    policy: *const zy_policy,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(policy, "policy", in_json, out_json, |p, a: DeriveArgs| {
        derive_facts(&p.inner, &a.profile, &a.inputs, a.as_of)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_match_the_core_order() {
        for (i, (code, status)) in STATUSES.iter().enumerate() {
            assert_eq!(*code as usize, i);
            assert_eq!(status.code(), i as i64);
        }
    }
}
