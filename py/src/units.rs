//! `UnitTree`, `Unit` and `Team`.

use crate::convert::{from_py, py_value, serde_to_py, to_json, value_to_py};
use crate::errors::check;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::collections::BTreeMap;
use std::sync::Arc;
use zhiyuan::units::UnitId;

py_value!(
    /// One org unit (市/镇/村/组, or 中心/所/站).
    Unit, "Unit", zhiyuan::units::Unit, { id, parent, name, level }
);

py_value!(
    /// A volunteer team (志愿服务队) attached to a unit.
    Team, "Team", zhiyuan::units::Team, { id, unit, name, skills }
);

/// A validated forest of org units with teams. Immutable, picklable and safe
/// to share across threads.
#[pyclass(frozen, module = "zhiyuan._zhiyuan", name = "UnitTree")]
#[derive(Clone)]
pub struct UnitTree(pub Arc<zhiyuan::units::UnitTree>);

impl UnitTree {
    /// The core tree.
    pub(crate) fn core(&self) -> &zhiyuan::units::UnitTree {
        &self.0
    }
}

#[pymethods]
impl UnitTree {
    /// Builds the tree from units and teams, each a `Unit`/`Team` or a dict
    /// of its fields (`{"id": 1, "parent": None, "name": …, "level": …}`).
    #[new]
    #[pyo3(signature = (units=None, teams=None))]
    fn py_new(
        units: Option<&Bound<'_, PyAny>>,
        teams: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let units: Vec<zhiyuan::units::Unit> = match units {
            Some(u) => from_py(u, "units")?,
            None => Vec::new(),
        };
        let teams: Vec<zhiyuan::units::Team> = match teams {
            Some(t) => from_py(t, "teams")?,
            None => Vec::new(),
        };
        check(zhiyuan::units::UnitTree::new(units, teams)).map(|t| UnitTree(Arc::new(t)))
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    fn __contains__(&self, id: UnitId) -> bool {
        self.0.contains(id)
    }

    /// The unit with this id (`NotFoundError` if absent).
    fn unit(&self, id: UnitId) -> PyResult<Unit> {
        check(self.0.unit(id)).map(|u| Unit(u.clone()))
    }

    /// The team with this id (`NotFoundError` if absent).
    fn team(&self, id: u64) -> PyResult<Team> {
        check(self.0.team(id)).map(|t| Team(t.clone()))
    }

    /// All units, by id.
    #[getter]
    fn units(&self) -> Vec<Unit> {
        self.0.units().iter().cloned().map(Unit).collect()
    }

    /// All teams, by id.
    #[getter]
    fn teams(&self) -> Vec<Team> {
        self.0.teams().cloned().map(Team).collect()
    }

    /// The parent of `id`, or None for a root.
    fn parent(&self, id: UnitId) -> PyResult<Option<UnitId>> {
        check(self.0.parent(id))
    }

    /// Children of `id`, by id.
    fn children(&self, id: UnitId) -> PyResult<Vec<UnitId>> {
        check(self.0.children(id))
    }

    /// Depth of `id` (roots are 0).
    fn depth(&self, id: UnitId) -> PyResult<u32> {
        check(self.0.depth(id))
    }

    /// Ancestors of `id`, nearest first, excluding `id`.
    fn ancestors(&self, id: UnitId) -> PyResult<Vec<UnitId>> {
        check(self.0.ancestors(id))
    }

    /// Descendants of `id` in pre-order, excluding `id`.
    fn descendants(&self, id: UnitId) -> PyResult<Vec<UnitId>> {
        check(self.0.descendants(id))
    }

    /// Whether `unit` is `ancestor` or lies below it.
    fn is_within(&self, unit: UnitId, ancestor: UnitId) -> PyResult<bool> {
        check(self.0.is_within(unit, ancestor))
    }

    /// Each unit's own amount plus all its descendants'. Units missing from
    /// `own` count 0; ids unknown to the tree are ignored; every unit of the
    /// tree is in the result.
    fn rollup(&self, own: BTreeMap<UnitId, i64>) -> PyResult<BTreeMap<UnitId, i64>> {
        check(self.0.rollup(&own))
    }

    /// `{"units": [...], "teams": [...]}` in the wire form.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let teams: Vec<&zhiyuan::units::Team> = self.0.teams().collect();
        let v = serde_json::json!({
            "units": to_json(&self.0.units())?,
            "teams": to_json(&teams)?,
        });
        value_to_py(py, &v)
    }

    fn __repr__(&self) -> String {
        format!(
            "UnitTree(units={}, teams={})",
            self.0.len(),
            self.0.teams().count()
        )
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let t = slf.get();
        let teams: Vec<&zhiyuan::units::Team> = t.0.teams().collect();
        Ok((
            py.get_type::<Self>().into_any(),
            PyTuple::new(
                py,
                [serde_to_py(py, &t.0.units())?, serde_to_py(py, &teams)?],
            )?,
        ))
    }
}
