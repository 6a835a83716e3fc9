//! Selections: 月度之星 (monthly stars), annual 优秀志愿者 selection and
//! quota apportionment, as JSON rich calls in the schema of
//! `tests/vectors/{monthly_stars,annual,apportion}`
//! (`core/tests/vectors_selection.rs`), plus an apportionment column call.

use crate::boundary::{enum_arg, ffi_boundary, plain_json, ref_json, slice_arg, slice_out};
use crate::error::{CallError, zy_status};
use crate::policy::zy_policy;
use serde::Deserialize;
use std::ffi::c_char;
use zhiyuan::annual::{AnnualRound, annual_selection};
use zhiyuan::apportion::{District, Method, apportion};
use zhiyuan::monthly::{MonthlyRound, count_votes, monthly_stars};

/// `monthly_stars`: `MonthlyRound` → `MonthlyResult` (scores as exact
/// rationals, the winners with the declared tie order, the policy hash).
///
/// # Safety
/// `policy` must be NULL or a live policy; `in_json` NULL or a
/// NUL-terminated string; `out_json` NULL or writable. On success
/// `*out_json` is owned: free it with `zy_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_monthly_stars_json(
    policy: *const zy_policy,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(policy, "policy", in_json, out_json, |p, r: MonthlyRound| {
        monthly_stars(&p.inner, &r)
    })
}

/// `monthly.count_votes`: `MonthlyRound` → `VoteTally` (valid and void
/// votes per candidate).
///
/// # Safety
/// As for `zy_monthly_stars_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_monthly_count_votes_json(
    policy: *const zy_policy,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(policy, "policy", in_json, out_json, |p, r: MonthlyRound| {
        count_votes(&p.inner, &r)
    })
}

/// `annual_selection`: `AnnualRound` → `AnnualResult` (eligibility with
/// reasons, quotas per district, the selected).
///
/// # Safety
/// As for `zy_monthly_stars_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_annual_selection_json(
    policy: *const zy_policy,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(policy, "policy", in_json, out_json, |p, r: AnnualRound| {
        annual_selection(&p.inner, &r)
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApportionArgs {
    districts: Vec<District>,
    total: u64,
    #[serde(default)]
    method: Method,
}

/// `apportion`: `{"districts": [District], "total", "method"?}` →
/// `Apportionment`. No policy: the method is an argument.
///
/// # Safety
/// `in_json` NULL or a NUL-terminated string; `out_json` NULL or writable.
/// On success `*out_json` is owned: free it with `zy_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_apportion_json(
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    plain_json(in_json, out_json, |a: ApportionArgs| {
        apportion(&a.districts, a.total, a.method)
    })
}

/// `uint32_t` codes for the `method` of `zy_apportion`.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum zy_apportion_method {
    /// Sainte-Laguë / Webster (the default).
    SainteLague = 0,
    /// Hamilton / largest remainder.
    LargestRemainder = 1,
    /// D'Hondt / Jefferson.
    DHondt = 2,
    /// Huntington–Hill.
    HuntingtonHill = 3,
}

const METHODS: [(zy_apportion_method, Method); 4] = [
    (zy_apportion_method::SainteLague, Method::SainteLague),
    (
        zy_apportion_method::LargestRemainder,
        Method::LargestRemainder,
    ),
    (zy_apportion_method::DHondt, Method::DHondt),
    (zy_apportion_method::HuntingtonHill, Method::HuntingtonHill),
];

/// `caps[i]` value meaning "no cap".
pub const ZY_NO_CAP: u64 = u64::MAX;

/// Apportions `total` seats to `n` districts given as columns (`ids`,
/// `sizes`, `caps` with `ZY_NO_CAP` for none) by a `zy_apportion_method`
/// code; `seats[i]` receives district `ids[i]`'s seats and `*unfilled` the
/// seats left when every district is capped. Same result as
/// `zy_apportion_json`. On error the outputs are untouched.
///
/// # Safety
/// `ids`, `sizes` and `caps` must point to `n` readable and `seats` to `n`
/// writable `uint64_t` (NULL only when `n == 0`); `unfilled` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_apportion(
    ids: *const u64,
    sizes: *const u64,
    caps: *const u64,
    n: usize,
    total: u64,
    method: u32,
    seats: *mut u64,
    unfilled: *mut u64,
) -> zy_status {
    ffi_boundary(|| {
        let ids = unsafe { slice_arg(ids, n, "ids") }?;
        let sizes = unsafe { slice_arg(sizes, n, "sizes") }?;
        let caps = unsafe { slice_arg(caps, n, "caps") }?;
        let seats = unsafe { slice_out(seats, n, "seats") }?;
        let unfilled = unsafe { crate::boundary::out_arg(unfilled, "unfilled") }?;
        let method = enum_arg(method, &METHODS, "method")?.1;
        let districts: Vec<District> = ids
            .iter()
            .zip(sizes)
            .zip(caps)
            .map(|((&id, &size), &cap)| District {
                id,
                size,
                cap: (cap != ZY_NO_CAP).then_some(cap),
            })
            .collect();
        let a = apportion(&districts, total, method)?;
        // Core lists districts by id; ids are unique (core checks), so each
        // input row finds exactly its own.
        let by_id: std::collections::BTreeMap<u64, u64> =
            a.districts.iter().map(|d| (d.id, d.seats)).collect();
        let mut rows = Vec::with_capacity(n);
        for (i, id) in ids.iter().enumerate() {
            rows.push(*by_id.get(id).ok_or_else(|| {
                CallError::new(
                    zy_status::OtherError,
                    format!("ids[{i}]: district {id} missing from the result"),
                )
            })?);
        }
        seats.copy_from_slice(&rows);
        unfilled.write(a.unfilled);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_codes_match_the_exported_numbers() {
        for (i, (code, _)) in METHODS.iter().enumerate() {
            assert_eq!(*code as usize, i);
        }
    }
}
