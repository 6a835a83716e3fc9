//! Seeded simulation of the hours ledger and the 五单 order workflow, in the
//! spirit of TigerBeetle's VOPR.
//!
//! From a seed, [`run`] generates a long random workload — ledger
//! submissions (some overlapping, some invalid), batches, approvals,
//! rejections, revocations and amendments, interleaved with orders that are
//! placed, reviewed, dispatched, accepted, declined, withdrawn, fulfilled
//! (their service records going through the same ledger), rated, reopened,
//! cancelled, closed and swept — and delivers it the way a flaky network
//! would: some operations twice, some swapped with their neighbour, some
//! dropped and retried later. After every delivered operation it checks the
//! invariants; at the end it replays both logs and compares them with the
//! live state. A failure names the seed, the step and the command that
//! reproduces it, so `run(seed, ops)` replays it exactly.
//!
//! ```
//! let report = zhiyuan::simulation::run(7, 2_000)?;
//! assert_eq!(report.delivered, report.generated + report.duplicates);
//! assert!(report.orders > 0 && report.fulfilled > 0);
//! # Ok::<(), String>(())
//! ```
//!
//! Invariants checked after every step:
//! 1. balance: each volunteer's approved minutes equal what the succeeded
//!    approvals minus the succeeded revocations credited;
//! 2. no two live records of one volunteer overlap;
//! 3. every record is resolved (approved or rejected) at most once, and its
//!    status agrees with its history (checked at the end);
//! 4. a duplicate delivery changes nothing: a ledger operation or a placement
//!    that succeeded succeeds again, one that failed fails again; an order
//!    command, close-out or sweep delivered twice is refused (or, for a
//!    sweep, finds nothing to do); in every case the ledger's record and log
//!    counts, the touched records, the touched order and its event log are
//!    unchanged;
//! 5. order states only move along the legal transitions of the 五单 table:
//!    each new event of a touched order is folded through the simulation's
//!    own transition table, which must reach the state the book reports; a
//!    refused order operation adds no event and leaves the order as it was;
//! 6. every fulfilled order's records are present in the ledger and linked
//!    both ways ([`Order::records`](crate::orders::Order::records) and
//!    [`OrderBook::order_of_record`]); a refused close-out leaves the ledger
//!    unchanged.
//!
//! At the end: the whole ledger and every order are checked again; the hours
//! log is replayed ([`HoursLedger::replay`]) and a snapshot restored, both
//! equal to the live ledger; the order event log is folded from scratch
//! through the transition table (sequence numbers contiguous, each order's
//! records equal to its close-outs'); and the log of accepted operations is
//! re-executed on a fresh ledger and book, which must equal the live ones —
//! so a refused operation that changed anything would show up here.

use crate::Policy;
use crate::hours::{RecordKind, RecordStatus, RevokeReason, ServiceRecord};
use crate::ledger::{Entry, HoursLedger, RecordState};
use crate::orders::{
    Action, Assignee, Command, EventKind, Fulfilment, NewOrder, Order, OrderBook, OrderEvent,
    OrderId, OrderState, Outcome, Party, Rating, Satisfaction, Taker,
};
use crate::time::{MICROS_PER_MINUTE, Timestamp};
use crate::units::{Unit, UnitTree};
use std::collections::{BTreeMap, VecDeque};

/// What a simulation run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The seed.
    pub seed: u64,
    /// Operations generated.
    pub generated: usize,
    /// Operations delivered, duplicates included.
    pub delivered: usize,
    /// Duplicate deliveries.
    pub duplicates: usize,
    /// Adjacent swaps performed.
    pub reorders: usize,
    /// Operations dropped and retried later.
    pub retried: usize,
    /// Delivered operations that were accepted (changed something or were
    /// an idempotent repeat).
    pub accepted: usize,
    /// Delivered operations refused with an error (or sweeps that found
    /// nothing to do).
    pub refused: usize,
    /// Records in the final ledger.
    pub records: usize,
    /// Log entries in the final ledger.
    pub entries: usize,
    /// Orders in the final book.
    pub orders: usize,
    /// Order events in the final book.
    pub order_events: usize,
    /// Successful close-outs (an order reopened and fulfilled again counts
    /// twice).
    pub fulfilled: usize,
    /// Orders in a final state (closed, rejected, cancelled, expired) at the
    /// end.
    pub finished_orders: usize,
}

