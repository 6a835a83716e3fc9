//! Golden vectors for `monthly_stars`, `annual` and `apportion`.
//!
//! Ops (one per public call; inputs and outputs are their serde forms):
//!
//! | op | call | input |
//! |---|---|---|
//! | `monthly_stars` | `monthly::monthly_stars(policy, round)` | `MonthlyRound` |
//! | `monthly.count_votes` | `monthly::count_votes(policy, round)` | `MonthlyRound` |
//! | `annual_selection` | `annual::annual_selection(policy, round)` | `AnnualRound` |
//! | `apportion` | `apportion::apportion(districts, total, method)` | `{districts, total, method}` |
//! | `policy.from_json` | `Policy::from_json(text)` | a policy object; output: its `monthly_stars` and `annual` sections |
//!
//! An expected `policy_hash` of `"$policy_hash"` stands for the hash of the
//! scenario's policy, so the files survive changes to other policy sections.
//!
//! `ZHIYUAN_BLESS=1 cargo test -p zhiyuan --test integration vectors_selection`
//! rewrites each step's `output` / `error` from the current code (see
//! `vectors::run`; review the diff before committing).

use crate::vectors;
use serde::Serialize;
use serde_json::{Value, json};
use zhiyuan::apportion::{District, Method};
use zhiyuan::{Error, Policy};

fn to_value<T: Serialize>(v: T) -> Value {
    serde_json::to_value(v).expect("results serialize")
}

fn parse<T: serde::de::DeserializeOwned>(input: &Value) -> Result<T, Error> {
    serde_json::from_value(input.clone()).map_err(|e| Error::invalid_input("input", e.to_string()))
}

#[derive(serde::Deserialize)]
struct ApportionInput {
    districts: Vec<District>,
    total: u64,
    #[serde(default)]
    method: Method,
}

fn apply(policy: &Policy, op: &str, input: &Value) -> Result<Value, Error> {
    let mut out = match op {
        "monthly_stars" => to_value(zhiyuan::monthly::monthly_stars(policy, &parse(input)?)?),
        "monthly.count_votes" => to_value(zhiyuan::monthly::count_votes(policy, &parse(input)?)?),
        "annual_selection" => to_value(zhiyuan::annual::annual_selection(policy, &parse(input)?)?),
        "apportion" => {
            let a: ApportionInput = parse(input)?;
            to_value(zhiyuan::apportion::apportion(
                &a.districts,
                a.total,
                a.method,
            )?)
        }
        "policy.from_json" => {
            let p = Policy::from_json(&input.to_string())?;
            json!({ "monthly_stars": p.monthly_stars, "annual": p.annual })
        }
        _ => panic!("unknown op {op}"),
    };
    if let Some(h) = out.get_mut("policy_hash") {
        assert_eq!(
            h.as_str(),
            Some(policy.hash()),
            "policy_hash is the policy's"
        );
        *h = json!("$policy_hash");
    }
    Ok(out)
}

fn run_all(capability: &str) -> usize {
    vectors::load(capability)
        .iter()
        .map(|s| vectors::run(s, |op, input| apply(&s.policy, op, input)))
        .sum()
}

#[test]
fn monthly_stars_vectors() {
    assert!(run_all("monthly_stars") >= 6);
}

#[test]
fn annual_vectors() {
    assert!(run_all("annual") >= 4);
}

#[test]
fn apportion_vectors() {
    assert!(run_all("apportion") >= 8);
}
