//! Saved forms of the handles: round trips keep behaviour, and tampered
//! snapshots are errors naming the field, never broken handles.

use zhiyuan::certificates::{CertificateKey, CertificateRegistry, CertificateRequest};
use zhiyuan::facts::Facts;
use zhiyuan::honours::{HonourKind, HonoursRegistry};
use zhiyuan::leaderboard::LikeBoard;
use zhiyuan::orders::{Action, Command, NewOrder, OrderBook};
use zhiyuan::perks::{PerkClaim, PerkDesk};
use zhiyuan::points::{PointsLedger, Redemption};
use zhiyuan::posts::{Comment, Feed, LikeAction, LikeEvent, Post};
use zhiyuan::time::Timestamp;
use zhiyuan::units::{Unit, UnitTree};
use zhiyuan::{Error, ErrorKind, Policy};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// Edits the JSON value at `path` (object keys and array indexes).
fn tamper(json: &str, path: &[&str], value: serde_json::Value) -> String {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut at = &mut v;
    for p in path {
        at = match p.parse::<usize>() {
            Ok(i) => &mut at[i],
            Err(_) => &mut at[*p],
        };
    }
    *at = value;
    v.to_string()
}

fn field(e: &Error) -> &str {
    e.field().unwrap_or("")
}

fn feed() -> Feed {
    let mut f = Feed::new(&Policy::default());
    f.register(1, ts("2023-01-01T00:00:00Z")).unwrap();
    f.register(2, ts("2023-01-01T00:00:00Z")).unwrap();
    let mut post = Post::new(10, 1, ts("2024-03-04T02:00:00Z"));
    post.topic = Some("助老".into());
    f.add_post(post).unwrap();
    f.add_comment(Comment {
        id: 5,
        post: 10,
        author: 2,
        time: ts("2024-03-04T03:00:00Z"),
        text: "赞".into(),
    })
    .unwrap();
    f.like(&LikeEvent::new(
        100,
        2,
        10,
        ts("2024-03-04T04:00:00Z"),
        LikeAction::Like,
    ))
    .unwrap();
    f
}

#[test]
fn feed_round_trips_and_keeps_checking_after_restore() {
    let f = feed();
    let mut back = Feed::restore(&f.snapshot()).unwrap();
    assert_eq!(back.snapshot(), f.snapshot());
    assert_eq!(back.topics(), f.topics());
    assert_eq!(back.likes().verdicts(), f.likes().verdicts());
    let week = back.likes().weeks()[0];
    assert_eq!(
        back.likes().board(week, 10).unwrap(),
        f.likes().board(week, 10).unwrap()
    );
    // The restored feed still knows the ids it was given.
    let reused = LikeEvent::new(100, 1, 10, ts("2024-03-04T05:00:00Z"), LikeAction::Like);
    assert_eq!(back.like(&reused).unwrap_err().kind(), ErrorKind::Conflict);
}

#[test]
fn tampered_feed_names_the_row() {
    let snap = feed().snapshot();
    let bad = tamper(&snap, &["state", "comments", "0", "post"], 99.into());
    let e = Feed::restore(&bad).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(field(&e), "snapshot.state.comments[0].comment 5.post");
    let bad = tamper(&snap, &["state", "likes", "liker"], serde_json::json!([7]));
    let e = Feed::restore(&bad).unwrap_err();
    assert_eq!(field(&e), "snapshot.state.likes[0].like 100.liker");
    let bad = tamper(&snap, &["state", "likes", "post"], serde_json::json!([]));
    let e = Feed::restore(&bad).unwrap_err();
    assert_eq!(
        e.to_string(),
        "snapshot.state.likes.post: has 0 rows; event has 1"
    );
}

