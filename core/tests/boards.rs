//! 文明秀 likes: the valid-like filter, weekly boards (incremental and batch),
//! partials, exhibition, feed.

use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use zhiyuan::leaderboard::{
    BatchOptions, LikeBatch, LikeBoard, LikePartial, LikeTable, PostTable, RegistrationTable,
    like_batch, weekly_boards,
};
use zhiyuan::posts::{
    Comment, FULL_WEIGHT, Feed, LikeAction, LikeEvent, LikeReason, LikeVerdict, Post,
};
use zhiyuan::threads::Threads;
use zhiyuan::time::{MICROS_PER_DAY, MICROS_PER_MINUTE, Period, Timestamp, UtcOffset};
use zhiyuan::{ErrorKind, Policy, PolicySpec};

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn us(x: i64) -> Timestamp {
    Timestamp::from_micros(x).unwrap()
}

/// Monday 2024-03-04 00:00 in Beijing.
const BASE: i64 = 1_709_481_600_000_000;
const HALF_HOUR: i64 = 30 * MICROS_PER_MINUTE;

#[derive(Clone, Debug)]
struct World {
    regs: Vec<(u64, i64)>,
    posts: Vec<(u64, u64, i64)>,
    events: Vec<LikeEvent>,
}

impl World {
    fn tables(&self, order: &[usize]) -> (PostTable, LikeTable, RegistrationTable) {
        let posts = PostTable {
            id: self.posts.iter().map(|p| p.0).collect(),
            author: self.posts.iter().map(|p| p.1).collect(),
            time: self.posts.iter().map(|p| p.2).collect(),
        };
        let evs: Vec<LikeEvent> = order.iter().map(|&i| self.events[i].clone()).collect();
        let regs = RegistrationTable {
            volunteer: self.regs.iter().map(|r| r.0).collect(),
            registered_at: self.regs.iter().map(|r| r.1).collect(),
        };
        (posts, LikeTable::from_events(&evs), regs)
    }

    fn batch(&self, policy: &Policy, order: &[usize], verdicts: bool) -> LikeBatch {
        let (p, l, r) = self.tables(order);
        let opts = BatchOptions {
            verdicts,
            ..BatchOptions::default()
        };
        like_batch(p.columns(), l.columns(), r.columns(), policy, &opts).unwrap()
    }

    fn incremental(&self, policy: &Policy, order: &[usize]) -> LikeBoard {
        let mut b = LikeBoard::new(policy);
        for &(v, at) in &self.regs {
            b.register(v, us(at)).unwrap();
        }
        for &(id, author, time) in &self.posts {
            b.add_post(id, author, us(time)).unwrap();
        }
        for &i in order {
            b.apply(&self.events[i]).unwrap();
        }
        b
    }

    fn author_of(&self, post: u64) -> u64 {
        self.posts.iter().find(|p| p.0 == post).unwrap().1
    }

    fn post_time(&self, post: u64) -> i64 {
        self.posts.iter().find(|p| p.0 == post).unwrap().2
    }

    fn identity(&self) -> Vec<usize> {
        (0..self.events.len()).collect()
    }
}

fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    let mut s = seed | 1;
    for i in (1..n).rev() {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = (s >> 33) as usize % (i + 1);
        v.swap(i, j);
    }
    v
}

fn world() -> impl Strategy<Value = World> {
    (
        prop::collection::vec(0i64..20, 6),
        prop::collection::vec((1u64..=6, 0i64..21 * 48), 1..8),
        prop::collection::vec(
            (
                1u64..=6,
                0usize..8,
                -48i64..23 * 48,
                prop::bool::weighted(0.8),
            ),
            0..60,
        ),
    )
        .prop_map(|(reg_days, posts, evs)| {
            let regs = reg_days
                .iter()
                .enumerate()
                .map(|(i, d)| (i as u64 + 1, BASE + (d - 10) * MICROS_PER_DAY))
                .collect();
            let posts: Vec<(u64, u64, i64)> = posts
                .iter()
                .enumerate()
                .map(|(i, &(a, slot))| (100 + i as u64, a, BASE + slot * HALF_HOUR))
                .collect();
            let n = posts.len();
            let events = evs
                .iter()
                .enumerate()
                .map(|(i, &(liker, p, slot, like))| {
                    let action = if like {
                        LikeAction::Like
                    } else {
                        LikeAction::Unlike
                    };
                    // Ids run against insertion order so id ties matter.
                    LikeEvent::new(
                        1000 - i as u64,
                        liker,
                        posts[p % n].0,
                        us(BASE + slot * HALF_HOUR),
                        action,
                    )
                })
                .collect();
            World {
                regs,
                posts,
                events,
            }
        })
}

fn policies() -> impl Strategy<Value = Policy> {
    (0usize..5).prop_map(|i| {
        let mut s = PolicySpec::default();
        match i {
            0 => {}
            1 => s.likes.liker_weekly_cap = Some(2),
            2 => {
                s.likes.author_cap = 1;
                s.likes.full_weight_days = 12;
            }
            3 => {
                s.likes.window_grace_minutes = 24 * 60;
                s.likes.new_account_days = 0;
                s.likes.full_weight_days = 0;
            }
            _ => {
                s.likes.author_cap = 2;
                s.likes.liker_weekly_cap = Some(3);
                s.likes.new_account_days = 3;
                s.likes.full_weight_days = 9;
            }
        }
        Policy::new(s).unwrap()
    })
}

