//! Apportionment: splitting a whole number of seats (quota places) among
//! districts in proportion to their sizes, in integers only.
//!
//! Four methods (domain-rules §5.6):
//!
//! - [`Method::SainteLague`] (Webster; default): divisor `2s + 1`.
//! - [`Method::DHondt`] (Jefferson): divisor `s + 1`.
//! - [`Method::HuntingtonHill`]: divisor `√(s(s + 1))`, so every district
//!   with a positive size gets one seat before any gets a second.
//! - [`Method::LargestRemainder`] (Hamilton): floor the quotas, give the
//!   leftovers to the largest remainders. It always satisfies quota but shows
//!   the Alabama paradox (below).
//!
//! Divisor methods run as a sequential priority process: the next seat goes
//! to the district with the largest `p_i / d(s_i)`, compared as
//! `p_i · d(s_j)` against `p_j · d(s_i)` in `u128` (Huntington–Hill compares
//! the squares `p_i² · s_j(s_j + 1)` and `p_j² · s_i(s_i + 1)`). Because seat
//! `h + 1` is handed out after the first `h`, a district never loses a seat
//! when the total grows (house monotonicity).
//!
//! **Caps**: a district never gets more than its `cap` (e.g. its number of
//! qualified candidates). In divisor methods a capped district is skipped
//! and the sequence continues; in largest remainder a district whose floor
//! reaches its cap is fixed at the cap and the rest is re-run on the other
//! districts. If the caps add up to less than the total, the difference is
//! reported as `unfilled`. Districts of size 0 get no seats.
//!
//! **Ties** (equal priority, or equal remainders) go to the **lower district
//! id**. The result does not depend on the order in which districts are
//! given, and multiplying every size by the same `k` changes nothing.
//!
//! ```
//! use zhiyuan::apportion::{apportion, District, Method};
//! let d = [District::new(1, 169), District::new(2, 166), District::new(3, 10)];
//! let seats = |h, m| apportion(&d, h, m).unwrap().seats();
//! // Alabama paradox: one more seat in total, district 3 loses its seat.
//! assert_eq!(seats(19, Method::LargestRemainder), vec![9, 9, 1]);
//! assert_eq!(seats(20, Method::LargestRemainder), vec![10, 10, 0]);
//! // Sainte-Laguë gives the 20th seat without taking one away.
//! assert_eq!(seats(19, Method::SainteLague), vec![9, 9, 1]);
//! assert_eq!(seats(20, Method::SainteLague), vec![10, 9, 1]);
//! ```

use crate::error::{Error, Result};
use crate::selection::{Ratio, at};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

/// Largest accepted district size (keeps every product inside `u128`).
pub const MAX_SIZE: u64 = 1_000_000_000_000;
/// Largest accepted total number of seats.
pub const MAX_TOTAL: u64 = 10_000_000;

/// How seats are apportioned.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Sainte-Laguë / Webster: divisors 1, 3, 5, …
    #[default]
    SainteLague,
    /// Hamilton / largest remainder (Hare quota).
    LargestRemainder,
    /// D'Hondt / Jefferson: divisors 1, 2, 3, …
    #[serde(rename = "dhondt")]
    DHondt,
    /// Huntington–Hill: divisors √(s(s+1)); one seat each first.
    HuntingtonHill,
}

/// One district to apportion seats to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct District {
    /// District id (the tie key: lower wins).
    pub id: u64,
    /// Its size, e.g. the number of eligible volunteers.
    pub size: u64,
    /// At most this many seats; `None` for no cap.
    #[serde(default)]
    pub cap: Option<u64>,
}

impl District {
    /// A district without a cap.
    pub fn new(id: u64, size: u64) -> District {
        District {
            id,
            size,
            cap: None,
        }
    }

    /// The same district capped at `cap` seats.
    #[must_use]
    pub fn with_cap(self, cap: u64) -> District {
        District {
            cap: Some(cap),
            ..self
        }
    }

    /// The most seats this district can hold.
    fn limit(&self) -> u64 {
        if self.size == 0 {
            0
        } else {
            self.cap.unwrap_or(u64::MAX)
        }
    }
}

/// One district's share.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistrictSeats {
    /// District id.
    pub id: u64,
    /// Its size.
    pub size: u64,
    /// Its cap, if any.
    pub cap: Option<u64>,
    /// The exact proportional share `total · size / Σ size` (before caps).
    pub quota: Ratio,
    /// Seats given.
    pub seats: u64,
    /// `true` when the district holds as many seats as its cap allows.
    pub capped: bool,
}

