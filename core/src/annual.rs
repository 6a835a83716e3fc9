//! 千名优秀志愿者: the annual excellent volunteers, with district quotas.
//!
//! [`annual_selection`] takes an [`AnnualRound`]: the year and a table of
//! candidate facts given as plain data ([`AnnualCandidate`]: approved
//! minutes in the year, average rating, honours, fulfilled orders, district,
//! fraud revocations, age). It
//!
//! 1. checks **eligibility** against [`AnnualPolicy`] (`policy.annual`):
//!    at least `min_minutes` approved minutes in the year (default 20 h),
//!    no fraud revocation (when `exclude_fraud`), an optional age band;
//!    every failed rule is listed with the required and actual values;
//! 2. scores each eligible candidate with an exact **composite**: four parts
//!    on 0–100 (`min(x, full) × 100 / full` for hours, honours and orders;
//!    `(rating − 1000) × 100 / 4000` for an average rating in thousandths
//!    of a star, 0 when unrated), weighted in permille summing to 1000;
//! 3. splits `total` (default 1000) seats among districts in proportion to
//!    their eligible volunteers with [`apportion`] (Sainte-Laguë by default),
//!    each district capped at its eligible candidates;
//! 4. fills each district's seats by score desc, annual minutes desc,
//!    volunteer id asc, and returns the public-notice list and the
//!    [`Winner`]s.
//!
//! ```
//! use zhiyuan::{Policy, PolicySpec, annual::{annual_selection, AnnualCandidate, AnnualRound}};
//! let c = |volunteer, district, hours: i64| AnnualCandidate {
//!     volunteer, district, annual_minutes: hours * 60, ..AnnualCandidate::default()
//! };
//! let mut spec = PolicySpec::default();
//! spec.annual.total = 2;
//! let round = AnnualRound {
//!     year: "2024".parse()?,
//!     candidates: vec![c(1, 10, 50), c(2, 10, 90), c(3, 20, 30), c(4, 20, 19)],
//! };
//! let r = annual_selection(&Policy::new(spec)?, &round)?;
//! assert_eq!(r.quotas.seats(), vec![1, 1]); // 2 and 1 eligible: one seat each
//! let chosen: Vec<u64> = r.winners.iter().map(|w| w.volunteer).collect();
//! assert_eq!(chosen, vec![2, 3]);
//! assert_eq!(r.ineligible[0].volunteer, 4); // 19 h < 20 h
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::apportion::{Apportionment, District, MAX_TOTAL, Method, apportion};
use crate::error::{Error, Result};
use crate::hours::{RevokeReason, VolunteerId};
use crate::ledger::HoursLedger;
use crate::policy::{Policy, ensure};
use crate::selection::{Ratio, SelectionKind, Winner, at};
use crate::time::{Period, Timestamp};
use crate::units::UnitId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The `annual` policy section. Defaults follow domain-rules §0, §5.5–5.6;
/// `docs/policy/annual.md` lists every field and source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnnualPolicy {
    /// Seats across all districts. Default 1000.
    pub total: u64,
    /// Apportionment method. Default `sainte_lague`.
    pub method: Method,
    /// Approved service minutes needed in the year. Default 1200 (20 h).
    pub min_minutes: i64,
    /// A fraud revocation in the year makes a candidate ineligible.
    /// Default true.
    pub exclude_fraud: bool,
    /// Youngest eligible age, if any. Default none (亳州 uses 18).
    pub min_age: Option<u32>,
    /// Oldest eligible age, if any. Default none (亳州 uses 60).
    pub max_age: Option<u32>,
    /// Annual minutes that earn the full hours part. Default 12000 (200 h).
    pub hours_full_minutes: i64,
    /// Honours that earn the full honours part. Default 5.
    pub honours_full: u32,
    /// Fulfilled orders that earn the full orders part. Default 50.
    pub orders_full: u32,
    /// Weight of the hours part, permille. Default 500.
    pub weight_hours_permille: u32,
    /// Weight of the rating part, permille. Default 200.
    pub weight_rating_permille: u32,
    /// Weight of the honours part, permille. Default 150.
    pub weight_honours_permille: u32,
    /// Weight of the orders part, permille. Default 150.
    pub weight_orders_permille: u32,
}