#[derive(Clone, Debug)]
enum Op {
    Submit(ServiceRecord),
    Batch(Vec<ServiceRecord>),
    Approve(u64, Timestamp),
    Reject(u64, Timestamp),
    Revoke(u64, RevokeReason, Timestamp),
    Amend(u64, ServiceRecord, Timestamp),
    Place(NewOrder),
    Order(Command),
    Fulfil(Fulfilment),
    Sweep(Timestamp),
}

/// SplitMix64: tiny, fast and identical on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const BASE: i64 = 1_704_038_400_000_000; // 2023-12-31T16:00:00Z = 2024-01-01 00:00 +08:00

/// The actor the simulation's sweeps act as.
const SWEEPER: u64 = 1;

const CATEGORIES: [&str; 4] = [
    "medical_fitness",
    "education_support",
    "legal_services",
    "public_welfare",
];

fn tree() -> UnitTree {
    let mut units = vec![Unit::new(1, None, "centre", "centre")];
    for i in 0..4u64 {
        units.push(Unit::new(10 + i, Some(1), "institute", "institute"));
        for s in 0..4u64 {
            units.push(Unit::new(
                100 + i * 10 + s,
                Some(10 + i),
                "station",
                "station",
            ));
        }
    }
    UnitTree::new(units, vec![]).expect("the simulation tree is valid")
}

/// What the generator believes about an order, to generate commands that
/// usually make sense. Deliveries are faulty, so the belief is often wrong,
/// which exercises refusals too.
struct Believed {
    id: OrderId,
    requester: u64,
    state: OrderState,
    assignee: Assignee,
    taker: Option<u64>,
    dissatisfied: bool,
}

struct Generator {
    rng: Rng,
    volunteers: u64,
    next_id: u64,
    next_order: OrderId,
    /// The logical clock: every operation happens later than the previous.
    now: i64,
    submitted: Vec<u64>,
    /// Recently placed orders; commands go mostly to these so that orders
    /// progress before they expire.
    orders: VecDeque<Believed>,
}

/// How many recent orders receive commands.
const ACTIVE_ORDERS: usize = 12;

impl Generator {
    fn record(&mut self) -> ServiceRecord {
        let rng = &mut self.rng;
        self.next_id += 1;
        let volunteer = rng.below(self.volunteers);
        // Starts fall in the last ~20 days, so overlaps happen often enough.
        let start = self.now - (rng.below(20 * 24 * 60) as i64 + 30) * MICROS_PER_MINUTE;
        let mut len = 15 + rng.below(8 * 60) as i64;
        if rng.chance(2) {
            len = -len; // invalid: end before start
        }
        let end = start + len * MICROS_PER_MINUTE;
        let unit = if rng.chance(1) {
            999
        } else {
            100 + rng.below(4) * 10 + rng.below(4)
        };
        let recorded_at = end.max(start) + rng.below(12 * 24 * 60) as i64 * MICROS_PER_MINUTE;
        ServiceRecord {
            id: self.next_id,
            volunteer,
            unit,
            team: None,
            activity: rng.below(50),
            start: ts(start),
            end: ts(end),
            kind: if rng.chance(10) {
                RecordKind::Training
            } else {
                RecordKind::Service
            },
            recorded_by: 1,
            recorded_at: ts(recorded_at),
        }
    }

    fn pick(&mut self) -> u64 {
        if self.submitted.is_empty() || self.rng.chance(3) {
            self.next_id + 1 + self.rng.below(5) // unknown id
        } else {
            let i = self.rng.below(self.submitted.len() as u64) as usize;
            self.submitted[i]
        }
    }

    fn op(&mut self) -> Op {
        self.now += (1 + self.rng.below(30)) as i64 * MICROS_PER_MINUTE;
        if self.rng.chance(30) {
            return self.order_op();
        }
        let at = ts(self.now + 30 * 24 * 60 * MICROS_PER_MINUTE);
        match self.rng.below(100) {
            0..=34 => {
                let r = self.record();
                self.submitted.push(r.id);
                Op::Submit(r)
            }
            35..=39 => {
                let n = 1 + self.rng.below(6);
                let rs: Vec<_> = (0..n).map(|_| self.record()).collect();
                self.submitted.extend(rs.iter().map(|r| r.id));
                Op::Batch(rs)
            }
            40..=74 => Op::Approve(self.pick(), at),
            75..=84 => Op::Reject(self.pick(), at),
            85..=94 => Op::Revoke(self.pick(), self.reason(), at),
            _ => {
                let old = self.pick();
                let mut r = self.record();
                r.recorded_at = at;
                self.submitted.push(r.id);
                Op::Amend(old, r, at)
            }
        }
    }

