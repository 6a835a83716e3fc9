//! `zy_policy`: a validated, hashed policy.

use crate::boundary::{Handle, ffi_boundary, out_arg, owned_string, ref_arg, str_arg};
use crate::error::{CallError, zy_status};
use std::ffi::c_char;
use std::sync::OnceLock;
use zhiyuan::Policy;
use zhiyuan::credit::CreditEngine;

/// A validated policy with its content hash (opaque).
///
/// Immutable after construction: one `zy_policy` may be shared by any number
/// of threads and passed to concurrent calls without locking.
#[allow(non_camel_case_types)]
pub struct zy_policy {
    pub(crate) inner: Policy,
    /// The credit section compiled on first use, so the struct credit call
    /// does not recompile the decision table every time. `OnceLock` keeps
    /// the handle shareable between threads.
    credit: OnceLock<Result<CreditEngine, zhiyuan::Error>>,
}

impl zy_policy {
    pub(crate) fn new(inner: Policy) -> Self {
        zy_policy {
            inner,
            credit: OnceLock::new(),
        }
    }

    /// The compiled credit engine of this policy.
    pub(crate) fn credit(&self) -> Result<&CreditEngine, CallError> {
        self.credit
            .get_or_init(|| CreditEngine::new(&self.inner))
            .as_ref()
            .map_err(|e| CallError::from(e.clone()))
    }
}

impl Handle for zy_policy {}

fn new_policy(
    out: *mut *mut zy_policy,
    make: impl FnOnce() -> Result<Policy, CallError>,
) -> zy_status {
    ffi_boundary(|| {
        let out = unsafe { out_arg(out, "out") }?;
        out.write(zy_policy::new(make()?).into_raw());
        Ok(())
    })
}

/// Parses and validates a policy from TOML. Missing keys take the Jiangsu
/// defaults; unknown keys are errors (`ZY_STATUS_POLICY_INVALID`, message
/// naming the field path).
///
/// # Safety
/// `toml` must be NULL or a NUL-terminated string; `out` must be NULL or
/// writable. On success `*out` owns a policy: free it with `zy_policy_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_policy_from_toml(
    toml: *const c_char,
    out: *mut *mut zy_policy,
) -> zy_status {
    new_policy(out, || {
        Ok(Policy::from_toml(unsafe { str_arg(toml, "toml") }?)?)
    })
}

/// Parses and validates a policy from JSON (same schema as TOML and as the
/// `policy` key of the golden vectors).
///
/// # Safety
/// `json` must be NULL or a NUL-terminated string; `out` must be NULL or
/// writable. On success `*out` owns a policy: free it with `zy_policy_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_policy_from_json(
    json: *const c_char,
    out: *mut *mut zy_policy,
) -> zy_status {
    new_policy(out, || {
        Ok(Policy::from_json(unsafe { str_arg(json, "json") }?)?)
    })
}

/// The default (Jiangsu) policy.
///
/// # Safety
/// `out` must be NULL or writable. On success `*out` owns a policy: free it
/// with `zy_policy_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_policy_default(out: *mut *mut zy_policy) -> zy_status {
    new_policy(out, || Ok(Policy::default()))
}

/// The policy's content hash: 64 lowercase hex digits of SHA-256 over its
/// canonical JSON. Every decision records it.
///
/// # Safety
/// `policy` must be NULL or a live policy; `out` must be NULL or writable.
/// On success `*out` is an owned string: free it with `zy_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_policy_hash(
    policy: *const zy_policy,
    out: *mut *mut c_char,
) -> zy_status {
    policy_text(policy, out, |p| p.hash().to_owned())
}

/// The full policy as canonical JSON (sorted keys, no whitespace; every key,
/// defaults included): exactly the text that is hashed.
///
/// # Safety
/// `policy` must be NULL or a live policy; `out` must be NULL or writable.
/// On success `*out` is an owned string: free it with `zy_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_policy_to_json(
    policy: *const zy_policy,
    out: *mut *mut c_char,
) -> zy_status {
    policy_text(policy, out, Policy::to_json)
}

/// The full policy as TOML (every key, defaults included).
///
/// # Safety
/// `policy` must be NULL or a live policy; `out` must be NULL or writable.
/// On success `*out` is an owned string: free it with `zy_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_policy_to_toml(
    policy: *const zy_policy,
    out: *mut *mut c_char,
) -> zy_status {
    policy_text(policy, out, Policy::to_toml)
}

fn policy_text(
    policy: *const zy_policy,
    out: *mut *mut c_char,
    text: impl FnOnce(&Policy) -> String,
) -> zy_status {
    ffi_boundary(|| {
        let policy = unsafe { ref_arg(policy, "policy") }?;
        let out = unsafe { out_arg(out, "out") }?;
        out.write(owned_string(text(&policy.inner))?);
        Ok(())
    })
}

/// Frees a policy. NULL is a no-op.
///
/// # Safety
/// `policy` must be NULL or from a `zy_policy_*` constructor, not yet freed.
/// Handles built from it (ledgers) keep their own copy and stay valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_policy_free(policy: *mut zy_policy) {
    unsafe { zy_policy::free(policy) }
}
