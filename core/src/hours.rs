//! Service records and the rules that validate them.
//!
//! A [`ServiceRecord`] is one stretch of volunteer service or training:
//! volunteer, unit, optional team, activity, half-open `[start, end)`, kind,
//! who recorded it and when. Its length is counted in whole minutes (floor of
//! the microsecond difference): the law counts actual time in hours
//! (2020 办法 §7); minutes keep every sum exact.
//!
//! The [`HoursLedger`](crate::ledger::HoursLedger) stores records; this
//! module holds the record types and the [`HoursPolicy`].

use crate::error::{Error, Result};
use crate::policy::ensure;
use crate::time::{MICROS_PER_MINUTE, Timestamp};
use crate::units::{TeamId, UnitId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A volunteer id.
pub type VolunteerId = u64;
/// A client-chosen service-record id (the idempotency key).
pub type RecordId = u64;
/// An activity id.
pub type ActivityId = u64;
/// Who did something: a platform user id (recorder, approver, admin).
pub type ActorId = u64;

/// Service time, or training time (学习时长) kept apart from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// Actual volunteer service; counts towards hours, stars, points.
    Service,
    /// Training; recorded, totalled apart, never counted as service.
    Training,
}

/// Where a record stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// Submitted, awaiting review (a pending entry).
    Submitted,
    /// Approved: its minutes count.
    Approved,
    /// Rejected at review: never counted.
    Rejected,
    /// Approved, then reversed by a linked revocation entry.
    Revoked,
}

impl RecordStatus {
    /// Submitted or approved: occupies the volunteer's time.
    pub fn is_live(self) -> bool {
        matches!(self, RecordStatus::Submitted | RecordStatus::Approved)
    }
}

/// Why an approved record was revoked (2020 办法 §13, §19).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevokeReason {
    /// Entered wrongly.
    Error,
    /// The same service recorded twice.
    Duplicate,
    /// False hours; feeds the `fraud_revocations` fact.
    Fraud,
    /// The activity was not volunteer work and must not be recorded.
    NotVolunteerWork,
    /// The volunteer asked for it.
    VolunteerRequest,
}

impl RevokeReason {
    /// The snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            RevokeReason::Error => "error",
            RevokeReason::Duplicate => "duplicate",
            RevokeReason::Fraud => "fraud",
            RevokeReason::NotVolunteerWork => "not_volunteer_work",
            RevokeReason::VolunteerRequest => "volunteer_request",
        }
    }
}

impl fmt::Display for RevokeReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RevokeReason {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "error" => RevokeReason::Error,
            "duplicate" => RevokeReason::Duplicate,
            "fraud" => RevokeReason::Fraud,
            "not_volunteer_work" => RevokeReason::NotVolunteerWork,
            "volunteer_request" => RevokeReason::VolunteerRequest,
            _ => {
                return Err(Error::invalid_input(
                    "reason",
                    format!(
                        "{s:?} is not one of error, duplicate, fraud, not_volunteer_work, volunteer_request"
                    ),
                ));
            }
        })
    }
}

impl FromStr for RecordKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "service" => Ok(RecordKind::Service),
            "training" => Ok(RecordKind::Training),
            _ => Err(Error::invalid_input(
                "kind",
                format!("{s:?} is not one of service, training"),
            )),
        }
    }
}

/// One stretch of service or training, as submitted.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceRecord {
    /// Client-chosen id; resubmitting the same id with the same body is a
    /// no-op, with a different body a conflict.
    pub id: RecordId,
    /// Who served.
    pub volunteer: VolunteerId,
    /// The organising (recording) unit.
    pub unit: UnitId,
    /// The team served with, if any.
    #[serde(default)]
    pub team: Option<TeamId>,
    /// The activity.
    pub activity: ActivityId,
    /// Start of service, inclusive.
    pub start: Timestamp,
    /// End of service, exclusive.
    pub end: Timestamp,
    /// Service or training.
    pub kind: RecordKind,
    /// Who recorded it.
    pub recorded_by: ActorId,
    /// When it was recorded; also the "now" against which the record must not
    /// lie in the future.
    pub recorded_at: Timestamp,
}

impl ServiceRecord {
    /// Whole minutes served: `floor((end - start) / 1 min)`, 0 if end ≤ start.
    pub fn minutes(&self) -> i64 {
        ((self.end.as_micros() - self.start.as_micros()) / MICROS_PER_MINUTE).max(0)
    }

    /// The first field (in declaration order) whose value differs from
    /// `other`'s, for idempotency conflicts.
    pub fn first_difference(&self, other: &ServiceRecord) -> Option<&'static str> {
        [
            ("volunteer", self.volunteer != other.volunteer),
            ("unit", self.unit != other.unit),
            ("team", self.team != other.team),
            ("activity", self.activity != other.activity),
            ("start", self.start != other.start),
            ("end", self.end != other.end),
            ("kind", self.kind != other.kind),
            ("recorded_by", self.recorded_by != other.recorded_by),
            ("recorded_at", self.recorded_at != other.recorded_at),
        ]
        .into_iter()
        .find(|&(_, differs)| differs)
        .map(|(name, _)| name)
    }
}

/// Something about a record an approver must see. Flags never change the
/// minutes: excess is reported, never cut.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum Flag {
    /// The volunteer's live minutes on this record's local day exceed the
    /// policy's daily review threshold.
    DailyReview {
        /// The local date (of the record's start).
        date: crate::time::LocalDate,
        /// Live minutes that day, this record included.
        day_minutes: i64,
        /// The policy threshold.
        threshold_minutes: i64,
    },
    /// The record is longer than the policy's per-record cap.
    OverRecordCap {
        /// The record's minutes.
        minutes: i64,
        /// The cap.
        cap_minutes: i64,
    },
    /// Recorded after the recording deadline (N working days after the end);
    /// approval needs an explicit late approval.
    Late {
        /// The first instant past the deadline.
        deadline: Timestamp,
    },
}

/// Hours-ledger validation rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HoursPolicy {
    /// Live minutes in one local day above which a record is flagged for
    /// review (never cut). Default 720 (12 h).
    pub daily_review_minutes: u32,
    /// Optional cap on one record's minutes; longer records are flagged.
    /// Default: none.
    pub per_record_cap_minutes: Option<u32>,
    /// Working days after a record's end within which it must be recorded
    /// (2020 办法 §11). Default 10.
    pub recording_deadline_working_days: u32,
}

impl Default for HoursPolicy {
    fn default() -> Self {
        HoursPolicy {
            daily_review_minutes: 720,
            per_record_cap_minutes: None,
            recording_deadline_working_days: 10,
        }
    }
}

impl HoursPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        ensure(
            self.daily_review_minutes > 0,
            "daily_review_minutes",
            "must be > 0",
        )?;
        ensure(
            self.daily_review_minutes <= 24 * 60,
            "daily_review_minutes",
            "must be <= 1440",
        )?;
        if let Some(c) = self.per_record_cap_minutes {
            ensure(c > 0, "per_record_cap_minutes", "must be > 0")?;
        }
        ensure(
            self.recording_deadline_working_days <= 366,
            "recording_deadline_working_days",
            "must be <= 366",
        )?;
        Ok(())
    }
}
