//! Instants, local dates and calendar periods.
//!
//! Every instant is a [`Timestamp`]: whole microseconds since 1970-01-01T00:00:00Z
//! (the Arrow `timestamp[us, UTC]` layout). Calendar periods — day, ISO week,
//! month, year — are cut in local time at a fixed UTC offset (default
//! UTC+08:00, China Standard Time, which has no daylight saving). Working days
//! come from a [`Calendar`] holding the holiday and make-up-workday (调休)
//! lists of the policy.
//!
//! ```
//! use zhiyuan::time::{Timestamp, Period, UtcOffset};
//! // Sunday 16:30Z is Monday 00:30 in Beijing: the next ISO week.
//! let t: Timestamp = "2024-03-10T16:30:00Z".parse().unwrap();
//! let week = Period::week_of(t, UtcOffset::CST);
//! assert_eq!(week.to_string(), "2024-W11");
//! ```

use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// Microseconds in one second.
pub const MICROS_PER_SECOND: i64 = 1_000_000;
/// Microseconds in one minute.
pub const MICROS_PER_MINUTE: i64 = 60 * MICROS_PER_SECOND;
/// Microseconds in one hour.
pub const MICROS_PER_HOUR: i64 = 60 * MICROS_PER_MINUTE;
/// Microseconds in one day.
pub const MICROS_PER_DAY: i64 = 24 * MICROS_PER_HOUR;

/// An instant in UTC, as whole microseconds since the Unix epoch.
///
/// Valid instants lie in years 0001–9999; constructors reject anything else so
/// that calendar arithmetic can never overflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// 0001-01-01T00:00:00Z.
const MIN_MICROS: i64 = -62_135_596_800 * MICROS_PER_SECOND;
/// 9999-12-31T23:59:59.999999Z.
const MAX_MICROS: i64 = 253_402_300_800 * MICROS_PER_SECOND - 1;

impl Timestamp {
    /// The earliest valid instant, 0001-01-01T00:00:00Z.
    pub const MIN: Timestamp = Timestamp(MIN_MICROS);
    /// The latest valid instant, 9999-12-31T23:59:59.999999Z.
    pub const MAX: Timestamp = Timestamp(MAX_MICROS);

    /// From microseconds since the Unix epoch; errors outside years 1–9999.
    ///
    /// ```
    /// # use zhiyuan::time::Timestamp;
    /// assert_eq!(Timestamp::from_micros(0).unwrap().to_string(), "1970-01-01T00:00:00Z");
    /// assert!(Timestamp::from_micros(i64::MAX).is_err());
    /// ```
    pub fn from_micros(us: i64) -> Result<Self> {
        if (MIN_MICROS..=MAX_MICROS).contains(&us) {
            Ok(Timestamp(us))
        } else {
            Err(Error::invalid_input(
                "timestamp",
                format!("{us} µs is outside years 0001-9999"),
            ))
        }
    }

    /// From whole seconds since the Unix epoch.
    pub fn from_seconds(s: i64) -> Result<Self> {
        s.checked_mul(MICROS_PER_SECOND)
            .ok_or_else(|| Error::invalid_input("timestamp", format!("{s} s is out of range")))
            .and_then(Self::from_micros)
    }

    /// Microseconds since the Unix epoch.
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// This instant plus `us` microseconds, or `None` when out of range.
    pub fn checked_add_micros(self, us: i64) -> Option<Self> {
        self.0
            .checked_add(us)
            .and_then(|v| Timestamp::from_micros(v).ok())
    }

    /// This instant plus `us` microseconds, clamped into the valid range.
    pub fn saturating_add_micros(self, us: i64) -> Self {
        Timestamp(self.0.saturating_add(us).clamp(MIN_MICROS, MAX_MICROS))
    }

    /// `self.local_date(offset).days()` without the calendar conversion:
    /// hot paths that only compare or bound days use this.
    #[inline]
    pub(crate) fn local_day_number(self, offset: UtcOffset) -> i32 {
        (self.0 + offset.micros()).div_euclid(MICROS_PER_DAY) as i32
    }

