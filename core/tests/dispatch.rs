//! Dispatch candidates in the ten-minute circle.

use proptest::prelude::*;
use zhiyuan::dispatch::*;
use zhiyuan::geo::{LatLon, distance_m};
use zhiyuan::orders::{NewOrder, OrderBook, Taker, Urgency};
use zhiyuan::time::Timestamp;
use zhiyuan::units::{Unit, UnitTree};
use zhiyuan::{ErrorKind, Policy};

fn home() -> LatLon {
    LatLon::new(34.3, 117.95).unwrap()
}

fn now() -> Timestamp {
    "2024-03-04T00:00:00Z".parse().unwrap()
}

fn query(category: &str, urgency: Urgency) -> DispatchQuery {
    DispatchQuery {
        order: 1,
        requester: 100,
        category: category.into(),
        urgency,
        location: home(),
    }
}

fn vol(id: u64, m: f64, skills: &[&str]) -> Candidate {
    Candidate::new(Taker::Volunteer(id), home().north(m), skills)
}

#[test]
fn candidates_at_799_and_801_metres_with_radius_800() {
    let p = Policy::default();
    let pool = CandidatePool::new(vec![
        vol(1, 801.0, &["legal"]),
        vol(2, 799.0, &["legal"]),
        vol(3, 800.0, &[]),
    ])
    .unwrap();
    let r = pool
        .rank(&p, &query("legal_services", Urgency::Normal), now(), None)
        .unwrap();
    let got: Vec<(Taker, u32)> = r.candidates.iter().map(|c| (c.who, c.distance_m)).collect();
    assert_eq!(
        got,
        vec![(Taker::Volunteer(2), 799), (Taker::Volunteer(3), 800)]
    );
    assert_eq!(r.in_circle, 2);
    assert_eq!(
        r.candidates[0].reasons[0],
        Reason {
            rule: "within_circle".into(),
            actual: Some(799),
            required: Some(800)
        }
    );
    // A 801 m radius takes the third one in.
    let wide = Policy::from_json(r#"{"dispatch": {"radius_m": 801}}"#).unwrap();
    assert_eq!(
        pool.rank(
            &wide,
            &query("legal_services", Urgency::Normal),
            now(),
            None
        )
        .unwrap()
        .in_circle,
        3
    );
}

#[test]
fn ranking_follows_the_declared_criteria_and_ties() {
    let p = Policy::default();
    let day = 86_400_000_000i64;
    let mut a = vol(1, 100.0, &["medical"]); // skill 1, load 0, unrated (3000)
    let mut b = vol(2, 300.0, &["medical", "psychological"]); // skill 2
    b.open_orders = 2;
    let mut c = vol(3, 50.0, &["medical"]); // skill 1, load 0, rating 4.5
    c.rating_sum = 9;
    c.rating_count = 2;
    let mut d = Candidate::new(Taker::Team(7), home().north(100.0), &["medical"]); // ties a, team first
    d.last_active = Some(Timestamp::from_micros(now().as_micros() - 3 * day).unwrap());
    let mut e = vol(5, 10.0, &["medical", "psychological", "fitness"]);
    e.open_orders = 3; // at the limit: left out
    let requester = vol(100, 5.0, &["medical", "psychological", "fitness"]);
    let f = vol(6, 100.0, &["medical"]); // same as a but higher id
    let pool = CandidatePool::new(vec![a.clone(), b, c, d, e, requester, f]).unwrap();
    let r = pool
        .rank(&p, &query("medical_fitness", Urgency::Normal), now(), None)
        .unwrap();
    let order: Vec<Taker> = r.candidates.iter().map(|c| c.who).collect();
    assert_eq!(
        order,
        vec![
            Taker::Volunteer(2),
            Taker::Volunteer(3),
            Taker::Team(7), // recently active beats a and f
            Taker::Volunteer(1),
            Taker::Volunteer(6),
        ]
    );
    assert_eq!((r.in_circle, r.overloaded), (6, 1));
    assert_eq!(r.candidates[1].rating_milli, 4500);
    let team = &r.candidates[2];
    assert!(team.recently_active);
    assert_eq!(
        team.reasons[4],
        Reason {
            rule: "recent_activity".into(),
            actual: Some(3),
            required: Some(30)
        }
    );
    assert_eq!(r.wanted_skills, ["fitness", "medical", "psychological"]);
    // Emergency orders also want the emergency skill.
    a.skills.push("emergency".into());
    let pool = CandidatePool::new(vec![a, vol(9, 1.0, &["medical"])]).unwrap();
    let r = pool
        .rank(
            &p,
            &query("medical_fitness", Urgency::Emergency),
            now(),
            Some(1),
        )
        .unwrap();
    assert_eq!(r.candidates.len(), 1);
    assert_eq!(r.candidates[0].skill_matches, ["emergency", "medical"]);
    // Distance first when the policy says so.
    let near = Policy::from_json(
        r#"{"dispatch": {"rank_by": ["distance", "skill", "load", "rating", "recent"]}}"#,
    )
    .unwrap();
    let r = pool
        .rank(
            &near,
            &query("medical_fitness", Urgency::Emergency),
            now(),
            None,
        )
        .unwrap();
    assert_eq!(r.candidates[0].who, Taker::Volunteer(9));
}

#[test]
fn bad_candidates_and_queries_name_the_field() {
    let mut bad = vol(1, 0.0, &[]);
    bad.location.lat = 91.0;
    let e = CandidatePool::new(vec![vol(2, 0.0, &[]), bad]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "candidates[1].location.lat: 91 is not a latitude in -90..=90"
    );
    let e = CandidatePool::new(vec![vol(2, 0.0, &[]), vol(2, 5.0, &[])]).unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string().as_str()),
        (
            ErrorKind::Conflict,
            "candidates[1].who: volunteer 2 is listed twice"
        )
    );
    let mut r = vol(3, 0.0, &[]);
    r.rating_count = 1;
    r.rating_sum = 6;
    assert_eq!(
        CandidatePool::new(vec![r]).unwrap_err().field(),
        Some("candidates[0].rating_sum")
    );
    let pool = CandidatePool::new(vec![]).unwrap();
    let e = pool
        .rank(
            &Policy::default(),
            &query("karaoke", Urgency::Normal),
            now(),
            None,
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "order 1.category: unknown category \"karaoke\""
    );
    // An order without a location cannot be dispatched by distance.
    let units = UnitTree::new(vec![Unit::new(1, None, "站", "station")], vec![]).unwrap();
    let mut book = OrderBook::new(Policy::default(), units);
    book.place(NewOrder::new(4, 100, "ecology", 1, now()))
        .unwrap();
    let e = DispatchQuery::for_order(book.order(4).unwrap()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "order 4.location: needed to find candidates in the circle"
    );
}

