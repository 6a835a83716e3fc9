//! PLACEHOLDER: replaced by the module's owner.

use crate::error::Result;
use serde::{Deserialize, Serialize};

/// The valid-like filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LikesPolicy {}

impl LikesPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        Ok(())
    }
}