/// (time, event, post, weight) of a like that passed dedup and new-account.
type Cand = (i64, u64, u64, i64);

/// A spec-literal reference filter: per-post (weight, likes) and per-event
/// verdicts, with ordered maps and no cleverness.
fn reference(p: &Policy, w: &World) -> (BTreeMap<u64, (i64, u64)>, BTreeMap<u64, LikeVerdict>) {
    let l = &p.likes;
    let off = p.offset();
    let week = |x: i64| Period::week_of(us(x), off);
    let reg: BTreeMap<u64, i64> = w.regs.iter().copied().collect();
    let mut verdicts = BTreeMap::new();
    let mut pairs: BTreeMap<(u64, u64), Vec<&LikeEvent>> = BTreeMap::new();
    let mut set = |e: u64, weight: i64, reason: Option<LikeReason>| {
        verdicts.insert(
            e,
            LikeVerdict {
                event: e,
                weight,
                reason,
            },
        );
    };
    for e in &w.events {
        let pt = w.post_time(e.post);
        let end = week(pt).bounds(off).1.as_micros()
            + i64::from(l.window_grace_minutes) * MICROS_PER_MINUTE;
        let x = e.time.as_micros();
        let like = e.action == LikeAction::Like;
        if x < pt || x >= end {
            if like {
                set(e.id, 0, Some(LikeReason::OutsideWindow));
            }
        } else if e.liker == w.author_of(e.post) {
            if like {
                set(e.id, 0, Some(LikeReason::SelfLike));
            }
        } else {
            pairs.entry((e.liker, e.post)).or_default().push(e);
        }
    }
    // (liker, author, week) -> [(time, event, post, weight)]
    let mut groups: BTreeMap<(u64, u64, Period), Vec<Cand>> = BTreeMap::new();
    for ((liker, post), mut evs) in pairs {
        evs.sort_by_key(|e| (e.time, e.id));
        let mut head: Option<&LikeEvent> = None;
        for e in evs {
            match (e.action, head) {
                (LikeAction::Like, None) => head = Some(e),
                (LikeAction::Like, Some(_)) => set(e.id, 0, Some(LikeReason::Duplicate)),
                (LikeAction::Unlike, Some(h)) => {
                    set(h.id, 0, Some(LikeReason::Unliked));
                    head = None;
                }
                (LikeAction::Unlike, None) => {}
            }
        }
        if let Some(h) = head {
            let age = h.time.as_micros() - reg[&liker];
            let (d0, d1) = (
                i64::from(l.new_account_days) * MICROS_PER_DAY,
                i64::from(l.full_weight_days) * MICROS_PER_DAY,
            );
            let wt = if age < d0 {
                0
            } else if age >= d1 {
                FULL_WEIGHT
            } else {
                ((FULL_WEIGHT as i128 * (age - d0) as i128) / (d1 - d0) as i128) as i64
            };
            if wt == 0 {
                set(h.id, 0, Some(LikeReason::NewAccount));
            } else {
                groups
                    .entry((liker, w.author_of(post), week(w.post_time(post))))
                    .or_default()
                    .push((h.time.as_micros(), h.id, post, wt));
            }
        }
    }
    let mut liker_groups: BTreeMap<(u64, Period), Vec<Cand>> = BTreeMap::new();
    for ((liker, _, wk), mut g) in groups {
        g.sort();
        for (n, c) in g.into_iter().enumerate() {
            if n < l.author_cap as usize {
                liker_groups.entry((liker, wk)).or_default().push(c);
            } else {
                set(c.1, 0, Some(LikeReason::AuthorCap));
            }
        }
    }
    let mut totals: BTreeMap<u64, (i64, u64)> = BTreeMap::new();
    for (_, mut g) in liker_groups {
        g.sort();
        for (n, c) in g.into_iter().enumerate() {
            if l.liker_weekly_cap.is_some_and(|cap| n >= cap as usize) {
                set(c.1, 0, Some(LikeReason::LikerCap));
            } else {
                set(
                    c.1,
                    c.3,
                    (c.3 < FULL_WEIGHT).then_some(LikeReason::NewAccount),
                );
                let e = totals.entry(c.2).or_default();
                e.0 += c.3;
                e.1 += 1;
            }
        }
    }
    (totals, verdicts)
}

fn totals_of(p: &LikePartial) -> BTreeMap<u64, (i64, u64)> {
    p.totals
        .iter()
        .map(|x| (x.post, (x.weight, x.likes)))
        .collect()
}

