//! The 五单 workflow: examples, SLAs, metrics, service list, and properties
//! over random command sequences.

use proptest::prelude::*;
use zhiyuan::hours::{RecordKind, ServiceRecord};
use zhiyuan::ledger::HoursLedger;
use zhiyuan::order_metrics::{metrics_from_events, nearest_rank};
use zhiyuan::orders::*;
use zhiyuan::time::{Grain, MICROS_PER_DAY, MICROS_PER_HOUR, Period, Timestamp};
use zhiyuan::units::{Team, Unit, UnitTree};
use zhiyuan::{ErrorKind, Policy};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn plus_h(t: Timestamp, h: i64) -> Timestamp {
    t.checked_add_micros(h * MICROS_PER_HOUR).unwrap()
}

fn tree() -> UnitTree {
    UnitTree::new(
        vec![
            Unit::new(1, None, "中心", "centre"),
            Unit::new(10, Some(1), "东山所", "institute"),
            Unit::new(11, Some(1), "秣陵所", "institute"),
            Unit::new(100, Some(10), "佘村站", "station"),
        ],
        vec![Team {
            id: 5,
            unit: 100,
            name: "医疗队".into(),
            skills: vec!["medical".into()],
        }],
    )
    .unwrap()
}

fn setup(policy: Policy) -> (OrderBook, HoursLedger) {
    (
        OrderBook::new(policy.clone(), tree()),
        HoursLedger::new(policy, tree()),
    )
}

const T0: &str = "2024-03-04T01:00:00Z"; // Monday 09:00 in Beijing

fn cmd(order: OrderId, actor: u64, at: Timestamp, action: Action) -> Command {
    Command {
        order,
        actor,
        at,
        action,
    }
}

fn record(id: u64, volunteer: u64, end: Timestamp) -> ServiceRecord {
    ServiceRecord {
        id,
        volunteer,
        unit: 100,
        team: Some(5),
        activity: 1,
        start: plus_h(end, -2),
        end,
        kind: RecordKind::Service,
        recorded_by: 9,
        recorded_at: end,
    }
}

/// Places order `id` (requester 100 + id) and takes it to accepted by team 5.
fn accepted(book: &mut OrderBook, id: OrderId, t: Timestamp) {
    book.place(NewOrder::new(id, 100 + id, "medical_fitness", 100, t))
        .unwrap();
    book.apply(cmd(id, 9, t, Action::StartReview)).unwrap();
    book.apply(cmd(
        id,
        9,
        plus_h(t, 1),
        Action::Dispatch {
            to: Assignee::Team(5),
        },
    ))
    .unwrap();
    book.apply(cmd(
        id,
        50,
        plus_h(t, 2),
        Action::Accept { by: Taker::Team(5) },
    ))
    .unwrap();
}

fn fulfil(book: &mut OrderBook, ledger: &mut HoursLedger, id: OrderId, at: Timestamp, rid: u64) {
    book.fulfil(
        ledger,
        Fulfilment {
            order: id,
            actor: 50,
            at,
            records: vec![record(rid, 200, at)],
            report_len: 40,
        },
    )
    .unwrap();
}

#[test]
fn happy_path_links_records_both_ways_and_closes_rated() {
    let (mut book, mut ledger) = setup(Policy::default());
    let t0 = ts(T0);
    accepted(&mut book, 1, t0);
    let t = plus_h(t0, 5);
    fulfil(&mut book, &mut ledger, 1, t, 77);
    let o = book.order(1).unwrap();
    assert_eq!(o.state, OrderState::Fulfilled);
    assert_eq!(o.records, vec![77]);
    assert_eq!(book.order_of_record(77), Some(1));
    assert_eq!(ledger.record(77).unwrap().record.volunteer, 200);
    let rating = Rating {
        score: 5,
        satisfaction: Satisfaction::Satisfied,
    };
    book.apply(cmd(1, 101, plus_h(t, 1), Action::Rate { rating }))
        .unwrap();
    book.apply(cmd(1, 9, plus_h(t, 2), Action::Close)).unwrap();
    let o = book.order(1).unwrap();
    assert_eq!(o.state, OrderState::Closed);
    assert_eq!(o.outcome, Some(Outcome::Satisfied));
    let kinds: Vec<&str> = book
        .events_of(1)
        .unwrap()
        .iter()
        .map(|e| match e.kind {
            EventKind::Placed { .. } => "placed",
            EventKind::ReviewStarted => "review",
            EventKind::Dispatched { .. } => "dispatched",
            EventKind::Accepted { .. } => "accepted",
            EventKind::Fulfilled { .. } => "fulfilled",
            EventKind::Rated { .. } => "rated",
            EventKind::Closed { .. } => "closed",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "placed",
            "review",
            "dispatched",
            "accepted",
            "fulfilled",
            "rated",
            "closed"
        ]
    );
    // Acceptance 2 h after placement, completion 5 h.
    let m = book
        .metrics(1, Period::of(Grain::Month, t0, book.policy().offset()))
        .unwrap();
    assert_eq!(m.acceptance_seconds.p50, Some(7200));
    assert_eq!(m.completion_seconds.p90, Some(18000));
    assert_eq!(m.satisfaction_rate_bp, Some(10_000));
    assert_eq!(m.dispatch_rate_bp, Some(10_000));
}

