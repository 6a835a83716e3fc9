//! The tree of org units (市/镇/村/组, or 中心/所/站) and the teams attached
//! to them.
//!
//! A unit's totals include every descendant's, so the tree keeps an
//! Euler-tour numbering: "is `a` inside `b`" is two integer comparisons, and
//! a roll-up is one pass from the leaves up.
//!
//! ```
//! use zhiyuan::units::{Unit, UnitTree};
//! let tree = UnitTree::new(
//!     vec![
//!         Unit::new(1, None, "江宁区新时代文明实践中心", "centre"),
//!         Unit::new(10, Some(1), "东山实践所", "institute"),
//!         Unit::new(100, Some(10), "佘村实践站", "station"),
//!     ],
//!     vec![],
//! )?;
//! assert_eq!(tree.ancestors(100)?, vec![10, 1]);
//! assert!(tree.is_within(100, 1)?);
//! let own = [(100, 30), (10, 5)].into_iter().collect();
//! let total = tree.rollup(&own)?;
//! assert_eq!(total[&1], 35);
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// An org unit id.
pub type UnitId = u64;
/// A team id.
pub type TeamId = u64;

/// One org unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// Unique id.
    pub id: UnitId,
    /// The parent unit, `None` for a root.
    pub parent: Option<UnitId>,
    /// Display name.
    pub name: String,
    /// Level name, e.g. `centre`, `institute`, `station` or `city`, `town`,
    /// `village`, `group`.
    pub level: String,
}

impl Unit {
    /// A unit.
    pub fn new(id: UnitId, parent: Option<UnitId>, name: &str, level: &str) -> Self {
        Unit {
            id,
            parent,
            name: name.to_owned(),
            level: level.to_owned(),
        }
    }
}

/// A volunteer team (志愿服务队) attached to a unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Unique id.
    pub id: TeamId,
    /// The unit the team belongs to.
    pub unit: UnitId,
    /// Display name.
    pub name: String,
    /// Skills the team offers (`legal`, `medical`, `psychological`, …).
    #[serde(default)]
    pub skills: Vec<String>,
}

/// A validated forest of units with teams.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitTree {
    units: Vec<Unit>,
    index: HashMap<UnitId, usize>,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    /// Euler-tour entry and exit numbers: `b` contains `a` iff
    /// `tin[b] <= tin[a] && tout[a] <= tout[b]`.
    tin: Vec<u32>,
    tout: Vec<u32>,
    depth: Vec<u32>,
    /// Unit indices in pre-order (parents before children).
    preorder: Vec<usize>,
    teams: BTreeMap<TeamId, Team>,
}

impl UnitTree {
    /// Builds and validates the tree. Errors name the offending unit or team:
    /// duplicate ids, unknown parents, cycles, teams on unknown units.
    pub fn new(units: Vec<Unit>, teams: Vec<Team>) -> Result<Self> {
        let mut units = units;
        // Sorting by id makes every derived order independent of input order.
        units.sort_by_key(|u| u.id);
        let mut index = HashMap::with_capacity(units.len());
        for (i, u) in units.iter().enumerate() {
            if index.insert(u.id, i).is_some() {
                return Err(Error::conflict(
                    format!("units[id={}]", u.id),
                    "duplicate unit id",
                ));
            }
        }
        let mut parent = vec![None; units.len()];
        let mut children = vec![Vec::new(); units.len()];
        for (i, u) in units.iter().enumerate() {
            if let Some(p) = u.parent {
                let pi = *index.get(&p).ok_or_else(|| {
                    Error::not_found(
                        format!("units[id={}].parent", u.id),
                        format!("unknown parent unit {p}"),
                    )
                })?;
                if pi == i {
                    return Err(Error::invalid_input(
                        format!("units[id={}].parent", u.id),
                        "a unit cannot be its own parent",
                    ));
                }
                parent[i] = Some(pi);
                children[pi].push(i);
            }
        }
        let n = units.len();
        let mut tin = vec![u32::MAX; n];
        let mut tout = vec![0u32; n];
        let mut depth = vec![0u32; n];
        let mut preorder = Vec::with_capacity(n);
        let mut clock = 0u32;
        for root in (0..n).filter(|&i| parent[i].is_none()) {
            // Iterative DFS: (node, next child position).
            let mut stack = vec![(root, 0usize)];
            tin[root] = clock;
            clock += 1;
            preorder.push(root);
            while let Some(&mut (node, ref mut pos)) = stack.last_mut() {
                if let Some(&c) = children[node].get(*pos) {
                    *pos += 1;
                    tin[c] = clock;
                    clock += 1;
                    depth[c] = depth[node] + 1;
                    preorder.push(c);
                    stack.push((c, 0));
                } else {
                    tout[node] = clock;
                    stack.pop();
                }
            }
        }
        if let Some(i) = (0..n).find(|&i| tin[i] == u32::MAX) {
            return Err(Error::invalid_input(
                format!("units[id={}].parent", units[i].id),
                "the parent chain forms a cycle",
            ));
        }
        let mut team_map = BTreeMap::new();
        for t in teams {
            if !index.contains_key(&t.unit) {
                return Err(Error::not_found(
                    format!("teams[id={}].unit", t.id),
                    format!("unknown unit {}", t.unit),
                ));
            }
            let id = t.id;
            if team_map.insert(id, t).is_some() {
                return Err(Error::conflict(
                    format!("teams[id={id}]"),
                    "duplicate team id",
                ));
            }
        }
        Ok(UnitTree {
            units,
            index,
            parent,
            children,
            tin,
            tout,
            depth,
            preorder,
            teams: team_map,
        })
    }

