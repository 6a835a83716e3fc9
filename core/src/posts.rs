//! 文明秀 show posts: posts, likes, comments, topics, and the valid-like
//! filter's policy and reason codes.
//!
//! A [`Feed`] stores posts (author, time, topic, linked activity, media
//! count), comments and like / unlike events, and keeps the incremental
//! weekly [`LikeBoard`] up to date. Every like
//! is either counted (weight in thousandths, [`FULL_WEIGHT`] = one like) or
//! discounted with exactly one [`LikeReason`]; `docs/rankings/likes.md`
//! lists the filter steps in order.
//!
//! ```
//! use zhiyuan::Policy;
//! use zhiyuan::posts::{Feed, LikeAction, LikeEvent, Post};
//! use zhiyuan::time::Period;
//! let mut feed = Feed::new(&Policy::default());
//! let t = |s: &str| s.parse().unwrap();
//! feed.register(1, t("2024-01-01T00:00:00Z"))?;
//! feed.register(2, t("2024-01-01T00:00:00Z"))?;
//! feed.add_post(Post::new(10, 1, t("2024-03-04T02:00:00Z")))?;
//! feed.like(&LikeEvent::new(100, 2, 10, t("2024-03-04T03:00:00Z"), LikeAction::Like))?;
//! feed.like(&LikeEvent::new(101, 1, 10, t("2024-03-04T03:00:00Z"), LikeAction::Like))?; // self-like
//! let board = feed.likes().board("2024-W10".parse::<Period>()?, 10)?;
//! assert_eq!(board.posts[0].weight, 1000); // one valid like, in thousandths
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::hours::{ActivityId, VolunteerId};
use crate::leaderboard::LikeBoard;
use crate::policy::{Policy, ensure};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A post id.
pub type PostId = u64;
/// A like / unlike event id (the idempotency key of the event).
pub type LikeEventId = u64;
/// A comment id.
pub type CommentId = u64;

/// The weight of one full like, in thousandths. Weights are exact integers.
pub const FULL_WEIGHT: i64 = 1000;

/// The valid-like filter (policy section `likes`). Defaults from
/// domain-rules §0 and §4; `docs/policy/likes.md` lists every field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LikesPolicy {
    /// At most this many likes counted per (liker, author, ISO week); the
    /// earliest by (time, event id) count (`AUTHOR_CAP`). Default 3.
    pub author_cap: u32,
    /// Optional cap on counted likes per (liker, ISO week), applied after the
    /// author cap, earliest first (`LIKER_CAP`). Default off.
    pub liker_weekly_cap: Option<u32>,
    /// A like from an account registered less than this many days before
    /// the like weighs 0 (`NEW_ACCOUNT`). Default 7.
    pub new_account_days: u32,
    /// Full weight from this many days of account age; between
    /// `new_account_days` and this the weight ramps linearly (floored to a
    /// thousandth). Equal to `new_account_days` (default 7): no ramp.
    pub full_weight_days: u32,
    /// Likes up to this many minutes after the post's week closes still
    /// count. Default 0: the window is the post's ISO week.
    pub window_grace_minutes: u32,
    /// Most pictures or videos on one post. Default 9.
    pub max_media: u32,
    /// Longest comment, in characters. Default 500.
    pub max_comment_chars: u32,
}

impl Default for LikesPolicy {
    fn default() -> Self {
        LikesPolicy {
            author_cap: 3,
            liker_weekly_cap: None,
            new_account_days: 7,
            full_weight_days: 7,
            window_grace_minutes: 0,
            max_media: 9,
            max_comment_chars: 500,
        }
    }
}

impl LikesPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        ensure(self.author_cap >= 1, "author_cap", "must be >= 1")?;
        ensure(
            self.liker_weekly_cap.is_none_or(|c| c >= 1),
            "liker_weekly_cap",
            "must be >= 1 when set",
        )?;
        ensure(
            self.new_account_days <= 3650,
            "new_account_days",
            "must be <= 3650",
        )?;
        ensure(
            self.full_weight_days >= self.new_account_days && self.full_weight_days <= 3650,
            "full_weight_days",
            "must be within new_account_days..=3650",
        )?;
        ensure(
            self.window_grace_minutes <= 7 * 24 * 60,
            "window_grace_minutes",
            "must be <= 10080 (one week)",
        )?;
        ensure(
            self.max_comment_chars >= 1,
            "max_comment_chars",
            "must be >= 1",
        )?;
        Ok(())
    }
}

