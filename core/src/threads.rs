//! How many threads a batch kernel may use.
//!
//! Every batch kernel (hours by period, unit roll-ups, overlaps, the like
//! boards, 文明贷 tables) gives the same bytes for any thread count: work is
//! split into chunks whose results are merged in a fixed order. The count is
//! therefore only a resource choice, made by the caller per call.
//!
//! ```
//! use zhiyuan::threads::{Threads, run};
//!
//! let sum = run(Threads::exactly(2)?, || (1..=100i64).sum::<i64>())?;
//! assert_eq!(sum, 5050);
//! assert!(Threads::exactly(0).is_err());
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::num::NonZeroUsize;

/// The thread count of one batch call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "Option<usize>", try_from = "Option<usize>")]
pub enum Threads {
    /// Rayon's global pool: one thread per core unless `RAYON_NUM_THREADS`
    /// says otherwise.
    #[default]
    Global,
    /// A pool of exactly this many threads, built for the call.
    Exactly(NonZeroUsize),
}

impl Threads {
    /// Exactly `n` threads; 0 is an error naming `threads`.
    pub fn exactly(n: usize) -> Result<Self> {
        NonZeroUsize::new(n)
            .map(Threads::Exactly)
            .ok_or_else(|| Error::invalid_input("threads", "must be at least 1"))
    }

    /// `None` → the global pool, `Some(n)` → [`Threads::exactly`].
    pub fn from_option(n: Option<usize>) -> Result<Self> {
        n.map_or(Ok(Threads::Global), Threads::exactly)
    }
}

impl From<Threads> for Option<usize> {
    fn from(t: Threads) -> Self {
        match t {
            Threads::Global => None,
            Threads::Exactly(n) => Some(n.get()),
        }
    }
}

impl TryFrom<Option<usize>> for Threads {
    type Error = Error;
    fn try_from(n: Option<usize>) -> Result<Self> {
        Threads::from_option(n)
    }
}

/// Runs `f` with `threads`: inside a fresh pool for [`Threads::Exactly`],
/// on the calling thread's current pool for [`Threads::Global`]. Rayon
/// calls inside `f` use that pool.
pub fn run<R: Send>(threads: Threads, f: impl FnOnce() -> R + Send) -> Result<R> {
    match threads {
        Threads::Global => Ok(f()),
        Threads::Exactly(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n.get())
                .build()
                .map_err(|e| {
                    Error::invalid_input("threads", format!("cannot start {n} threads: {e}"))
                })?;
            Ok(pool.install(f))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_pool_has_that_many_threads() {
        for n in [1, 3] {
            let seen = run(Threads::exactly(n).unwrap(), rayon::current_num_threads).unwrap();
            assert_eq!(seen, n);
        }
    }

    #[test]
    fn zero_threads_names_the_field() {
        let e = Threads::exactly(0).unwrap_err();
        assert_eq!(e.to_string(), "threads: must be at least 1");
        assert_eq!(Threads::from_option(None).unwrap(), Threads::Global);
    }

    #[test]
    fn serde_form_is_an_optional_count() {
        assert_eq!(serde_json::to_string(&Threads::Global).unwrap(), "null");
        let t: Threads = serde_json::from_str("4").unwrap();
        assert_eq!(t, Threads::exactly(4).unwrap());
        assert!(serde_json::from_str::<Threads>("0").is_err());
    }
}
