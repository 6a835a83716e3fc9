//! Selections: `monthly_stars` (十佳文明秀之星), `count_votes`,
//! `annual_selection` (千名优秀志愿者) and `apportion` (quotas across
//! districts). Rounds go in as their dict (serde) form; results come back as
//! frozen objects whose nested rows are dicts in the wire form.

use crate::convert::{from_py, from_value, into_py_value_serde, py_value};
use crate::errors::run;
use crate::policy::Policy;
use pyo3::prelude::*;
use serde::de::DeserializeOwned;
use zhiyuan::annual::{AnnualRound, AnnualStanding, Ineligible};
use zhiyuan::apportion::{District, Method};
use zhiyuan::monthly::{MonthlyRound, Standing, VoidVote, VoteWindow};
use zhiyuan::selection::{Ratio, Winner};

into_py_value_serde!(
    Method,
    Ratio,
    Winner,
    Standing,
    VoidVote,
    VoteWindow,
    AnnualStanding,
    Ineligible,
);

py_value!(
    /// The counted online votes of a monthly round.
    VoteTally, "VoteTally", zhiyuan::monthly::VoteTally,
    { window, counted, counted_total, void }
);

py_value!(
    /// The month's 十佳文明秀之星 decision: standings (dicts), winners, the
    /// policy hash it used.
    MonthlyResult, "MonthlyResult", zhiyuan::monthly::MonthlyResult,
    { month, policy_hash, tally, standings, winners }
);

py_value!(
    /// The year's 千名优秀志愿者 decision: district quotas, standings,
    /// ineligible candidates with their failed rules, winners.
    AnnualResult, "AnnualResult", zhiyuan::annual::AnnualResult,
    { year, policy_hash, quotas, standings, ineligible, winners }
);

/// Converts a round from its dict form and runs a core selection on it
/// with the GIL released.
fn decide<R: DeserializeOwned + Sync, T: Send>(
    py: Python<'_>,
    policy: &Bound<'_, Policy>,
    round: &Bound<'_, PyAny>,
    f: impl FnOnce(&zhiyuan::Policy, &R) -> zhiyuan::Result<T> + Send,
) -> PyResult<T> {
    let r: R = from_py(round, "round")?;
    let p = policy.get().core();
    run(py, || f(p, &r))
}

/// Counts a monthly round's online votes (void votes listed with reasons).
#[pyfunction]
pub fn count_votes(
    py: Python<'_>,
    policy: &Bound<'_, Policy>,
    round: &Bound<'_, PyAny>,
) -> PyResult<VoteTally> {
    decide::<MonthlyRound, _>(py, policy, round, zhiyuan::monthly::count_votes).map(VoteTally)
}

/// Selects the month's 十佳文明秀之星 from a round (votes, judges' marks).
#[pyfunction]
pub fn monthly_stars(
    py: Python<'_>,
    policy: &Bound<'_, Policy>,
    round: &Bound<'_, PyAny>,
) -> PyResult<MonthlyResult> {
    decide::<MonthlyRound, _>(py, policy, round, zhiyuan::monthly::monthly_stars).map(MonthlyResult)
}

/// Selects the year's 千名优秀志愿者 from a round of candidates.
#[pyfunction]
pub fn annual_selection(
    py: Python<'_>,
    policy: &Bound<'_, Policy>,
    round: &Bound<'_, PyAny>,
) -> PyResult<AnnualResult> {
    decide::<AnnualRound, _>(py, policy, round, zhiyuan::annual::annual_selection).map(AnnualResult)
}

py_value!(
    /// One district's share of the seats.
    DistrictSeats, "DistrictSeats", zhiyuan::apportion::DistrictSeats,
    { id, size, cap, quota, seats, capped }
);

py_value!(
    /// Seats apportioned across districts.
    Apportionment, "Apportionment", zhiyuan::apportion::Apportionment,
    { method, total, allocated, unfilled, districts }
);

/// Apportions `total` seats across districts (`{"id", "size", "cap"?}` dicts)
/// by `method`: `sainte_lague` (default), `largest_remainder`, `dhondt` or
/// `huntington_hill`.
#[pyfunction]
#[pyo3(signature = (districts, total, method="sainte_lague"))]
pub fn apportion(
    py: Python<'_>,
    districts: &Bound<'_, PyAny>,
    total: u64,
    method: &str,
) -> PyResult<Apportionment> {
    let ds: Vec<District> = from_py(districts, "districts")?;
    let m: Method = from_value(serde_json::Value::String(method.to_owned()), "method")?;
    run(py, || zhiyuan::apportion::apportion(&ds, total, m)).map(Apportionment)
}