    fn reason(&mut self) -> RevokeReason {
        match self.rng.below(5) {
            0 => RevokeReason::Error,
            1 => RevokeReason::Duplicate,
            2 => RevokeReason::Fraud,
            3 => RevokeReason::NotVolunteerWork,
            _ => RevokeReason::VolunteerRequest,
        }
    }

    fn place(&mut self) -> Op {
        self.next_order += 1;
        let id = self.next_order;
        let requester = self.rng.below(self.volunteers);
        let category = if self.rng.chance(2) {
            "no_such_category"
        } else {
            CATEGORIES[self.rng.below(CATEGORIES.len() as u64) as usize]
        };
        let unit = if self.rng.chance(1) {
            999
        } else {
            100 + self.rng.below(4) * 10 + self.rng.below(4)
        };
        let mut o = NewOrder::new(id, requester, category, unit, ts(self.now));
        o.description_len = if self.rng.chance(1) {
            0
        } else {
            1 + self.rng.below(500) as u32
        };
        if self.rng.chance(20) {
            o.wanted_by =
                Some(ts(self.now
                    + (60 + self.rng.below(7 * 24 * 60) as i64)
                        * MICROS_PER_MINUTE));
        }
        self.orders.push_back(Believed {
            id,
            requester,
            state: OrderState::Placed,
            assignee: Assignee::Open,
            taker: None,
            dissatisfied: false,
        });
        if self.orders.len() > ACTIVE_ORDERS {
            self.orders.pop_front();
        }
        Op::Place(o)
    }

    /// A volunteer other than `requester` (usually).
    fn helper(&mut self, requester: u64) -> u64 {
        let v = self.rng.below(self.volunteers);
        if v == requester && !self.rng.chance(10) {
            (v + 1) % self.volunteers
        } else {
            v
        }
    }

    fn order_op(&mut self) -> Op {
        let at = ts(self.now);
        if self.rng.chance(3) {
            return Op::Sweep(at);
        }
        if self.orders.is_empty() || self.rng.chance(15) {
            return self.place();
        }
        let i = self.rng.below(self.orders.len() as u64) as usize;
        let (id, requester, state, assignee, taker, dissatisfied) = {
            let b = &self.orders[i];
            (
                b.id,
                b.requester,
                b.state,
                b.assignee,
                b.taker,
                b.dissatisfied,
            )
        };
        let id = if self.rng.chance(2) {
            id + 1_000_000
        } else {
            id
        };
        let roll = self.rng.below(100);
        let reason = || "simulated".to_owned();
        use OrderState as S;
        let (action, actor, next) = match state {
            _ if roll < 4 => {
                let by = if self.rng.chance(50) {
                    Party::Requester
                } else {
                    Party::Centre
                };
                (
                    Action::Cancel {
                        by,
                        reason: reason(),
                    },
                    requester,
                    S::Cancelled,
                )
            }
            S::Placed => (Action::StartReview, 2, S::UnderReview),
            S::UnderReview if roll < 10 => (Action::Reject { reason: reason() }, 2, S::Rejected),
            S::UnderReview => {
                let to = if self.rng.chance(50) {
                    Assignee::Open
                } else {
                    Assignee::Volunteer(self.helper(requester))
                };
                self.orders[i].assignee = to;
                (Action::Dispatch { to }, 2, S::Dispatched)
            }
            S::Dispatched if roll < 15 => {
                let by = match assignee {
                    Assignee::Volunteer(v) => v,
                    _ => self.helper(requester),
                };
                (
                    Action::Decline {
                        by: Taker::Volunteer(by),
                        reason: reason(),
                    },
                    by,
                    S::UnderReview,
                )
            }
            S::Dispatched if roll < 25 => {
                (Action::Withdraw { reason: reason() }, 2, S::UnderReview)
            }
            S::Dispatched => {
                let by = match assignee {
                    Assignee::Volunteer(v) if !self.rng.chance(5) => v,
                    _ => self.helper(requester),
                };
                self.orders[i].taker = Some(by);
                (
                    Action::Accept {
                        by: Taker::Volunteer(by),
                    },
                    by,
                    S::Accepted,
                )
            }
            S::Accepted if roll < 12 => (Action::Withdraw { reason: reason() }, 2, S::UnderReview),
            S::Accepted => {
                let n = 1 + self.rng.below(3);
                let mut records = Vec::new();
                for k in 0..n {
                    let mut r = self.record();
                    r.volunteer = match (k, taker) {
                        (0, Some(t)) => t,
                        _ => self.helper(requester),
                    };
                    records.push(r);
                }
                self.submitted.extend(records.iter().map(|r| r.id));
                self.orders[i].state = S::Fulfilled;
                return Op::Fulfil(Fulfilment {
                    order: id,
                    actor: taker.unwrap_or(2),
                    at,
                    records,
                    report_len: 10,
                });
            }
            S::Fulfilled if roll < 85 => {
                let satisfaction = match self.rng.below(3) {
                    0 => Satisfaction::Satisfied,
                    1 => Satisfaction::Basic,
                    _ => Satisfaction::Dissatisfied,
                };
                let score = 1 + self.rng.below(5) as u8;
                let actor = if self.rng.chance(5) {
                    requester + 1
                } else {
                    requester
                };
                self.orders[i].dissatisfied = satisfaction == Satisfaction::Dissatisfied;
                (
                    Action::Rate {
                        rating: Rating {
                            score,
                            satisfaction,
                        },
                    },
                    actor,
                    S::Rated,
                )
            }
            S::Rated if dissatisfied && roll < 70 => {
                (Action::Reopen { reason: reason() }, 2, S::UnderReview)
            }
            S::Fulfilled | S::Rated => (Action::Close, 2, S::Closed),
            _ => (Action::Expire, 2, S::Expired),
        };
        self.orders[i].state = next;
        Op::Order(Command {
            order: id,
            actor,
            at,
            action,
        })
    }
}

