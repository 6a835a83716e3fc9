//! The C ABI of zhiyuan: `libzhiyuan` and `zhiyuan.h`.
//!
//! Every function only converts arguments, calls the `zhiyuan` crate, maps
//! its error to a [`zy_status`](error::zy_status) and catches panics; all
//! behaviour lives in core. The contract (rustls-ffi style) is in
//! `docs/c-api.md`:
//!
//! - every fallible function returns `zy_status` (0 = ok) and writes its
//!   outputs only on success; details in `zy_last_error_message()`;
//! - opaque handles come from a constructor and go back through the matching
//!   `zy_X_free` (NULL is a no-op);
//! - strings the library returns are freed only with `zy_string_free`;
//! - rich calls take and return JSON in the golden-vector schema, hot calls
//!   take columns (pointer + length) or `#[repr(C)]` structs;
//! - enums cross as `uint32_t` codes, never as Rust enums.
//!
//! The crate is built as `libzhiyuan_capi.{so,a}` by cargo and installed as
//! `libzhiyuan` by cargo-c.

pub mod boards;
mod boundary;
pub mod credit;
pub mod error;
pub mod hours_table;
pub mod ledger;
pub mod orders;
pub mod policy;
pub mod rewards;
pub mod selection;
pub mod stars;
pub mod units;

use std::ffi::c_char;

/// The library version (`"0.1.0"`) as a static NUL-terminated string; never
/// freed. Compare with the header's `ZY_VERSION_*` macros to detect a header
/// and library mismatch.
#[unsafe(no_mangle)]
pub extern "C" fn zy_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