    /// An empty tree.
    pub fn empty() -> Self {
        UnitTree::new(Vec::new(), Vec::new()).expect("an empty tree is valid")
    }

    fn idx(&self, id: UnitId) -> Result<usize> {
        self.index
            .get(&id)
            .copied()
            .ok_or_else(|| Error::not_found("unit", format!("unknown unit {id}")))
    }

    /// Whether the tree holds unit `id`.
    pub fn contains(&self, id: UnitId) -> bool {
        self.index.contains_key(&id)
    }

    /// The unit with this id.
    pub fn unit(&self, id: UnitId) -> Result<&Unit> {
        Ok(&self.units[self.idx(id)?])
    }

    /// All units, by id.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// All teams, by id.
    pub fn teams(&self) -> impl Iterator<Item = &Team> {
        self.teams.values()
    }

    /// The team with this id.
    pub fn team(&self, id: TeamId) -> Result<&Team> {
        self.teams
            .get(&id)
            .ok_or_else(|| Error::not_found("team", format!("unknown team {id}")))
    }

    /// The parent of `id`, if any.
    pub fn parent(&self, id: UnitId) -> Result<Option<UnitId>> {
        Ok(self.parent[self.idx(id)?].map(|p| self.units[p].id))
    }

    /// Children of `id`, by id.
    pub fn children(&self, id: UnitId) -> Result<Vec<UnitId>> {
        Ok(self.children[self.idx(id)?]
            .iter()
            .map(|&c| self.units[c].id)
            .collect())
    }

    /// Depth of `id` (roots are 0).
    pub fn depth(&self, id: UnitId) -> Result<u32> {
        Ok(self.depth[self.idx(id)?])
    }

    /// Ancestors of `id`, nearest first, excluding `id` itself.
    pub fn ancestors(&self, id: UnitId) -> Result<Vec<UnitId>> {
        let mut out = Vec::new();
        let mut cur = self.parent[self.idx(id)?];
        while let Some(p) = cur {
            out.push(self.units[p].id);
            cur = self.parent[p];
        }
        Ok(out)
    }

    /// Descendants of `id` in pre-order, excluding `id` itself.
    pub fn descendants(&self, id: UnitId) -> Result<Vec<UnitId>> {
        let i = self.idx(id)?;
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self.children[i].iter().rev().copied().collect();
        while let Some(n) = stack.pop() {
            out.push(self.units[n].id);
            stack.extend(self.children[n].iter().rev());
        }
        Ok(out)
    }

    /// Whether `unit` is `ancestor` or lies below it.
    pub fn is_within(&self, unit: UnitId, ancestor: UnitId) -> Result<bool> {
        let (a, b) = (self.idx(unit)?, self.idx(ancestor)?);
        Ok(self.tin[b] <= self.tin[a] && self.tout[a] <= self.tout[b])
    }

    /// Rolls per-unit amounts up the tree: each unit's result is its own
    /// amount plus all its descendants'. Units missing from `own` count 0;
    /// ids unknown to the tree are ignored. Every unit of the tree appears in
    /// the result. A sum beyond `i64` is an error naming the unit, never a
    /// wrapped total.
    pub fn rollup(&self, own: &BTreeMap<UnitId, i64>) -> Result<BTreeMap<UnitId, i64>> {
        let mut acc: Vec<i64> = self
            .units
            .iter()
            .map(|u| own.get(&u.id).copied().unwrap_or(0))
            .collect();
        for &i in self.preorder.iter().rev() {
            if let Some(p) = self.parent[i] {
                acc[p] = acc[p].checked_add(acc[i]).ok_or_else(|| {
                    Error::invalid_input(
                        format!("units[id={}]", self.units[p].id),
                        "rolled-up total overflows a 64-bit integer",
                    )
                })?;
            }
        }
        Ok(self.units.iter().map(|u| u.id).zip(acc).collect())
    }

    /// Dense index of a unit (0..len, by id order), for columnar kernels.
    pub fn dense_index(&self, id: UnitId) -> Option<usize> {
        self.index.get(&id).copied()
    }

    /// Parent of each dense index, for columnar kernels.
    pub fn dense_parents(&self) -> &[Option<usize>] {
        &self.parent
    }

    /// Dense indices in pre-order (parents before children).
    pub fn dense_preorder(&self) -> &[usize] {
        &self.preorder
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Whether the tree has no units.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }
}