    /// `Period::Day(self.local_date(offset)).bounds(offset)`, by arithmetic
    /// on the day number (the same clamping as [`LocalDate::start`]).
    #[inline]
    pub(crate) fn local_day_bounds(self, offset: UtcOffset) -> (Timestamp, Timestamp) {
        let d = i64::from(self.local_day_number(offset));
        let at = |d: i64| {
            Timestamp((d * MICROS_PER_DAY - offset.micros()).clamp(MIN_MICROS, MAX_MICROS))
        };
        (at(d), at(d + 1))
    }

    /// The local date of this instant at `offset`.
    pub fn local_date(self, offset: UtcOffset) -> LocalDate {
        let local = self.0 + offset.micros();
        LocalDate::from_days(local.div_euclid(MICROS_PER_DAY) as i32)
    }

    /// The local calendar date and time of day at `offset`, as
    /// (date, microseconds since local midnight).
    pub fn local(self, offset: UtcOffset) -> (LocalDate, i64) {
        let local = self.0 + offset.micros();
        (
            LocalDate::from_days(local.div_euclid(MICROS_PER_DAY) as i32),
            local.rem_euclid(MICROS_PER_DAY),
        )
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC, fractional seconds only when non-zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (date, tod) = self.local(UtcOffset::UTC);
        let secs = tod / MICROS_PER_SECOND;
        let frac = tod % MICROS_PER_SECOND;
        write!(
            f,
            "{date}T{:02}:{:02}:{:02}",
            secs / 3600,
            (secs / 60) % 60,
            secs % 60
        )?;
        if frac != 0 {
            write!(f, ".{frac:06}")?;
        }
        f.write_str("Z")
    }
}

impl FromStr for Timestamp {
    type Err = Error;

    /// Parses RFC 3339 with a mandatory offset (`Z` or `±HH:MM`). A
    /// datetime without an offset is rejected: local times are never guessed.
    fn from_str(s: &str) -> Result<Self> {
        parse_rfc3339(s).ok_or_else(|| {
            let naive = s.len() >= 19
                && !s.ends_with('Z')
                && !s.ends_with('z')
                // Bytes, not `&s[19..]`: byte 19 may fall inside a
                // multi-byte character (found by the capi_json fuzz target).
                && !s.as_bytes()[19..].iter().any(|c| matches!(c, b'+' | b'-'));
            let why = if naive {
                "has no UTC offset; naive datetimes are rejected (add Z or +08:00)"
            } else {
                "is not an RFC 3339 timestamp like 2024-03-04T08:00:00+08:00"
            };
            Error::invalid_input("timestamp", format!("{s:?} {why}"))
        })
    }
}

fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() < 20 || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ') {
        return None;
    }
    let date: LocalDate = s.get(..10)?.parse().ok()?;
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let hh = digits(&b[11..13])?;
    let mm = digits(&b[14..16])?;
    let ss = digits(&b[17..19])?;
    if hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    let mut i = 19;
    let mut frac_us = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let n = i - start;
        if n == 0 || n > 9 {
            return None;
        }
        let mut v = digits(&b[start..i])?;
        // Keep microseconds; finer digits are truncated (Arrow `us` precision).
        for _ in n..6 {
            v *= 10;
        }
        for _ in 6..n {
            v /= 10;
        }
        frac_us = v;
    }
    let offset_us = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let oh = digits(&b[i + 1..i + 3])?;
            let om = digits(&b[i + 4..i + 6])?;
            if oh > 23 || om > 59 {
                return None;
            }
            let v = (oh * 60 + om) * MICROS_PER_MINUTE;
            if *sign == b'-' { -v } else { v }
        }
        _ => return None,
    };
    let local = i64::from(date.days()) * MICROS_PER_DAY
        + (hh * 3600 + mm * 60 + ss) * MICROS_PER_SECOND
        + frac_us;
    Timestamp::from_micros(local - offset_us).ok()
}

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e: Error| serde::de::Error::custom(e.reason()))
    }
}

