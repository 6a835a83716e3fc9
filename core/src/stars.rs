//! Star levels (星级志愿者) from cumulative approved service minutes.
//!
//! The national and Jiangsu ladder awards 1★–5★ at 100 / 300 / 600 / 1000 /
//! 1500 cumulative approved hours (团中央 2013 §16). A level is reached at
//! exactly its threshold: 100 h is 1★, 99 h 59 min is 0★.
//!
//! ```
//! use zhiyuan::Policy;
//! let p = Policy::default();
//! assert_eq!(p.stars.level(100 * 60), 1);
//! assert_eq!(p.stars.level(100 * 60 - 1), 0);
//! assert_eq!(p.stars.level(1500 * 60), 5);
//! ```

use crate::error::Result;
use crate::policy::ensure;
use serde::{Deserialize, Serialize};

/// The star ladder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StarsPolicy {
    /// Cumulative approved service hours for 1★, 2★, …; strictly increasing.
    /// Default `[100, 300, 600, 1000, 1500]`.
    pub thresholds_hours: Vec<u32>,
}

impl Default for StarsPolicy {
    fn default() -> Self {
        StarsPolicy {
            thresholds_hours: vec![100, 300, 600, 1000, 1500],
        }
    }
}

impl StarsPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        ensure(
            !self.thresholds_hours.is_empty(),
            "thresholds_hours",
            "must not be empty",
        )?;
        ensure(
            self.thresholds_hours.len() <= 10,
            "thresholds_hours",
            "must have at most 10 levels",
        )?;
        ensure(
            self.thresholds_hours[0] > 0,
            "thresholds_hours[0]",
            "must be > 0",
        )?;
        for i in 1..self.thresholds_hours.len() {
            ensure(
                self.thresholds_hours[i] > self.thresholds_hours[i - 1],
                &format!("thresholds_hours[{i}]"),
                &format!("must be greater than {}", self.thresholds_hours[i - 1]),
            )?;
        }
        Ok(())
    }

    /// The star level (0 = none) for `minutes` of cumulative approved
    /// service.
    pub fn level(&self, minutes: i64) -> u8 {
        self.thresholds_hours
            .iter()
            .take_while(|&&h| minutes >= i64::from(h) * 60)
            .count() as u8
    }

    /// Minutes still needed for the next level, or `None` at the top.
    pub fn minutes_to_next(&self, minutes: i64) -> Option<i64> {
        self.thresholds_hours
            .iter()
            .map(|&h| i64::from(h) * 60)
            .find(|&t| minutes < t)
            .map(|t| t - minutes)
    }
}