fn assert_same_boards(b: &LikeBoard, partial: &LikePartial, k: usize) {
    let boards = partial.boards(k);
    let weeks: Vec<Period> = boards.iter().map(|x| x.week).collect();
    assert_eq!(b.weeks(), weeks);
    for board in &boards {
        assert_eq!(&b.board(board.week, k).unwrap(), board);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn incremental_equals_batch_equals_reference(w in world(), p in policies(), seed in any::<u64>(), k in 0usize..6) {
        let order = shuffled(w.events.len(), seed);
        let inc = w.incremental(&p, &order);
        let batch = w.batch(&p, &w.identity(), true);
        prop_assert_eq!(&inc.partial(), &batch.partial);
        assert_same_boards(&inc, &batch.partial, k);
        let (ref_totals, ref_verdicts) = reference(&p, &w);
        prop_assert_eq!(totals_of(&batch.partial), ref_totals);
        let verdicts = batch.verdicts.unwrap();
        prop_assert_eq!(verdicts.clone(), ref_verdicts.into_values().collect::<Vec<_>>());
        prop_assert_eq!(inc.verdicts(), verdicts);
    }

    #[test]
    fn output_is_independent_of_event_order_and_replays(w in world(), p in policies(), s1 in any::<u64>(), s2 in any::<u64>()) {
        let n = w.events.len();
        let a = w.batch(&p, &shuffled(n, s1), true);
        // Replays: every row once more, in another order.
        let mut twice = shuffled(n, s2);
        twice.extend(shuffled(n, s1 ^ s2));
        let b = w.batch(&p, &twice, true);
        prop_assert_eq!(&a, &b);
        let inc = w.incremental(&p, &twice);
        prop_assert_eq!(inc.partial(), a.partial);
    }

    #[test]
    fn unlike_after_like_equals_neither(w in world(), p in policies(), liker in 1u64..=6, pi in 0usize..8, slot in 0i64..21 * 48, gap in 0i64..96) {
        let post = w.posts[pi % w.posts.len()].0;
        let mut base = w.clone();
        base.events.retain(|e| (e.liker, e.post) != (liker, post));
        let mut with = base.clone();
        with.events.push(LikeEvent::new(5000, liker, post, us(BASE + slot * HALF_HOUR), LikeAction::Like));
        // The unlike must fall inside the post's window: a late unlike is
        // ignored by design (a closed week stays closed).
        let post_time = w.post_time(post);
        let end = Period::week_of(us(post_time), p.offset()).bounds(p.offset()).1.as_micros()
            + i64::from(p.likes.window_grace_minutes) * MICROS_PER_MINUTE;
        let like_at = BASE + slot * HALF_HOUR;
        let unlike_at = if like_at < end { (like_at + gap * HALF_HOUR).min(end - 1) } else { like_at + gap * HALF_HOUR };
        with.events.push(LikeEvent::new(5001, liker, post, us(unlike_at), LikeAction::Unlike));
        let a = base.batch(&p, &base.identity(), false).partial;
        let b = with.batch(&p, &with.identity(), false).partial;
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(with.incremental(&p, &shuffled(with.events.len(), slot as u64)).partial(), a);
    }

    #[test]
    fn partition_and_merge_equals_whole(w in world(), p in policies(), parts in 1usize..5, salt in any::<u64>(), by_author in any::<bool>()) {
        let whole = w.batch(&p, &w.identity(), false).partial;
        // Partition by the post's author only when no liker cap spans authors.
        let by_author = by_author && p.likes.liker_weekly_cap.is_none();
        let part_of = |e: &LikeEvent| {
            let key = if by_author { w.author_of(e.post) } else { e.liker };
            (key.wrapping_mul(salt | 1) >> 7) as usize % parts
        };
        let mut merged = LikePartial::empty(&p);
        for part in (0..parts).rev() {
            let rows: Vec<usize> = (0..w.events.len()).filter(|&i| part_of(&w.events[i]) == part).collect();
            let mut part = w.batch(&p, &rows, false).partial;
            if salt % 2 == 1 {
                part.totals.reverse(); // as if read back unsorted from JSON
            }
            merged.merge(&part).unwrap();
        }
        prop_assert_eq!(&merged, &whole);
        prop_assert_eq!(merged.boards(3), whole.boards(3));
    }

    #[test]
    fn every_like_has_one_verdict_and_caps_hold(w in world(), p in policies()) {
        let v = w.batch(&p, &w.identity(), true).verdicts.unwrap();
        let like_ids: BTreeSet<u64> = w.events.iter().filter(|e| e.action == LikeAction::Like).map(|e| e.id).collect();
        prop_assert_eq!(v.iter().map(|x| x.event).collect::<BTreeSet<_>>(), like_ids.clone());
        prop_assert_eq!(v.len(), like_ids.len());
        let mut per_author: BTreeMap<(u64, u64, Period), u32> = BTreeMap::new();
        let mut per_liker: BTreeMap<(u64, Period), u32> = BTreeMap::new();
        for x in &v {
            prop_assert!((0..=FULL_WEIGHT).contains(&x.weight));
            prop_assert_eq!(x.reason.is_none(), x.weight == FULL_WEIGHT, "{:?}", x);
            if x.weight > 0 {
                prop_assert!(matches!(x.reason, None | Some(LikeReason::NewAccount)));
                let e = w.events.iter().find(|e| e.id == x.event).unwrap();
                let wk = Period::week_of(us(w.post_time(e.post)), p.offset());
                *per_author.entry((e.liker, w.author_of(e.post), wk)).or_default() += 1;
                *per_liker.entry((e.liker, wk)).or_default() += 1;
            }
        }
        prop_assert!(per_author.values().all(|&n| n <= p.likes.author_cap));
        if let Some(cap) = p.likes.liker_weekly_cap {
            prop_assert!(per_liker.values().all(|&n| n <= cap));
        }
        // Verdict weights add up to the board totals.
        let mut sums: BTreeMap<u64, i64> = BTreeMap::new();
        for x in v.iter().filter(|x| x.weight > 0) {
            let e = w.events.iter().find(|e| e.id == x.event).unwrap();
            *sums.entry(e.post).or_default() += x.weight;
        }
        let totals: BTreeMap<u64, i64> = totals_of(&w.batch(&p, &w.identity(), false).partial).into_iter().map(|(k, v)| (k, v.0)).collect();
        prop_assert_eq!(sums, totals);
    }

    #[test]
    fn thread_count_does_not_change_the_result(w in world(), p in policies(), threads in 1usize..4, seed in any::<u64>()) {
        let (pt, lt, rt) = w.tables(&shuffled(w.events.len(), seed));
        let opts = BatchOptions { verdicts: true, threads: Threads::exactly(threads).unwrap(), ..BatchOptions::default() };
        let a = like_batch(pt.columns(), lt.columns(), rt.columns(), &p, &opts).unwrap();
        prop_assert_eq!(a, w.batch(&p, &w.identity(), true));
        let boards = weekly_boards(pt.columns(), lt.columns(), rt.columns(), &p, 3, Threads::exactly(threads).unwrap()).unwrap();
        prop_assert_eq!(boards, w.batch(&p, &w.identity(), false).partial.boards(3));
    }
}

fn old_reg() -> Timestamp {
    t("2024-01-01T00:00:00Z")
}

fn board_with(policy: &Policy, regs: &[(u64, Timestamp)], posts: &[(u64, u64, &str)]) -> LikeBoard {
    let mut b = LikeBoard::new(policy);
    for &(v, at) in regs {
        b.register(v, at).unwrap();
    }
    for &(id, a, time) in posts {
        b.add_post(id, a, t(time)).unwrap();
    }
    b
}

fn like(id: u64, liker: u64, post: u64, time: &str) -> LikeEvent {
    LikeEvent::new(id, liker, post, t(time), LikeAction::Like)
}

fn verdict_of(b: &LikeBoard, event: u64) -> LikeVerdict {
    *b.verdicts().iter().find(|v| v.event == event).unwrap()
}

#[test]
fn sunday_1630z_is_next_week() {
    let p = Policy::default();
    let regs: Vec<(u64, Timestamp)> = (1..=3).map(|v| (v, old_reg())).collect();
    let mut b = board_with(
        &p,
        &regs,
        &[
            (1, 1, "2024-03-10T15:59:59Z"), // Sunday 23:59:59 local: W10
            (2, 1, "2024-03-10T16:30:00Z"), // Monday 00:30 local: W11
        ],
    );
    // The last microsecond of W10 still counts for post 1; 16:00Z does not.
    b.apply(&like(1, 2, 1, "2024-03-10T15:59:59.999999Z"))
        .unwrap();
    b.apply(&like(2, 3, 1, "2024-03-10T16:00:00Z")).unwrap();
    b.apply(&like(3, 2, 2, "2024-03-10T16:30:00Z")).unwrap();
    let w10 = b.board("2024-W10".parse().unwrap(), 10).unwrap();
    let w11 = b.board("2024-W11".parse().unwrap(), 10).unwrap();
    assert_eq!(
        w10.posts
            .iter()
            .map(|e| (e.post, e.weight))
            .collect::<Vec<_>>(),
        [(1, 1000)]
    );
    assert_eq!(
        w11.posts
            .iter()
            .map(|e| (e.post, e.weight))
            .collect::<Vec<_>>(),
        [(2, 1000)]
    );
    assert_eq!(verdict_of(&b, 2).reason, Some(LikeReason::OutsideWindow));
    assert_eq!(
        b.weeks(),
        [
            "2024-W10".parse::<Period>().unwrap(),
            "2024-W11".parse().unwrap()
        ]
    );
}

#[test]
fn ring_of_new_accounts_does_not_outrank_organic_posts() {
    let p = Policy::default();
    let mut events = Vec::new();
    let mut regs: Vec<(u64, Timestamp)> = Vec::new();
    let mut posts = Vec::new();
    // 30 accounts registered on Saturday, each posting on Monday and
    // liking every other ring post on Tuesday: 870 likes.
    for v in 1..=30u64 {
        regs.push((v, t("2024-03-02T00:00:00Z")));
        posts.push((v, v, "2024-03-04T02:00:00Z"));
    }
    for liker in 1..=30u64 {
        for post in (1..=30u64).filter(|&q| q != liker) {
            events.push(like(
                liker * 100 + post,
                liker,
                post,
                "2024-03-05T02:00:00Z",
            ));
        }
    }
    // Organic: three authors, twelve established likers, 2 to 5 likes each.
    for v in 101..=115u64 {
        regs.push((v, old_reg()));
    }
    posts.extend([
        (201, 101, "2024-03-04T03:00:00Z"),
        (202, 102, "2024-03-05T03:00:00Z"),
        (203, 103, "2024-03-06T03:00:00Z"),
    ]);
    for (post, n) in [(201u64, 5u64), (202, 3), (203, 2)] {
        for liker in 104..104 + n {
            events.push(like(
                post * 1000 + liker,
                liker,
                post,
                "2024-03-07T02:00:00Z",
            ));
        }
    }
    let mut b = board_with(&p, &regs, &posts);
    for e in &events {
        b.apply(e).unwrap();
    }
    let board = b.board("2024-W10".parse().unwrap(), 10).unwrap();
    let top: Vec<(u32, u64, i64)> = board
        .posts
        .iter()
        .map(|e| (e.rank, e.post, e.weight))
        .collect();
    assert_eq!(top, [(1, 201, 5000), (2, 202, 3000), (3, 203, 2000)]);
    assert_eq!(
        board.authors.iter().map(|a| a.author).collect::<Vec<_>>(),
        [101, 102, 103]
    );
    let ring: Vec<LikeVerdict> = b
        .verdicts()
        .into_iter()
        .filter(|v| v.event < 100_000)
        .collect();
    assert_eq!(ring.len(), 870);
    assert!(
        ring.iter()
            .all(|v| v.weight == 0 && v.reason == Some(LikeReason::NewAccount))
    );
    // Without the new-account rule the ring (29 likes each) would take over.
    let mut spec = PolicySpec::default();
    spec.likes.new_account_days = 0;
    spec.likes.full_weight_days = 0;
    let open = Policy::new(spec).unwrap();
    let mut b2 = board_with(&open, &regs, &posts);
    for e in &events {
        b2.apply(e).unwrap();
    }
    let top2 = b2.board("2024-W10".parse().unwrap(), 1).unwrap();
    assert_eq!((top2.posts[0].post, top2.posts[0].weight), (1, 29_000));
}

#[test]
fn competition_ranking_ties() {
    let p = Policy::default();
    let regs: Vec<(u64, Timestamp)> = (1..=9).map(|v| (v, old_reg())).collect();
    // Posts 1..4 by authors 1..4; weights 3, 2, 2, 1; post 3 is earlier
    // than post 2, so it is listed first among the tied.
    let mut b = board_with(
        &p,
        &regs,
        &[
            (1, 1, "2024-03-04T05:00:00Z"),
            (2, 2, "2024-03-04T04:00:00Z"),
            (3, 3, "2024-03-04T03:00:00Z"),
            (4, 4, "2024-03-04T02:00:00Z"),
            (5, 9, "2024-03-04T03:00:00Z"),
        ],
    );
    let mut id = 0;
    for (post, n) in [(1u64, 3u64), (2, 2), (3, 2), (4, 1), (5, 2)] {
        for liker in 5..5 + n {
            id += 1;
            b.apply(&like(id, liker, post, "2024-03-06T00:00:00Z"))
                .unwrap();
        }
    }
    let board = b.board("2024-W10".parse().unwrap(), 10).unwrap();
    let got: Vec<(u32, u64)> = board.posts.iter().map(|e| (e.rank, e.post)).collect();
    // Post 5 ties post 3 on weight and time: smaller id first.
    assert_eq!(got, [(1, 1), (2, 3), (2, 5), (2, 2), (5, 4)]);
    let authors: Vec<(u32, u64)> = board.authors.iter().map(|a| (a.rank, a.author)).collect();
    assert_eq!(authors, [(1, 1), (2, 3), (2, 9), (2, 2), (5, 4)]);
    // Top 2 cuts inside the tie and keeps the ranks.
    let top2 = b.board("2024-W10".parse().unwrap(), 2).unwrap();
    assert_eq!(
        top2.posts
            .iter()
            .map(|e| (e.rank, e.post))
            .collect::<Vec<_>>(),
        [(1, 1), (2, 3)]
    );
}

#[test]
fn author_cap_keeps_the_earliest_likes_whatever_the_order() {
    let p = Policy::default();
    let regs = [(1, old_reg()), (2, old_reg())];
    let posts: Vec<(u64, u64, &str)> = (1..=5).map(|i| (i, 1, "2024-03-04T01:00:00Z")).collect();
    let times = [
        "2024-03-05T05:00:00Z",
        "2024-03-05T01:00:00Z",
        "2024-03-05T04:00:00Z",
        "2024-03-05T02:00:00Z",
        "2024-03-05T03:00:00Z",
    ];
    let events: Vec<LikeEvent> = (0..5)
        .map(|i| like(10 + i as u64, 2, i as u64 + 1, times[i]))
        .collect();
    for order in [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 1, 3]] {
        let mut b = board_with(&p, &regs, &posts);
        for i in order {
            b.apply(&events[i]).unwrap();
        }
        let counted: Vec<u64> = b.partial().totals.iter().map(|x| x.post).collect();
        assert_eq!(counted, [2, 4, 5]); // 01:00, 02:00, 03:00
        let capped: Vec<u64> = b
            .verdicts()
            .iter()
            .filter(|v| v.reason == Some(LikeReason::AuthorCap))
            .map(|v| v.event)
            .collect();
        assert_eq!(capped, [10, 12]);
    }
}

