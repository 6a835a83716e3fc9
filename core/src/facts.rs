//! Volunteer profiles and the [`Facts`] the rule language reads.
//!
//! Facts are a plain value type: a data team can fill them from its own
//! columns ([`FactsColumns`]) without a ledger, or derive them with
//! [`derive_facts`] from a [`VolunteerProfile`] plus plain inputs (approved
//! minutes, revocation instants, honours, ratings, sanctions). Hours facts
//! are kept in whole **minutes**; the rule language lets a policy write them
//! in hours (`cumulative_hours >= 100`) and converts exactly.
//!
//! Windows (trailing months, fraud and sanction years, honours months) come
//! from [`FactsPolicy`]; a window that starts "N years ago" starts at local
//! midnight of the same calendar date N years earlier (29 February → 28
//! February), so a fraud revocation exactly 3 years ago still counts and one
//! 3 years and 1 day ago does not.
//!
//! ```
//! use zhiyuan::Policy;
//! use zhiyuan::facts::{derive_facts, FactInputs, VolunteerProfile, VolunteerStatus};
//! use zhiyuan::time::{LocalDate, Timestamp};
//! let policy = Policy::default();
//! let profile = VolunteerProfile {
//!     id: 7,
//!     birth_date: LocalDate::new(1990, 5, 1)?,
//!     registered_at: "2020-01-01T00:00:00Z".parse()?,
//!     status: VolunteerStatus::Active,
//!     home_unit: 1,
//!     skills: vec!["medical".into()],
//! };
//! let as_of: Timestamp = "2024-05-01T00:00:00Z".parse()?;
//! let inputs = FactInputs { cumulative_minutes: 100 * 60, ..FactInputs::default() };
//! let facts = derive_facts(&policy, &profile, &inputs, as_of)?;
//! assert_eq!(facts.age, 34);
//! assert_eq!(facts.star_level, 1);
//! assert_eq!(facts.months_registered, 52);
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::honours::{Honour, HonourKind, HonoursRegistry};
use crate::hours::RevokeReason;
use crate::hours::VolunteerId;
use crate::ledger::HoursLedger;
use crate::policy::{Policy, ensure};
use crate::time::{LocalDate, Timestamp, UtcOffset, days_in_month};
use crate::units::UnitId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How volunteer facts are derived: windows and the "active" bar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FactsPolicy {
    /// Length of the trailing window behind `hours_last_12_months`, in
    /// months. Default 12 (domain-rules §3.4).
    pub trailing_months: u32,
    /// Window behind `fraud_revocations`, in years. Default 3 (§3.2, §3.4).
    pub fraud_window_years: u32,
    /// Window behind `sanctions` (bad public-credit records), in years.
    /// Default 3 (§3.2, §3.4).
    pub sanction_window_years: u32,
    /// Window behind the honour counts, in months. Default 12 \[INF\].
    pub honours_window_months: u32,
    /// Approved service hours in the calendar year that make a volunteer
    /// `active`. Default 20 (团中央 2013 §11, domain-rules §2.1).
    pub active_hours: u32,
}

impl Default for FactsPolicy {
    fn default() -> Self {
        FactsPolicy {
            trailing_months: 12,
            fraud_window_years: 3,
            sanction_window_years: 3,
            honours_window_months: 12,
            active_hours: 20,
        }
    }
}

impl FactsPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        for (v, name, max) in [
            (self.trailing_months, "trailing_months", 1200),
            (self.fraud_window_years, "fraud_window_years", 100),
            (self.sanction_window_years, "sanction_window_years", 100),
            (self.honours_window_months, "honours_window_months", 1200),
            (self.active_hours, "active_hours", 8784),
        ] {
            ensure(v > 0, name, "must be > 0")?;
            ensure(v <= max, name, &format!("must be <= {max}"))?;
        }
        Ok(())
    }

    /// The instants that open each window at `as_of`.
    pub fn windows(&self, as_of: Timestamp, offset: UtcOffset) -> FactWindows {
        let today = as_of.local_date(offset);
        let start = |d: LocalDate| d.start(offset);
        FactWindows {
            trailing_from: start(sub_months(today, self.trailing_months)),
            year_from: start(LocalDate::new(today.year(), 1, 1).unwrap_or(today)),
            fraud_from: start(sub_months(today, self.fraud_window_years * 12)),
            sanction_from: start(sub_months(today, self.sanction_window_years * 12)),
            honours_from: sub_months(today, self.honours_window_months),
        }
    }
}

