//! Replays `tests/vectors/leaderboard/*.json` through the 文明秀 feed, the
//! incremental like board and the batch functions.
//!
//! Every scenario starts with an empty [`Feed`] under the scenario policy.
//! Ops (inputs and outputs are the serde forms of the core types):
//! - `feed.register`: `{volunteer, registered_at}` → `null`
//! - `feed.add_post`: `Post` → `null`
//! - `feed.like`: `LikeEvent` → `null`
//! - `feed.add_comment`: `Comment` → `null`
//! - `feed.comments`: `{post}` → `[Comment]`
//! - `feed.topic`: `{topic}` → `[Post]`
//! - `feed.topics`: `{}` → `[TopicCount]`
//! - `feed.weeks`: `{}` → `[week]`
//! - `feed.board`: `{week, k}` → `WeeklyBoard`
//! - `feed.exhibition`: `{month, n}` → `Exhibition`
//! - `feed.verdicts`: `{}` → `[LikeVerdict]`
//! - `feed.partial`: `{}` → `LikePartial`
//! - `batch.like_batch`: `{posts, likes, registrations, options?}` → `LikeBatch`
//! - `batch.weekly_boards`: `{posts, likes, registrations, k}` → `[WeeklyBoard]`
//! - `partial.merge`: `{partials: [LikePartial]}` → `LikePartial` (folded left)
//! - `partial.boards`: `{partial, k}` → `[WeeklyBoard]`
//! - `partial.exhibition`: `{partial, month, n}` → `Exhibition`
//!
//! Outputs write the scenario policy's hash as the string `"$policy_hash"`,
//! so vectors survive changes to other policy sections' defaults; runners
//! in every layer substitute it both ways.

use crate::vectors;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use zhiyuan::Error;
use zhiyuan::leaderboard::{
    BatchOptions, LikePartial, LikeTable, PostTable, RegistrationTable, like_batch, weekly_boards,
};
use zhiyuan::posts::{Comment, Feed, LikeEvent, Post};
use zhiyuan::time::{Period, Timestamp};

fn arg<T: DeserializeOwned>(input: &Value) -> Result<T, Error> {
    serde_json::from_value(input.clone()).map_err(|e| Error::invalid_input("input", e.to_string()))
}

fn out<T: serde::Serialize>(v: T) -> Result<Value, Error> {
    Ok(serde_json::to_value(v).expect("core types serialize"))
}

#[derive(Deserialize)]
struct Register {
    volunteer: u64,
    registered_at: Timestamp,
}
#[derive(Deserialize)]
struct PostArg {
    post: u64,
}
#[derive(Deserialize)]
struct TopicArg {
    topic: String,
}
#[derive(Deserialize)]
struct BoardArg {
    week: Period,
    k: usize,
}
#[derive(Deserialize)]
struct ExhibitionArg {
    month: Period,
    n: usize,
}
#[derive(Deserialize)]
struct Tables {
    posts: PostTable,
    likes: LikeTable,
    registrations: RegistrationTable,
    #[serde(default)]
    options: BatchOptions,
    #[serde(default)]
    k: usize,
    #[serde(default)]
    threads: zhiyuan::threads::Threads,
}
#[derive(Deserialize)]
struct Merge {
    partials: Vec<LikePartial>,
}
#[derive(Deserialize)]
struct PartialBoards {
    partial: LikePartial,
    #[serde(default)]
    k: usize,
    month: Option<Period>,
    #[serde(default)]
    n: usize,
}

/// Replaces `from` by `to` in every string of `v`.
fn swap_hash(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::String(s) if s == from => *s = to.to_owned(),
        Value::Array(a) => a.iter_mut().for_each(|x| swap_hash(x, from, to)),
        Value::Object(o) => o.values_mut().for_each(|x| swap_hash(x, from, to)),
        _ => {}
    }
}

#[test]
fn leaderboard_vectors() {
    let mut steps = 0;
    for s in vectors::load("leaderboard") {
        let policy = s.policy.clone();
        let hash = policy.hash().to_owned();
        let mut feed = Feed::new(&policy);
        steps += vectors::run(&s, |op, input| {
            let mut input = input.clone();
            swap_hash(&mut input, "$policy_hash", &hash);
            let mut v = match op {
                "feed.register" => {
                    let a: Register = arg(&input)?;
                    out(feed.register(a.volunteer, a.registered_at)?)
                }
                "feed.add_post" => out(feed.add_post(arg::<Post>(&input)?)?),
                "feed.like" => out(feed.like(&arg::<LikeEvent>(&input)?)?),
                "feed.add_comment" => out(feed.add_comment(arg::<Comment>(&input)?)?),
                "feed.comments" => out(feed.comments(arg::<PostArg>(&input)?.post)?),
                "feed.topic" => out(feed.topic(&arg::<TopicArg>(&input)?.topic)),
                "feed.topics" => out(feed.topics()),
                "feed.weeks" => out(feed.likes().weeks()),
                "feed.board" => {
                    let a: BoardArg = arg(&input)?;
                    out(feed.likes().board(a.week, a.k)?)
                }
                "feed.exhibition" => {
                    let a: ExhibitionArg = arg(&input)?;
                    out(feed.likes().exhibition(a.month, a.n)?)
                }
                "feed.verdicts" => out(feed.likes().verdicts()),
                "feed.partial" => out(feed.likes().partial()),
                "batch.like_batch" => {
                    let t: Tables = arg(&input)?;
                    out(like_batch(
                        t.posts.columns(),
                        t.likes.columns(),
                        t.registrations.columns(),
                        &policy,
                        &t.options,
                    )?)
                }
                "batch.weekly_boards" => {
                    let t: Tables = arg(&input)?;
                    out(weekly_boards(
                        t.posts.columns(),
                        t.likes.columns(),
                        t.registrations.columns(),
                        &policy,
                        t.k,
                        t.threads,
                    )?)
                }
                "partial.merge" => {
                    let m: Merge = arg(&input)?;
                    let mut it = m.partials.into_iter();
                    let mut acc = it
                        .next()
                        .ok_or_else(|| Error::invalid_input("partials", "empty"))?;
                    for p in it {
                        acc.merge(&p)?;
                    }
                    out(acc)
                }
                "partial.boards" => {
                    let a: PartialBoards = arg(&input)?;
                    out(a.partial.boards(a.k))
                }
                "partial.exhibition" => {
                    let a: PartialBoards = arg(&input)?;
                    let month = a
                        .month
                        .ok_or_else(|| Error::invalid_input("month", "missing"))?;
                    out(a.partial.exhibition(month, a.n)?)
                }
                _ => panic!("{}: unknown op {op}", s.file),
            }
            .map_err(|e| {
                let field = e.field().unwrap_or_default().to_owned();
                Error::new(e.kind(), field, e.reason().replace(&hash, "$policy_hash"))
            })?;
            swap_hash(&mut v, &hash, "$policy_hash");
            Ok(v)
        });
    }
    assert!(steps >= 40, "only {steps} steps");
}
