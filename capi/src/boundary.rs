//! The few functions every entry point is built from: the panic boundary,
//! argument checks, output writing, owned handles and the JSON rich call.
//!
//! An entry point is always the same shape:
//!
//! ```text
//! ffi_boundary(|| {
//!     let p = unsafe { ref_arg(policy, "policy") }?;   // NULL -> ZY_STATUS_NULL_ARGUMENT
//!     let out = unsafe { out_arg(out, "out") }?;       // checked before any work
//!     let value = core_call(&p.inner)?;                // core Error -> status + message
//!     out.write(value);                                // only on success
//!     Ok(())
//! })
//! ```

use crate::error::{CallError, set_last_error, zy_status};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;

/// Runs `f`, turning its error into a status plus this thread's last error
/// message, and a panic into [`zy_status::Panic`]. Clears the last error
/// first, so after success `zy_last_error_message()` is NULL.
pub(crate) fn ffi_boundary(f: impl FnOnce() -> Result<(), CallError>) -> zy_status {
    set_last_error(None);
    // AssertUnwindSafe: after a panic the status tells the caller the handle
    // may be inconsistent and must be freed (documented on ZY_STATUS_PANIC).
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => zy_status::Ok,
        Ok(Err(e)) => {
            set_last_error(Some(e.message));
            e.status
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".to_owned());
            set_last_error(Some(format!("internal error: {what}")));
            zy_status::Panic
        }
    }
}

/// Borrows a handle argument.
///
/// # Safety
/// `p` is NULL or points to a live `T` that is not mutated during `'a`.
pub(crate) unsafe fn ref_arg<'a, T>(p: *const T, arg: &str) -> Result<&'a T, CallError> {
    // SAFETY: upheld by the caller.
    unsafe { p.as_ref() }.ok_or_else(|| CallError::null(arg))
}

/// Borrows a handle argument mutably.
///
/// # Safety
/// `p` is NULL or points to a live `T` with no other access during `'a`.
pub(crate) unsafe fn mut_arg<'a, T>(p: *mut T, arg: &str) -> Result<&'a mut T, CallError> {
    // SAFETY: upheld by the caller.
    unsafe { p.as_mut() }.ok_or_else(|| CallError::null(arg))
}

/// Borrows a NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string alive during `'a`.
pub(crate) unsafe fn str_arg<'a>(p: *const c_char, arg: &str) -> Result<&'a str, CallError> {
    if p.is_null() {
        return Err(CallError::null(arg));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller.
    let bytes = unsafe { CStr::from_ptr(p) };
    bytes.to_str().map_err(|e| {
        CallError::new(
            zy_status::InvalidUtf8,
            format!(
                "{arg}: invalid UTF-8 at byte {}",
                e.valid_up_to() // the offset helps find the bad byte
            ),
        )
    })
}

/// Borrows a column argument of `n` elements. NULL is accepted only when
/// `n == 0` (an empty column), so callers can pass empty vectors as they
/// come (Go `nil` slices, empty `std::vector`).
///
/// # Safety
/// `p` is NULL or points to `n` initialised `T` alive during `'a`.
pub(crate) unsafe fn slice_arg<'a, T>(
    p: *const T,
    n: usize,
    arg: &str,
) -> Result<&'a [T], CallError> {
    match (p.is_null(), n) {
        (true, 0) => Ok(&[]),
        (true, _) => Err(CallError::null(arg)),
        // SAFETY: non-NULL, `n` elements per the caller.
        (false, _) => Ok(unsafe { std::slice::from_raw_parts(p, n) }),
    }
}

/// An output column of `n` elements; same NULL rule as [`slice_arg`].
///
/// # Safety
/// `p` is NULL or points to `n` writable `T` not otherwise accessed during `'a`.
pub(crate) unsafe fn slice_out<'a, T>(
    p: *mut T,
    n: usize,
    arg: &str,
) -> Result<&'a mut [T], CallError> {
    match (p.is_null(), n) {
        (true, 0) => Ok(&mut []),
        (true, _) => Err(CallError::null(arg)),
        // SAFETY: non-NULL, `n` writable elements per the caller.
        (false, _) => Ok(unsafe { std::slice::from_raw_parts_mut(p, n) }),
    }
}