/// Where each fact window opens for one as-of instant (see
/// [`FactsPolicy::windows`]). Every window closes at the as-of instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactWindows {
    /// Start of the trailing-months window (local midnight).
    pub trailing_from: Timestamp,
    /// Start of the local calendar year.
    pub year_from: Timestamp,
    /// Revocations for fraud at or after this instant count.
    pub fraud_from: Timestamp,
    /// Sanctions at or after this instant count.
    pub sanction_from: Timestamp,
    /// Honours granted on or after this local date count.
    pub honours_from: LocalDate,
}

/// `date` minus `months` calendar months, clamped to the shorter month's
/// last day (2024-02-29 minus 12 months is 2023-02-28).
pub(crate) fn sub_months(date: LocalDate, months: u32) -> LocalDate {
    let total = date.year() * 12 + date.month() as i32 - 1 - months as i32;
    let (y, m) = (total.div_euclid(12).max(1), total.rem_euclid(12) as u32 + 1);
    let day = date.day().min(days_in_month(y, m));
    LocalDate::new(y, m, day).unwrap_or(date)
}

/// `date` plus `months` calendar months, clamped like [`sub_months`].
pub(crate) fn add_months(date: LocalDate, months: u32) -> LocalDate {
    let total = date.year() * 12 + date.month() as i32 - 1 + months as i32;
    let (y, m) = (
        total.div_euclid(12).min(9999),
        total.rem_euclid(12) as u32 + 1,
    );
    let day = date.day().min(days_in_month(y, m));
    LocalDate::new(y, m, day).unwrap_or(date)
}

/// A volunteer's registration status.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum VolunteerStatus {
    /// Registered and in good standing.
    #[default]
    Active,
    /// Temporarily barred (e.g. after fraud, domain-rules §1.5).
    Suspended,
    /// Registration cancelled.
    Deregistered,
}

impl VolunteerStatus {
    /// Every status, in code order (code = index).
    pub const ALL: [VolunteerStatus; 3] = [
        VolunteerStatus::Active,
        VolunteerStatus::Suspended,
        VolunteerStatus::Deregistered,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            VolunteerStatus::Active => "active",
            VolunteerStatus::Suspended => "suspended",
            VolunteerStatus::Deregistered => "deregistered",
        }
    }

    /// The status named `s`.
    #[inline]
    pub fn parse(s: &str) -> Option<Self> {
        // A match, not a search of `ALL`: batch readers call this per row.
        match s {
            "active" => Some(VolunteerStatus::Active),
            "suspended" => Some(VolunteerStatus::Suspended),
            "deregistered" => Some(VolunteerStatus::Deregistered),
            _ => None,
        }
    }

    /// The integer code used by the compiled rules (0 active, 1 suspended,
    /// 2 deregistered).
    pub fn code(self) -> i64 {
        self as i64
    }

    fn from_code(c: i64) -> Self {
        match c {
            1 => VolunteerStatus::Suspended,
            2 => VolunteerStatus::Deregistered,
            _ => VolunteerStatus::Active,
        }
    }
}

/// A registered volunteer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolunteerProfile {
    /// Volunteer id.
    pub id: VolunteerId,
    /// Date of birth (local calendar date).
    pub birth_date: LocalDate,
    /// When the volunteer registered.
    pub registered_at: Timestamp,
    /// Registration status.
    #[serde(default)]
    pub status: VolunteerStatus,
    /// The unit the volunteer belongs to.
    pub home_unit: UnitId,
    /// Skills (legal, medical, psychological, …).
    #[serde(default)]
    pub skills: Vec<String>,
}

/// One rating a volunteer received for a fulfilled order (评单), 1–5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    /// When the rating was given.
    pub at: Timestamp,
    /// The score, 1 (worst) to 5 (best).
    pub score: u8,
}

/// A bad public-credit record or similar sanction (domain-rules §1.5, §3.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sanction {
    /// When it was recorded.
    pub at: Timestamp,
    /// Free-text reason code.
    pub reason: String,
}