#[test]
fn like_board_rejects_a_repeated_event_and_a_foreign_format() {
    let f = feed();
    let mut board = LikeBoard::new(&Policy::default());
    board.register(2, ts("2023-01-01T00:00:00Z")).unwrap();
    board.add_post(10, 1, ts("2024-03-04T02:00:00Z")).unwrap();
    let snap = board.snapshot();
    let e = LikeBoard::restore(&f.snapshot()).unwrap_err();
    assert_eq!(field(&e), "snapshot.format");
    let bad = tamper(
        &snap,
        &["state", "registrations", "volunteer"],
        serde_json::json!([2, 2]),
    );
    let bad = tamper(
        &bad,
        &["state", "registrations", "registered_at"],
        serde_json::json!(["2023-01-01T00:00:00Z", "2023-02-01T00:00:00Z"]),
    );
    let e = LikeBoard::restore(&bad).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(
        field(&e),
        "snapshot.state.registrations[1].volunteer 2.registered_at"
    );
}

#[test]
fn envelope_errors_name_format_policy_and_hash() {
    let snap = feed().snapshot();
    let e = Feed::restore("{").unwrap_err();
    assert_eq!((e.kind(), field(&e)), (ErrorKind::InvalidInput, "snapshot"));
    let e = Feed::restore(&tamper(&snap, &["format"], "zhiyuan.feed.v9".into())).unwrap_err();
    assert_eq!(
        e.to_string(),
        "snapshot.format: expected \"zhiyuan.feed.v1\", got \"zhiyuan.feed.v9\""
    );
    let bad = tamper(&snap, &["policy", "likes", "author_cap"], 1.into());
    let e = Feed::restore(&bad).unwrap_err();
    assert_eq!(
        (e.kind(), field(&e)),
        (ErrorKind::Conflict, "snapshot.policy_hash")
    );
    let bad = tamper(&snap, &["policy", "likes", "author_cap"], 0.into());
    let e = Feed::restore(&bad).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PolicyInvalid);
    assert!(field(&e).starts_with("snapshot.policy."), "{e}");
}

fn tree() -> UnitTree {
    UnitTree::new(vec![Unit::new(100, None, "佘村站", "station")], vec![]).unwrap()
}

#[test]
fn order_book_round_trips_and_a_forged_event_is_refused() {
    let mut book = OrderBook::new(Policy::default(), tree());
    let t0 = ts("2024-03-04T01:00:00Z");
    book.place(NewOrder::new(7, 107, "medical_fitness", 100, t0))
        .unwrap();
    let cmd = |action| Command {
        order: 7,
        actor: 9,
        at: t0,
        action,
    };
    book.apply(cmd(Action::StartReview)).unwrap();
    let snap = book.snapshot();
    let mut back = OrderBook::restore(&snap).unwrap();
    assert_eq!(back, book);
    // Later commands behave the same on both.
    let reject = cmd(Action::Reject {
        reason: "dup".into(),
    });
    assert_eq!(
        back.apply(reject.clone()).unwrap(),
        book.apply(reject).unwrap()
    );
    assert_eq!(back, book);
    // Skipping review: accepting straight from placed is illegal on replay.
    let bad = tamper(
        &snap,
        &["state", "events", "1"],
        serde_json::json!({"seq": 2, "order": 7, "actor": 9, "at": "2024-03-04T01:00:00Z",
                           "event": "accepted", "by": {"volunteer": 5}}),
    );
    let e = OrderBook::restore(&bad).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidState);
    assert_eq!(field(&e), "snapshot.state.events[1].order 7");
    // An edited sequence number does not match the replay.
    let bad = tamper(&snap, &["state", "events", "1", "seq"], 5.into());
    let e = OrderBook::restore(&bad).unwrap_err();
    assert_eq!(field(&e), "snapshot.state.events[1]");
    // A body without its placed event.
    let bad = tamper(&snap, &["state", "events"], serde_json::json!([]));
    let e = OrderBook::restore(&bad).unwrap_err();
    assert_eq!(field(&e), "snapshot.state.placed[0]");
}

fn points() -> PointsLedger {
    let mut b = PointsLedger::new(&Policy::default());
    b.sync_hours(7, 600, ts("2024-01-01T00:00:00Z")).unwrap();
    b.redeem(&Redemption {
        order_code: "M1".into(),
        volunteer: 7,
        merchant: "bakery".into(),
        points: 30,
        at: ts("2024-01-02T00:00:00Z"),
    })
    .unwrap();
    b.sync_hours(7, 0, ts("2024-01-03T00:00:00Z")).unwrap();
    b.expire(8, ts("2024-01-04T00:00:00Z")).unwrap();
    b
}