impl Default for AnnualPolicy {
    fn default() -> Self {
        AnnualPolicy {
            total: 1000,
            method: Method::SainteLague,
            min_minutes: 20 * 60,
            exclude_fraud: true,
            min_age: None,
            max_age: None,
            hours_full_minutes: 200 * 60,
            honours_full: 5,
            orders_full: 50,
            weight_hours_permille: 500,
            weight_rating_permille: 200,
            weight_honours_permille: 150,
            weight_orders_permille: 150,
        }
    }
}

impl AnnualPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        ensure(
            (1..=MAX_TOTAL).contains(&self.total),
            "total",
            &format!("must be within 1..={MAX_TOTAL}"),
        )?;
        ensure(self.min_minutes >= 0, "min_minutes", "must be >= 0")?;
        if let (Some(lo), Some(hi)) = (self.min_age, self.max_age) {
            ensure(lo <= hi, "max_age", &format!("must be >= min_age ({lo})"))?;
        }
        ensure(
            self.hours_full_minutes >= 1,
            "hours_full_minutes",
            "must be >= 1",
        )?;
        ensure(self.honours_full >= 1, "honours_full", "must be >= 1")?;
        ensure(self.orders_full >= 1, "orders_full", "must be >= 1")?;
        let w = [
            self.weight_hours_permille,
            self.weight_rating_permille,
            self.weight_honours_permille,
            self.weight_orders_permille,
        ];
        let sum: u64 = w.iter().map(|&x| u64::from(x)).sum();
        ensure(
            sum == 1000,
            "weight_orders_permille",
            &format!(
                "weight_hours_permille + weight_rating_permille + weight_honours_permille + \
                 weight_orders_permille must be 1000, got {} + {} + {} + {} = {sum}",
                w[0], w[1], w[2], w[3]
            ),
        )?;
        Ok(())
    }
}

/// One candidate's facts for the year, as plain data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualCandidate {
    /// The volunteer.
    pub volunteer: VolunteerId,
    /// The district (org unit) whose quota the candidate competes for.
    pub district: UnitId,
    /// Approved service minutes in the year (not revoked).
    pub annual_minutes: i64,
    /// Average rating in thousandths of a star (1000–5000), if rated.
    #[serde(default)]
    pub avg_rating_milli: Option<u32>,
    /// Honours received in the year.
    #[serde(default)]
    pub honours: u32,
    /// Service orders fulfilled in the year.
    #[serde(default)]
    pub fulfilled_orders: u32,
    /// Records revoked for fraud in the year.
    #[serde(default)]
    pub fraud_revocations: u32,
    /// Age in whole years on the reference date, if known.
    #[serde(default)]
    pub age: Option<u32>,
}

impl AnnualCandidate {
    /// The same candidate with `annual_minutes` and `fraud_revocations` taken
    /// from `ledger` as of `as_of`: approved service minutes of records that
    /// start in `year` (local time), and fraud revocations that took effect
    /// from the start of `year` up to `as_of` (so a fraud found early the
    /// next year, before the selection, still counts).
    ///
    /// ```
    /// use zhiyuan::{Policy, annual::AnnualCandidate, ledger::HoursLedger, units::UnitTree};
    /// let ledger = HoursLedger::new(Policy::default(), UnitTree::new(vec![], vec![])?);
    /// let c = AnnualCandidate { volunteer: 7, district: 1, ..AnnualCandidate::default() }
    ///     .with_ledger_facts(&ledger, "2024".parse()?, "2025-01-10T00:00:00Z".parse()?)?;
    /// assert_eq!((c.annual_minutes, c.fraud_revocations), (0, 0));
    /// # Ok::<(), zhiyuan::Error>(())
    /// ```
    pub fn with_ledger_facts(
        self,
        ledger: &HoursLedger,
        year: Period,
        as_of: Timestamp,
    ) -> Result<AnnualCandidate> {
        if !matches!(year, Period::Year(_)) {
            return Err(Error::invalid_input("year", "must be a year like 2024"));
        }
        let (from, to) = year.bounds(ledger.policy().offset());
        let fraud = ledger
            .revocations(self.volunteer, as_of)
            .iter()
            .filter(|r| r.reason == RevokeReason::Fraud && r.at >= from)
            .count();
        Ok(AnnualCandidate {
            annual_minutes: ledger.approved_minutes_in(self.volunteer, from, to, as_of),
            fraud_revocations: u32::try_from(fraud).unwrap_or(u32::MAX),
            ..self
        })
    }
}