/// Plain inputs from which [`derive_facts`] builds [`Facts`]: everything
/// that would come from the hours ledger, the honours registry, order
/// ratings and sanctions. Minutes must already be windowed as
/// [`FactsPolicy::windows`] says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FactInputs {
    /// Approved service minutes as of the instant.
    pub cumulative_minutes: i64,
    /// Approved service minutes whose records start in the trailing window.
    pub minutes_last_12_months: i64,
    /// Approved service minutes whose records start in the calendar year.
    pub minutes_this_year: i64,
    /// Instants of revocations for fraud (any age; windowed here).
    pub fraud_revocations: Vec<Timestamp>,
    /// Honours (any age, possibly revoked; filtered here).
    pub honours: Vec<Honour>,
    /// Ratings received (any age; those after the instant are ignored).
    pub ratings: Vec<Rating>,
    /// Sanctions (any age; windowed here).
    pub sanctions: Vec<Sanction>,
}

/// Everything the rule language can read about one volunteer at one
/// instant. Hours are whole minutes; the average rating is in hundredths.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Facts {
    /// Cumulative approved service minutes (fact `cumulative_hours`).
    pub cumulative_minutes: i64,
    /// Approved minutes in the trailing window (fact `hours_last_12_months`).
    pub minutes_last_12_months: i64,
    /// Approved minutes in the local calendar year (fact `hours_this_year`).
    pub minutes_this_year: i64,
    /// Whole months since registration.
    pub months_registered: i64,
    /// Age in whole years (reached on the birthday).
    pub age: i64,
    /// Star level, 0–5 by default.
    pub star_level: i64,
    /// Live monthly-star honours in the honours window.
    pub monthly_star_honours: i64,
    /// Live annual-excellent honours in the honours window.
    pub annual_excellent_honours: i64,
    /// Live honours of any kind in the honours window.
    pub honours: i64,
    /// Revocations for fraud in the fraud window.
    pub fraud_revocations: i64,
    /// Sanctions in the sanction window.
    pub sanctions: i64,
    /// Average rating × 100, floored (0 when there are none).
    pub average_rating_centi: i64,
    /// Number of ratings.
    pub rating_count: i64,
    /// At least the policy's active hours in the calendar year.
    pub active: bool,
    /// Registration status.
    pub status: VolunteerStatus,
}

/// Derives a volunteer's [`Facts`] at `as_of` from plain inputs.
///
/// Errors (`InvalidInput`) name the bad input: a rating outside 1–5
/// (`ratings[3].score`), negative minutes, or a profile whose registration
/// lies after `as_of` is *not* an error (months registered is then negative
/// and fails every `>=` threshold).
pub fn derive_facts(
    policy: &Policy,
    profile: &VolunteerProfile,
    inputs: &FactInputs,
    as_of: Timestamp,
) -> Result<Facts> {
    let offset = policy.offset();
    let w = policy.facts.windows(as_of, offset);
    let today = as_of.local_date(offset);
    for (v, name) in [
        (inputs.cumulative_minutes, "cumulative_minutes"),
        (inputs.minutes_last_12_months, "minutes_last_12_months"),
        (inputs.minutes_this_year, "minutes_this_year"),
    ] {
        if v < 0 {
            return Err(Error::invalid_input(name, format!("{v} must be >= 0")));
        }
    }
    let (mut sum, mut count) = (0i64, 0i64);
    for (i, r) in inputs.ratings.iter().enumerate() {
        if !(1..=5).contains(&r.score) {
            return Err(Error::invalid_input(
                format!("ratings[{i}].score"),
                format!("{} is not within 1..=5", r.score),
            ));
        }
        if r.at <= as_of {
            sum += i64::from(r.score);
            count += 1;
        }
    }
    let in_window = |t: Timestamp, from: Timestamp| t >= from && t <= as_of;
    let live_honours: Vec<&Honour> = inputs
        .honours
        .iter()
        .filter(|h| h.volunteer == profile.id && h.is_live(as_of, offset))
        .filter(|h| h.granted_on >= w.honours_from && h.granted_on <= today)
        .collect();
    let of_kind = |k: HonourKind| live_honours.iter().filter(|h| h.kind == k).count() as i64;
    let active_minutes = i64::from(policy.facts.active_hours) * 60;
    Ok(Facts {
        cumulative_minutes: inputs.cumulative_minutes,
        minutes_last_12_months: inputs.minutes_last_12_months,
        minutes_this_year: inputs.minutes_this_year,
        months_registered: i64::from(today.months_since(profile.registered_at.local_date(offset))),
        age: i64::from(today.years_since(profile.birth_date)),
        star_level: i64::from(policy.stars.level(inputs.cumulative_minutes)),
        monthly_star_honours: of_kind(HonourKind::MonthlyStar),
        annual_excellent_honours: of_kind(HonourKind::AnnualExcellent),
        honours: live_honours.len() as i64,
        fraud_revocations: inputs
            .fraud_revocations
            .iter()
            .filter(|&&t| in_window(t, w.fraud_from))
            .count() as i64,
        sanctions: inputs
            .sanctions
            .iter()
            .filter(|s| in_window(s.at, w.sanction_from))
            .count() as i64,
        average_rating_centi: if count == 0 { 0 } else { sum * 100 / count },
        rating_count: count,
        active: inputs.minutes_this_year >= active_minutes,
        status: profile.status,
    })
}