/// An output parameter, checked for NULL before any work is done and
/// written only on success.
pub(crate) struct Out<T>(NonNull<T>);

impl<T> Out<T> {
    /// Writes the result. Does not drop whatever the slot held before (the
    /// slot is caller memory, possibly uninitialised).
    pub(crate) fn write(self, value: T) {
        // SAFETY: `out_arg` checked non-NULL; the caller promised writable.
        unsafe { self.0.as_ptr().write(value) }
    }
}

/// Checks an output parameter.
///
/// # Safety
/// `p` is NULL or points to writable memory for one `T`.
pub(crate) unsafe fn out_arg<T>(p: *mut T, arg: &str) -> Result<Out<T>, CallError> {
    NonNull::new(p).map(Out).ok_or_else(|| CallError::null(arg))
}

/// A `threads` argument: 0 for the global pool, else an exact count.
pub(crate) fn threads_arg(threads: u32) -> Result<zhiyuan::threads::Threads, CallError> {
    use zhiyuan::threads::Threads;
    Ok(match threads {
        0 => Threads::Global,
        n => Threads::exactly(n as usize)?,
    })
}

/// Hands a Rust string to C as an owned `char *` (freed by `zy_string_free`).
pub(crate) fn owned_string(s: String) -> Result<*mut c_char, CallError> {
    // JSON and TOML writers escape NUL, so this only fails on a core bug.
    CString::new(s)
        .map(CString::into_raw)
        .map_err(|_| CallError::new(zy_status::OtherError, "output contains a NUL byte"))
}

/// An opaque handle owned by C: allocated by a `zy_X_new`-style constructor
/// through [`Handle::into_raw`], released by `zy_X_free` through
/// [`Handle::free`]. Both halves live here, so constructor and destructor
/// cannot disagree about the allocation.
///
/// (The exported `zy_X_free` functions are one-line wrappers written out by
/// hand because cbindgen does not see macro-expanded items on stable; the
/// header test checks every handle has its `_free`.)
pub(crate) trait Handle: Sized {
    /// Moves the value to the heap and gives up ownership.
    fn into_raw(self) -> *mut Self {
        Box::into_raw(Box::new(self))
    }

    /// Frees a handle; NULL is a no-op. Never unwinds into C.
    ///
    /// # Safety
    /// `p` is NULL or came from [`Handle::into_raw`] and is not used again.
    unsafe fn free(p: *mut Self) {
        if !p.is_null() {
            // A Drop that panics is a bug; swallow it rather than abort the host.
            // SAFETY: `p` came from `Box::into_raw` per the caller.
            let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(p) })));
        }
    }
}

/// Parses a JSON argument into `T`. Syntax and schema errors both give
/// [`zy_status::InvalidJson`] with the path inside the document.
pub(crate) fn parse_json<T: DeserializeOwned>(text: &str, arg: &str) -> Result<T, CallError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| json_error(arg, &e.path().to_string(), e.inner()))?;
    de.end().map_err(|e| json_error(arg, ".", &e))?;
    Ok(value)
}

fn json_error(arg: &str, path: &str, e: &serde_json::Error) -> CallError {
    let at = if path == "." {
        String::new()
    } else {
        format!(" at {path}")
    };
    CallError::new(zy_status::InvalidJson, format!("{arg}{at}: {e}"))
}

/// Serialises a result to its serde JSON form: the golden-vector schema.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String, CallError> {
    serde_json::to_string(value).map_err(|e| {
        CallError::new(
            zy_status::OtherError,
            format!("serialising the result: {e}"),
        )
    })
}

