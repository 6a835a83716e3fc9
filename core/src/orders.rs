//! PLACEHOLDER: replaced by the module's owner.

use crate::error::Result;
use serde::{Deserialize, Serialize};

/// Order categories and SLAs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrdersPolicy {}

impl OrdersPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        Ok(())
    }
}
