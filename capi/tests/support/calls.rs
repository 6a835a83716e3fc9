//! The table of every JSON entry point of the C API over a set of live
//! handles, shared by the boundary tests (`capi/tests/boundaries.rs`) and
//! the `capi_json` fuzz target (`core/fuzz`), which include this file.

use std::ffi::{CStr, CString, c_char};
use std::ptr;
use zhiyuan_capi::boards::*;
use zhiyuan_capi::credit::*;
use zhiyuan_capi::error::{zy_last_error_message, zy_status, zy_string_free};
use zhiyuan_capi::ledger::*;
use zhiyuan_capi::orders::*;
use zhiyuan_capi::policy::*;
use zhiyuan_capi::rewards::*;
use zhiyuan_capi::selection::*;
use zhiyuan_capi::stars::*;
use zhiyuan_capi::units::*;

/// The unit tree of the handles.
pub const UNITS: &str = r#"{"units":[{"id":1,"parent":null,"name":"centre","level":"centre"},
{"id":10,"parent":1,"name":"institute","level":"institute"},
{"id":11,"parent":1,"name":"institute","level":"institute"},
{"id":100,"parent":10,"name":"station","level":"station"},
{"id":101,"parent":11,"name":"station","level":"station"}],
"teams":[{"id":5,"name":"team","unit":100,"skills":["medical"]}]}"#;

/// Every handle kind, each NULL or live.
pub struct Handles {
    pub policy: *mut zy_policy,
    pub ledger: *mut zy_ledger,
    pub book: *mut zy_order_book,
    pub feed: *mut zy_feed,
    pub honours: *mut zy_honours,
    pub points: *mut zy_points,
    pub perks: *mut zy_perks,
    pub certificates: *mut zy_certificates,
}

/// Asserts success.
pub fn ok(s: zy_status, what: &str) {
    assert_eq!(s, zy_status::Ok, "{what}: {:?}", last_error());
}

