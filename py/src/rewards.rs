//! Volunteer profiles, facts, 文明贷 credit decisions and the honours
//! registry.
//!
//! `derive_facts` and `credit_decision` take their structured inputs in the
//! core's serde (dict) form or as the frozen classes; `credit_decisions`
//! takes the facts of many volunteers as an Arrow table (or a dict of Arrow
//! columns), reads only the columns named like the fields of the core's
//! `FactsColumns` (one-chunk `int64` columns in place), and runs the core
//! column kernel with the GIL released.

use crate::arrow::{ArrowColumn, ArrowTable, Column, Columns};
use crate::convert::{from_py, into_py_value_serde, local_date, py_value, timestamp};
use crate::errors::{check, run};
use crate::policy::{Policy, period_arg};
use arrow_array::{BooleanArray, Int64Array, StringArray, UInt32Array};
use pyo3::prelude::*;
use std::borrow::Cow;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use zhiyuan::credit::{CreditEngine, NextTier};
use zhiyuan::facts::{Fact, FactInputs, FactsColumnsRef, VolunteerStatus};
use zhiyuan::rules::ConditionOutcome;
use zhiyuan::threads::Threads;

into_py_value_serde!(VolunteerStatus, ConditionOutcome, NextTier);

py_value!(
    /// A registered volunteer.
    VolunteerProfile, "VolunteerProfile", zhiyuan::facts::VolunteerProfile,
    { id, birth_date, registered_at, status, home_unit, skills }
);

py_value!(
    /// Everything the rule language reads about one volunteer at one
    /// instant: hours in whole minutes, the average rating in hundredths.
    Facts, "Facts", zhiyuan::facts::Facts,
    {
        cumulative_minutes, minutes_last_12_months, minutes_this_year,
        months_registered, age, star_level, monthly_star_honours,
        annual_excellent_honours, honours, fraud_revocations, sanctions,
        average_rating_centi, rating_count, active, status,
    }
);

py_value!(
    /// One 文明贷 decision with its reasons: every comparison of every gate
    /// and tier (dicts), the failing gates, the next tier and its shortfalls.
    CreditDecision, "CreditDecision", zhiyuan::credit::CreditDecision,
    {
        eligible, tier, tier_id, limit_fen, rate_discount_bp, conditions,
        failing_gates, next_tier, policy_hash, as_of,
    }
);

/// Derives a volunteer's facts at `as_of` from a profile and plain inputs
/// (approved minutes, fraud revocation instants, honours, ratings,
/// sanctions; the dict form of the core's `FactInputs`, all optional).
#[pyfunction]
#[pyo3(signature = (policy, profile, inputs=None, *, as_of))]
pub fn derive_facts(
    py: Python<'_>,
    policy: &Bound<'_, Policy>,
    profile: &Bound<'_, PyAny>,
    inputs: Option<&Bound<'_, PyAny>>,
    as_of: &Bound<'_, PyAny>,
) -> PyResult<Facts> {
    let prof: zhiyuan::facts::VolunteerProfile = from_py(profile, "profile")?;
    let inp: FactInputs = match inputs {
        Some(i) if !i.is_none() => from_py(i, "inputs")?,
        _ => FactInputs::default(),
    };
    let t = timestamp(as_of, "as_of")?;
    let p = policy.get().core();
    run(py, || zhiyuan::facts::derive_facts(p, &prof, &inp, t)).map(Facts)
}

/// The 文明贷 decision for one volunteer's facts at `as_of`.
#[pyfunction]
pub fn credit_decision(
    py: Python<'_>,
    policy: &Bound<'_, Policy>,
    facts: &Bound<'_, PyAny>,
    as_of: &Bound<'_, PyAny>,
) -> PyResult<CreditDecision> {
    let f: zhiyuan::facts::Facts = from_py(facts, "facts")?;
    let t = timestamp(as_of, "as_of")?;
    let p = policy.get().core();
    run(py, || zhiyuan::credit::decide(p, &f, t)).map(CreditDecision)
}

/// The fact columns of one call, converted where Arrow's layout differs
/// from the core's (booleans, status names) and borrowed where it does not
/// (a one-chunk `int64` column is read in place).
struct FactsIn<'a> {
    ints: Vec<(Fact, Cow<'a, [i64]>)>,
    active: Vec<bool>,
    status: Vec<VolunteerStatus>,
}

