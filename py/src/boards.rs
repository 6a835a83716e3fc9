//! The 文明秀 feed and the weekly like leaderboard (点赞排行榜): the
//! incremental `Feed` / `LikeBoard` objects, and the batch
//! `weekly_leaderboard` / `like_batch` over Arrow tables with exact
//! per-week partials (`LikePartial`) that merge across partitions.

use crate::arrow::{ArrowColumn, ArrowTable, Column, Columns};
use crate::convert::{from_py, into_py_value_serde, py_value, serde_to_py, timestamp};
use crate::errors::{check, run};
use crate::policy::{Period, Policy, period_arg};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int8Type, UInt8Type};
use arrow_array::{Array, Int64Array, StringArray, UInt64Array};
use arrow_schema::DataType;
use pyo3::prelude::*;
use std::borrow::Cow;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use zhiyuan::leaderboard::{
    AuthorEntry, BatchOptions, LikeColumns, PostColumns, PostEntry, RegistrationColumns,
};
use zhiyuan::posts::{LikeAction, LikeReason};
use zhiyuan::threads::Threads;

into_py_value_serde!(PostEntry, AuthorEntry, LikeAction, LikeReason);

py_value!(
    /// A post on the 文明秀 feed.
    Post, "Post", zhiyuan::posts::Post,
    { id, author, time, topic, activity, media_count }
);

py_value!(
    /// A comment under a post.
    Comment, "Comment", zhiyuan::posts::Comment, { id, post, author, time, text }
);

py_value!(
    /// A like or unlike, as it happened.
    LikeEvent, "LikeEvent", zhiyuan::posts::LikeEvent, { id, liker, post, time, action }
);

py_value!(
    /// What a like event counts for: its weight (thousandths) and, when it
    /// counts less than fully, the reason (`self_like`, `liker_cap`, …).
    LikeVerdict, "LikeVerdict", zhiyuan::posts::LikeVerdict, { event, weight, reason }
);

py_value!(
    /// One week's top posts and authors (rows as dicts), with the policy
    /// hash used.
    WeeklyBoard, "WeeklyBoard", zhiyuan::leaderboard::WeeklyBoard,
    { week, policy_hash, posts, authors }
);

py_value!(
    /// A month's excellent-works exhibition.
    Exhibition, "Exhibition", zhiyuan::leaderboard::Exhibition, { month, policy_hash, works }
);

py_value!(
    /// Exact per-post weights per week from one partition of the likes.
    /// Partials of the same policy merge (`merge_partials`) into the answer
    /// for all partitions together.
    LikePartial, "LikePartial", zhiyuan::leaderboard::LikePartial, { policy_hash }
);

/// The weeks that have counted likes, oldest first.
fn weeks(b: &zhiyuan::leaderboard::LikeBoard) -> Vec<Period> {
    b.weeks().into_iter().map(Period).collect()
}

/// The incremental weekly like board. Register volunteers and add posts
/// before the likes that refer to them; then apply events in any order:
/// the boards depend only on the set of events. Safe to share across
/// threads (calls are serialised).
#[pyclass(frozen, module = "zhiyuan._zhiyuan", name = "LikeBoard")]
pub struct LikeBoard(Mutex<zhiyuan::leaderboard::LikeBoard>);

impl LikeBoard {
    fn lock(&self) -> MutexGuard<'_, zhiyuan::leaderboard::LikeBoard> {
        // Every core mutation validates before it changes anything.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[pymethods]
impl LikeBoard {
    /// The board as JSON (its policy and inputs, versioned); `restore`
    /// rebuilds it. Pickling goes through this.
    fn snapshot(&self, py: Python<'_>) -> PyResult<String> {
        run(py, || Ok(self.lock().snapshot()))
    }

    /// Rebuilds one from `snapshot()`, re-checking every input: a
    /// tampered snapshot raises an error naming the field.
    #[staticmethod]
    fn restore(py: Python<'_>, snapshot: &str) -> PyResult<Self> {
        run(py, || zhiyuan::leaderboard::LikeBoard::restore(snapshot))
            .map(|x| LikeBoard(Mutex::new(x)))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> crate::convert::Reduced<'py> {
        crate::convert::reduce_via_restore(slf, slf.get().lock().snapshot())
    }

    /// An empty board under `policy`.
    #[new]
    fn py_new(policy: &Bound<'_, Policy>) -> Self {
        LikeBoard(Mutex::new(zhiyuan::leaderboard::LikeBoard::new(
            policy.get().core(),
        )))
    }

    /// Records when `volunteer` registered (new accounts' likes weigh less).
    fn register(&self, volunteer: u64, registered_at: &Bound<'_, PyAny>) -> PyResult<()> {
        let t = timestamp(registered_at, "registered_at")?;
        check(self.lock().register(volunteer, t))
    }

