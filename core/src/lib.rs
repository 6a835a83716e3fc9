//! zhiyuan (志愿): volunteer-service management as Jiangsu's 新时代文明实践
//! centres run it — the hours ledger, stars, points and perks, 文明贷 credit
//! decisions, 文明秀 like leaderboards, monthly and annual selections, and the
//! 五单 service-order workflow.
//!
//! ```
//! use zhiyuan::credit::CreditEngine;
//! use zhiyuan::facts::Facts;
//! use zhiyuan::{Policy, time::Timestamp};
//!
//! let policy = Policy::default();
//! // Sunday 16:30Z is Monday in Beijing: periods are cut at UTC+08:00.
//! let t: Timestamp = "2024-03-10T16:30:00Z".parse()?;
//! assert_eq!(policy.calendar().date(t).to_string(), "2024-03-11");
//! // 300 approved hours make a 2★ volunteer.
//! assert_eq!(policy.stars.level(300 * 60), 2);
//! // Every decision names the policy it used.
//! let engine = CreditEngine::new(&policy)?;
//! let decision = engine.decide(&Facts::default(), t);
//! assert!(!decision.eligible);
//! assert_eq!(decision.policy_hash, policy.hash());
//! # Ok::<(), zhiyuan::Error>(())
//! ```
//!
//! # Overview
//!
//! Everything is computed from approved service minutes in the
//! [`ledger::HoursLedger`]: an append-only, idempotent, auditable ledger
//! with as-of queries. Every threshold, weight and window comes from a
//! validated, hashed [`Policy`]. Minutes, points and fen are integers; rates
//! are basis points; scores that need fractions are exact
//! ([`selection::Ratio`]). Instants are UTC ([`time::Timestamp`]); periods
//! are cut in local time. The same input and policy give the same output,
//! whatever the input order or thread count.
//!
//! | capability | modules |
//! |---|---|
//! | policy, calendar, org units | [`policy`], [`time`], [`units`] |
//! | hours and stars | [`hours`], [`ledger`], [`ledger_ops`], [`stars`] |
//! | batch kernels over record columns | [`hours_table`] |
//! | facts, rules, 文明贷 | [`facts`], [`rules`], [`credit`] |
//! | rewards | [`points`], [`honours`], [`perks`], [`certificates`] |
//! | 文明秀 | [`posts`], [`leaderboard`] |
//! | selections | [`monthly`], [`annual`], [`apportion`], [`selection`] |
//! | 五单 orders | [`orders`], [`order_metrics`], [`service_list`], [`dispatch`], [`geo`] |
//! | synthetic data and testing | [`county`], [`county_run`], [`simulation`] |
//! | batch thread count | [`threads`] |
//!
//! Errors are one opaque [`Error`] with a fieldless [`ErrorKind`] that the
//! Python module maps to exception classes and the C library to status codes.
#![deny(missing_docs)]

pub mod annual;
pub mod apportion;
pub mod certificates;
pub mod county;
pub mod county_run;
pub mod credit;
pub mod dispatch;
pub mod error;
pub mod facts;
pub mod geo;
pub mod honours;
pub mod hours;
pub mod hours_table;
pub mod labels;
pub mod leaderboard;
pub mod ledger;
pub mod ledger_ops;
pub mod monthly;
pub mod order_metrics;
pub mod orders;
pub mod perks;
pub mod points;
pub mod policy;
pub mod posts;
pub mod rules;
pub mod saved;
pub mod selection;
pub mod service_list;
pub mod simulation;
pub mod stars;
pub mod threads;
pub mod time;
pub mod units;

pub use error::{Error, ErrorKind, Result};
pub use policy::{Policy, PolicySpec};

/// The README's examples run as doc-tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
