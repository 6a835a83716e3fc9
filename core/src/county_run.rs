//! The synthetic county run through every capability: the mapping from the
//! generator's plain rows onto the real types, and one call that drives a
//! year through them.
//!
//! The generator's rows keep what only a generator knows (a volunteer's
//! [`Cohort`], the month a vote or mark belongs to, an order's raw event
//! script), so they stay plain; this module maps them:
//!
//! - profiles → [`facts::VolunteerProfile`] ([`County::profiles`]);
//! - posts and likes → the like-batch columns ([`County::like_tables`]);
//! - candidates, votes, marks → one [`MonthlyRound`] per month
//!   ([`County::monthly_rounds`]);
//! - orders → [`NewOrder`]s and [`Command`]s on an [`OrderBook`], the
//!   close-out going through the hours ledger ([`replay_orders`]);
//! - the annual table from the ledger
//!   ([`AnnualCandidate::with_ledger_facts`]).
//!
//! [`run_capabilities`] then runs, in time order: the orders, the monthly
//! stars (winners into the [`HonoursRegistry`]), every volunteer's facts,
//! the annual selection (winners into the registry), the 文明贷 batch, the
//! points ledger and the perks desk.
//!
//! ```
//! use zhiyuan::county::{County, CountyParams};
//! use zhiyuan::county_run::{demo_policy, run_capabilities};
//! let county = County::generate(&CountyParams::small())?;
//! let mut run = county.run_ledger(demo_policy()?)?;
//! let caps = run_capabilities(&county, &mut run)?;
//! assert_eq!(caps.facts.len(), county.volunteers.len());
//! assert_eq!(caps.credit.tier.len(), county.volunteers.len());
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::Policy;
use crate::annual::{AnnualCandidate, AnnualResult, AnnualRound, annual_selection};
use crate::county::{CENTRE, Cohort, County, LedgerRun, OrderStep, RECORDER_BASE, Rng};
use crate::credit::{CreditBatch, CreditEngine};
use crate::error::Result;
use crate::facts::{self, Facts, FactsColumns, VolunteerStatus, facts_from_ledger};
use crate::geo::LatLon;
use crate::honours::{HonourKind, HonoursRegistry};
use crate::hours::{RecordId, RecordKind, ServiceRecord, VolunteerId};
use crate::leaderboard::{
    BatchOptions, LikeBatch, LikeTable, PostTable, RegistrationTable, like_batch,
};
use crate::ledger::HoursLedger;
use crate::monthly::{Mark, MonthlyResult, MonthlyRound, Vote, monthly_stars};
use crate::orders::{
    Action, Assignee, Command, Fulfilment, NewOrder, OrderBook, OrderId, Party, Rating,
    Satisfaction, Taker, TargetGroup,
};
use crate::perks::{PerkClaim, PerkDesk};
use crate::points::PointsLedger;
use crate::time::{Grain, LocalDate, Period, Timestamp};
use crate::units::{TeamId, UnitId};
use std::collections::BTreeMap;

/// The perks catalogue the demo county's merchants offer (policy data).
pub const DEMO_PERKS_TOML: &str = r#"
[[perks.catalogue]]
id = "bus_card"
merchant = "jiangning_bus"
title = "公交卡充值 10 元"
when = { fact = "star_level", op = ">=", value = 1 }

[[perks.catalogue]]
id = "museum_pass"
merchant = "jiangning_museum"
title = "博物馆年票"
when = { fact = "star_level", op = ">=", value = 2 }
points_cost = 500

[[perks.catalogue]]
id = "tea_house"
merchant = "lakeside_tea"
title = "茶馆免单一次"
when = { fact = "hours_last_12_months", op = ">=", value = 50 }
points_cost = 200
"#;

/// The default policy plus [`DEMO_PERKS_TOML`].
pub fn demo_policy() -> Result<Policy> {
    Policy::from_toml(DEMO_PERKS_TOML)
}

/// The generator's demand categories ([`crate::county::SKILLS`], same
/// positions) as the default order menu's codes.
pub const ORDER_CATEGORIES: [(&str, &str); 10] = [
    ("policy_talk", "theory_policy"),
    ("culture", "culture_arts"),
    ("education", "education_support"),
    ("medical", "medical_fitness"),
    ("science", "science_tech"),
    ("legal", "legal_services"),
    ("environment", "ecology"),
    ("poverty_relief", "poverty_relief"),
    ("civility", "civility_promotion"),
    ("emergency", "public_welfare"),
];

/// Record ids of order close-outs start here, far above the generator's.
pub const ORDER_RECORD_BASE: RecordId = 1 << 40;