#[test]
fn redispatch_after_decline_keeps_history() {
    let (mut book, _) = setup(Policy::default());
    let t0 = ts(T0);
    book.place(NewOrder::new(1, 101, "legal_services", 100, t0))
        .unwrap();
    book.apply(cmd(1, 9, t0, Action::StartReview)).unwrap();
    let to5 = Action::Dispatch {
        to: Assignee::Team(5),
    };
    book.apply(cmd(1, 9, plus_h(t0, 1), to5)).unwrap();
    book.apply(cmd(
        1,
        50,
        plus_h(t0, 2),
        Action::Decline {
            by: Taker::Team(5),
            reason: "no lawyer free".into(),
        },
    ))
    .unwrap();
    assert_eq!(book.order(1).unwrap().state, OrderState::UnderReview);
    book.apply(cmd(
        1,
        9,
        plus_h(t0, 3),
        Action::Dispatch {
            to: Assignee::Volunteer(200),
        },
    ))
    .unwrap();
    // The old assignee can no longer accept.
    let e = book
        .apply(cmd(
            1,
            50,
            plus_h(t0, 4),
            Action::Accept { by: Taker::Team(5) },
        ))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidState);
    assert_eq!(
        e.to_string(),
        "order 1: cannot accept an order in state dispatched: it is not dispatched to team 5"
    );
    book.apply(cmd(
        1,
        200,
        plus_h(t0, 4),
        Action::Accept {
            by: Taker::Volunteer(200),
        },
    ))
    .unwrap();
    let o = book.order(1).unwrap();
    assert_eq!(o.redispatch_count, 1);
    assert_eq!(o.rounds.len(), 2);
    assert_eq!(o.rounds[0].to, Assignee::Team(5));
    assert_eq!(
        o.rounds[0].ended,
        Some(RoundEnding {
            how: RoundEnd::Declined,
            at: plus_h(t0, 2),
            reason: "no lawyer free".into()
        })
    );
    assert_eq!(
        o.rounds[1].accepted,
        Some(Acceptance {
            by: Taker::Volunteer(200),
            at: plus_h(t0, 4)
        })
    );
    let m = book
        .metrics(1, Period::of(Grain::Day, t0, book.policy().offset()))
        .unwrap();
    assert_eq!(m.redispatches, 1);
    assert_eq!(m.acceptance_seconds.p50, Some(4 * 3600));
}

#[test]
fn rating_after_the_window_is_refused() {
    let (mut book, mut ledger) = setup(Policy::default());
    let t0 = ts(T0);
    accepted(&mut book, 1, t0);
    accepted(&mut book, 2, t0);
    let done = plus_h(t0, 10);
    fulfil(&mut book, &mut ledger, 1, done, 1);
    fulfil(&mut book, &mut ledger, 2, plus_h(done, 3), 2);
    let rating = Rating {
        score: 4,
        satisfaction: Satisfaction::Basic,
    };
    let window_end = done.checked_add_micros(7 * MICROS_PER_DAY).unwrap();
    let before = book.clone();
    let e = book
        .apply(cmd(1, 101, window_end, Action::Rate { rating }))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidState);
    assert_eq!(
        e.to_string(),
        "order 1: cannot rate an order in state fulfilled: the rating window closed at 2024-03-11T11:00:00Z"
    );
    assert_eq!(book, before);
    // One microsecond earlier is inside the window (order 2 was fulfilled later).
    book.apply(cmd(
        2,
        102,
        window_end
            .checked_add_micros(3 * MICROS_PER_HOUR - 1)
            .unwrap(),
        Action::Rate { rating },
    ))
    .unwrap();
    // One rating per order.
    let e = book
        .apply(cmd(2, 102, plus_h(window_end, 4), Action::Rate { rating }))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "order 2: cannot rate an order in state rated"
    );
}

