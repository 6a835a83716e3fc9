//! zhiyuan (志愿): volunteer-service management as Jiangsu's 新时代文明实践
//! centres run it.
//!
//! ```
//! use zhiyuan::{Policy, time::Timestamp};
//! let policy = Policy::default();
//! let t: Timestamp = "2024-03-10T16:30:00Z".parse()?;
//! assert_eq!(policy.calendar().date(t).to_string(), "2024-03-11");
//! assert_eq!(policy.stars.level(300 * 60), 2);
//! # Ok::<(), zhiyuan::Error>(())
//! ```
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
pub mod leaderboard;
pub mod ledger;
pub mod monthly;
pub mod order_metrics;
pub mod orders;
pub mod perks;
pub mod points;
pub mod policy;
pub mod posts;
pub mod rules;
pub mod selection;
pub mod service_list;
pub mod simulation;
pub mod stars;
pub mod time;
pub mod units;

pub use error::{Error, ErrorKind, Result};
pub use policy::{Policy, PolicySpec};

/// The README's examples run as doc-tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