fn ts(us: i64) -> Timestamp {
    Timestamp::from_micros(us).expect("simulated instants stay in range")
}

/// The ledger and order book under test, and the balance the operations
/// credited.
#[derive(Clone, PartialEq)]
struct World {
    ledger: HoursLedger,
    book: OrderBook,
    balance: BTreeMap<u64, i64>,
}

impl World {
    fn new() -> Self {
        World {
            ledger: HoursLedger::new(Policy::default(), tree()),
            book: OrderBook::new(Policy::default(), tree()),
            balance: BTreeMap::new(),
        }
    }

    /// Applies `op`, updating the balance on success. Returns whether it
    /// succeeded (a sweep succeeds when it moved at least one order) and the
    /// orders it moved.
    fn apply(&mut self, op: &Op) -> (bool, Vec<OrderId>) {
        let l = &mut self.ledger;
        let balance = &mut self.balance;
        let credit = |l: &HoursLedger, id: u64| {
            l.record(id)
                .ok()
                .filter(|s| s.record.kind == RecordKind::Service)
                .map(|s| (s.record.volunteer, s.minutes))
        };
        let ok = match op {
            Op::Submit(r) => l.submit(r.clone()).is_ok(),
            Op::Batch(rs) => l.submit_batch(rs.clone()).is_ok(),
            Op::Approve(id, at) => {
                let was = l.record(*id).map(|s| s.status).ok();
                let ok = l.approve(*id, 2, *at, true).is_ok();
                if ok
                    && was == Some(RecordStatus::Submitted)
                    && let Some((v, m)) = credit(l, *id)
                {
                    *balance.entry(v).or_default() += m;
                }
                ok
            }
            Op::Reject(id, at) => l.reject(*id, 2, *at, "not verified").is_ok(),
            Op::Revoke(id, reason, at) => {
                let was = l.record(*id).map(|s| s.status).ok();
                let ok = l.revoke(*id, *reason, 3, *at, "audit").is_ok();
                if ok
                    && was == Some(RecordStatus::Approved)
                    && let Some((v, m)) = credit(l, *id)
                {
                    *balance.entry(v).or_default() -= m;
                }
                ok
            }
            Op::Amend(old, r, at) => {
                let was = l.record(*old).map(|s| s.status).ok();
                let ok = l
                    .amend(*old, r.clone(), RevokeReason::Error, 3, *at)
                    .is_ok();
                if ok
                    && was == Some(RecordStatus::Approved)
                    && let Some((v, m)) = credit(l, *old)
                {
                    *balance.entry(v).or_default() -= m;
                }
                ok
            }
            Op::Place(o) => self.book.place(o.clone()).is_ok(),
            Op::Order(cmd) => self.book.apply(cmd.clone()).is_ok(),
            Op::Fulfil(f) => self.book.fulfil(l, f.clone()).is_ok(),
            Op::Sweep(now) => {
                let moved: Vec<OrderId> = self
                    .book
                    .sweep(SWEEPER, *now)
                    .iter()
                    .map(|e| e.order)
                    .collect();
                return (!moved.is_empty(), moved);
            }
        };
        (ok, op_order(op).into_iter().collect())
    }
}