#[test]
fn points_round_trip_and_edited_history_is_refused() {
    let b = points();
    let snap = b.snapshot();
    let back = PointsLedger::restore(&snap).unwrap();
    assert_eq!(back, b);
    assert_eq!(back.redemption("M1").unwrap(), b.redemption("M1").unwrap());
    // Entry 0 earned 100; claiming 1000 breaks the balances after it.
    let bad = tamper(
        &snap,
        &["state", "accounts", "0", "entries", "0", "points"],
        1000.into(),
    );
    let e = PointsLedger::restore(&bad).unwrap_err();
    assert_eq!(field(&e), "snapshot.state.accounts[0].entries[0]");
    // A redemption beyond the balance.
    let bad = tamper(
        &snap,
        &["state", "accounts", "0", "entries", "1", "points"],
        500.into(),
    );
    let e = PointsLedger::restore(&bad).unwrap_err();
    assert_eq!(
        (e.kind(), field(&e)),
        (
            ErrorKind::InvalidState,
            "snapshot.state.accounts[0].entries[1]"
        )
    );
    // The clock of a later no-op operation is kept.
    let bad = tamper(
        &snap,
        &["state", "accounts", "1", "last_at"],
        serde_json::Value::Null,
    );
    assert!(PointsLedger::restore(&bad).is_ok());
    let bad = tamper(
        &snap,
        &["state", "accounts", "0", "last_at"],
        "2023-01-01T00:00:00Z".into(),
    );
    let e = PointsLedger::restore(&bad).unwrap_err();
    assert_eq!(field(&e), "snapshot.state.accounts[0].last_at");
}

fn desk_policy() -> Policy {
    Policy::from_toml(
        r#"
[[perks.catalogue]]
id = "bus_card_1star"
merchant = "county_bus"
title = "10 yuan bus card"
limit_per_period = 2
when = { fact = "star_level", op = ">=", value = 1 }
"#,
    )
    .unwrap()
}

#[test]
fn perk_desk_round_trips_and_keeps_limits() {
    let p = desk_policy();
    let mut desk = PerkDesk::new(&p).unwrap();
    let facts = Facts {
        cumulative_minutes: 6000,
        star_level: 1,
        ..Facts::default()
    };
    let claim = |code: &str| PerkClaim {
        claim_code: code.into(),
        volunteer: 7,
        perk: "bus_card_1star".into(),
        at: ts("2024-03-01T00:00:00Z"),
    };
    desk.claim(&claim("c1"), &facts, None).unwrap();
    let snap = desk.snapshot();
    let mut back = PerkDesk::restore(&snap).unwrap();
    assert_eq!(back.snapshot(), snap);
    assert_eq!(
        back.eligible_perks(7, &facts, ts("2024-03-02T00:00:00Z"), None),
        desk.eligible_perks(7, &facts, ts("2024-03-02T00:00:00Z"), None)
    );
    // The count continues: one more fits, then the limit holds.
    back.claim(&claim("c2"), &facts, None).unwrap();
    let e = back.claim(&claim("c3"), &facts, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidState);
    let bad = tamper(
        &snap,
        &["state", "claims", "0", "claims_in_period"],
        2.into(),
    );
    let e = PerkDesk::restore(&bad).err().unwrap();
    assert_eq!(field(&e), "snapshot.state.claims[0].claims_in_period");
    let bad = tamper(&snap, &["state", "claims", "0", "perk"], "gold".into());
    let e = PerkDesk::restore(&bad).err().unwrap();
    assert_eq!(
        (e.kind(), field(&e)),
        (ErrorKind::NotFound, "snapshot.state.claims[0].perk")
    );
}

