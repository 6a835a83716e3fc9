//! 文明秀 posts, likes and the weekly like leaderboard.
//!
//! - `zy_feed`: the incremental handle (register volunteers, add posts,
//!   apply like / unlike events, comments) with board, exhibition, verdict
//!   and partial queries;
//! - batch JSON calls over whole tables (`zy_like_batch_json`,
//!   `zy_weekly_boards_json`) and over mergeable partials
//!   (`zy_like_partial_*_json`), for back ends that shard the likes;
//! - the column call `zy_weekly_boards_columns`: the caller's arrays read in
//!   place (tens of millions of likes, no JSON on the way in), the boards
//!   out as the same JSON as `zy_weekly_boards_json`.
//!
//! Ops and schemas as in `tests/vectors/leaderboard`
//! (`core/tests/vectors_boards.rs`).

use crate::boundary::{
    Handle, ffi_boundary, mut_json, out_arg, owned_string, plain_json, policy_handle, ref_arg,
    ref_json, slice_arg, threads_arg, to_json,
};
use crate::error::{CallError, zy_status};
use crate::policy::zy_policy;
use serde::Deserialize;
use std::ffi::c_char;
use zhiyuan::hours::VolunteerId;
use zhiyuan::leaderboard::{
    BatchOptions, LikeColumns, LikePartial, LikeTable, PostColumns, PostTable, RegistrationColumns,
    RegistrationTable, like_batch, weekly_boards,
};
use zhiyuan::posts::{Comment, Feed, LikeEvent, Post, PostId};
use zhiyuan::threads::Threads;
use zhiyuan::time::{Period, Timestamp};

/// The 文明秀 feed (opaque): posts, comments, topics and the incremental
/// like board under one policy.
///
/// Thread safety as for `zy_ledger`.
#[allow(non_camel_case_types)]
pub struct zy_feed {
    inner: Feed,
}

impl Handle for zy_feed {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterArgs {
    volunteer: VolunteerId,
    registered_at: Timestamp,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PostArgs {
    post: PostId,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicArgs {
    topic: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoArgs {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BoardArgs {
    week: Period,
    k: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExhibitionArgs {
    month: Period,
    n: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TablesArgs {
    posts: PostTable,
    likes: LikeTable,
    registrations: RegistrationTable,
    #[serde(default)]
    options: BatchOptions,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BoardsArgs {
    posts: PostTable,
    likes: LikeTable,
    registrations: RegistrationTable,
    k: usize,
    /// Thread count, `null`/absent = the global pool.
    #[serde(default)]
    threads: Threads,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeArgs {
    partials: Vec<LikePartial>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartialBoardsArgs {
    partial: LikePartial,
    k: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartialExhibitionArgs {
    partial: LikePartial,
    month: Period,
    n: usize,
}

/// Starts an empty feed under `policy` (copied).
///
/// # Safety
/// `policy` must be NULL or a live policy; `out` NULL or writable. On
/// success `*out` owns the feed: free it with `zy_feed_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_feed_new(
    policy: *const zy_policy,
    out: *mut *mut zy_feed,
) -> zy_status {
    policy_handle(policy, out, |p| {
        Ok(zy_feed {
            inner: Feed::new(&p.inner),
        })
    })
}

/// `feed.register`: `{"volunteer", "registered_at"}` → `null`.
///
/// # Safety
/// `feed` must be NULL or a live feed (with no concurrent call for the
/// mutating calls); `in_json` NULL or a NUL-terminated string; `out_json`
/// NULL or writable. On success `*out_json` is owned: free it with
/// `zy_string_free`. The same holds for every `zy_feed_*_json` call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_feed_register_json(
    feed: *mut zy_feed,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(feed, "feed", in_json, out_json, |f, a: RegisterArgs| {
        f.inner.register(a.volunteer, a.registered_at)
    })
}

/// `feed.add_post`: `Post` → `null`.
///
/// # Safety
/// As for `zy_feed_register_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_feed_add_post_json(
    feed: *mut zy_feed,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(feed, "feed", in_json, out_json, |f, p: Post| {
        f.inner.add_post(p)
    })
}

/// `feed.like`: `LikeEvent` (like or unlike) → `null`; the like board is
/// updated incrementally.
///
/// # Safety
/// As for `zy_feed_register_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_feed_like_json(
    feed: *mut zy_feed,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(feed, "feed", in_json, out_json, |f, e: LikeEvent| {
        f.inner.like(&e)
    })
}

/// `feed.add_comment`: `Comment` → `null`.
///
/// # Safety
/// As for `zy_feed_register_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_feed_add_comment_json(
    feed: *mut zy_feed,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(feed, "feed", in_json, out_json, |f, c: Comment| {
        f.inner.add_comment(c)
    })
}

/// `feed.comments`: `{"post"}` → `[Comment]`.
///
/// # Safety
/// As for `zy_feed_register_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_feed_comments_json(
    feed: *const zy_feed,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(feed, "feed", in_json, out_json, |f, a: PostArgs| {
        f.inner
            .comments(a.post)
            .map(|cs| cs.into_iter().cloned().collect::<Vec<Comment>>())
    })
}

/// `feed.topic`: `{"topic"}` → `[Post]`.
///
/// # Safety
/// As for `zy_feed_register_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_feed_topic_json(
    feed: *const zy_feed,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(feed, "feed", in_json, out_json, |f, a: TopicArgs| {
        Ok::<_, CallError>(
            f.inner
                .topic(&a.topic)
                .into_iter()
                .cloned()
                .collect::<Vec<Post>>(),
        )
    })
}

/// `feed.topics`: `{}` → `[TopicCount]`.
///
/// # Safety
/// As for `zy_feed_register_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_feed_topics_json(
    feed: *const zy_feed,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(feed, "feed", in_json, out_json, |f, _: NoArgs| {
        Ok::<_, CallError>(f.inner.topics())
    })
}

/// `feed.weeks`: `{}` → the ISO weeks with likes (`["2024-W10"]`).
///
/// # Safety
/// As for `zy_feed_register_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_feed_weeks_json(
    feed: *const zy_feed,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(feed, "feed", in_json, out_json, |f, _: NoArgs| {
        Ok::<_, CallError>(f.inner.likes().weeks())
    })
}

/// `feed.board`: `{"week", "k"}` → `WeeklyBoard` (top `k` with the
/// declared tie order, the policy hash).
///
/// # Safety
/// As for `zy_feed_register_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_feed_board_json(
    feed: *const zy_feed,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(feed, "feed", in_json, out_json, |f, a: BoardArgs| {
        f.inner.likes().board(a.week, a.k)
    })
}

/// `feed.exhibition`: `{"month", "n"}` → `Exhibition`.
///
/// # Safety
/// As for `zy_feed_register_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_feed_exhibition_json(
    feed: *const zy_feed,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(feed, "feed", in_json, out_json, |f, a: ExhibitionArgs| {
        f.inner.likes().exhibition(a.month, a.n)
    })
}