#[test]
fn no_self_service_and_only_the_requester_rates() {
    let (mut book, mut ledger) = setup(Policy::default());
    let t0 = ts(T0);
    book.place(NewOrder::new(1, 101, "legal_services", 100, t0))
        .unwrap();
    book.apply(cmd(1, 9, t0, Action::StartReview)).unwrap();
    let e = book
        .apply(cmd(
            1,
            9,
            t0,
            Action::Dispatch {
                to: Assignee::Volunteer(101),
            },
        ))
        .unwrap_err();
    assert_eq!(e.to_string(), "order 1.to: volunteer 101 is the requester");
    book.apply(cmd(1, 9, t0, Action::Dispatch { to: Assignee::Open }))
        .unwrap();
    let e = book
        .apply(cmd(
            1,
            101,
            t0,
            Action::Accept {
                by: Taker::Volunteer(101),
            },
        ))
        .unwrap_err();
    assert_eq!(e.to_string(), "order 1.by: volunteer 101 is the requester");
    book.apply(cmd(
        1,
        200,
        t0,
        Action::Accept {
            by: Taker::Volunteer(200),
        },
    ))
    .unwrap();
    let e = book
        .fulfil(
            &mut ledger,
            Fulfilment {
                order: 1,
                actor: 200,
                at: plus_h(t0, 3),
                records: vec![record(1, 200, plus_h(t0, 3)), record(2, 101, plus_h(t0, 3))],
                report_len: 0,
            },
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "order 1.records[1].volunteer: volunteer 101 is the requester"
    );
    assert!(ledger.record(1).is_err(), "nothing reached the ledger");
    fulfil(&mut book, &mut ledger, 1, plus_h(t0, 3), 1);
    let rating = Rating {
        score: 5,
        satisfaction: Satisfaction::Satisfied,
    };
    let e = book
        .apply(cmd(1, 200, plus_h(t0, 4), Action::Rate { rating }))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "order 1.actor: only the requester 101 may rate, not 200"
    );
}

#[test]
fn ledger_refusal_leaves_the_order_accepted() {
    let (mut book, mut ledger) = setup(Policy::default());
    let t0 = ts(T0);
    accepted(&mut book, 1, t0);
    let at = plus_h(t0, 5);
    let mut bad = record(8, 201, at);
    bad.end = bad.start; // end not after start: the ledger refuses
    let before = (book.clone(), ledger.clone());
    let e = book
        .fulfil(
            &mut ledger,
            Fulfilment {
                order: 1,
                actor: 50,
                at,
                records: vec![record(7, 200, at), bad],
                report_len: 1,
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().starts_with("order 1.records[1]"), "{e}");
    assert_eq!((book.clone(), ledger.clone()), before);
    assert_eq!(book.order(1).unwrap().state, OrderState::Accepted);
    assert_eq!(book.order_of_record(7), None);
    // A record already closing out another order is a conflict.
    accepted(&mut book, 2, t0);
    fulfil(&mut book, &mut ledger, 1, at, 7);
    let e = book
        .fulfil(
            &mut ledger,
            Fulfilment {
                order: 2,
                actor: 50,
                at,
                records: vec![record(7, 200, at)],
                report_len: 1,
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(
        e.to_string(),
        "order 2.records[0]: record 7 already closes out order 1"
    );
}

#[test]
fn unrated_orders_auto_close_as_unrated_never_satisfied() {
    let (mut book, mut ledger) = setup(Policy::default());
    let t0 = ts(T0);
    accepted(&mut book, 1, t0);
    let done = plus_h(t0, 4);
    fulfil(&mut book, &mut ledger, 1, done, 1);
    let e = book
        .apply(cmd(1, 9, plus_h(done, 1), Action::Close))
        .unwrap_err();
    assert!(
        e.to_string().contains("the rating window is open until"),
        "{e}"
    );
    let later = done.checked_add_micros(7 * MICROS_PER_DAY).unwrap();
    let over = book.overdue(later);
    assert_eq!(over.len(), 1);
    assert_eq!(
        (over[0].order, over[0].clock, over[0].late_seconds),
        (1, Clock::Rating, 0)
    );
    let ev = book.sweep(0, later);
    assert_eq!(ev.len(), 1);
    let o = book.order(1).unwrap();
    assert_eq!(
        (o.state, o.outcome),
        (OrderState::Closed, Some(Outcome::Unrated))
    );
    let m = book
        .metrics(1, Period::of(Grain::Year, t0, book.policy().offset()))
        .unwrap();
    assert_eq!((m.rated, m.satisfied, m.unrated), (0, 0, 1));
    assert_eq!(m.satisfaction_rate_bp, None);
    assert_eq!(m.unrated_share_bp, Some(10_000));
}

#[test]
fn overdue_names_each_clock_and_slas_follow_overrides() {
    let policy = Policy::from_json(
        r#"{"calendar": {"holidays": ["2024-03-06"]},
            "orders": {"sla_overrides": [
              {"urgency": "emergency", "review_hours": 1, "accept_hours": 1},
              {"category": "legal_services", "urgency": "emergency", "review_hours": 2}]}}"#,
    )
    .unwrap();
    let (mut book, _) = setup(policy);
    let t0 = ts(T0);
    let mut e1 = NewOrder::new(1, 101, "medical_fitness", 100, t0);
    e1.urgency = Urgency::Emergency;
    let mut e2 = NewOrder::new(2, 102, "legal_services", 100, t0);
    e2.urgency = Urgency::Emergency;
    book.place(e1).unwrap();
    book.place(e2).unwrap();
    book.place(NewOrder::new(3, 103, "legal_services", 100, t0))
        .unwrap();
    let s = book.sla(book.order(2).unwrap());
    assert_eq!((s.review_hours, s.accept_hours), (2, 1));
    let clocks = |book: &OrderBook, h| {
        book.overdue(plus_h(t0, h))
            .into_iter()
            .map(|b| (b.order, b.clock))
            .collect::<Vec<_>>()
    };
    assert_eq!(clocks(&book, 1), vec![(1, Clock::Review)]);
    assert_eq!(
        clocks(&book, 2),
        vec![(1, Clock::Review), (2, Clock::Review)]
    );
    assert_eq!(clocks(&book, 24).len(), 3);
    // Fulfil clock: 5 working days from acceptance on Monday 3-4, skipping
    // the Wednesday holiday: due by the end of Tuesday 3-12 (Beijing).
    accepted(&mut book, 4, t0);
    let due = book
        .overdue(ts("2024-03-12T16:00:00Z"))
        .into_iter()
        .find(|b| b.order == 4 && b.clock == Clock::Fulfil)
        .unwrap();
    assert_eq!(due.due, ts("2024-03-12T16:00:00Z"));
    assert!(
        book.overdue(ts("2024-03-12T15:59:59Z"))
            .iter()
            .all(|b| b.order != 4)
    );
}

#[test]
fn expiry_is_refused_before_its_time_and_sweep_expires() {
    let (mut book, _) = setup(Policy::default());
    let t0 = ts(T0);
    let mut o = NewOrder::new(1, 101, "ecology", 100, t0);
    o.wanted_by = Some(plus_h(t0, 48));
    book.place(o).unwrap();
    let e = book
        .apply(cmd(1, 0, plus_h(t0, 119), Action::Expire))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "order 1: cannot expire an order in state placed: it expires at 2024-03-09T01:00:00Z"
    );
    let ev = book.sweep(0, plus_h(t0, 120));
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].kind, EventKind::Expired);
    assert_eq!(book.order(1).unwrap().state, OrderState::Expired);
}