/// A fixed offset from UTC, in whole minutes (−18 h to +18 h).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UtcOffset(i32);

impl UtcOffset {
    /// UTC itself.
    pub const UTC: UtcOffset = UtcOffset(0);
    /// China Standard Time, UTC+08:00 (no daylight saving).
    pub const CST: UtcOffset = UtcOffset(480);

    /// From minutes east of UTC; errors beyond ±18 hours.
    pub fn from_minutes(m: i32) -> Result<Self> {
        if (-18 * 60..=18 * 60).contains(&m) {
            Ok(UtcOffset(m))
        } else {
            Err(Error::invalid_input(
                "utc_offset_minutes",
                format!("{m} is outside -1080..=1080"),
            ))
        }
    }

    /// Minutes east of UTC.
    pub const fn minutes(self) -> i32 {
        self.0
    }

    const fn micros(self) -> i64 {
        self.0 as i64 * MICROS_PER_MINUTE
    }
}

/// A day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    /// 星期一, the first day of an ISO week.
    Monday,
    /// 星期二.
    Tuesday,
    /// 星期三.
    Wednesday,
    /// 星期四.
    Thursday,
    /// 星期五.
    Friday,
    /// 星期六.
    Saturday,
    /// 星期日.
    Sunday,
}

impl Weekday {
    /// 1 for Monday … 7 for Sunday (ISO 8601).
    pub fn number(self) -> u8 {
        self as u8 + 1
    }
}

/// A proleptic Gregorian calendar date, with no time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDate {
    year: i16,
    month: u8,
    day: u8,
}