/// The result of [`apportion`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Apportionment {
    /// The method used.
    pub method: Method,
    /// Seats asked for.
    pub total: u64,
    /// Seats given (`total − unfilled`).
    pub allocated: u64,
    /// Seats left over because every district reached its cap.
    pub unfilled: u64,
    /// Every district, by id ascending.
    pub districts: Vec<DistrictSeats>,
}

impl Apportionment {
    /// The seats per district, in id order.
    pub fn seats(&self) -> Vec<u64> {
        self.districts.iter().map(|d| d.seats).collect()
    }

    /// The seats of district `id` (0 when it is not listed).
    pub fn seats_of(&self, id: u64) -> u64 {
        self.districts
            .iter()
            .find(|d| d.id == id)
            .map_or(0, |d| d.seats)
    }
}

/// Splits `total` seats among `districts` by `method`; see the module docs
/// for the rules, caps and the tie key.
///
/// Errors: a district id listed twice (Conflict), a size above
/// [`MAX_SIZE`] or a total above [`MAX_TOTAL`] (InvalidInput).
///
/// ```
/// use zhiyuan::apportion::{apportion, District, Method};
/// let d = [District::new(7, 900).with_cap(2), District::new(8, 100)];
/// let a = apportion(&d, 5, Method::SainteLague)?;
/// assert_eq!(a.seats(), vec![2, 3]); // district 7 is capped, 8 takes the rest
/// assert!(a.districts[0].capped);
/// # Ok::<(), zhiyuan::Error>(())
/// ```
pub fn apportion(districts: &[District], total: u64, method: Method) -> Result<Apportionment> {
    if total > MAX_TOTAL {
        return Err(Error::invalid_input(
            "total",
            format!("must be at most {MAX_TOTAL}"),
        ));
    }
    let mut by_id: BTreeMap<u64, District> = BTreeMap::new();
    for (i, d) in districts.iter().enumerate() {
        if d.size > MAX_SIZE {
            return Err(Error::invalid_input(
                format!("{}.size", at("districts", i)),
                format!("must be at most {MAX_SIZE}"),
            ));
        }
        if by_id.insert(d.id, *d).is_some() {
            return Err(Error::conflict(
                format!("{}.id", at("districts", i)),
                format!("district {} is listed twice", d.id),
            ));
        }
    }
    // Sorted by id from here on: the input order cannot reach the output.
    let ds: Vec<District> = by_id.into_values().collect();
    let seats = match method {
        Method::LargestRemainder => largest_remainder(&ds, total),
        _ => divisor(&ds, total, method),
    };
    let sum: u128 = ds.iter().map(|d| u128::from(d.size)).sum();
    let mut out = Vec::with_capacity(ds.len());
    for (d, &s) in ds.iter().zip(&seats) {
        let quota = if sum == 0 {
            Ratio::ZERO
        } else {
            // total ≤ 10⁷ and size ≤ 10¹², so the product fits in i128.
            Ratio::new(i128::from(total) * i128::from(d.size), sum as i128)?
        };
        out.push(DistrictSeats {
            id: d.id,
            size: d.size,
            cap: d.cap,
            quota,
            seats: s,
            capped: d.cap == Some(s),
        });
    }
    let allocated: u64 = seats.iter().sum();
    Ok(Apportionment {
        method,
        total,
        allocated,
        unfilled: total - allocated,
        districts: out,
    })
}

/// A district's claim on the next seat in a divisor method. `Ord`: the
/// greater claim gets the seat; equal priorities go to the lower id.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Claim {
    size: u64,
    seats: u64,
    index: usize,
    method: Method,
}

impl Claim {
    /// The divisor `d(s)` (Huntington–Hill: its square), as an integer.
    fn divisor(&self) -> u128 {
        let s = u128::from(self.seats);
        match self.method {
            Method::DHondt => s + 1,
            Method::HuntingtonHill => s * (s + 1),
            _ => 2 * s + 1,
        }
    }

    /// The size factor to cross-multiply with (Huntington–Hill: squared).
    fn weight(&self) -> u128 {
        let p = u128::from(self.size);
        if self.method == Method::HuntingtonHill {
            p * p
        } else {
            p
        }
    }
}

impl Ord for Claim {
    fn cmp(&self, other: &Self) -> Ordering {
        // p_i / d(s_i) vs p_j / d(s_j)  ⇔  p_i · d(s_j) vs p_j · d(s_i); a
        // zero divisor (Huntington–Hill's first seat) wins against any
        // positive one and ties with another zero.
        let lhs = self.weight() * other.divisor();
        let rhs = other.weight() * self.divisor();
        lhs.cmp(&rhs).then(other.index.cmp(&self.index))
    }
}