/// The order an order operation names (sweeps name none in advance).
fn op_order(op: &Op) -> Option<OrderId> {
    match op {
        Op::Place(o) => Some(o.id),
        Op::Order(c) => Some(c.order),
        Op::Fulfil(f) => Some(f.order),
        _ => None,
    }
}

/// The records an operation can affect.
fn touched_records(op: &Op) -> Vec<u64> {
    match op {
        Op::Submit(r) => vec![r.id],
        Op::Batch(rs) => rs.iter().map(|r| r.id).collect(),
        Op::Approve(id, _) | Op::Reject(id, _) | Op::Revoke(id, _, _) => vec![*id],
        Op::Amend(old, r, _) => vec![*old, r.id],
        Op::Fulfil(f) => f.records.iter().map(|r| r.id).collect(),
        Op::Place(_) | Op::Order(_) | Op::Sweep(_) => vec![],
    }
}

/// The volunteers an operation can affect.
fn touched(l: &HoursLedger, op: &Op) -> Vec<u64> {
    let of = |id: &u64| l.record(*id).ok().map(|s| s.record.volunteer);
    match op {
        Op::Submit(r) => vec![r.volunteer],
        Op::Batch(rs) => rs.iter().map(|r| r.volunteer).collect(),
        Op::Fulfil(f) => f.records.iter().map(|r| r.volunteer).collect(),
        Op::Approve(id, _) | Op::Reject(id, _) | Op::Revoke(id, _, _) => {
            of(id).into_iter().collect()
        }
        Op::Amend(old, r, _) => of(old).into_iter().chain([r.volunteer]).collect(),
        Op::Place(_) | Op::Order(_) | Op::Sweep(_) => vec![],
    }
}

/// Everything a duplicate delivery of `op` must leave as it was.
#[derive(PartialEq, Debug)]
struct Footprint {
    records: usize,
    log: usize,
    states: Vec<Option<RecordState>>,
    order: Option<(Order, usize)>,
}

fn footprint(w: &World, op: &Op) -> Footprint {
    Footprint {
        records: w.ledger.len(),
        log: w.ledger.log_len(),
        states: touched_records(op)
            .iter()
            .map(|id| w.ledger.record(*id).ok().cloned())
            .collect(),
        order: op_order(op).and_then(|id| {
            let o = w.book.order(id).ok()?.clone();
            let n = w.book.events_of(id).map(<[_]>::len).unwrap_or(0);
            Some((o, n))
        }),
    }
}

fn check(l: &HoursLedger, balance: &BTreeMap<u64, i64>, volunteers: &[u64]) -> Result<(), String> {
    for &v in volunteers {
        let got = l.approved_minutes(v, Timestamp::MAX);
        let want = balance.get(&v).copied().unwrap_or(0);
        if got != want {
            return Err(format!(
                "volunteer {v}: ledger has {got} approved minutes, operations credited {want}"
            ));
        }
        let mut live: Vec<_> = l
            .records_of(v)
            .into_iter()
            .filter(|s| s.status.is_live())
            .map(|s| (s.record.start, s.record.end, s.record.id))
            .collect();
        live.sort();
        for w in live.windows(2) {
            if w[0].1 > w[1].0 {
                return Err(format!(
                    "volunteer {v}: live records {} and {} overlap",
                    w[0].2, w[1].2
                ));
            }
        }
    }
    Ok(())
}

