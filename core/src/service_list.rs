//! Whistle → triage → service list (群众吹哨、所站分析 → 服务清单).
//!
//! Residents' orders placed in a window are aggregated per unit × category
//! × target group (an order tagged with two groups counts in both; an
//! untagged order counts under no group). Rejected orders and orders the
//! requester cancelled are not needs and are left out. Needs are ranked by
//! order count ↓, then emergency count ↓, urgent count ↓, then unit id ↑,
//! category menu position ↑, target group ↑ (tagged before untagged). Every
//! need with at least `orders.project_min_orders` orders becomes a planned
//! project for the station, in the same order.
//!
//! ```
//! use zhiyuan::orders::*;
//! use zhiyuan::units::{Unit, UnitTree};
//! use zhiyuan::Policy;
//! let units = UnitTree::new(vec![Unit::new(1, None, "站", "station")], vec![])?;
//! let mut book = OrderBook::new(Policy::default(), units);
//! let t: zhiyuan::time::Timestamp = "2024-03-04T01:00:00Z".parse()?;
//! for id in 1..=3 {
//!     let mut o = NewOrder::new(id, 100 + id, "medical_fitness", 1, t);
//!     o.target_groups = vec![TargetGroup::Elderly];
//!     book.place(o)?;
//! }
//! let list = book.service_list(t, "2024-03-05T00:00:00Z".parse()?, None)?;
//! assert_eq!(list.needs[0].orders, 3);
//! assert_eq!(list.projects[0].title, "医疗健身·老年人");
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::orders::{OrderBook, OrderId, OrderState, Party, TargetGroup, Urgency};
use crate::time::Timestamp;
use crate::units::UnitId;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::BTreeMap;

/// One aggregated need.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Need {
    /// 1-based rank.
    pub rank: u32,
    /// The orders' unit.
    pub unit: UnitId,
    /// Category code.
    pub category: String,
    /// Target group; `None` for untagged orders.
    pub group: Option<TargetGroup>,
    /// Orders.
    pub orders: u32,
    /// Of those, still before fulfilment.
    pub open: u32,
    /// Normal-urgency orders.
    pub normal: u32,
    /// Urgent orders.
    pub urgent: u32,
    /// Emergency orders.
    pub emergency: u32,
    /// The highest urgency among them.
    pub top_urgency: Urgency,
    /// The order ids, ascending.
    pub order_ids: Vec<OrderId>,
}

/// A project the station should plan for a recurring need.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedProject {
    /// The unit.
    pub unit: UnitId,
    /// Category code.
    pub category: String,
    /// Target group.
    pub group: Option<TargetGroup>,
    /// `<category name>·<group name>`, e.g. `医疗健身·老年人`.
    pub title: String,
    /// Orders behind it in the window.
    pub orders: u32,
    /// The highest urgency among them.
    pub top_urgency: Urgency,
}

/// The triaged service list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceList {
    /// Hash of the policy used.
    pub policy_hash: String,
    /// Window start, inclusive (placement time).
    pub from: Timestamp,
    /// Window end, exclusive.
    pub to: Timestamp,
    /// Only orders of units within this one, if set.
    pub within: Option<UnitId>,
    /// Needs, ranked.
    pub needs: Vec<Need>,
    /// Planned projects, in need order.
    pub projects: Vec<PlannedProject>,
}

fn group_name(g: Option<TargetGroup>) -> Option<&'static str> {
    g.map(|g| match g {
        TargetGroup::Elderly => "老年人",
        TargetGroup::Child => "儿童",
        TargetGroup::Disabled => "残疾人",
        TargetGroup::Hardship => "困难群众",
        TargetGroup::Ill => "患病群众",
    })
}

impl OrderBook {
    /// The service list of orders placed in `[from, to)`, optionally only
    /// within one unit.
    pub fn service_list(
        &self,
        from: Timestamp,
        to: Timestamp,
        within: Option<UnitId>,
    ) -> Result<ServiceList> {
        if to <= from {
            return Err(Error::invalid_input("to", "must be after from"));
        }
        if let Some(u) = within {
            self.units().unit(u).map_err(|e| e.at("within"))?;
        }
        let policy = self.policy();
        let mut acc: BTreeMap<(UnitId, String, Option<TargetGroup>), Need> = BTreeMap::new();
        for o in self.orders() {
            let p = &o.placed;
            let is_need =
                o.state != OrderState::Rejected && o.cancelled_by != Some(Party::Requester);
            let in_scope = match within {
                Some(u) => self.units().is_within(p.unit, u)?,
                None => true,
            };
            if !(is_need && in_scope && from <= p.at && p.at < to) {
                continue;
            }
            let groups: Vec<Option<TargetGroup>> = if p.target_groups.is_empty() {
                vec![None]
            } else {
                p.target_groups.iter().copied().map(Some).collect()
            };
            for g in groups {
                let n = acc
                    .entry((p.unit, p.category.clone(), g))
                    .or_insert_with(|| Need {
                        rank: 0,
                        unit: p.unit,
                        category: p.category.clone(),
                        group: g,
                        orders: 0,
                        open: 0,
                        normal: 0,
                        urgent: 0,
                        emergency: 0,
                        top_urgency: Urgency::Normal,
                        order_ids: Vec::new(),
                    });
                n.orders += 1;
                n.open += u32::from(o.state.is_open());
                match p.urgency {
                    Urgency::Normal => n.normal += 1,
                    Urgency::Urgent => n.urgent += 1,
                    Urgency::Emergency => n.emergency += 1,
                }
                n.top_urgency = n.top_urgency.max(p.urgency);
                n.order_ids.push(p.id);
            }
        }
        let mut needs: Vec<Need> = acc.into_values().collect();
        let cat = |c: &str| policy.orders.category_index(c).unwrap_or(usize::MAX);
        needs.sort_by_key(|n| {
            (
                Reverse(n.orders),
                Reverse(n.emergency),
                Reverse(n.urgent),
                n.unit,
                cat(&n.category),
                n.group.is_none(),
                n.group,
            )
        });
        for (i, n) in needs.iter_mut().enumerate() {
            n.rank = i as u32 + 1;
        }
        let projects = needs
            .iter()
            .filter(|n| n.orders >= policy.orders.project_min_orders)
            .map(|n| {
                let name = policy
                    .orders
                    .categories
                    .iter()
                    .find(|c| c.code == n.category)
                    .map_or(n.category.as_str(), |c| c.name.as_str());
                let title = match group_name(n.group) {
                    Some(g) => format!("{name}·{g}"),
                    None => name.to_owned(),
                };
                PlannedProject {
                    unit: n.unit,
                    category: n.category.clone(),
                    group: n.group,
                    title,
                    orders: n.orders,
                    top_urgency: n.top_urgency,
                }
            })
            .collect();
        Ok(ServiceList {
            policy_hash: policy.hash().to_owned(),
            from,
            to,
            within,
            needs,
            projects,
        })
    }
}
