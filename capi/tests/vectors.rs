//! Golden-vector runner over the C ABI: replays `tests/vectors/hours/*.json`
//! through the exported `zy_*` functions, exactly as a C caller would (JSON
//! text in through `const char *`, owned `char *` out, `zy_status` plus
//! `zy_last_error_message()` on failure, every string and handle freed).
//!
//! Why Rust and not C: checking outputs means comparing JSON documents, and
//! C has no JSON parser; vendoring one into the tests would test that parser
//! as much as libzhiyuan. The calls below go through the same `extern "C"`
//! symbols with the C calling convention, and `scripts/test-c.sh` runs this
//! binary under valgrind too.
//!
//! Each scenario drives two ledgers: one through the JSON rich calls (the
//! ops map one to one onto `zy_ledger_<op>_json`), and a twin through the
//! hot path wherever one exists (`zy_ledger_submit` with a `#[repr(C)]`
//! record, `zy_ledger_approve`/`reject`/`revoke` with scalars, the
//! `approved_minutes`/`star_levels` columns), so both faces must reproduce
//! the vectors.

#[allow(dead_code)]
#[path = "../../core/tests/vectors.rs"]
mod vectors;

use serde::Deserialize;
use serde_json::Value;
use std::ffi::{CStr, CString, c_char};
use std::ptr;
use zhiyuan::hours::{RecordKind, RevokeReason, ServiceRecord};
use zhiyuan::time::Timestamp;
use zhiyuan::{Error, ErrorKind};
use zhiyuan_capi::error::{zy_last_error_message, zy_status, zy_string_free};
use zhiyuan_capi::ledger::*;
use zhiyuan_capi::policy::{zy_policy, zy_policy_free, zy_policy_from_json};
use zhiyuan_capi::units::{zy_unit_tree, zy_unit_tree_free, zy_unit_tree_from_json};

fn last_error() -> Option<String> {
    let p = zy_last_error_message();
    // SAFETY: NULL or a NUL-terminated string valid until the next call.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned())
}

/// A failed call as the core error it stands for. Boundary statuses (NULL,
/// UTF-8, JSON, panic) never appear in vectors, so they fail the test.
fn status_error(status: zy_status) -> Error {
    let message = last_error().expect("a failed call leaves a message");
    let kind = match status {
        zy_status::InvalidInput => ErrorKind::InvalidInput,
        zy_status::Conflict => ErrorKind::Conflict,
        zy_status::NotFound => ErrorKind::NotFound,
        zy_status::InvalidState => ErrorKind::InvalidState,
        zy_status::PolicyInvalid => ErrorKind::PolicyInvalid,
        other => panic!("boundary error {other:?}: {message}"),
    };
    // No field: Display is then exactly the C message, compared in full.
    Error::new(kind, "", message)
}

fn check(status: zy_status) -> Result<(), Error> {
    if status == zy_status::Ok {
        assert_eq!(last_error(), None, "success must clear the last error");
        Ok(())
    } else {
        Err(status_error(status))
    }
}

/// Calls a `(in_json, &out_json)` function and parses its output.
fn json_call(
    input: &Value,
    f: impl FnOnce(*const c_char, *mut *mut c_char) -> zy_status,
) -> Result<Value, Error> {
    let text = CString::new(input.to_string()).unwrap();
    let mut out: *mut c_char = ptr::null_mut();
    let status = f(text.as_ptr(), &mut out);
    if status != zy_status::Ok {
        assert!(out.is_null(), "output written on failure");
    }
    check(status)?;
    assert!(!out.is_null());
    // SAFETY: the library wrote an owned NUL-terminated string.
    let s = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_owned();
    unsafe { zy_string_free(out) };
    Ok(serde_json::from_str(&s).unwrap_or_else(|e| panic!("output is not JSON ({e}): {s}")))
}

/// Owns the C handles of one scenario.
struct Handles {
    policy: *mut zy_policy,
    json: *mut zy_ledger,
    hot: *mut zy_ledger,
}

impl Drop for Handles {
    fn drop(&mut self) {
        // SAFETY: each is NULL or a live handle owned here.
        unsafe {
            zy_ledger_free(self.json);
            zy_ledger_free(self.hot);
            zy_policy_free(self.policy);
        }
    }
}

fn micros(t: Timestamp) -> i64 {
    t.as_micros()
}

fn to_c(r: &ServiceRecord) -> zy_service_record {
    zy_service_record {
        id: r.id,
        volunteer: r.volunteer,
        unit: r.unit,
        team: r.team.unwrap_or(0),
        has_team: r.team.is_some(),
        activity: r.activity,
        start_us: micros(r.start),
        end_us: micros(r.end),
        kind: match r.kind {
            RecordKind::Service => zy_record_kind::Service as u32,
            RecordKind::Training => zy_record_kind::Training as u32,
        },
        recorded_by: r.recorded_by,
        recorded_at_us: micros(r.recorded_at),
    }
}

