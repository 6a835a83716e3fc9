//! The 五单 service-order workflow: 点单 order → 审单 review → 派单 dispatch →
//! 接单 accept → 销单 fulfil → 评单 rate (domain-rules §6.3).
//!
//! An [`OrderBook`] holds every order, its per-order event log and the link
//! between orders and the service records their close-out produced. Every
//! command names its actor and a caller-supplied time; a command that is not
//! allowed is an error and leaves the book exactly as it was (each
//! transition is computed on a copy and committed only when it succeeds).
//!
//! ```text
//! placed ─start_review→ under_review ─dispatch→ dispatched ─accept→ accepted ─fulfil→ fulfilled ─rate→ rated ─close→ closed
//! under_review ─reject→ rejected          dispatched ─decline→ under_review (re-dispatch, history kept)
//! dispatched | accepted ─withdraw→ under_review      rated (dissatisfied) ─reopen→ under_review
//! placed … accepted ─cancel→ cancelled | ─expire→ expired      fulfilled ─close (window over)→ closed (unrated)
//! ```
//!
//! The full table with guards, the SLA clocks and the metric definitions are
//! in `docs/orders.md`.
//!
//! ```
//! use zhiyuan::orders::*;
//! use zhiyuan::units::{Unit, UnitTree};
//! use zhiyuan::Policy;
//! let units = UnitTree::new(vec![Unit::new(1, None, "实践站", "station")], vec![])?;
//! let mut book = OrderBook::new(Policy::default(), units);
//! let t0: zhiyuan::time::Timestamp = "2024-03-04T01:00:00Z".parse()?;
//! book.place(NewOrder::new(7, 100, "medical_fitness", 1, t0))?;
//! let cmd = |action, at| Command { order: 7, actor: 9, at, action };
//! book.apply(cmd(Action::StartReview, t0))?;
//! let err = book.apply(cmd(Action::Accept { by: Taker::Volunteer(5) }, t0)).unwrap_err();
//! assert_eq!(err.to_string(), "order 7: cannot accept an order in state under_review");
//! assert_eq!(book.order(7)?.state, OrderState::UnderReview);
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::Policy;
use crate::error::{Error, Result};
use crate::geo::LatLon;
use crate::hours::{ActorId, RecordId, ServiceRecord, VolunteerId};
use crate::ledger::HoursLedger;
use crate::policy::ensure;
use crate::time::{MICROS_PER_DAY, MICROS_PER_HOUR, Timestamp};
use crate::units::{TeamId, UnitId, UnitTree};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// An order id, chosen by the caller.
pub type OrderId = u64;

/// Target-group tags (老、小、残、困、疾), orthogonal to categories (§6.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetGroup {
    /// 老: elderly people.
    Elderly,
    /// 小: children.
    Child,
    /// 残: disabled people.
    Disabled,
    /// 困: households in hardship.
    Hardship,
    /// 疾: ill people.
    Ill,
}

/// How urgent a need is; ordered `normal < urgent < emergency`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// The usual case.
    #[default]
    Normal,
    /// Needs attention soon (a whistle).
    Urgent,
    /// Needs help now.
    Emergency,
}

/// Where an order stands. `rejected`, `cancelled`, `expired` and `closed`
/// are final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// 点单: placed by a resident or a proxy.
    Placed,
    /// 审单: a station is reviewing it (or it came back to the pool).
    UnderReview,
    /// 派单: assigned to a team or volunteer, or open for grabbing.
    Dispatched,
    /// 接单: a team or volunteer took it.
    Accepted,
    /// 销单: served and closed out with its service records.
    Fulfilled,
    /// 评单: the requester rated it.
    Rated,
    /// Finished: rated, or unrated after the rating window.
    Closed,
    /// Refused at review, with a reason.
    Rejected,
    /// Cancelled by the requester or the centre before fulfilment.
    Cancelled,
    /// Not fulfilled in time.
    Expired,
}

impl OrderState {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Placed => "placed",
            OrderState::UnderReview => "under_review",
            OrderState::Dispatched => "dispatched",
            OrderState::Accepted => "accepted",
            OrderState::Fulfilled => "fulfilled",
            OrderState::Rated => "rated",
            OrderState::Closed => "closed",
            OrderState::Rejected => "rejected",
            OrderState::Cancelled => "cancelled",
            OrderState::Expired => "expired",
        }
    }

    /// Still before fulfilment (cancellable, can expire).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OrderState::Placed
                | OrderState::UnderReview
                | OrderState::Dispatched
                | OrderState::Accepted
        )
    }

    /// No command can move it any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderState::Closed | OrderState::Rejected | OrderState::Cancelled | OrderState::Expired
        )
    }
}

impl fmt::Display for OrderState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whom the centre dispatched an order to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignee {
    /// A team (志愿服务队).
    Team(TeamId),
    /// One volunteer.
    Volunteer(VolunteerId),
    /// Nobody in particular: open for grabbing (抢单).
    Open,
}

/// Who accepted (or declines) an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Taker {
    /// A team. Teams rank before volunteers in every tie order.
    Team(TeamId),
    /// One volunteer.
    Volunteer(VolunteerId),
}

impl Taker {
    fn is_assignee(self, a: Assignee) -> bool {
        match (self, a) {
            (_, Assignee::Open) => true,
            (Taker::Team(t), Assignee::Team(u)) => t == u,
            (Taker::Volunteer(v), Assignee::Volunteer(w)) => v == w,
            _ => false,
        }
    }
}

impl fmt::Display for Taker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Taker::Team(t) => write!(f, "team {t}"),
            Taker::Volunteer(v) => write!(f, "volunteer {v}"),
        }
    }
}

/// The requester's verdict (满意 / 基本满意 / 不满意).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// 满意.
    Satisfied,
    /// 基本满意.
    Basic,
    /// 不满意.
    Dissatisfied,
}

/// A rating: 1–5 stars and a verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    /// 1 ..= 5.
    pub score: u8,
    /// The verdict.
    pub satisfaction: Satisfaction,
}

/// How a closed order ended, for metrics. `unrated` is never satisfied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Rated 满意.
    Satisfied,
    /// Rated 基本满意.
    Basic,
    /// Rated 不满意.
    Dissatisfied,
    /// The rating window ended without a rating.
    Unrated,
}

/// Who cancelled an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The requester (the actor must be the requester).
    Requester,
    /// The centre or a station.
    Centre,
}