/// Minutes a close-out record lasts (ending at the fulfilment).
const CLOSE_OUT_MINUTES: i64 = 120;

/// The points-per-chance of claiming an eligible perk, in basis points.
const CLAIM_BP: u32 = 4_000;

fn minutes(m: i64) -> i64 {
    m * 60_000_000
}

impl County {
    /// The facts profile of every volunteer, in volunteer order: active,
    /// home unit the volunteer's unit, skills those of the volunteer's team.
    pub fn profiles(&self) -> Vec<facts::VolunteerProfile> {
        let teams: BTreeMap<TeamId, &Vec<String>> =
            self.teams.iter().map(|t| (t.id, &t.skills)).collect();
        self.volunteers
            .iter()
            .map(|v| facts::VolunteerProfile {
                id: v.id,
                birth_date: v.birth_date,
                registered_at: v.registered_at,
                status: VolunteerStatus::Active,
                home_unit: v.unit,
                skills: v
                    .team
                    .and_then(|t| teams.get(&t))
                    .map(|s| (*s).clone())
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// Posts, likes and registrations as the
    /// columns [`like_batch`] reads.
    pub fn like_tables(&self) -> (PostTable, LikeTable, RegistrationTable) {
        let posts = PostTable {
            id: self.posts.iter().map(|p| p.id).collect(),
            author: self.posts.iter().map(|p| p.author).collect(),
            time: self
                .posts
                .iter()
                .map(|p| p.created_at.as_micros())
                .collect(),
        };
        let likes = LikeTable::from_events(&self.likes);
        let regs = RegistrationTable {
            volunteer: self.volunteers.iter().map(|v| v.id).collect(),
            registered_at: self
                .volunteers
                .iter()
                .map(|v| v.registered_at.as_micros())
                .collect(),
        };
        (posts, likes, regs)
    }

    /// One monthly-star round per month that has candidates, in month
    /// order: the candidates, the raw votes and the judges' marks of the
    /// month, nothing voided by audit, the policy's voting window.
    pub fn monthly_rounds(&self) -> Vec<MonthlyRound> {
        let mut rounds: BTreeMap<Period, MonthlyRound> = BTreeMap::new();
        let round = |m: Period| MonthlyRound {
            month: m,
            candidates: Vec::new(),
            votes: Vec::new(),
            marks: Vec::new(),
            voided: Vec::new(),
            window: None,
        };
        for c in &self.candidates {
            rounds
                .entry(c.month)
                .or_insert_with(|| round(c.month))
                .candidates
                .push(c.volunteer);
        }
        for v in &self.votes {
            if let Some(r) = rounds.get_mut(&v.month) {
                r.votes.push(Vote {
                    id: v.id,
                    voter: v.voter,
                    candidate: v.candidate,
                    at: v.at,
                });
            }
        }
        for m in &self.marks {
            if let Some(r) = rounds.get_mut(&m.month) {
                r.marks.push(Mark {
                    judge: m.judge,
                    candidate: m.candidate,
                    mark: m.mark,
                });
            }
        }
        rounds.into_values().collect()
    }

    /// Every generated order as placed: its category mapped through
    /// [`ORDER_CATEGORIES`], its target groups parsed, its location.
    pub fn new_orders(&self) -> Result<Vec<NewOrder>> {
        self.orders
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let at = |f: &str| format!("orders[{i}].{f}");
                let category = ORDER_CATEGORIES
                    .iter()
                    .find(|(k, _)| *k == o.category)
                    .map(|(_, c)| *c)
                    .ok_or_else(|| {
                        crate::Error::invalid_input(
                            at("category"),
                            format!("unknown category {:?}", o.category),
                        )
                    })?;
                let mut n = NewOrder::new(o.id, o.requester, category, o.unit, o.placed_at);
                n.target_groups = o
                    .target_groups
                    .iter()
                    .map(|g| {
                        serde_json::from_value::<TargetGroup>(serde_json::Value::String(g.clone()))
                            .map_err(|_| {
                                crate::Error::invalid_input(
                                    at("target_groups"),
                                    format!("unknown group {g:?}"),
                                )
                            })
                    })
                    .collect::<Result<_>>()?;
                n.location = Some(LatLon::new(o.lat, o.lon).map_err(|e| e.at(&at("location")))?);
                n.wanted_by = Some(o.expected_by);
                Ok(n)
            })
            .collect()
    }
}

/// A command the order book refused while replaying (the generator's
/// script may ask for what the workflow forbids, e.g. an expiry before
/// the policy's expiry instant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The order.
    pub order: OrderId,
    /// The step refused (the action name).
    pub step: String,
    /// The book's message.
    pub message: String,
}