/// Derives a volunteer's [`Facts`] at `as_of` from the hours ledger, the
/// honours registry, order ratings and sanctions, under the ledger's policy.
/// Fraud revocations are the ledger's revocations with reason `fraud`.
///
/// ```
/// use zhiyuan::Policy;
/// use zhiyuan::facts::{facts_from_ledger, VolunteerProfile, VolunteerStatus};
/// use zhiyuan::honours::HonoursRegistry;
/// use zhiyuan::hours::{RecordKind, ServiceRecord};
/// use zhiyuan::ledger::HoursLedger;
/// use zhiyuan::units::{Unit, UnitTree};
/// let units = UnitTree::new(vec![Unit::new(1, None, "centre", "centre")], vec![])?;
/// let mut ledger = HoursLedger::new(Policy::default(), units);
/// let t = |s: &str| s.parse().unwrap();
/// ledger.submit(ServiceRecord { id: 1, volunteer: 7, unit: 1, team: None, activity: 1,
///     start: t("2024-03-01T01:00:00Z"), end: t("2024-03-01T04:00:00Z"),
///     kind: RecordKind::Service, recorded_by: 2, recorded_at: t("2024-03-01T05:00:00Z") })?;
/// ledger.approve(1, 3, t("2024-03-02T00:00:00Z"), false)?;
/// let profile = VolunteerProfile { id: 7, birth_date: "1990-01-01".parse()?,
///     registered_at: t("2023-01-01T00:00:00Z"), status: VolunteerStatus::Active,
///     home_unit: 1, skills: vec![] };
/// let f = facts_from_ledger(&ledger, &profile, &HonoursRegistry::new(), &[], &[], t("2024-06-01T00:00:00Z"))?;
/// assert_eq!((f.cumulative_minutes, f.minutes_this_year), (180, 180));
/// # Ok::<(), zhiyuan::Error>(())
/// ```
pub fn facts_from_ledger(
    ledger: &HoursLedger,
    profile: &VolunteerProfile,
    honours: &HonoursRegistry,
    ratings: &[Rating],
    sanctions: &[Sanction],
    as_of: Timestamp,
) -> Result<Facts> {
    let policy = ledger.policy();
    let v = profile.id;
    let w = policy.facts.windows(as_of, policy.offset());
    // A record starting exactly at `as_of` belongs to the window too.
    let to = as_of.saturating_add_micros(1);
    let inputs = FactInputs {
        cumulative_minutes: ledger.approved_minutes(v, as_of),
        minutes_last_12_months: ledger.approved_minutes_in(v, w.trailing_from, to, as_of),
        minutes_this_year: ledger.approved_minutes_in(v, w.year_from, to, as_of),
        fraud_revocations: ledger
            .revocations(v, as_of)
            .into_iter()
            .filter(|r| r.reason == RevokeReason::Fraud)
            .map(|r| r.at)
            .collect(),
        honours: honours.of(v),
        ratings: ratings.to_vec(),
        sanctions: sanctions.to_vec(),
    };
    derive_facts(policy, profile, &inputs, as_of)
}

/// The type of a fact, which fixes its literals and operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactType {
    /// Service time: stored in minutes, written in (decimal) hours.
    Hours,
    /// A whole number (months, years, counts, levels).
    Count,
    /// A rating: stored in hundredths, written as a decimal (`4.5`).
    Rating,
    /// `true` / `false`.
    Bool,
    /// A [`VolunteerStatus`] name.
    Status,
}

impl FactType {
    /// The unit of the integer the compiled rules and decisions carry.
    pub fn unit(self) -> &'static str {
        match self {
            FactType::Hours => "minutes",
            FactType::Count => "count",
            FactType::Rating => "hundredths",
            FactType::Bool => "bool",
            FactType::Status => "status",
        }
    }
}

