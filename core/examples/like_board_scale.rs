//! Times the weekly like leaderboard on seeded synthetic data.
//!
//! ```text
//! cargo run -p zhiyuan --release --example like_board_scale -- [likes] [posts] [incremental_likes] [batch]
//! ```
//!
//! `batch` = 0 skips the batch timings (the incremental run and its check
//! against the batch partial still run): for profiling `LikeBoard::apply`.
//!
//! Defaults: 20,000,000 likes, 2,000,000 posts, 1,000,000 volunteers, eight
//! weeks, heavy-tailed likers and posts, 3 % unlikes, 1 % replayed rows,
//! about 5 % new accounts. Prints the batch time (best of 3) at the default
//! thread count and with one thread, and the incremental cost per like.
//!
//! With `--memory` as the last argument it instead runs the weekly boards
//! once (2 threads) and prints the peak RSS the call adds on top of the
//! generated input (Linux: `VmHWM` after the call minus `VmRSS` before it,
//! the peak mark reset first), as the comparison script measures task d.

use std::time::Instant;
use zhiyuan::Policy;
use zhiyuan::leaderboard::{
    BatchOptions, LikeBoard, LikeTable, PostTable, RegistrationTable, like_batch, weekly_boards,
};
use zhiyuan::posts::{LikeAction, LikeEvent};
use zhiyuan::threads::Threads;
use zhiyuan::time::{MICROS_PER_DAY, Timestamp};

/// splitmix64: a small seeded generator, enough for synthetic data.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Heavy-tailed index in 0..n: small indices much more likely.
    fn skewed(&mut self, n: u64, power: i32) -> u64 {
        ((self.unit().powi(power)) * n as f64) as u64 % n
    }
}

/// CPU seconds (user + system) this process has used, from
/// /proc/self/stat (Linux; 0 elsewhere). Wall time on a shared machine
/// says little; CPU time says what the work costs.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let after = stat.rsplit_once(')').map_or("", |x| x.1);
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of the file are 12 and 13 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}

