//! PLACEHOLDER: replaced by the module's owner.

use crate::error::Result;
use serde::{Deserialize, Serialize};

/// Points accrual and expiry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PointsPolicy {}

impl PointsPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        Ok(())
    }
}