impl<'a> FactsIn<'a> {
    /// Reads `columns`: integers for minutes, counts and hundredths,
    /// booleans for `active`, status names (`active`, `suspended`,
    /// `deregistered`, plain or dictionary-encoded) for `status`. Columns
    /// the policy reads (`read`) are converted; other known fact columns
    /// present are checked for type and nulls, and converted only when
    /// `convert_all` (the reasons list every fact).
    fn read(columns: &'a [(Fact, Column, bool)]) -> PyResult<Self> {
        let mut out = FactsIn {
            ints: Vec::new(),
            active: Vec::new(),
            status: Vec::new(),
        };
        for (fact, c, used) in columns {
            match fact {
                Fact::Active => {
                    let v = c.bools()?;
                    if *used {
                        out.active = v;
                    }
                }
                // Parsing names costs a pass over the strings: only when read.
                Fact::Status if *used => {
                    out.status = c.parse_text(VolunteerStatus::parse, |s| {
                        format!("{s:?} is not one of active, suspended, deregistered")
                    })?;
                }
                Fact::Status => {}
                f => {
                    let v = c.i64s()?;
                    if *used {
                        out.ints.push((*f, v));
                    }
                }
            }
        }
        Ok(out)
    }

    fn view(&self) -> FactsColumnsRef<'_> {
        let mut v = FactsColumnsRef {
            active: &self.active,
            status: &self.status,
            ..FactsColumnsRef::default()
        };
        for (f, c) in &self.ints {
            v.set_int(*f, c);
        }
        v
    }
}

/// 文明贷 decisions for a table of facts, one row per volunteer, with no
/// per-row Python work. `facts` is any Arrow table (pyarrow, polars,
/// pandas) or a dict of Arrow columns named like the `Facts` fields;
/// returns a table `tier` (uint32, 0 = not eligible), `limit_fen`,
/// `rate_discount_bp` (int64), `eligible` (bool), plus `reasons` (each
/// row's full decision as JSON text) when `with_reasons`. The schema
/// metadata carries `policy_hash` and `as_of`. `threads`: how many threads
/// the core uses (None = one per core); the result is the same for any.
#[pyfunction]
#[pyo3(signature = (policy, facts, as_of, *, with_reasons=false, threads=None))]
pub fn credit_decisions(
    py: Python<'_>,
    policy: &Bound<'_, Policy>,
    facts: &Bound<'_, PyAny>,
    as_of: &Bound<'_, PyAny>,
    with_reasons: bool,
    threads: Option<usize>,
) -> PyResult<ArrowTable> {
    let t = timestamp(as_of, "as_of")?;
    let threads = check(Threads::from_option(threads))?;
    let engine = check(CreditEngine::new(policy.get().core()))?;
    let table = Columns::from_py(facts, "facts", false)?;
    let mut columns = Vec::new();
    for fact in Fact::ALL {
        let name = FactsColumnsRef::default().column(fact).0;
        let read = engine.facts_read().contains(&fact);
        if read || table.has(name) {
            columns.push((fact, table.column(name)?, read || with_reasons));
        }
    }
    let input = FactsIn::read(&columns)?;
    let cols = input.view();
    let b = run(py, || engine.decide_columns(cols, t, with_reasons, threads))?;
    let mut out = vec![
        ArrowColumn::new("tier", Arc::new(UInt32Array::from(b.tier))),
        ArrowColumn::new("limit_fen", Arc::new(Int64Array::from(b.limit_fen))),
        ArrowColumn::new(
            "rate_discount_bp",
            Arc::new(Int64Array::from(b.rate_discount_bp)),
        ),
        ArrowColumn::new("eligible", Arc::new(BooleanArray::from(b.eligible))),
    ];
    if let Some(reasons) = b.reasons {
        let text = reasons
            .iter()
            .map(|d| serde_json::to_string(d).map(Some))
            .collect::<Result<StringArray, _>>()
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        out.push(ArrowColumn::new("reasons", Arc::new(text)));
    }
    ArrowTable::new(out)?.with_metadata([
        ("policy_hash".to_owned(), b.policy_hash),
        ("as_of".to_owned(), b.as_of.to_string()),
    ])
}

into_py_value_serde!(
    zhiyuan::honours::HonourKind,
    zhiyuan::honours::HonourRevocation
);

