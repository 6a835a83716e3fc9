//! Selections: `apportion` (quotas across districts). `monthly_stars` and
//! `annual_selection` are bound next, the same way.

use crate::convert::{from_py, from_value, into_py_value_serde, py_value};
use crate::errors::run;
use pyo3::prelude::*;
use zhiyuan::apportion::{District, Method};

into_py_value_serde!(Method, zhiyuan::selection::Ratio);

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
