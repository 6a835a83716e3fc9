//! Shared inputs for the zhiyuan benchmarks (`benches/benches/`) and the
//! throughput programs (`benches/src/bin/`).

use zhiyuan::hours::{RecordKind, ServiceRecord};
use zhiyuan::time::{MICROS_PER_MINUTE, Timestamp};
use zhiyuan::units::{Unit, UnitTree};

/// A centre with ten institutes and ten stations under each.
pub fn small_tree() -> UnitTree {
    let mut units = vec![Unit::new(1, None, "centre", "centre")];
    for i in 0..10u64 {
        units.push(Unit::new(10 + i, Some(1), "institute", "institute"));
        for s in 0..10u64 {
            units.push(Unit::new(
                100 + i * 10 + s,
                Some(10 + i),
                "station",
                "station",
            ));
        }
    }
    UnitTree::new(units, vec![]).expect("a valid tree")
}

/// `n` valid, non-overlapping records spread over `volunteers` volunteers:
/// each volunteer's records follow one another through 2024, 30 minutes to
/// 4 hours long, recorded at their end. Deterministic.
pub fn records(n: usize, volunteers: u64) -> Vec<ServiceRecord> {
    let base = "2024-01-01T00:00:00Z"
        .parse::<Timestamp>()
        .expect("a valid timestamp")
        .as_micros();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        // SplitMix64: fast, deterministic, good enough for load shapes.
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    (0..n)
        .map(|i| {
            let v = i as u64 % volunteers;
            let slot = i as u64 / volunteers; // the volunteer's k-th record
            let start = base + (slot as i64 * 6 * 60 + (next() % 60) as i64) * MICROS_PER_MINUTE;
            let len = 30 + (next() % 210) as i64;
            let end = start + len * MICROS_PER_MINUTE;
            ServiceRecord {
                id: i as u64 + 1,
                volunteer: v,
                unit: 100 + v % 100,
                team: None,
                activity: next() % 1000,
                start: Timestamp::from_micros(start).expect("in range"),
                end: Timestamp::from_micros(end).expect("in range"),
                kind: RecordKind::Service,
                recorded_by: 1,
                recorded_at: Timestamp::from_micros(end + 3_600_000_000).expect("in range"),
            }
        })
        .collect()
}

/// `n` synthetic records as columns, in random row order: volunteers
/// uniform over `0..volunteers`, starts uniform over 2024 (minute grid),
/// 0 minutes to 6 hours long, units from [`small_tree`], statuses 80 %
/// approved (the rest submitted / rejected / revoked), kinds 90 % service.
/// Ids are unique. Deterministic for a `seed`; overlaps happen.
pub fn record_table(n: usize, volunteers: u64, seed: u64) -> zhiyuan::hours_table::RecordTable {
    use zhiyuan::hours::RecordStatus;
    let base = 1_704_067_200_000_000i64; // 2024-01-01T00:00:00Z
    let unit_ids: Vec<u64> = small_tree().units().iter().map(|u| u.id).collect();
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut t = zhiyuan::hours_table::RecordTable {
        status: Some(Vec::with_capacity(n)),
        kind: Some(Vec::with_capacity(n)),
        ..Default::default()
    };
    for i in 0..n {
        let r = next();
        t.id.push(i as u64 + 1);
        t.volunteer.push(r % volunteers.max(1));
        let s = next();
        t.unit.push(unit_ids[(s % unit_ids.len() as u64) as usize]);
        let start = base + ((s >> 8) % (366 * 24 * 60)) as i64 * MICROS_PER_MINUTE;
        t.start.push(start);
        t.end
            .push(start + ((s >> 40) % (6 * 60 + 1)) as i64 * MICROS_PER_MINUTE);
        let status = match (s >> 56) % 10 {
            0 => RecordStatus::Submitted,
            1 => RecordStatus::Rejected,
            2 if s & 1 == 0 => RecordStatus::Revoked,
            _ => RecordStatus::Approved,
        };
        if let Some(v) = t.status.as_mut() {
            v.push(status);
        }
        if let Some(v) = t.kind.as_mut() {
            v.push(if (s >> 4) % 10 == 0 {
                RecordKind::Training
            } else {
                RecordKind::Service
            });
        }
    }
    t
}

/// The status and kind columns of `t` as `int8` dictionary codes (the
/// layout of a pyarrow or polars dictionary column), kept alive by the
/// returned vectors; [`CodedRecords::columns`] borrows them.
pub struct CodedRecords<'a> {
    table: &'a zhiyuan::hours_table::RecordTable,
    status: Vec<i8>,
    kind: Vec<i8>,
}

impl<'a> CodedRecords<'a> {
    /// Codes of `t`'s status and kind columns.
    pub fn new(table: &'a zhiyuan::hours_table::RecordTable) -> Self {
        let code = |c: u8| i8::try_from(c).expect("a small code");
        CodedRecords {
            table,
            status: table
                .status
                .iter()
                .flatten()
                .map(|s| code(s.code()))
                .collect(),
            kind: table
                .kind
                .iter()
                .flatten()
                .map(|k| code(k.code()))
                .collect(),
        }
    }

    /// The table's columns with status and kind as codes.
    pub fn columns(&self) -> zhiyuan::hours_table::RecordColumns<'_> {
        use zhiyuan::hours::RecordStatus;
        use zhiyuan::labels::{Codes, Labels};
        let mut cols = self.table.columns();
        cols.status = Some(Labels::Coded {
            codes: Codes::I8(&self.status),
            labels: &RecordStatus::BY_CODE,
        });
        cols.kind = Some(Labels::Coded {
            codes: Codes::I8(&self.kind),
            labels: &RecordKind::BY_CODE,
        });
        cols
    }
}

/// `n` rows of facts around the default 文明贷 gates and tiers (hours up to
/// 2,000, ages 16–75, 1 % fraud, 0.5 % sanctions, 2 % suspended).
/// Deterministic.
pub fn facts(n: usize) -> zhiyuan::facts::FactsColumns {
    use zhiyuan::facts::{Facts, FactsColumns, VolunteerStatus};
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |m: u64| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s % m) as i64
    };
    let mut cols = FactsColumns::default();
    for _ in 0..n {
        cols.push(&Facts {
            cumulative_minutes: next(2000 * 60),
            minutes_last_12_months: next(300 * 60),
            minutes_this_year: next(200 * 60),
            months_registered: next(120),
            age: 16 + next(60),
            fraud_revocations: i64::from(next(100) == 0),
            sanctions: i64::from(next(200) == 0),
            active: next(2) == 0,
            status: if next(50) == 0 {
                VolunteerStatus::Suspended
            } else {
                VolunteerStatus::Active
            },
            ..Facts::default()
        });
    }
    cols
}
