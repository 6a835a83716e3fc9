//! Points on the earth and the ten-minute circle's distance rule.
//!
//! Distances are great-circle (haversine) distances on a sphere of the mean
//! earth radius, computed in `f64` and **rounded to whole metres before any
//! comparison** ([`distance_m`]). Rankings and the "inside the circle" test
//! therefore compare integers: a candidate at 800.4 m is at 800 m and inside
//! an 800 m circle, one at 800.5 m is at 801 m and outside. Floats never
//! reach a ranking decision.
//!
//! [`GridIndex`] buckets points into square cells (in degrees) of a chosen
//! size so a circle query looks at a handful of cells instead of every point.
//!
//! ```
//! use zhiyuan::geo::{LatLon, distance_m};
//! let a = LatLon::new(32.0, 118.8)?;
//! let b = a.north(799.0);
//! assert_eq!(distance_m(a, b), 799);
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Mean earth radius (IUGG R1), metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Metres per degree of latitude on the sphere of [`EARTH_RADIUS_M`].
const M_PER_DEG: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

/// A WGS-84 latitude / longitude in degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatLon {
    /// Latitude, −90 ..= 90.
    pub lat: f64,
    /// Longitude, −180 ..= 180.
    pub lon: f64,
}

impl LatLon {
    /// A checked point: finite, latitude within ±90, longitude within ±180.
    pub fn new(lat: f64, lon: f64) -> Result<Self> {
        let p = LatLon { lat, lon };
        p.validate()?;
        Ok(p)
    }

    /// Errors (field `lat` or `lon`) unless the point is valid.
    pub fn validate(&self) -> Result<()> {
        if !(self.lat.is_finite() && (-90.0..=90.0).contains(&self.lat)) {
            return Err(Error::invalid_input(
                "lat",
                format!("{} is not a latitude in -90..=90", self.lat),
            ));
        }
        if !(self.lon.is_finite() && (-180.0..=180.0).contains(&self.lon)) {
            return Err(Error::invalid_input(
                "lon",
                format!("{} is not a longitude in -180..=180", self.lon),
            ));
        }
        Ok(())
    }

    /// The point `metres` due north along the meridian (for tests and
    /// examples; clamps at the pole).
    pub fn north(self, metres: f64) -> LatLon {
        LatLon {
            lat: (self.lat + metres / M_PER_DEG).min(90.0),
            lon: self.lon,
        }
    }

    /// The point `metres` due east along the parallel (approximate; for tests).
    pub fn east(self, metres: f64) -> LatLon {
        let c = self.lat.to_radians().cos().max(1e-12);
        let lon = self.lon + metres / (M_PER_DEG * c);
        LatLon {
            lat: self.lat,
            lon: lon.clamp(-180.0, 180.0),
        }
    }
}

/// Haversine great-circle distance in metres, as `f64` (display only).
pub fn haversine_m(a: LatLon, b: LatLon) -> f64 {
    let (pa, pb) = (Prepared::of(a), Prepared::of(b));
    pa.haversine_m(&pb)
}

/// A point in radians with the cosine of its latitude, so an index computes
/// each point's trigonometry once; the arithmetic is the same as
/// [`haversine_m`]'s, so both give bit-identical distances.
#[derive(Clone, Copy, Debug)]
struct Prepared {
    lat: f64,
    lon: f64,
    cos_lat: f64,
}

impl Prepared {
    fn of(p: LatLon) -> Self {
        let lat = p.lat.to_radians();
        Prepared {
            lat,
            lon: p.lon.to_radians(),
            cos_lat: lat.cos(),
        }
    }

    fn haversine_m(&self, o: &Prepared) -> f64 {
        let dp = o.lat - self.lat;
        let dl = o.lon - self.lon;
        let h = (dp / 2.0).sin().powi(2) + self.cos_lat * o.cos_lat * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
    }

    fn distance_m(&self, o: &Prepared) -> u32 {
        self.haversine_m(o).round() as u32
    }
}

/// Haversine distance rounded to whole metres (half away from zero): the
/// only distance any comparison or ranking uses.
pub fn distance_m(a: LatLon, b: LatLon) -> u32 {
    // At most half the circumference (~20,015 km), so it fits in u32.
    Prepared::of(a).distance_m(&Prepared::of(b))
}

/// A bucket grid over points, for circle queries.
///
/// Cells are squares of `cell_m / 111,195` degrees on each side. A query for
/// radius `r` around `c` visits the cells covering the latitude band
/// `c.lat ± r` and the longitude band of the spherical cap (wider away from
/// the equator), then filters by [`distance_m`] `<= r`, so it returns exactly
/// what a full scan returns. Longitudes do not wrap at ±180° (Jiangsu lies
/// at 116–122° E); points across the antimeridian are not found.
#[derive(Clone, Debug)]
pub struct GridIndex {
    cell_deg: f64,
    cells: BTreeMap<(i32, i32), Vec<u32>>,
    points: Vec<LatLon>,
    prepared: Vec<Prepared>,
}