fn check_resolutions(l: &HoursLedger) -> Result<(), String> {
    let mut resolved: BTreeMap<u64, usize> = BTreeMap::new();
    for e in l.entries() {
        if matches!(e, Entry::Approve { .. } | Entry::Reject { .. }) {
            *resolved.entry(e.record_id()).or_default() += 1;
        }
    }
    for s in l.records() {
        let n = resolved.get(&s.record.id).copied().unwrap_or(0);
        if n > 1 || (n == 1) != (s.status != RecordStatus::Submitted) {
            return Err(format!(
                "record {}: {n} resolutions but status {:?}",
                s.record.id, s.status
            ));
        }
    }
    Ok(())
}

/// The legal transitions of the 五单 workflow, written independently of
/// `orders.rs` (from the table in `docs/orders.md`): the state an event
/// leads to from `from`, or `None` when the event is illegal there.
fn next_state(from: Option<OrderState>, e: &EventKind) -> Option<OrderState> {
    use EventKind as E;
    use OrderState as S;
    let open = |s: S| matches!(s, S::Placed | S::UnderReview | S::Dispatched | S::Accepted);
    Some(match (from?, e) {
        (S::Placed, E::ReviewStarted) => S::UnderReview,
        (S::UnderReview, E::Rejected { .. }) => S::Rejected,
        (S::UnderReview, E::Dispatched { .. }) => S::Dispatched,
        (S::Dispatched, E::Accepted { .. }) => S::Accepted,
        (S::Dispatched, E::Declined { .. }) => S::UnderReview,
        (S::Dispatched | S::Accepted, E::Withdrawn { .. }) => S::UnderReview,
        (S::Accepted, E::Fulfilled { .. }) => S::Fulfilled,
        (S::Fulfilled, E::Rated { .. }) => S::Rated,
        (S::Rated, E::Reopened { .. }) => S::UnderReview,
        (S::Rated, E::Closed { outcome }) if *outcome != Outcome::Unrated => S::Closed,
        (S::Fulfilled, E::Closed { outcome }) if *outcome == Outcome::Unrated => S::Closed,
        (s, E::Cancelled { .. }) if open(s) => S::Cancelled,
        (s, E::Expired) if open(s) => S::Expired,
        _ => return None,
    })
}

/// Folds the events of orders through [`next_state`], checking each event's
/// order and that fulfilled records are linked both ways.
#[derive(Default)]
struct OrderMirror {
    /// Per order: the folded state and how many events were folded.
    seen: BTreeMap<OrderId, (OrderState, usize)>,
}

impl OrderMirror {
    /// Folds the new events of order `id` and compares with the book.
    fn follow(&mut self, w: &World, id: OrderId) -> Result<(), String> {
        let Ok(order) = w.book.order(id) else {
            return if self.seen.contains_key(&id) {
                Err(format!("order {id} disappeared"))
            } else {
                Ok(())
            };
        };
        let events = w
            .book
            .events_of(id)
            .map_err(|e| format!("order {id}: {e}"))?;
        let (mut state, done) = match self.seen.get(&id) {
            Some(&(s, n)) => (Some(s), n),
            None => (None, 0),
        };
        let new = events
            .get(done..)
            .ok_or_else(|| format!("order {id}: its event log shrank below {done}"))?;
        for e in new {
            state = Some(fold(state, e)?);
            if let EventKind::Fulfilled { records } = &e.kind {
                check_links(w, id, records)?;
            }
        }
        let state = state.ok_or_else(|| format!("order {id}: no events"))?;
        if state != order.state {
            return Err(format!(
                "order {id}: the book says {} but its events lead to {state}",
                order.state
            ));
        }
        self.seen.insert(id, (state, events.len()));
        Ok(())
    }
}

fn fold(state: Option<OrderState>, e: &OrderEvent) -> Result<OrderState, String> {
    match (state, &e.kind) {
        (None, EventKind::Placed { .. }) => Ok(OrderState::Placed),
        _ => next_state(state, &e.kind).ok_or_else(|| {
            format!(
                "order {}: illegal transition from {state:?} by event {:?} (seq {})",
                e.order, e.kind, e.seq
            )
        }),
    }
}