/// A new order (点单), as placed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    /// Caller-chosen id; placing the same id with the same body again is a
    /// no-op, with a different body a conflict.
    pub id: OrderId,
    /// The resident who needs the service.
    pub requester: ActorId,
    /// Who entered it, when a proxy (e.g. a 飞燕 volunteer) ordered on the
    /// requester's behalf. Default: the requester.
    #[serde(default)]
    pub placed_by: Option<ActorId>,
    /// A category code from `orders.categories`.
    pub category: String,
    /// Target-group tags (kept sorted, without repeats).
    #[serde(default)]
    pub target_groups: Vec<TargetGroup>,
    /// The unit (usually a station) the need belongs to.
    pub unit: UnitId,
    /// Where the service is needed, for the ten-minute circle.
    #[serde(default)]
    pub location: Option<LatLon>,
    /// Urgency; default normal.
    #[serde(default)]
    pub urgency: Urgency,
    /// When the requester wants it done (the expected service time).
    #[serde(default)]
    pub wanted_by: Option<Timestamp>,
    /// Length of the description in characters (the text stays with the
    /// caller).
    pub description_len: u32,
    /// When it was placed.
    pub at: Timestamp,
}

impl NewOrder {
    /// An untagged, normal-urgency order without location or wanted-by time.
    pub fn new(
        id: OrderId,
        requester: ActorId,
        category: &str,
        unit: UnitId,
        at: Timestamp,
    ) -> Self {
        NewOrder {
            id,
            requester,
            placed_by: None,
            category: category.to_owned(),
            target_groups: Vec::new(),
            unit,
            location: None,
            urgency: Urgency::Normal,
            wanted_by: None,
            description_len: 1,
            at,
        }
    }
}

/// A command on an existing order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Command {
    /// The order.
    pub order: OrderId,
    /// Who acts.
    pub actor: ActorId,
    /// When; never before the order's last event.
    pub at: Timestamp,
    /// What to do.
    #[serde(flatten)]
    pub action: Action,
}

/// Everything one can do to an order except placing and fulfilling it
/// (see [`OrderBook::place`], [`OrderBook::fulfil`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// placed → under_review (station).
    StartReview,
    /// under_review → rejected (station), with a reason for the requester.
    Reject {
        /// Shown to the requester.
        reason: String,
    },
    /// under_review → dispatched (centre).
    Dispatch {
        /// Team, volunteer, or open for grabbing.
        to: Assignee,
    },
    /// dispatched → accepted (the assignee, or anyone when open).
    Accept {
        /// Who takes it.
        by: Taker,
    },
    /// dispatched → under_review (the assignee), re-dispatch pending.
    Decline {
        /// The assignee declining.
        by: Taker,
        /// Why.
        reason: String,
    },
    /// dispatched or accepted → under_review (centre): back to the pool.
    Withdraw {
        /// Why.
        reason: String,
    },
    /// fulfilled → rated (the requester only, within the window).
    Rate {
        /// The rating.
        rating: Rating,
    },
    /// rated (dissatisfied) → under_review (centre), when policy allows.
    Reopen {
        /// Why.
        reason: String,
    },
    /// before fulfilment → cancelled.
    Cancel {
        /// Requester or centre.
        by: Party,
        /// Why.
        reason: String,
    },
    /// before fulfilment → expired, once the expiry instant has passed.
    Expire,
    /// rated → closed; or fulfilled → closed as unrated once the rating
    /// window has ended.
    Close,
}

impl Action {
    /// The snake_case name, as used in error messages.
    pub fn name(&self) -> &'static str {
        match self {
            Action::StartReview => "start_review",
            Action::Reject { .. } => "reject",
            Action::Dispatch { .. } => "dispatch",
            Action::Accept { .. } => "accept",
            Action::Decline { .. } => "decline",
            Action::Withdraw { .. } => "withdraw",
            Action::Rate { .. } => "rate",
            Action::Reopen { .. } => "reopen",
            Action::Cancel { .. } => "cancel",
            Action::Expire => "expire",
            Action::Close => "close",
        }
    }
}

/// A close-out (圆梦销单): accepted → fulfilled with the service records the
/// service produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fulfilment {
    /// The order.
    pub order: OrderId,
    /// Who closes it out (team leader, the volunteer).
    pub actor: ActorId,
    /// When.
    pub at: Timestamp,
    /// The service records, submitted to the hours ledger as one batch.
    pub records: Vec<ServiceRecord>,
    /// Length of the close-out report in characters.
    #[serde(default)]
    pub report_len: u32,
}

/// How a dispatch round ended before fulfilment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundEnd {
    /// The assignee declined.
    Declined,
    /// The centre withdrew it.
    Withdrawn,
}

/// One dispatch of an order; kept for history when it is re-dispatched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchRound {
    /// Whom it went to.
    pub to: Assignee,
    /// When.
    pub at: Timestamp,
    /// Who accepted it in this round, and when.
    pub accepted: Option<Acceptance>,
    /// How the round ended, if it did before fulfilment.
    pub ended: Option<RoundEnding>,
}

/// An acceptance within a dispatch round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    /// Who took the order.
    pub by: Taker,
    /// When.
    pub at: Timestamp,
}

/// The end of a dispatch round before fulfilment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundEnding {
    /// Declined or withdrawn.
    pub how: RoundEnd,
    /// When.
    pub at: Timestamp,
    /// Why.
    pub reason: String,
}

/// An order and where it stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// The order as placed (target groups sorted, `placed_by` filled in).
    pub placed: NewOrder,
    /// Current state.
    pub state: OrderState,
    /// When the current state was entered.
    pub state_since: Timestamp,
    /// Time of the last event (commands may not go back before it).
    pub last_at: Timestamp,
    /// Every dispatch, oldest first.
    pub rounds: Vec<DispatchRound>,
    /// Dispatches after the first.
    pub redispatch_count: u32,
    /// Who accepted it in the current round.
    pub taker: Option<Taker>,
    /// Service records attached by close-outs, in submission order.
    pub records: Vec<RecordId>,
    /// The current rating.
    pub rating: Option<Rating>,
    /// Set when closed.
    pub outcome: Option<Outcome>,
    /// When it was (last) fulfilled.
    pub fulfilled_at: Option<Timestamp>,
    /// The reason given for a reject or cancel.
    pub end_reason: Option<String>,
    /// Who cancelled, if cancelled.
    pub cancelled_by: Option<Party>,
}

impl Order {
    /// The id.
    pub fn id(&self) -> OrderId {
        self.placed.id
    }