/// Which direction of a fact is "better" for the volunteer. Tier and gate
/// conditions must never turn false when a fact gets better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// Raising it is an improvement (hours, honours, ratings).
    MoreIsBetter,
    /// Lowering it is an improvement (fraud revocations, sanctions).
    LessIsBetter,
    /// Neither (age, status): any comparison is allowed.
    Neutral,
}

/// A named fact of the rule language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact {
    /// Cumulative approved service hours.
    CumulativeHours,
    /// Approved service hours in the trailing window (12 months).
    HoursLast12Months,
    /// Approved service hours in the local calendar year.
    HoursThisYear,
    /// Whole months since registration.
    MonthsRegistered,
    /// Age in whole years.
    Age,
    /// Star level.
    StarLevel,
    /// Live monthly-star honours in the honours window.
    MonthlyStarHonours,
    /// Live annual-excellent honours in the honours window.
    AnnualExcellentHonours,
    /// Live honours of any kind in the honours window.
    Honours,
    /// Fraud revocations in the fraud window.
    FraudRevocations,
    /// Sanctions in the sanction window.
    Sanctions,
    /// Average service rating (1–5, two decimals).
    AverageRating,
    /// Number of ratings received.
    RatingCount,
    /// Active in the calendar year.
    Active,
    /// Registration status.
    Status,
}

impl Fact {
    /// Every fact, in declaration order.
    pub const ALL: [Fact; 15] = [
        Fact::CumulativeHours,
        Fact::HoursLast12Months,
        Fact::HoursThisYear,
        Fact::MonthsRegistered,
        Fact::Age,
        Fact::StarLevel,
        Fact::MonthlyStarHonours,
        Fact::AnnualExcellentHonours,
        Fact::Honours,
        Fact::FraudRevocations,
        Fact::Sanctions,
        Fact::AverageRating,
        Fact::RatingCount,
        Fact::Active,
        Fact::Status,
    ];

    /// The name policies use.
    pub fn name(self) -> &'static str {
        match self {
            Fact::CumulativeHours => "cumulative_hours",
            Fact::HoursLast12Months => "hours_last_12_months",
            Fact::HoursThisYear => "hours_this_year",
            Fact::MonthsRegistered => "months_registered",
            Fact::Age => "age",
            Fact::StarLevel => "star_level",
            Fact::MonthlyStarHonours => "monthly_star_honours",
            Fact::AnnualExcellentHonours => "annual_excellent_honours",
            Fact::Honours => "honours",
            Fact::FraudRevocations => "fraud_revocations",
            Fact::Sanctions => "sanctions",
            Fact::AverageRating => "average_rating",
            Fact::RatingCount => "rating_count",
            Fact::Active => "active",
            Fact::Status => "status",
        }
    }

    /// The fact named `name`.
    pub fn parse(name: &str) -> Option<Fact> {
        Fact::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Its type.
    pub fn fact_type(self) -> FactType {
        match self {
            Fact::CumulativeHours | Fact::HoursLast12Months | Fact::HoursThisYear => {
                FactType::Hours
            }
            Fact::AverageRating => FactType::Rating,
            Fact::Active => FactType::Bool,
            Fact::Status => FactType::Status,
            _ => FactType::Count,
        }
    }

    /// Its polarity.
    pub fn polarity(self) -> Polarity {
        match self {
            Fact::Age | Fact::Status => Polarity::Neutral,
            Fact::FraudRevocations | Fact::Sanctions => Polarity::LessIsBetter,
            _ => Polarity::MoreIsBetter,
        }
    }

    /// Whether the fact is a count that is never negative, so `== 0`
    /// means `<= 0`.
    pub fn is_nonnegative_count(self) -> bool {
        !matches!(
            self,
            Fact::Age | Fact::MonthsRegistered | Fact::Active | Fact::Status
        )
    }
}

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Facts {
    /// The value of `fact` as the integer the compiled rules compare:
    /// minutes, counts, hundredths, 0/1, or the status code.
    #[inline]
    pub fn get(&self, fact: Fact) -> i64 {
        match fact {
            Fact::CumulativeHours => self.cumulative_minutes,
            Fact::HoursLast12Months => self.minutes_last_12_months,
            Fact::HoursThisYear => self.minutes_this_year,
            Fact::MonthsRegistered => self.months_registered,
            Fact::Age => self.age,
            Fact::StarLevel => self.star_level,
            Fact::MonthlyStarHonours => self.monthly_star_honours,
            Fact::AnnualExcellentHonours => self.annual_excellent_honours,
            Fact::Honours => self.honours,
            Fact::FraudRevocations => self.fraud_revocations,
            Fact::Sanctions => self.sanctions,
            Fact::AverageRating => self.average_rating_centi,
            Fact::RatingCount => self.rating_count,
            Fact::Active => i64::from(self.active),
            Fact::Status => self.status.code(),
        }
    }

    /// Sets `fact` from its integer encoding (the inverse of [`Facts::get`]).
    pub fn set(&mut self, fact: Fact, v: i64) {
        match fact {
            Fact::CumulativeHours => self.cumulative_minutes = v,
            Fact::HoursLast12Months => self.minutes_last_12_months = v,
            Fact::HoursThisYear => self.minutes_this_year = v,
            Fact::MonthsRegistered => self.months_registered = v,
            Fact::Age => self.age = v,
            Fact::StarLevel => self.star_level = v,
            Fact::MonthlyStarHonours => self.monthly_star_honours = v,
            Fact::AnnualExcellentHonours => self.annual_excellent_honours = v,
            Fact::Honours => self.honours = v,
            Fact::FraudRevocations => self.fraud_revocations = v,
            Fact::Sanctions => self.sanctions = v,
            Fact::AverageRating => self.average_rating_centi = v,
            Fact::RatingCount => self.rating_count = v,
            Fact::Active => self.active = v != 0,
            Fact::Status => self.status = VolunteerStatus::from_code(v),
        }
    }
}