#[test]
fn honours_round_trip_with_revocations() {
    let mut reg = HonoursRegistry::new();
    let m = "2025-03".parse().unwrap();
    reg.grant(
        7,
        HonourKind::MonthlyStar,
        m,
        900,
        "2025-04-01".parse().unwrap(),
    )
    .unwrap();
    reg.grant(
        8,
        HonourKind::MonthlyStar,
        m,
        900,
        "2025-04-01".parse().unwrap(),
    )
    .unwrap();
    reg.revoke(
        8,
        HonourKind::MonthlyStar,
        m,
        1,
        ts("2025-05-01T00:00:00Z"),
        "fraud",
    )
    .unwrap();
    let snap = reg.snapshot();
    let mut back = HonoursRegistry::restore(&snap).unwrap();
    assert_eq!(back, reg);
    let e = back
        .revoke(
            8,
            HonourKind::MonthlyStar,
            m,
            1,
            ts("2025-06-01T00:00:00Z"),
            "again",
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidState);
    let bad = tamper(
        &snap,
        &["state", "honours", "1", "revoked", "reason"],
        " ".into(),
    );
    let e = HonoursRegistry::restore(&bad).unwrap_err();
    assert_eq!(field(&e), "snapshot.state.honours[1].revoked.reason");
    let bad = tamper(&snap, &["state", "honours", "1", "volunteer"], 7.into());
    let e = HonoursRegistry::restore(&bad).unwrap_err();
    assert_eq!(
        (e.kind(), field(&e)),
        (ErrorKind::Conflict, "snapshot.state.honours[1]")
    );
    let with_policy = tamper(&snap, &["policy"], serde_json::json!({}));
    assert_eq!(
        field(&HonoursRegistry::restore(&with_policy).unwrap_err()),
        "snapshot.policy"
    );
}

#[test]
fn certificates_round_trip_and_continue_the_serials() {
    let key = CertificateKey::new("k2024", b"a secret of at least 16 bytes").unwrap();
    let mut reg = CertificateRegistry::new(&Policy::default(), "PZ");
    let req = CertificateRequest {
        volunteer: 7,
        volunteer_name: "张三".into(),
        minutes: 6030,
        content: "社区助老".into(),
        recording_unit: 100,
        recording_unit_name: "佘村实践站".into(),
        period_from: "2024-01-01".parse().unwrap(),
        period_to: "2024-12-31".parse().unwrap(),
        issuer: 9,
    };
    let c1 = reg.issue(&req, &key, ts("2025-01-05T02:00:00Z")).unwrap();
    reg.revoke(&c1.serial, 9, ts("2025-02-01T00:00:00Z"), "typo")
        .unwrap();
    let snap = reg.snapshot();
    let mut back = CertificateRegistry::restore(&snap).unwrap();
    assert_eq!(back, reg);
    let c2 = back.issue(&req, &key, ts("2025-03-01T00:00:00Z")).unwrap();
    assert_eq!(c2.serial, "PZ-2025-00000002");
    assert_eq!(
        back.check(&c1.serial, &c1.verification_code),
        reg.check(&c1.serial, &c1.verification_code)
    );
    let bad = tamper(
        &snap,
        &["state", "certificates", "0", "certificate", "serial"],
        "PZ-2025-00000009".into(),
    );
    let e = CertificateRegistry::restore(&bad).unwrap_err();
    assert_eq!(
        field(&e),
        "snapshot.state.certificates[0].certificate.serial"
    );
    let bad = tamper(
        &snap,
        &["state", "certificates", "0", "certificate", "minutes"],
        (-1).into(),
    );
    let e = CertificateRegistry::restore(&bad).unwrap_err();
    assert_eq!(
        field(&e),
        "snapshot.state.certificates[0].certificate.minutes"
    );
    let bad = tamper(
        &snap,
        &[
            "state",
            "certificates",
            "0",
            "certificate",
            "verification_code",
        ],
        "xyz".into(),
    );
    let e = CertificateRegistry::restore(&bad).unwrap_err();
    assert_eq!(
        field(&e),
        "snapshot.state.certificates[0].certificate.verification_code"
    );
}