py_value!(
    /// One honour of one volunteer for one period, possibly revoked.
    Honour, "Honour", zhiyuan::honours::Honour,
    { volunteer, kind, period, grantor, granted_on, revoked }
);

/// The honours registry: who was named monthly star, annual excellent
/// volunteer, … for which period. Grants are idempotent; a conflicting
/// grant raises `ConflictError`. Safe to share across threads (calls are
/// serialised).
#[pyclass(frozen, module = "zhiyuan._zhiyuan", name = "HonoursRegistry")]
pub struct HonoursRegistry(Mutex<zhiyuan::honours::HonoursRegistry>);

impl HonoursRegistry {
    fn lock(&self) -> MutexGuard<'_, zhiyuan::honours::HonoursRegistry> {
        // Every core mutation validates before it changes anything.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[pymethods]
impl HonoursRegistry {
    /// The registry as JSON (its policy and inputs, versioned); `restore`
    /// rebuilds it. Pickling goes through this.
    fn snapshot(&self, py: Python<'_>) -> PyResult<String> {
        run(py, || Ok(self.lock().snapshot()))
    }

    /// Rebuilds one from `snapshot()`, re-checking every input: a
    /// tampered snapshot raises an error naming the field.
    #[staticmethod]
    fn restore(py: Python<'_>, snapshot: &str) -> PyResult<Self> {
        run(py, || zhiyuan::honours::HonoursRegistry::restore(snapshot))
            .map(|x| HonoursRegistry(Mutex::new(x)))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> crate::convert::Reduced<'py> {
        crate::convert::reduce_via_restore(slf, slf.get().lock().snapshot())
    }

    /// An empty registry.
    #[new]
    fn py_new() -> Self {
        HonoursRegistry(Mutex::new(zhiyuan::honours::HonoursRegistry::new()))
    }

    /// Grants an honour; `True` when new, `False` when the same grant was
    /// already recorded.
    fn grant(
        &self,
        volunteer: u64,
        kind: &Bound<'_, PyAny>,
        period: &Bound<'_, PyAny>,
        grantor: u64,
        granted_on: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let (k, p, d) = (
            from_py(kind, "kind")?,
            period_arg(period, "period")?,
            local_date(granted_on, "granted_on")?,
        );
        check(self.lock().grant(volunteer, k, p, grantor, d))
    }

    /// Grants one honour to each winner, all-or-nothing; returns how many
    /// were new.
    fn record_winners(
        &self,
        kind: &Bound<'_, PyAny>,
        period: &Bound<'_, PyAny>,
        winners: Vec<u64>,
        grantor: u64,
        granted_on: &Bound<'_, PyAny>,
    ) -> PyResult<usize> {
        let (k, p, d) = (
            from_py(kind, "kind")?,
            period_arg(period, "period")?,
            local_date(granted_on, "granted_on")?,
        );
        check(self.lock().record_winners(k, p, &winners, grantor, d))
    }

    /// Revokes an honour at `at`.
    #[allow(clippy::too_many_arguments)]
    fn revoke(
        &self,
        volunteer: u64,
        kind: &Bound<'_, PyAny>,
        period: &Bound<'_, PyAny>,
        by: u64,
        at: &Bound<'_, PyAny>,
        reason: &str,
    ) -> PyResult<()> {
        let (k, p, t) = (
            from_py(kind, "kind")?,
            period_arg(period, "period")?,
            timestamp(at, "at")?,
        );
        check(self.lock().revoke(volunteer, k, p, by, t, reason))
    }