/// The county's orders after a replay through an [`OrderBook`].
#[derive(Clone, Debug)]
pub struct OrderReplay {
    /// The book.
    pub book: OrderBook,
    /// Commands (including placements and close-outs) the book accepted.
    pub applied: u64,
    /// Commands refused; the order's remaining script is skipped.
    pub refused: Vec<Refusal>,
    /// Close-out records written to the ledger and approved.
    pub close_out_records: u64,
    /// Their service minutes.
    pub close_out_minutes: i64,
    /// Ratings each volunteer received for close-outs they served.
    pub ratings: BTreeMap<VolunteerId, Vec<facts::Rating>>,
    /// Orders each volunteer closed out.
    pub fulfilled: BTreeMap<VolunteerId, u32>,
}

fn satisfaction(stars: u8) -> Satisfaction {
    match stars {
        4.. => Satisfaction::Satisfied,
        3 => Satisfaction::Basic,
        _ => Satisfaction::Dissatisfied,
    }
}

/// Replays every order's script through an [`OrderBook`] over the county
/// tree: review by the station's recorder, dispatch by the centre, accept
/// and decline by the team, close-out ([`OrderBook::fulfil`]) with one
/// two-hour service record of a team member through `ledger` (approved by
/// the station a day later; the next member is tried when the ledger
/// refuses an overlap), rating and cancellation by the requester, and at
/// `as_of` a [`OrderBook::sweep`] that closes rated and unrated orders.
pub fn replay_orders(
    county: &County,
    ledger: &mut HoursLedger,
    as_of: Timestamp,
) -> Result<OrderReplay> {
    let mut members: BTreeMap<TeamId, Vec<VolunteerId>> = BTreeMap::new();
    for v in &county.volunteers {
        if let (Some(t), Cohort::Regular) = (v.team, v.cohort) {
            members.entry(t).or_default().push(v.id);
        }
    }
    let centre = RECORDER_BASE + CENTRE;
    let mut book = OrderBook::new(ledger.policy().clone(), county.tree()?);
    let mut out = OrderReplay {
        book: OrderBook::new(
            ledger.policy().clone(),
            crate::units::UnitTree::new(vec![], vec![])?,
        ),
        applied: 0,
        refused: Vec::new(),
        close_out_records: 0,
        close_out_minutes: 0,
        ratings: BTreeMap::new(),
        fulfilled: BTreeMap::new(),
    };
    for (o, placed) in county.orders.iter().zip(county.new_orders()?) {
        let station = RECORDER_BASE + o.unit;
        book.place(placed)?;
        out.applied += 1;
        let mut team: Option<TeamId> = None;
        let mut server: Option<VolunteerId> = None;
        for ev in &o.events {
            let cmd = |actor, action| Command {
                order: o.id,
                actor,
                at: ev.at,
                action,
            };
            let step = match &ev.step {
                OrderStep::ReviewStarted => book.apply(cmd(station, Action::StartReview)),
                OrderStep::Rejected { reason } => book.apply(cmd(
                    station,
                    Action::Reject {
                        reason: reason.clone(),
                    },
                )),
                OrderStep::Dispatched { team: t } => {
                    team = Some(*t);
                    book.apply(cmd(
                        centre,
                        Action::Dispatch {
                            to: Assignee::Team(*t),
                        },
                    ))
                }
                OrderStep::Declined { team: t, reason } => book.apply(cmd(
                    station,
                    Action::Decline {
                        by: Taker::Team(*t),
                        reason: reason.clone(),
                    },
                )),
                OrderStep::Accepted { team: t } => book.apply(cmd(
                    station,
                    Action::Accept {
                        by: Taker::Team(*t),
                    },
                )),
                OrderStep::Fulfilled => {
                    let crew = team
                        .and_then(|t| members.get(&t))
                        .cloned()
                        .unwrap_or_default();
                    let mut result = Err(crate::Error::invalid_state(
                        format!("order {}", o.id),
                        "the team has no members to serve",
                    ));
                    // Up to three members in turn, starting at one the
                    // order id picks; an overlap makes the ledger refuse.
                    for k in 0..crew.len().min(3) {
                        let v = crew[(o.id as usize + k) % crew.len()];
                        let rec = ServiceRecord {
                            id: ORDER_RECORD_BASE + o.id * 4 + k as u64,
                            volunteer: v,
                            unit: o.unit,
                            team,
                            activity: ORDER_RECORD_BASE + o.id,
                            start: ev.at.saturating_add_micros(-minutes(CLOSE_OUT_MINUTES)),
                            end: ev.at,
                            kind: RecordKind::Service,
                            recorded_by: station,
                            recorded_at: ev.at,
                        };
                        let f = Fulfilment {
                            order: o.id,
                            actor: station,
                            at: ev.at,
                            records: vec![rec.clone()],
                            report_len: 1,
                        };
                        result = book.fulfil(ledger, f);
                        if result.is_ok() {
                            ledger.approve(
                                rec.id,
                                station,
                                ev.at.saturating_add_micros(minutes(1440)),
                                false,
                            )?;
                            out.close_out_records += 1;
                            out.close_out_minutes += rec.minutes();
                            *out.fulfilled.entry(v).or_default() += 1;
                            server = Some(v);
                            break;
                        }
                    }
                    result
                }
                OrderStep::Rated { stars } => {
                    let r = book.apply(cmd(
                        o.requester,
                        Action::Rate {
                            rating: Rating {
                                score: *stars,
                                satisfaction: satisfaction(*stars),
                            },
                        },
                    ));
                    if r.is_ok()
                        && let Some(v) = server
                    {
                        out.ratings.entry(v).or_default().push(facts::Rating {
                            at: ev.at,
                            score: *stars,
                        });
                    }
                    r
                }
                OrderStep::Cancelled => book.apply(cmd(
                    o.requester,
                    Action::Cancel {
                        by: Party::Requester,
                        reason: "no_longer_needed".to_owned(),
                    },
                )),
                OrderStep::Expired => {
                    // The script says "nobody took it"; the book decides
                    // when that becomes an expiry (`wanted_by` or the SLA).
                    let due = book.order(o.id).map(|x| book.expires_at(x))?;
                    book.apply(Command {
                        at: due.max(ev.at),
                        ..cmd(centre, Action::Expire)
                    })
                }
            };
            match step {
                Ok(_) => out.applied += 1,
                Err(e) => {
                    out.refused.push(Refusal {
                        order: o.id,
                        step: step_name(&ev.step).to_owned(),
                        message: e.to_string(),
                    });
                    break;
                }
            }
        }
    }
    out.applied += book.sweep(centre, as_of).len() as u64;
    out.book = book;
    Ok(out)
}

