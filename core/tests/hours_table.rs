//! Batch kernels over record columns: equal to naive models and to the
//! ledger, independent of row order, thread count and partitioning.

use proptest::prelude::*;
use std::collections::BTreeMap;
use zhiyuan::hours::{RecordKind, RecordStatus, ServiceRecord};
use zhiyuan::hours_table::{
    HoursByPeriod, Overlaps, RecordColumns, RecordTable, UnitMinutes, find_overlaps,
    hours_by_period, merge_hours_by_period, merge_unit_minutes, unit_minutes,
};
use zhiyuan::labels::{Codes, Labels};
use zhiyuan::ledger::{GroupBy, HoursLedger};
use zhiyuan::threads::Threads;
use zhiyuan::time::{Grain, MICROS_PER_MINUTE, Period, Timestamp};
use zhiyuan::units::{Unit, UnitTree};
use zhiyuan::{ErrorKind, Policy};

const GRAINS: [Grain; 4] = [Grain::Day, Grain::Week, Grain::Month, Grain::Year];
/// 2024-01-01T00:00:00Z.
const T0: i64 = 1_704_067_200_000_000;

fn policy(offset_minutes: i32) -> Policy {
    Policy::from_json(&format!(
        r#"{{"calendar": {{"utc_offset_minutes": {offset_minutes}}}}}"#
    ))
    .unwrap()
}

fn threads(n: usize) -> Threads {
    Threads::exactly(n).unwrap()
}

/// The naive model of `hours_by_period`: calendar objects and a BTreeMap.
fn naive_hours(p: &Policy, t: &RecordTable, grain: Grain) -> HoursByPeriod {
    let mut acc: BTreeMap<(u64, i64), i64> = BTreeMap::new();
    for r in 0..t.volunteer.len() {
        let approved = t
            .status
            .as_ref()
            .is_none_or(|s| s[r] == RecordStatus::Approved);
        let service = t.kind.as_ref().is_none_or(|k| k[r] == RecordKind::Service);
        if approved && service {
            let start = Timestamp::from_micros(t.start[r]).unwrap();
            let period = Period::of(grain, start, p.offset());
            let opens = period.bounds(p.offset()).0.as_micros();
            *acc.entry((t.volunteer[r], opens)).or_default() +=
                (t.end[r] - t.start[r]) / MICROS_PER_MINUTE;
        }
    }
    let mut out = HoursByPeriod::default();
    for ((v, s), m) in acc {
        out.volunteer.push(v);
        out.period_start.push(s);
        out.minutes.push(m);
    }
    out
}

/// The naive model of `find_overlaps`: for each row, scan every earlier row.
fn naive_overlaps(t: &RecordTable) -> Overlaps {
    let mut by_vol: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for r in 0..t.id.len() {
        let live = t.status.as_ref().is_none_or(|s| s[r].is_live());
        if live && t.start[r] < t.end[r] {
            by_vol.entry(t.volunteer[r]).or_default().push(r);
        }
    }
    let mut out = Overlaps::default();
    for (v, mut rows) in by_vol {
        rows.sort_by_key(|&r| (t.start[r], t.id[r]));
        for (i, &r) in rows.iter().enumerate() {
            let earlier = &rows[..i];
            let Some(max_end) = earlier.iter().map(|&e| t.end[e]).max() else {
                continue;
            };
            if t.start[r] < max_end {
                let partner = earlier.iter().find(|&&e| t.end[e] == max_end).unwrap();
                out.volunteer.push(v);
                out.id.push(t.id[r]);
                out.overlaps.push(t.id[*partner]);
            }
        }
    }
    out
}

fn tree() -> UnitTree {
    UnitTree::new(
        vec![
            Unit::new(1, None, "centre", "county"),
            Unit::new(2, Some(1), "a", "town"),
            Unit::new(3, Some(1), "b", "town"),
            Unit::new(4, Some(2), "c", "village"),
            Unit::new(9, None, "other", "county"),
        ],
        vec![],
    )
    .unwrap()
}