    /// Every honour of `volunteer` (revoked ones too), in (kind, period)
    /// order.
    fn of(&self, volunteer: u64) -> Vec<Honour> {
        self.lock().of(volunteer).into_iter().map(Honour).collect()
    }
}

into_py_value_serde!(
    zhiyuan::points::PointsEntryKind,
    zhiyuan::points::Redemption,
    zhiyuan::perks::PerkClaim,
    zhiyuan::rules::Gap,
    zhiyuan::certificates::CertificateRevocation,
);

py_value!(
    /// One volunteer's points balance and how it came about.
    PointsAccount, "PointsAccount", zhiyuan::points::PointsAccount,
    { volunteer, balance, earned, redeemed, expired, clawed_back, debt, hours_points }
);

py_value!(
    /// One line of a volunteer's points history.
    PointsEntry, "PointsEntry", zhiyuan::points::PointsEntry,
    { at, kind, points, balance_after, debt_after }
);

py_value!(
    /// A redemption as recorded; redeeming the same order code again
    /// returns it.
    RedemptionReceipt, "RedemptionReceipt", zhiyuan::points::RedemptionReceipt,
    { redemption, balance_after }
);

py_value!(
    /// Whether a volunteer may claim a perk now, with the reasons and gaps.
    PerkEligibility, "PerkEligibility", zhiyuan::perks::PerkEligibility,
    {
        perk, merchant, title, eligible, reasons, conditions, gaps, period,
        claimed_in_period, limit_per_period, points_cost,
    }
);

py_value!(
    /// A perk claim as recorded.
    PerkClaimReceipt, "PerkClaimReceipt", zhiyuan::perks::PerkClaimReceipt,
    { claim, merchant, period, claims_in_period, limit_per_period, points_spent }
);

py_value!(
    /// A signed service-hours certificate (志愿服务证明).
    Certificate, "Certificate", zhiyuan::certificates::Certificate,
    {
        serial, volunteer, volunteer_name, minutes, content, recording_unit,
        recording_unit_name, period_from, period_to, issuer, issued_at, key_id,
        verification_code,
    }
);

py_value!(
    /// What a public check of a serial and code finds.
    CertificateStatus, "CertificateStatus", zhiyuan::certificates::CertificateStatus,
    { serial, found, code_matches, revoked, valid }
);

/// The points ledger (积分): hours and honours earn points, redemptions
/// spend them, expiry and claw-backs follow the policy. Safe to share
/// across threads (calls are serialised).
#[pyclass(frozen, module = "zhiyuan._zhiyuan", name = "PointsLedger")]
pub struct PointsLedger(Mutex<zhiyuan::points::PointsLedger>);

impl PointsLedger {
    fn lock(&self) -> MutexGuard<'_, zhiyuan::points::PointsLedger> {
        // Every core mutation validates before it changes anything.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[pymethods]
impl PointsLedger {
    /// The ledger as JSON (its policy and inputs, versioned); `restore`
    /// rebuilds it. Pickling goes through this.
    fn snapshot(&self, py: Python<'_>) -> PyResult<String> {
        run(py, || Ok(self.lock().snapshot()))
    }

    /// Rebuilds one from `snapshot()`, re-checking every input: a
    /// tampered snapshot raises an error naming the field.
    #[staticmethod]
    fn restore(py: Python<'_>, snapshot: &str) -> PyResult<Self> {
        run(py, || zhiyuan::points::PointsLedger::restore(snapshot))
            .map(|x| PointsLedger(Mutex::new(x)))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> crate::convert::Reduced<'py> {
        crate::convert::reduce_via_restore(slf, slf.get().lock().snapshot())
    }

    /// An empty points ledger under `policy`.
    #[new]
    fn py_new(policy: &Bound<'_, Policy>) -> Self {
        PointsLedger(Mutex::new(zhiyuan::points::PointsLedger::new(
            policy.get().core(),
        )))
    }