/// `feed.verdicts`: `{}` → `[LikeVerdict]` (why each like counted or not).
///
/// # Safety
/// As for `zy_feed_register_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_feed_verdicts_json(
    feed: *const zy_feed,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(feed, "feed", in_json, out_json, |f, _: NoArgs| {
        Ok::<_, CallError>(f.inner.likes().verdicts())
    })
}

/// `feed.partial`: `{}` → `LikePartial`, the mergeable summary of the
/// board (for `zy_like_partial_*_json`).
///
/// # Safety
/// As for `zy_feed_register_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_feed_partial_json(
    feed: *const zy_feed,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(feed, "feed", in_json, out_json, |f, _: NoArgs| {
        Ok::<_, CallError>(f.inner.likes().partial())
    })
}

/// Frees a feed. NULL is a no-op.
///
/// # Safety
/// `feed` must be NULL or from `zy_feed_new`, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_feed_free(feed: *mut zy_feed) {
    unsafe { zy_feed::free(feed) }
}

/// `batch.like_batch`: `{"posts": PostTable, "likes": LikeTable,
/// "registrations": RegistrationTable, "options"?: BatchOptions}` (options
/// `{"verdicts", "check_event_ids", "threads": null | n}`) →
/// `LikeBatch` (the tables are columns: arrays per field).
///
/// # Safety
/// `policy` must be NULL or a live policy; `in_json` NULL or a
/// NUL-terminated string; `out_json` NULL or writable. On success
/// `*out_json` is owned: free it with `zy_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_like_batch_json(
    policy: *const zy_policy,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(policy, "policy", in_json, out_json, |p, t: TablesArgs| {
        like_batch(
            t.posts.columns(),
            t.likes.columns(),
            t.registrations.columns(),
            &p.inner,
            &t.options,
        )
    })
}

/// `batch.weekly_boards`: `{"posts", "likes", "registrations", "k",
/// "threads"?: null | n}` →
/// `[WeeklyBoard]`, one per week with likes.
///
/// # Safety
/// As for `zy_like_batch_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_weekly_boards_json(
    policy: *const zy_policy,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(policy, "policy", in_json, out_json, |p, t: BoardsArgs| {
        weekly_boards(
            t.posts.columns(),
            t.likes.columns(),
            t.registrations.columns(),
            &p.inner,
            t.k,
            t.threads,
        )
    })
}

/// Posts as columns of `n` rows (the caller's arrays, read in place).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct zy_post_columns {
    /// Post ids (unique).
    pub id: *const u64,
    /// Authors.
    pub author: *const u64,
    /// Post times, µs since the Unix epoch, UTC.
    pub time: *const i64,
}