    /// The current dispatch round, if dispatched or accepted.
    pub fn current_round(&self) -> Option<&DispatchRound> {
        match self.state {
            OrderState::Dispatched | OrderState::Accepted => self.rounds.last(),
            _ => None,
        }
    }

    fn label(&self) -> String {
        format!("order {}", self.id())
    }

    fn illegal(&self, action: &str) -> Error {
        Error::invalid_state(
            self.label(),
            format!("cannot {action} an order in state {}", self.state),
        )
    }

    fn illegal_because(&self, action: &str, why: String) -> Error {
        Error::invalid_state(
            self.label(),
            format!("cannot {action} an order in state {}: {why}", self.state),
        )
    }
}

/// What happened, in an [`OrderEvent`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    /// The order was placed.
    Placed {
        /// Its unit.
        unit: UnitId,
        /// Its category.
        category: String,
        /// Its urgency.
        urgency: Urgency,
    },
    /// Review started.
    ReviewStarted,
    /// Rejected at review.
    Rejected {
        /// Why.
        reason: String,
    },
    /// Dispatched.
    Dispatched {
        /// To whom.
        to: Assignee,
    },
    /// Accepted.
    Accepted {
        /// By whom.
        by: Taker,
    },
    /// Declined by the assignee.
    Declined {
        /// By whom.
        by: Taker,
        /// Why.
        reason: String,
    },
    /// Withdrawn by the centre.
    Withdrawn {
        /// Why.
        reason: String,
    },
    /// Fulfilled with these records.
    Fulfilled {
        /// Record ids, linked both ways.
        records: Vec<RecordId>,
    },
    /// Rated.
    Rated {
        /// The rating.
        rating: Rating,
    },
    /// Reopened after a dissatisfied rating.
    Reopened {
        /// Why.
        reason: String,
    },
    /// Cancelled.
    Cancelled {
        /// By whom.
        by: Party,
        /// Why.
        reason: String,
    },
    /// Expired.
    Expired,
    /// Closed.
    Closed {
        /// How it ended.
        outcome: Outcome,
    },
}

/// One entry of an order's event log; metrics can be recomputed from these.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderEvent {
    /// Book-wide sequence number, from 1.
    pub seq: u64,
    /// The order.
    pub order: OrderId,
    /// Who acted (the `actor` given to [`OrderBook::sweep`] for automatic
    /// closes and expiries).
    pub actor: ActorId,
    /// When.
    pub at: Timestamp,
    /// What.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// Which SLA clock an overdue order has run past.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// Not dispatched or rejected within the review time.
    Review,
    /// Dispatched but not accepted within the accept time.
    Accept,
    /// Accepted but not fulfilled by the wanted-by time or the working-day limit.
    Fulfil,
    /// The rating window ended; the order awaits closing as unrated.
    Rating,
    /// Past the expiry instant and still open; [`OrderBook::sweep`] expires it.
    Expiry,
}

/// One SLA breach, from [`OrderBook::overdue`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breach {
    /// The order.
    pub order: OrderId,
    /// Its state.
    pub state: OrderState,
    /// Which clock.
    pub clock: Clock,
    /// The instant the clock ran out (exclusive deadline).
    pub due: Timestamp,
    /// Whole seconds past `due`.
    pub late_seconds: i64,
}

/// The time limits that apply to one order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Sla {
    /// From entering the review pool to a dispatch or reject. Default 24.
    pub review_hours: u32,
    /// From dispatch to acceptance. Default 24.
    pub accept_hours: u32,
    /// From acceptance to fulfilment when no wanted-by time is given,
    /// in working days on the policy calendar. Default 5.
    pub fulfil_working_days: u32,
    /// From fulfilment, days in which the requester may rate. Default 7.
    pub rating_window_days: u32,
    /// Hours after the fulfil deadline (wanted-by, or the working-day limit
    /// counted from placement) at which an unfulfilled order expires.
    /// Default 72.
    pub expire_after_hours: u32,
}

impl Default for Sla {
    fn default() -> Self {
        Sla {
            review_hours: 24,
            accept_hours: 24,
            fulfil_working_days: 5,
            rating_window_days: 7,
            expire_after_hours: 72,
        }
    }
}

/// Overrides for one category and/or urgency. More specific rules win:
/// (category, urgency) over category-only over urgency-only over the
/// defaults; each field overrides separately.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaOverride {
    /// The category this applies to; `None` = any.
    pub category: Option<String>,
    /// The urgency this applies to; `None` = any.
    pub urgency: Option<Urgency>,
    /// Override of [`Sla::review_hours`].
    pub review_hours: Option<u32>,
    /// Override of [`Sla::accept_hours`].
    pub accept_hours: Option<u32>,
    /// Override of [`Sla::fulfil_working_days`].
    pub fulfil_working_days: Option<u32>,
    /// Override of [`Sla::rating_window_days`].
    pub rating_window_days: Option<u32>,
    /// Override of [`Sla::expire_after_hours`].
    pub expire_after_hours: Option<u32>,
}

/// A service category of the order menu.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Stable code used in orders, e.g. `legal_services`.
    pub code: String,
    /// Display name, e.g. `法律服务`.
    pub name: String,
}

/// Order categories, SLAs and metric choices (domain-rules §6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrdersPolicy {
    /// The service menu; default the 10 Jiangsu 文明实践 project types
    /// (2020 志交会, §6.6).
    pub categories: Vec<Category>,
    /// Default time limits (§6.3, §0).
    pub sla: Sla,
    /// Per category / urgency overrides; default none.
    pub sla_overrides: Vec<SlaOverride>,
    /// Whether the centre may reopen a dissatisfied order. Default true.
    pub reopen_dissatisfied: bool,
    /// Whether 基本满意 counts as satisfied in the satisfaction rate.
    /// Default false (only 满意 counts).
    pub basic_counts_as_satisfied: bool,
    /// Longest accepted description, characters. Default 2000.
    pub max_description_len: u32,
    /// A need (unit × category × target group) with at least this many
    /// orders in the window becomes a planned project on the service list.
    /// Default 3.
    pub project_min_orders: u32,
}

/// The 10 Jiangsu categories: (code, name).
const JIANGSU_CATEGORIES: [(&str, &str); 10] = [
    ("theory_policy", "理论政策宣讲"),
    ("culture_arts", "文化文艺服务"),
    ("education_support", "助学支教"),
    ("medical_fitness", "医疗健身"),
    ("science_tech", "科技服务"),
    ("legal_services", "法律服务"),
    ("ecology", "生态环保"),
    ("poverty_relief", "扶贫帮困"),
    ("civility_promotion", "文明倡导"),
    ("public_welfare", "公益活动"),
];