fn step_name(s: &OrderStep) -> &'static str {
    match s {
        OrderStep::ReviewStarted => "start_review",
        OrderStep::Rejected { .. } => "reject",
        OrderStep::Dispatched { .. } => "dispatch",
        OrderStep::Declined { .. } => "decline",
        OrderStep::Accepted { .. } => "accept",
        OrderStep::Fulfilled => "fulfil",
        OrderStep::Rated { .. } => "rate",
        OrderStep::Cancelled => "cancel",
        OrderStep::Expired => "expire",
    }
}

/// Everything the capabilities produced for the county.
pub struct Capabilities {
    /// The instant figures are taken at (the ledger run's).
    pub as_of: Timestamp,
    /// The orders.
    pub orders: OrderReplay,
    /// The valid-like filter over the year, with a verdict per like.
    pub likes: LikeBatch,
    /// Each month's 十佳文明秀之星, in month order.
    pub monthly: Vec<MonthlyResult>,
    /// The annual selection (every volunteer a candidate).
    pub annual: AnnualResult,
    /// Monthly and annual winners.
    pub honours: HonoursRegistry,
    /// Each volunteer's facts at `as_of` (after the honours), in volunteer
    /// order.
    pub facts: Vec<Facts>,
    /// The 文明贷 batch over `facts`, same order.
    pub credit: CreditBatch,
    /// Points synced from hours at the year's end and at `as_of` (the
    /// fraud audit's revocations clawed back), honours at `as_of`, then
    /// spent on perks.
    pub points: PointsLedger,
    /// The perks desk after the claims.
    pub perks: PerkDesk,
}

/// The institute a unit lies in (the unit itself for an institute, the
/// centre for the centre).
fn districts(county: &County) -> BTreeMap<UnitId, UnitId> {
    let parent: BTreeMap<UnitId, Option<UnitId>> =
        county.units.iter().map(|u| (u.id, u.parent)).collect();
    county
        .units
        .iter()
        .map(|u| {
            let d = match u.parent {
                None => u.id,
                Some(p) if parent.get(&p).copied().flatten().is_none() => u.id,
                Some(p) => p,
            };
            (u.id, d)
        })
        .collect()
}