/// Every record of a close-out is in the ledger and points back at the
/// order, and the order lists it.
fn check_links(w: &World, id: OrderId, records: &[u64]) -> Result<(), String> {
    let order = w.book.order(id).map_err(|e| e.to_string())?;
    for r in records {
        if w.ledger.record(*r).is_err() {
            return Err(format!(
                "order {id}: fulfilled record {r} is not in the ledger"
            ));
        }
        if w.book.order_of_record(*r) != Some(id) {
            return Err(format!(
                "order {id}: record {r} links to {:?}",
                w.book.order_of_record(*r)
            ));
        }
        if !order.records.contains(r) {
            return Err(format!(
                "order {id}: record {r} missing from Order::records"
            ));
        }
    }
    Ok(())
}

/// The end-of-run order checks: the whole event log folded from scratch.
fn check_orders(w: &World) -> Result<(usize, usize), String> {
    let events = w.book.events();
    let mut states: BTreeMap<OrderId, OrderState> = BTreeMap::new();
    let mut records: BTreeMap<OrderId, Vec<u64>> = BTreeMap::new();
    let mut fulfilled = 0;
    for (i, e) in events.iter().enumerate() {
        if e.seq != i as u64 + 1 {
            return Err(format!("order event {i} has seq {}", e.seq));
        }
        let s = fold(states.get(&e.order).copied(), e)?;
        states.insert(e.order, s);
        if let EventKind::Fulfilled { records: rs } = &e.kind {
            fulfilled += 1;
            records.entry(e.order).or_default().extend(rs);
        }
    }
    let mut linked = 0;
    for o in w.book.orders() {
        if states.get(&o.id()) != Some(&o.state) {
            return Err(format!(
                "order {}: state {} not what its events give",
                o.id(),
                o.state
            ));
        }
        let want = records.remove(&o.id()).unwrap_or_default();
        if o.records != want {
            return Err(format!(
                "order {}: records {:?}, close-outs gave {want:?}",
                o.id(),
                o.records
            ));
        }
        check_links(w, o.id(), &o.records)?;
        linked += o.records.len();
    }
    if states.len() != w.book.orders().count() {
        return Err("the event log names orders the book does not have".into());
    }
    // Both ways: no ledger record points at an order that does not list it.
    let back = w
        .ledger
        .records()
        .iter()
        .filter(|s| w.book.order_of_record(s.record.id).is_some())
        .count();
    if back != linked {
        return Err(format!(
            "{back} ledger records link to orders, orders list {linked}"
        ));
    }
    Ok((events.len(), fulfilled))
}

/// The command that replays `seed` with `ops` operations.
pub fn replay_command(seed: u64, ops: usize) -> String {
    format!(
        "cargo run --release -p zhiyuan-benches --bin simulate -- 1 {ops} {seed} \
         (or ZHIYUAN_SIM_SEED={seed} ZHIYUAN_SIM_OPS={ops} cargo test -p zhiyuan --test integration simulation)"
    )
}