/// The rich-call pattern: checks `out_json`, parses `in_json` as `I`, runs
/// the core call and writes its result as JSON. Every `zy_…_json` function is
/// this plus argument borrowing.
///
/// # Safety
/// `in_json` and `out_json` as for [`str_arg`] and [`out_arg`].
pub(crate) unsafe fn json_call<I, O>(
    in_json: *const c_char,
    out_json: *mut *mut c_char,
    call: impl FnOnce(I) -> Result<O, CallError>,
) -> Result<(), CallError>
where
    I: DeserializeOwned,
    O: Serialize,
{
    let out = unsafe { out_arg(out_json, "out_json") }?;
    let input: I = parse_json(unsafe { str_arg(in_json, "in_json") }?, "in_json")?;
    let text = to_json(&call(input)?)?;
    out.write(owned_string(text)?);
    Ok(())
}

/// A JSON call on a handle shared for reading: borrows `handle` (named
/// `name` in the NULL message), then [`json_call`].
pub(crate) fn ref_json<H, I, O, E>(
    handle: *const H,
    name: &str,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
    call: impl FnOnce(&H, I) -> Result<O, E>,
) -> zy_status
where
    I: DeserializeOwned,
    O: Serialize,
    E: Into<CallError>,
{
    ffi_boundary(|| on_ref(handle, name, in_json, out_json, call))
}

/// [`ref_json`] without the boundary, for calls that borrow more handles
/// first.
pub(crate) fn on_ref<H, I, O, E>(
    handle: *const H,
    name: &str,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
    call: impl FnOnce(&H, I) -> Result<O, E>,
) -> Result<(), CallError>
where
    I: DeserializeOwned,
    O: Serialize,
    E: Into<CallError>,
{
    let h = unsafe { ref_arg(handle, name) }?;
    unsafe { json_call(in_json, out_json, |i| call(h, i).map_err(Into::into)) }
}

/// A JSON call that mutates a handle: borrows `handle` exclusively, then
/// [`json_call`]. On error the core leaves the handle unchanged.
pub(crate) fn mut_json<H, I, O, E>(
    handle: *mut H,
    name: &str,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
    call: impl FnOnce(&mut H, I) -> Result<O, E>,
) -> zy_status
where
    I: DeserializeOwned,
    O: Serialize,
    E: Into<CallError>,
{
    ffi_boundary(|| on_mut(handle, name, in_json, out_json, call))
}

/// [`mut_json`] without the boundary.
pub(crate) fn on_mut<H, I, O, E>(
    handle: *mut H,
    name: &str,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
    call: impl FnOnce(&mut H, I) -> Result<O, E>,
) -> Result<(), CallError>
where
    I: DeserializeOwned,
    O: Serialize,
    E: Into<CallError>,
{
    let h = unsafe { mut_arg(handle, name) }?;
    unsafe { json_call(in_json, out_json, |i| call(h, i).map_err(Into::into)) }
}

/// A JSON call on nothing but its input (stateless calls).
pub(crate) fn plain_json<I, O, E>(
    in_json: *const c_char,
    out_json: *mut *mut c_char,
    call: impl FnOnce(I) -> Result<O, E>,
) -> zy_status
where
    I: DeserializeOwned,
    O: Serialize,
    E: Into<CallError>,
{
    ffi_boundary(|| unsafe { json_call(in_json, out_json, |i| call(i).map_err(Into::into)) })
}

/// Runs a handle constructor: checks `out` first, then writes the new
/// handle only on success.
pub(crate) fn new_handle<H: Handle>(
    out: *mut *mut H,
    make: impl FnOnce() -> Result<H, CallError>,
) -> zy_status {
    ffi_boundary(|| make_handle(out, make))
}

/// [`new_handle`] without the boundary.
pub(crate) fn make_handle<H: Handle>(
    out: *mut *mut H,
    make: impl FnOnce() -> Result<H, CallError>,
) -> Result<(), CallError> {
    let out = unsafe { out_arg(out, "out") }?;
    out.write(make()?.into_raw());
    Ok(())
}