impl GridIndex {
    /// Buckets `points` (already validated) into cells of about `cell_m`
    /// metres; item `i` of the index is `points[i]`.
    pub fn new(points: Vec<LatLon>, cell_m: u32) -> Self {
        let cell_deg = f64::from(cell_m.max(1)) / M_PER_DEG;
        let mut cells: BTreeMap<(i32, i32), Vec<u32>> = BTreeMap::new();
        for (i, p) in points.iter().enumerate() {
            let key = Self::key(cell_deg, p.lat, p.lon);
            cells.entry(key).or_default().push(i as u32);
        }
        let prepared = points.iter().map(|p| Prepared::of(*p)).collect();
        GridIndex {
            cell_deg,
            cells,
            points,
            prepared,
        }
    }

    fn key(cell_deg: f64, lat: f64, lon: f64) -> (i32, i32) {
        (
            (lat / cell_deg).floor() as i32,
            (lon / cell_deg).floor() as i32,
        )
    }

    /// The indexed points.
    pub fn points(&self) -> &[LatLon] {
        &self.points
    }

    /// Indices of points with `distance_m(center, p) <= radius_m`, each with
    /// its distance, in index order.
    pub fn within(&self, center: LatLon, radius_m: u32) -> Vec<(u32, u32)> {
        // Search half a metre wider (plus slack) than the radius, because a
        // point at radius + 0.49 m rounds into the circle.
        let delta = (f64::from(radius_m) + 1.0) / EARTH_RADIUS_M; // radians
        let dlat = delta.to_degrees() * 1.01;
        let lat_lo = center.lat - dlat;
        let lat_hi = center.lat + dlat;
        let lat_max = lat_lo.abs().max(lat_hi.abs());
        // Longitude half-width of a spherical cap of angular radius δ:
        // asin(sin δ / cos φ), taken at the widest latitude of the band.
        let ratio = delta.sin() / lat_max.min(90.0).to_radians().cos();
        let dlon = if lat_max >= 90.0 || ratio.is_nan() || ratio >= 1.0 {
            360.0
        } else {
            ratio.asin().to_degrees() * 1.01
        };
        let (r0, c0) = Self::key(self.cell_deg, lat_lo, center.lon - dlon);
        let (r1, c1) = Self::key(self.cell_deg, lat_hi, center.lon + dlon);
        let mut out = Vec::new();
        let probe = Probe {
            center: Prepared::of(center),
            lat: (lat_lo, lat_hi),
            lon: (center.lon - dlon, center.lon + dlon),
            radius_m,
        };
        let columns = i64::from(c1) - i64::from(c0);
        if columns > 4 * self.cells.len() as i64 {
            // A huge band (near a pole): scanning the cells beats walking it.
            for (&(r, c), ids) in &self.cells {
                if (r0..=r1).contains(&r) && (c0..=c1).contains(&c) {
                    self.collect(ids, &probe, &mut out);
                }
            }
        } else {
            for r in r0..=r1 {
                for (_, ids) in self.cells.range((r, c0)..=(r, c1)) {
                    self.collect(ids, &probe, &mut out);
                }
            }
        }
        out.sort_unstable();
        out
    }

    fn collect(&self, ids: &[u32], probe: &Probe, out: &mut Vec<(u32, u32)>) {
        for &i in ids {
            let (Some(p), Some(prep)) =
                (self.points.get(i as usize), self.prepared.get(i as usize))
            else {
                continue;
            };
            // The search band already has a margin over the radius, so a
            // point outside it is outside the circle: skip the trigonometry.
            let in_band = (probe.lat.0..=probe.lat.1).contains(&p.lat)
                && (probe.lon.0..=probe.lon.1).contains(&p.lon);
            if !in_band {
                continue;
            }
            let d = probe.center.distance_m(prep);
            if d <= probe.radius_m {
                out.push((i, d));
            }
        }
    }
}

/// One circle query: its centre and search band.
struct Probe {
    center: Prepared,
    lat: (f64, f64),
    lon: (f64, f64),
    radius_m: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meridian_offsets_round_to_the_metre() {
        let c = LatLon::new(34.3, 117.9).unwrap();
        for m in [0u32, 1, 799, 800, 801, 5000] {
            assert_eq!(distance_m(c, c.north(f64::from(m))), m);
        }
    }

    #[test]
    fn grid_matches_scan_near_cell_edges() {
        let c = LatLon::new(32.05, 118.78).unwrap();
        let pts: Vec<LatLon> = (0..400)
            .map(|i| {
                let f = f64::from(i);
                c.north((f * 37.0) % 1700.0 - 850.0)
                    .east((f * 53.0) % 1700.0 - 850.0)
            })
            .collect();
        let grid = GridIndex::new(pts.clone(), 800);
        let got = grid.within(c, 800);
        let want: Vec<(u32, u32)> = pts
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let d = distance_m(c, *p);
                (d <= 800).then_some((i as u32, d))
            })
            .collect();
        assert_eq!(got, want);
        assert!(!want.is_empty() && want.len() < pts.len());
    }

    #[test]
    fn bad_points_are_refused() {
        assert_eq!(LatLon::new(91.0, 0.0).unwrap_err().field(), Some("lat"));
        assert_eq!(LatLon::new(0.0, f64::NAN).unwrap_err().field(), Some("lon"));
    }
}