fn naive_units(units: &UnitTree, t: &RecordTable) -> UnitMinutes {
    let mut own: BTreeMap<u64, i64> = units.units().iter().map(|u| (u.id, 0)).collect();
    for r in 0..t.unit.len() {
        let approved = t
            .status
            .as_ref()
            .is_none_or(|s| s[r] == RecordStatus::Approved);
        let service = t.kind.as_ref().is_none_or(|k| k[r] == RecordKind::Service);
        if approved && service {
            *own.get_mut(&t.unit[r]).unwrap() += (t.end[r] - t.start[r]) / MICROS_PER_MINUTE;
        }
    }
    let total = units.rollup(&own).unwrap();
    UnitMinutes {
        unit: own.keys().copied().collect(),
        own_minutes: own.values().copied().collect(),
        total_minutes: total.values().copied().collect(),
    }
}

fn pick<T: Clone>(
    t: &RecordTable,
    rows: &[usize],
    col: impl Fn(&RecordTable) -> &Vec<T>,
) -> Vec<T> {
    rows.iter().map(|&r| col(t)[r].clone()).collect()
}

/// The rows `rows` of `t`, in that order.
fn subset(t: &RecordTable, rows: &[usize]) -> RecordTable {
    RecordTable {
        id: pick(t, rows, |t| &t.id),
        volunteer: pick(t, rows, |t| &t.volunteer),
        unit: pick(t, rows, |t| &t.unit),
        start: pick(t, rows, |t| &t.start),
        end: pick(t, rows, |t| &t.end),
        status: t
            .status
            .as_ref()
            .map(|s| rows.iter().map(|&r| s[r]).collect()),
        kind: t
            .kind
            .as_ref()
            .map(|k| rows.iter().map(|&r| k[r]).collect()),
    }
}

const STATUSES: [RecordStatus; 4] = [
    RecordStatus::Submitted,
    RecordStatus::Approved,
    RecordStatus::Rejected,
    RecordStatus::Revoked,
];

