//! PLACEHOLDER: replaced by the module's owner.

use crate::error::Result;
use serde::{Deserialize, Serialize};

/// Perk rules.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PerksPolicy {}

impl PerksPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        Ok(())
    }
}