fn arg(i: usize, default: usize) -> usize {
    std::env::args()
        .nth(i)
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// A `/proc/self/status` figure in MB (0 elsewhere).
fn status_mb(field: &str) -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Prints the peak RSS one `weekly_boards` call adds (`--memory`).
fn memory(posts: &PostTable, likes: &LikeTable, regs: &RegistrationTable, policy: &Policy) {
    let before = status_mb("VmRSS");
    // Resets VmHWM to the current RSS, so the generator's peak is not counted.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let t = Instant::now();
    let c = cpu_seconds();
    let boards = weekly_boards(
        posts.columns(),
        likes.columns(),
        regs.columns(),
        policy,
        10,
        Threads::exactly(2).expect("a count"),
    )
    .expect("synthetic data is valid");
    println!(
        "weekly_boards: {:.3} s wall, {:.2} s CPU, {} boards, added peak RSS {:.0} MB (input RSS {before:.0} MB)",
        t.elapsed().as_secs_f64(),
        cpu_seconds() - c,
        boards.len(),
        status_mb("VmHWM") - before
    );
}

fn main() {
    let n_likes = arg(1, 20_000_000);
    let n_posts = arg(2, 2_000_000) as u64;
    let n_inc = arg(3, 2_000_000);
    let time_batch = arg(4, 1) != 0;
    let n_vol = 1_000_000u64;
    let start = 1_709_481_600_000_000i64; // Monday 2024-03-04 00:00 +08:00
    let mut rng = Rng(20240304);
    let t0 = Instant::now();

    let regs = RegistrationTable {
        volunteer: (1..=n_vol).collect(),
        registered_at: (1..=n_vol)
            .map(|_| {
                // 5 % register during the eight weeks, the rest a year before.
                if rng.next().is_multiple_of(20) {
                    start + (rng.next() % 56) as i64 * MICROS_PER_DAY
                } else {
                    start - (rng.next() % 365 + 1) as i64 * MICROS_PER_DAY
                }
            })
            .collect(),
    };
    let posts = PostTable {
        id: (1..=n_posts).collect(),
        author: (0..n_posts).map(|_| 1 + rng.skewed(n_vol / 2, 2)).collect(),
        time: (0..n_posts)
            .map(|_| start + (rng.next() % (56 * MICROS_PER_DAY as u64)) as i64)
            .collect(),
    };
    let mut likes = LikeTable::default();
    for i in 0..n_likes {
        let replay = i > 0 && rng.next().is_multiple_of(100);
        if replay {
            let j = (rng.next() % i as u64) as usize;
            likes.event.push(likes.event[j]);
            likes.liker.push(likes.liker[j]);
            likes.post.push(likes.post[j]);
            likes.time.push(likes.time[j]);
            likes.action.push(likes.action[j]);
            continue;
        }
        let post = 1 + rng.skewed(n_posts, 3);
        let pt = posts.time[(post - 1) as usize];
        // Mostly within a few days of the post; some after its week.
        let delay = (rng.unit().powi(3) * 10.0 * MICROS_PER_DAY as f64) as i64;
        likes.event.push(i as u64 + 1);
        likes.liker.push(1 + rng.skewed(n_vol, 2));
        likes.post.push(post);
        likes.time.push(pt + delay);
        likes.action.push(u8::from(rng.next().is_multiple_of(33)));
    }
    println!(
        "generated {} likes, {} posts, {} volunteers in {:.2?}",
        likes.event.len(),
        posts.id.len(),
        n_vol,
        t0.elapsed()
    );

    let policy = Policy::default();
    if std::env::args().any(|a| a == "--memory") {
        memory(&posts, &likes, &regs, &policy);
        return;
    }
    let run = |opts: &BatchOptions| {
        like_batch(
            posts.columns(),
            likes.columns(),
            regs.columns(),
            &policy,
            opts,
        )
        .expect("synthetic data is valid")
    };
    let best_of_3 = |label: &str, opts: BatchOptions| {
        let mut best = f64::MAX;
        let mut best_cpu = f64::MAX;
        let mut weeks = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let c = cpu_seconds();
            let r = run(&opts);
            let boards = r.partial.boards(10);
            best = best.min(t.elapsed().as_secs_f64());
            best_cpu = best_cpu.min(cpu_seconds() - c);
            weeks = boards.len();
        }
        println!(
            "batch {label}: best of 3 {best:.3} s wall, {best_cpu:.2} s CPU ({:.1} M likes/s wall, {weeks} weekly boards)",
            n_likes as f64 / best / 1e6
        );
    };
    if time_batch {
        let threads = rayon::current_num_threads();
        best_of_3(
            &format!("{threads} threads, default options"),
            BatchOptions::default(),
        );
        best_of_3(
            &format!("{threads} threads, check_event_ids off"),
            BatchOptions {
                check_event_ids: false,
                ..BatchOptions::default()
            },
        );
        let one = Threads::exactly(1).expect("one thread");
        best_of_3(
            "1 thread, default options",
            BatchOptions {
                threads: one,
                ..BatchOptions::default()
            },
        );
        let t = Instant::now();
        let with_verdicts = run(&BatchOptions {
            verdicts: true,
            ..BatchOptions::default()
        });
        println!(
            "batch {threads} threads with verdicts: {:.3} s ({} verdicts)",
            t.elapsed().as_secs_f64(),
            with_verdicts.verdicts.as_ref().map_or(0, Vec::len)
        );
        let with = |n: usize| BatchOptions {
            threads: Threads::exactly(n).expect("a count"),
            ..BatchOptions::default()
        };
        assert_eq!(
            run(&with(1)),
            run(&with(2)),
            "thread count changed the result"
        );
    }

    // Incremental: the first n_inc like rows, applied one by one.
    let mut board = LikeBoard::new(&policy);
    for (v, &at) in regs.volunteer.iter().zip(&regs.registered_at) {
        board
            .register(*v, Timestamp::from_micros(at).expect("valid"))
            .expect("fresh");
    }
    for i in 0..posts.id.len() {
        board
            .add_post(
                posts.id[i],
                posts.author[i],
                Timestamp::from_micros(posts.time[i]).expect("valid"),
            )
            .expect("fresh");
    }
    let n = n_inc.min(likes.event.len());
    let events: Vec<LikeEvent> = (0..n)
        .map(|i| {
            LikeEvent::new(
                likes.event[i],
                likes.liker[i],
                likes.post[i],
                Timestamp::from_micros(likes.time[i]).expect("valid"),
                LikeAction::from_code(likes.action[i]).expect("0 or 1"),
            )
        })
        .collect();
    let t = Instant::now();
    let c = cpu_seconds();
    for e in &events {
        board.apply(e).expect("valid event");
    }
    let per = t.elapsed().as_nanos() as f64 / n as f64;
    let per_cpu = (cpu_seconds() - c) * 1e9 / n as f64;
    match board.weeks().first() {
        Some(&week) => {
            let q = Instant::now();
            let top = board.board(week, 10).expect("a week");
            let q_ns = q.elapsed().as_nanos();
            println!(
                "incremental: {n} likes applied at {per:.0} ns wall, {per_cpu:.0} ns CPU per like; top-10 query of {week} in {q_ns} ns (leader weight {})",
                top.posts.first().map_or(0, |p| p.weight)
            );
        }
        None => println!("incremental: {n} likes applied, no counted like"),
    }
    // The incremental board agrees with the batch over the same rows.
    let prefix = LikeTable {
        event: likes.event[..n].to_vec(),
        liker: likes.liker[..n].to_vec(),
        post: likes.post[..n].to_vec(),
        time: likes.time[..n].to_vec(),
        action: likes.action[..n].to_vec(),
    };
    let batch = like_batch(
        posts.columns(),
        prefix.columns(),
        regs.columns(),
        &policy,
        &BatchOptions::default(),
    )
    .expect("valid");
    assert_eq!(batch.partial, board.partial(), "incremental != batch");
    println!("incremental partial equals batch partial over the same {n} likes");
}