    /// Adds a post by `author` posted at `time`.
    fn add_post(&self, post: u64, author: u64, time: &Bound<'_, PyAny>) -> PyResult<()> {
        let t = timestamp(time, "time")?;
        check(self.lock().add_post(post, author, t))
    }

    /// Applies a like or unlike event (a `LikeEvent` or its dict form);
    /// the same event again is a no-op.
    fn apply(&self, event: &Bound<'_, PyAny>) -> PyResult<()> {
        let e = from_py(event, "event")?;
        check(self.lock().apply(&e))
    }

    /// The weeks that have counted likes, oldest first.
    fn weeks(&self) -> Vec<Period> {
        weeks(&self.lock())
    }

    /// The top `k` posts and authors of an ISO week (`2024-W10`).
    fn board(&self, py: Python<'_>, week: &Bound<'_, PyAny>, k: usize) -> PyResult<WeeklyBoard> {
        let w = period_arg(week, "week")?;
        run(py, || self.lock().board(w, k)).map(WeeklyBoard)
    }

    /// The month's `n` excellent works (`2024-03`).
    fn exhibition(
        &self,
        py: Python<'_>,
        month: &Bound<'_, PyAny>,
        n: usize,
    ) -> PyResult<Exhibition> {
        let m = period_arg(month, "month")?;
        run(py, || self.lock().exhibition(m, n)).map(Exhibition)
    }

    /// Every event's verdict, by event id.
    fn verdicts(&self) -> Vec<LikeVerdict> {
        self.lock()
            .verdicts()
            .into_iter()
            .map(LikeVerdict)
            .collect()
    }

    /// The board's exact per-week weights, mergeable with batch partials.
    fn partial(&self) -> LikePartial {
        LikePartial(self.lock().partial())
    }
}

/// The 文明秀 feed: posts, comments, topics and the like board over them.
/// Safe to share across threads (calls are serialised).
#[pyclass(frozen, module = "zhiyuan._zhiyuan", name = "Feed")]
pub struct Feed(Mutex<zhiyuan::posts::Feed>);

impl Feed {
    fn lock(&self) -> MutexGuard<'_, zhiyuan::posts::Feed> {
        // Every core mutation validates before it changes anything.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[pymethods]
impl Feed {
    /// The feed as JSON (its policy and inputs, versioned); `restore`
    /// rebuilds it. Pickling goes through this.
    fn snapshot(&self, py: Python<'_>) -> PyResult<String> {
        run(py, || Ok(self.lock().snapshot()))
    }

    /// Rebuilds one from `snapshot()`, re-checking every input: a
    /// tampered snapshot raises an error naming the field.
    #[staticmethod]
    fn restore(py: Python<'_>, snapshot: &str) -> PyResult<Self> {
        run(py, || zhiyuan::posts::Feed::restore(snapshot)).map(|x| Feed(Mutex::new(x)))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> crate::convert::Reduced<'py> {
        crate::convert::reduce_via_restore(slf, slf.get().lock().snapshot())
    }

    /// An empty feed under `policy`.
    #[new]
    fn py_new(policy: &Bound<'_, Policy>) -> Self {
        Feed(Mutex::new(zhiyuan::posts::Feed::new(policy.get().core())))
    }

    /// Records when `volunteer` registered.
    fn register(&self, volunteer: u64, registered_at: &Bound<'_, PyAny>) -> PyResult<()> {
        let t = timestamp(registered_at, "registered_at")?;
        check(self.lock().register(volunteer, t))
    }

    /// Adds a post (a `Post` or its dict form); the same post again is a
    /// no-op.
    fn add_post(&self, post: &Bound<'_, PyAny>) -> PyResult<()> {
        let p = from_py(post, "post")?;
        check(self.lock().add_post(p))
    }

    /// Applies a like or unlike event.
    fn like(&self, event: &Bound<'_, PyAny>) -> PyResult<()> {
        let e = from_py(event, "event")?;
        check(self.lock().like(&e))
    }

    /// Adds a comment.
    fn add_comment(&self, comment: &Bound<'_, PyAny>) -> PyResult<()> {
        let c = from_py(comment, "comment")?;
        check(self.lock().add_comment(c))
    }

    /// The post `id`.
    fn post(&self, id: u64) -> PyResult<Post> {
        check(self.lock().post(id).cloned()).map(Post)
    }

    /// The comments under `post`, oldest first.
    fn comments(&self, post: u64) -> PyResult<Vec<Comment>> {
        let feed = self.lock();
        let cs = check(feed.comments(post))?;
        Ok(cs.into_iter().cloned().map(Comment).collect())
    }

