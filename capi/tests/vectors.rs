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

// ---- every other capability -------------------------------------------------
//
// Each runner below mirrors its core runner (core/tests/vectors_<x>.rs) op
// for op, but every op is one exported `zy_*_json` call on C handles. The
// `$policy_hash` masking of outputs and messages is done by `vectors::run`;
// inputs carrying `$policy_hash` (like partials) get the real hash back.

use zhiyuan::facts::{Facts, FactsColumns, VolunteerStatus};
use zhiyuan_capi::boards::*;
use zhiyuan_capi::credit::*;
use zhiyuan_capi::orders::*;
use zhiyuan_capi::rewards::*;
use zhiyuan_capi::selection::*;

/// Owns a policy handle built from a scenario policy.
struct PolicyHandle(*mut zy_policy);

impl PolicyHandle {
    fn of(policy: &zhiyuan::Policy) -> Self {
        let text = CString::new(policy.to_json()).unwrap();
        let mut p = ptr::null_mut();
        // SAFETY: a valid string and out-pointer.
        check(unsafe { zy_policy_from_json(text.as_ptr(), &mut p) }).unwrap();
        PolicyHandle(p)
    }
}

impl Drop for PolicyHandle {
    fn drop(&mut self) {
        // SAFETY: NULL or a live handle owned here.
        unsafe { zy_policy_free(self.0) }
    }
}

