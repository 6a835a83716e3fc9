//! PLACEHOLDER: replaced by the module's owner.

use crate::error::Result;
use serde::{Deserialize, Serialize};

/// Dispatch inside the ten-minute circle.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DispatchPolicy {}

impl DispatchPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        Ok(())
    }
}
