//! Saved forms: the versioned JSON envelope every handle's `snapshot()` /
//! `restore()` pair shares.
//!
//! A snapshot is `{"format": "zhiyuan.<handle>.v1", "policy_hash": …,
//! "policy": {…}, "state": {…}}`. `state` holds the handle's **inputs**
//! (its log of events, or the records it issued), never its internal
//! indexes, so a restore rebuilds those indexes by replaying or
//! re-validating the inputs: a tampered snapshot is an error naming the
//! field (`snapshot.state.likes[3]…`), never a handle in a broken state.
//! The hash must match the policy carried, so a hand-edited policy is
//! caught too. Handles that run under no policy (the honours registry)
//! leave `policy_hash` and `policy` out.
//!
//! ```
//! use zhiyuan::Policy;
//! use zhiyuan::honours::{HonourKind, HonoursRegistry};
//! let mut reg = HonoursRegistry::new();
//! reg.grant(7, HonourKind::MonthlyStar, "2025-03".parse()?, 900, "2025-04-01".parse()?)?;
//! let back = HonoursRegistry::restore(&reg.snapshot())?;
//! assert_eq!(back, reg);
//! let bad = reg.snapshot().replace("zhiyuan.honours_registry.v1", "zhiyuan.honours_registry.v0");
//! assert_eq!(HonoursRegistry::restore(&bad).unwrap_err().field(), Some("snapshot.format"));
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::policy::{Policy, PolicySpec};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Out<'a, T> {
    format: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy_hash: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<&'a PolicySpec>,
    state: &'a T,
}

/// Read first, alone, so a snapshot of another handle is reported as a
/// wrong format rather than as whatever its state fails to parse as.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct In<T> {
    #[allow(dead_code)] // checked through `Header`
    format: String,
    #[serde(default)]
    policy_hash: Option<String>,
    #[serde(default)]
    policy: Option<PolicySpec>,
    state: T,
}

/// Writes the envelope of a handle of kind `format` (a
/// `zhiyuan.<handle>.v<n>` string).
pub(crate) fn save<T: Serialize>(format: &str, policy: Option<&Policy>, state: &T) -> String {
    serde_json::to_string(&Out {
        format,
        policy_hash: policy.map(Policy::hash),
        policy: policy.map(Policy::spec),
        state,
    })
    .expect("handle state serializes (ids, strings, RFC 3339 instants)")
}

/// Checks the `format` tag of a snapshot.
pub(crate) fn check_format(found: &str, format: &str) -> Result<()> {
    if found == format {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "snapshot.format",
            format!("expected {format:?}, got {found:?}"),
        ))
    }
}

/// Validates the policy a snapshot carries and checks it against the hash
/// recorded beside it.
pub(crate) fn check_policy(spec: PolicySpec, hash: &str) -> Result<Policy> {
    let policy = Policy::new(spec).map_err(|e| e.at("snapshot.policy"))?;
    if policy.hash() != hash {
        return Err(Error::conflict(
            "snapshot.policy_hash",
            format!("does not match the policy it carries ({})", policy.hash()),
        ));
    }
    Ok(policy)
}

fn parse<T: DeserializeOwned>(json: &str, format: &str) -> Result<In<T>> {
    let bad = |e: serde_json::Error| Error::invalid_input("snapshot", e.to_string());
    let header: Header = serde_json::from_str(json).map_err(bad)?;
    let found = header
        .format
        .ok_or_else(|| Error::invalid_input("snapshot.format", "is missing"))?;
    check_format(&found, format)?;
    serde_json::from_str(json).map_err(bad)
}

/// Reads the envelope of a handle that runs under a policy: the validated
/// policy and the raw state (still to be replayed by the caller).
pub(crate) fn load<T: DeserializeOwned>(json: &str, format: &str) -> Result<(Policy, T)> {
    let snap: In<T> = parse(json, format)?;
    let spec = snap
        .policy
        .ok_or_else(|| Error::invalid_input("snapshot.policy", "is missing"))?;
    let hash = snap
        .policy_hash
        .ok_or_else(|| Error::invalid_input("snapshot.policy_hash", "is missing"))?;
    Ok((check_policy(spec, &hash)?, snap.state))
}

/// Reads the envelope of a handle that runs under no policy.
pub(crate) fn load_plain<T: DeserializeOwned>(json: &str, format: &str) -> Result<T> {
    let snap: In<T> = parse(json, format)?;
    if snap.policy.is_some() || snap.policy_hash.is_some() {
        return Err(Error::invalid_input(
            "snapshot.policy",
            "this handle runs under no policy; the snapshot must not carry one",
        ));
    }
    Ok(snap.state)
}