/// Like or unlike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LikeAction {
    /// A like (column code 0).
    Like,
    /// Withdraws the liker's like of the post (column code 1).
    Unlike,
}

impl LikeAction {
    /// The column code: 0 like, 1 unlike.
    pub fn code(self) -> u8 {
        match self {
            LikeAction::Like => 0,
            LikeAction::Unlike => 1,
        }
    }

    /// From a column code; `None` for anything but 0 or 1.
    pub fn from_code(c: u8) -> Option<Self> {
        match c {
            0 => Some(LikeAction::Like),
            1 => Some(LikeAction::Unlike),
            _ => None,
        }
    }
}

/// One like or unlike. Idempotent by `id`: a replay is a no-op, the same id
/// with other content is a conflict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LikeEvent {
    /// Event id.
    pub id: LikeEventId,
    /// Who likes.
    pub liker: VolunteerId,
    /// Which post.
    pub post: PostId,
    /// When.
    pub time: Timestamp,
    /// Like or unlike.
    pub action: LikeAction,
}

impl LikeEvent {
    /// An event.
    pub fn new(
        id: LikeEventId,
        liker: VolunteerId,
        post: PostId,
        time: Timestamp,
        action: LikeAction,
    ) -> Self {
        LikeEvent {
            id,
            liker,
            post,
            time,
            action,
        }
    }
}

/// Why a like was discounted (or, for [`LikeReason::NewAccount`], reduced).
/// Listed in the order the filter applies them; the first that applies is
/// the like's only reason. Column code in brackets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LikeReason {
    /// `OUTSIDE_WINDOW` (1): the like's time is before the post or after
    /// its week (plus grace) closed.
    OutsideWindow,
    /// `SELF_LIKE` (2): the liker wrote the post.
    SelfLike,
    /// `DUPLICATE` (3): the liker already liked the post.
    Duplicate,
    /// `UNLIKED` (4): withdrawn by a later unlike.
    Unliked,
    /// `NEW_ACCOUNT` (5): the account was younger than `new_account_days`
    /// (weight 0), or inside the ramp (weight below full).
    NewAccount,
    /// `AUTHOR_CAP` (6): beyond `author_cap` for this (liker, author, week).
    AuthorCap,
    /// `LIKER_CAP` (7): beyond `liker_weekly_cap` for this (liker, week).
    LikerCap,
}

impl LikeReason {
    /// Every reason, in filter order.
    pub const ALL: [LikeReason; 7] = [
        LikeReason::OutsideWindow,
        LikeReason::SelfLike,
        LikeReason::Duplicate,
        LikeReason::Unliked,
        LikeReason::NewAccount,
        LikeReason::AuthorCap,
        LikeReason::LikerCap,
    ];

    /// The reason code as published (`AUTHOR_CAP`).
    pub fn as_str(self) -> &'static str {
        match self {
            LikeReason::OutsideWindow => "OUTSIDE_WINDOW",
            LikeReason::SelfLike => "SELF_LIKE",
            LikeReason::Duplicate => "DUPLICATE",
            LikeReason::Unliked => "UNLIKED",
            LikeReason::NewAccount => "NEW_ACCOUNT",
            LikeReason::AuthorCap => "AUTHOR_CAP",
            LikeReason::LikerCap => "LIKER_CAP",
        }
    }

    /// The column code, 1–7 (0 means no reason).
    pub fn code(self) -> u8 {
        self as u8 + 1
    }
}

impl fmt::Display for LikeReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the filter decided for one like event. `weight` is in thousandths;
/// `reason` is `None` exactly when the like counts at [`FULL_WEIGHT`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LikeVerdict {
    /// The like event.
    pub event: LikeEventId,
    /// Counted weight, 0..=1000.
    pub weight: i64,
    /// Why it weighs less than a full like.
    pub reason: Option<LikeReason>,
}