/// Builds a handle from a policy: borrows `policy`, checks `out`, then
/// `make`.
pub(crate) fn policy_handle<H: Handle>(
    policy: *const crate::policy::zy_policy,
    out: *mut *mut H,
    make: impl FnOnce(&crate::policy::zy_policy) -> Result<H, CallError>,
) -> zy_status {
    ffi_boundary(|| {
        let policy = unsafe { ref_arg(policy, "policy") }?;
        make_handle(out, || make(policy))
    })
}

/// Converts a `uint32_t` code from C into a Rust enum; out-of-range codes are
/// [`zy_status::InvalidInput`] naming the argument. (C never passes Rust
/// enums: an out-of-range enum value would be undefined behaviour.)
pub(crate) fn enum_arg<T: Copy>(code: u32, table: &[T], arg: &str) -> Result<T, CallError> {
    usize::try_from(code)
        .ok()
        .and_then(|i| table.get(i).copied())
        .ok_or_else(|| {
            CallError::invalid(
                arg,
                format!(
                    "unknown code {code} (expected 0..={})",
                    table.len().saturating_sub(1)
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::zy_last_error_message;

    fn last() -> Option<String> {
        let p = zy_last_error_message();
        // SAFETY: the library returns NULL or a live NUL-terminated string.
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned())
    }

    #[test]
    fn a_panic_becomes_the_panic_status_with_its_message() {
        let s = ffi_boundary(|| panic!("boom {}", 7));
        assert_eq!(s, zy_status::Panic);
        assert_eq!(last().as_deref(), Some("internal error: boom 7"));
        // The next successful call clears the message.
        assert_eq!(ffi_boundary(|| Ok(())), zy_status::Ok);
        assert_eq!(last(), None);
    }

    #[test]
    fn core_errors_keep_kind_and_display() {
        let s =
            ffi_boundary(|| Err(zhiyuan::Error::not_found("record 7", "unknown record").into()));
        assert_eq!(s, zy_status::NotFound);
        assert_eq!(last().as_deref(), Some("record 7: unknown record"));
    }

    #[test]
    fn last_error_is_per_thread() {
        let _ = ffi_boundary(|| Err(CallError::null("x")));
        let other = std::thread::spawn(last).join().unwrap();
        assert_eq!(other, None);
        assert_eq!(last().as_deref(), Some("x: must not be NULL"));
    }

    #[test]
    fn json_errors_name_the_path() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct In {
            rows: Vec<u8>,
        }
        let e = parse_json::<In>(r#"{"rows": [1, "x"]}"#, "in_json").unwrap_err();
        assert_eq!(e.status, zy_status::InvalidJson);
        assert!(
            e.message.starts_with("in_json at rows[1]: invalid type"),
            "{}",
            e.message
        );
        let e = parse_json::<In>(r#"{"rows": []} x"#, "in_json").unwrap_err();
        assert!(
            e.message.starts_with("in_json: trailing characters"),
            "{}",
            e.message
        );
    }

    #[test]
    fn enum_codes_out_of_range_are_invalid_input() {
        assert_eq!(enum_arg(1, &['a', 'b'], "kind").unwrap(), 'b');
        let e = enum_arg(2, &['a', 'b'], "kind").unwrap_err();
        assert_eq!(e.status, zy_status::InvalidInput);
        assert_eq!(e.message, "kind: unknown code 2 (expected 0..=1)");
    }

    #[test]
    fn status_strings_are_distinct_and_stable_numbers_hold() {
        let numbers: Vec<u32> = zy_status::ALL.iter().map(|s| *s as u32).collect();
        assert_eq!(numbers, [0, 1, 2, 3, 4, 5, 6, 7, 8, 254, 255]);
        let mut texts: Vec<_> = zy_status::ALL.iter().map(|s| s.as_cstr()).collect();
        texts.sort();
        texts.dedup();
        assert_eq!(texts.len(), zy_status::ALL.len());
    }
}