impl LocalDate {
    /// A date; errors on an impossible day or a year outside 1–9999.
    ///
    /// ```
    /// # use zhiyuan::time::LocalDate;
    /// assert!(LocalDate::new(2024, 2, 29).is_ok());
    /// assert!(LocalDate::new(2023, 2, 29).is_err());
    /// ```
    pub fn new(year: i32, month: u32, day: u32) -> Result<Self> {
        if !(1..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
        {
            return Err(Error::invalid_input(
                "date",
                format!("{year:04}-{month:02}-{day:02} is not a valid date"),
            ));
        }
        Ok(LocalDate {
            year: year as i16,
            month: month as u8,
            day: day as u8,
        })
    }

    /// The year.
    pub fn year(self) -> i32 {
        i32::from(self.year)
    }
    /// The month, 1–12.
    pub fn month(self) -> u32 {
        u32::from(self.month)
    }
    /// The day of the month, 1–31.
    pub fn day(self) -> u32 {
        u32::from(self.day)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days(self) -> i32 {
        // Howard Hinnant's days_from_civil.
        let (m, d) = (self.month as i32, self.day as i32);
        let y = self.year as i32 - i32::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01. Callers keep `days` inside years
    /// 1–9999 (every [`Timestamp`] does).
    pub fn from_days(days: i32) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i32::from(m <= 2);
        LocalDate {
            year: y as i16,
            month: m as u8,
            day: d as u8,
        }
    }

    /// The date `n` days later (or earlier for negative `n`), if it stays
    /// inside years 1–9999.
    pub fn checked_add_days(self, n: i32) -> Option<Self> {
        let d = self.days().checked_add(n)?;
        let out = LocalDate::from_days(d);
        (1..=9999).contains(&out.year()).then_some(out)
    }

    /// The day of the week.
    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday.
        match (self.days() + 3).rem_euclid(7) {
            0 => Weekday::Monday,
            1 => Weekday::Tuesday,
            2 => Weekday::Wednesday,
            3 => Weekday::Thursday,
            4 => Weekday::Friday,
            5 => Weekday::Saturday,
            _ => Weekday::Sunday,
        }
    }

    /// The ISO 8601 week-year and week number (weeks start on Monday; week 1
    /// holds the year's first Thursday).
    ///
    /// ```
    /// # use zhiyuan::time::LocalDate;
    /// // 2024-12-30 (a Monday) already belongs to 2025-W01.
    /// assert_eq!(LocalDate::new(2024, 12, 30).unwrap().iso_week(), (2025, 1));
    /// assert_eq!(LocalDate::new(2021, 1, 3).unwrap().iso_week(), (2020, 53));
    /// ```
    pub fn iso_week(self) -> (i32, u32) {
        let days = self.days();
        let wd = i32::from(self.weekday().number()); // 1..=7
        let thursday = LocalDate::from_days(days - wd + 4);
        let jan1 = LocalDate {
            year: thursday.year,
            month: 1,
            day: 1,
        };
        let week = (thursday.days() - jan1.days()) / 7 + 1;
        (thursday.year(), week as u32)
    }

    /// The Monday that starts ISO week `week` of ISO week-year `year`.
    pub fn from_iso_week(year: i32, week: u32) -> Result<Self> {
        let jan4 = LocalDate::new(year, 1, 4)?;
        let monday1 = jan4.days() - i32::from(jan4.weekday().number()) + 1;
        let weeks_in_year = if LocalDate::new(year, 12, 28)?.iso_week().1 == 53 {
            53
        } else {
            52
        };
        if week < 1 || week > weeks_in_year {
            return Err(Error::invalid_input(
                "week",
                format!("{year} has no ISO week {week}"),
            ));
        }
        Ok(LocalDate::from_days(monday1 + (week as i32 - 1) * 7))
    }

    /// The instant at which this local day starts at `offset`.
    pub fn start(self, offset: UtcOffset) -> Timestamp {
        Timestamp(
            (i64::from(self.days()) * MICROS_PER_DAY - offset.micros())
                .clamp(MIN_MICROS, MAX_MICROS),
        )
    }

    /// Whole years completed from `birth` to `self` (age on a date; a
    /// 29 February birthday is reached on 1 March in common years).
    pub fn years_since(self, birth: LocalDate) -> i32 {
        let mut years = self.year() - birth.year();
        if (self.month, self.day) < (birth.month, birth.day) {
            years -= 1;
        }
        years
    }

    /// Whole months completed from `from` to `self` (a month is complete on
    /// the same day-of-month, or the month's last day when it is shorter).
    pub fn months_since(self, from: LocalDate) -> i32 {
        let mut months =
            (self.year() - from.year()) * 12 + self.month() as i32 - from.month() as i32;
        let last = days_in_month(self.year(), self.month());
        if self.day() < from.day() && self.day() < last {
            months -= 1;
        }
        months
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in `month` of `year`.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for LocalDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for LocalDate {
    type Err = Error;

    /// Parses `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Self> {
        let b = s.as_bytes();
        let bad = || Error::invalid_input("date", format!("{s:?} is not a date like 2024-03-04"));
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let y = digits(&b[0..4]).ok_or_else(bad)?;
        let m = digits(&b[5..7]).ok_or_else(bad)?;
        let d = digits(&b[8..10]).ok_or_else(bad)?;
        LocalDate::new(y as i32, m as u32, d as u32)
    }
}

impl Serialize for LocalDate {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LocalDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e: Error| serde::de::Error::custom(e.reason()))
    }
}

/// The grain of a calendar period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    /// A local calendar day.
    Day,
    /// An ISO week, Monday 00:00 to the next Monday 00:00 local time.
    Week,
    /// A calendar month.
    Month,
    /// A calendar year.
    Year,
}

impl FromStr for Grain {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "day" => Ok(Grain::Day),
            "week" => Ok(Grain::Week),
            "month" => Ok(Grain::Month),
            "year" => Ok(Grain::Year),
            _ => Err(Error::invalid_input(
                "grain",
                format!("{s:?} is not one of day, week, month, year"),
            )),
        }
    }
}

