//! The hours ledger: append-only, idempotent, auditable (TigerBeetle-style).
//!
//! Every action — submit, approve, reject, revoke — is an [`Entry`] in an
//! append-only log with its actor and time; balances are folds of that log.
//! A submitted record is a pending entry; approval posts it, rejection voids
//! it; an approved record is never edited, only reversed by a linked
//! revocation with a [`RevokeReason`] (and [`HoursLedger::amend`] = revoke +
//! a new linked record, atomically).
//!
//! ```
//! use zhiyuan::ledger::HoursLedger;
//! use zhiyuan::hours::{RecordKind, ServiceRecord};
//! use zhiyuan::units::{Unit, UnitTree};
//! use zhiyuan::Policy;
//!
//! let units = UnitTree::new(vec![Unit::new(1, None, "中心", "centre")], vec![])?;
//! let mut ledger = HoursLedger::new(Policy::default(), units);
//! let t = |s: &str| s.parse().unwrap();
//! let record = ServiceRecord {
//!     id: 7, volunteer: 42, unit: 1, team: None, activity: 3,
//!     start: t("2024-03-04T01:00:00Z"), end: t("2024-03-04T03:30:00Z"),
//!     kind: RecordKind::Service, recorded_by: 9, recorded_at: t("2024-03-04T04:00:00Z"),
//! };
//! let receipt = ledger.submit(record.clone())?;
//! assert_eq!(receipt.minutes, 150);
//! // Same id, same body: a no-op that returns the original receipt.
//! assert_eq!(ledger.submit(record)?, receipt);
//! ledger.approve(7, 9, t("2024-03-05T00:00:00Z"), false)?;
//! assert_eq!(ledger.approved_minutes(42, t("2024-03-05T00:00:00Z")), 150);
//! // "As of" before the approval, nothing counted yet.
//! assert_eq!(ledger.approved_minutes(42, t("2024-03-04T12:00:00Z")), 0);
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::hours::{
    ActorId, Flag, RecordId, RecordKind, RecordStatus, RevokeReason, ServiceRecord, VolunteerId,
};
use crate::policy::{Policy, PolicySpec};
use crate::time::{Grain, Period, Timestamp};
use crate::units::{Team, TeamId, Unit, UnitId, UnitTree};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// What a submission returns; resubmitting the same record returns the same
/// receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The record id.
    pub id: RecordId,
    /// Whole minutes of the record.
    pub minutes: i64,
    /// What the approver must see (never changes the minutes).
    pub flags: Vec<Flag>,
}

/// The current state of one record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordState {
    /// The record as submitted.
    pub record: ServiceRecord,
    /// Where it stands now.
    pub status: RecordStatus,
    /// Whole minutes.
    pub minutes: i64,
    /// Flags raised at submission.
    pub flags: Vec<Flag>,
    /// When it was approved (its minutes count from then).
    pub approved_at: Option<Timestamp>,
    /// Who approved it.
    pub approved_by: Option<ActorId>,
    /// Whether it was approved despite a [`Flag::Late`].
    pub late_ok: bool,
    /// When it was rejected.
    pub rejected_at: Option<Timestamp>,
    /// Who rejected it.
    pub rejected_by: Option<ActorId>,
    /// Why it was rejected.
    pub reject_reason: Option<String>,
    /// When its approval was reversed.
    pub revoked_at: Option<Timestamp>,
    /// Who reversed it.
    pub revoked_by: Option<ActorId>,
    /// Why it was reversed.
    pub revoke_reason: Option<RevokeReason>,
    /// The note given with the reversal.
    pub revoke_note: Option<String>,
    /// The record this one replaces (set by [`HoursLedger::amend`]).
    pub amends: Option<RecordId>,
    /// The record that replaced this one.
    pub amended_by: Option<RecordId>,
}

impl RecordState {
    /// Whether the record's minutes count at `as_of`: approved at or before,
    /// and not revoked by then.
    pub fn counts_at(&self, as_of: Timestamp) -> bool {
        self.approved_at.is_some_and(|a| a <= as_of) && self.revoked_at.is_none_or(|r| r > as_of)
    }

    fn receipt(&self) -> Receipt {
        Receipt {
            id: self.record.id,
            minutes: self.minutes,
            flags: self.flags.clone(),
        }
    }
}