/// The input of an annual selection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualRound {
    /// The year, e.g. `2024`.
    pub year: Period,
    /// Every nominated candidate, in any order.
    pub candidates: Vec<AnnualCandidate>,
}

/// An eligibility rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EligibilityRule {
    /// At least `min_minutes` approved minutes in the year.
    MinMinutes,
    /// No fraud revocation.
    NoFraud,
    /// At least `min_age`.
    MinAge,
    /// At most `max_age`.
    MaxAge,
    /// An age band is set but the age is unknown.
    AgeKnown,
}

/// A failed eligibility rule with the required and actual values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Failure {
    /// The rule.
    pub rule: EligibilityRule,
    /// The bound the rule requires (minutes, count or age).
    pub required: Option<i64>,
    /// The candidate's value, if known.
    pub actual: Option<i64>,
}

/// An ineligible candidate and every rule they fail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ineligible {
    /// The volunteer.
    pub volunteer: VolunteerId,
    /// Their district.
    pub district: UnitId,
    /// Failed rules, in rule order.
    pub failures: Vec<Failure>,
}

/// An eligible candidate's composite score and place in their district.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualStanding {
    /// District.
    pub district: UnitId,
    /// 1-based place in the district's total order.
    pub district_rank: u32,
    /// Within the district's quota.
    pub selected: bool,
    /// The volunteer.
    pub volunteer: VolunteerId,
    /// Approved minutes in the year.
    pub annual_minutes: i64,
    /// Hours part, 0–100.
    pub hours_part: Ratio,
    /// Rating part, 0–100.
    pub rating_part: Ratio,
    /// Honours part, 0–100.
    pub honours_part: Ratio,
    /// Orders part, 0–100.
    pub orders_part: Ratio,
    /// Weighted composite, 0–100.
    pub score: Ratio,
    /// `score` to 4 decimals, for display.
    pub score_display: String,
}

/// The outcome of an annual selection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualResult {
    /// The year.
    pub year: Period,
    /// Hash of the policy used.
    pub policy_hash: String,
    /// Seats per district (sizes and caps = eligible candidates).
    pub quotas: Apportionment,
    /// Every eligible candidate by district id, then district rank; the
    /// public-notice list is the `selected` ones.
    pub standings: Vec<AnnualStanding>,
    /// Ineligible candidates by volunteer id.
    pub ineligible: Vec<Ineligible>,
    /// The selected volunteers, in `standings` order.
    pub winners: Vec<Winner>,
}

impl AnnualResult {
    /// The public-notice list: the selected standings.
    pub fn notice(&self) -> impl Iterator<Item = &AnnualStanding> {
        self.standings.iter().filter(|s| s.selected)
    }

    /// The selected volunteer ids, in `standings` order (for the honours
    /// registry's `record_winners(AnnualExcellent, year, ids, …)`).
    pub fn winner_ids(&self) -> Vec<VolunteerId> {
        self.winners.iter().map(|w| w.volunteer).collect()
    }
}

/// Every eligibility rule `c` fails under `p`.
fn failures(p: &AnnualPolicy, c: &AnnualCandidate) -> Vec<Failure> {
    let mut out = Vec::new();
    if c.annual_minutes < p.min_minutes {
        out.push(Failure {
            rule: EligibilityRule::MinMinutes,
            required: Some(p.min_minutes),
            actual: Some(c.annual_minutes),
        });
    }
    if p.exclude_fraud && c.fraud_revocations > 0 {
        out.push(Failure {
            rule: EligibilityRule::NoFraud,
            required: Some(0),
            actual: Some(i64::from(c.fraud_revocations)),
        });
    }
    let age = c.age.map(i64::from);
    if (p.min_age.is_some() || p.max_age.is_some()) && age.is_none() {
        out.push(Failure {
            rule: EligibilityRule::AgeKnown,
            required: None,
            actual: None,
        });
    }
    if let (Some(lo), Some(a)) = (p.min_age, age)
        && a < i64::from(lo)
    {
        out.push(Failure {
            rule: EligibilityRule::MinAge,
            required: Some(i64::from(lo)),
            actual: Some(a),
        });
    }
    if let (Some(hi), Some(a)) = (p.max_age, age)
        && a > i64::from(hi)
    {
        out.push(Failure {
            rule: EligibilityRule::MaxAge,
            required: Some(i64::from(hi)),
            actual: Some(a),
        });
    }
    out
}