    /// Brings hours points in line with `approved_minutes` (the ledger's
    /// total at `at`); returns the points credited (negative: clawed back).
    fn sync_hours(
        &self,
        volunteer: u64,
        approved_minutes: i64,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<i64> {
        let t = timestamp(at, "at")?;
        check(self.lock().sync_hours(volunteer, approved_minutes, t))
    }

    /// Brings honour points in line with `honours` (`Honour` objects or
    /// dicts); returns the points credited.
    fn sync_honours(
        &self,
        volunteer: u64,
        honours: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<i64> {
        let hs: Vec<zhiyuan::honours::Honour> = from_py(honours, "honours")?;
        let t = timestamp(at, "at")?;
        check(self.lock().sync_honours(volunteer, &hs, t))
    }

    /// Redeems points (a `Redemption` dict: `order_code`, `volunteer`,
    /// `merchant`, `points`, `at`).
    fn redeem(&self, redemption: &Bound<'_, PyAny>) -> PyResult<RedemptionReceipt> {
        let r = from_py(redemption, "redemption")?;
        check(self.lock().redeem(&r)).map(RedemptionReceipt)
    }

    /// Expires the volunteer's points due at `at`; returns how many.
    fn expire(&self, volunteer: u64, at: &Bound<'_, PyAny>) -> PyResult<i64> {
        let t = timestamp(at, "at")?;
        check(self.lock().expire(volunteer, t))
    }

    /// The volunteer's account.
    fn account(&self, volunteer: u64) -> PointsAccount {
        PointsAccount(self.lock().account(volunteer))
    }

    /// The volunteer's history, oldest first.
    fn entries(&self, volunteer: u64) -> Vec<PointsEntry> {
        self.lock()
            .entries(volunteer)
            .iter()
            .cloned()
            .map(PointsEntry)
            .collect()
    }
}

/// The perk desk (礼遇): which perks a volunteer may claim, and claims with
/// per-period limits, optionally paid in points. Safe to share across
/// threads (calls are serialised).
#[pyclass(frozen, module = "zhiyuan._zhiyuan", name = "PerkDesk")]
pub struct PerkDesk(Mutex<zhiyuan::perks::PerkDesk>);

impl PerkDesk {
    fn lock(&self) -> MutexGuard<'_, zhiyuan::perks::PerkDesk> {
        // Every core mutation validates before it changes anything.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[pymethods]
impl PerkDesk {
    /// The desk as JSON (its policy and inputs, versioned); `restore`
    /// rebuilds it. Pickling goes through this.
    fn snapshot(&self, py: Python<'_>) -> PyResult<String> {
        run(py, || Ok(self.lock().snapshot()))
    }

    /// Rebuilds one from `snapshot()`, re-checking every input: a
    /// tampered snapshot raises an error naming the field.
    #[staticmethod]
    fn restore(py: Python<'_>, snapshot: &str) -> PyResult<Self> {
        run(py, || zhiyuan::perks::PerkDesk::restore(snapshot)).map(|x| PerkDesk(Mutex::new(x)))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> crate::convert::Reduced<'py> {
        crate::convert::reduce_via_restore(slf, slf.get().lock().snapshot())
    }

    /// A desk for the perk catalogue of `policy`.
    #[new]
    fn py_new(policy: &Bound<'_, Policy>) -> PyResult<Self> {
        check(zhiyuan::perks::PerkDesk::new(policy.get().core())).map(|d| PerkDesk(Mutex::new(d)))
    }

    /// Every perk with whether `volunteer` (with `facts`) may claim it at
    /// `at`; `points` (the volunteer's account) for perks that cost points.
    #[pyo3(signature = (volunteer, facts, at, points=None))]
    fn eligible_perks(
        &self,
        volunteer: u64,
        facts: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
        points: Option<&Bound<'_, PointsAccount>>,
    ) -> PyResult<Vec<PerkEligibility>> {
        let f: zhiyuan::facts::Facts = from_py(facts, "facts")?;
        let t = timestamp(at, "at")?;
        let acc = points.map(|p| &p.get().0);
        Ok(self
            .lock()
            .eligible_perks(volunteer, &f, t, acc)
            .into_iter()
            .map(PerkEligibility)
            .collect())
    }

    /// Claims a perk (`claim_code`, `volunteer`, `perk`, `at`); a perk that
    /// costs points spends them from `points`.
    #[pyo3(signature = (claim, facts, points=None))]
    fn claim(
        &self,
        claim: &Bound<'_, PyAny>,
        facts: &Bound<'_, PyAny>,
        points: Option<&Bound<'_, PointsLedger>>,
    ) -> PyResult<PerkClaimReceipt> {
        let c = from_py(claim, "claim")?;
        let f: zhiyuan::facts::Facts = from_py(facts, "facts")?;
        let mut desk = self.lock();
        let r = match points {
            Some(p) => desk.claim(&c, &f, Some(&mut p.get().lock())),
            None => desk.claim(&c, &f, None),
        };
        check(r).map(PerkClaimReceipt)
    }
}

/// A certificate signing key: an id and a secret (text or bytes). The
/// secret is never shown.
#[pyclass(frozen, module = "zhiyuan._zhiyuan", name = "CertificateKey")]
pub struct CertificateKey(zhiyuan::certificates::CertificateKey);

#[pymethods]
impl CertificateKey {
    /// A key `id` with `secret`.
    #[new]
    fn py_new(id: &str, secret: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes: Vec<u8> = match secret.extract::<String>() {
            Ok(s) => s.into_bytes(),
            Err(_) => secret.extract()?,
        };
        check(zhiyuan::certificates::CertificateKey::new(id, &bytes)).map(CertificateKey)
    }

    /// The key id.
    #[getter]
    fn id(&self) -> &str {
        self.0.id()
    }

    fn __repr__(&self) -> String {
        format!("CertificateKey(id={:?})", self.0.id())
    }

    /// Pickles with its secret (for trusted workers only).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> crate::convert::Reduced<'py> {
        let py = slf.py();
        let k = &slf.get().0;
        let args = (k.id(), pyo3::types::PyBytes::new(py, k.secret()));
        Ok((py.get_type::<Self>().into_any(), args.into_pyobject(py)?))
    }
}

/// Issues, revokes and checks certificates with serials `<prefix>…`.
/// Safe to share across threads (calls are serialised).
#[pyclass(frozen, module = "zhiyuan._zhiyuan", name = "CertificateRegistry")]
pub struct CertificateRegistry(Mutex<zhiyuan::certificates::CertificateRegistry>);

impl CertificateRegistry {
    fn lock(&self) -> MutexGuard<'_, zhiyuan::certificates::CertificateRegistry> {
        // Every core mutation validates before it changes anything.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[pymethods]
impl CertificateRegistry {
    /// The registry (certificates and revocations; no keys) as JSON (its policy and inputs, versioned); `restore`
    /// rebuilds it. Pickling goes through this.
    fn snapshot(&self, py: Python<'_>) -> PyResult<String> {
        run(py, || Ok(self.lock().snapshot()))
    }

    /// Rebuilds one from `snapshot()`, re-checking every input: a
    /// tampered snapshot raises an error naming the field.
    #[staticmethod]
    fn restore(py: Python<'_>, snapshot: &str) -> PyResult<Self> {
        run(py, || {
            zhiyuan::certificates::CertificateRegistry::restore(snapshot)
        })
        .map(|x| CertificateRegistry(Mutex::new(x)))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> crate::convert::Reduced<'py> {
        crate::convert::reduce_via_restore(slf, slf.get().lock().snapshot())
    }

    /// An empty registry under `policy` issuing serials `prefix…`.
    #[new]
    fn py_new(policy: &Bound<'_, Policy>, prefix: &str) -> Self {
        CertificateRegistry(Mutex::new(zhiyuan::certificates::CertificateRegistry::new(
            policy.get().core(),
            prefix,
        )))
    }

    /// Issues a certificate for `request` signed with `key`.
    fn issue(
        &self,
        request: &Bound<'_, PyAny>,
        key: &Bound<'_, CertificateKey>,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<Certificate> {
        let r = from_py(request, "request")?;
        let t = timestamp(at, "at")?;
        check(self.lock().issue(&r, &key.get().0, t)).map(Certificate)
    }

    /// The certificate `serial`.
    fn get(&self, serial: &str) -> PyResult<Certificate> {
        check(self.lock().get(serial).cloned()).map(Certificate)
    }

    /// Revokes certificate `serial`.
    fn revoke(&self, serial: &str, by: u64, at: &Bound<'_, PyAny>, reason: &str) -> PyResult<()> {
        let t = timestamp(at, "at")?;
        check(self.lock().revoke(serial, by, t, reason))
    }

    /// What a public check of `serial` with `code` finds.
    fn check(&self, serial: &str, code: &str) -> CertificateStatus {
        CertificateStatus(self.lock().check(serial, code))
    }
}

/// Whether `certificate` (a `Certificate` or its dict form) carries a valid
/// signature under `key`.
#[pyfunction]
pub fn verify_certificate(
    certificate: &Bound<'_, PyAny>,
    key: &Bound<'_, CertificateKey>,
) -> PyResult<bool> {
    let c: zhiyuan::certificates::Certificate = from_py(certificate, "certificate")?;
    Ok(c.verify(&key.get().0))
}

/// Whether a certificate's JSON text parses and verifies under `key`.
#[pyfunction]
pub fn verify_certificate_json(text: &str, key: &Bound<'_, CertificateKey>) -> bool {
    zhiyuan::certificates::Certificate::verify_json(text, &key.get().0)
}