/// Like events as columns of `n` rows (read in place).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct zy_like_columns {
    /// Event ids.
    pub event: *const u64,
    /// Likers.
    pub liker: *const u64,
    /// Liked posts.
    pub post: *const u64,
    /// Event times, µs since the Unix epoch, UTC.
    pub time: *const i64,
    /// 0 like, 1 unlike.
    pub action: *const u8,
}

/// Volunteer registrations as columns of `n` rows (read in place).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct zy_registration_columns {
    /// Volunteers (unique).
    pub volunteer: *const u64,
    /// Registration times, µs since the Unix epoch, UTC.
    pub registered_at: *const i64,
}

/// The top `k` posts and authors of every week with likes, from columns:
/// the same computation and the same `[WeeklyBoard]` JSON as
/// `zy_weekly_boards_json`, without JSON input. `threads` is 0 for the
/// global pool or an exact count (the output does not depend on it). A
/// NULL column with rows is `ZY_STATUS_NULL_ARGUMENT` naming it
/// (`likes.event`); bad rows are `ZY_STATUS_INVALID_INPUT` naming the row
/// (`likes[3].action: …`). On success `*out_json` is owned: free it with
/// `zy_string_free`.
///
/// # Safety
/// `policy` NULL or a live policy; each columns struct NULL or with every
/// pointer NULL or pointing to its `n_*` readable elements; `out_json`
/// NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn zy_weekly_boards_columns(
    policy: *const zy_policy,
    posts: *const zy_post_columns,
    n_posts: usize,
    likes: *const zy_like_columns,
    n_likes: usize,
    registrations: *const zy_registration_columns,
    n_registrations: usize,
    k: u32,
    threads: u32,
    out_json: *mut *mut c_char,
) -> zy_status {
    ffi_boundary(|| {
        // SAFETY (all): per the caller, live or NULL pointers to `n_*`
        // elements; NULL is refused by `ref_arg` / `slice_arg`.
        let p = unsafe { ref_arg(policy, "policy") }?;
        let (ps, ls) = unsafe { (ref_arg(posts, "posts")?, ref_arg(likes, "likes")?) };
        let rs = unsafe { ref_arg(registrations, "registrations") }?;
        let out = unsafe { out_arg(out_json, "out_json") }?;
        let threads = threads_arg(threads)?;
        let posts = unsafe {
            PostColumns {
                id: slice_arg(ps.id, n_posts, "posts.id")?,
                author: slice_arg(ps.author, n_posts, "posts.author")?,
                time: slice_arg(ps.time, n_posts, "posts.time")?,
            }
        };
        let likes = unsafe {
            LikeColumns {
                event: slice_arg(ls.event, n_likes, "likes.event")?,
                liker: slice_arg(ls.liker, n_likes, "likes.liker")?,
                post: slice_arg(ls.post, n_likes, "likes.post")?,
                time: slice_arg(ls.time, n_likes, "likes.time")?,
                action: slice_arg(ls.action, n_likes, "likes.action")?,
            }
        };
        let regs = unsafe {
            RegistrationColumns {
                volunteer: slice_arg(rs.volunteer, n_registrations, "registrations.volunteer")?,
                registered_at: slice_arg(
                    rs.registered_at,
                    n_registrations,
                    "registrations.registered_at",
                )?,
            }
        };
        let boards = weekly_boards(posts, likes, regs, &p.inner, k as usize, threads)?;
        out.write(owned_string(to_json(&boards)?)?);
        Ok(())
    })
}

/// `partial.merge`: `{"partials": [LikePartial]}` (at least one) → the
/// merged `LikePartial`, folded left. Partials of different policies are
/// `ZY_STATUS_CONFLICT`.
///
/// # Safety
/// `in_json` NULL or a NUL-terminated string; `out_json` NULL or writable.
/// On success `*out_json` is owned: free it with `zy_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_like_partial_merge_json(
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    plain_json(in_json, out_json, |a: MergeArgs| {
        let mut it = a.partials.into_iter();
        let mut acc = it
            .next()
            .ok_or_else(|| CallError::invalid("partials", "empty"))?;
        for p in it {
            acc.merge(&p)?;
        }
        Ok::<_, CallError>(acc)
    })
}

/// `partial.boards`: `{"partial", "k"}` → `[WeeklyBoard]`.
///
/// # Safety
/// As for `zy_like_partial_merge_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_like_partial_boards_json(
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    plain_json(in_json, out_json, |a: PartialBoardsArgs| {
        Ok::<_, CallError>(a.partial.boards(a.k))
    })
}

/// `partial.exhibition`: `{"partial", "month", "n"}` → `Exhibition`.
///
/// # Safety
/// As for `zy_like_partial_merge_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_like_partial_exhibition_json(
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    plain_json(in_json, out_json, |a: PartialExhibitionArgs| {
        a.partial.exhibition(a.month, a.n)
    })
}