impl Default for OrdersPolicy {
    fn default() -> Self {
        OrdersPolicy {
            categories: JIANGSU_CATEGORIES
                .iter()
                .map(|&(code, name)| Category {
                    code: code.to_owned(),
                    name: name.to_owned(),
                })
                .collect(),
            sla: Sla::default(),
            sla_overrides: Vec::new(),
            reopen_dissatisfied: true,
            basic_counts_as_satisfied: false,
            max_description_len: 2000,
            project_min_orders: 3,
        }
    }
}

fn valid_code(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn validate_sla_hours(v: u32, field: &str) -> Result<()> {
    ensure(v > 0, field, "must be > 0")?;
    ensure(v <= 24 * 366, field, "must be <= 8784 (one year)")
}

impl Sla {
    fn validate(&self) -> Result<()> {
        validate_sla_hours(self.review_hours, "review_hours")?;
        validate_sla_hours(self.accept_hours, "accept_hours")?;
        ensure(
            (1..=366).contains(&self.fulfil_working_days),
            "fulfil_working_days",
            "must be within 1..=366",
        )?;
        ensure(
            (1..=366).contains(&self.rating_window_days),
            "rating_window_days",
            "must be within 1..=366",
        )?;
        validate_sla_hours(self.expire_after_hours, "expire_after_hours")
    }
}

impl OrdersPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        ensure(
            !self.categories.is_empty(),
            "categories",
            "must not be empty",
        )?;
        let mut seen = BTreeSet::new();
        for (i, c) in self.categories.iter().enumerate() {
            let f = format!("categories[{i}].code");
            ensure(
                valid_code(&c.code),
                &f,
                "must be non-empty snake_case ASCII",
            )?;
            ensure(seen.insert(c.code.as_str()), &f, "duplicate category code")?;
        }
        self.sla.validate().map_err(|e| e.at("sla"))?;
        let mut keys = BTreeSet::new();
        for (i, o) in self.sla_overrides.iter().enumerate() {
            let at = format!("sla_overrides[{i}]");
            if let Some(c) = &o.category {
                ensure(
                    seen.contains(c.as_str()),
                    &format!("{at}.category"),
                    "unknown category",
                )?;
            }
            ensure(
                keys.insert((o.category.clone(), o.urgency)),
                &at,
                "duplicate (category, urgency) override",
            )?;
            self.apply_override(self.sla, o)
                .validate()
                .map_err(|e| e.at(&at))?;
        }
        ensure(
            (1..=100_000).contains(&self.max_description_len),
            "max_description_len",
            "must be within 1..=100000",
        )?;
        ensure(
            self.project_min_orders >= 1,
            "project_min_orders",
            "must be >= 1",
        )
    }

    fn apply_override(&self, mut s: Sla, o: &SlaOverride) -> Sla {
        s.review_hours = o.review_hours.unwrap_or(s.review_hours);
        s.accept_hours = o.accept_hours.unwrap_or(s.accept_hours);
        s.fulfil_working_days = o.fulfil_working_days.unwrap_or(s.fulfil_working_days);
        s.rating_window_days = o.rating_window_days.unwrap_or(s.rating_window_days);
        s.expire_after_hours = o.expire_after_hours.unwrap_or(s.expire_after_hours);
        s
    }

    /// Position of `code` in the menu (the tie order for categories).
    pub fn category_index(&self, code: &str) -> Option<usize> {
        self.categories.iter().position(|c| c.code == code)
    }

    /// The SLA for a category and urgency, overrides applied from least to
    /// most specific.
    pub fn sla_for(&self, category: &str, urgency: Urgency) -> Sla {
        let mut rules: Vec<(u8, &SlaOverride)> = self
            .sla_overrides
            .iter()
            .filter(|o| {
                o.category.as_deref().is_none_or(|c| c == category)
                    && o.urgency.is_none_or(|u| u == urgency)
            })
            .map(|o| {
                let rank = u8::from(o.category.is_some()) * 2 + u8::from(o.urgency.is_some());
                (rank, o)
            })
            .collect();
        rules.sort_by_key(|&(rank, _)| rank);
        rules
            .into_iter()
            .fold(self.sla, |s, (_, o)| self.apply_override(s, o))
    }
}

/// Per-order facts the metrics are computed from, kept up to date by each
/// transition (the "incremental" side of the metrics property test).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFacts {
    /// The order's unit.
    pub unit: UnitId,
    /// Placement time.
    pub placed_at: Option<Timestamp>,
    /// Review was started.
    pub reviewed: bool,
    /// Dispatched at least once.
    pub dispatched: bool,
    /// Cancelled by the requester.
    pub requester_cancelled: bool,
    /// First acceptance.
    pub first_accepted_at: Option<Timestamp>,
    /// First fulfilment.
    pub first_fulfilled_at: Option<Timestamp>,
    /// The current rating's verdict (cleared on reopen).
    pub satisfaction: Option<Satisfaction>,
    /// Closed without a rating.
    pub closed_unrated: bool,
    /// Dispatches after the first.
    pub redispatches: u32,
}

/// Orders, their event logs and the order ↔ record links.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderBook {
    policy: Policy,
    units: UnitTree,
    orders: BTreeMap<OrderId, Order>,
    events: BTreeMap<OrderId, Vec<OrderEvent>>,
    next_seq: u64,
    record_orders: BTreeMap<RecordId, OrderId>,
    facts: BTreeMap<OrderId, OrderFacts>,
}

fn plus_hours(t: Timestamp, h: u32) -> Timestamp {
    t.saturating_add_micros(i64::from(h) * MICROS_PER_HOUR)
}

fn non_empty(reason: &str, field: &str) -> Result<()> {
    if reason.trim().is_empty() {
        Err(Error::invalid_input(field, "must not be empty"))
    } else {
        Ok(())
    }
}

