//! The C ABI of zhiyuan (`libzhiyuan`, header `zhiyuan.h`). Functions only
//! convert, map errors to status codes and catch panics; behaviour lives in
//! the `zhiyuan` crate.

use std::ffi::c_char;

/// The library version as a static NUL-terminated string; never freed.
#[unsafe(no_mangle)]
pub extern "C" fn zy_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
