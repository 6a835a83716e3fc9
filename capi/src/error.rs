//! Status codes, the thread-local last error and owned-string release.

use std::cell::RefCell;
use std::ffi::{CString, c_char};
use zhiyuan::ErrorKind;

/// The result of every fallible `zy_` call.
///
/// Numbers are stable: a code is never renumbered or reused; a retired code
/// stays here as a comment. 0 is success. `ZY_STATUS_INVALID_INPUT` through
/// `ZY_STATUS_POLICY_INVALID` map one to one onto the core error kinds
/// (`zhiyuan::ErrorKind`), so a C caller branches exactly as a Rust caller
/// would. After any non-zero status, `zy_last_error_message()` holds the
/// detail (field path and reason).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum zy_status {
    /// Success.
    Ok = 0,
    /// A required pointer argument was NULL.
    NullArgument = 1,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 2,
    /// A JSON argument did not parse, or did not match the expected schema.
    InvalidJson = 3,
    /// A value is malformed or out of range (core `InvalidInput`), including
    /// an out-of-range `uint32_t` code or a column of the wrong length.
    InvalidInput = 4,
    /// An id was reused with a different body (core `Conflict`).
    Conflict = 5,
    /// A referenced id does not exist (core `NotFound`).
    NotFound = 6,
    /// The operation is not allowed in the current state (core
    /// `InvalidState`).
    InvalidState = 7,
    /// A policy failed to parse or validate (core `PolicyInvalid`).
    PolicyInvalid = 8,
    /// A core error of a kind newer than this list; the message says more.
    OtherError = 254,
    /// An internal bug (a Rust panic) was caught at the boundary. The only
    /// status after which outputs may be partly written (a column) and the
    /// handle passed to the call may be inconsistent: free it.
    Panic = 255,
}

impl zy_status {
    /// The static description returned by `zy_status_str`.
    pub fn as_cstr(self) -> &'static std::ffi::CStr {
        match self {
            zy_status::Ok => c"ok",
            zy_status::NullArgument => c"a required pointer argument was NULL",
            zy_status::InvalidUtf8 => c"a string argument was not valid UTF-8",
            zy_status::InvalidJson => c"a JSON argument did not parse or match the schema",
            zy_status::InvalidInput => c"invalid input",
            zy_status::Conflict => c"conflict",
            zy_status::NotFound => c"not found",
            zy_status::InvalidState => c"not allowed in the current state",
            zy_status::PolicyInvalid => c"invalid policy",
            zy_status::OtherError => c"error",
            zy_status::Panic => c"internal error (panic caught at the C boundary)",
        }
    }

    /// Every status, for exhaustive tests of the table above.
    pub const ALL: [zy_status; 11] = [
        zy_status::Ok,
        zy_status::NullArgument,
        zy_status::InvalidUtf8,
        zy_status::InvalidJson,
        zy_status::InvalidInput,
        zy_status::Conflict,
        zy_status::NotFound,
        zy_status::InvalidState,
        zy_status::PolicyInvalid,
        zy_status::OtherError,
        zy_status::Panic,
    ];
}

impl From<ErrorKind> for zy_status {
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::InvalidInput => zy_status::InvalidInput,
            ErrorKind::Conflict => zy_status::Conflict,
            ErrorKind::NotFound => zy_status::NotFound,
            ErrorKind::InvalidState => zy_status::InvalidState,
            ErrorKind::PolicyInvalid => zy_status::PolicyInvalid,
            _ => zy_status::OtherError,
        }
    }
}

/// Why a call failed: the status to return and the message to keep.
#[derive(Debug)]
pub struct CallError {
    pub(crate) status: zy_status,
    pub(crate) message: String,
}

impl CallError {
    pub(crate) fn new(status: zy_status, message: impl Into<String>) -> Self {
        CallError {
            status,
            message: message.into(),
        }
    }

    /// `arg` was NULL.
    pub(crate) fn null(arg: &str) -> Self {
        CallError::new(zy_status::NullArgument, format!("{arg}: must not be NULL"))
    }

    /// `arg` is out of range or malformed.
    pub(crate) fn invalid(arg: &str, reason: impl std::fmt::Display) -> Self {
        CallError::new(zy_status::InvalidInput, format!("{arg}: {reason}"))
    }
}

impl From<zhiyuan::Error> for CallError {
    fn from(e: zhiyuan::Error) -> Self {
        // The message is exactly the core Display form (`field: reason`), so
        // golden vectors compare it byte for byte.
        CallError::new(e.kind().into(), e.to_string())
    }
}

thread_local! {
    static LAST_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

/// Replaces this thread's last error message (`None` clears it).
pub(crate) fn set_last_error(message: Option<String>) {
    let text = message.map(|m| {
        // A NUL inside a message would truncate it in C; show it instead.
        CString::new(m.replace('\0', "\\0")).expect("NULs were replaced")
    });
    // `try_with` fails only while the thread is being torn down; then there
    // is nobody left to read the message.
    let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = text);
}

/// The message of the last failed call on this thread, or NULL when the last
/// status-returning call on this thread succeeded (or none was made).
///
/// The text is UTF-8, names the field path or id when known (e.g.
/// `stars.thresholds_hours[2]: must be greater than 300`) and is borrowed:
/// it stays valid until the next `zy_` call that returns a `zy_status` on
/// the same thread. Never free it. Messages are per thread.
#[unsafe(no_mangle)]
pub extern "C" fn zy_last_error_message() -> *const c_char {
    LAST_ERROR
        .try_with(|slot| {
            slot.borrow()
                .as_ref()
                .map_or(std::ptr::null(), |s| s.as_ptr())
        })
        .unwrap_or(std::ptr::null())
}

/// A static, NUL-terminated description of `status`; never NULL, never
/// freed. Unknown numbers give `"unknown status"`.
#[unsafe(no_mangle)]
pub extern "C" fn zy_status_str(status: u32) -> *const c_char {
    zy_status::ALL
        .iter()
        .find(|s| **s as u32 == status)
        .map_or(c"unknown status".as_ptr(), |s| s.as_cstr().as_ptr())
}

/// Frees a string returned by a `zy_` function (JSON outputs, hashes).
/// NULL is a no-op.
///
/// # Safety
/// `s` must be NULL or a pointer returned through a `char **` output of a
/// `zy_` function and not yet freed. Never pass it to libc `free`, and never
/// pass a string the library did not allocate.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: the caller passes a pointer from `CString::into_raw`.
        drop(unsafe { CString::from_raw(s) });
    }
}