#[test]
fn cancel_by_requester_is_excluded_from_the_dispatch_rate() {
    let (mut book, _) = setup(Policy::default());
    let t0 = ts(T0);
    for id in 1..=3 {
        book.place(NewOrder::new(id, 100 + id, "culture_arts", 100, t0))
            .unwrap();
        book.apply(cmd(id, 9, t0, Action::StartReview)).unwrap();
    }
    let cancel = |by| Action::Cancel {
        by,
        reason: "changed mind".into(),
    };
    let e = book
        .apply(cmd(1, 999, t0, cancel(Party::Requester)))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "order 1.actor: actor 999 is not the requester 101"
    );
    book.apply(cmd(1, 101, t0, cancel(Party::Requester)))
        .unwrap();
    book.apply(cmd(2, 9, t0, Action::Dispatch { to: Assignee::Open }))
        .unwrap();
    book.apply(cmd(
        3,
        9,
        t0,
        Action::Reject {
            reason: "not a volunteer service".into(),
        },
    ))
    .unwrap();
    let m = book
        .metrics(10, Period::of(Grain::Week, t0, book.policy().offset()))
        .unwrap();
    assert_eq!((m.placed, m.reviewed, m.dispatched), (3, 2, 1));
    assert_eq!(m.dispatch_rate_bp, Some(5000));
    let e = book.apply(cmd(1, 9, t0, Action::StartReview)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "order 1: cannot start_review an order in state cancelled"
    );
    // Unit 11 holds none of them.
    assert_eq!(
        book.metrics(11, Period::of(Grain::Week, t0, book.policy().offset()))
            .unwrap()
            .placed,
        0
    );
}