/// Facts for many volunteers as columns (struct of arrays), the shape data
/// teams hand over. Every column a policy reads must have one entry per row;
/// columns the policy never reads may be left empty (they read as 0, false
/// or active when reasons are requested).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FactsColumns {
    /// See [`Facts::cumulative_minutes`].
    pub cumulative_minutes: Vec<i64>,
    /// See [`Facts::minutes_last_12_months`].
    pub minutes_last_12_months: Vec<i64>,
    /// See [`Facts::minutes_this_year`].
    pub minutes_this_year: Vec<i64>,
    /// See [`Facts::months_registered`].
    pub months_registered: Vec<i64>,
    /// See [`Facts::age`].
    pub age: Vec<i64>,
    /// See [`Facts::star_level`].
    pub star_level: Vec<i64>,
    /// See [`Facts::monthly_star_honours`].
    pub monthly_star_honours: Vec<i64>,
    /// See [`Facts::annual_excellent_honours`].
    pub annual_excellent_honours: Vec<i64>,
    /// See [`Facts::honours`].
    pub honours: Vec<i64>,
    /// See [`Facts::fraud_revocations`].
    pub fraud_revocations: Vec<i64>,
    /// See [`Facts::sanctions`].
    pub sanctions: Vec<i64>,
    /// See [`Facts::average_rating_centi`].
    pub average_rating_centi: Vec<i64>,
    /// See [`Facts::rating_count`].
    pub rating_count: Vec<i64>,
    /// See [`Facts::active`].
    pub active: Vec<bool>,
    /// See [`Facts::status`].
    pub status: Vec<VolunteerStatus>,
}

impl FactsColumns {
    /// Columns holding `rows`, every column filled.
    pub fn from_rows(rows: &[Facts]) -> Self {
        let mut c = FactsColumns::default();
        for r in rows {
            c.push(r);
        }
        c
    }

    /// Appends one row to every column.
    pub fn push(&mut self, r: &Facts) {
        self.cumulative_minutes.push(r.cumulative_minutes);
        self.minutes_last_12_months.push(r.minutes_last_12_months);
        self.minutes_this_year.push(r.minutes_this_year);
        self.months_registered.push(r.months_registered);
        self.age.push(r.age);
        self.star_level.push(r.star_level);
        self.monthly_star_honours.push(r.monthly_star_honours);
        self.annual_excellent_honours
            .push(r.annual_excellent_honours);
        self.honours.push(r.honours);
        self.fraud_revocations.push(r.fraud_revocations);
        self.sanctions.push(r.sanctions);
        self.average_rating_centi.push(r.average_rating_centi);
        self.rating_count.push(r.rating_count);
        self.active.push(r.active);
        self.status.push(r.status);
    }

