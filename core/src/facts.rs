//! PLACEHOLDER: replaced by the module's owner.

use crate::error::Result;
use serde::{Deserialize, Serialize};

/// How volunteer facts are derived.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FactsPolicy {}

impl FactsPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        Ok(())
    }
}
