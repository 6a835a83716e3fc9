//! Every JSON entry point of the C API, called as a C caller would through
//! the `zhiyuan_capi` crate. An input is a sequence of calls separated by NUL
//! bytes; each call is one selector byte (index into `CALLS`, modulo its
//! length) followed by the JSON text. The handles (ledger, order book, feed,
//! honours, points, perks, certificates) live for the whole input, so a
//! sequence can place an order, then apply commands to it.
//!
//! Checked after every call: never `ZY_STATUS_PANIC`; on success the output
//! is valid JSON; on failure no output was written and the last error
//! message names a field or argument (`field: reason`); a refused ledger
//! call leaves the ledger's snapshot unchanged; the handles stay usable.
//!
//! `CALLS` names match the golden-vector op names, so
//! `python3 core/fuzz/make_capi_corpus.py` turns `tests/vectors/*/*.json`
//! into a seed corpus.
#![cfg_attr(fuzzing, no_main)]
mod replay;

use libfuzzer_sys::fuzz_target;
use std::ffi::{CStr, CString, c_char};
use std::ptr;
use zhiyuan_capi::error::{zy_status, zy_string_free};

#[allow(dead_code)]
#[path = "../../../capi/tests/support/calls.rs"]
mod calls;
use calls::{CALLS, Handles, last_error};

fn is_ledger_mutation(name: &str) -> bool {
    matches!(
        name,
        "ledger.submit"
            | "ledger.submit_batch"
            | "ledger.approve"
            | "ledger.reject"
            | "ledger.revoke"
            | "ledger.amend"
            | "orders.fulfil"
    )
}

fn call(h: &mut Handles, selector: u8, json: &[u8]) {
    let (name, f) = CALLS[usize::from(selector) % CALLS.len()];
    let Ok(text) = CString::new(json) else {
        return; // segments are split on NUL, so this cannot happen
    };
    let before = is_ledger_mutation(name).then(|| h.snapshot());
    let mut out: *mut c_char = ptr::null_mut();
    // SAFETY: live handles, a NUL-terminated input, a NULL-initialised out.
    let status = unsafe { f(h, text.as_ptr(), &mut out) };
    assert_ne!(
        status,
        zy_status::Panic,
        "{name} panicked: {:?}",
        last_error()
    );
    if status == zy_status::Ok {
        if !out.is_null() {
            // SAFETY: an owned NUL-terminated string from the library.
            let s = unsafe { CStr::from_ptr(out) }.to_str().map(str::to_owned);
            unsafe { zy_string_free(out) };
            let s = s.unwrap_or_else(|e| panic!("{name}: output is not UTF-8: {e}"));
            if let Err(e) = serde_json::from_str::<serde_json::Value>(&s) {
                panic!("{name}: output is not JSON ({e}): {s}");
            }
        } else {
            assert!(
                matches!(name, "ledger.new" | "orders.new"),
                "{name}: success without output"
            );
        }
    } else {
        assert!(out.is_null(), "{name}: output written on failure");
        let msg = last_error().unwrap_or_else(|| panic!("{name}: failure without a message"));
        // `field: reason` — the field may be a path, an argument or an id.
        let (field, reason) = msg
            .split_once(": ")
            .unwrap_or_else(|| panic!("{name}: message names no field: {msg}"));
        assert!(
            !field.trim().is_empty() && !reason.trim().is_empty(),
            "{name}: {msg}"
        );
        if let Some(before) = before {
            assert_eq!(before, h.snapshot(), "{name} failed but changed the ledger");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut h = Handles::new();
    for segment in data.split(|&b| b == 0).take(64) {
        if let Some((&selector, json)) = segment.split_first() {
            call(&mut h, selector, json);
        }
    }
    // The handles are still usable.
    let _ = h.snapshot();
});

replay_main!();
