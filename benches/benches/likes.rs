//! Like-board benchmarks: `cargo bench -p zhiyuan-benches --bench likes`.
//! The batch filter + weekly boards over columns at 1 and 2 threads, and
//! the incremental `LikeBoard::apply` per like. The full-size run (20M
//! likes) is `core/examples/like_board_scale.rs`.

use divan::{Bencher, black_box};
use zhiyuan::Policy;
use zhiyuan::leaderboard::{LikeBoard, LikeTable, PostTable, RegistrationTable, weekly_boards};
use zhiyuan::posts::{LikeAction, LikeEvent};
use zhiyuan::threads::Threads;
use zhiyuan::time::{MICROS_PER_DAY, Timestamp};

fn main() {
    divan::main();
}

const START: i64 = 1_709_481_600_000_000; // Monday 2024-03-04 00:00 +08:00

/// Seeded tables: `likes` rows over `likes / 10` posts and `likes / 20`
/// volunteers across four weeks, skewed towards popular posts.
fn tables(likes: usize) -> (PostTable, LikeTable, RegistrationTable) {
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let (np, nv) = ((likes / 10).max(1) as u64, (likes / 20).max(2) as u64);
    let regs = RegistrationTable {
        volunteer: (1..=nv).collect(),
        registered_at: (0..nv)
            .map(|_| START - (next() % 400) as i64 * MICROS_PER_DAY)
            .collect(),
    };
    let posts = PostTable {
        id: (1..=np).collect(),
        author: (0..np).map(|_| 1 + next() % nv).collect(),
        time: (0..np)
            .map(|_| START + (next() % (28 * MICROS_PER_DAY as u64)) as i64)
            .collect(),
    };
    let mut t = LikeTable::default();
    for i in 0..likes as u64 {
        // Squaring a uniform index favours small (popular) post ids.
        let u = next() % np;
        let post = 1 + u * u / np;
        t.event.push(i + 1);
        t.liker.push(1 + next() % nv);
        t.post.push(post);
        t.time
            .push(posts.time[(post - 1) as usize] + (next() % (3 * MICROS_PER_DAY as u64)) as i64);
        t.action.push(u8::from(next() % 33 == 0));
    }
    (posts, t, regs)
}

/// Valid-like filter, per-post totals and top-10 boards of every week.
#[divan::bench(args = [1, 2])]
fn weekly_boards_1m(bencher: Bencher, threads: usize) {
    let (posts, likes, regs) = tables(1_000_000);
    let policy = Policy::default();
    let threads = Threads::exactly(threads).expect("a count");
    bencher
        .counter(divan::counter::ItemsCount::new(likes.event.len()))
        .bench(|| {
            weekly_boards(
                posts.columns(),
                likes.columns(),
                regs.columns(),
                &policy,
                10,
                threads,
            )
            .expect("valid tables")
        });
}

/// `LikeBoard::apply` per like onto a board with its posts and volunteers.
#[divan::bench]
fn apply_100k(bencher: Bencher) {
    let (posts, likes, regs) = tables(100_000);
    let policy = Policy::default();
    let ts = |us: i64| Timestamp::from_micros(us).expect("valid");
    let mut base = LikeBoard::new(&policy);
    for (v, &at) in regs.volunteer.iter().zip(&regs.registered_at) {
        base.register(*v, ts(at)).expect("fresh");
    }
    for i in 0..posts.id.len() {
        base.add_post(posts.id[i], posts.author[i], ts(posts.time[i]))
            .expect("fresh");
    }
    let events: Vec<LikeEvent> = (0..likes.event.len())
        .map(|i| {
            LikeEvent::new(
                likes.event[i],
                likes.liker[i],
                likes.post[i],
                ts(likes.time[i]),
                LikeAction::from_code(likes.action[i]).expect("0 or 1"),
            )
        })
        .collect();
    bencher
        .counter(divan::counter::ItemsCount::new(events.len()))
        .with_inputs(|| base.clone())
        .bench_values(|mut board| {
            for e in &events {
                board.apply(black_box(e)).expect("valid");
            }
            board
        });
}
