//! The hours ledger's calls as data.
//!
//! Each call of [`HoursLedger`] has a serde type here, so that every wire
//! form — the C library's JSON calls, the golden vectors, a message queue in
//! front of a platform — decodes into the same type and runs the same code.
//! A [`Command`] changes the ledger; a [`Query`] reads it.
//!
//! ```
//! use zhiyuan::ledger::HoursLedger;
//! use zhiyuan::ledger_ops::{Approve, ApprovedMinutes, Command, Query};
//! use zhiyuan::hours::ServiceRecord;
//! use zhiyuan::units::{Unit, UnitTree};
//! use zhiyuan::Policy;
//!
//! let units = UnitTree::new(vec![Unit::new(1, None, "江宁区", "county")], vec![])?;
//! let mut ledger = HoursLedger::new(Policy::default(), units);
//! let record: ServiceRecord = serde_json::from_str(r#"{"id": 1, "volunteer": 7,
//!     "unit": 1, "activity": 3, "start": "2024-03-02T01:00:00Z",
//!     "end": "2024-03-02T03:30:00Z", "kind": "service", "recorded_by": 9,
//!     "recorded_at": "2024-03-02T04:00:00Z"}"#).unwrap();
//! assert_eq!(record.apply(&mut ledger)?.minutes, 150);
//! let approve: Approve = serde_json::from_str(
//!     r#"{"id": 1, "by": 2, "at": "2024-03-03T00:00:00Z"}"#).unwrap();
//! approve.apply(&mut ledger)?;
//! let ask: ApprovedMinutes = serde_json::from_str(
//!     r#"{"volunteer": 7, "as_of": "2024-03-04T00:00:00Z"}"#).unwrap();
//! assert_eq!(ask.ask(&ledger)?, 150);
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::Result;
use crate::hours::{ActorId, RecordId, RevokeReason, ServiceRecord, VolunteerId};
use crate::ledger::{
    Entry, GroupBy, GroupTotal, HoursLedger, PeriodTotal, Receipt, RecordState, Scope,
};
use crate::time::{Grain, Timestamp};
use serde::{Deserialize, Serialize};

/// A call that changes the ledger.
pub trait Command {
    /// What the call returns (`()` serialises as JSON `null`).
    type Output: Serialize;
    /// Runs the call; on error the ledger is unchanged.
    fn apply(self, ledger: &mut HoursLedger) -> Result<Self::Output>;
}

/// A call that reads the ledger.
pub trait Query {
    /// What the call returns.
    type Output: Serialize;
    /// Runs the call.
    fn ask(self, ledger: &HoursLedger) -> Result<Self::Output>;
}

/// [`HoursLedger::submit`]: the record itself is the call.
impl Command for ServiceRecord {
    type Output = Receipt;
    fn apply(self, ledger: &mut HoursLedger) -> Result<Receipt> {
        ledger.submit(self)
    }
}

/// [`HoursLedger::submit_batch`]: all or nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitBatch {
    /// The records, in submission order.
    pub records: Vec<ServiceRecord>,
}

impl Command for SubmitBatch {
    type Output = Vec<Receipt>;
    fn apply(self, ledger: &mut HoursLedger) -> Result<Vec<Receipt>> {
        ledger.submit_batch(self.records)
    }
}

/// [`HoursLedger::approve`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approve {
    /// The record.
    pub id: RecordId,
    /// The approver.
    pub by: ActorId,
    /// When.
    pub at: Timestamp,
    /// Accept a record submitted after the policy's deadline. Default false.
    #[serde(default)]
    pub late_ok: bool,
}

impl Command for Approve {
    type Output = ();
    fn apply(self, ledger: &mut HoursLedger) -> Result<()> {
        ledger.approve(self.id, self.by, self.at, self.late_ok)
    }
}

/// [`HoursLedger::reject`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reject {
    /// The record.
    pub id: RecordId,
    /// The reviewer.
    pub by: ActorId,
    /// When.
    pub at: Timestamp,
    /// Why, for the volunteer.
    pub reason: String,
}