/// A local calendar period. Orders chronologically within one grain.
///
/// Text forms: `2024-03-04` (day), `2024-W10` (ISO week), `2024-03`
/// (month), `2024` (year).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    /// One local day.
    Day(LocalDate),
    /// ISO week `week` of ISO week-year `year`.
    Week {
        /// ISO week-year (may differ from the calendar year at the edges).
        year: i32,
        /// 1–53.
        week: u32,
    },
    /// A calendar month.
    Month {
        /// Year.
        year: i32,
        /// 1–12.
        month: u32,
    },
    /// A calendar year.
    Year(i32),
}

impl Period {
    /// The period of `grain` holding local date `date`.
    pub fn of_date(grain: Grain, date: LocalDate) -> Period {
        match grain {
            Grain::Day => Period::Day(date),
            Grain::Week => {
                let (year, week) = date.iso_week();
                Period::Week { year, week }
            }
            Grain::Month => Period::Month {
                year: date.year(),
                month: date.month(),
            },
            Grain::Year => Period::Year(date.year()),
        }
    }

    /// The period of `grain` holding instant `t` at `offset`.
    pub fn of(grain: Grain, t: Timestamp, offset: UtcOffset) -> Period {
        Period::of_date(grain, t.local_date(offset))
    }

    /// The ISO week holding `t` at `offset`.
    pub fn week_of(t: Timestamp, offset: UtcOffset) -> Period {
        Period::of(Grain::Week, t, offset)
    }

    /// The grain of this period.
    pub fn grain(self) -> Grain {
        match self {
            Period::Day(_) => Grain::Day,
            Period::Week { .. } => Grain::Week,
            Period::Month { .. } => Grain::Month,
            Period::Year(_) => Grain::Year,
        }
    }

    /// The first local date of the period.
    pub fn first_day(self) -> LocalDate {
        match self {
            Period::Day(d) => d,
            Period::Week { year, week } => {
                LocalDate::from_iso_week(year, week).unwrap_or(LocalDate::from_days(0))
            }
            Period::Month { year, month } => LocalDate {
                year: year as i16,
                month: month as u8,
                day: 1,
            },
            Period::Year(y) => LocalDate {
                year: y as i16,
                month: 1,
                day: 1,
            },
        }
    }

    /// The first local date after the period.
    pub fn end_day(self) -> LocalDate {
        let first = self.first_day();
        let days = match self {
            Period::Day(_) => 1,
            Period::Week { .. } => 7,
            Period::Month { year, month } => days_in_month(year, month) as i32,
            Period::Year(y) => 365 + i32::from(is_leap(y)),
        };
        LocalDate::from_days(first.days() + days)
    }

    /// The half-open instant range `[start, end)` of the period at `offset`.
    pub fn bounds(self, offset: UtcOffset) -> (Timestamp, Timestamp) {
        (self.first_day().start(offset), self.end_day().start(offset))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Day(d) => write!(f, "{d}"),
            Period::Week { year, week } => write!(f, "{year:04}-W{week:02}"),
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Period::Year(y) => write!(f, "{y:04}"),
        }
    }
}

impl FromStr for Period {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || {
            Error::invalid_input(
                "period",
                format!("{s:?} is not a period like 2024-03-04, 2024-W10, 2024-03 or 2024"),
            )
        };
        let b = s.as_bytes();
        match b.len() {
            10 => s.parse().map(Period::Day).map_err(|_| bad()),
            8 if b[4] == b'-' && b[5] == b'W' => {
                let year = digits(&b[0..4]).ok_or_else(bad)? as i32;
                let week = digits(&b[6..8]).ok_or_else(bad)? as u32;
                LocalDate::from_iso_week(year, week).map_err(|_| bad())?;
                Ok(Period::Week { year, week })
            }
            7 if b[4] == b'-' => {
                let year = digits(&b[0..4]).ok_or_else(bad)? as i32;
                let month = digits(&b[5..7]).ok_or_else(bad)? as u32;
                LocalDate::new(year, month, 1).map_err(|_| bad())?;
                Ok(Period::Month { year, month })
            }
            4 => {
                let year = digits(b).ok_or_else(bad)? as i32;
                LocalDate::new(year, 1, 1).map_err(|_| bad())?;
                Ok(Period::Year(year))
            }
            _ => Err(bad()),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e: Error| serde::de::Error::custom(e.reason()))
    }
}