/// One action in the append-only log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Entry {
    /// A record was submitted (actor `record.recorded_by`, time
    /// `record.recorded_at`); `amends` links a correction to the record it
    /// replaces.
    Submit {
        /// The record.
        record: ServiceRecord,
        /// The revoked record this one replaces.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amends: Option<RecordId>,
    },
    /// A pending record was approved.
    Approve {
        /// Record id.
        id: RecordId,
        /// Approver.
        by: ActorId,
        /// When.
        at: Timestamp,
        /// Whether a record flagged late was explicitly approved late.
        late_ok: bool,
    },
    /// A pending record was rejected.
    Reject {
        /// Record id.
        id: RecordId,
        /// Reviewer.
        by: ActorId,
        /// When.
        at: Timestamp,
        /// Why.
        reason: String,
    },
    /// An approved record was reversed.
    Revoke {
        /// Record id.
        id: RecordId,
        /// Reason code.
        reason: RevokeReason,
        /// Who.
        by: ActorId,
        /// When.
        at: Timestamp,
        /// Free-text note.
        note: String,
    },
}

impl Entry {
    /// The record the entry is about.
    pub fn record_id(&self) -> RecordId {
        match self {
            Entry::Submit { record, .. } => record.id,
            Entry::Approve { id, .. } | Entry::Reject { id, .. } | Entry::Revoke { id, .. } => *id,
        }
    }

    /// When the action happened.
    pub fn at(&self) -> Timestamp {
        match self {
            Entry::Submit { record, .. } => record.recorded_at,
            Entry::Approve { at, .. } | Entry::Reject { at, .. } | Entry::Revoke { at, .. } => *at,
        }
    }
}

/// A revocation of one of a volunteer's records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// The revoked record.
    pub record: RecordId,
    /// Reason code.
    pub reason: RevokeReason,
    /// When it took effect.
    pub at: Timestamp,
    /// The minutes it had credited.
    pub minutes: i64,
    /// Service or training.
    pub kind: RecordKind,
}

/// Whose totals to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scope", content = "id", rename_all = "snake_case")]
pub enum Scope {
    /// Every record.
    All,
    /// One volunteer.
    Volunteer(VolunteerId),
    /// One team.
    Team(TeamId),
    /// A unit and all units below it.
    Unit(UnitId),
}

/// How to group totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// By volunteer.
    Volunteer,
    /// By team (records without a team are left out).
    Team,
    /// By unit, each unit including its descendants.
    Unit,
}

/// Approved minutes in one period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodTotal {
    /// The local period (a record belongs to the local date of its start).
    pub period: Period,
    /// Approved service minutes.
    pub service_minutes: i64,
    /// Approved training minutes, kept apart.
    pub training_minutes: i64,
    /// Approved records counted.
    pub records: u64,
}

/// Approved minutes of one group in one period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupTotal {
    /// Volunteer, team or unit id.
    pub key: u64,
    /// The local period.
    pub period: Period,
    /// Approved service minutes.
    pub service_minutes: i64,
    /// Approved training minutes.
    pub training_minutes: i64,
    /// Approved records counted.
    pub records: u64,
}

/// The log entry as stored: each record is approved, rejected or revoked at
/// most once, so its state holds every detail and the log keeps the order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stored {
    Submit(usize),
    Approve(usize),
    Reject(usize),
    Revoke(usize),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct VolunteerIndex {
    /// Every record of the volunteer, in submission order.
    records: Vec<usize>,
    /// Live (submitted or approved) records by start; never overlapping, so
    /// their ends are sorted too.
    live: BTreeMap<Timestamp, usize>,
}

/// The hours ledger. See the [module docs](self).
#[derive(Clone, Debug, PartialEq)]
pub struct HoursLedger {
    policy: Arc<Policy>,
    units: Arc<UnitTree>,
    records: Vec<RecordState>,
    by_id: IdMap<RecordId, usize>,
    volunteers: IdMap<VolunteerId, VolunteerIndex>,
    log: Vec<Stored>,
}

