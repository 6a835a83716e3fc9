//! Star levels (星级志愿者) as a column call and as a JSON rich call.

use crate::boundary::{ffi_boundary, json_call, ref_arg, slice_arg, slice_out};
use crate::error::zy_status;
use crate::policy::zy_policy;
use std::ffi::c_char;

/// Star level (0 = none, 1..=5 with the default ladder) for each of `n`
/// cumulative approved service minutes: `out[i] = level(minutes[i])`.
/// The hot path: no allocation, no JSON.
///
/// # Safety
/// `policy` must be NULL or a live policy. `minutes` must point to `n`
/// readable `int64_t` and `out` to `n` writable `uint8_t`; either may be
/// NULL only when `n == 0`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_star_levels(
    policy: *const zy_policy,
    minutes: *const i64,
    n: usize,
    out: *mut u8,
) -> zy_status {
    ffi_boundary(|| {
        let policy = unsafe { ref_arg(policy, "policy") }?;
        let minutes = unsafe { slice_arg(minutes, n, "minutes") }?;
        let out = unsafe { slice_out(out, n, "out") }?;
        let stars = &policy.inner.stars;
        for (o, &m) in out.iter_mut().zip(minutes) {
            *o = stars.level(m);
        }
        Ok(())
    })
}

/// The JSON twin of `zy_star_levels`: `in_json` is an array of minutes
/// (`[6000, 17999]`), `*out_json` the array of levels (`[1,1]`).
///
/// # Safety
/// `policy` must be NULL or a live policy; `in_json` NULL or a
/// NUL-terminated string; `out_json` NULL or writable. On success
/// `*out_json` is owned: free it with `zy_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_star_levels_json(
    policy: *const zy_policy,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ffi_boundary(|| {
        let policy = unsafe { ref_arg(policy, "policy") }?;
        unsafe {
            json_call(in_json, out_json, |minutes: Vec<i64>| {
                Ok(minutes
                    .into_iter()
                    .map(|m| policy.inner.stars.level(m))
                    .collect::<Vec<u8>>())
            })
        }
    })
}