#[test]
fn liker_cap_applies_after_the_author_cap() {
    let mut spec = PolicySpec::default();
    spec.likes.liker_weekly_cap = Some(2);
    spec.likes.author_cap = 1;
    let p = Policy::new(spec).unwrap();
    let regs = [
        (1, old_reg()),
        (2, old_reg()),
        (3, old_reg()),
        (9, old_reg()),
    ];
    let mut b = board_with(
        &p,
        &regs,
        &[
            (1, 1, "2024-03-04T01:00:00Z"),
            (2, 1, "2024-03-04T01:00:00Z"),
            (3, 2, "2024-03-04T01:00:00Z"),
            (4, 3, "2024-03-04T01:00:00Z"),
        ],
    );
    b.apply(&like(1, 9, 1, "2024-03-05T01:00:00Z")).unwrap();
    b.apply(&like(2, 9, 2, "2024-03-05T02:00:00Z")).unwrap(); // author cap (1 per author)
    b.apply(&like(3, 9, 3, "2024-03-05T03:00:00Z")).unwrap();
    b.apply(&like(4, 9, 4, "2024-03-05T04:00:00Z")).unwrap(); // liker cap (2 a week)
    let reasons: Vec<Option<LikeReason>> = b.verdicts().iter().map(|v| v.reason).collect();
    assert_eq!(
        reasons,
        [
            None,
            Some(LikeReason::AuthorCap),
            None,
            Some(LikeReason::LikerCap)
        ]
    );
    // Unliking the first frees a slot: post 2 enters by the author cap and
    // takes the liker slot before post 4 (earlier).
    b.apply(&LikeEvent::new(
        5,
        9,
        1,
        t("2024-03-06T01:00:00Z"),
        LikeAction::Unlike,
    ))
    .unwrap();
    let counted: Vec<u64> = b.partial().totals.iter().map(|x| x.post).collect();
    assert_eq!(counted, [2, 3]);
}