impl OrderBook {
    /// An empty book under `policy`, for orders of the units in `units`.
    pub fn new(policy: Policy, units: UnitTree) -> Self {
        OrderBook {
            policy,
            units,
            orders: BTreeMap::new(),
            events: BTreeMap::new(),
            next_seq: 1,
            record_orders: BTreeMap::new(),
            facts: BTreeMap::new(),
        }
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The unit tree.
    pub fn units(&self) -> &UnitTree {
        &self.units
    }

    /// The order with this id.
    pub fn order(&self, id: OrderId) -> Result<&Order> {
        self.orders
            .get(&id)
            .ok_or_else(|| Error::not_found(format!("order {id}"), "unknown order"))
    }

    /// All orders, by id.
    pub fn orders(&self) -> impl Iterator<Item = &Order> {
        self.orders.values()
    }

    /// The event log of one order, oldest first.
    pub fn events_of(&self, id: OrderId) -> Result<&[OrderEvent]> {
        self.order(id)?;
        Ok(self.events.get(&id).map(Vec::as_slice).unwrap_or(&[]))
    }

    /// Every event of the book, by sequence number.
    pub fn events(&self) -> Vec<OrderEvent> {
        let mut all: Vec<OrderEvent> = self.events.values().flatten().cloned().collect();
        all.sort_by_key(|e| e.seq);
        all
    }

    /// The per-order metric facts, kept incrementally.
    pub fn facts(&self) -> &BTreeMap<OrderId, OrderFacts> {
        &self.facts
    }

    /// The order a service record was attached to by a close-out.
    pub fn order_of_record(&self, record: RecordId) -> Option<OrderId> {
        self.record_orders.get(&record).copied()
    }

    /// The SLA that applies to `order`.
    pub fn sla(&self, order: &Order) -> Sla {
        self.policy
            .orders
            .sla_for(&order.placed.category, order.placed.urgency)
    }

    /// Places an order (点单). Errors name the field: unknown category or
    /// unit, bad location, description length out of range; a reused id with
    /// a different body is a conflict.
    pub fn place(&mut self, order: NewOrder) -> Result<&Order> {
        let mut order = order;
        let id = order.id;
        let at = |f: &str| format!("order {id}.{f}");
        order.target_groups.sort();
        order.target_groups.dedup();
        order.placed_by = Some(order.placed_by.unwrap_or(order.requester));
        if let Some(same) = self.orders.get(&id).map(|o| o.placed == order) {
            return if same {
                self.order(id)
            } else {
                Err(Error::conflict(
                    format!("order {id}"),
                    "id already used by a different order",
                ))
            };
        }
        let p = &self.policy.orders;
        if p.category_index(&order.category).is_none() {
            return Err(Error::invalid_input(
                at("category"),
                format!("unknown category {:?}", order.category),
            ));
        }
        if !self.units.contains(order.unit) {
            return Err(Error::not_found(
                at("unit"),
                format!("unknown unit {}", order.unit),
            ));
        }
        if let Some(loc) = &order.location {
            loc.validate().map_err(|e| e.at(&at("location")))?;
        }
        if order.description_len == 0 || order.description_len > p.max_description_len {
            return Err(Error::invalid_input(
                at("description_len"),
                format!("must be within 1..={}", p.max_description_len),
            ));
        }
        let t = order.at;
        let kind = EventKind::Placed {
            unit: order.unit,
            category: order.category.clone(),
            urgency: order.urgency,
        };
        let actor = order.placed_by.unwrap_or(order.requester);
        self.facts.insert(
            id,
            OrderFacts {
                unit: order.unit,
                placed_at: Some(t),
                ..OrderFacts::default()
            },
        );
        let new = Order {
            placed: order,
            state: OrderState::Placed,
            state_since: t,
            last_at: t,
            rounds: Vec::new(),
            redispatch_count: 0,
            taker: None,
            records: Vec::new(),
            rating: None,
            outcome: None,
            fulfilled_at: None,
            end_reason: None,
            cancelled_by: None,
        };
        self.orders.insert(id, new);
        self.log(id, actor, t, kind);
        self.order(id)
    }

    fn log(&mut self, order: OrderId, actor: ActorId, at: Timestamp, kind: EventKind) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.events.entry(order).or_default().push(OrderEvent {
            seq,
            order,
            actor,
            at,
            kind,
        });
    }

    fn check_time(o: &Order, at: Timestamp) -> Result<()> {
        if at < o.last_at {
            Err(Error::invalid_input(
                format!("order {}.at", o.id()),
                format!("{at} is before the order's last event at {}", o.last_at),
            ))
        } else {
            Ok(())
        }
    }

    /// Applies one command. On error nothing changes.
    pub fn apply(&mut self, cmd: Command) -> Result<&Order> {
        let current = self.order(cmd.order)?;
        Self::check_time(current, cmd.at)?;
        let (next, kind) = self.transition(current, &cmd)?;
        self.commit(next, cmd.actor, cmd.at, kind);
        self.order(cmd.order)
    }

    fn commit(&mut self, next: Order, actor: ActorId, at: Timestamp, kind: EventKind) {
        let id = next.id();
        self.update_facts(id, at, &kind);
        self.orders.insert(id, next);
        self.log(id, actor, at, kind);
    }

    /// Keeps [`OrderFacts`] current as each transition commits.
    fn update_facts(&mut self, id: OrderId, at: Timestamp, kind: &EventKind) {
        let f = self.facts.entry(id).or_default();
        match kind {
            EventKind::ReviewStarted => f.reviewed = true,
            EventKind::Dispatched { .. } => {
                if f.dispatched {
                    f.redispatches += 1;
                }
                f.dispatched = true;
            }
            EventKind::Accepted { .. } => {
                f.first_accepted_at.get_or_insert(at);
            }
            EventKind::Fulfilled { .. } => {
                f.first_fulfilled_at.get_or_insert(at);
            }
            EventKind::Rated { rating } => f.satisfaction = Some(rating.satisfaction),
            EventKind::Reopened { .. } => f.satisfaction = None,
            EventKind::Cancelled { by, .. } => f.requester_cancelled = *by == Party::Requester,
            EventKind::Closed { outcome } => f.closed_unrated = *outcome == Outcome::Unrated,
            EventKind::Placed { .. }
            | EventKind::Rejected { .. }
            | EventKind::Declined { .. }
            | EventKind::Withdrawn { .. }
            | EventKind::Expired => {}
        }
    }

    /// The instant from which an open order may be expired.
    pub fn expires_at(&self, o: &Order) -> Timestamp {
        let sla = self.sla(o);
        let base = o.placed.wanted_by.unwrap_or_else(|| {
            self.policy
                .calendar()
                .working_deadline(o.placed.at, sla.fulfil_working_days)
        });
        plus_hours(base, sla.expire_after_hours)
    }

    /// The end (exclusive) of the rating window of a fulfilled order.
    pub fn rating_closes_at(&self, o: &Order) -> Option<Timestamp> {
        let days = i64::from(self.sla(o).rating_window_days);
        o.fulfilled_at
            .map(|t| t.saturating_add_micros(days * MICROS_PER_DAY))
    }