/// The struct receipt in the serde form of `Receipt`, flags reduced to
/// their tags (the struct carries only the bits).
fn receipt_json(r: &zy_receipt) -> Value {
    let mut flags = Vec::new();
    for (bit, tag) in [
        (ZY_FLAG_DAILY_REVIEW, "daily_review"),
        (ZY_FLAG_OVER_RECORD_CAP, "over_record_cap"),
        (ZY_FLAG_LATE, "late"),
    ] {
        if r.flags & bit != 0 {
            flags.push(Value::from(tag));
        }
    }
    serde_json::json!({"id": r.id, "minutes": r.minutes, "flags": flags})
}

/// A `Receipt` (or list) from the vectors with each flag reduced to its tag.
fn flag_tags(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(flag_tags).collect()),
        Value::Object(o) => {
            let mut o = o.clone();
            if let Some(Value::Array(flags)) = o.get_mut("flags") {
                let mut tags: Vec<Value> = flags.iter().map(|f| f["flag"].clone()).collect();
                let order = ["daily_review", "over_record_cap", "late"];
                tags.sort_by_key(|t| order.iter().position(|o| t == o));
                *flags = tags;
            }
            Value::Object(o)
        }
        other => other.clone(),
    }
}

#[derive(Deserialize)]
struct Approve {
    id: u64,
    by: u64,
    at: Timestamp,
    #[serde(default)]
    late_ok: bool,
}
#[derive(Deserialize)]
struct Reject {
    id: u64,
    by: u64,
    at: Timestamp,
    reason: String,
}
#[derive(Deserialize)]
struct Revoke {
    id: u64,
    reason: RevokeReason,
    by: u64,
    at: Timestamp,
    #[serde(default)]
    note: String,
}
#[derive(Deserialize)]
struct VolunteerAsOf {
    volunteer: u64,
    as_of: Timestamp,
}

fn revoke_code(r: RevokeReason) -> u32 {
    (match r {
        RevokeReason::Error => zy_revoke_reason::Error,
        RevokeReason::Duplicate => zy_revoke_reason::Duplicate,
        RevokeReason::Fraud => zy_revoke_reason::Fraud,
        RevokeReason::NotVolunteerWork => zy_revoke_reason::NotVolunteerWork,
        RevokeReason::VolunteerRequest => zy_revoke_reason::VolunteerRequest,
    }) as u32
}

fn arg<T: for<'de> Deserialize<'de>>(input: &Value) -> T {
    serde_json::from_value(input.clone()).expect("vector input matches the schema")
}

/// The JSON face: one `zy_ledger_<op>_json` per op.
unsafe fn json_step(l: *mut zy_ledger, op: &str, input: &Value) -> Result<Value, Error> {
    let c = l.cast_const();
    unsafe {
        match op {
            "ledger.submit" => json_call(input, |i, o| zy_ledger_submit_json(l, i, o)),
            "ledger.submit_batch" => json_call(input, |i, o| zy_ledger_submit_batch_json(l, i, o)),
            "ledger.approve" => json_call(input, |i, o| zy_ledger_approve_json(l, i, o)),
            "ledger.reject" => json_call(input, |i, o| zy_ledger_reject_json(l, i, o)),
            "ledger.revoke" => json_call(input, |i, o| zy_ledger_revoke_json(l, i, o)),
            "ledger.amend" => json_call(input, |i, o| zy_ledger_amend_json(l, i, o)),
            "ledger.record" => json_call(input, |i, o| zy_ledger_record_json(c, i, o)),
            "ledger.history" => json_call(input, |i, o| zy_ledger_history_json(c, i, o)),
            "ledger.approved_minutes" => {
                json_call(input, |i, o| zy_ledger_approved_minutes_json(c, i, o))
            }
            "ledger.star_level" => json_call(input, |i, o| zy_ledger_star_level_json(c, i, o)),
            "ledger.totals" => json_call(input, |i, o| zy_ledger_totals_json(c, i, o)),
            "ledger.totals_by" => json_call(input, |i, o| zy_ledger_totals_by_json(c, i, o)),
            other => panic!("unknown op {other}: bind it in capi/src/ledger.rs and here"),
        }
    }
}