impl PartialOrd for Claim {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn divisor(ds: &[District], total: u64, method: Method) -> Vec<u64> {
    let mut seats = vec![0u64; ds.len()];
    let mut heap: BinaryHeap<Claim> = ds
        .iter()
        .enumerate()
        .filter(|(_, d)| d.limit() > 0)
        .map(|(index, d)| Claim {
            size: d.size,
            seats: 0,
            index,
            method,
        })
        .collect();
    for _ in 0..total {
        let Some(mut c) = heap.pop() else { break };
        c.seats += 1;
        seats[c.index] = c.seats;
        if c.seats < ds[c.index].limit() {
            heap.push(c);
        }
    }
    seats
}

fn largest_remainder(ds: &[District], total: u64) -> Vec<u64> {
    let mut seats = vec![0u64; ds.len()];
    let mut open: Vec<usize> = (0..ds.len()).filter(|&i| ds[i].limit() > 0).collect();
    let mut left = u128::from(total);
    while left > 0 && !open.is_empty() {
        let sum: u128 = open.iter().map(|&i| u128::from(ds[i].size)).sum();
        // Fix every district whose floor already reaches its cap, then re-run
        // the remainder on the others.
        let full: Vec<usize> = open
            .iter()
            .copied()
            .filter(|&i| left * u128::from(ds[i].size) / sum >= u128::from(ds[i].limit()))
            .collect();
        if !full.is_empty() {
            for &i in &full {
                seats[i] = ds[i].limit();
                left -= u128::from(seats[i]);
            }
            open.retain(|i| !full.contains(i));
            continue;
        }
        let mut given = 0u128;
        let mut rems: Vec<(u128, usize)> = Vec::with_capacity(open.len());
        for &i in &open {
            let q = left * u128::from(ds[i].size);
            // Floors are below the cap here, so they fit in u64.
            seats[i] = (q / sum) as u64;
            given += q / sum;
            rems.push((q % sum, i));
        }
        // Remainders share the denominator `sum`: compare numerators; ties to
        // the lower id (ds is sorted by id, so the lower index).
        rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let extra = (left - given) as usize;
        for &(_, i) in rems.iter().take(extra) {
            seats[i] += 1;
        }
        break;
    }
    seats
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(sizes: &[u64], h: u64, m: Method) -> Vec<u64> {
        let ds: Vec<District> = sizes
            .iter()
            .enumerate()
            .map(|(i, &s)| District::new(i as u64 + 1, s))
            .collect();
        apportion(&ds, h, m).unwrap().seats()
    }

    #[test]
    fn domain_rules_5_6_table() {
        let p = [169, 166, 10];
        assert_eq!(run(&p, 19, Method::HuntingtonHill), vec![9, 9, 1]);
        assert_eq!(run(&p, 20, Method::HuntingtonHill), vec![10, 9, 1]);
        assert_eq!(run(&p, 19, Method::DHondt), vec![10, 9, 0]);
        assert_eq!(run(&p, 20, Method::DHondt), vec![10, 10, 0]);
    }

    #[test]
    fn huntington_hill_gives_one_each_first_by_id() {
        assert_eq!(run(&[5, 1000, 7], 2, Method::HuntingtonHill), vec![1, 1, 0]);
        assert_eq!(run(&[5, 1000, 7], 3, Method::HuntingtonHill), vec![1, 1, 1]);
    }

    #[test]
    fn caps_and_unfilled() {
        let ds = [
            District::new(1, 10).with_cap(1),
            District::new(2, 10).with_cap(2),
            District::new(3, 0),
        ];
        for m in [
            Method::SainteLague,
            Method::LargestRemainder,
            Method::DHondt,
            Method::HuntingtonHill,
        ] {
            let a = apportion(&ds, 5, m).unwrap();
            assert_eq!(a.seats(), vec![1, 2, 0], "{m:?}");
            assert_eq!(a.unfilled, 2);
        }
    }

    #[test]
    fn rejects_duplicates_and_huge_totals() {
        let e = apportion(
            &[District::new(1, 1), District::new(1, 2)],
            3,
            Method::DHondt,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "districts[1].id: district 1 is listed twice");
        let e = apportion(&[], MAX_TOTAL + 1, Method::DHondt).unwrap_err();
        assert_eq!(e.field(), Some("total"));
    }
}
