//! PLACEHOLDER: replaced by the module's owner.

use crate::error::Result;
use serde::{Deserialize, Serialize};

/// Monthly stars.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MonthlyStarsPolicy {}

impl MonthlyStarsPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// Annual selection.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnnualPolicy {}

impl AnnualPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        Ok(())
    }
}
