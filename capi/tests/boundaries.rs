//! Every JSON entry point of the C ABI (the table in `support/calls.rs`,
//! shared with the `capi_json` fuzz target) and the hot paths, called with
//! NULL, empty, invalid UTF-8, malformed JSON, huge and negative values.
//! Each call must answer with the right status and a message naming the
//! argument or field, write no output, and leave the handles usable with
//! their state unchanged. The C-level contract (the same from C and C++,
//! under valgrind) is in `tests/c/contract.c`.

#[allow(dead_code)]
mod support {
    pub mod calls;
}

use std::ffi::{CStr, c_char};
use std::ptr;
use support::calls::{CALLS, Handles, UNITS, last_error};
use zhiyuan_capi::error::{zy_status, zy_status_str};
use zhiyuan_capi::ledger::*;
use zhiyuan_capi::orders::zy_order_book_order_json;
use zhiyuan_capi::selection::zy_apportion;
use zhiyuan_capi::stars::zy_star_levels;
use zhiyuan_capi::units::{zy_unit_tree_free, zy_unit_tree_from_json, zy_unit_tree_rollup};

/// A pointer no library may write: outputs must stay untouched on failure.
fn sentinel() -> *mut c_char {
    ptr::dangling_mut::<c_char>()
}

/// Entry points that take no handle at all (they fail only on their input).
fn handle_free(name: &str) -> bool {
    matches!(
        name,
        "dispatch.distance_m"
            | "partial.merge"
            | "partial.boards"
            | "partial.exhibition"
            | "certificates.verify"
            | "certificates.verify_json"
            | "apportion"
            | "units.rollup"
            | "policy.from_json"
            | "policy.from_toml"
    )
}

/// The message of the last failure names a field: `field: reason`.
fn names_a_field(name: &str, status: zy_status) -> String {
    let msg = last_error().unwrap_or_else(|| panic!("{name}: {status:?} without a message"));
    let (field, reason) = msg
        .split_once(": ")
        .unwrap_or_else(|| panic!("{name}: message names no field: {msg}"));
    assert!(!field.is_empty() && !reason.is_empty(), "{name}: {msg}");
    msg
}

/// The state every call must leave unchanged when it fails.
fn state(h: &Handles) -> (String, String) {
    let mut out = ptr::null_mut();
    // SAFETY: live handle, valid input, out freed.
    let order = unsafe {
        let s = zy_order_book_order_json(h.book, c"{\"id\":1}".as_ptr(), &mut out);
        assert_eq!(s, zy_status::Ok, "{:?}", last_error());
        let text = CStr::from_ptr(out).to_string_lossy().into_owned();
        zhiyuan_capi::error::zy_string_free(out);
        text
    };
    (h.snapshot(), order)
}

/// A handle set with one order and one record, so state comparisons see
/// something.
fn seeded() -> Handles {
    let mut h = Handles::new();
    let calls: [(&str, &CStr); 2] = [
        (
            "ledger.submit",
            cr#"{"id":1,"volunteer":7,"unit":100,"activity":1,"start":"2024-03-02T01:00:00Z","end":"2024-03-02T03:00:00Z","kind":"service","recorded_by":1,"recorded_at":"2024-03-02T04:00:00Z"}"#,
        ),
        (
            "orders.place",
            cr#"{"id":1,"requester":9,"category":"medical_fitness","unit":100,"description_len":5,"at":"2024-03-04T01:00:00Z"}"#,
        ),
    ];
    for (name, input) in calls {
        let (_, f) = CALLS
            .iter()
            .find(|(n, _)| *n == name)
            .expect("in the table");
        let mut out = ptr::null_mut();
        // SAFETY: live handles, valid input; the output is freed.
        unsafe {
            assert_eq!(
                f(&mut h, input.as_ptr(), &mut out),
                zy_status::Ok,
                "{name}: {:?}",
                last_error()
            );
            zhiyuan_capi::error::zy_string_free(out);
        }
    }
    h
}

/// Calls entry `name` with `input` (NULL when `None`); returns the status
/// after checking the contract of a failure.
fn call(h: &mut Handles, name: &str, input: Option<&[u8]>, out: *mut *mut c_char) -> zy_status {
    let (_, f) = CALLS
        .iter()
        .find(|(n, _)| *n == name)
        .expect("in the table");
    let owned = input.map(|b| {
        let mut v = b.to_vec();
        v.push(0);
        v
    });
    let p = owned.as_ref().map_or(ptr::null(), |v| v.as_ptr().cast());
    // SAFETY: `p` is NULL or NUL-terminated; `out` is NULL or writable.
    let status = unsafe { f(h, p, out) };
    assert_ne!(status, zy_status::Panic, "{name}: {:?}", last_error());
    status
}