    /// The posts on `topic`.
    fn topic(&self, topic: &str) -> Vec<Post> {
        self.lock()
            .topic(topic)
            .into_iter()
            .cloned()
            .map(Post)
            .collect()
    }

    /// Every topic with its post count, as `{"topic", "posts"}` dicts.
    fn topics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        serde_to_py(py, &self.lock().topics())
    }

    /// A copy of the feed's like board as it stands now.
    fn likes(&self) -> LikeBoard {
        LikeBoard(Mutex::new(self.lock().likes().clone()))
    }
}

/// The like `action` column: `like` / `unlike` text, or codes 0 / 1;
/// borrowed when it is one `int8` / `uint8` chunk of 0s and 1s (the bytes
/// are then the core's codes as they are).
fn actions(c: &Column) -> PyResult<Cow<'_, [u8]>> {
    let (data_type, chunks) = c.raw();
    if let [chunk] = chunks
        && chunk.null_count() == 0
    {
        let bytes: Option<&[u8]> = match data_type {
            // Same bytes: the values checked below are 0 and 1.
            DataType::Int8 => Some(chunk.as_primitive::<Int8Type>().values().inner().as_slice()),
            DataType::UInt8 => Some(chunk.as_primitive::<UInt8Type>().values()),
            _ => None,
        };
        // Other values take the converting path below, which names them.
        if let Some(bytes) = bytes
            && bytes.iter().fold(true, |ok, &b| ok & (b <= 1))
        {
            return Ok(Cow::Borrowed(bytes));
        }
    }
    if c.is_text() {
        return c
            .strs()?
            .into_iter()
            .enumerate()
            .map(|(i, s)| match s {
                "like" => Ok(LikeAction::Like.code()),
                "unlike" => Ok(LikeAction::Unlike.code()),
                other => Err(c.at(i, format!("{other:?} is not like or unlike"))),
            })
            .collect();
    }
    c.i64s()?
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            u8::try_from(v)
                .ok()
                .filter(|&v| LikeAction::from_code(v).is_some())
                .ok_or_else(|| c.at(i, format!("{v} is not 0 (like) or 1 (unlike)")))
        })
        .collect()
}

/// The three input tables read into the core's column form.
struct Inputs {
    posts: [Column; 3],
    likes: [Column; 5],
    regs: [Column; 2],
}

impl Inputs {
    fn read(
        posts: &Bound<'_, PyAny>,
        likes: &Bound<'_, PyAny>,
        registrations: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let p = Columns::from_py(posts, "posts", true)?;
        let l = Columns::from_py(likes, "likes", true)?;
        let r = Columns::from_py(registrations, "registrations", true)?;
        Ok(Inputs {
            posts: [p.column("id")?, p.column("author")?, p.column("time")?],
            likes: [
                l.column("event")?,
                l.column("liker")?,
                l.column("post")?,
                l.column("time")?,
                l.column("action")?,
            ],
            regs: [r.column("volunteer")?, r.column("registered_at")?],
        })
    }

    /// Runs `f` on the columns with the GIL released.
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(PostColumns<'_>, LikeColumns<'_>, RegistrationColumns<'_>) -> zhiyuan::Result<T>
        + Send,
    ) -> PyResult<T> {
        let [pid, pauthor, ptime] = &self.posts;
        let [event, liker, post, ltime, action] = &self.likes;
        let [volunteer, registered] = &self.regs;
        let (pid, pauthor, ptime) = (pid.u64s()?, pauthor.u64s()?, ptime.micros()?);
        let (event, liker, post) = (event.u64s()?, liker.u64s()?, post.u64s()?);
        let (ltime, action) = (ltime.micros()?, actions(action)?);
        let (volunteer, registered) = (volunteer.u64s()?, registered.micros()?);
        run(py, || {
            f(
                PostColumns {
                    id: &pid,
                    author: &pauthor,
                    time: &ptime,
                },
                LikeColumns {
                    event: &event,
                    liker: &liker,
                    post: &post,
                    time: &ltime,
                    action: &action,
                },
                RegistrationColumns {
                    volunteer: &volunteer,
                    registered_at: &registered,
                },
            )
        })
    }
}

