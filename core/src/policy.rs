//! The validated, hashable [`Policy`]: every threshold, weight and window.
//!
//! A policy is data. It loads from TOML or JSON (missing keys take their
//! defaults, unknown keys are errors), is validated as a whole (errors name
//! the field path, e.g. `hours.daily_review_minutes: must be > 0`), and has a
//! stable content hash: SHA-256 over a canonical JSON encoding (sorted keys,
//! no insignificant whitespace). Every decision records the hash it used.
//!
//! ```
//! use zhiyuan::Policy;
//! let p = Policy::from_toml("[hours]\ndaily_review_minutes = 600\n")?;
//! assert_eq!(p.hours.daily_review_minutes, 600);
//! assert_ne!(p.hash(), Policy::default().hash());
//!
//! let err = Policy::from_toml("[hours]\ndaily_review_minutes = 0\n").unwrap_err();
//! assert_eq!(err.to_string(), "hours.daily_review_minutes: must be > 0");
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::time::{Calendar, LocalDate, UtcOffset};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::ops::Deref;

/// The plain data of a policy: every section, with public fields.
///
/// Build one (usually from [`Policy::default`]'s spec), change what you
/// need, and turn it into a [`Policy`] with [`Policy::new`], which validates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicySpec {
    /// Local time and working days.
    pub calendar: CalendarPolicy,
    /// Hours-ledger validation.
    pub hours: crate::hours::HoursPolicy,
    /// The star ladder.
    pub stars: crate::stars::StarsPolicy,
    /// How volunteer facts are derived (windows, the "active" bar).
    pub facts: crate::facts::FactsPolicy,
    /// Points accrual and expiry.
    pub points: crate::points::PointsPolicy,
    /// 文明贷 gates and tiers.
    pub credit: crate::credit::CreditPolicy,
    /// Perk catalogue rules.
    pub perks: crate::perks::PerksPolicy,
    /// 文明秀 valid-like filter and weekly board.
    pub likes: crate::posts::LikesPolicy,
    /// 十佳文明秀之星 monthly selection.
    pub monthly_stars: crate::selection::MonthlyStarsPolicy,
    /// 千名优秀志愿者 annual selection.
    pub annual: crate::selection::AnnualPolicy,
    /// 五单 order workflow: categories and SLAs.
    pub orders: crate::orders::OrdersPolicy,
    /// Dispatch inside the ten-minute circle.
    pub dispatch: crate::dispatch::DispatchPolicy,
}

impl PolicySpec {
    /// Checks every section; the error names the first bad field path.
    pub fn validate(&self) -> Result<()> {
        self.calendar.validate().map_err(|e| e.at("calendar"))?;
        self.hours.validate().map_err(|e| e.at("hours"))?;
        self.stars.validate().map_err(|e| e.at("stars"))?;
        self.facts.validate().map_err(|e| e.at("facts"))?;
        self.points.validate().map_err(|e| e.at("points"))?;
        self.credit.validate(self).map_err(|e| e.at("credit"))?;
        self.perks.validate().map_err(|e| e.at("perks"))?;
        self.likes.validate().map_err(|e| e.at("likes"))?;
        self.monthly_stars
            .validate()
            .map_err(|e| e.at("monthly_stars"))?;
        self.annual.validate().map_err(|e| e.at("annual"))?;
        self.orders.validate().map_err(|e| e.at("orders"))?;
        self.dispatch.validate(self).map_err(|e| e.at("dispatch"))?;
        Ok(())
    }
}

/// A validated policy with its content hash. Derefs to [`PolicySpec`], so
/// sections read as `policy.hours.daily_review_minutes`.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    spec: PolicySpec,
    calendar: Calendar,
    hash: String,
}

impl Default for Policy {
    /// The Jiangsu defaults documented in `docs/policy.md`.
    fn default() -> Self {
        Policy::new(PolicySpec::default()).expect("the default policy is valid")
    }
}

impl Deref for Policy {
    type Target = PolicySpec;
    fn deref(&self) -> &PolicySpec {
        &self.spec
    }
}

impl Policy {
    /// Validates `spec` and computes its hash.
    pub fn new(spec: PolicySpec) -> Result<Self> {
        spec.validate()?;
        let calendar = spec.calendar.to_calendar()?;
        let hash = hash_hex(&canonical_json(&spec));
        Ok(Policy {
            spec,
            calendar,
            hash,
        })
    }