/// The thread's last error message.
pub fn last_error() -> Option<String> {
    let p = zy_last_error_message();
    // SAFETY: NULL or a NUL-terminated string valid until the next call.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

impl Handles {
    /// Every handle NULL.
    pub fn null() -> Handles {
        Handles {
            policy: ptr::null_mut(),
            ledger: ptr::null_mut(),
            book: ptr::null_mut(),
            feed: ptr::null_mut(),
            honours: ptr::null_mut(),
            points: ptr::null_mut(),
            perks: ptr::null_mut(),
            certificates: ptr::null_mut(),
        }
    }

    /// Every handle live, over the default policy and [`UNITS`].
    pub fn new() -> Handles {
        let mut h = Handles::null();
        let units = CString::new(UNITS).expect("no NUL");
        // SAFETY: valid strings and out-pointers; freed in Drop.
        unsafe {
            ok(zy_policy_default(&mut h.policy), "policy");
            ok(h.new_tree_handles(units.as_ptr()), "units");
            ok(zy_feed_new(h.policy, &mut h.feed), "feed");
            ok(zy_honours_new(&mut h.honours), "honours");
            ok(zy_points_new(h.policy, &mut h.points), "points");
            ok(zy_perks_new(h.policy, &mut h.perks), "perks");
            ok(
                zy_certificates_new(h.policy, c"PZ".as_ptr(), &mut h.certificates),
                "certificates",
            );
        }
        h
    }

    /// `ledger.new` / `orders.new`: a unit tree from JSON, then a fresh
    /// ledger and book over it. On a bad tree the old handles stay.
    pub unsafe fn new_tree_handles(&mut self, json: *const c_char) -> zy_status {
        let mut tree = ptr::null_mut();
        // SAFETY: per the caller, `json` is a NUL-terminated string.
        unsafe {
            let s = zy_unit_tree_from_json(json, &mut tree);
            if s != zy_status::Ok {
                return s;
            }
            let (mut l, mut b) = (ptr::null_mut(), ptr::null_mut());
            let mut s = zy_ledger_new(self.policy, tree, &mut l);
            if s == zy_status::Ok {
                s = zy_order_book_new(self.policy, tree, &mut b);
            }
            zy_unit_tree_free(tree);
            if s != zy_status::Ok {
                zy_ledger_free(l);
                return s;
            }
            zy_ledger_free(self.ledger);
            zy_order_book_free(self.book);
            self.ledger = l;
            self.book = b;
        }
        zy_status::Ok
    }

    /// The ledger snapshot (the ledger must be live).
    pub fn snapshot(&self) -> String {
        let mut out = ptr::null_mut();
        // SAFETY: a live handle; the string is freed below.
        unsafe {
            ok(zy_ledger_snapshot(self.ledger, &mut out), "snapshot");
            let s = CStr::from_ptr(out).to_string_lossy().into_owned();
            zy_string_free(out);
            s
        }
    }
}

impl Drop for Handles {
    fn drop(&mut self) {
        // SAFETY: each handle came from its constructor (or is NULL).
        unsafe {
            zy_ledger_free(self.ledger);
            zy_order_book_free(self.book);
            zy_feed_free(self.feed);
            zy_honours_free(self.honours);
            zy_points_free(self.points);
            zy_perks_free(self.perks);
            zy_certificates_free(self.certificates);
            zy_policy_free(self.policy);
        }
    }
}

/// An input JSON argument.
pub type In = *const c_char;
/// An output JSON argument.
pub type Out = *mut *mut c_char;

/// One entry point: a name (the golden-vector op) and the call.
pub type Call = (&'static str, unsafe fn(&mut Handles, In, Out) -> zy_status);

/// Every `zy_*_json` function (and the JSON/TOML constructors). The order
/// is part of the corpus format: append, never reorder.
pub const CALLS: &[Call] = &[
    ("ledger.new", |h, i, _| unsafe { h.new_tree_handles(i) }),
    ("ledger.submit", |h, i, o| unsafe {
        zy_ledger_submit_json(h.ledger, i, o)
    }),
    ("ledger.submit_batch", |h, i, o| unsafe {
        zy_ledger_submit_batch_json(h.ledger, i, o)
    }),
    ("ledger.approve", |h, i, o| unsafe {
        zy_ledger_approve_json(h.ledger, i, o)
    }),
    ("ledger.reject", |h, i, o| unsafe {
        zy_ledger_reject_json(h.ledger, i, o)
    }),
    ("ledger.revoke", |h, i, o| unsafe {
        zy_ledger_revoke_json(h.ledger, i, o)
    }),
    ("ledger.amend", |h, i, o| unsafe {
        zy_ledger_amend_json(h.ledger, i, o)
    }),
    ("ledger.record", |h, i, o| unsafe {
        zy_ledger_record_json(h.ledger, i, o)
    }),
    ("ledger.history", |h, i, o| unsafe {
        zy_ledger_history_json(h.ledger, i, o)
    }),
    ("ledger.approved_minutes", |h, i, o| unsafe {
        zy_ledger_approved_minutes_json(h.ledger, i, o)
    }),
    ("ledger.star_level", |h, i, o| unsafe {
        zy_ledger_star_level_json(h.ledger, i, o)
    }),
    ("ledger.totals", |h, i, o| unsafe {
        zy_ledger_totals_json(h.ledger, i, o)
    }),
    ("ledger.totals_by", |h, i, o| unsafe {
        zy_ledger_totals_by_json(h.ledger, i, o)
    }),
    ("orders.new", |h, i, _| unsafe { h.new_tree_handles(i) }),
    ("orders.place", |h, i, o| unsafe {
        zy_order_book_place_json(h.book, i, o)
    }),
    ("orders.apply", |h, i, o| unsafe {
        zy_order_book_apply_json(h.book, i, o)
    }),
    ("orders.fulfil", |h, i, o| unsafe {
        zy_order_book_fulfil_json(h.book, h.ledger, i, o)
    }),
    ("orders.order", |h, i, o| unsafe {
        zy_order_book_order_json(h.book, i, o)
    }),
    ("orders.events_of", |h, i, o| unsafe {
        zy_order_book_events_of_json(h.book, i, o)
    }),
    ("orders.order_of_record", |h, i, o| unsafe {
        zy_order_book_order_of_record_json(h.book, i, o)
    }),
    ("orders.overdue", |h, i, o| unsafe {
        zy_order_book_overdue_json(h.book, i, o)
    }),
    ("orders.sweep", |h, i, o| unsafe {
        zy_order_book_sweep_json(h.book, i, o)
    }),
    ("orders.metrics", |h, i, o| unsafe {
        zy_order_book_metrics_json(h.book, i, o)
    }),
    ("orders.service_list", |h, i, o| unsafe {
        zy_order_book_service_list_json(h.book, i, o)
    }),
    ("dispatch.rank", |h, i, o| unsafe {
        zy_dispatch_rank_json(h.policy, i, o)
    }),
    ("dispatch.distance_m", |_, i, o| unsafe {
        zy_distance_m_json(i, o)
    }),
    ("feed.register", |h, i, o| unsafe {
        zy_feed_register_json(h.feed, i, o)
    }),
    ("feed.add_post", |h, i, o| unsafe {
        zy_feed_add_post_json(h.feed, i, o)
    }),
    ("feed.like", |h, i, o| unsafe {
        zy_feed_like_json(h.feed, i, o)
    }),
    ("feed.add_comment", |h, i, o| unsafe {
        zy_feed_add_comment_json(h.feed, i, o)
    }),
    ("feed.comments", |h, i, o| unsafe {
        zy_feed_comments_json(h.feed, i, o)
    }),
    ("feed.topic", |h, i, o| unsafe {
        zy_feed_topic_json(h.feed, i, o)
    }),
    ("feed.topics", |h, i, o| unsafe {
        zy_feed_topics_json(h.feed, i, o)
    }),
    ("feed.weeks", |h, i, o| unsafe {
        zy_feed_weeks_json(h.feed, i, o)
    }),
    ("feed.board", |h, i, o| unsafe {
        zy_feed_board_json(h.feed, i, o)
    }),
    ("feed.exhibition", |h, i, o| unsafe {
        zy_feed_exhibition_json(h.feed, i, o)
    }),
    ("feed.verdicts", |h, i, o| unsafe {
        zy_feed_verdicts_json(h.feed, i, o)
    }),
    ("feed.partial", |h, i, o| unsafe {
        zy_feed_partial_json(h.feed, i, o)
    }),
    ("batch.like_batch", |h, i, o| unsafe {
        zy_like_batch_json(h.policy, i, o)
    }),
    ("batch.weekly_boards", |h, i, o| unsafe {
        zy_weekly_boards_json(h.policy, i, o)
    }),
    ("partial.merge", |_, i, o| unsafe {
        zy_like_partial_merge_json(i, o)
    }),
    ("partial.boards", |_, i, o| unsafe {
        zy_like_partial_boards_json(i, o)
    }),
    ("partial.exhibition", |_, i, o| unsafe {
        zy_like_partial_exhibition_json(i, o)
    }),
    ("credit.decide", |h, i, o| unsafe {
        zy_credit_decide_json(h.policy, i, o)
    }),
    ("credit.decide_batch", |h, i, o| unsafe {
        zy_credit_decide_batch_json(h.policy, i, o)
    }),
    ("facts.derive", |h, i, o| unsafe {
        zy_facts_derive_json(h.policy, i, o)
    }),
    ("honours.grant", |h, i, o| unsafe {
        zy_honours_grant_json(h.honours, i, o)
    }),
    ("honours.record_winners", |h, i, o| unsafe {
        zy_honours_record_winners_json(h.honours, i, o)
    }),
    ("honours.revoke", |h, i, o| unsafe {
        zy_honours_revoke_json(h.honours, i, o)
    }),
    ("honours.of", |h, i, o| unsafe {
        zy_honours_of_json(h.honours, i, o)
    }),
    ("points.sync_hours", |h, i, o| unsafe {
        zy_points_sync_hours_json(h.points, i, o)
    }),
    ("points.sync_honours", |h, i, o| unsafe {
        zy_points_sync_honours_json(h.points, h.honours, i, o)
    }),
    ("points.redeem", |h, i, o| unsafe {
        zy_points_redeem_json(h.points, i, o)
    }),
    ("points.expire", |h, i, o| unsafe {
        zy_points_expire_json(h.points, i, o)
    }),
    ("points.account", |h, i, o| unsafe {
        zy_points_account_json(h.points, i, o)
    }),
    ("points.entries", |h, i, o| unsafe {
        zy_points_entries_json(h.points, i, o)
    }),
    ("perks.eligible", |h, i, o| unsafe {
        zy_perks_eligible_json(h.perks, h.points, i, o)
    }),
    ("perks.claim", |h, i, o| unsafe {
        zy_perks_claim_json(h.perks, h.points, i, o)
    }),
    ("certificates.issue", |h, i, o| unsafe {
        zy_certificates_issue_json(h.certificates, i, o)
    }),
    ("certificates.revoke", |h, i, o| unsafe {
        zy_certificates_revoke_json(h.certificates, i, o)
    }),
    ("certificates.check", |h, i, o| unsafe {
        zy_certificates_check_json(h.certificates, i, o)
    }),
    ("certificates.verify", |_, i, o| unsafe {
        zy_certificate_verify_json(i, o)
    }),
    ("certificates.verify_json", |_, i, o| unsafe {
        zy_certificate_verify_text_json(i, o)
    }),
    ("monthly_stars", |h, i, o| unsafe {
        zy_monthly_stars_json(h.policy, i, o)
    }),
    ("monthly.count_votes", |h, i, o| unsafe {
        zy_monthly_count_votes_json(h.policy, i, o)
    }),
    ("annual_selection", |h, i, o| unsafe {
        zy_annual_selection_json(h.policy, i, o)
    }),
    ("apportion", |_, i, o| unsafe { zy_apportion_json(i, o) }),
    ("stars.levels", |h, i, o| unsafe {
        zy_star_levels_json(h.policy, i, o)
    }),
    ("units.rollup", |_, i, o| unsafe {
        let mut tree = ptr::null_mut();
        let units = CString::new(UNITS).expect("no NUL");
        ok(zy_unit_tree_from_json(units.as_ptr(), &mut tree), "units");
        let s = zy_unit_tree_rollup_json(tree, i, o);
        zy_unit_tree_free(tree);
        s
    }),
    ("policy.from_json", |_, i, o| unsafe {
        policy_round_trip(i, o, zy_policy_from_json)
    }),
    ("policy.from_toml", |_, i, o| unsafe {
        policy_round_trip(i, o, zy_policy_from_toml)
    }),
];

/// A policy from text, then its canonical JSON as the output.
unsafe fn policy_round_trip(
    i: In,
    o: Out,
    parse: unsafe extern "C" fn(*const c_char, *mut *mut zy_policy) -> zy_status,
) -> zy_status {
    let mut p = ptr::null_mut();
    // SAFETY: `i` is a NUL-terminated string; `p` is freed.
    unsafe {
        let s = parse(i, &mut p);
        if s != zy_status::Ok {
            return s;
        }
        let s = zy_policy_to_json(p, o);
        zy_policy_free(p);
        s
    }
}