/// The weekly boards (top `k` posts and authors of every week with a
/// counted like) from three tables, with no per-row Python work:
/// `posts` (`id`, `author`, `time`), `likes` (`event`, `liker`, `post`,
/// `time`, `action` = `like`/`unlike` or 0/1), `registrations`
/// (`volunteer`, `registered_at`). Each is an Arrow table (pyarrow,
/// polars, pandas) or a dict of Arrow columns; times are timestamps with a
/// time zone or int64 UTC microseconds. Identical to a `LikeBoard` fed the
/// same events. `threads`: None = the global pool, or a count (the output
/// is identical for any count).
#[pyfunction]
#[pyo3(signature = (policy, posts, likes, registrations, k=10, *, threads=None))]
pub fn weekly_leaderboard(
    py: Python<'_>,
    policy: &Bound<'_, Policy>,
    posts: &Bound<'_, PyAny>,
    likes: &Bound<'_, PyAny>,
    registrations: &Bound<'_, PyAny>,
    k: usize,
    threads: Option<usize>,
) -> PyResult<Vec<WeeklyBoard>> {
    let threads = check(Threads::from_option(threads))?;
    let inputs = Inputs::read(posts, likes, registrations)?;
    let p = policy.get().core();
    let boards = inputs.with(py, |po, li, re| {
        zhiyuan::leaderboard::weekly_boards(po, li, re, p, k, threads)
    })?;
    Ok(boards.into_iter().map(WeeklyBoard).collect())
}

/// The valid-like filter over one partition of the tables (same columns
/// as `weekly_leaderboard`): returns its `LikePartial` and, with
/// `verdicts=True`, a table of every event's verdict (`event` uint64,
/// `weight` int64, `reason` string such as `new_account`, null when the
/// like counts fully). `threads` as for `weekly_leaderboard`.
#[pyfunction]
#[pyo3(signature = (policy, posts, likes, registrations, *, verdicts=false, check_event_ids=true, threads=None))]
#[allow(clippy::too_many_arguments)]
pub fn like_batch(
    py: Python<'_>,
    policy: &Bound<'_, Policy>,
    posts: &Bound<'_, PyAny>,
    likes: &Bound<'_, PyAny>,
    registrations: &Bound<'_, PyAny>,
    verdicts: bool,
    check_event_ids: bool,
    threads: Option<usize>,
) -> PyResult<(LikePartial, Option<ArrowTable>)> {
    let opts = BatchOptions {
        verdicts,
        check_event_ids,
        threads: check(Threads::from_option(threads))?,
    };
    let inputs = Inputs::read(posts, likes, registrations)?;
    let p = policy.get().core();
    let b = inputs.with(py, |po, li, re| {
        zhiyuan::leaderboard::like_batch(po, li, re, p, &opts)
    })?;
    let table = match b.verdicts {
        None => None,
        Some(vs) => Some(ArrowTable::new(vec![
            ArrowColumn::new(
                "event",
                Arc::new(vs.iter().map(|v| v.event).collect::<UInt64Array>()),
            ),
            ArrowColumn::new(
                "weight",
                Arc::new(vs.iter().map(|v| v.weight).collect::<Int64Array>()),
            ),
            ArrowColumn::new(
                "reason",
                Arc::new(
                    vs.iter()
                        .map(|v| v.reason.map(reason_code))
                        .collect::<StringArray>(),
                ),
            ),
        ])?),
    };
    Ok((LikePartial(b.partial), table))
}

/// A reason's wire (serde) code, e.g. `new_account`.
fn reason_code(r: LikeReason) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| r.as_str().to_ascii_lowercase())
}

/// Sums partials of the same policy (from disjoint partitions of the
/// likes) into one, as if computed together.
#[pyfunction]
pub fn merge_partials(
    py: Python<'_>,
    partials: Vec<Bound<'_, LikePartial>>,
) -> PyResult<LikePartial> {
    let mut all = partials.iter().map(|p| p.get().0.clone());
    let Some(mut acc) = all.next() else {
        return Err(crate::convert::invalid("partials", "must not be empty"));
    };
    let rest: Vec<_> = all.collect();
    run(py, || {
        for p in &rest {
            acc.merge(p)?;
        }
        Ok(acc)
    })
    .map(LikePartial)
}

/// The weekly boards (top `k`) of a partial.
#[pyfunction]
#[pyo3(signature = (partial, k=10))]
pub fn partial_boards(
    py: Python<'_>,
    partial: &Bound<'_, LikePartial>,
    k: usize,
) -> Vec<WeeklyBoard> {
    let p = &partial.get().0;
    py.detach(|| p.boards(k))
        .into_iter()
        .map(WeeklyBoard)
        .collect()
}

/// The month's `n` excellent works of a partial.
#[pyfunction]
pub fn partial_exhibition(
    py: Python<'_>,
    partial: &Bound<'_, LikePartial>,
    month: &Bound<'_, PyAny>,
    n: usize,
) -> PyResult<Exhibition> {
    let m = period_arg(month, "month")?;
    let p = &partial.get().0;
    run(py, || p.exhibition(m, n)).map(Exhibition)
}
