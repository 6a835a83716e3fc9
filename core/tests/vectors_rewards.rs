//! Replays `tests/vectors/{facts,credit,points,perks,certificates}/*.json`.
//!
//! One runner for the rewards capabilities; each scenario starts with an
//! empty honours registry, points ledger, perk desk and certificate
//! registry (serial prefix `PZ`) under the scenario policy.
//!
//! Ops (inputs and outputs are the serde forms of the core types):
//! - `policy.load`: `{policy}` (policy JSON) → `null` (`Policy::from_json`)
//! - `facts.derive`: `{profile, inputs, as_of}` → `Facts` (`derive_facts`)
//! - `honours.grant`: `{volunteer, kind, period, grantor, granted_on}` → bool
//! - `honours.record_winners`: `{kind, period, winners, grantor, granted_on}` → integer
//! - `honours.revoke`: `{volunteer, kind, period, by, at, reason}` → `null`
//! - `honours.of`: `{volunteer}` → `[Honour]`
//! - `credit.decide`: `{facts, as_of}` → `CreditDecision`
//! - `credit.decide_batch`: `{columns, as_of, with_reasons}` → `CreditBatch`
//! - `points.sync_hours`: `{volunteer, approved_minutes, at}` → integer
//! - `points.sync_honours`: `{volunteer, at}` (honours from the registry) → integer
//! - `points.redeem`: `Redemption` → `RedemptionReceipt`
//! - `points.expire`: `{volunteer, at}` → integer
//! - `points.account`: `{volunteer}` → `PointsAccount`
//! - `points.entries`: `{volunteer}` → `[PointsEntry]`
//! - `perks.eligible`: `{volunteer, facts, at, with_points}` → `[PerkEligibility]`
//!   (with the volunteer's points account when `with_points`)
//! - `perks.claim`: `{claim, facts, with_points}` → `PerkClaimReceipt`
//! - `certificates.issue`: `{request, key: {id, secret}, at}` → `Certificate`
//!   (`secret` is UTF-8 text)
//! - `certificates.verify`: `{certificate, key}` → bool
//! - `certificates.verify_json`: `{text, key}` → bool
//! - `certificates.revoke`: `{serial, by, at, reason}` → `null`
//! - `certificates.check`: `{serial, code}` → `CertificateStatus`
//!
//! Decisions carry the policy hash, which changes whenever any section's
//! defaults change; outputs therefore write the scenario policy's own hash
//! as the string `$policy_hash` (bindings substitute the same way).
//!
//! `ZHIYUAN_BLESS=1 cargo test … rewards_vectors` rewrites every step's
//! expected result from the current code (review the diff before committing).

use crate::vectors;
use serde::Deserialize;
use serde_json::{Value, json};
use zhiyuan::certificates::{Certificate, CertificateKey, CertificateRegistry, CertificateRequest};
use zhiyuan::credit::CreditEngine;
use zhiyuan::facts::{FactInputs, Facts, FactsColumns, VolunteerProfile, derive_facts};
use zhiyuan::honours::{HonourKind, HonoursRegistry};
use zhiyuan::perks::{PerkClaim, PerkDesk};
use zhiyuan::points::PointsLedger;
use zhiyuan::time::{LocalDate, Period, Timestamp};
use zhiyuan::{Error, Policy};

fn arg<T: for<'de> Deserialize<'de>>(input: &Value) -> Result<T, Error> {
    serde_json::from_value(input.clone()).map_err(|e| Error::invalid_input("input", e.to_string()))
}

fn to_json<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap()
}