/// Local time and the working-day calendar: offset, public holidays and
/// make-up workdays (调休, weekend days that are worked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    offset: UtcOffset,
    holidays: BTreeSet<LocalDate>,
    makeup_workdays: BTreeSet<LocalDate>,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::new(UtcOffset::CST, [], [])
    }
}

impl Calendar {
    /// A calendar at `offset` with the given holidays and make-up workdays.
    /// A date on both lists counts as a working day (the 调休 notice wins).
    pub fn new(
        offset: UtcOffset,
        holidays: impl IntoIterator<Item = LocalDate>,
        makeup_workdays: impl IntoIterator<Item = LocalDate>,
    ) -> Self {
        Calendar {
            offset,
            holidays: holidays.into_iter().collect(),
            makeup_workdays: makeup_workdays.into_iter().collect(),
        }
    }

    /// The UTC offset at which periods are cut.
    pub fn offset(&self) -> UtcOffset {
        self.offset
    }

    /// The local date of `t`.
    pub fn date(&self, t: Timestamp) -> LocalDate {
        t.local_date(self.offset)
    }

    /// The period of `grain` holding `t`.
    pub fn period(&self, grain: Grain, t: Timestamp) -> Period {
        Period::of(grain, t, self.offset)
    }

    /// Whether `d` is a working day: a make-up workday, or a Monday–Friday
    /// that is not a holiday.
    ///
    /// ```
    /// # use zhiyuan::time::{Calendar, LocalDate, UtcOffset};
    /// let sat = LocalDate::new(2024, 9, 14).unwrap(); // 调休: worked
    /// let mon = LocalDate::new(2024, 9, 16).unwrap(); // 中秋 holiday
    /// let cal = Calendar::new(UtcOffset::CST, [mon], [sat]);
    /// assert!(cal.is_working_day(sat));
    /// assert!(!cal.is_working_day(mon));
    /// ```
    pub fn is_working_day(&self, d: LocalDate) -> bool {
        if self.makeup_workdays.contains(&d) {
            return true;
        }
        if self.holidays.contains(&d) {
            return false;
        }
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    /// The `n`-th working day after `d` (`n` = 0 gives `d` itself). Saturates
    /// at 9999-12-31.
    pub fn add_working_days(&self, d: LocalDate, n: u32) -> LocalDate {
        let mut day = d;
        let mut left = n;
        while left > 0 {
            match day.checked_add_days(1) {
                Some(next) => day = next,
                None => return day,
            }
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// The instant by which something due `n` working days after the local
    /// date of `t` must happen: the end of that working day, exclusive.
    pub fn working_deadline(&self, t: Timestamp, n: u32) -> Timestamp {
        let due = self.add_working_days(self.date(t), n);
        match due.checked_add_days(1) {
            Some(next) => next.start(self.offset),
            None => Timestamp::MAX,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_and_bounds_match_the_calendar_path() {
        let instants = [
            MIN_MICROS,
            MIN_MICROS + 1,
            -1,
            0,
            1_709_510_400_000_000,
            1_709_567_999_999_999,
            MAX_MICROS - 1,
            MAX_MICROS,
        ];
        for minutes in [0, 480, -720, 840, 345] {
            let off = UtcOffset::from_minutes(minutes).unwrap();
            for us in instants {
                let t = Timestamp(us);
                let d = t.local_date(off);
                assert_eq!(t.local_day_number(off), d.days(), "{us} at {minutes}");
                let want = Period::Day(d).bounds(off);
                assert_eq!(t.local_day_bounds(off), want, "{us} at {minutes}");
            }
        }
    }
}