    /// The columns, borrowed (what the column kernels read).
    pub fn as_ref(&self) -> FactsColumnsRef<'_> {
        FactsColumnsRef {
            cumulative_minutes: &self.cumulative_minutes,
            minutes_last_12_months: &self.minutes_last_12_months,
            minutes_this_year: &self.minutes_this_year,
            months_registered: &self.months_registered,
            age: &self.age,
            star_level: &self.star_level,
            monthly_star_honours: &self.monthly_star_honours,
            annual_excellent_honours: &self.annual_excellent_honours,
            honours: &self.honours,
            fraud_revocations: &self.fraud_revocations,
            sanctions: &self.sanctions,
            average_rating_centi: &self.average_rating_centi,
            rating_count: &self.rating_count,
            active: &self.active,
            status: &self.status,
        }
    }

    /// The column name and length of `fact`'s column.
    pub fn column_len(&self, fact: Fact) -> (&'static str, usize) {
        self.as_ref().column_len(fact)
    }

    /// The number of rows: the longest column.
    pub fn rows(&self) -> usize {
        self.as_ref().rows()
    }

    /// The encoded value of `fact` in `row`; callers have checked lengths
    /// of the columns they read, others read as their default.
    #[inline]
    pub fn get(&self, fact: Fact, row: usize) -> i64 {
        self.as_ref().get(fact, row)
    }

    /// Row `row` as a [`Facts`] value.
    pub fn row(&self, row: usize) -> Facts {
        self.as_ref().row(row)
    }
}

/// Facts for many volunteers as borrowed columns: the zero-copy form of
/// [`FactsColumns`] that Arrow and C callers fill from their own buffers.
/// The same rules hold: every column a policy reads has one entry per row,
/// a column the policy never reads may be empty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FactsColumnsRef<'a> {
    /// See [`Facts::cumulative_minutes`].
    pub cumulative_minutes: &'a [i64],
    /// See [`Facts::minutes_last_12_months`].
    pub minutes_last_12_months: &'a [i64],
    /// See [`Facts::minutes_this_year`].
    pub minutes_this_year: &'a [i64],
    /// See [`Facts::months_registered`].
    pub months_registered: &'a [i64],
    /// See [`Facts::age`].
    pub age: &'a [i64],
    /// See [`Facts::star_level`].
    pub star_level: &'a [i64],
    /// See [`Facts::monthly_star_honours`].
    pub monthly_star_honours: &'a [i64],
    /// See [`Facts::annual_excellent_honours`].
    pub annual_excellent_honours: &'a [i64],
    /// See [`Facts::honours`].
    pub honours: &'a [i64],
    /// See [`Facts::fraud_revocations`].
    pub fraud_revocations: &'a [i64],
    /// See [`Facts::sanctions`].
    pub sanctions: &'a [i64],
    /// See [`Facts::average_rating_centi`].
    pub average_rating_centi: &'a [i64],
    /// See [`Facts::rating_count`].
    pub rating_count: &'a [i64],
    /// See [`Facts::active`].
    pub active: &'a [bool],
    /// See [`Facts::status`].
    pub status: &'a [VolunteerStatus],
}