#[test]
fn new_account_ramp_is_exact() {
    let mut spec = PolicySpec::default();
    spec.likes.new_account_days = 7;
    spec.likes.full_weight_days = 10;
    let p = Policy::new(spec).unwrap();
    // Registered 8.5 days before the like: (8.5 - 7) / 3 = 0.5.
    let mut b = board_with(
        &p,
        &[(1, old_reg()), (2, t("2024-02-26T12:00:00Z"))],
        &[(1, 1, "2024-03-04T01:00:00Z")],
    );
    b.apply(&like(1, 2, 1, "2024-03-06T00:00:00Z")).unwrap();
    assert_eq!(
        verdict_of(&b, 1),
        LikeVerdict {
            event: 1,
            weight: 500,
            reason: Some(LikeReason::NewAccount)
        }
    );
    assert_eq!(b.partial().totals[0].weight, 500);
}

#[test]
fn a_closed_week_ignores_late_unlikes_and_duplicates_are_reported() {
    let p = Policy::default();
    let mut b = board_with(
        &p,
        &[(1, old_reg()), (2, old_reg())],
        &[(1, 1, "2024-03-04T01:00:00Z")],
    );
    b.apply(&like(1, 2, 1, "2024-03-05T01:00:00Z")).unwrap();
    b.apply(&like(2, 2, 1, "2024-03-05T02:00:00Z")).unwrap();
    b.apply(&LikeEvent::new(
        3,
        2,
        1,
        t("2024-03-12T01:00:00Z"),
        LikeAction::Unlike,
    ))
    .unwrap();
    assert_eq!(b.partial().totals[0].weight, 1000);
    assert_eq!(verdict_of(&b, 2).reason, Some(LikeReason::Duplicate));
    b.apply(&LikeEvent::new(
        4,
        2,
        1,
        t("2024-03-05T03:00:00Z"),
        LikeAction::Unlike,
    ))
    .unwrap();
    assert!(b.partial().totals.is_empty());
    assert_eq!(verdict_of(&b, 1).reason, Some(LikeReason::Unliked));
    assert_eq!(verdict_of(&b, 2).reason, Some(LikeReason::Duplicate));
}