/// `min(x, full) × 100 / full`.
fn capped_part(x: i64, full: i64) -> Result<Ratio> {
    Ratio::new(i128::from(x.min(full)) * 100, i128::from(full))
}

/// The composite score of an eligible candidate, as a standing without its
/// place.
fn score(p: &AnnualPolicy, c: &AnnualCandidate) -> Result<AnnualStanding> {
    let hours_part = capped_part(c.annual_minutes, p.hours_full_minutes)?;
    let rating_part = match c.avg_rating_milli {
        Some(r) => Ratio::new((i128::from(r) - 1000) * 100, 4000)?,
        None => Ratio::ZERO,
    };
    let honours_part = capped_part(i64::from(c.honours), i64::from(p.honours_full))?;
    let orders_part = capped_part(i64::from(c.fulfilled_orders), i64::from(p.orders_full))?;
    let mut score = Ratio::ZERO;
    for (part, w) in [
        (hours_part, p.weight_hours_permille),
        (rating_part, p.weight_rating_permille),
        (honours_part, p.weight_honours_permille),
        (orders_part, p.weight_orders_permille),
    ] {
        score = score.checked_add(part.checked_scale(i128::from(w), 1000)?)?;
    }
    Ok(AnnualStanding {
        district: c.district,
        district_rank: 0,
        selected: false,
        volunteer: c.volunteer,
        annual_minutes: c.annual_minutes,
        hours_part,
        rating_part,
        honours_part,
        orders_part,
        score,
        score_display: score.to_decimal(4),
    })
}

/// Runs the annual selection; see the module docs.
///
/// Errors: `year` not a year period; a volunteer listed twice (Conflict);
/// negative minutes or a rating outside 1000–5000 (InvalidInput).
pub fn annual_selection(policy: &Policy, round: &AnnualRound) -> Result<AnnualResult> {
    let p = &policy.annual;
    if !matches!(round.year, Period::Year(_)) {
        return Err(Error::invalid_input("year", "must be a year like 2024"));
    }
    let mut seen = BTreeSet::new();
    let mut eligible: BTreeMap<UnitId, Vec<AnnualStanding>> = BTreeMap::new();
    let mut ineligible = Vec::new();
    for (i, c) in round.candidates.iter().enumerate() {
        let f = at("candidates", i);
        if !seen.insert(c.volunteer) {
            return Err(Error::conflict(
                format!("{f}.volunteer"),
                format!("volunteer {} is listed twice", c.volunteer),
            ));
        }
        if c.annual_minutes < 0 {
            return Err(Error::invalid_input(
                format!("{f}.annual_minutes"),
                "must be >= 0",
            ));
        }
        if let Some(r) = c.avg_rating_milli
            && !(1000..=5000).contains(&r)
        {
            return Err(Error::invalid_input(
                format!("{f}.avg_rating_milli"),
                format!("must be within 1000..=5000, got {r}"),
            ));
        }
        let fails = failures(p, c);
        let list = eligible.entry(c.district).or_default();
        if fails.is_empty() {
            list.push(score(p, c).map_err(|e| e.at(&f))?);
        } else {
            ineligible.push(Ineligible {
                volunteer: c.volunteer,
                district: c.district,
                failures: fails,
            });
        }
    }
    ineligible.sort_by_key(|x| x.volunteer);
    let districts: Vec<District> = eligible
        .iter()
        .map(|(&id, list)| District::new(id, list.len() as u64).with_cap(list.len() as u64))
        .collect();
    let quotas = apportion(&districts, p.total, p.method)?;
    let mut standings = Vec::new();
    let mut winners = Vec::new();
    for (district, mut list) in eligible {
        list.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then(b.annual_minutes.cmp(&a.annual_minutes))
                .then(a.volunteer.cmp(&b.volunteer))
        });
        let seats = quotas.seats_of(district);
        for (i, mut s) in list.into_iter().enumerate() {
            s.district_rank = i as u32 + 1;
            s.selected = (i as u64) < seats;
            if s.selected {
                winners.push(Winner {
                    volunteer: s.volunteer,
                    kind: SelectionKind::AnnualExcellent,
                    period: round.year,
                });
            }
            standings.push(s);
        }
    }
    Ok(AnnualResult {
        year: round.year,
        policy_hash: policy.hash().to_owned(),
        quotas,
        standings,
        ineligible,
        winners,
    })
}