/// Random records: few volunteers and a narrow time window so that
/// periods, overlaps and ties are common. Ids are unique.
fn table() -> impl Strategy<Value = RecordTable> {
    let row = (
        0u64..6,
        prop::sample::select(vec![1u64, 2, 3, 4, 9]),
        // Start within ~2 years, on a coarse grid so ties happen.
        0i64..(2 * 366 * 24 * 4),
        // Length: zero, seconds, up to a few days.
        prop_oneof![Just(0i64), 0i64..600, 0i64..(3 * 24 * 3600)],
        0usize..4,
        any::<bool>(),
    );
    (
        prop::collection::vec(row, 0..60),
        any::<bool>(),
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(|(rows, with_status, with_kind, id_salt)| {
            let mut t = RecordTable::default();
            for (i, (v, u, q, len_s, st, training)) in rows.into_iter().enumerate() {
                t.id.push((i as u64).wrapping_mul(2_654_435_761) ^ (id_salt >> 40));
                t.volunteer.push(v * 1_000 + 3);
                t.unit.push(u);
                let start = T0 + q * 15 * 60 * 1_000_000;
                t.start.push(start);
                t.end.push(start + len_s * 1_000_000);
                if with_status {
                    t.status.get_or_insert_with(Vec::new).push(STATUSES[st]);
                }
                if with_kind {
                    t.kind.get_or_insert_with(Vec::new).push(if training {
                        RecordKind::Training
                    } else {
                        RecordKind::Service
                    });
                }
            }
            t
        })
}

/// Runs `f` on `idx` as codes of one of the eight Arrow key widths.
fn with_codes<R>(idx: &[usize], width: usize, f: impl FnOnce(Codes<'_>) -> R) -> R {
    macro_rules! as_width {
        ($t:ty, $v:ident) => {{
            let c: Vec<$t> = idx.iter().map(|&i| <$t>::try_from(i).unwrap()).collect();
            f(Codes::$v(&c))
        }};
    }
    match width % 8 {
        0 => as_width!(i8, I8),
        1 => as_width!(i16, I16),
        2 => as_width!(i32, I32),
        3 => as_width!(i64, I64),
        4 => as_width!(u8, U8),
        5 => as_width!(u16, U16),
        6 => as_width!(u32, U32),
        _ => as_width!(u64, U64),
    }
}

/// Codes of `values` into `table`: each row picks, by `salt`, one of the
/// entries equal to its value (a dictionary may repeat an entry).
fn encode<T: PartialEq>(values: &[T], table: &[T], salt: u64) -> Vec<usize> {
    values
        .iter()
        .enumerate()
        .map(|(r, v)| {
            let hits: Vec<usize> = (0..table.len()).filter(|&i| table[i] == *v).collect();
            hits[(salt.rotate_left(r as u32 % 64) as usize) % hits.len()]
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn hours_by_period_equals_the_naive_model(
        t in table(),
        grain in prop::sample::select(GRAINS.to_vec()),
        offset in prop::sample::select(vec![480, 0, -300, 345, -1080, 1080]),
    ) {
        let p = policy(offset);
        let want = naive_hours(&p, &t, grain);
        for n in [1, 2, 3] {
            let got = hours_by_period(&p, &t.columns(), grain, threads(n)).unwrap();
            prop_assert_eq!(&got, &want);
        }
    }

    #[test]
    fn hours_by_period_ignores_row_order_and_merges_partitions(
        t in table(),
        perm_seed in any::<u64>(),
        cut in prop::collection::vec(0usize..3, 0..60),
    ) {
        let p = Policy::default();
        let whole = hours_by_period(&p, &t.columns(), Grain::Week, Threads::Global).unwrap();
        let mut rows: Vec<usize> = (0..t.id.len()).collect();
        shuffle(&mut rows, perm_seed);
        let shuffled = subset(&t, &rows);
        prop_assert_eq!(
            &hours_by_period(&p, &shuffled.columns(), Grain::Week, threads(2)).unwrap(),
            &whole
        );
        let parts: Vec<HoursByPeriod> = (0..3)
            .map(|k| {
                let rows: Vec<usize> =
                    (0..t.id.len()).filter(|&r| cut.get(r).copied().unwrap_or(0) == k).collect();
                hours_by_period(&p, &subset(&t, &rows).columns(), Grain::Week, threads(1)).unwrap()
            })
            .collect();
        prop_assert_eq!(&merge_hours_by_period(&parts).unwrap(), &whole);
    }

    #[test]
    fn unit_minutes_equal_the_naive_model_and_merge(
        t in table(),
        cut in prop::collection::vec(0usize..3, 0..60),
    ) {
        let units = tree();
        let want = naive_units(&units, &t);
        for n in [1, 2, 3] {
            prop_assert_eq!(&unit_minutes(&units, &t.columns(), threads(n)).unwrap(), &want);
        }
        let parts: Vec<UnitMinutes> = (0..3)
            .map(|k| {
                let rows: Vec<usize> =
                    (0..t.id.len()).filter(|&r| cut.get(r).copied().unwrap_or(0) == k).collect();
                unit_minutes(&units, &subset(&t, &rows).columns(), Threads::Global).unwrap()
            })
            .collect();
        prop_assert_eq!(&merge_unit_minutes(&units, &parts).unwrap(), &want);
    }

    #[test]
    fn dictionary_codes_count_like_the_values_they_stand_for(
        t in table(),
        status_table in prop::collection::vec(0usize..4, 0..6),
        kind_table in prop::collection::vec(any::<bool>(), 0..4),
        widths in (0usize..8, 0usize..8),
        salt in any::<u64>(),
    ) {
        // Every label present (in a random order, with repeats and entries
        // no row uses), as a producer's dictionary may be.
        let mut st: Vec<RecordStatus> = status_table.iter().map(|&i| STATUSES[i]).collect();
        st.extend(STATUSES);
        st.rotate_left(status_table.len() / 2);
        let mut kt: Vec<RecordKind> = kind_table
            .iter()
            .map(|&b| if b { RecordKind::Training } else { RecordKind::Service })
            .collect();
        kt.extend(RecordKind::BY_CODE);
        let units = tree();
        let p = Policy::default();
        let want = (
            hours_by_period(&p, &t.columns(), Grain::Week, threads(2)).unwrap(),
            unit_minutes(&units, &t.columns(), threads(2)).unwrap(),
            find_overlaps(&t.columns(), threads(2)).unwrap(),
        );
        let s_idx = t.status.as_deref().map(|v| encode(v, &st, salt));
        let k_idx = t.kind.as_deref().map(|v| encode(v, &kt, !salt));
        let got = with_codes(s_idx.as_deref().unwrap_or(&[]), widths.0, |sc| {
            with_codes(k_idx.as_deref().unwrap_or(&[]), widths.1, |kc| {
                let mut c = t.columns();
                c.status = s_idx.as_ref().map(|_| Labels::Coded { codes: sc, labels: &st });
                c.kind = k_idx.as_ref().map(|_| Labels::Coded { codes: kc, labels: &kt });
                (
                    hours_by_period(&p, &c, Grain::Week, threads(1)).unwrap(),
                    unit_minutes(&units, &c, threads(3)).unwrap(),
                    find_overlaps(&c, threads(2)).unwrap(),
                )
            })
        });
        prop_assert_eq!(got, want);
    }

    #[test]
    fn overlaps_equal_the_naive_model_in_any_order(t in table(), perm_seed in any::<u64>()) {
        let want = naive_overlaps(&t);
        let mut rows: Vec<usize> = (0..t.id.len()).collect();
        shuffle(&mut rows, perm_seed);
        let shuffled = subset(&t, &rows);
        for n in [1, 2, 3] {
            prop_assert_eq!(&find_overlaps(&t.columns(), threads(n)).unwrap(), &want);
            prop_assert_eq!(&find_overlaps(&shuffled.columns(), threads(n)).unwrap(), &want);
        }
    }

    #[test]
    fn hours_by_period_equals_the_ledger(
        spans in prop::collection::vec((0u64..4, 0i64..2000, 0i64..400, any::<bool>()), 1..40),
        grain in prop::sample::select(GRAINS.to_vec()),
    ) {
        let p = Policy::default();
        let mut ledger = HoursLedger::new(p.clone(), tree());
        let mut t = RecordTable::default();
        // Back-to-back spans per volunteer: the ledger refuses overlaps.
        let mut next = [T0; 4];
        for (i, (v, gap_min, len_min, approve)) in spans.into_iter().enumerate() {
            let start = next[v as usize] + gap_min * 37 * MICROS_PER_MINUTE;
            let end = start + len_min * MICROS_PER_MINUTE + 17_000_000;
            next[v as usize] = end;
            let id = i as u64 + 1;
            let rec = ServiceRecord {
                id,
                volunteer: v,
                unit: 4,
                team: None,
                activity: 1,
                start: Timestamp::from_micros(start).unwrap(),
                end: Timestamp::from_micros(end).unwrap(),
                kind: RecordKind::Service,
                recorded_by: 1,
                recorded_at: Timestamp::from_micros(end).unwrap(),
            };
            ledger.submit(rec).unwrap();
            let at = Timestamp::from_micros(end + MICROS_PER_MINUTE).unwrap();
            if approve {
                ledger.approve(id, 2, at, true).unwrap();
            }
            t.id.push(id);
            t.volunteer.push(v);
            t.unit.push(4);
            t.start.push(start);
            t.end.push(end);
            t.status.get_or_insert_with(Vec::new).push(ledger.record(id).unwrap().status);
        }
        let as_of = Timestamp::MAX;
        let want: Vec<(u64, i64, i64)> = ledger
            .totals_by(GroupBy::Volunteer, grain, as_of)
            .into_iter()
            .map(|g| (g.key, g.period.bounds(p.offset()).0.as_micros(), g.service_minutes))
            .collect();
        let got = hours_by_period(&p, &t.columns(), grain, Threads::Global).unwrap();
        let got: Vec<(u64, i64, i64)> = (0..got.len())
            .map(|i| (got.volunteer[i], got.period_start[i], got.minutes[i]))
            .collect();
        prop_assert_eq!(got, want);
    }
}

/// Fisher–Yates with a SplitMix64 stream (no RNG crate in tests).
fn shuffle<T>(xs: &mut [T], seed: u64) {
    let mut s = seed;
    for i in (1..xs.len()).rev() {
        let j = (splitmix(&mut s) % (i as u64 + 1)) as usize;
        xs.swap(i, j);
    }
}

fn splitmix(s: &mut u64) -> u64 {
    *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *s;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A larger table than proptest makes, so inputs span many chunks and
/// buckets. `volunteer_of` maps a random number to a volunteer id.
fn big_table(rows: usize, seed: u64, volunteer_of: impl Fn(u64) -> u64) -> RecordTable {
    let mut s = seed;
    let mut t = RecordTable::default();
    for i in 0..rows {
        let r = splitmix(&mut s);
        t.id.push(i as u64 * 3 + 1);
        t.volunteer.push(volunteer_of(r));
        t.unit.push([1, 2, 3, 4, 9][(r >> 20) as usize % 5]);
        let start = T0 + ((r >> 24) % (400 * 24 * 60)) as i64 * MICROS_PER_MINUTE;
        t.start.push(start);
        t.end
            .push(start + ((r >> 44) % (6 * 60)) as i64 * MICROS_PER_MINUTE);
        t.status
            .get_or_insert_with(Vec::new)
            .push(STATUSES[(r >> 60) as usize % 4]);
    }
    t
}

/// Maps a random number to a volunteer id.
type IdShape = Box<dyn Fn(u64) -> u64>;

#[test]
fn large_tables_match_the_models_for_dense_sparse_and_clustered_ids() {
    let p = Policy::default();
    let units = tree();
    let shapes: [(&str, IdShape); 3] = [
        ("dense", Box::new(|r| r % 20_000)),
        (
            "sparse",
            Box::new(|r| (r % 20_000).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        ),
        (
            "clustered",
            Box::new(|r| if r & 1 == 0 { r % 50 } else { u64::MAX - r % 7 }),
        ),
    ];
    for (name, f) in shapes {
        let t = big_table(150_000, 7, f);
        let want = naive_hours(&p, &t, Grain::Week);
        let want_overlaps = naive_overlaps_fast(&t);
        let want_units = naive_units(&units, &t);
        for n in [1, 3] {
            let got = hours_by_period(&p, &t.columns(), Grain::Week, threads(n)).unwrap();
            assert_eq!(got, want, "{name}, {n} threads");
            let got = find_overlaps(&t.columns(), threads(n)).unwrap();
            assert_eq!(got, want_overlaps, "{name}, {n} threads");
            assert_eq!(
                unit_minutes(&units, &t.columns(), threads(n)).unwrap(),
                want_units
            );
        }
        assert!(
            !want_overlaps.id.is_empty(),
            "{name}: the data has overlaps"
        );
    }
}

/// The overlap model with a running maximum (the quadratic one is too slow
/// for large tables; the proptests tie the two together on small ones).
fn naive_overlaps_fast(t: &RecordTable) -> Overlaps {
    let mut by_vol: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for r in 0..t.id.len() {
        let live = t.status.as_ref().is_none_or(|s| s[r].is_live());
        if live && t.start[r] < t.end[r] {
            by_vol.entry(t.volunteer[r]).or_default().push(r);
        }
    }
    let mut out = Overlaps::default();
    for (v, mut rows) in by_vol {
        rows.sort_by_key(|&r| (t.start[r], t.id[r]));
        let mut best: Option<usize> = None;
        for &r in &rows {
            if let Some(b) = best
                && t.start[r] < t.end[b]
            {
                out.volunteer.push(v);
                out.id.push(t.id[r]);
                out.overlaps.push(t.id[b]);
            }
            if best.is_none_or(|b| t.end[r] > t.end[b]) {
                best = Some(r);
            }
        }
    }
    out
}

#[test]
fn naive_overlap_models_agree() {
    let t = big_table(3_000, 11, |r| r % 40);
    assert_eq!(naive_overlaps(&t), naive_overlaps_fast(&t));
}

fn cols<'a>(id: &'a [u64], v: &'a [u64], start: &'a [i64], end: &'a [i64]) -> RecordColumns<'a> {
    RecordColumns {
        id,
        volunteer: v,
        unit: v,
        start,
        end,
        status: None,
        kind: None,
    }
}

fn err(r: zhiyuan::Result<impl std::fmt::Debug>) -> (ErrorKind, String) {
    let e = r.unwrap_err();
    (e.kind(), e.to_string())
}

#[test]
fn errors_name_the_column_and_the_lowest_bad_row() {
    let p = Policy::default();
    let g = Grain::Day;
    let start = [T0, T0, T0, T0];
    let end = [T0 + 1, T0 - 1, T0, T0 - 5];
    let c = cols(&[1, 2, 3, 4], &[1, 1, 2, 2], &start, &end);
    for n in [1, 2] {
        let want = (
            ErrorKind::InvalidInput,
            "end[1]: 2023-12-31T23:59:59.999999Z is before start 2024-01-01T00:00:00Z".to_owned(),
        );
        assert_eq!(err(hours_by_period(&p, &c, g, threads(n))), want);
        assert_eq!(err(find_overlaps(&c, threads(n))), want);
    }
    let c = cols(&[1, 2], &[1, 1, 1], &start[..2], &end[..2]);
    assert_eq!(
        err(hours_by_period(&p, &c, g, Threads::Global)).1,
        "start: 2 rows, but volunteer has 3"
    );
    assert_eq!(
        err(find_overlaps(&c, Threads::Global)).1,
        "volunteer: 3 rows, but id has 2"
    );
    let bad = [T0, i64::MAX];
    let c = cols(&[1, 2], &[1, 1], &bad, &[T0, i64::MAX]);
    let (kind, msg) = err(hours_by_period(&p, &c, g, Threads::Global));
    assert_eq!(kind, ErrorKind::InvalidInput);
    assert!(msg.starts_with("start[1]: "), "{msg}");
    // Statuses of another length.
    let mut c = cols(&[1, 2], &[1, 1], &start[..2], &start[..2]);
    c.status = Some(Labels::Values(&[RecordStatus::Approved]));
    assert_eq!(
        err(hours_by_period(&p, &c, g, Threads::Global)).1,
        "status: 1 rows, but volunteer has 2"
    );
}

#[test]
fn codes_outside_the_table_name_the_lowest_row_before_time_errors() {
    let p = Policy::default();
    let start = [T0; 4];
    // Row 0 ends before it starts; rows 2 and 3 carry bad codes. The label
    // pass runs first, so the code error wins, at the lowest row, for any
    // thread count.
    let end = [T0 - 1, T0, T0, T0];
    let mut c = cols(&[1, 2, 3, 4], &[1, 1, 2, 2], &start, &end);
    c.status = Some(Labels::Coded {
        codes: Codes::I8(&[1, 0, -1, 9]),
        labels: &RecordStatus::BY_CODE,
    });
    for n in [1, 2] {
        let want = (
            ErrorKind::InvalidInput,
            "status[2]: unknown code -1 (expected 0..=3)".to_owned(),
        );
        assert_eq!(err(hours_by_period(&p, &c, Grain::Day, threads(n))), want);
        assert_eq!(err(find_overlaps(&c, threads(n))), want);
        assert_eq!(err(unit_minutes(&tree(), &c, threads(n))).1, want.1);
    }
    // Kind codes are read by a and b, not by c; an empty table refuses
    // every code.
    c.status = None;
    c.end = &start;
    c.kind = Some(Labels::Coded {
        codes: Codes::U32(&[0, 0, 0, 1]),
        labels: &[],
    });
    assert_eq!(
        err(hours_by_period(&p, &c, Grain::Day, Threads::Global)).1,
        "kind[0]: unknown code 0 (the table of labels is empty)"
    );
    assert!(find_overlaps(&c, Threads::Global).is_ok());
    // Codes of another length are a length error, like values.
    c.kind = Some(Labels::Coded {
        codes: Codes::U8(&[0, 1]),
        labels: &RecordKind::BY_CODE,
    });
    assert_eq!(
        err(hours_by_period(&p, &c, Grain::Day, Threads::Global)).1,
        "kind: 2 rows, but volunteer has 4"
    );
}

#[test]
fn duplicate_ids_name_the_first_repeat_for_dense_and_sparse_ids() {
    let start = [T0; 5];
    let end = [T0 + MICROS_PER_MINUTE; 5];
    for ids in [[5u64, 6, 7, 6, 5], [u64::MAX, 3, 1 << 60, 3, u64::MAX]] {
        let c = cols(&ids, &[1, 2, 3, 4, 5], &start, &end);
        for n in [1, 2] {
            assert_eq!(
                err(find_overlaps(&c, threads(n))),
                (
                    ErrorKind::InvalidInput,
                    format!("id[3]: duplicate id {}", ids[3])
                )
            );
        }
    }
}

#[test]
fn unknown_units_are_named() {
    let start = [T0; 3];
    let c = RecordColumns {
        unit: &[1, 4, 77],
        start: &start,
        end: &start,
        ..RecordColumns::default()
    };
    assert_eq!(
        err(unit_minutes(&tree(), &c, Threads::Global)),
        (ErrorKind::InvalidInput, "unit[2]: unknown unit 77".into())
    );
    let part = UnitMinutes {
        unit: vec![1, 5],
        own_minutes: vec![3, 4],
        total_minutes: vec![0, 0],
    };
    assert_eq!(
        err(merge_unit_minutes(&tree(), &[UnitMinutes::default(), part])).1,
        "tables[1].unit[1]: unknown unit 5"
    );
}

#[test]
fn unit_minutes_report_the_lowest_bad_row_whichever_check_fails() {
    let units = tree();
    let e = |unit: &[u64], start: &[i64], end: &[i64]| {
        let c = RecordColumns {
            unit,
            start,
            end,
            ..RecordColumns::default()
        };
        [1, 2].map(|n| err(unit_minutes(&units, &c, threads(n))).1)
    };
    // A time error before an unknown unit, and the other way round; the
    // extreme instants must not overflow a subtraction on the way.
    let got = e(&[1, 1, 77], &[T0, T0, T0], &[T0, T0 - 1, T0]);
    assert!(got.iter().all(|m| m.starts_with("end[1]: ")), "{got:?}");
    let got = e(&[1, 77, 1], &[T0, T0, i64::MIN], &[T0, T0, i64::MAX]);
    assert!(
        got.iter().all(|m| m == "unit[1]: unknown unit 77"),
        "{got:?}"
    );
    let got = e(&[1, 1], &[T0, i64::MIN], &[T0, i64::MAX]);
    assert!(got.iter().all(|m| m.starts_with("start[1]: ")), "{got:?}");
}

#[test]
fn zero_minute_groups_stay_and_empty_inputs_give_empty_tables() {
    let p = Policy::default();
    let c = cols(&[1], &[8], &[T0], &[T0 + 59_999_999]);
    let got = hours_by_period(&p, &c, Grain::Month, Threads::Global).unwrap();
    assert_eq!((got.volunteer, got.minutes), (vec![8], vec![0]));
    let empty = cols(&[], &[], &[], &[]);
    assert!(
        hours_by_period(&p, &empty, Grain::Day, Threads::Global)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        find_overlaps(&empty, Threads::Global).unwrap(),
        Overlaps::default()
    );
    assert_eq!(
        merge_hours_by_period(&[]).unwrap(),
        HoursByPeriod::default()
    );
    let u = unit_minutes(&tree(), &empty, Threads::Global).unwrap();
    assert_eq!(u.unit, vec![1, 2, 3, 4, 9]);
    assert_eq!(u.total_minutes, vec![0; 5]);
}

#[test]
fn ties_pick_the_earliest_partner_and_zero_length_rows_never_overlap() {
    // Rows 10 and 11 both end at 3h; 12 starts inside both → partner 10.
    // Row 13 is zero-length inside 10: ignored. Row 14 is rejected.
    let h = 3_600_000_000i64;
    let t = RecordTable {
        id: vec![11, 10, 12, 13, 14],
        volunteer: vec![1; 5],
        unit: vec![1; 5],
        start: vec![T0, T0, T0 + 2 * h, T0 + h, T0 + h],
        end: vec![T0 + 3 * h, T0 + 3 * h, T0 + 4 * h, T0 + h, T0 + 2 * h],
        status: Some(vec![
            RecordStatus::Approved,
            RecordStatus::Submitted,
            RecordStatus::Approved,
            RecordStatus::Approved,
            RecordStatus::Rejected,
        ]),
        kind: None,
    };
    let got = find_overlaps(&t.columns(), Threads::Global).unwrap();
    assert_eq!(got.id, vec![11, 12]);
    assert_eq!(got.overlaps, vec![10, 10]);
}

#[test]
fn ids_spanning_the_whole_u64_range_in_a_small_table() {
    // One bucket over 2^64 ids: the shift must not overflow.
    let p = Policy::default();
    let start = [T0, T0 + MICROS_PER_MINUTE, T0];
    let end = [
        T0 + 2 * MICROS_PER_MINUTE,
        T0 + 3 * MICROS_PER_MINUTE,
        T0 + MICROS_PER_MINUTE,
    ];
    let c = cols(&[1, 2, 3], &[u64::MAX, u64::MAX, 0], &start, &end);
    let got = hours_by_period(&p, &c, Grain::Day, Threads::Global).unwrap();
    assert_eq!(got.volunteer, vec![0, u64::MAX]);
    assert_eq!(got.minutes, vec![1, 4]);
    let got = find_overlaps(&c, Threads::Global).unwrap();
    assert_eq!((got.id, got.overlaps), (vec![2], vec![1]));
}