/// north m, east m, skills bitmask, open orders, rating count, rating offset, days since active.
type Raw = (f64, f64, u8, u32, u32, u8, Option<u8>);

fn candidate() -> impl Strategy<Value = Raw> {
    (
        -1500.0f64..1500.0,
        -1500.0f64..1500.0,
        0u8..8,                        // skills bitmask
        0u32..4,                       // open orders
        0u32..4,                       // rating count
        0u8..5,                        // rating offset
        proptest::option::of(0u8..60), // days since active
    )
}

fn build(raw: &[Raw]) -> Vec<Candidate> {
    let names = ["medical", "psychological", "emergency"];
    raw.iter()
        .enumerate()
        .map(|(i, &(n, e, skills, open, count, off, days))| {
            let who = if i % 5 == 0 {
                Taker::Team(i as u64)
            } else {
                Taker::Volunteer(i as u64)
            };
            let s: Vec<&str> = names
                .iter()
                .enumerate()
                .filter(|(k, _)| skills & (1 << k) != 0)
                .map(|(_, s)| *s)
                .collect();
            let mut c = Candidate::new(who, home().north(n).east(e), &s);
            c.open_orders = open;
            c.rating_count = count;
            c.rating_sum = count * (1 + u32::from(off % 5)).min(5);
            c.last_active = days.map(|d| {
                Timestamp::from_micros(now().as_micros() - i64::from(d) * 86_400_000_000).unwrap()
            });
            c
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn index_equals_full_scan_and_ignores_input_order(
        raw in proptest::collection::vec(candidate(), 0..120),
        radius in 50u32..1500,
        cell in prop_oneof![Just(800u32), 100u32..3000],
        emergency in any::<bool>(),
        limit in proptest::option::of(1u32..30),
    ) {
        let policy = Policy::from_json(&format!(r#"{{"dispatch": {{"radius_m": {radius}}}}}"#)).unwrap();
        let cands = build(&raw);
        let mut q = query("medical_fitness", if emergency { Urgency::Emergency } else { Urgency::Normal });
        q.requester = 1_000_000;
        let pool = CandidatePool::with_cell(cands.clone(), cell).unwrap();
        let fast = pool.rank(&policy, &q, now(), limit).unwrap();
        let slow = rank_scan(&policy, &cands, &q, now(), limit).unwrap();
        prop_assert_eq!(&fast, &slow);
        let mut rev = cands.clone();
        rev.reverse();
        let again = CandidatePool::with_cell(rev, cell).unwrap().rank(&policy, &q, now(), limit).unwrap();
        prop_assert_eq!(&fast, &again);
        // Everything returned is inside the circle, ranks are 1..=n, and the
        // in-circle count matches a direct count.
        let inside = cands.iter().filter(|c| distance_m(q.location, c.location) <= radius).count();
        prop_assert_eq!(fast.in_circle as usize, inside);
        for (i, c) in fast.candidates.iter().enumerate() {
            prop_assert!(c.distance_m <= radius);
            prop_assert_eq!(c.rank as usize, i + 1);
        }
    }
}