#[derive(Deserialize)]
struct Load {
    policy: Value,
}
#[derive(Deserialize)]
struct Derive {
    profile: VolunteerProfile,
    #[serde(default)]
    inputs: FactInputs,
    as_of: Timestamp,
}
#[derive(Deserialize)]
struct Grant {
    volunteer: u64,
    kind: HonourKind,
    period: Period,
    grantor: u64,
    granted_on: LocalDate,
}
#[derive(Deserialize)]
struct Winners {
    kind: HonourKind,
    period: Period,
    winners: Vec<u64>,
    grantor: u64,
    granted_on: LocalDate,
}
#[derive(Deserialize)]
struct RevokeHonour {
    volunteer: u64,
    kind: HonourKind,
    period: Period,
    by: u64,
    at: Timestamp,
    reason: String,
}
#[derive(Deserialize)]
struct Decide {
    facts: Facts,
    as_of: Timestamp,
}
#[derive(Deserialize)]
struct DecideBatch {
    columns: FactsColumns,
    as_of: Timestamp,
    #[serde(default)]
    with_reasons: bool,
}
#[derive(Deserialize)]
struct SyncHours {
    volunteer: u64,
    approved_minutes: i64,
    at: Timestamp,
}
#[derive(Deserialize)]
struct VolunteerAt {
    volunteer: u64,
    at: Timestamp,
}
#[derive(Deserialize)]
struct Volunteer {
    volunteer: u64,
}
#[derive(Deserialize)]
struct Eligible {
    volunteer: u64,
    facts: Facts,
    at: Timestamp,
    #[serde(default)]
    with_points: bool,
}
#[derive(Deserialize)]
struct Claim {
    claim: PerkClaim,
    facts: Facts,
    #[serde(default)]
    with_points: bool,
}
#[derive(Deserialize)]
struct Key {
    id: String,
    secret: String,
}
impl Key {
    fn key(&self) -> Result<CertificateKey, Error> {
        CertificateKey::new(&self.id, self.secret.as_bytes())
    }
}
#[derive(Deserialize)]
struct Issue {
    request: CertificateRequest,
    key: Key,
    at: Timestamp,
}
#[derive(Deserialize)]
struct Verify {
    certificate: Certificate,
    key: Key,
}
#[derive(Deserialize)]
struct VerifyJson {
    text: String,
    key: Key,
}
#[derive(Deserialize)]
struct RevokeCert {
    serial: String,
    by: u64,
    at: Timestamp,
    reason: String,
}
#[derive(Deserialize)]
struct Check {
    serial: String,
    code: String,
}

struct State {
    policy: Policy,
    honours: HonoursRegistry,
    points: PointsLedger,
    perks: Option<PerkDesk>,
    certificates: CertificateRegistry,
}

impl State {
    fn new(policy: &Policy) -> Self {
        State {
            policy: policy.clone(),
            honours: HonoursRegistry::new(),
            points: PointsLedger::new(policy),
            perks: None,
            certificates: CertificateRegistry::new(policy, "PZ"),
        }
    }

    fn step(&mut self, op: &str, input: &Value) -> Result<Value, Error> {
        let p = &self.policy;
        let out = match op {
            "policy.load" => {
                Policy::from_json(&arg::<Load>(input)?.policy.to_string())?;
                Value::Null
            }
            "facts.derive" => {
                let a: Derive = arg(input)?;
                to_json(derive_facts(p, &a.profile, &a.inputs, a.as_of)?)
            }
            "honours.grant" => {
                let a: Grant = arg(input)?;
                json!(
                    self.honours
                        .grant(a.volunteer, a.kind, a.period, a.grantor, a.granted_on)?
                )
            }
            "honours.record_winners" => {
                let a: Winners = arg(input)?;
                json!(self.honours.record_winners(
                    a.kind,
                    a.period,
                    &a.winners,
                    a.grantor,
                    a.granted_on
                )?)
            }
            "honours.revoke" => {
                let a: RevokeHonour = arg(input)?;
                self.honours
                    .revoke(a.volunteer, a.kind, a.period, a.by, a.at, &a.reason)?;
                Value::Null
            }
            "honours.of" => to_json(self.honours.of(arg::<Volunteer>(input)?.volunteer)),
            "credit.decide" => {
                let a: Decide = arg(input)?;
                to_json(CreditEngine::new(p)?.decide(&a.facts, a.as_of))
            }
            "credit.decide_batch" => {
                let a: DecideBatch = arg(input)?;
                to_json(CreditEngine::new(p)?.decide_batch(&a.columns, a.as_of, a.with_reasons)?)
            }
            "points.sync_hours" => {
                let a: SyncHours = arg(input)?;
                json!(
                    self.points
                        .sync_hours(a.volunteer, a.approved_minutes, a.at)?
                )
            }
            "points.sync_honours" => {
                let a: VolunteerAt = arg(input)?;
                let hs = self.honours.of(a.volunteer);
                json!(self.points.sync_honours(a.volunteer, &hs, a.at)?)
            }
            "points.redeem" => to_json(self.points.redeem(&arg(input)?)?),
            "points.expire" => {
                let a: VolunteerAt = arg(input)?;
                json!(self.points.expire(a.volunteer, a.at)?)
            }
            "points.account" => to_json(self.points.account(arg::<Volunteer>(input)?.volunteer)),
            "points.entries" => to_json(self.points.entries(arg::<Volunteer>(input)?.volunteer)),
            "perks.eligible" => {
                let a: Eligible = arg(input)?;
                let acc = a.with_points.then(|| self.points.account(a.volunteer));
                let desk = self.desk()?;
                to_json(desk.eligible_perks(a.volunteer, &a.facts, a.at, acc.as_ref()))
            }
            "perks.claim" => {
                let a: Claim = arg(input)?;
                self.desk()?;
                let desk = self.perks.as_mut().expect("desk just built");
                let points = a.with_points.then_some(&mut self.points);
                to_json(desk.claim(&a.claim, &a.facts, points)?)
            }
            "certificates.issue" => {
                let a: Issue = arg(input)?;
                to_json(self.certificates.issue(&a.request, &a.key.key()?, a.at)?)
            }
            "certificates.verify" => {
                let a: Verify = arg(input)?;
                json!(a.certificate.verify(&a.key.key()?))
            }
            "certificates.verify_json" => {
                let a: VerifyJson = arg(input)?;
                json!(Certificate::verify_json(&a.text, &a.key.key()?))
            }
            "certificates.revoke" => {
                let a: RevokeCert = arg(input)?;
                self.certificates.revoke(&a.serial, a.by, a.at, &a.reason)?;
                Value::Null
            }
            "certificates.check" => {
                let a: Check = arg(input)?;
                to_json(self.certificates.check(&a.serial, &a.code))
            }
            other => panic!("unknown op {other}"),
        };
        let mut out = out;
        mask_hash(&mut out, self.policy.hash());
        Ok(out)
    }