#[test]
fn bad_events_leave_the_board_untouched() {
    let p = Policy::default();
    let mut b = board_with(
        &p,
        &[(1, old_reg()), (2, old_reg())],
        &[(1, 1, "2024-03-04T01:00:00Z")],
    );
    b.apply(&like(1, 2, 1, "2024-03-05T01:00:00Z")).unwrap();
    let before = b.partial();
    let e = b.apply(&like(2, 7, 1, "2024-03-05T01:00:00Z")).unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string()),
        (
            ErrorKind::NotFound,
            "like 2.liker: unknown volunteer 7".into()
        )
    );
    let e = b.apply(&like(2, 2, 9, "2024-03-05T01:00:00Z")).unwrap_err();
    assert_eq!(e.to_string(), "like 2.post: unknown post 9");
    let e = b.apply(&like(1, 2, 1, "2024-03-05T01:00:01Z")).unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string()),
        (
            ErrorKind::Conflict,
            "like 1: event id reused with different content".into()
        )
    );
    b.apply(&like(1, 2, 1, "2024-03-05T01:00:00Z")).unwrap(); // replay
    assert_eq!(b.partial(), before);
    let e = b.board("2024-03".parse().unwrap(), 3).unwrap_err();
    assert_eq!(
        e.to_string(),
        "week: 2024-03 is not an ISO week like 2024-W10"
    );
    assert_eq!(
        b.register(2, t("2024-02-01T00:00:00Z")).unwrap_err().kind(),
        ErrorKind::Conflict
    );
    assert_eq!(
        b.add_post(1, 2, t("2024-03-04T01:00:00Z"))
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict
    );
}