/// A show post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Post {
    /// Post id.
    pub id: PostId,
    /// The volunteer who posted.
    pub author: VolunteerId,
    /// When it was posted; its ISO week (local time) is the board it
    /// competes on.
    pub time: Timestamp,
    /// Topic (话题), e.g. `"敬老"`.
    #[serde(default)]
    pub topic: Option<String>,
    /// The volunteer activity it shows, if any.
    #[serde(default)]
    pub activity: Option<ActivityId>,
    /// Number of pictures / videos.
    #[serde(default)]
    pub media_count: u32,
}

impl Post {
    /// A post with no topic, activity or media.
    pub fn new(id: PostId, author: VolunteerId, time: Timestamp) -> Self {
        Post {
            id,
            author,
            time,
            topic: None,
            activity: None,
            media_count: 0,
        }
    }
}

/// A comment on a post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    /// Comment id.
    pub id: CommentId,
    /// The post commented on.
    pub post: PostId,
    /// Who wrote it.
    pub author: VolunteerId,
    /// When.
    pub time: Timestamp,
    /// The text, 1..=`max_comment_chars` characters.
    pub text: String,
}

/// A topic and how many posts carry it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicCount {
    /// The topic.
    pub topic: String,
    /// Posts with that topic.
    pub posts: u64,
}

/// Posts, comments and likes of one 文明秀 feed, with the incremental like
/// board kept in step.
#[derive(Clone, Debug)]
pub struct Feed {
    policy: Policy,
    posts: BTreeMap<PostId, Post>,
    comments: BTreeMap<CommentId, Comment>,
    board: LikeBoard,
}

impl Feed {
    /// An empty feed under `policy`.
    pub fn new(policy: &Policy) -> Self {
        Feed {
            policy: policy.clone(),
            posts: BTreeMap::new(),
            comments: BTreeMap::new(),
            board: LikeBoard::new(policy),
        }
    }

    /// Records when `volunteer` registered (needed for `NEW_ACCOUNT`).
    /// Repeating the same time is a no-op; another time is a conflict.
    pub fn register(&mut self, volunteer: VolunteerId, registered_at: Timestamp) -> Result<()> {
        self.board.register(volunteer, registered_at)
    }

    /// Adds a post. The same post again is a no-op; the same id with other
    /// content is a conflict.
    pub fn add_post(&mut self, post: Post) -> Result<()> {
        let field = format!("post {}", post.id);
        if let Some(old) = self.posts.get(&post.id) {
            return if *old == post {
                Ok(())
            } else {
                Err(Error::conflict(field, "id reused with different content"))
            };
        }
        if post.media_count > self.policy.likes.max_media {
            return Err(Error::invalid_input(
                format!("{field}.media_count"),
                format!(
                    "{} exceeds likes.max_media = {}",
                    post.media_count, self.policy.likes.max_media
                ),
            ));
        }
        if let Some(t) = &post.topic
            && t.trim().is_empty()
        {
            return Err(Error::invalid_input(
                format!("{field}.topic"),
                "must not be blank",
            ));
        }
        self.board.add_post(post.id, post.author, post.time)?;
        self.posts.insert(post.id, post);
        Ok(())
    }

    /// Applies a like or unlike (idempotent by event id).
    pub fn like(&mut self, event: &LikeEvent) -> Result<()> {
        self.board.apply(event)
    }

    /// Adds a comment. The same comment again is a no-op; the same id with
    /// other content is a conflict.
    pub fn add_comment(&mut self, c: Comment) -> Result<()> {
        let field = format!("comment {}", c.id);
        if let Some(old) = self.comments.get(&c.id) {
            return if *old == c {
                Ok(())
            } else {
                Err(Error::conflict(field, "id reused with different content"))
            };
        }
        let post = self.posts.get(&c.post).ok_or_else(|| {
            Error::not_found(format!("{field}.post"), format!("unknown post {}", c.post))
        })?;
        if c.time < post.time {
            return Err(Error::invalid_input(
                format!("{field}.time"),
                format!(
                    "{} is before post {} was posted at {}",
                    c.time, post.id, post.time
                ),
            ));
        }
        let chars = c.text.chars().count();
        let max = self.policy.likes.max_comment_chars as usize;
        if c.text.trim().is_empty() {
            return Err(Error::invalid_input(
                format!("{field}.text"),
                "must not be blank",
            ));
        }
        if chars > max {
            return Err(Error::invalid_input(
                format!("{field}.text"),
                format!("must have 1..={max} characters, has {chars}"),
            ));
        }
        self.comments.insert(c.id, c);
        Ok(())
    }