/// Replaces `from` by `to` in every string of `v`.
fn swap_hash(v: &Value, from: &str, to: &str) -> Value {
    match v {
        Value::String(s) if s == from => Value::from(to),
        Value::Array(a) => Value::Array(a.iter().map(|x| swap_hash(x, from, to)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), swap_hash(x, from, to)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn facts_to_c(f: &Facts) -> zy_facts {
    zy_facts {
        cumulative_minutes: f.cumulative_minutes,
        minutes_last_12_months: f.minutes_last_12_months,
        minutes_this_year: f.minutes_this_year,
        months_registered: f.months_registered,
        age: f.age,
        star_level: f.star_level,
        monthly_star_honours: f.monthly_star_honours,
        annual_excellent_honours: f.annual_excellent_honours,
        honours: f.honours,
        fraud_revocations: f.fraud_revocations,
        sanctions: f.sanctions,
        average_rating_centi: f.average_rating_centi,
        rating_count: f.rating_count,
        active: f.active,
        status: f.status.code() as u32,
    }
}

/// The hot credit calls must agree with the JSON decision of the same step.
fn check_credit_hot(p: *const zy_policy, op: &str, input: &Value, json_out: &Value) {
    match op {
        "credit.decide" => {
            let facts: Facts = arg(&input["facts"]);
            let mut r = zy_credit_result::default();
            // SAFETY: live policy, valid struct pointers.
            check(unsafe { zy_credit_decide(p, &facts_to_c(&facts), &mut r) }).unwrap();
            let want = (
                json_out["eligible"].as_bool().unwrap(),
                // `null` when not eligible. (Matched rather than
                // `as_u64().unwrap_or(0)`: valgrind flags the optimised
                // select over the None payload in serde_json as a jump on an
                // uninitialised value.)
                match &json_out["tier"] {
                    Value::Null => 0,
                    t => u32::try_from(t.as_u64().expect("a tier number")).unwrap(),
                },
                json_out["limit_fen"].as_i64().unwrap(),
                json_out["rate_discount_bp"].as_i64().unwrap(),
            );
            assert_eq!(
                (r.eligible, r.tier, r.limit_fen, r.rate_discount_bp),
                want,
                "struct call vs {json_out}"
            );
        }
        "credit.decide_batch" => {
            let cols: FactsColumns = arg(&input["columns"]);
            let n = cols.rows();
            let status: Vec<u32> = cols.status.iter().map(|s| s.code() as u32).collect();
            let ptr_or_null = |v: &Vec<i64>| {
                if v.is_empty() {
                    ptr::null()
                } else {
                    v.as_ptr()
                }
            };
            let c = zy_facts_columns {
                cumulative_minutes: ptr_or_null(&cols.cumulative_minutes),
                minutes_last_12_months: ptr_or_null(&cols.minutes_last_12_months),
                minutes_this_year: ptr_or_null(&cols.minutes_this_year),
                months_registered: ptr_or_null(&cols.months_registered),
                age: ptr_or_null(&cols.age),
                star_level: ptr_or_null(&cols.star_level),
                monthly_star_honours: ptr_or_null(&cols.monthly_star_honours),
                annual_excellent_honours: ptr_or_null(&cols.annual_excellent_honours),
                honours: ptr_or_null(&cols.honours),
                fraud_revocations: ptr_or_null(&cols.fraud_revocations),
                sanctions: ptr_or_null(&cols.sanctions),
                average_rating_centi: ptr_or_null(&cols.average_rating_centi),
                rating_count: ptr_or_null(&cols.rating_count),
                active: if cols.active.is_empty() {
                    ptr::null()
                } else {
                    cols.active.as_ptr()
                },
                status: if status.is_empty() {
                    ptr::null()
                } else {
                    status.as_ptr()
                },
            };
            let mut out = vec![zy_credit_result::default(); n];
            // SAFETY: every non-NULL column has n rows (a well-formed vector).
            check(unsafe { zy_credit_decide_columns(p, &c, n, out.as_mut_ptr()) }).unwrap();
            let got: Vec<u32> = out.iter().map(|r| r.tier).collect();
            let want: Vec<u32> = arg(&json_out["tier"]);
            assert_eq!(got, want, "column call");
            let limits: Vec<i64> = out.iter().map(|r| r.limit_fen).collect();
            assert_eq!(limits, arg::<Vec<i64>>(&json_out["limit_fen"]));
            // The row-array call agrees too.
            let rows: Vec<zy_facts> = (0..n).map(|i| facts_to_c(&cols.row(i))).collect();
            let mut out2 = vec![zy_credit_result::default(); n];
            // SAFETY: n rows in, n results out.
            check(unsafe { zy_credit_decide_rows(p, rows.as_ptr(), n, out2.as_mut_ptr()) })
                .unwrap();
            assert_eq!(out, out2, "row call");
        }
        _ => {}
    }
}

/// Handles of one rewards scenario.
struct Rewards {
    policy: PolicyHandle,
    honours: *mut zy_honours,
    points: *mut zy_points,
    perks: *mut zy_perks,
    certificates: *mut zy_certificates,
}

impl Drop for Rewards {
    fn drop(&mut self) {
        // SAFETY: each is NULL or a live handle owned here.
        unsafe {
            zy_honours_free(self.honours);
            zy_points_free(self.points);
            zy_perks_free(self.perks);
            zy_certificates_free(self.certificates);
        }
    }
}

impl Rewards {
    fn new(policy: &zhiyuan::Policy) -> Self {
        let policy = PolicyHandle::of(policy);
        let (mut honours, mut points, mut certificates) =
            (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
        // SAFETY: live policy, valid out-pointers and strings.
        unsafe {
            check(zy_honours_new(&mut honours)).unwrap();
            check(zy_points_new(policy.0, &mut points)).unwrap();
            check(zy_certificates_new(
                policy.0,
                c"PZ".as_ptr(),
                &mut certificates,
            ))
            .unwrap();
        }
        Rewards {
            policy,
            honours,
            points,
            perks: ptr::null_mut(),
            certificates,
        }
    }

    /// The perk desk is built on first use, as in the core runner, so a
    /// catalogue error is that step's error.
    fn perks(&mut self) -> Result<*mut zy_perks, Error> {
        if self.perks.is_null() {
            // SAFETY: live policy, valid out-pointer.
            check(unsafe { zy_perks_new(self.policy.0, &mut self.perks) })?;
        }
        Ok(self.perks)
    }

    fn step(&mut self, op: &str, input: &Value) -> Result<Value, Error> {
        let p = self.policy.0.cast_const();
        let (h, pts, c) = (self.honours, self.points, self.certificates);
        // SAFETY: every handle is live for the scenario.
        let out = unsafe {
            match op {
                "policy.load" => {
                    let text = CString::new(input["policy"].to_string()).unwrap();
                    let mut q = ptr::null_mut();
                    let r = check(zy_policy_from_json(text.as_ptr(), &mut q));
                    zy_policy_free(q);
                    r.map(|()| Value::Null)
                }
                "facts.derive" => json_call(input, |i, o| zy_facts_derive_json(p, i, o)),
                "honours.grant" => json_call(input, |i, o| zy_honours_grant_json(h, i, o)),
                "honours.record_winners" => {
                    json_call(input, |i, o| zy_honours_record_winners_json(h, i, o))
                }
                "honours.revoke" => json_call(input, |i, o| zy_honours_revoke_json(h, i, o)),
                "honours.of" => json_call(input, |i, o| zy_honours_of_json(h, i, o)),
                "credit.decide" => json_call(input, |i, o| zy_credit_decide_json(p, i, o)),
                "credit.decide_batch" => {
                    json_call(input, |i, o| zy_credit_decide_batch_json(p, i, o))
                }
                "points.sync_hours" => {
                    json_call(input, |i, o| zy_points_sync_hours_json(pts, i, o))
                }
                "points.sync_honours" => {
                    json_call(input, |i, o| zy_points_sync_honours_json(pts, h, i, o))
                }
                "points.redeem" => json_call(input, |i, o| zy_points_redeem_json(pts, i, o)),
                "points.expire" => json_call(input, |i, o| zy_points_expire_json(pts, i, o)),
                "points.account" => json_call(input, |i, o| zy_points_account_json(pts, i, o)),
                "points.entries" => json_call(input, |i, o| zy_points_entries_json(pts, i, o)),
                "perks.eligible" => {
                    let d = self.perks()?;
                    json_call(input, |i, o| zy_perks_eligible_json(d, pts, i, o))
                }
                "perks.claim" => {
                    let d = self.perks()?;
                    json_call(input, |i, o| zy_perks_claim_json(d, pts, i, o))
                }
                "certificates.issue" => {
                    json_call(input, |i, o| zy_certificates_issue_json(c, i, o))
                }
                "certificates.verify" => json_call(input, |i, o| zy_certificate_verify_json(i, o)),
                "certificates.verify_json" => {
                    json_call(input, |i, o| zy_certificate_verify_text_json(i, o))
                }
                "certificates.revoke" => {
                    json_call(input, |i, o| zy_certificates_revoke_json(c, i, o))
                }
                "certificates.check" => {
                    json_call(input, |i, o| zy_certificates_check_json(c, i, o))
                }
                other => panic!("unknown op {other}: bind it in capi/src and here"),
            }
        };
        if let Ok(v) = &out {
            check_credit_hot(p, op, input, v);
        }
        out
    }
}

fn replay_rewards(capability: &str) -> usize {
    let mut steps = 0;
    for s in vectors::load(capability) {
        let mut st = Rewards::new(&s.policy);
        steps += vectors::run(&s, |op, input| st.step(op, input));
    }
    steps
}

#[test]
fn facts_vectors_through_the_c_abi() {
    assert!(replay_rewards("facts") >= 8);
}

#[test]
fn credit_vectors_through_the_c_abi() {
    assert!(replay_rewards("credit") >= 15);
}

#[test]
fn points_vectors_through_the_c_abi() {
    assert!(replay_rewards("points") >= 10);
}

#[test]
fn perks_vectors_through_the_c_abi() {
    assert!(replay_rewards("perks") >= 6);
}

#[test]
fn certificates_vectors_through_the_c_abi() {
    assert!(replay_rewards("certificates") >= 6);
}

struct FeedHandle(*mut zy_feed);

impl Drop for FeedHandle {
    fn drop(&mut self) {
        // SAFETY: NULL or a live handle owned here.
        unsafe { zy_feed_free(self.0) }
    }
}

#[test]
fn leaderboard_vectors_through_the_c_abi() {
    let mut steps = 0;
    for s in vectors::load("leaderboard") {
        let policy = PolicyHandle::of(&s.policy);
        let p = policy.0.cast_const();
        let mut feed = FeedHandle(ptr::null_mut());
        // SAFETY: live policy, valid out-pointer.
        check(unsafe { zy_feed_new(p, &mut feed.0) }).unwrap();
        let (f, fc) = (feed.0, feed.0.cast_const());
        let hash = s.policy.hash().to_owned();
        steps += vectors::run(&s, |op, input| {
            let input = &swap_hash(input, "$policy_hash", &hash);
            // SAFETY: live handles.
            unsafe {
                match op {
                    "feed.register" => json_call(input, |i, o| zy_feed_register_json(f, i, o)),
                    "feed.add_post" => json_call(input, |i, o| zy_feed_add_post_json(f, i, o)),
                    "feed.like" => json_call(input, |i, o| zy_feed_like_json(f, i, o)),
                    "feed.add_comment" => {
                        json_call(input, |i, o| zy_feed_add_comment_json(f, i, o))
                    }
                    "feed.comments" => json_call(input, |i, o| zy_feed_comments_json(fc, i, o)),
                    "feed.topic" => json_call(input, |i, o| zy_feed_topic_json(fc, i, o)),
                    "feed.topics" => json_call(input, |i, o| zy_feed_topics_json(fc, i, o)),
                    "feed.weeks" => json_call(input, |i, o| zy_feed_weeks_json(fc, i, o)),
                    "feed.board" => json_call(input, |i, o| zy_feed_board_json(fc, i, o)),
                    "feed.exhibition" => json_call(input, |i, o| zy_feed_exhibition_json(fc, i, o)),
                    "feed.verdicts" => json_call(input, |i, o| zy_feed_verdicts_json(fc, i, o)),
                    "feed.partial" => json_call(input, |i, o| zy_feed_partial_json(fc, i, o)),
                    "batch.like_batch" => json_call(input, |i, o| zy_like_batch_json(p, i, o)),
                    "batch.weekly_boards" => {
                        json_call(input, |i, o| zy_weekly_boards_json(p, i, o))
                    }
                    "partial.merge" => json_call(input, |i, o| zy_like_partial_merge_json(i, o)),
                    "partial.boards" => json_call(input, |i, o| zy_like_partial_boards_json(i, o)),
                    "partial.exhibition" => {
                        json_call(input, |i, o| zy_like_partial_exhibition_json(i, o))
                    }
                    other => panic!("unknown op {other}: bind it in capi/src/boards.rs and here"),
                }
            }
        });
    }
    assert!(steps >= 40, "only {steps} steps");
}

/// Selection vectors: the JSON calls, and for `apportion` the column call
/// too (seats per input row must match the JSON result).
fn selection_step(p: *const zy_policy, op: &str, input: &Value) -> Result<Value, Error> {
    // SAFETY: a live policy.
    unsafe {
        match op {
            "monthly_stars" => json_call(input, |i, o| zy_monthly_stars_json(p, i, o)),
            "monthly.count_votes" => json_call(input, |i, o| zy_monthly_count_votes_json(p, i, o)),
            "annual_selection" => json_call(input, |i, o| zy_annual_selection_json(p, i, o)),
            "apportion" => {
                let out = json_call(input, |i, o| zy_apportion_json(i, o));
                apportion_columns(input, &out);
                out
            }
            "policy.from_json" => {
                let text = CString::new(input.to_string()).unwrap();
                let mut q = ptr::null_mut();
                check(zy_policy_from_json(text.as_ptr(), &mut q))?;
                let mut json = ptr::null_mut();
                let r = check(zhiyuan_capi::policy::zy_policy_to_json(q, &mut json));
                zy_policy_free(q);
                r?;
                let full: Value =
                    serde_json::from_str(CStr::from_ptr(json).to_str().unwrap()).unwrap();
                zy_string_free(json);
                Ok(serde_json::json!({
                    "monthly_stars": full["monthly_stars"],
                    "annual": full["annual"],
                }))
            }
            other => panic!("unknown op {other}"),
        }
    }
}

fn apportion_columns(input: &Value, json_out: &Result<Value, Error>) {
    #[derive(Deserialize)]
    struct D {
        id: u64,
        size: u64,
        #[serde(default)]
        cap: Option<u64>,
    }
    let Ok(ds) = serde_json::from_value::<Vec<D>>(input["districts"].clone()) else {
        return;
    };
    let method = match input["method"].as_str().unwrap_or("sainte_lague") {
        "sainte_lague" => zy_apportion_method::SainteLague,
        "largest_remainder" => zy_apportion_method::LargestRemainder,
        "dhondt" => zy_apportion_method::DHondt,
        "huntington_hill" => zy_apportion_method::HuntingtonHill,
        other => panic!("method {other}"),
    } as u32;
    let ids: Vec<u64> = ds.iter().map(|d| d.id).collect();
    let sizes: Vec<u64> = ds.iter().map(|d| d.size).collect();
    let caps: Vec<u64> = ds.iter().map(|d| d.cap.unwrap_or(ZY_NO_CAP)).collect();
    let total = input["total"].as_u64().unwrap();
    let mut seats = vec![u64::MAX; ds.len()];
    let mut unfilled = u64::MAX;
    // SAFETY: columns of ds.len() elements.
    let status = unsafe {
        zy_apportion(
            ids.as_ptr(),
            sizes.as_ptr(),
            caps.as_ptr(),
            ds.len(),
            total,
            method,
            seats.as_mut_ptr(),
            &mut unfilled,
        )
    };
    match json_out {
        Ok(v) => {
            check(status).unwrap();
            assert_eq!(Some(unfilled), v["unfilled"].as_u64());
            for (id, got) in ids.iter().zip(&seats) {
                let want = v["districts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|d| d["id"] == *id)
                    .unwrap()["seats"]
                    .as_u64();
                assert_eq!(Some(*got), want, "district {id}");
            }
        }
        Err(e) => {
            let got = check(status).expect_err("the column call fails too");
            assert_eq!(got.to_string(), e.to_string());
            assert!(seats.iter().all(|&s| s == u64::MAX) && unfilled == u64::MAX);
        }
    }
}

fn replay_selection(capability: &str) -> usize {
    let mut steps = 0;
    for s in vectors::load(capability) {
        let policy = PolicyHandle::of(&s.policy);
        steps += vectors::run(&s, |op, input| selection_step(policy.0, op, input));
    }
    steps
}

#[test]
fn monthly_stars_vectors_through_the_c_abi() {
    assert!(replay_selection("monthly_stars") >= 6);
}

#[test]
fn annual_vectors_through_the_c_abi() {
    assert!(replay_selection("annual") >= 4);
}

#[test]
fn apportion_vectors_through_the_c_abi() {
    assert!(replay_selection("apportion") >= 8);
}

/// An order book and its hours ledger.
struct Orders {
    book: *mut zy_order_book,
    ledger: *mut zy_ledger,
}

impl Drop for Orders {
    fn drop(&mut self) {
        // SAFETY: NULL or live handles owned here.
        unsafe {
            zy_order_book_free(self.book);
            zy_ledger_free(self.ledger);
        }
    }
}

fn orders_step(
    p: *const zy_policy,
    st: &mut Orders,
    op: &str,
    input: &Value,
) -> Result<Value, Error> {
    // SAFETY: live handles (orders.new comes first in order scenarios).
    unsafe {
        match op {
            "orders.new" => {
                let text = CString::new(input.to_string()).unwrap();
                let mut tree: *mut zy_unit_tree = ptr::null_mut();
                check(zy_unit_tree_from_json(text.as_ptr(), &mut tree))?;
                zy_order_book_free(st.book);
                zy_ledger_free(st.ledger);
                st.book = ptr::null_mut();
                st.ledger = ptr::null_mut();
                let r = check(zy_order_book_new(p, tree, &mut st.book))
                    .and_then(|()| check(zy_ledger_new(p, tree, &mut st.ledger)));
                zy_unit_tree_free(tree);
                r.map(|()| Value::Null)
            }
            "dispatch.rank" => json_call(input, |i, o| zy_dispatch_rank_json(p, i, o)),
            "dispatch.distance_m" => json_call(input, |i, o| zy_distance_m_json(i, o)),
            _ => {
                let (b, bc, l) = (st.book, st.book.cast_const(), st.ledger);
                assert!(!b.is_null(), "vector must start with orders.new");
                match op {
                    "orders.place" => json_call(input, |i, o| zy_order_book_place_json(b, i, o)),
                    "orders.apply" => json_call(input, |i, o| zy_order_book_apply_json(b, i, o)),
                    "orders.fulfil" => {
                        json_call(input, |i, o| zy_order_book_fulfil_json(b, l, i, o))
                    }
                    "orders.order" => json_call(input, |i, o| zy_order_book_order_json(bc, i, o)),
                    "orders.events_of" => {
                        json_call(input, |i, o| zy_order_book_events_of_json(bc, i, o))
                    }
                    "orders.order_of_record" => {
                        json_call(input, |i, o| zy_order_book_order_of_record_json(bc, i, o))
                    }
                    "orders.overdue" => {
                        json_call(input, |i, o| zy_order_book_overdue_json(bc, i, o))
                    }
                    "orders.sweep" => json_call(input, |i, o| zy_order_book_sweep_json(b, i, o)),
                    "orders.metrics" => {
                        json_call(input, |i, o| zy_order_book_metrics_json(bc, i, o))
                    }
                    "orders.service_list" => {
                        json_call(input, |i, o| zy_order_book_service_list_json(bc, i, o))
                    }
                    "ledger.record" => {
                        json_call(input, |i, o| zy_ledger_record_json(l.cast_const(), i, o))
                    }
                    other => panic!("unknown op {other}: bind it in capi/src/orders.rs and here"),
                }
            }
        }
    }
}

fn replay_orders(capability: &str) -> usize {
    let mut steps = 0;
    for s in vectors::load(capability) {
        let policy = PolicyHandle::of(&s.policy);
        let mut st = Orders {
            book: ptr::null_mut(),
            ledger: ptr::null_mut(),
        };
        steps += vectors::run(&s, |op, input| orders_step(policy.0, &mut st, op, input));
    }
    steps
}

#[test]
fn orders_vectors_through_the_c_abi() {
    let n = replay_orders("orders");
    assert!(n > 30, "only {n} steps ran");
}

#[test]
fn dispatch_vectors_through_the_c_abi() {
    let n = replay_orders("dispatch");
    assert!(n > 5, "only {n} steps ran");
}

#[test]
fn status_codes_of_facts_match_core() {
    for s in VolunteerStatus::ALL {
        let f = Facts {
            status: s,
            ..Facts::default()
        };
        assert_eq!(facts_to_c(&f).status as i64, s.code());
    }
}

// ---------------------------------------------------------------- hours_table

mod hours_table_ops {
    use super::*;
    use zhiyuan::hours_table::{HoursByPeriod, Overlaps, RecordTable, UnitMinutes};
    use zhiyuan::time::Grain;
    use zhiyuan_capi::hours_table::*;

    #[derive(Deserialize)]
    struct Args {
        #[serde(default)]
        records: RecordTable,
        #[serde(default)]
        grain: Option<Grain>,
        #[serde(default)]
        units: Vec<zhiyuan::units::Unit>,
    }

    #[derive(Deserialize)]
    struct MergeHours {
        tables: Vec<HoursByPeriod>,
    }

    #[derive(Deserialize)]
    struct MergeUnits {
        units: Vec<zhiyuan::units::Unit>,
        tables: Vec<UnitMinutes>,
    }

    /// The C view of a record table; `codes` keep the status and kind
    /// arrays alive.
    struct Cols {
        cols: zy_record_columns,
        n: usize,
        _codes: (Option<Vec<u8>>, Option<Vec<u8>>),
    }

    fn ptr<T>(v: &[T]) -> *const T {
        if v.is_empty() {
            ptr::null()
        } else {
            v.as_ptr()
        }
    }

    fn cols(t: &RecordTable) -> Cols {
        let status: Option<Vec<u8>> = t
            .status
            .as_ref()
            .map(|s| s.iter().map(|x| x.code()).collect());
        let kind: Option<Vec<u8>> = t
            .kind
            .as_ref()
            .map(|k| k.iter().map(|x| x.code()).collect());
        let n = [t.id.len(), t.volunteer.len(), t.unit.len()]
            .into_iter()
            .max()
            .unwrap_or(0)
            .max(t.start.len());
        Cols {
            cols: zy_record_columns {
                id: ptr(&t.id),
                volunteer: ptr(&t.volunteer),
                unit: ptr(&t.unit),
                start: ptr(&t.start),
                end: ptr(&t.end),
                // An empty code array is still "a column" (non-NULL).
                status: status.as_ref().map_or(ptr::null(), |s| s.as_ptr()),
                kind: kind.as_ref().map_or(ptr::null(), |k| k.as_ptr()),
            },
            n,
            _codes: (status, kind),
        }
    }

    fn column<T: Copy>(p: *const T, len: usize) -> Vec<T> {
        if len == 0 {
            return Vec::new();
        }
        // SAFETY: a library result column of `len` elements.
        unsafe { std::slice::from_raw_parts(p, len) }.to_vec()
    }

    /// Copies a C result out and frees it.
    fn hours(p: *mut zy_period_minutes) -> HoursByPeriod {
        // SAFETY: a live result written by the library.
        let r = unsafe { &*p };
        let out = HoursByPeriod {
            volunteer: column(r.volunteer, r.len),
            period_start: column(r.period_start, r.len),
            minutes: column(r.minutes, r.len),
        };
        unsafe { zy_period_minutes_free(p) };
        out
    }

    fn units(p: *mut zy_unit_minutes) -> UnitMinutes {
        // SAFETY: a live result written by the library.
        let r = unsafe { &*p };
        let out = UnitMinutes {
            unit: column(r.unit, r.len),
            own_minutes: column(r.own_minutes, r.len),
            total_minutes: column(r.total_minutes, r.len),
        };
        unsafe { zy_unit_minutes_free(p) };
        out
    }

    fn tree(units: &[zhiyuan::units::Unit]) -> *mut zy_unit_tree {
        let json = serde_json::json!({ "units": units }).to_string();
        let text = CString::new(json).unwrap();
        let mut t: *mut zy_unit_tree = ptr::null_mut();
        // SAFETY: valid text and out pointer.
        check(unsafe { zy_unit_tree_from_json(text.as_ptr(), &mut t) }).expect("a valid tree");
        t
    }

    /// The C form of a partial table, borrowing `t`'s columns.
    fn c_hours(t: &HoursByPeriod) -> zy_period_minutes {
        zy_period_minutes {
            volunteer: ptr(&t.volunteer).cast_mut(),
            period_start: ptr(&t.period_start).cast_mut(),
            minutes: ptr(&t.minutes).cast_mut(),
            len: t.volunteer.len(),
        }
    }

    /// Columns of different lengths cannot be said in C (one `n` for
    /// all); such steps check the core's message for them instead.
    fn ragged(t: &RecordTable) -> bool {
        let mut lens = vec![t.start.len(), t.end.len()];
        lens.extend(t.status.as_ref().map(Vec::len));
        lens.extend(t.kind.as_ref().map(Vec::len));
        lens.extend(
            [t.id.len(), t.volunteer.len(), t.unit.len()]
                .into_iter()
                .filter(|&l| l > 0),
        );
        lens.iter().any(|&l| l != lens[0])
    }

    pub(super) fn step(
        policy: &zhiyuan::Policy,
        p: *const zy_policy,
        op: &str,
        input: &Value,
    ) -> Result<Value, Error> {
        let json = |v: Value| Ok(v);
        if let Ok(a) = serde_json::from_value::<Args>(input.clone())
            && ragged(&a.records)
        {
            assert_eq!(op, "hours_by_period", "only this op has a ragged vector");
            let t = zhiyuan::hours_table::hours_by_period(
                policy,
                &a.records.columns(),
                a.grain.unwrap_or(Grain::Week),
                zhiyuan::threads::Threads::Global,
            )?;
            return json(serde_json::to_value(t).unwrap());
        }
        match op {
            "hours_by_period" => {
                let a: Args = arg(input);
                let c = cols(&a.records);
                let grain = a.grain.unwrap_or(Grain::Week) as u32;
                let mut out: *mut zy_period_minutes = ptr::null_mut();
                // SAFETY: live policy, columns of `n` rows, writable out.
                check(unsafe { zy_hours_by_period_columns(p, &c.cols, c.n, grain, 2, &mut out) })?;
                json(serde_json::to_value(hours(out)).unwrap())
            }
            "unit_minutes" => {
                let a: Args = arg(input);
                let t = tree(&a.units);
                let c = cols(&a.records);
                let mut out: *mut zy_unit_minutes = ptr::null_mut();
                // SAFETY: live tree, columns of `n` rows, writable out.
                let r = check(unsafe { zy_unit_minutes_columns(t, &c.cols, c.n, 1, &mut out) });
                unsafe { zy_unit_tree_free(t) };
                r?;
                json(serde_json::to_value(units(out)).unwrap())
            }
            "find_overlaps" => {
                let a: Args = arg(input);
                let c = cols(&a.records);
                let mut out: *mut zy_overlaps = ptr::null_mut();
                // SAFETY: columns of `n` rows, writable out.
                check(unsafe { zy_find_overlaps_columns(&c.cols, c.n, 0, &mut out) })?;
                let r = unsafe { &*out };
                let v = Overlaps {
                    volunteer: column(r.volunteer, r.len),
                    id: column(r.id, r.len),
                    overlaps: column(r.overlaps, r.len),
                };
                unsafe { zy_overlaps_free(out) };
                json(serde_json::to_value(v).unwrap())
            }
            "merge_hours_by_period" => {
                let a: MergeHours = arg(input);
                // Ragged tables cannot be said in C (one `len` per table);
                // check them as the core does, with the same message.
                for (i, t) in a.tables.iter().enumerate() {
                    for (name, len) in [
                        ("period_start", t.period_start.len()),
                        ("minutes", t.minutes.len()),
                    ] {
                        if len != t.volunteer.len() {
                            return Err(Error::new(
                                ErrorKind::InvalidInput,
                                "",
                                format!(
                                    "tables[{i}].{name}: {len} rows, but volunteer has {}",
                                    t.volunteer.len()
                                ),
                            ));
                        }
                    }
                }
                let c: Vec<zy_period_minutes> = a.tables.iter().map(c_hours).collect();
                let ptrs: Vec<*const zy_period_minutes> = c.iter().map(|x| x as *const _).collect();
                let mut out: *mut zy_period_minutes = ptr::null_mut();
                // SAFETY: `ptrs` points to live tables with `len` elements each.
                check(unsafe { zy_period_minutes_merge(ptr(&ptrs), ptrs.len(), &mut out) })?;
                json(serde_json::to_value(hours(out)).unwrap())
            }
            "merge_unit_minutes" => {
                let a: MergeUnits = arg(input);
                let t = tree(&a.units);
                let c: Vec<zy_unit_minutes> = a
                    .tables
                    .iter()
                    .map(|x| zy_unit_minutes {
                        unit: ptr(&x.unit).cast_mut(),
                        own_minutes: ptr(&x.own_minutes).cast_mut(),
                        total_minutes: ptr(&x.total_minutes).cast_mut(),
                        len: x.unit.len(),
                    })
                    .collect();
                let ptrs: Vec<*const zy_unit_minutes> = c.iter().map(|x| x as *const _).collect();
                let mut out: *mut zy_unit_minutes = ptr::null_mut();
                // SAFETY: live tree; `ptrs` points to live tables.
                let r =
                    check(unsafe { zy_unit_minutes_merge(t, ptr(&ptrs), ptrs.len(), &mut out) });
                unsafe { zy_unit_tree_free(t) };
                r?;
                json(serde_json::to_value(units(out)).unwrap())
            }
            other => panic!("unknown hours_table op {other}"),
        }
    }
}

#[test]
fn hours_table_vectors_through_the_c_abi() {
    let mut steps = 0;
    for s in vectors::load("hours_table") {
        let h = PolicyHandle::of(&s.policy);
        steps += vectors::run(&s, |op, input| {
            hours_table_ops::step(&s.policy, h.0, op, input)
        });
    }
    assert!(steps >= 10);
}