#[test]
fn batch_errors_name_the_row() {
    let p = Policy::default();
    let posts = PostTable {
        id: vec![1, 2],
        author: vec![1, 1],
        time: vec![BASE, BASE],
    };
    let regs = RegistrationTable {
        volunteer: vec![1, 2],
        registered_at: vec![0, 0],
    };
    let likes = LikeTable::from_events(&[
        like(1, 2, 1, "2024-03-05T01:00:00Z"),
        like(2, 2, 2, "2024-03-05T01:00:00Z"),
        like(3, 2, 1, "2024-03-05T01:00:00Z"),
        like(4, 7, 1, "2024-03-05T01:00:00Z"),
    ]);
    let run = |pt: &PostTable, lt: &LikeTable, rt: &RegistrationTable| {
        weekly_boards(
            pt.columns(),
            lt.columns(),
            rt.columns(),
            &p,
            10,
            Threads::Global,
        )
        .unwrap_err()
    };
    let e = run(&posts, &likes, &regs);
    assert_eq!(
        (e.kind(), e.to_string()),
        (
            ErrorKind::NotFound,
            "likes[3].liker: unknown volunteer 7".into()
        )
    );
    let mut l2 = likes.clone();
    l2.post[1] = 9;
    assert_eq!(
        run(&posts, &l2, &regs).to_string(),
        "likes[1].post: unknown post 9"
    );
    let mut l3 = likes.clone();
    l3.liker[3] = 2;
    l3.event[3] = 1;
    l3.time[3] += 1;
    let e = run(&posts, &l3, &regs);
    assert_eq!(
        (e.kind(), e.to_string()),
        (
            ErrorKind::Conflict,
            "likes[3].event: event 1 repeats likes[0] with different content".into()
        )
    );
    let mut p2 = posts.clone();
    p2.id[1] = 1;
    assert_eq!(
        run(&p2, &likes, &regs).to_string(),
        "posts[1].id: duplicate post 1 (also posts[0])"
    );
    let mut p3 = posts.clone();
    p3.id = vec![5, u64::MAX];
    assert_eq!(
        run(&p3, &likes, &regs).to_string(),
        "likes[0].post: unknown post 1"
    );
    p3.id = vec![u64::MAX, u64::MAX];
    assert_eq!(
        run(&p3, &likes, &regs).to_string(),
        format!("posts[1].id: duplicate post {} (also posts[0])", u64::MAX)
    );
    let mut l4 = likes.clone();
    l4.action[2] = 4;
    assert_eq!(
        run(&posts, &l4, &regs).to_string(),
        "likes[2].action: code 4 is not 0 (like) or 1 (unlike)"
    );
    let mut l5 = likes.clone();
    l5.time.pop();
    assert_eq!(
        run(&posts, &l5, &regs).to_string(),
        "likes.time: has 3 rows, likes.event has 4"
    );
    let mut r2 = regs.clone();
    r2.registered_at[0] = i64::MAX;
    assert_eq!(run(&posts, &likes, &r2).kind(), ErrorKind::InvalidInput);
}