#[test]
fn reopen_after_dissatisfied_rating() {
    let (mut book, mut ledger) = setup(Policy::default());
    let t0 = ts(T0);
    accepted(&mut book, 1, t0);
    fulfil(&mut book, &mut ledger, 1, plus_h(t0, 3), 1);
    let bad = Rating {
        score: 1,
        satisfaction: Satisfaction::Dissatisfied,
    };
    book.apply(cmd(1, 101, plus_h(t0, 4), Action::Rate { rating: bad }))
        .unwrap();
    book.apply(cmd(
        1,
        9,
        plus_h(t0, 5),
        Action::Reopen {
            reason: "not done".into(),
        },
    ))
    .unwrap();
    let o = book.order(1).unwrap();
    assert_eq!((o.state, o.rating), (OrderState::UnderReview, None));
    assert_eq!(o.records, vec![1], "earlier records stay linked");
    // Review clock restarts from the reopen.
    let b = &book.overdue(plus_h(t0, 29))[0];
    assert_eq!((b.clock, b.due), (Clock::Review, plus_h(t0, 29)));
}

#[test]
fn placement_errors_name_the_field() {
    let (mut book, _) = setup(Policy::default());
    let t0 = ts(T0);
    let e = book
        .place(NewOrder::new(1, 101, "karaoke", 100, t0))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "order 1.category: unknown category \"karaoke\""
    );
    let e = book
        .place(NewOrder::new(1, 101, "ecology", 7, t0))
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string().as_str()),
        (ErrorKind::NotFound, "order 1.unit: unknown unit 7")
    );
    let mut o = NewOrder::new(1, 101, "ecology", 100, t0);
    o.location = Some(zhiyuan::geo::LatLon {
        lat: 95.0,
        lon: 0.0,
    });
    assert_eq!(
        book.place(o).unwrap_err().field(),
        Some("order 1.location.lat")
    );
    let mut o = NewOrder::new(1, 101, "ecology", 100, t0);
    o.description_len = 2001;
    assert_eq!(
        book.place(o.clone()).unwrap_err().field(),
        Some("order 1.description_len")
    );
    o.description_len = 10;
    book.place(o.clone()).unwrap();
    book.place(o.clone()).unwrap(); // same body: no-op
    o.urgency = Urgency::Urgent;
    assert_eq!(book.place(o).unwrap_err().kind(), ErrorKind::Conflict);
    let e = book
        .apply(cmd(1, 9, plus_h(t0, -1), Action::StartReview))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "order 1.at: 2024-03-04T00:00:00Z is before the order's last event at 2024-03-04T01:00:00Z"
    );
    assert_eq!(
        book.apply(cmd(9, 9, t0, Action::StartReview))
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn policy_sections_validate_with_paths() {
    let e = Policy::from_json(r#"{"orders": {"sla": {"review_hours": 0}}}"#).unwrap_err();
    assert_eq!(e.to_string(), "orders.sla.review_hours: must be > 0");
    let e = Policy::from_json(r#"{"orders": {"sla_overrides": [{"category": "x"}]}}"#).unwrap_err();
    assert_eq!(
        e.to_string(),
        "orders.sla_overrides[0].category: unknown category"
    );
    let e = Policy::from_json(
        r#"{"orders": {"categories": [{"code": "a", "name": "A"}, {"code": "a", "name": "B"}]}}"#,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "orders.categories[1].code: duplicate category code"
    );
    let e = Policy::from_json(
        r#"{"dispatch": {"rank_by": ["skill", "skill", "load", "rating", "recent"]}}"#,
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("dispatch.rank_by"));
    // Dispatch skills must name categories of the orders menu.
    let e = Policy::from_json(r#"{"dispatch": {"category_skills": {"karaoke": ["sing"]}}}"#)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "dispatch.category_skills.karaoke: unknown category"
    );
    let e = Policy::from_json(r#"{"dispatch": {"radius_m": 0}}"#).unwrap_err();
    assert_eq!(e.to_string(), "dispatch.radius_m: must be within 1..=50000");
}

#[test]
fn nearest_rank_percentiles() {
    let v: Vec<i64> = (1..=20).collect();
    assert_eq!(nearest_rank(&v, 50), Some(10));
    assert_eq!(nearest_rank(&v, 90), Some(18));
    assert_eq!(nearest_rank(&[3, 9], 50), Some(3));
    assert_eq!(nearest_rank(&[3, 9], 90), Some(9));
    assert_eq!(nearest_rank(&[1, 2, 3], 100), Some(3));
}

#[test]
fn service_list_ranks_by_count_then_urgency_with_explicit_ties() {
    let (mut book, _) = setup(Policy::default());
    let t0 = ts(T0);
    let mut id = 0;
    let mut add = |book: &mut OrderBook, cat: &str, unit, groups: &[TargetGroup], u: Urgency| {
        id += 1;
        let mut o = NewOrder::new(id, 100 + id, cat, unit, t0);
        o.target_groups = groups.to_vec();
        o.urgency = u;
        book.place(o).unwrap();
    };
    use TargetGroup::*;
    for _ in 0..3 {
        add(
            &mut book,
            "medical_fitness",
            100,
            &[Elderly, Ill],
            Urgency::Normal,
        );
    }
    add(
        &mut book,
        "legal_services",
        11,
        &[Hardship],
        Urgency::Emergency,
    );
    add(
        &mut book,
        "legal_services",
        11,
        &[Hardship],
        Urgency::Normal,
    );
    add(&mut book, "ecology", 10, &[], Urgency::Normal);
    add(&mut book, "ecology", 10, &[], Urgency::Urgent);
    // A rejected order is not a need.
    add(&mut book, "ecology", 10, &[], Urgency::Emergency);
    book.apply(cmd(id, 9, t0, Action::StartReview)).unwrap();
    book.apply(cmd(
        id,
        9,
        t0,
        Action::Reject {
            reason: "dup".into(),
        },
    ))
    .unwrap();
    let list = book.service_list(t0, plus_h(t0, 1), None).unwrap();
    let got: Vec<(u64, &str, Option<TargetGroup>, u32)> = list
        .needs
        .iter()
        .map(|n| (n.unit, n.category.as_str(), n.group, n.orders))
        .collect();
    assert_eq!(
        got,
        vec![
            (100, "medical_fitness", Some(Elderly), 3),
            (100, "medical_fitness", Some(Ill), 3),
            (11, "legal_services", Some(Hardship), 2), // an emergency among them
            (10, "ecology", None, 2),
        ]
    );
    let titles: Vec<&str> = list.projects.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["医疗健身·老年人", "医疗健身·患病群众"]);
    let within = book.service_list(t0, plus_h(t0, 1), Some(10)).unwrap();
    assert_eq!(within.needs.len(), 3);
    assert_eq!(
        book.service_list(t0, t0, None).unwrap_err().field(),
        Some("to")
    );
}

#[test]
fn metrics_by_unit_equals_per_unit_queries_and_rollup() {
    let (mut book, mut ledger) = setup(Policy::default());
    let t0 = ts(T0);
    accepted(&mut book, 1, t0);
    accepted(&mut book, 2, plus_h(t0, 1));
    fulfil(&mut book, &mut ledger, 1, plus_h(t0, 6), 1);
    book.place(NewOrder::new(3, 103, "ecology", 11, t0))
        .unwrap();
    let period = Period::of(Grain::Month, t0, book.policy().offset());
    let table = book.metrics_by_unit(period);
    assert_eq!(table.len(), 4);
    for m in &table {
        assert_eq!(m, &book.metrics(m.unit, period).unwrap());
    }
    let own = [(100u64, 2i64), (11, 1)].into_iter().collect();
    let rolled = book.units().rollup(&own).unwrap();
    for m in &table {
        assert_eq!(i64::from(m.placed), rolled[&m.unit]);
    }
    let root = &table[0];
    assert_eq!(
        (root.accepted, root.fulfilled, root.completion_rate_bp),
        (2, 1, Some(5000))
    );
}

// ---------------------------------------------------------------------------
// Properties over random command sequences.

#[derive(Clone, Debug)]
enum Op {
    Place {
        id: u64,
        cat: usize,
        unit: usize,
        urgency: u8,
        wanted: Option<i64>,
        groups: u8,
    },
    Act {
        id: u64,
        actor: u8,
        action: Action,
    },
    Fulfil {
        id: u64,
        records: Vec<(u64, u8, bool)>,
    },
    Sweep,
    /// The natural next step for the order's state, so deep states are reached.
    Advance {
        id: u64,
        choice: u8,
    },
}

fn action() -> impl Strategy<Value = Action> {
    let assignee = prop_oneof![
        Just(Assignee::Team(5)),
        Just(Assignee::Team(99)),
        Just(Assignee::Volunteer(200)),
        Just(Assignee::Volunteer(101)),
        Just(Assignee::Open),
    ];
    let taker = || {
        prop_oneof![
            Just(Taker::Team(5)),
            Just(Taker::Volunteer(200)),
            Just(Taker::Volunteer(201)),
            Just(Taker::Volunteer(101)),
        ]
    };
    let reason = || prop_oneof![Just(String::new()), Just("r".to_owned())];
    let sat = prop_oneof![
        Just(Satisfaction::Satisfied),
        Just(Satisfaction::Basic),
        Just(Satisfaction::Dissatisfied)
    ];
    prop_oneof![
        3 => Just(Action::StartReview),
        1 => reason().prop_map(|reason| Action::Reject { reason }),
        3 => assignee.prop_map(|to| Action::Dispatch { to }),
        3 => taker().prop_map(|by| Action::Accept { by }),
        1 => (taker(), reason()).prop_map(|(by, reason)| Action::Decline { by, reason }),
        1 => reason().prop_map(|reason| Action::Withdraw { reason }),
        2 => (0u8..=6, sat).prop_map(|(score, satisfaction)| Action::Rate {
            rating: Rating { score, satisfaction }
        }),
        1 => reason().prop_map(|reason| Action::Reopen { reason }),
        1 => (prop_oneof![Just(Party::Requester), Just(Party::Centre)], reason())
            .prop_map(|(by, reason)| Action::Cancel { by, reason }),
        1 => Just(Action::Expire),
        1 => Just(Action::Close),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (1u64..=3, 0usize..3, 0usize..4, 0u8..3, proptest::option::of(0i64..200), 0u8..32)
            .prop_map(|(id, cat, unit, urgency, wanted, groups)| Op::Place { id, cat, unit, urgency, wanted, groups }),
        10 => (1u64..=3, 0u8..4, action()).prop_map(|(id, actor, action)| Op::Act { id, actor, action }),
        3 => (1u64..=3, proptest::collection::vec((1u64..=12, 0u8..3, proptest::bool::weighted(0.9)), 0..3))
            .prop_map(|(id, records)| Op::Fulfil { id, records }),
        1 => Just(Op::Sweep),
        10 => (1u64..=3, 0u8..4).prop_map(|(id, choice)| Op::Advance { id, choice }),
    ]
}

/// The machine of domain-rules §6.3, written out independently.
fn allowed(from: OrderState, action: &str, to: OrderState) -> bool {
    use OrderState::*;
    let open = from.is_open();
    match action {
        "start_review" => from == Placed && to == UnderReview,
        "reject" => from == UnderReview && to == Rejected,
        "dispatch" => from == UnderReview && to == Dispatched,
        "accept" => from == Dispatched && to == Accepted,
        "decline" => from == Dispatched && to == UnderReview,
        "withdraw" => matches!(from, Dispatched | Accepted) && to == UnderReview,
        "fulfil" => from == Accepted && to == Fulfilled,
        "rate" => from == Fulfilled && to == Rated,
        "reopen" => from == Rated && to == UnderReview,
        "cancel" => open && to == Cancelled,
        "expire" => open && to == Expired,
        "close" => matches!(from, Fulfilled | Rated) && to == Closed,
        _ => false,
    }
}

const CATS: [&str; 3] = ["medical_fitness", "legal_services", "ecology"];
const UNITS: [u64; 4] = [1, 10, 11, 100];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_commands_follow_the_machine_and_keep_records_and_metrics_consistent(
        ops in proptest::collection::vec((op(), prop_oneof![30 => 0i64..3, 2 => -2i64..0, 1 => 24i64..200]), 1..80)
    ) {
        let (mut book, mut ledger) = setup(Policy::default());
        let mut now = ts(T0);
        let mut next_record = 1000;
        for (op, dh) in ops {
            now = plus_h(now, dh);
            let before = (book.clone(), ledger.clone());
            match op {
                Op::Place { id, cat, unit, urgency, wanted, groups } => {
                    let mut o = NewOrder::new(id, 100 + id, CATS[cat], UNITS[unit], now);
                    o.urgency = [Urgency::Normal, Urgency::Urgent, Urgency::Emergency][urgency as usize];
                    o.wanted_by = wanted.map(|h| plus_h(now, h));
                    o.target_groups = [TargetGroup::Elderly, TargetGroup::Child, TargetGroup::Disabled,
                        TargetGroup::Hardship, TargetGroup::Ill]
                        .into_iter().enumerate().filter(|(i, _)| groups & (1 << i) != 0).map(|(_, g)| g).collect();
                    let existed = book.order(id).is_ok();
                    match book.place(o) {
                        Ok(placed) => prop_assert!(existed || placed.state == OrderState::Placed),
                        Err(_) => prop_assert_eq!(&(book.clone(), ledger.clone()), &before),
                    }
                }
                Op::Act { id, actor, action } => {
                    let actor = [100 + id, 9, 200, 0][actor as usize];
                    let name = action.name();
                    let from = book.order(id).map(|o| o.state).ok();
                    match book.apply(Command { order: id, actor, at: now, action }) {
                        Ok(o) => prop_assert!(allowed(from.unwrap(), name, o.state),
                            "{:?} --{}--> {:?}", from, name, o.state),
                        Err(_) => prop_assert_eq!(&(book.clone(), ledger.clone()), &before),
                    }
                }
                Op::Fulfil { id, records } => {
                    let rs: Vec<ServiceRecord> = records.iter().map(|&(rid, who, good)| {
                        let mut r = record(rid, [200, 201, 100 + id][who as usize], now);
                        if !good { r.end = r.start; }
                        r
                    }).collect();
                    let from = book.order(id).map(|o| o.state).ok();
                    match book.fulfil(&mut ledger, Fulfilment { order: id, actor: 50, at: now, records: rs, report_len: 1 }) {
                        Ok(o) => prop_assert!(allowed(from.unwrap(), "fulfil", o.state)),
                        Err(_) => prop_assert_eq!(&(book.clone(), ledger.clone()), &before),
                    }
                }
                Op::Advance { id, choice } => {
                    let Ok(o) = book.order(id) else { continue };
                    let from = o.state;
                    let requester = o.placed.requester;
                    let to = o.rounds.last().map(|r| r.to);
                    let action = match from {
                        OrderState::Placed => Action::StartReview,
                        OrderState::UnderReview => Action::Dispatch {
                            to: [Assignee::Team(5), Assignee::Open, Assignee::Volunteer(200), Assignee::Volunteer(201)][choice as usize],
                        },
                        OrderState::Dispatched => Action::Accept {
                            by: match to {
                                Some(Assignee::Team(t)) => Taker::Team(t),
                                Some(Assignee::Volunteer(v)) => Taker::Volunteer(v),
                                _ => [Taker::Team(5), Taker::Volunteer(201)][choice as usize % 2],
                            },
                        },
                        OrderState::Accepted => {
                            next_record += 1;
                            let r = record(next_record, 200 + u64::from(choice % 2), now);
                            let res = book.fulfil(&mut ledger, Fulfilment { order: id, actor: 50, at: now, records: vec![r], report_len: 1 });
                            match res {
                                Ok(o) => prop_assert_eq!(o.state, OrderState::Fulfilled),
                                Err(_) => prop_assert_eq!(&(book.clone(), ledger.clone()), &before),
                            }
                            continue;
                        }
                        OrderState::Fulfilled => Action::Rate {
                            rating: Rating { score: 1 + choice, satisfaction: [Satisfaction::Satisfied, Satisfaction::Basic, Satisfaction::Dissatisfied, Satisfaction::Dissatisfied][choice as usize] },
                        },
                        OrderState::Rated if choice < 2 => Action::Close,
                        OrderState::Rated => Action::Reopen { reason: "again".into() },
                        _ => continue,
                    };
                    let name = action.name();
                    match book.apply(Command { order: id, actor: if name == "rate" { requester } else { 9 }, at: now, action }) {
                        Ok(o) => prop_assert!(allowed(from, name, o.state)),
                        Err(_) => prop_assert_eq!(&(book.clone(), ledger.clone()), &before),
                    }
                }
                Op::Sweep => {
                    let states: Vec<_> = book.orders().map(|o| (o.id(), o.state)).collect();
                    for e in book.sweep(0, now) {
                        let from = states.iter().find(|s| s.0 == e.order).unwrap().1;
                        let to = book.order(e.order).unwrap().state;
                        let name = if to == OrderState::Expired { "expire" } else { "close" };
                        prop_assert!(allowed(from, name, to));
                    }
                }
            }
            // The saved form replays to the same book (orders, logs,
            // record links, metric facts).
            let back = OrderBook::restore(&book.snapshot());
            prop_assert_eq!(back.as_ref().ok(), Some(&book));
            // Structural invariants of every order.
            for o in book.orders() {
                match o.state {
                    OrderState::Closed => prop_assert!(o.outcome.is_some()),
                    OrderState::Rated => prop_assert!(o.rating.is_some()),
                    OrderState::Accepted => prop_assert!(o.taker.is_some()),
                    _ => {}
                }
                if matches!(o.state, OrderState::Fulfilled | OrderState::Rated | OrderState::Closed) {
                    prop_assert!(!o.records.is_empty());
                }
                prop_assert_eq!(o.redispatch_count as usize, o.rounds.len().saturating_sub(1));
            }
        }
        // Every fulfilled order's records are in the ledger, linked back ...
        for o in book.orders() {
            for r in &o.records {
                prop_assert!(ledger.record(*r).is_ok());
                prop_assert_eq!(book.order_of_record(*r), Some(o.id()));
            }
        }
        // ... and every ledger record belongs to the order that lists it.
        for rs in ledger.records() {
            let id = rs.record.id;
            let owner = book.order_of_record(id);
            prop_assert!(owner.is_some(), "record {} has no order", id);
            prop_assert!(book.order(owner.unwrap()).unwrap().records.contains(&id));
        }
        // Incremental metrics equal metrics recomputed from the raw events,
        // even with the event log shuffled.
        let mut events = book.events();
        events.reverse();
        let offset = book.policy().offset();
        for grain in [Grain::Day, Grain::Week, Grain::Month] {
            let period = Period::of(grain, ts(T0), offset);
            for unit in UNITS {
                let inc = book.metrics(unit, period).unwrap();
                let raw = metrics_from_events(book.policy(), book.units(), &events, unit, period).unwrap();
                prop_assert_eq!(inc, raw);
            }
        }
    }
}