    fn transition(&self, o: &Order, cmd: &Command) -> Result<(Order, EventKind)> {
        use OrderState as S;
        let name = cmd.action.name();
        let label = |f: &str| format!("order {}.{f}", o.id());
        let mut n = o.clone();
        n.last_at = cmd.at;
        let entering = |n: &mut Order, s: OrderState| {
            n.state = s;
            n.state_since = cmd.at;
        };
        let kind = match (&cmd.action, o.state) {
            (Action::StartReview, S::Placed) => {
                entering(&mut n, S::UnderReview);
                EventKind::ReviewStarted
            }
            (Action::Reject { reason }, S::UnderReview) => {
                non_empty(reason, &label("reason"))?;
                entering(&mut n, S::Rejected);
                n.end_reason = Some(reason.clone());
                EventKind::Rejected {
                    reason: reason.clone(),
                }
            }
            (Action::Dispatch { to }, S::UnderReview) => {
                match *to {
                    Assignee::Team(t) if self.units.team(t).is_err() => {
                        return Err(Error::not_found(label("to"), format!("unknown team {t}")));
                    }
                    Assignee::Volunteer(v) if v == o.placed.requester => {
                        return Err(Error::invalid_input(
                            label("to"),
                            format!("volunteer {v} is the requester"),
                        ));
                    }
                    _ => {}
                }
                if !o.rounds.is_empty() {
                    n.redispatch_count += 1;
                }
                n.rounds.push(DispatchRound {
                    to: *to,
                    at: cmd.at,
                    accepted: None,
                    ended: None,
                });
                entering(&mut n, S::Dispatched);
                EventKind::Dispatched { to: *to }
            }
            (Action::Accept { by }, S::Dispatched) => {
                let to = o.rounds.last().map(|r| r.to).unwrap_or(Assignee::Open);
                if !by.is_assignee(to) {
                    return Err(o.illegal_because(name, format!("it is not dispatched to {by}")));
                }
                if *by == Taker::Volunteer(o.placed.requester) {
                    return Err(Error::invalid_input(
                        label("by"),
                        format!("{by} is the requester"),
                    ));
                }
                if let Some(r) = n.rounds.last_mut() {
                    r.accepted = Some(Acceptance {
                        by: *by,
                        at: cmd.at,
                    });
                }
                n.taker = Some(*by);
                entering(&mut n, S::Accepted);
                EventKind::Accepted { by: *by }
            }
            (Action::Decline { by, reason }, S::Dispatched) => {
                let to = o.rounds.last().map(|r| r.to).unwrap_or(Assignee::Open);
                if to == Assignee::Open || !by.is_assignee(to) {
                    return Err(o.illegal_because(name, format!("it is not dispatched to {by}")));
                }
                non_empty(reason, &label("reason"))?;
                if let Some(r) = n.rounds.last_mut() {
                    r.ended = Some(RoundEnding {
                        how: RoundEnd::Declined,
                        at: cmd.at,
                        reason: reason.clone(),
                    });
                }
                entering(&mut n, S::UnderReview);
                EventKind::Declined {
                    by: *by,
                    reason: reason.clone(),
                }
            }
            (Action::Withdraw { reason }, S::Dispatched | S::Accepted) => {
                non_empty(reason, &label("reason"))?;
                if let Some(r) = n.rounds.last_mut() {
                    r.ended = Some(RoundEnding {
                        how: RoundEnd::Withdrawn,
                        at: cmd.at,
                        reason: reason.clone(),
                    });
                }
                n.taker = None;
                entering(&mut n, S::UnderReview);
                EventKind::Withdrawn {
                    reason: reason.clone(),
                }
            }
            (Action::Rate { rating }, S::Fulfilled) => {
                if !(1..=5).contains(&rating.score) {
                    return Err(Error::invalid_input(
                        label("rating.score"),
                        format!("{} is not within 1..=5", rating.score),
                    ));
                }
                if cmd.actor != o.placed.requester {
                    return Err(Error::invalid_input(
                        label("actor"),
                        format!(
                            "only the requester {} may rate, not {}",
                            o.placed.requester, cmd.actor
                        ),
                    ));
                }
                if o.taker == Some(Taker::Volunteer(cmd.actor)) {
                    return Err(Error::invalid_input(
                        label("actor"),
                        format!("the requester {} served this order", cmd.actor),
                    ));
                }
                let closes = self.rating_closes_at(o).unwrap_or(Timestamp::MIN);
                if cmd.at >= closes {
                    return Err(
                        o.illegal_because(name, format!("the rating window closed at {closes}"))
                    );
                }
                n.rating = Some(*rating);
                entering(&mut n, S::Rated);
                EventKind::Rated { rating: *rating }
            }
            (Action::Reopen { reason }, S::Rated) => {
                let dissatisfied =
                    o.rating.map(|r| r.satisfaction) == Some(Satisfaction::Dissatisfied);
                if !dissatisfied {
                    return Err(o.illegal_because(name, "the rating is not dissatisfied".into()));
                }
                if !self.policy.orders.reopen_dissatisfied {
                    return Err(
                        o.illegal_because(name, "policy orders.reopen_dissatisfied is off".into())
                    );
                }
                non_empty(reason, &label("reason"))?;
                n.rating = None;
                n.taker = None;
                n.fulfilled_at = None;
                entering(&mut n, S::UnderReview);
                EventKind::Reopened {
                    reason: reason.clone(),
                }
            }
            (Action::Cancel { by, reason }, s) if s.is_open() => {
                if *by == Party::Requester && cmd.actor != o.placed.requester {
                    return Err(Error::invalid_input(
                        label("actor"),
                        format!(
                            "actor {} is not the requester {}",
                            cmd.actor, o.placed.requester
                        ),
                    ));
                }
                non_empty(reason, &label("reason"))?;
                n.end_reason = Some(reason.clone());
                n.cancelled_by = Some(*by);
                n.taker = None;
                entering(&mut n, S::Cancelled);
                EventKind::Cancelled {
                    by: *by,
                    reason: reason.clone(),
                }
            }
            (Action::Expire, s) if s.is_open() => {
                let due = self.expires_at(o);
                if cmd.at < due {
                    return Err(o.illegal_because(name, format!("it expires at {due}")));
                }
                n.taker = None;
                entering(&mut n, S::Expired);
                EventKind::Expired
            }
            (Action::Close, S::Rated) => {
                let outcome = match o.rating.map(|r| r.satisfaction) {
                    Some(Satisfaction::Satisfied) => Outcome::Satisfied,
                    Some(Satisfaction::Basic) => Outcome::Basic,
                    _ => Outcome::Dissatisfied,
                };
                n.outcome = Some(outcome);
                entering(&mut n, S::Closed);
                EventKind::Closed { outcome }
            }
            (Action::Close, S::Fulfilled) => {
                let closes = self.rating_closes_at(o).unwrap_or(Timestamp::MIN);
                if cmd.at < closes {
                    return Err(o.illegal_because(
                        name,
                        format!("the rating window is open until {closes}"),
                    ));
                }
                n.outcome = Some(Outcome::Unrated);
                entering(&mut n, S::Closed);
                EventKind::Closed {
                    outcome: Outcome::Unrated,
                }
            }
            _ => return Err(o.illegal(name)),
        };
        Ok((n, kind))
    }