#[test]
fn every_json_entry_point_refuses_null_input_and_null_output() {
    let mut h = seeded();
    let before = state(&h);
    for (name, _) in CALLS {
        let mut out = sentinel();
        let s = call(&mut h, name, None, &mut out);
        assert_eq!(s, zy_status::NullArgument, "{name}");
        assert_eq!(out, sentinel(), "{name}: output written on failure");
        let msg = names_a_field(name, s);
        assert!(
            msg.contains("NULL") || msg.contains("null"),
            "{name}: {msg}"
        );
        // The tree and policy constructors of the table have no JSON output.
        let no_out = [
            "ledger.new",
            "orders.new",
            "policy.from_json",
            "policy.from_toml",
        ];
        if !no_out.contains(name) {
            let s = call(&mut h, name, Some(b"{}"), ptr::null_mut());
            assert_eq!(s, zy_status::NullArgument, "{name}: NULL out_json");
            names_a_field(name, s);
        }
    }
    assert_eq!(state(&h), before);
}

#[test]
fn every_json_entry_point_refuses_null_handles() {
    let mut h = Handles::null();
    for (name, _) in CALLS {
        if handle_free(name) {
            continue;
        }
        let input: &[u8] = if matches!(*name, "ledger.new" | "orders.new") {
            UNITS.as_bytes()
        } else {
            b"{}"
        };
        let mut out = sentinel();
        let s = call(&mut h, name, Some(input), &mut out);
        assert_eq!(s, zy_status::NullArgument, "{name}: {:?}", last_error());
        assert_eq!(out, sentinel(), "{name}");
        names_a_field(name, s);
    }
}

#[test]
fn every_json_entry_point_answers_bad_text_with_a_named_error_and_no_change() {
    let huge_string = format!("{{\"id\":1,\"reason\":\"{}\"}}", "x".repeat(1 << 20));
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("empty", b"".to_vec()),
        ("invalid UTF-8", b"{\"id\":\xff\xfe}".to_vec()),
        ("truncated", b"{\"id\":".to_vec()),
        ("not an object", b"[1,2,3]".to_vec()),
        ("null", b"null".to_vec()),
        ("empty object", b"{}".to_vec()),
        ("negative id", b"{\"id\":-1,\"order\":-1,\"volunteer\":-5}".to_vec()),
        ("u64 overflow", b"{\"id\":18446744073709551616,\"order\":1e400}".to_vec()),
        ("i64 extremes", b"{\"minutes\":[-9223372036854775808,9223372036854775807],\"as_of\":\"9999-12-31T23:59:59Z\"}".to_vec()),
        ("year 0 and 10000", b"{\"at\":\"0000-01-01T00:00:00Z\",\"as_of\":\"10000-01-01T00:00:00Z\"}".to_vec()),
        ("huge string", huge_string.into_bytes()),
        ("deep nesting", deep.into_bytes()),
    ];
    let mut h = seeded();
    let before = state(&h);
    for (name, _) in CALLS {
        for (what, input) in &inputs {
            let mut out = sentinel();
            let s = call(&mut h, name, Some(input), &mut out);
            if *what == "invalid UTF-8" {
                assert_eq!(s, zy_status::InvalidUtf8, "{name}");
            }
            if matches!(*what, "truncated" | "deep nesting") {
                // A policy that does not parse is a policy error by contract.
                let want = if name.starts_with("policy.") {
                    zy_status::PolicyInvalid
                } else {
                    zy_status::InvalidJson
                };
                assert_eq!(s, want, "{name}: {what}");
            }
            if s == zy_status::Ok {
                // Some queries accept `{}` (all defaults); they must not
                // have changed anything either.
                assert_ne!(out, sentinel(), "{name}: {what}");
                if !out.is_null() {
                    // SAFETY: an owned string from the library.
                    unsafe { zhiyuan_capi::error::zy_string_free(out) };
                }
            } else {
                assert_eq!(out, sentinel(), "{name}: {what}: output written");
                names_a_field(&format!("{name} ({what})"), s);
            }
        }
        if !matches!(*name, "ledger.new" | "orders.new") {
            assert_eq!(state(&h), before, "{name} changed the state on bad input");
        } else {
            // `{}` is an empty unit tree: fresh handles, by design.
            h = seeded();
        }
    }
    // Still usable: a valid new record goes in.
    let record = br#"{"id":2,"volunteer":7,"unit":100,"activity":1,"start":"2024-03-03T01:00:00Z","end":"2024-03-03T02:00:00Z","kind":"service","recorded_by":1,"recorded_at":"2024-03-03T04:00:00Z"}"#;
    let mut out = ptr::null_mut();
    assert_eq!(
        call(&mut h, "ledger.submit", Some(record), &mut out),
        zy_status::Ok
    );
    // SAFETY: an owned string from the library.
    unsafe { zhiyuan_capi::error::zy_string_free(out) };
}

