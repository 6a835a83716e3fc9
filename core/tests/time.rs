//! Calendar arithmetic against independent definitions.

use proptest::prelude::*;
use zhiyuan::ErrorKind;
use zhiyuan::time::{Calendar, Grain, LocalDate, Period, Timestamp, UtcOffset, Weekday};

#[test]
fn rfc3339_parsing_normalises_offsets_and_rejects_naive_times() {
    let a: Timestamp = "2024-03-04T08:00:00+08:00".parse().unwrap();
    let b: Timestamp = "2024-03-04T00:00:00Z".parse().unwrap();
    assert_eq!(a, b);
    assert_eq!(a.to_string(), "2024-03-04T00:00:00Z");
    let frac: Timestamp = "2024-03-04T00:00:00.123456789Z".parse().unwrap();
    assert_eq!(frac.to_string(), "2024-03-04T00:00:00.123456Z");
    let e = "2024-03-04T08:00:00".parse::<Timestamp>().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        e.to_string().contains("naive datetimes are rejected"),
        "{e}"
    );
    assert!("2024-02-30T00:00:00Z".parse::<Timestamp>().is_err());
    assert!("0001-01-01T00:00:00Z".parse::<Timestamp>().is_ok());
    assert!("9999-12-31T23:59:59Z".parse::<Timestamp>().is_ok());
    assert!(Timestamp::from_micros(Timestamp::MIN.as_micros() - 1).is_err());
}

#[test]
fn periods_print_and_parse() {
    for s in ["2024-03-04", "2024-W10", "2020-W53", "2024-03", "2024"] {
        assert_eq!(s.parse::<Period>().unwrap().to_string(), s);
    }
    assert!("2021-W53".parse::<Period>().is_err());
    assert_eq!(
        "2024-W01"
            .parse::<Period>()
            .unwrap()
            .first_day()
            .to_string(),
        "2024-01-01"
    );
    assert_eq!(
        "2026-W01"
            .parse::<Period>()
            .unwrap()
            .first_day()
            .to_string(),
        "2025-12-29"
    );
}

#[test]
fn ages_and_months() {
    let birth = LocalDate::new(2000, 2, 29).unwrap();
    assert_eq!(LocalDate::new(2018, 2, 28).unwrap().years_since(birth), 17);
    assert_eq!(LocalDate::new(2018, 3, 1).unwrap().years_since(birth), 18);
    let reg = LocalDate::new(2024, 1, 31).unwrap();
    assert_eq!(LocalDate::new(2024, 2, 29).unwrap().months_since(reg), 1);
    assert_eq!(LocalDate::new(2024, 2, 28).unwrap().months_since(reg), 0);
    assert_eq!(LocalDate::new(2024, 7, 31).unwrap().months_since(reg), 6);
    assert_eq!(LocalDate::new(2024, 7, 30).unwrap().months_since(reg), 5);
}

fn date() -> impl Strategy<Value = LocalDate> {
    (1i32..=9999, 1u32..=12, 1u32..=31)
        .prop_filter_map("valid date", |(y, m, d)| LocalDate::new(y, m, d).ok())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn day_numbers_round_trip_and_step_by_one(d in date()) {
        prop_assert_eq!(LocalDate::from_days(d.days()), d);
        if let Some(next) = d.checked_add_days(1) {
            prop_assert!(next > d);
            prop_assert_eq!(next.days(), d.days() + 1);
        }
        let s = d.to_string();
        prop_assert_eq!(s.parse::<LocalDate>().unwrap(), d);
    }

    #[test]
    fn iso_weeks_start_on_monday_and_hold_seven_days(d in date()) {
        let (y, w) = d.iso_week();
        let p = Period::Week { year: y, week: w };
        let monday = p.first_day();
        prop_assert_eq!(monday.weekday(), Weekday::Monday);
        prop_assert!(monday <= d && d.days() - monday.days() < 7);
        // Week 1 contains 4 January.
        let jan4 = LocalDate::new(y, 1, 4).unwrap();
        prop_assert_eq!(jan4.iso_week(), (y, 1));
    }

    #[test]
    fn instants_fall_inside_the_bounds_of_their_periods(us in -62_000_000_000_000_000i64..253_000_000_000_000_000, off in -1080i32..=1080) {
        let t = Timestamp::from_micros(us).unwrap();
        let offset = UtcOffset::from_minutes(off).unwrap();
        for g in [Grain::Day, Grain::Week, Grain::Month, Grain::Year] {
            let p = Period::of(g, t, offset);
            let (from, to) = p.bounds(offset);
            // Bounds clamp at the ends of representable time.
            prop_assert!(from <= t && (t < to || to == Timestamp::MAX), "{} not in {} ({} .. {})", t, p, from, to);
        }
    }

    #[test]
    fn working_day_arithmetic_counts_exactly_n_working_days(d in date(), n in 0u32..40, hol in prop::collection::vec(0i32..60, 0..10), make in prop::collection::vec(0i32..60, 0..4)) {
        prop_assume!(d.year() < 9999);
        let hols: Vec<_> = hol.iter().filter_map(|&k| d.checked_add_days(k)).collect();
        let makes: Vec<_> = make.iter().filter_map(|&k| d.checked_add_days(k)).filter(|m| !hols.contains(m)).collect();
        let cal = Calendar::new(UtcOffset::CST, hols, makes);
        let due = cal.add_working_days(d, n);
        let mut count = 0;
        let mut day = d;
        while day < due {
            day = day.checked_add_days(1).unwrap();
            if cal.is_working_day(day) { count += 1; }
        }
        prop_assert_eq!(count, n);
        prop_assert!(n == 0 || cal.is_working_day(due));
    }
}

#[test]
fn a_multibyte_character_at_byte_19_is_an_error_not_a_panic() {
    // Found by the capi_json fuzz target (a panic inside the error path).
    for s in [
        "2024-09-26T15:59:5东山街道实践所",
        "2024-09-26T15:59:东",
        "2024-09-26T15:59:00东",
    ] {
        let e = s.parse::<Timestamp>().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{s}");
        assert!(e.to_string().starts_with("timestamp: "), "{e}");
    }
}