    /// Checks a close-out without changing anything; returns the next order.
    fn check_fulfilment(&self, f: &Fulfilment) -> Result<(Order, EventKind)> {
        let records: Vec<(RecordId, Option<VolunteerId>)> = f
            .records
            .iter()
            .map(|r| (r.id, Some(r.volunteer)))
            .collect();
        self.check_close_out(f.order, f.at, &records)
    }

    /// The close-out checks on record ids (and volunteers, when known: a
    /// replayed `fulfilled` event has ids only).
    fn check_close_out(
        &self,
        order: OrderId,
        at: Timestamp,
        records: &[(RecordId, Option<VolunteerId>)],
    ) -> Result<(Order, EventKind)> {
        let o = self.order(order)?;
        Self::check_time(o, at)?;
        if o.state != OrderState::Accepted {
            return Err(o.illegal("fulfil"));
        }
        let label = |f: &str| format!("order {}.{f}", o.id());
        if records.is_empty() {
            return Err(Error::invalid_input(
                label("records"),
                "a close-out needs at least one service record",
            ));
        }
        let mut ids = BTreeSet::new();
        for (i, &(id, volunteer)) in records.iter().enumerate() {
            let field = label(&format!("records[{i}]"));
            if !ids.insert(id) {
                return Err(Error::conflict(
                    field,
                    format!("record {id} is listed twice"),
                ));
            }
            if let Some(other) = self.order_of_record(id) {
                return Err(Error::conflict(
                    field,
                    format!("record {id} already closes out order {other}"),
                ));
            }
            if let Some(v) = volunteer
                && v == o.placed.requester
            {
                return Err(Error::invalid_input(
                    format!("{field}.volunteer"),
                    format!("volunteer {v} is the requester"),
                ));
            }
        }
        let mut n = o.clone();
        n.last_at = at;
        n.state = OrderState::Fulfilled;
        n.state_since = at;
        n.fulfilled_at = Some(at);
        let new_ids: Vec<RecordId> = records.iter().map(|r| r.0).collect();
        n.records.extend(&new_ids);
        Ok((n, EventKind::Fulfilled { records: new_ids }))
    }

    /// Closes out an accepted order (圆梦销单): submits its service records
    /// to `ledger` through [`HoursLedger::submit_batch`] and links them to
    /// the order both ways ([`Order::records`], [`OrderBook::order_of_record`]).
    /// All or nothing: if the ledger refuses the batch, the order stays
    /// accepted and the ledger unchanged; the error is prefixed with the
    /// order (`order 5.records[0].end: …`).
    ///
    /// Refused before the ledger is asked: not accepted; no records; a record
    /// listed twice or already closing out another order (conflict); a
    /// record of the requester (no self-service).
    pub fn fulfil(&mut self, ledger: &mut HoursLedger, f: Fulfilment) -> Result<&Order> {
        let (next, kind) = self.check_fulfilment(&f)?;
        let label = format!("order {}", f.order);
        ledger
            .submit_batch(f.records.clone())
            .map_err(|e| e.at(&label))?;
        for r in &f.records {
            self.record_orders.insert(r.id, f.order);
        }
        self.commit(next, f.actor, f.at, kind);
        self.order(f.order)
    }

    /// Open orders currently dispatched to or accepted by `who`.
    pub fn open_load(&self, who: Taker) -> u32 {
        self.orders
            .values()
            .filter(|o| match o.state {
                OrderState::Dispatched => o
                    .rounds
                    .last()
                    .is_some_and(|r| r.to != Assignee::Open && who.is_assignee(r.to)),
                OrderState::Accepted => o.taker == Some(who),
                _ => false,
            })
            .count() as u32
    }

    /// Sum and count of the ratings of orders `who` served, and the time of
    /// their last close-out: the load / rating / activity inputs of a
    /// dispatch candidate.
    pub fn service_stats(&self, who: Taker) -> (u32, u32, Option<Timestamp>) {
        let mut sum = 0u32;
        let mut count = 0u32;
        let mut last = None;
        for o in self.orders.values() {
            if o.fulfilled_at.is_some() && o.taker == Some(who) {
                last = last.max(o.fulfilled_at);
                if let Some(r) = o.rating {
                    sum += u32::from(r.score);
                    count += 1;
                }
            }
        }
        (sum, count, last)
    }

    /// Every SLA breach at `now`, ordered by due time, then order id, then
    /// clock.
    pub fn overdue(&self, now: Timestamp) -> Vec<Breach> {
        let mut out = Vec::new();
        for o in self.orders.values() {
            let sla = self.sla(o);
            let mut push = |clock, due: Timestamp| {
                if now >= due {
                    out.push(Breach {
                        order: o.id(),
                        state: o.state,
                        clock,
                        due,
                        late_seconds: (now.as_micros() - due.as_micros()) / 1_000_000,
                    });
                }
            };
            match o.state {
                OrderState::Placed | OrderState::UnderReview => {
                    // The review clock restarts when an order returns to the
                    // pool (decline, withdraw, reopen).
                    let since = if o.rounds.is_empty() {
                        o.placed.at
                    } else {
                        o.state_since
                    };
                    push(Clock::Review, plus_hours(since, sla.review_hours));
                }
                OrderState::Dispatched => {
                    push(Clock::Accept, plus_hours(o.state_since, sla.accept_hours));
                }
                OrderState::Accepted => {
                    let due = o.placed.wanted_by.unwrap_or_else(|| {
                        self.policy
                            .calendar()
                            .working_deadline(o.state_since, sla.fulfil_working_days)
                    });
                    push(Clock::Fulfil, due);
                }
                OrderState::Fulfilled => {
                    if let Some(due) = self.rating_closes_at(o) {
                        push(Clock::Rating, due);
                    }
                }
                _ => {}
            }
            if o.state.is_open() {
                push(Clock::Expiry, self.expires_at(o));
            }
        }
        out.sort_by_key(|b| (b.due, b.order, b.clock));
        out
    }