    /// A post by id.
    pub fn post(&self, id: PostId) -> Result<&Post> {
        self.posts
            .get(&id)
            .ok_or_else(|| Error::not_found("post", format!("unknown post {id}")))
    }

    /// The comments of a post, oldest first (ties by comment id).
    pub fn comments(&self, post: PostId) -> Result<Vec<&Comment>> {
        self.post(post)?;
        let mut out: Vec<&Comment> = self.comments.values().filter(|c| c.post == post).collect();
        out.sort_by_key(|c| (c.time, c.id));
        Ok(out)
    }

    /// The posts of a topic, newest first (ties by larger post id first).
    pub fn topic(&self, topic: &str) -> Vec<&Post> {
        let mut out: Vec<&Post> = self
            .posts
            .values()
            .filter(|p| p.topic.as_deref() == Some(topic))
            .collect();
        out.sort_by(|a, b| b.time.cmp(&a.time).then(b.id.cmp(&a.id)));
        out
    }

    /// Every topic with its post count: most posts first, then by name.
    pub fn topics(&self) -> Vec<TopicCount> {
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for t in self.posts.values().filter_map(|p| p.topic.as_deref()) {
            *counts.entry(t).or_default() += 1;
        }
        let mut out: Vec<TopicCount> = counts
            .into_iter()
            .map(|(t, n)| TopicCount {
                topic: t.to_owned(),
                posts: n,
            })
            .collect();
        out.sort_by(|a, b| b.posts.cmp(&a.posts).then_with(|| a.topic.cmp(&b.topic)));
        out
    }

    /// The incremental like board (weekly boards, exhibition, verdicts).
    pub fn likes(&self) -> &LikeBoard {
        &self.board
    }

    /// A JSON snapshot (see [`crate::saved`]): the policy, registrations,
    /// posts and comments by id, and the like events as columns by id.
    pub fn snapshot(&self) -> String {
        let inputs = self.board.inputs();
        let state = SavedFeed {
            registrations: inputs.registrations,
            posts: self.posts.values().cloned().collect(),
            comments: self.comments.values().cloned().collect(),
            likes: inputs.likes,
        };
        crate::saved::save(FEED_FORMAT, Some(&self.policy), &state)
    }

    /// Rebuilds a feed from [`snapshot`](Self::snapshot) text through the
    /// same calls as the original (register, add posts, add comments,
    /// apply likes), so every check applies again; a bad row is an error
    /// naming `snapshot.state.<list>[i]`.
    pub fn restore(json: &str) -> Result<Self> {
        let (policy, state): (Policy, SavedFeed) = crate::saved::load(json, FEED_FORMAT)?;
        let mut feed = Feed::new(&policy);
        let at = |list: &str, i: usize| format!("snapshot.state.{list}[{i}]");
        feed.board
            .replay_registrations(&state.registrations)
            .map_err(|e| e.at("snapshot.state"))?;
        for (i, p) in state.posts.into_iter().enumerate() {
            if feed.posts.contains_key(&p.id) {
                return Err(Error::conflict(
                    at("posts", i),
                    format!("post {} is listed twice", p.id),
                ));
            }
            feed.add_post(p).map_err(|e| e.at(&at("posts", i)))?;
        }
        for (i, c) in state.comments.into_iter().enumerate() {
            if feed.comments.contains_key(&c.id) {
                return Err(Error::conflict(
                    at("comments", i),
                    format!("comment {} is listed twice", c.id),
                ));
            }
            feed.add_comment(c).map_err(|e| e.at(&at("comments", i)))?;
        }
        feed.board
            .replay_likes(&state.likes)
            .map_err(|e| e.at("snapshot.state"))?;
        Ok(feed)
    }
}

const FEED_FORMAT: &str = "zhiyuan.feed.v1";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedFeed {
    registrations: crate::leaderboard::RegistrationTable,
    posts: Vec<Post>,
    comments: Vec<Comment>,
    likes: crate::leaderboard::LikeTable,
}