impl HoursLedger {
    /// An empty ledger under `policy`, accepting records of the units and
    /// teams in `units`.
    pub fn new(policy: Policy, units: UnitTree) -> Self {
        HoursLedger {
            policy: Arc::new(policy),
            units: Arc::new(units),
            records: Vec::new(),
            by_id: IdMap::default(),
            volunteers: IdMap::default(),
            log: Vec::new(),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The unit tree.
    pub fn units(&self) -> &UnitTree {
        &self.units
    }

    /// Number of records ever submitted.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no record was ever submitted.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Submits a record.
    ///
    /// Same id + same body returns the original [`Receipt`] and changes
    /// nothing; same id + another body is a [`Conflict`](crate::ErrorKind::Conflict)
    /// naming the first differing field. Errors (state untouched): end not
    /// after start; end after `recorded_at` (the future); unknown unit or
    /// team; overlap with another live record of the volunteer (half-open
    /// intervals, so end-to-start touching is fine). Flags, which never cut
    /// minutes: over the daily review threshold, over the per-record cap,
    /// recorded after the deadline (then approval needs `late_ok`).
    pub fn submit(&mut self, record: ServiceRecord) -> Result<Receipt> {
        let id = record.id;
        self.submit_inner(record, None)
            .map_err(|e| e.at(&format!("record {id}")))
    }

    /// Submits records all-or-nothing: on the first bad record the ledger is
    /// left exactly as it was and the error names `records[i]` and its id.
    pub fn submit_batch(&mut self, records: Vec<ServiceRecord>) -> Result<Vec<Receipt>> {
        let mark = (self.records.len(), self.log.len());
        let mut out = Vec::with_capacity(records.len());
        for (i, r) in records.into_iter().enumerate() {
            let id = r.id;
            match self.submit_inner(r, None) {
                Ok(receipt) => out.push(receipt),
                Err(e) => {
                    self.rollback_submits(mark);
                    let field = match e.field() {
                        Some(f) => format!("records[{i}].{f}"),
                        None => format!("records[{i}]"),
                    };
                    return Err(Error::new(
                        e.kind(),
                        field,
                        format!("record {id}: {}", e.reason()),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// Undoes every submission made since `mark` (only submissions: batch
    /// submit appends nothing else).
    fn rollback_submits(&mut self, (records_len, log_len): (usize, usize)) {
        while self.records.len() > records_len {
            let idx = self.records.len() - 1;
            let state = self.records.pop().expect("length checked above");
            self.by_id.remove(&state.record.id);
            if let Some(v) = self.volunteers.get_mut(&state.record.volunteer) {
                v.records.pop();
                v.live.remove(&state.record.start);
                if v.records.is_empty() {
                    self.volunteers.remove(&state.record.volunteer);
                }
            }
            debug_assert!(idx >= records_len);
        }
        self.log.truncate(log_len);
    }

    fn submit_inner(&mut self, record: ServiceRecord, amends: Option<RecordId>) -> Result<Receipt> {
        if let Some(&idx) = self.by_id.get(&record.id) {
            let existing = &self.records[idx];
            return match existing.record.first_difference(&record) {
                None if existing.amends == amends || amends.is_none() => Ok(existing.receipt()),
                None => Err(Error::conflict(
                    "amends",
                    "id already used by a record that amends another",
                )),
                Some(field) => Err(Error::conflict(
                    field,
                    "id already used with a different value".to_owned(),
                )),
            };
        }
        let flags = self.validate_new(&record)?;
        let idx = self.records.len();
        let minutes = record.minutes();
        let v = self.volunteers.entry(record.volunteer).or_default();
        v.records.push(idx);
        v.live.insert(record.start, idx);
        self.by_id.insert(record.id, idx);
        self.records.push(RecordState {
            record,
            status: RecordStatus::Submitted,
            minutes,
            flags,
            approved_at: None,
            approved_by: None,
            late_ok: false,
            rejected_at: None,
            rejected_by: None,
            reject_reason: None,
            revoked_at: None,
            revoked_by: None,
            revoke_reason: None,
            revoke_note: None,
            amends,
            amended_by: None,
        });
        self.log.push(Stored::Submit(idx));
        Ok(self.records[idx].receipt())
    }

    /// Checks a new record against the policy and the live records; returns
    /// its flags.
    fn validate_new(&self, r: &ServiceRecord) -> Result<Vec<Flag>> {
        if r.end <= r.start {
            return Err(Error::invalid_input(
                "end",
                format!("must be after start ({} <= {})", r.end, r.start),
            ));
        }
        if r.end > r.recorded_at {
            return Err(Error::invalid_input(
                "end",
                format!(
                    "is in the future: {} is after recorded_at {}",
                    r.end, r.recorded_at
                ),
            ));
        }
        if !self.units.contains(r.unit) {
            return Err(Error::not_found("unit", format!("unknown unit {}", r.unit)));
        }
        if let Some(team) = r.team {
            self.units
                .team(team)
                .map_err(|_| Error::not_found("team", format!("unknown team {team}")))?;
        }
        let live = self.volunteers.get(&r.volunteer).map(|v| &v.live);
        if let Some(live) = live {
            // Live intervals are disjoint and sorted, so only the last one
            // starting before our end can reach past our start.
            if let Some((_, &idx)) = live.range(..r.end).next_back() {
                let other = &self.records[idx].record;
                if other.end > r.start {
                    return Err(Error::conflict(
                        "",
                        format!(
                            "overlaps live record {} of volunteer {} ({} to {})",
                            other.id, r.volunteer, other.start, other.end
                        ),
                    ));
                }
            }
        }
        let hp = &self.policy.hours;
        let mut flags = Vec::new();
        let minutes = r.minutes();
        let cal = self.policy.calendar();
        let offset = cal.offset();
        // Day numbers and bounds by arithmetic: calendar dates (civil
        // conversions) are built only for the flags that carry them.
        let day_minutes = minutes
            + live.map_or(0, |live| {
                let (from, to) = r.start.local_day_bounds(offset);
                live.range(from..to)
                    .map(|(_, &i)| self.records[i].minutes)
                    .sum::<i64>()
            });
        let threshold = i64::from(hp.daily_review_minutes);
        if day_minutes > threshold {
            flags.push(Flag::DailyReview {
                date: cal.date(r.start),
                day_minutes,
                threshold_minutes: threshold,
            });
        }
        if let Some(cap) = hp.per_record_cap_minutes.map(i64::from)
            && minutes > cap
        {
            flags.push(Flag::OverRecordCap {
                minutes,
                cap_minutes: cap,
            });
        }
        // n working days after a date are never fewer than n calendar days,
        // so most records skip the calendar walk.
        let n = hp.recording_deadline_working_days;
        let (end_day, recorded_day) = (
            r.end.local_day_number(offset),
            r.recorded_at.local_day_number(offset),
        );
        if recorded_day - end_day > n as i32 {
            let deadline = cal.working_deadline(r.end, n);
            if r.recorded_at >= deadline {
                flags.push(Flag::Late { deadline });
            }
        }
        Ok(flags)
    }

    fn index(&self, id: RecordId) -> Result<usize> {
        self.by_id
            .get(&id)
            .copied()
            .ok_or_else(|| Error::not_found(format!("record {id}"), "not found"))
    }

    fn state_error(id: RecordId, action: &str, status: RecordStatus) -> Error {
        let status = match status {
            RecordStatus::Submitted => "submitted",
            RecordStatus::Approved => "approved",
            RecordStatus::Rejected => "rejected",
            RecordStatus::Revoked => "revoked",
        };
        Error::invalid_state(
            format!("record {id}"),
            format!("cannot {action} a record that is {status}"),
        )
    }

    /// Approves a submitted record at `at` (not before it was recorded). A
    /// record flagged [`Flag::Late`] needs `late_ok`. Repeating the exact same
    /// approval is a no-op.
    pub fn approve(
        &mut self,
        id: RecordId,
        by: ActorId,
        at: Timestamp,
        late_ok: bool,
    ) -> Result<()> {
        let idx = self.index(id)?;
        let s = &self.records[idx];
        if s.status != RecordStatus::Submitted {
            // The exact same approval, retried (even after a later revoke).
            let same =
                s.approved_at == Some(at) && s.approved_by == Some(by) && s.late_ok == late_ok;
            return if same {
                Ok(())
            } else {
                Err(Self::state_error(id, "approve", s.status))
            };
        }
        if at < s.record.recorded_at {
            return Err(Error::invalid_input(
                format!("record {id}.approved_at"),
                format!(
                    "{at} is before the record was recorded ({})",
                    s.record.recorded_at
                ),
            ));
        }
        if !late_ok
            && let Some(Flag::Late { deadline }) =
                s.flags.iter().find(|f| matches!(f, Flag::Late { .. }))
        {
            return Err(Error::invalid_state(
                format!("record {id}"),
                format!("recorded after the deadline {deadline}; approve it with late_ok"),
            ));
        }
        let s = &mut self.records[idx];
        s.status = RecordStatus::Approved;
        s.approved_at = Some(at);
        s.approved_by = Some(by);
        s.late_ok = late_ok;
        self.log.push(Stored::Approve(idx));
        Ok(())
    }

    /// Rejects a submitted record; it frees the volunteer's time and never
    /// counts. Repeating the exact same rejection is a no-op.
    pub fn reject(&mut self, id: RecordId, by: ActorId, at: Timestamp, reason: &str) -> Result<()> {
        let idx = self.index(id)?;
        let s = &self.records[idx];
        if s.status != RecordStatus::Submitted {
            let same = s.rejected_at == Some(at)
                && s.rejected_by == Some(by)
                && s.reject_reason.as_deref() == Some(reason);
            return if same {
                Ok(())
            } else {
                Err(Self::state_error(id, "reject", s.status))
            };
        }
        if reason.trim().is_empty() {
            return Err(Error::invalid_input(
                format!("record {id}.reason"),
                "a rejection needs a reason",
            ));
        }
        if at < s.record.recorded_at {
            return Err(Error::invalid_input(
                format!("record {id}.rejected_at"),
                format!(
                    "{at} is before the record was recorded ({})",
                    s.record.recorded_at
                ),
            ));
        }
        let (volunteer, start) = (s.record.volunteer, s.record.start);
        let s = &mut self.records[idx];
        s.status = RecordStatus::Rejected;
        s.rejected_at = Some(at);
        s.rejected_by = Some(by);
        s.reject_reason = Some(reason.to_owned());
        self.free_interval(volunteer, start);
        self.log.push(Stored::Reject(idx));
        Ok(())
    }

    fn free_interval(&mut self, volunteer: VolunteerId, start: Timestamp) {
        if let Some(v) = self.volunteers.get_mut(&volunteer) {
            v.live.remove(&start);
        }
    }

    /// Reverses an approved record with a reason code. Its minutes stop
    /// counting from `at` (not before its approval); the record and its
    /// history stay. Repeating the exact same revocation is a no-op.
    pub fn revoke(
        &mut self,
        id: RecordId,
        reason: RevokeReason,
        by: ActorId,
        at: Timestamp,
        note: &str,
    ) -> Result<()> {
        let idx = self.index(id)?;
        let s = &self.records[idx];
        if s.status != RecordStatus::Approved {
            let same = s.revoked_at == Some(at)
                && s.revoked_by == Some(by)
                && s.revoke_reason == Some(reason)
                && s.revoke_note.as_deref() == Some(note);
            return if same {
                Ok(())
            } else {
                Err(Self::state_error(id, "revoke", s.status))
            };
        }
        let approved_at = s.approved_at.expect("approved records have approved_at");
        if at < approved_at {
            return Err(Error::invalid_input(
                format!("record {id}.revoked_at"),
                format!("{at} is before the approval ({approved_at})"),
            ));
        }
        let (volunteer, start) = (s.record.volunteer, s.record.start);
        let s = &mut self.records[idx];
        s.status = RecordStatus::Revoked;
        s.revoked_at = Some(at);
        s.revoked_by = Some(by);
        s.revoke_reason = Some(reason);
        s.revoke_note = Some(note.to_owned());
        self.free_interval(volunteer, start);
        self.log.push(Stored::Revoke(idx));
        Ok(())
    }

    /// Replaces an approved record: revokes `old` with `reason` and submits
    /// `new` linked to it, atomically (if `new` is refused, `old` stays
    /// approved). `new` must be for the same volunteer.
    pub fn amend(
        &mut self,
        old: RecordId,
        new: ServiceRecord,
        reason: RevokeReason,
        by: ActorId,
        at: Timestamp,
    ) -> Result<Receipt> {
        let idx = self.index(old)?;
        if let Some(&existing) = self.by_id.get(&new.id) {
            // A retried amend: same replacement already linked.
            if self.records[existing].amends == Some(old) && self.records[existing].record == new {
                return Ok(self.records[existing].receipt());
            }
        }
        if self.records[idx].record.volunteer != new.volunteer {
            return Err(Error::invalid_input(
                format!("record {}.volunteer", new.id),
                format!(
                    "an amendment must keep volunteer {}",
                    self.records[idx].record.volunteer
                ),
            ));
        }
        let mark = (self.records.len(), self.log.len());
        let before = self.records[idx].clone();
        self.revoke(
            old,
            reason,
            by,
            at,
            &format!("amended by record {}", new.id),
        )?;
        let new_id = new.id;
        match self.submit_inner(new, Some(old)) {
            Ok(receipt) => {
                self.records[idx].amended_by = Some(new_id);
                Ok(receipt)
            }
            Err(e) => {
                self.rollback_submits(mark);
                let (volunteer, start) = (before.record.volunteer, before.record.start);
                self.records[idx] = before;
                self.volunteers
                    .entry(volunteer)
                    .or_default()
                    .live
                    .insert(start, idx);
                Err(e.at(&format!("record {new_id}")))
            }
        }
    }

    /// The current state of a record.
    pub fn record(&self, id: RecordId) -> Result<&RecordState> {
        Ok(&self.records[self.index(id)?])
    }

    /// Every log entry about a record, oldest first.
    pub fn history(&self, id: RecordId) -> Result<Vec<Entry>> {
        let idx = self.index(id)?;
        Ok(self
            .log
            .iter()
            .filter(|e| Self::stored_idx(e) == idx)
            .map(|e| self.materialize(e))
            .collect())
    }

    fn stored_idx(e: &Stored) -> usize {
        match *e {
            Stored::Submit(i) | Stored::Approve(i) | Stored::Reject(i) | Stored::Revoke(i) => i,
        }
    }

    fn materialize(&self, e: &Stored) -> Entry {
        const MSG: &str = "a logged action has its details in the record state";
        let s = &self.records[Self::stored_idx(e)];
        let id = s.record.id;
        match e {
            Stored::Submit(_) => Entry::Submit {
                record: s.record.clone(),
                amends: s.amends,
            },
            Stored::Approve(_) => Entry::Approve {
                id,
                by: s.approved_by.expect(MSG),
                at: s.approved_at.expect(MSG),
                late_ok: s.late_ok,
            },
            Stored::Reject(_) => Entry::Reject {
                id,
                by: s.rejected_by.expect(MSG),
                at: s.rejected_at.expect(MSG),
                reason: s.reject_reason.clone().expect(MSG),
            },
            Stored::Revoke(_) => Entry::Revoke {
                id,
                reason: s.revoke_reason.expect(MSG),
                by: s.revoked_by.expect(MSG),
                at: s.revoked_at.expect(MSG),
                note: s.revoke_note.clone().expect(MSG),
            },
        }
    }

    /// Number of log entries.
    pub fn log_len(&self) -> usize {
        self.log.len()
    }

    /// The whole log, oldest first.
    pub fn entries(&self) -> Vec<Entry> {
        self.log.iter().map(|e| self.materialize(e)).collect()
    }

    /// Applies one log entry, as the original call would have.
    pub fn apply(&mut self, entry: Entry) -> Result<()> {
        match entry {
            Entry::Submit { record, amends } => {
                let id = record.id;
                match amends {
                    None => self.submit(record).map(drop),
                    Some(old) => {
                        // The revocation was logged just before; link it.
                        let old_idx = self.index(old)?;
                        if self.records[old_idx].status != RecordStatus::Revoked {
                            return Err(Error::invalid_state(
                                format!("record {id}.amends"),
                                format!("record {old} must be revoked before it is amended"),
                            ));
                        }
                        let r = self
                            .submit_inner(record, Some(old))
                            .map_err(|e| e.at(&format!("record {id}")))?;
                        self.records[old_idx].amended_by = Some(r.id);
                        Ok(())
                    }
                }
            }
            Entry::Approve {
                id,
                by,
                at,
                late_ok,
            } => self.approve(id, by, at, late_ok),
            Entry::Reject { id, by, at, reason } => self.reject(id, by, at, &reason),
            Entry::Revoke {
                id,
                reason,
                by,
                at,
                note,
            } => self.revoke(id, reason, by, at, &note),
        }
    }

    /// Rebuilds a ledger from a log. Replaying [`entries`](Self::entries)
    /// gives a ledger equal to the original.
    pub fn replay(policy: Policy, units: UnitTree, entries: Vec<Entry>) -> Result<Self> {
        let mut ledger = HoursLedger::new(policy, units);
        for (i, e) in entries.into_iter().enumerate() {
            ledger
                .apply(e)
                .map_err(|e| e.at(&format!("entries[{i}]")))?;
        }
        Ok(ledger)
    }

    /// A JSON snapshot: policy, units, teams and the log.
    pub fn snapshot(&self) -> String {
        let snap = SnapshotRef {
            format: SNAPSHOT_FORMAT,
            policy_hash: self.policy.hash(),
            policy: self.policy.spec(),
            units: self.units.units(),
            teams: self.units.teams().collect(),
            entries: self.entries(),
        };
        serde_json::to_string(&snap).expect("ledger data serializes")
    }

    /// Restores a ledger from [`snapshot`](Self::snapshot) text by replaying
    /// its log. The policy hash must match the policy it carries.
    pub fn restore(json: &str) -> Result<Self> {
        let snap: Snapshot = serde_json::from_str(json)
            .map_err(|e| Error::invalid_input("snapshot", e.to_string()))?;
        crate::saved::check_format(&snap.format, SNAPSHOT_FORMAT)?;
        let policy = crate::saved::check_policy(snap.policy, &snap.policy_hash)?;
        let units = UnitTree::new(snap.units, snap.teams).map_err(|e| e.at("snapshot"))?;
        HoursLedger::replay(policy, units, snap.entries).map_err(|e| e.at("snapshot"))
    }

    fn volunteer_states(&self, volunteer: VolunteerId) -> impl Iterator<Item = &RecordState> {
        self.volunteers
            .get(&volunteer)
            .into_iter()
            .flat_map(|v| v.records.iter().map(|&i| &self.records[i]))
    }

    /// Approved service minutes of `volunteer` at `as_of`.
    pub fn approved_minutes(&self, volunteer: VolunteerId, as_of: Timestamp) -> i64 {
        self.volunteer_states(volunteer)
            .filter(|s| s.record.kind == RecordKind::Service && s.counts_at(as_of))
            .map(|s| s.minutes)
            .sum()
    }

    /// Approved service minutes at `as_of` of records whose start lies in
    /// `[from, to)`.
    pub fn approved_minutes_in(
        &self,
        volunteer: VolunteerId,
        from: Timestamp,
        to: Timestamp,
        as_of: Timestamp,
    ) -> i64 {
        self.volunteer_states(volunteer)
            .filter(|s| {
                s.record.kind == RecordKind::Service
                    && s.record.start >= from
                    && s.record.start < to
                    && s.counts_at(as_of)
            })
            .map(|s| s.minutes)
            .sum()
    }

    /// Approved training minutes of `volunteer` at `as_of`.
    pub fn training_minutes(&self, volunteer: VolunteerId, as_of: Timestamp) -> i64 {
        self.volunteer_states(volunteer)
            .filter(|s| s.record.kind == RecordKind::Training && s.counts_at(as_of))
            .map(|s| s.minutes)
            .sum()
    }

    /// Revocations of the volunteer's records effective at `as_of`, oldest
    /// first (ties by record id).
    pub fn revocations(&self, volunteer: VolunteerId, as_of: Timestamp) -> Vec<Revocation> {
        let mut out: Vec<Revocation> = self
            .volunteer_states(volunteer)
            .filter_map(|s| {
                let at = s.revoked_at.filter(|&r| r <= as_of)?;
                Some(Revocation {
                    record: s.record.id,
                    reason: s.revoke_reason?,
                    at,
                    minutes: s.minutes,
                    kind: s.record.kind,
                })
            })
            .collect();
        out.sort_by_key(|r| (r.at, r.record));
        out
    }

    /// Star level of `volunteer` at `as_of`, from cumulative approved service
    /// minutes.
    pub fn star_level(&self, volunteer: VolunteerId, as_of: Timestamp) -> u8 {
        self.policy
            .stars
            .level(self.approved_minutes(volunteer, as_of))
    }

    /// Every volunteer with at least one record, ascending.
    pub fn volunteers(&self) -> Vec<VolunteerId> {
        let mut v: Vec<_> = self.volunteers.keys().copied().collect();
        v.sort_unstable();
        v
    }

    /// Every record state, in submission order.
    pub fn records(&self) -> &[RecordState] {
        &self.records
    }

    /// Records of one volunteer, in submission order.
    pub fn records_of(&self, volunteer: VolunteerId) -> Vec<&RecordState> {
        self.volunteer_states(volunteer).collect()
    }

    /// Approved minutes of `scope` per local period of `grain` at `as_of`,
    /// in period order. A record belongs to the local date of its start (the
    /// 2020 national rules date a record by its activity), so an overnight
    /// record counts whole on its first day.
    pub fn totals(&self, scope: Scope, grain: Grain, as_of: Timestamp) -> Result<Vec<PeriodTotal>> {
        match scope {
            Scope::Unit(u) if !self.units.contains(u) => {
                return Err(Error::not_found("scope.unit", format!("unknown unit {u}")));
            }
            Scope::Team(t) => {
                self.units
                    .team(t)
                    .map_err(|_| Error::not_found("scope.team", format!("unknown team {t}")))?;
            }
            _ => {}
        }
        let offset = self.policy.offset();
        let mut acc: BTreeMap<Period, PeriodTotal> = BTreeMap::new();
        let states: Box<dyn Iterator<Item = &RecordState>> = match scope {
            Scope::Volunteer(v) => Box::new(self.volunteer_states(v)),
            _ => Box::new(self.records.iter()),
        };
        for s in states {
            if !s.counts_at(as_of) {
                continue;
            }
            let keep = match scope {
                Scope::All | Scope::Volunteer(_) => true,
                Scope::Team(t) => s.record.team == Some(t),
                Scope::Unit(u) => self.units.is_within(s.record.unit, u).unwrap_or(false),
            };
            if keep {
                let p = Period::of(grain, s.record.start, offset);
                add(acc.entry(p).or_insert(PeriodTotal::zero(p)), s);
            }
        }
        Ok(acc.into_values().collect())
    }

    /// Approved minutes per volunteer, team or unit and local period at
    /// `as_of`, sorted by (key, period). Unit rows include descendants, so a
    /// unit's total is its own plus its children's.
    pub fn totals_by(&self, group: GroupBy, grain: Grain, as_of: Timestamp) -> Vec<GroupTotal> {
        let offset = self.policy.offset();
        let mut acc: BTreeMap<(u64, Period), PeriodTotal> = BTreeMap::new();
        for s in self.records.iter().filter(|s| s.counts_at(as_of)) {
            let key = match group {
                GroupBy::Volunteer => Some(s.record.volunteer),
                GroupBy::Team => s.record.team,
                GroupBy::Unit => Some(s.record.unit),
            };
            if let Some(key) = key {
                let p = Period::of(grain, s.record.start, offset);
                add(acc.entry((key, p)).or_insert(PeriodTotal::zero(p)), s);
            }
        }
        if group == GroupBy::Unit {
            acc = self.roll_up_units(acc);
        }
        acc.into_iter()
            .map(|((key, period), t)| GroupTotal {
                key,
                period,
                service_minutes: t.service_minutes,
                training_minutes: t.training_minutes,
                records: t.records,
            })
            .collect()
    }

    fn roll_up_units(
        &self,
        own: BTreeMap<(u64, Period), PeriodTotal>,
    ) -> BTreeMap<(u64, Period), PeriodTotal> {
        let mut out = own.clone();
        for ((unit, period), t) in own {
            for anc in self.units.ancestors(unit).unwrap_or_default() {
                let e = out
                    .entry((anc, period))
                    .or_insert(PeriodTotal::zero(period));
                e.service_minutes += t.service_minutes;
                e.training_minutes += t.training_minutes;
                e.records += t.records;
            }
        }
        out
    }
}

impl PeriodTotal {
    fn zero(period: Period) -> Self {
        PeriodTotal {
            period,
            service_minutes: 0,
            training_minutes: 0,
            records: 0,
        }
    }
}

fn add(t: &mut PeriodTotal, s: &RecordState) {
    match s.record.kind {
        RecordKind::Service => t.service_minutes += s.minutes,
        RecordKind::Training => t.training_minutes += s.minutes,
    }
    t.records += 1;
}

const SNAPSHOT_FORMAT: &str = "zhiyuan.hours_ledger.v1";

#[derive(Serialize)]
struct SnapshotRef<'a> {
    format: &'a str,
    policy_hash: &'a str,
    policy: &'a PolicySpec,
    units: &'a [Unit],
    teams: Vec<&'a Team>,
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Snapshot {
    format: String,
    policy_hash: String,
    policy: PolicySpec,
    units: Vec<Unit>,
    teams: Vec<Team>,
    entries: Vec<Entry>,
}

/// A fast hasher for integer ids (a SplitMix64 finaliser). Ids come from the
/// platform, not from anonymous users, so HashDoS resistance is not needed;
/// the ledger never lets hash order reach an output.
#[derive(Clone, Copy, Default)]
pub(crate) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = self.0.wrapping_add(i);
    }
}

pub(crate) type IdMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<IdHasher>>;