    /// Once an order's rating window has ended, closes it: fulfilled
    /// orders as `unrated` (never satisfied), rated orders with their
    /// verdict (the window is also the time to reopen). Expires open orders
    /// past their expiry instant. Acts as `actor` at `now`; returns the
    /// events in order id order.
    pub fn sweep(&mut self, actor: ActorId, now: Timestamp) -> Vec<OrderEvent> {
        let mut due: BTreeMap<OrderId, Action> = self
            .overdue(now)
            .into_iter()
            .filter_map(|b| match b.clock {
                Clock::Rating => Some((b.order, Action::Close)),
                Clock::Expiry => Some((b.order, Action::Expire)),
                _ => None,
            })
            .collect();
        for o in self.orders.values() {
            let window_over = self.rating_closes_at(o).is_some_and(|t| now >= t);
            if o.state == OrderState::Rated && window_over {
                due.insert(o.id(), Action::Close);
            }
        }
        let mut out = Vec::new();
        for (order, action) in due {
            let cmd = Command {
                order,
                actor,
                at: now,
                action,
            };
            // An order whose last event lies after `now` is left for a later
            // sweep rather than failing the whole sweep.
            if self.apply(cmd).is_ok()
                && let Some(e) = self.events.get(&order).and_then(|v| v.last())
            {
                out.push(e.clone());
            }
        }
        out
    }
}

impl OrderBook {
    /// A JSON snapshot (see [`crate::saved`]): the policy, the unit tree,
    /// every order as placed and the book's event log.
    pub fn snapshot(&self) -> String {
        let state = SavedBookRef {
            units: self.units.units(),
            teams: self.units.teams().collect(),
            placed: self.orders.values().map(|o| &o.placed).collect(),
            events: self.events(),
        };
        crate::saved::save(ORDERS_FORMAT, Some(&self.policy), &state)
    }

    /// Rebuilds a book from [`snapshot`](Self::snapshot) text by replaying
    /// its event log through the same transitions as the original calls
    /// (`placed` from the saved order bodies, `fulfilled` from its record
    /// ids: the hours ledger is not involved). Each replayed event must
    /// equal the saved one, so an edited event or an illegal sequence is an
    /// error naming `snapshot.state.events[i]`.
    pub fn restore(json: &str) -> Result<Self> {
        let (policy, state): (Policy, SavedBook) = crate::saved::load(json, ORDERS_FORMAT)?;
        let units = UnitTree::new(state.units, state.teams).map_err(|e| e.at("snapshot.state"))?;
        let mut book = OrderBook::new(policy, units);
        let mut placed: BTreeMap<OrderId, (usize, NewOrder)> = BTreeMap::new();
        for (i, o) in state.placed.into_iter().enumerate() {
            if let Some((j, _)) = placed.insert(o.id, (i, o)) {
                return Err(Error::conflict(
                    format!("snapshot.state.placed[{i}].id"),
                    format!("order already listed at placed[{j}]"),
                ));
            }
        }
        for (i, e) in state.events.into_iter().enumerate() {
            book.replay(&mut placed, &e)
                .map_err(|err| err.at(&format!("snapshot.state.events[{i}]")))?;
        }
        if let Some((_, (i, o))) = placed.into_iter().next() {
            return Err(Error::invalid_input(
                format!("snapshot.state.placed[{i}]"),
                format!("order {} has no placed event", o.id),
            ));
        }
        Ok(book)
    }

    fn replay(
        &mut self,
        placed: &mut BTreeMap<OrderId, (usize, NewOrder)>,
        e: &OrderEvent,
    ) -> Result<()> {
        if let Some(action) = action_of(&e.kind) {
            self.apply(Command {
                order: e.order,
                actor: e.actor,
                at: e.at,
                action,
            })?;
        } else if let EventKind::Fulfilled { records } = &e.kind {
            let ids: Vec<(RecordId, Option<VolunteerId>)> =
                records.iter().map(|&r| (r, None)).collect();
            let (next, kind) = self.check_close_out(e.order, e.at, &ids)?;
            for &r in records {
                self.record_orders.insert(r, e.order);
            }
            self.commit(next, e.actor, e.at, kind);
        } else {
            let (_, o) = placed.remove(&e.order).ok_or_else(|| {
                Error::not_found("order", format!("no saved body for order {}", e.order))
            })?;
            self.place(o)?;
        }
        let logged = self.events.get(&e.order).and_then(|v| v.last());
        if logged != Some(e) {
            return Err(Error::invalid_input(
                "",
                "does not match what replaying the log up to it produces",
            ));
        }
        Ok(())
    }
}

/// The command that logs `kind`; `None` for `placed` and `fulfilled`,
/// which are not commands.
fn action_of(kind: &EventKind) -> Option<Action> {
    Some(match kind {
        EventKind::Placed { .. } | EventKind::Fulfilled { .. } => return None,
        EventKind::ReviewStarted => Action::StartReview,
        EventKind::Rejected { reason } => Action::Reject {
            reason: reason.clone(),
        },
        EventKind::Dispatched { to } => Action::Dispatch { to: *to },
        EventKind::Accepted { by } => Action::Accept { by: *by },
        EventKind::Declined { by, reason } => Action::Decline {
            by: *by,
            reason: reason.clone(),
        },
        EventKind::Withdrawn { reason } => Action::Withdraw {
            reason: reason.clone(),
        },
        EventKind::Rated { rating } => Action::Rate { rating: *rating },
        EventKind::Reopened { reason } => Action::Reopen {
            reason: reason.clone(),
        },
        EventKind::Cancelled { by, reason } => Action::Cancel {
            by: *by,
            reason: reason.clone(),
        },
        EventKind::Expired => Action::Expire,
        EventKind::Closed { .. } => Action::Close,
    })
}

const ORDERS_FORMAT: &str = "zhiyuan.order_book.v1";

#[derive(Serialize)]
struct SavedBookRef<'a> {
    units: &'a [crate::units::Unit],
    teams: Vec<&'a crate::units::Team>,
    placed: Vec<&'a NewOrder>,
    events: Vec<OrderEvent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedBook {
    units: Vec<crate::units::Unit>,
    teams: Vec<crate::units::Team>,
    placed: Vec<NewOrder>,
    events: Vec<OrderEvent>,
}