/// Runs the county through every capability after its ledger run (see
/// the module docs for the order). Grantor of every honour: the centre.
/// The orders' close-out records join `run.ledger`, and their minutes
/// `run.counts.service_minutes`.
pub fn run_capabilities(county: &County, run: &mut LedgerRun) -> Result<Capabilities> {
    let as_of = run.as_of;
    let policy = run.ledger.policy().clone();
    let offset = policy.offset();
    let centre = RECORDER_BASE + CENTRE;
    let orders = replay_orders(county, &mut run.ledger, as_of)?;
    // The run's total now includes the close-outs, as every later figure
    // read from the ledger does.
    run.counts.service_minutes += orders.close_out_minutes;
    let ledger = &run.ledger;

    let (posts, likes, regs) = county.like_tables();
    let opts = BatchOptions {
        verdicts: true,
        ..BatchOptions::default()
    };
    let likes = like_batch(
        posts.columns(),
        likes.columns(),
        regs.columns(),
        &policy,
        &opts,
    )?;

    let mut honours = HonoursRegistry::new();
    let mut monthly = Vec::new();
    for round in county.monthly_rounds() {
        let r = monthly_stars(&policy, &round).map_err(|e| e.at(&round.month.to_string()))?;
        honours.record_winners(
            HonourKind::MonthlyStar,
            r.month,
            &r.winner_ids(),
            centre,
            r.month.end_day(),
        )?;
        monthly.push(r);
    }

    let year = Period::of_date(Grain::Year, LocalDate::new(county.params.year, 1, 1)?);
    let district = districts(county);
    let today = as_of.local_date(offset);
    let mut candidates = Vec::with_capacity(county.volunteers.len());
    for v in &county.volunteers {
        let ratings = orders.ratings.get(&v.id);
        let avg = ratings.filter(|r| !r.is_empty()).map(|r| {
            let sum: u32 = r.iter().map(|x| u32::from(x.score)).sum();
            sum * 1000 / r.len() as u32
        });
        let live = honours
            .live(v.id, as_of, offset)
            .into_iter()
            .filter(|h| h.period.first_day().year() == county.params.year)
            .count();
        candidates.push(
            AnnualCandidate {
                volunteer: v.id,
                district: district.get(&v.unit).copied().unwrap_or(v.unit),
                avg_rating_milli: avg,
                honours: live as u32,
                fulfilled_orders: orders.fulfilled.get(&v.id).copied().unwrap_or(0),
                age: u32::try_from(today.years_since(v.birth_date)).ok(),
                ..AnnualCandidate::default()
            }
            .with_ledger_facts(ledger, year, as_of)?,
        );
    }
    let annual = annual_selection(&policy, &AnnualRound { year, candidates })?;
    honours.record_winners(
        HonourKind::AnnualExcellent,
        year,
        &annual.winner_ids(),
        centre,
        today,
    )?;

    let profiles = county.profiles();
    let mut rows = Vec::with_capacity(profiles.len());
    for p in &profiles {
        let ratings = orders.ratings.get(&p.id).map_or(&[][..], Vec::as_slice);
        rows.push(facts_from_ledger(ledger, p, &honours, ratings, &[], as_of)?);
    }
    let credit =
        CreditEngine::new(&policy)?.decide_batch(&FactsColumns::from_rows(&rows), as_of, false)?;

    let mut points = PointsLedger::new(&policy);
    let mut perks = PerkDesk::new(&policy)?;
    let claim_at = as_of.saturating_add_micros(minutes(1440));
    // A sync at the year's end credits the hours as the year closed; the
    // one at `as_of` claws back what the fraud audit revoked since.
    let year_end = year.bounds(offset).1;
    for (p, f) in profiles.iter().zip(&rows) {
        points.sync_from_ledger(ledger, p.id, year_end)?;
        points.sync_from_ledger(ledger, p.id, as_of)?;
        points.sync_honours(p.id, &honours.of(p.id), as_of)?;
        let offers = perks.eligible_perks(p.id, f, claim_at, Some(&points.account(p.id)));
        let mut rng = Rng::stream(county.params.seed, 0x5045_524b, p.id);
        for offer in offers.iter().filter(|o| o.eligible) {
            if !rng.chance(CLAIM_BP) {
                continue;
            }
            let claim = PerkClaim {
                claim_code: format!("{}:{}", offer.perk, p.id),
                volunteer: p.id,
                perk: offer.perk.clone(),
                at: claim_at,
            };
            // A second paid perk may no longer be affordable; the desk
            // refuses it and leaves both books untouched.
            let _ = perks.claim(&claim, f, Some(&mut points));
        }
    }
    Ok(Capabilities {
        as_of,
        orders,
        likes,
        monthly,
        annual,
        honours,
        facts: rows,
        credit,
        points,
        perks,
    })
}