/// The hot face, where one exists; otherwise the JSON call on the twin.
/// Receipts come back flag-reduced (compare with [`flag_tags`]).
unsafe fn hot_step(h: &mut Handles, op: &str, input: &Value) -> Result<Value, Error> {
    let l = h.hot;
    unsafe {
        match op {
            "ledger.submit" => {
                let r = to_c(&arg(input));
                let mut out = zy_receipt::default();
                check(zy_ledger_submit(l, &r, &mut out))?;
                Ok(receipt_json(&out))
            }
            "ledger.submit_batch" => {
                let rs: Vec<zy_service_record> = input["records"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| to_c(&arg(r)))
                    .collect();
                let mut out = vec![zy_receipt::default(); rs.len()];
                check(zy_ledger_submit_batch(
                    l,
                    rs.as_ptr(),
                    rs.len(),
                    out.as_mut_ptr(),
                ))?;
                Ok(Value::Array(out.iter().map(receipt_json).collect()))
            }
            "ledger.approve" => {
                let a: Approve = arg(input);
                check(zy_ledger_approve(l, a.id, a.by, micros(a.at), a.late_ok))
                    .map(|()| Value::Null)
            }
            "ledger.reject" => {
                let a: Reject = arg(input);
                let reason = CString::new(a.reason).unwrap();
                check(zy_ledger_reject(
                    l,
                    a.id,
                    a.by,
                    micros(a.at),
                    reason.as_ptr(),
                ))
                .map(|()| Value::Null)
            }
            "ledger.revoke" => {
                let a: Revoke = arg(input);
                let note = CString::new(a.note).unwrap();
                check(zy_ledger_revoke(
                    l,
                    a.id,
                    revoke_code(a.reason),
                    a.by,
                    micros(a.at),
                    note.as_ptr(),
                ))
                .map(|()| Value::Null)
            }
            "ledger.approved_minutes" | "ledger.star_level" => {
                let a: VolunteerAsOf = arg(input);
                let vols = [a.volunteer, a.volunteer.wrapping_add(1_000_000)];
                if op == "ledger.star_level" {
                    let mut out = [u8::MAX; 2];
                    check(zy_ledger_star_levels(
                        l,
                        vols.as_ptr(),
                        2,
                        micros(a.as_of),
                        out.as_mut_ptr(),
                    ))?;
                    Ok(Value::from(out[0]))
                } else {
                    let mut out = [i64::MIN; 2];
                    check(zy_ledger_approved_minutes(
                        l,
                        vols.as_ptr(),
                        2,
                        micros(a.as_of),
                        out.as_mut_ptr(),
                    ))?;
                    assert_eq!(out[1], 0, "an unknown volunteer has 0 minutes");
                    Ok(Value::from(out[0]))
                }
            }
            _ => {
                // No hot form (amend, record, history, totals): the JSON call.
                json_step(l, op, input).map(|v| flag_tags(&v))
            }
        }
    }
}

fn new_ledgers(h: &mut Handles, input: &Value) -> Result<Value, Error> {
    let text = CString::new(input.to_string()).unwrap();
    let mut tree: *mut zy_unit_tree = ptr::null_mut();
    // SAFETY: valid strings and out-pointers; every handle is freed.
    unsafe {
        check(zy_unit_tree_from_json(text.as_ptr(), &mut tree))?;
        zy_ledger_free(h.json);
        zy_ledger_free(h.hot);
        h.json = ptr::null_mut();
        h.hot = ptr::null_mut();
        let r = check(zy_ledger_new(h.policy, tree, &mut h.json))
            .and_then(|()| check(zy_ledger_new(h.policy, tree, &mut h.hot)));
        zy_unit_tree_free(tree);
        r.map(|()| Value::Null)
    }
}

#[test]
fn hours_vectors_through_the_c_abi() {
    assert!(
        std::env::var_os("ZHIYUAN_BLESS").is_none(),
        "bless vectors from core, not through C"
    );
    let mut steps = 0;
    for s in vectors::load("hours") {
        let policy_json = CString::new(s.policy.to_json()).unwrap();
        let mut h = Handles {
            policy: ptr::null_mut(),
            json: ptr::null_mut(),
            hot: ptr::null_mut(),
        };
        // SAFETY: a valid string and out-pointer.
        check(unsafe { zy_policy_from_json(policy_json.as_ptr(), &mut h.policy) }).unwrap();

        // The JSON face must reproduce every step exactly.
        steps += vectors::run(&s, |op, input| match op {
            "ledger.new" => new_ledgers(&mut h, input),
            // SAFETY: the handles are live (ledger.new comes first).
            _ => unsafe { json_step(h.json, op, input) },
        });

        // The hot face on the twin, step by step against the same vectors.
        let mut hot = Handles {
            policy: h.policy,
            json: ptr::null_mut(),
            hot: ptr::null_mut(),
        };
        h.policy = ptr::null_mut();
        for (i, step) in s.steps.iter().enumerate() {
            let op = step["op"].as_str().unwrap();
            let at = format!("{} step {i} ({op}) via the hot path", s.file);
            let got = match op {
                "ledger.new" => new_ledgers(&mut hot, &step["input"]),
                _ => unsafe { hot_step(&mut hot, op, &step["input"]) },
            };
            match (got, step.get("output"), step.get("error")) {
                (Ok(v), Some(want), None) => assert_eq!(v, flag_tags(want), "{at}"),
                (Err(e), None, Some(want)) => {
                    assert_eq!(e.kind().as_str(), want["kind"], "{at}: {e}");
                    assert_eq!(e.to_string(), want["message"], "{at}");
                }
                (got, _, _) => panic!("{at}: got {got:?}, vector {step}"),
            }
        }
    }
    assert!(steps > 20, "only {steps} steps ran");
}
