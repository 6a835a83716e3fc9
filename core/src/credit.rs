//! PLACEHOLDER: replaced by the module's owner.

use crate::error::Result;
use crate::policy::PolicySpec;
use serde::{Deserialize, Serialize};

/// 文明贷 gates and tiers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CreditPolicy {}

impl CreditPolicy {
    pub(crate) fn validate(&self, _spec: &PolicySpec) -> Result<()> {
        Ok(())
    }
}