    fn desk(&mut self) -> Result<&PerkDesk, Error> {
        if self.perks.is_none() {
            self.perks = Some(PerkDesk::new(&self.policy)?);
        }
        Ok(self.perks.as_ref().expect("desk just built"))
    }
}

fn mask_hash(v: &mut Value, hash: &str) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "policy_hash" && x.as_str() == Some(hash) {
                    *x = json!("$policy_hash");
                } else {
                    mask_hash(x, hash);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| mask_hash(x, hash)),
        _ => {}
    }
}

/// Rewrites expected results from the current code (only with
/// `ZHIYUAN_BLESS=1`).
fn bless(capability: &str) {
    if std::env::var("ZHIYUAN_BLESS").as_deref() != Ok("1") {
        return;
    }
    let mut files: Vec<_> = std::fs::read_dir(vectors::dir(capability))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for path in files {
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let policy = match v.get("policy") {
            None | Some(Value::Null) => Policy::default(),
            Some(p) => Policy::from_json(&p.to_string()).unwrap(),
        };
        let mut st = State::new(&policy);
        for step in v["steps"].as_array_mut().unwrap() {
            let op = step["op"].as_str().unwrap().to_owned();
            let got = st.step(&op, &step["input"]);
            let m = step.as_object_mut().unwrap();
            m.remove("output");
            m.remove("error");
            match got {
                Ok(out) => m.insert("output".into(), out),
                Err(e) => m.insert(
                    "error".into(),
                    json!({"kind": e.kind().as_str(), "message": e.to_string()}),
                ),
            };
        }
        let text = serde_json::to_string_pretty(&v).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
    }
}

fn replay(capability: &str) -> usize {
    bless(capability);
    let mut steps = 0;
    for s in vectors::load(capability) {
        let mut st = State::new(&s.policy);
        steps += vectors::run(&s, |op, input| st.step(op, input));
    }
    steps
}

#[test]
fn facts_vectors() {
    assert!(replay("facts") >= 8);
}

#[test]
fn credit_vectors() {
    assert!(replay("credit") >= 15);
}

#[test]
fn points_vectors() {
    assert!(replay("points") >= 10);
}

#[test]
fn perks_vectors() {
    assert!(replay("perks") >= 6);
}

#[test]
fn certificates_vectors() {
    assert!(replay("certificates") >= 6);
}
