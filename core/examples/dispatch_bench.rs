//! Times dispatch ranking among 100,000 located volunteers (seeded data).
//!
//! `cargo run -p zhiyuan --release --example dispatch_bench [volunteers] [queries]`
//!
//! Volunteers are spread over a 40 km × 40 km county around 邳州
//! (34.3° N, 117.95° E), 60 % uniformly and 40 % in 20 town centres
//! (≈ 1.5 km spread), with seeded skills, loads, ratings and activity.

use std::time::Instant;
use zhiyuan::Policy;
use zhiyuan::dispatch::{Candidate, CandidatePool, DispatchQuery, rank_scan};
use zhiyuan::geo::LatLon;
use zhiyuan::orders::{Taker, Urgency};
use zhiyuan::time::Timestamp;

/// xorshift64*: small, seeded, good enough for test data.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Nanoseconds this thread has spent on a CPU (Linux `/proc/self/schedstat`);
/// on a shared, loaded machine it separates our work from waiting for a core.
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|x| x.parse().ok()))
        .unwrap_or(0)
}

fn main() -> Result<(), zhiyuan::Error> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let queries: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let mut rng = Rng(0x5EED_2024);
    let base = LatLon::new(34.3, 117.95)?;
    let at = |rng: &mut Rng, centre: LatLon, spread: f64| {
        centre
            .north((rng.unit() - 0.5) * spread)
            .east((rng.unit() - 0.5) * spread)
    };
    let towns: Vec<LatLon> = (0..20).map(|_| at(&mut rng, base, 36_000.0)).collect();
    let skills = [
        "medical",
        "psychological",
        "legal",
        "science",
        "emergency",
        "teaching",
    ];
    let now: Timestamp = "2024-06-01T00:00:00Z".parse()?;
    let candidates: Vec<Candidate> = (0..n as u64)
        .map(|i| {
            let loc = if rng.next() % 10 < 6 {
                at(&mut rng, base, 40_000.0)
            } else {
                let t = towns[(rng.next() % 20) as usize];
                at(&mut rng, t, 3_000.0)
            };
            let s: Vec<&str> = skills
                .iter()
                .copied()
                .filter(|_| rng.next().is_multiple_of(5))
                .collect();
            let who = if i % 50 == 0 {
                Taker::Team(i)
            } else {
                Taker::Volunteer(i)
            };
            let mut c = Candidate::new(who, loc, &s);
            c.open_orders = (rng.next() % 4) as u32;
            c.rating_count = (rng.next() % 6) as u32;
            c.rating_sum = c.rating_count * (1 + (rng.next() % 5) as u32);
            c.last_active = (!rng.next().is_multiple_of(3)).then(|| {
                Timestamp::from_micros(now.as_micros() - (rng.next() % 90) as i64 * 86_400_000_000)
                    .expect("within range")
            });
            c
        })
        .collect();
    let policy = Policy::default();
    let t = Instant::now();
    let pool = CandidatePool::with_cell(candidates.clone(), policy.dispatch.radius_m)?;
    let build = t.elapsed();
    let cats = [
        "medical_fitness",
        "legal_services",
        "science_tech",
        "public_welfare",
    ];
    let qs: Vec<DispatchQuery> = (0..queries as u64)
        .map(|i| DispatchQuery {
            order: i,
            requester: u64::MAX,
            category: cats[(i % 4) as usize].to_owned(),
            urgency: if i % 10 == 0 {
                Urgency::Emergency
            } else {
                Urgency::Normal
            },
            location: if i % 2 == 0 {
                at(&mut rng, towns[(i % 20) as usize], 3_000.0)
            } else {
                at(&mut rng, base, 40_000.0)
            },
        })
        .collect();
    // The circle query alone, on the pool's grid.
    let grid = zhiyuan::geo::GridIndex::new(
        candidates.iter().map(|c| c.location).collect(),
        policy.dispatch.radius_m,
    );
    let (t, c0) = (Instant::now(), cpu_ns());
    let mut hits = 0usize;
    for q in &qs {
        hits += grid.within(q.location, policy.dispatch.radius_m).len();
    }
    let (circle_wall, circle_cpu) = (t.elapsed(), cpu_ns() - c0);
    let (t, c0) = (Instant::now(), cpu_ns());
    let mut in_circle = 0u64;
    let mut checksum = 0u64;
    for q in &qs {
        let r = pool.rank(&policy, q, now, None)?;
        in_circle += u64::from(r.in_circle);
        checksum += r.candidates.first().map_or(0, |c| u64::from(c.distance_m));
    }
    let (indexed, indexed_cpu) = (t.elapsed(), cpu_ns() - c0);
    let scans = qs.len().min(200);
    let (t, c0) = (Instant::now(), cpu_ns());
    for q in &qs[..scans] {
        let r = rank_scan(&policy, &candidates, q, now, None)?;
        checksum += u64::from(r.in_circle);
    }
    let (scanned, scanned_cpu) = (t.elapsed(), cpu_ns() - c0);
    println!(
        "volunteers: {n}, queries: {queries}, radius: {} m",
        policy.dispatch.radius_m
    );
    println!("index build: {:.1} ms", build.as_secs_f64() * 1e3);
    let per = |total: f64, n: usize| total / n as f64;
    println!(
        "circle query only (grid): {:.1} µs wall, {:.1} µs on CPU per order ({} hits)",
        per(circle_wall.as_secs_f64() * 1e6, queries),
        per(circle_cpu as f64 / 1e3, queries),
        hits
    );
    println!(
        "ranking with index: {:.1} µs wall, {:.1} µs on CPU per order (mean {:.0} candidates in the circle)",
        per(indexed.as_secs_f64() * 1e6, queries),
        per(indexed_cpu as f64 / 1e3, queries),
        in_circle as f64 / queries as f64
    );
    println!(
        "ranking by full scan: {:.2} ms wall, {:.2} ms on CPU per order ({scans} orders)",
        per(scanned.as_secs_f64() * 1e3, scans),
        per(scanned_cpu as f64 / 1e6, scans)
    );
    println!("checksum: {checksum}");
    Ok(())
}