    /// Parses TOML; missing keys take defaults, unknown keys are errors.
    pub fn from_toml(text: &str) -> Result<Self> {
        let de = toml::Deserializer::parse(text)
            .map_err(|e| Error::policy(WHOLE, format!("invalid TOML: {}", e.message())))?;
        let spec: PolicySpec = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            Error::policy(clean_path(&path), inner.message().to_owned())
        })?;
        Policy::new(spec)
    }

    /// Parses JSON; missing keys take defaults, unknown keys are errors.
    pub fn from_json(text: &str) -> Result<Self> {
        // serde reads a struct from an array too (fields by position); a
        // policy is only ever an object of named sections.
        if text.trim_start().starts_with('[') {
            return Err(Error::policy(
                WHOLE,
                "expected an object of policy sections, got an array",
            ));
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let spec: PolicySpec = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let msg = inner.to_string();
            // serde_json appends " at line L column C"; keep it, it helps.
            Error::policy(clean_path(&path), msg)
        })?;
        de.end()
            .map_err(|e| Error::policy(WHOLE, format!("trailing characters: {e}")))?;
        Policy::new(spec)
    }

    /// The full policy as TOML (every key, defaults included).
    pub fn to_toml(&self) -> String {
        toml::to_string(&self.spec).expect("a validated policy serializes to TOML")
    }

    /// The full policy as canonical JSON: sorted keys, no whitespace. This is
    /// exactly the text that is hashed.
    pub fn to_json(&self) -> String {
        canonical_json(&self.spec)
    }

    /// The lowercase hex SHA-256 of [`Policy::to_json`].
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The plain data of this policy.
    pub fn spec(&self) -> &PolicySpec {
        &self.spec
    }

    /// The working-day calendar built from the `calendar` section.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// The UTC offset at which periods are cut.
    pub fn offset(&self) -> UtcOffset {
        self.calendar.offset()
    }
}

/// The field named by an error about the whole document (a syntax error,
/// a document that is not a table), so that every error names a field.
const WHOLE: &str = "policy";

fn clean_path(p: &str) -> String {
    // "." is the root; "" the path of an unknown key that is itself empty.
    if p == "." || p.is_empty() {
        WHOLE.to_owned()
    } else {
        p.to_owned()
    }
}

fn canonical_json<T: Serialize>(v: &T) -> String {
    // serde_json::Value keeps object keys in a BTreeMap (sorted), and the
    // compact writer adds no whitespace: a canonical form for our data.
    let value = serde_json::to_value(v).expect("policy data is JSON-representable");
    serde_json::to_string(&value).expect("a JSON value serializes")
}

fn hash_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Local time and working days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarPolicy {
    /// Minutes east of UTC at which days, weeks, months and years are cut.
    /// Default 480 (UTC+08:00).
    pub utc_offset_minutes: i32,
    /// Public holidays (non-working even on weekdays).
    pub holidays: Vec<LocalDate>,
    /// Make-up workdays (调休): weekend days that are worked.
    pub makeup_workdays: Vec<LocalDate>,
}

impl Default for CalendarPolicy {
    fn default() -> Self {
        CalendarPolicy {
            utc_offset_minutes: 480,
            holidays: Vec::new(),
            makeup_workdays: Vec::new(),
        }
    }
}

impl CalendarPolicy {
    fn validate(&self) -> Result<()> {
        UtcOffset::from_minutes(self.utc_offset_minutes)
            .map_err(|_| Error::policy("utc_offset_minutes", "must be within -1080..=1080"))?;
        for (i, d) in self.makeup_workdays.iter().enumerate() {
            if self.holidays.contains(d) {
                return Err(Error::policy(
                    format!("makeup_workdays[{i}]"),
                    format!("{d} is also listed as a holiday"),
                ));
            }
        }
        Ok(())
    }

    fn to_calendar(&self) -> Result<Calendar> {
        Ok(Calendar::new(
            UtcOffset::from_minutes(self.utc_offset_minutes)?,
            self.holidays.iter().copied(),
            self.makeup_workdays.iter().copied(),
        ))
    }
}

/// Returns a [`ErrorKind::PolicyInvalid`](crate::ErrorKind::PolicyInvalid)
/// error about `field` unless `ok`.
pub(crate) fn ensure(ok: bool, field: &str, message: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::policy(field, message))
    }
}