/// Runs the simulation for `seed` with `ops` generated operations. On a
/// broken invariant returns `Err` naming the seed, the step, what broke and
/// the command that replays it ([`replay_command`]).
pub fn run(seed: u64, ops: usize) -> Result<Report, String> {
    let fail = |step: usize, why: String| {
        format!(
            "simulation seed {seed} failed at delivery {step}: {why}; reproduce with zhiyuan::simulation::run({seed}, {ops}) or {}",
            replay_command(seed, ops)
        )
    };
    // About 300 operations per volunteer keeps overlaps and conflicts
    // frequent at every size.
    let volunteers = (ops as u64 / 300).max(16);
    let all: Vec<u64> = (0..volunteers).collect();
    let full_check_every = (ops / 16).max(1024);
    let mut generator = Generator {
        rng: Rng(seed),
        volunteers,
        next_id: 0,
        next_order: 0,
        now: BASE + 30 * 24 * 60 * MICROS_PER_MINUTE,
        submitted: Vec::new(),
        orders: VecDeque::new(),
    };
    let mut faults = Rng(seed ^ 0xA5A5_5A5A_DEAD_BEEF);
    let mut queue: VecDeque<Op> = (0..ops).map(|_| generator.op()).collect();
    let mut world = World::new();
    let mut mirror = OrderMirror::default();
    // Operations that were accepted, in delivery order, for the final
    // re-execution.
    let mut accepted: Vec<Op> = Vec::new();
    let mut report = Report {
        seed,
        generated: ops,
        delivered: 0,
        duplicates: 0,
        reorders: 0,
        retried: 0,
        accepted: 0,
        refused: 0,
        records: 0,
        entries: 0,
        orders: 0,
        order_events: 0,
        fulfilled: 0,
        finished_orders: 0,
    };
    let mut dropped: Vec<Op> = Vec::new();
    let mut step = 0usize;
    while let Some(op) = queue.pop_front() {
        if faults.chance(3) && !queue.is_empty() {
            // Reordered: the next operation overtakes this one.
            let next = queue.pop_front().expect("checked non-empty");
            queue.push_front(op);
            queue.push_front(next);
            report.reorders += 1;
            continue;
        }
        if faults.chance(2) {
            // Dropped: retried after a while.
            dropped.push(op);
            report.retried += 1;
            continue;
        }
        if !dropped.is_empty() && faults.chance(20) {
            let back = dropped.remove(0);
            queue.push_front(back);
        }
        step += 1;
        report.delivered += 1;
        let order_before = op_order(&op).and_then(|id| world.book.order(id).ok().cloned());
        let (ok, mut moved) = world.apply(&op);
        if ok {
            report.accepted += 1;
            accepted.push(op.clone());
        } else {
            report.refused += 1;
            if let Some(id) = op_order(&op)
                && world.book.order(id).ok() != order_before.as_ref()
            {
                return Err(fail(step, format!("refused {op:?} changed order {id}")));
            }
        }
        if faults.chance(5) {
            // Delivered twice: must change nothing.
            let before = footprint(&world, &op);
            step += 1;
            report.delivered += 1;
            report.duplicates += 1;
            let (again, _) = world.apply(&op);
            let idempotent = !matches!(op, Op::Order(_) | Op::Fulfil(_) | Op::Sweep(_));
            let want = ok && idempotent;
            if again != want {
                return Err(fail(
                    step,
                    format!("duplicate delivery of {op:?} gave {again}, first {ok}"),
                ));
            }
            if again {
                report.accepted += 1
            } else {
                report.refused += 1
            }
            if footprint(&world, &op) != before {
                return Err(fail(
                    step,
                    format!("duplicate delivery of {op:?} changed the state"),
                ));
            }
        }
        check(&world.ledger, &world.balance, &touched(&world.ledger, &op))
            .map_err(|e| fail(step, e))?;
        moved.sort_unstable();
        moved.dedup();
        for id in moved {
            mirror.follow(&world, id).map_err(|e| fail(step, e))?;
        }
        if step.is_multiple_of(full_check_every) {
            check(&world.ledger, &world.balance, &all).map_err(|e| fail(step, e))?;
            let ids: Vec<OrderId> = world.book.orders().map(Order::id).collect();
            for id in ids {
                mirror.follow(&world, id).map_err(|e| fail(step, e))?;
            }
        }
        if queue.is_empty() && !dropped.is_empty() {
            queue.extend(dropped.drain(..));
        }
    }
    check(&world.ledger, &world.balance, &all).map_err(|e| fail(step, e))?;
    check_resolutions(&world.ledger).map_err(|e| fail(step, e))?;
    let (order_events, fulfilled) = check_orders(&world).map_err(|e| fail(step, e))?;
    let ledger = &world.ledger;
    let replayed = HoursLedger::replay(Policy::default(), tree(), ledger.entries())
        .map_err(|e| fail(step, format!("replay failed: {e}")))?;
    if &replayed != ledger {
        return Err(fail(
            step,
            "replaying the log gave a different ledger".into(),
        ));
    }
    let restored = HoursLedger::restore(&ledger.snapshot())
        .map_err(|e| fail(step, format!("restore failed: {e}")))?;
    if &restored != ledger {
        return Err(fail(
            step,
            "restoring the snapshot gave a different ledger".into(),
        ));
    }
    let mut again = World::new();
    for (i, op) in accepted.iter().enumerate() {
        if !again.apply(op).0 {
            return Err(fail(
                step,
                format!("re-executing accepted operation {i} ({op:?}) was refused"),
            ));
        }
    }
    if again != world {
        return Err(fail(
            step,
            "re-executing the accepted operations gave a different ledger or book".into(),
        ));
    }
    report.records = ledger.len();
    report.entries = ledger.log_len();
    report.orders = world.book.orders().count();
    report.order_events = order_events;
    report.fulfilled = fulfilled;
    report.finished_orders = world.book.orders().filter(|o| o.state.is_final()).count();
    Ok(report)
}