#[test]
fn hot_paths_refuse_extreme_scalars_and_null_columns_without_change() {
    let h = seeded();
    let before = state(&h);
    // SAFETY: live handles; columns NULL or sized as passed.
    unsafe {
        for at in [i64::MIN, i64::MAX, -1] {
            let s = zy_ledger_approve(h.ledger, 1, 2, at, true);
            assert_eq!(s, zy_status::InvalidInput, "approve at {at}");
            assert!(names_a_field("approve", s).contains("at"));
        }
        let s = zy_ledger_revoke(
            h.ledger,
            1,
            u32::MAX,
            2,
            1_709_600_000_000_000,
            c"x".as_ptr(),
        );
        assert_eq!(s, zy_status::InvalidInput);
        assert!(names_a_field("revoke", s).starts_with("reason"));
        let s = zy_ledger_reject(h.ledger, 1, 2, 1_709_600_000_000_000, c"\xff".as_ptr());
        assert_eq!(s, zy_status::InvalidUtf8);
        let s = zy_ledger_approve(h.ledger, u64::MAX, 2, 1_709_600_000_000_000, true);
        assert_eq!(s, zy_status::NotFound);
        names_a_field("approve unknown", s);
        // A NULL column is fine only when empty.
        let mut m = [0i64; 1];
        assert_eq!(
            zy_ledger_approved_minutes(h.ledger, ptr::null(), 0, 0, m.as_mut_ptr()),
            zy_status::Ok
        );
        let s = zy_ledger_approved_minutes(h.ledger, ptr::null(), usize::MAX, 0, m.as_mut_ptr());
        assert_eq!(s, zy_status::NullArgument);
        let v = [7u64];
        let s = zy_ledger_approved_minutes(h.ledger, v.as_ptr(), 1, i64::MIN, m.as_mut_ptr());
        assert_ne!(s, zy_status::Panic);
        let rec = zy_service_record {
            id: 9,
            volunteer: u64::MAX,
            unit: 100,
            team: 0,
            has_team: false,
            activity: 0,
            start_us: i64::MIN,
            end_us: i64::MAX,
            kind: 0,
            recorded_by: 1,
            recorded_at_us: i64::MAX,
        };
        let mut receipt = zy_receipt::default();
        let s = zy_ledger_submit(h.ledger, &rec, &mut receipt);
        assert_eq!(s, zy_status::InvalidInput);
        names_a_field("submit extreme", s);
        let s = zy_ledger_submit(h.ledger, ptr::null(), &mut receipt);
        assert_eq!(s, zy_status::NullArgument);
        // Star levels of extreme minutes: an answer, never a panic.
        let minutes = [i64::MIN, -1, 0, i64::MAX];
        let mut levels = [0u8; 4];
        let s = zy_star_levels(h.policy, minutes.as_ptr(), 4, levels.as_mut_ptr());
        assert_ne!(s, zy_status::Panic, "{:?}", last_error());
        // Apportioning u64::MAX seats among huge sizes.
        let ids = [1u64, 2];
        let sizes = [u64::MAX, u64::MAX];
        let caps = [u64::MAX, 0];
        let (mut seats, mut unfilled) = ([0u64; 2], 0u64);
        let s = zy_apportion(
            ids.as_ptr(),
            sizes.as_ptr(),
            caps.as_ptr(),
            2,
            u64::MAX,
            0,
            seats.as_mut_ptr(),
            &mut unfilled,
        );
        assert_ne!(s, zy_status::Panic, "{:?}", last_error());
        let s = zy_apportion(
            ids.as_ptr(),
            sizes.as_ptr(),
            caps.as_ptr(),
            2,
            5,
            999,
            seats.as_mut_ptr(),
            &mut unfilled,
        );
        assert_eq!(s, zy_status::InvalidInput);
        names_a_field("apportion method", s);
        // Roll-up of extreme own totals over a real tree.
        let mut tree = ptr::null_mut();
        let units = std::ffi::CString::new(UNITS).unwrap();
        assert_eq!(
            zy_unit_tree_from_json(units.as_ptr(), &mut tree),
            zy_status::Ok
        );
        let own = [i64::MAX; 5];
        let mut rolled = [0i64; 5];
        let s = zy_unit_tree_rollup(tree, own.as_ptr(), 5, rolled.as_mut_ptr());
        assert_ne!(s, zy_status::Panic, "{:?}", last_error());
        let s = zy_unit_tree_rollup(tree, own.as_ptr(), 4, rolled.as_mut_ptr());
        assert_eq!(s, zy_status::InvalidInput);
        names_a_field("rollup short", s);
        zy_unit_tree_free(tree);
        let s = zy_ledger_restore(c"{\"not\":\"a snapshot\"}".as_ptr(), &mut ptr::null_mut());
        assert_ne!(s, zy_status::Ok);
        names_a_field("restore", s);
    }
    assert!(!zy_status_str(u32::MAX).is_null());
    assert_eq!(state(&h), before);
}