impl Command for Reject {
    type Output = ();
    fn apply(self, ledger: &mut HoursLedger) -> Result<()> {
        ledger.reject(self.id, self.by, self.at, &self.reason)
    }
}

/// [`HoursLedger::revoke`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revoke {
    /// The approved record.
    pub id: RecordId,
    /// Why (2020 办法 §13, §19).
    pub reason: RevokeReason,
    /// The administrator.
    pub by: ActorId,
    /// When.
    pub at: Timestamp,
    /// Free text for the audit trail. Default empty.
    #[serde(default)]
    pub note: String,
}

impl Command for Revoke {
    type Output = ();
    fn apply(self, ledger: &mut HoursLedger) -> Result<()> {
        ledger.revoke(self.id, self.reason, self.by, self.at, &self.note)
    }
}

/// [`HoursLedger::amend`]: revokes `old` and submits `record` atomically.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amend {
    /// The approved record being corrected.
    pub old: RecordId,
    /// Its replacement.
    pub record: ServiceRecord,
    /// Why the old one is revoked.
    pub reason: RevokeReason,
    /// The administrator.
    pub by: ActorId,
    /// When.
    pub at: Timestamp,
}

impl Command for Amend {
    type Output = Receipt;
    fn apply(self, ledger: &mut HoursLedger) -> Result<Receipt> {
        ledger.amend(self.old, self.record, self.reason, self.by, self.at)
    }
}

/// [`HoursLedger::record`]: one record's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordOf {
    /// The record.
    pub id: RecordId,
}

impl Query for RecordOf {
    type Output = RecordState;
    fn ask(self, ledger: &HoursLedger) -> Result<RecordState> {
        ledger.record(self.id).cloned()
    }
}

/// [`HoursLedger::history`]: one record's audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct History {
    /// The record.
    pub id: RecordId,
}

impl Query for History {
    type Output = Vec<Entry>;
    fn ask(self, ledger: &HoursLedger) -> Result<Vec<Entry>> {
        ledger.history(self.id)
    }
}

/// [`HoursLedger::approved_minutes`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovedMinutes {
    /// The volunteer.
    pub volunteer: VolunteerId,
    /// The instant the balance is read at.
    pub as_of: Timestamp,
}

impl Query for ApprovedMinutes {
    type Output = i64;
    fn ask(self, ledger: &HoursLedger) -> Result<i64> {
        Ok(ledger.approved_minutes(self.volunteer, self.as_of))
    }
}

/// [`HoursLedger::star_level`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StarLevel {
    /// The volunteer.
    pub volunteer: VolunteerId,
    /// The instant the level is read at.
    pub as_of: Timestamp,
}

impl Query for StarLevel {
    type Output = u8;
    fn ask(self, ledger: &HoursLedger) -> Result<u8> {
        Ok(ledger.star_level(self.volunteer, self.as_of))
    }
}

/// [`HoursLedger::totals`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Totals {
    /// Whose minutes.
    pub scope: Scope,
    /// Day, week, month or year.
    pub grain: Grain,
    /// The instant the totals are read at.
    pub as_of: Timestamp,
}

impl Query for Totals {
    type Output = Vec<PeriodTotal>;
    fn ask(self, ledger: &HoursLedger) -> Result<Vec<PeriodTotal>> {
        ledger.totals(self.scope, self.grain, self.as_of)
    }
}

/// [`HoursLedger::totals_by`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotalsBy {
    /// Volunteer, team or unit.
    pub group: GroupBy,
    /// Day, week, month or year.
    pub grain: Grain,
    /// The instant the totals are read at.
    pub as_of: Timestamp,
}

impl Query for TotalsBy {
    type Output = Vec<GroupTotal>;
    fn ask(self, ledger: &HoursLedger) -> Result<Vec<GroupTotal>> {
        Ok(ledger.totals_by(self.group, self.grain, self.as_of))
    }
}