/// One borrowed fact column, typed by its storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactColumn<'a> {
    /// Minutes, counts, hundredths.
    Int(&'a [i64]),
    /// `active`.
    Bool(&'a [bool]),
    /// `status`.
    Status(&'a [VolunteerStatus]),
}

impl FactColumn<'_> {
    /// Number of entries.
    pub fn len(&self) -> usize {
        match self {
            FactColumn::Int(v) => v.len(),
            FactColumn::Bool(v) => v.len(),
            FactColumn::Status(v) => v.len(),
        }
    }

    /// Whether the column is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a> FactsColumnsRef<'a> {
    /// The column name (as in [`FactsColumns`]) and the column of `fact`.
    pub fn column(&self, fact: Fact) -> (&'static str, FactColumn<'a>) {
        use FactColumn::Int;
        match fact {
            Fact::CumulativeHours => ("cumulative_minutes", Int(self.cumulative_minutes)),
            Fact::HoursLast12Months => ("minutes_last_12_months", Int(self.minutes_last_12_months)),
            Fact::HoursThisYear => ("minutes_this_year", Int(self.minutes_this_year)),
            Fact::MonthsRegistered => ("months_registered", Int(self.months_registered)),
            Fact::Age => ("age", Int(self.age)),
            Fact::StarLevel => ("star_level", Int(self.star_level)),
            Fact::MonthlyStarHonours => ("monthly_star_honours", Int(self.monthly_star_honours)),
            Fact::AnnualExcellentHonours => (
                "annual_excellent_honours",
                Int(self.annual_excellent_honours),
            ),
            Fact::Honours => ("honours", Int(self.honours)),
            Fact::FraudRevocations => ("fraud_revocations", Int(self.fraud_revocations)),
            Fact::Sanctions => ("sanctions", Int(self.sanctions)),
            Fact::AverageRating => ("average_rating_centi", Int(self.average_rating_centi)),
            Fact::RatingCount => ("rating_count", Int(self.rating_count)),
            Fact::Active => ("active", FactColumn::Bool(self.active)),
            Fact::Status => ("status", FactColumn::Status(self.status)),
        }
    }

    /// Sets the `i64` column of `fact` (every fact but `active` and
    /// `status`, which have their own types); `false` for those two.
    pub fn set_int(&mut self, fact: Fact, column: &'a [i64]) -> bool {
        let slot = match fact {
            Fact::CumulativeHours => &mut self.cumulative_minutes,
            Fact::HoursLast12Months => &mut self.minutes_last_12_months,
            Fact::HoursThisYear => &mut self.minutes_this_year,
            Fact::MonthsRegistered => &mut self.months_registered,
            Fact::Age => &mut self.age,
            Fact::StarLevel => &mut self.star_level,
            Fact::MonthlyStarHonours => &mut self.monthly_star_honours,
            Fact::AnnualExcellentHonours => &mut self.annual_excellent_honours,
            Fact::Honours => &mut self.honours,
            Fact::FraudRevocations => &mut self.fraud_revocations,
            Fact::Sanctions => &mut self.sanctions,
            Fact::AverageRating => &mut self.average_rating_centi,
            Fact::RatingCount => &mut self.rating_count,
            Fact::Active | Fact::Status => return false,
        };
        *slot = column;
        true
    }

    /// The column name and length of `fact`'s column.
    pub fn column_len(&self, fact: Fact) -> (&'static str, usize) {
        let (name, c) = self.column(fact);
        (name, c.len())
    }

    /// The number of rows: the longest column.
    pub fn rows(&self) -> usize {
        Fact::ALL
            .into_iter()
            .map(|f| self.column_len(f).1)
            .max()
            .unwrap_or(0)
    }

    /// The encoded value of `fact` in `row`; callers have checked lengths
    /// of the columns they read, others read as their default.
    #[inline]
    pub fn get(&self, fact: Fact, row: usize) -> i64 {
        match self.column(fact).1 {
            FactColumn::Int(v) => v.get(row).copied().unwrap_or(0),
            FactColumn::Bool(v) => v.get(row).map_or(0, |&b| i64::from(b)),
            FactColumn::Status(v) => v.get(row).map_or(0, |s| s.code()),
        }
    }

    /// Row `row` as a [`Facts`] value.
    pub fn row(&self, row: usize) -> Facts {
        let mut f = Facts::default();
        for fact in Fact::ALL {
            f.set(fact, self.get(fact, row));
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_arithmetic_clamps_to_month_end() {
        let d = LocalDate::new(2024, 2, 29).unwrap();
        assert_eq!(sub_months(d, 12).to_string(), "2023-02-28");
        assert_eq!(sub_months(d, 36).to_string(), "2021-02-28");
        let d = LocalDate::new(2024, 3, 31).unwrap();
        assert_eq!(sub_months(d, 1).to_string(), "2024-02-29");
        assert_eq!(add_months(d, 11).to_string(), "2025-02-28");
    }

    #[test]
    fn facts_get_set_round_trip_every_fact() {
        let mut f = Facts::default();
        for (i, fact) in Fact::ALL.into_iter().enumerate() {
            let v = match fact.fact_type() {
                FactType::Bool => 1,
                FactType::Status => 2,
                _ => i as i64 + 10,
            };
            f.set(fact, v);
            assert_eq!(f.get(fact), v, "{fact}");
            assert_eq!(Fact::parse(fact.name()), Some(fact));
        }
        let cols = FactsColumns::from_rows(&[f.clone()]);
        assert_eq!(cols.row(0), f);
        assert_eq!(cols.rows(), 1);
    }
}