#[test]
fn exhibition_takes_one_work_per_author() {
    let p = Policy::default();
    let regs: Vec<(u64, Timestamp)> = (1..=9).map(|v| (v, old_reg())).collect();
    let mut b = board_with(
        &p,
        &regs,
        &[
            (1, 1, "2024-03-04T01:00:00Z"),
            (2, 1, "2024-03-11T01:00:00Z"),
            (3, 2, "2024-03-12T01:00:00Z"),
            (4, 3, "2024-02-29T01:00:00Z"), // February
            (5, 4, "2024-03-13T01:00:00Z"),
        ],
    );
    let mut id = 0;
    for (post, n, day) in [
        (1u64, 4u64, "2024-03-05"),
        (2, 3, "2024-03-12"),
        (3, 2, "2024-03-13"),
        (4, 5, "2024-03-01"),
        (5, 2, "2024-03-14"),
    ] {
        for liker in 5..5 + n {
            id += 1;
            b.apply(&like(id, liker, post, &format!("{day}T02:00:00Z")))
                .unwrap();
        }
    }
    let ex = b.exhibition("2024-03".parse().unwrap(), 10).unwrap();
    let got: Vec<(u32, u64)> = ex.works.iter().map(|e| (e.rank, e.post)).collect();
    assert_eq!(got, [(1, 1), (2, 3), (2, 5)]);
    let ex2 = b.exhibition("2024-03".parse().unwrap(), 2).unwrap();
    assert_eq!(ex2.works.len(), 2);
    assert_eq!(
        b.exhibition("2024-W10".parse().unwrap(), 2)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
}

#[test]
fn merge_refuses_other_policies() {
    let a = LikePartial::empty(&Policy::default());
    let mut spec = PolicySpec::default();
    spec.likes.author_cap = 5;
    let mut b = LikePartial::empty(&Policy::new(spec).unwrap());
    let e = b.merge(&a).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(
        e.to_string().starts_with("policy_hash: cannot merge"),
        "{e}"
    );
}

#[test]
fn policy_fields_validate_with_paths() {
    for (toml, msg) in [
        (
            "[likes]\nauthor_cap = 0\n",
            "likes.author_cap: must be >= 1",
        ),
        (
            "[likes]\nliker_weekly_cap = 0\n",
            "likes.liker_weekly_cap: must be >= 1 when set",
        ),
        (
            "[likes]\nnew_account_days = 7\nfull_weight_days = 3\n",
            "likes.full_weight_days: must be within new_account_days..=3650",
        ),
        (
            "[likes]\nwindow_grace_minutes = 20000\n",
            "likes.window_grace_minutes: must be <= 10080 (one week)",
        ),
    ] {
        let e = Policy::from_toml(toml).unwrap_err();
        assert_eq!(
            (e.kind(), e.to_string()),
            (ErrorKind::PolicyInvalid, msg.to_owned())
        );
    }
    // The example in docs/policy/likes.md.
    let p = Policy::from_toml(
        "[likes]\nauthor_cap = 3\nliker_weekly_cap = 20\nnew_account_days = 7\nfull_weight_days = 14\nwindow_grace_minutes = 60\n",
    )
    .unwrap();
    assert_eq!(p.likes.liker_weekly_cap, Some(20));
    assert_eq!(p.likes.full_weight_days, 14);
    assert_eq!(Policy::default().likes.author_cap, 3);
}

#[test]
fn feed_comments_and_topics() {
    let p = Policy::default();
    let mut f = Feed::new(&p);
    let mut post = Post::new(1, 1, t("2024-03-04T01:00:00Z"));
    post.topic = Some("敬老".into());
    post.media_count = 3;
    f.add_post(post.clone()).unwrap();
    f.add_post(post.clone()).unwrap(); // replay
    let mut p2 = Post::new(2, 2, t("2024-03-05T01:00:00Z"));
    p2.topic = Some("敬老".into());
    f.add_post(p2).unwrap();
    let mut p3 = Post::new(3, 2, t("2024-03-05T01:00:00Z"));
    p3.topic = Some("环保".into());
    f.add_post(p3).unwrap();
    assert_eq!(
        f.topic("敬老").iter().map(|p| p.id).collect::<Vec<_>>(),
        [2, 1]
    );
    let topics: Vec<(String, u64)> = f.topics().into_iter().map(|t| (t.topic, t.posts)).collect();
    assert_eq!(topics, [("敬老".to_owned(), 2), ("环保".to_owned(), 1)]);
    let mut bad = Post::new(4, 1, t("2024-03-04T01:00:00Z"));
    bad.media_count = 10;
    assert_eq!(
        f.add_post(bad).unwrap_err().to_string(),
        "post 4.media_count: 10 exceeds likes.max_media = 9"
    );
    let mut changed = post.clone();
    changed.media_count = 1;
    assert_eq!(f.add_post(changed).unwrap_err().kind(), ErrorKind::Conflict);
    let c = |id, time: &str, text: &str| Comment {
        id,
        post: 1,
        author: 2,
        time: t(time),
        text: text.into(),
    };
    f.add_comment(c(2, "2024-03-04T03:00:00Z", "好样的"))
        .unwrap();
    f.add_comment(c(1, "2024-03-04T02:00:00Z", "点赞")).unwrap();
    assert_eq!(
        f.comments(1)
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(
        f.add_comment(c(3, "2024-03-04T00:00:00Z", "早"))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        f.add_comment(c(3, "2024-03-04T04:00:00Z", " "))
            .unwrap_err()
            .to_string(),
        "comment 3.text: must not be blank"
    );
    let mut orphan = c(4, "2024-03-04T04:00:00Z", "x");
    orphan.post = 9;
    assert_eq!(
        f.add_comment(orphan).unwrap_err().to_string(),
        "comment 4.post: unknown post 9"
    );
    assert_eq!(f.comments(9).unwrap_err().kind(), ErrorKind::NotFound);
    // Likes go through to the board.
    f.register(1, old_reg()).unwrap();
    f.register(2, old_reg()).unwrap();
    f.like(&like(1, 2, 1, "2024-03-04T05:00:00Z")).unwrap();
    assert_eq!(
        f.likes()
            .board("2024-W10".parse().unwrap(), 5)
            .unwrap()
            .posts[0]
            .post,
        1
    );
}

#[test]
fn boards_serialize_as_the_wire_schema() {
    let p = Policy::default();
    let mut b = board_with(
        &p,
        &[(1, old_reg()), (2, old_reg())],
        &[(1, 1, "2024-03-04T01:00:00Z")],
    );
    b.apply(&like(1, 2, 1, "2024-03-05T01:00:00Z")).unwrap();
    let v = serde_json::to_value(b.board("2024-W10".parse().unwrap(), 5).unwrap()).unwrap();
    assert_eq!(v["week"], "2024-W10");
    assert_eq!(v["posts"][0]["time"], "2024-03-04T01:00:00Z");
    assert_eq!(v["authors"][0]["first_post_time"], "2024-03-04T01:00:00Z");
    let verdicts = serde_json::to_value(b.verdicts()).unwrap();
    assert_eq!(
        verdicts,
        serde_json::json!([{"event": 1, "weight": 1000, "reason": null}])
    );
    let _ = UtcOffset::CST;
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A board restored from its snapshot midway behaves like the original
    /// for the rest of the events: same verdicts, partial, boards and
    /// snapshot text.
    #[test]
    fn snapshot_restore_midway_gives_the_same_board(
        p in policies(), w in world(), split in 0usize..60, seed in any::<u64>()
    ) {
        let order = shuffled(w.events.len(), seed);
        let split = split.min(order.len());
        let mut a = w.incremental(&p, &order[..split]);
        let mut b = LikeBoard::restore(&a.snapshot()).unwrap();
        prop_assert_eq!(b.snapshot(), a.snapshot());
        for &i in &order[split..] {
            a.apply(&w.events[i]).unwrap();
            b.apply(&w.events[i]).unwrap();
        }
        prop_assert_eq!(b.verdicts(), a.verdicts());
        prop_assert_eq!(b.partial(), a.partial());
        prop_assert_eq!(b.weeks(), a.weeks());
        for week in a.weeks() {
            prop_assert_eq!(b.board(week, 3).unwrap(), a.board(week, 3).unwrap());
        }
        prop_assert_eq!(b.snapshot(), a.snapshot());
    }
}
