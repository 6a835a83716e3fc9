//! The one error type of the crate.
//!
//! [`Error`] is opaque: callers branch on [`Error::kind`], a fieldless
//! [`ErrorKind`] that both bindings map to an exception class (Python) or a
//! status code (C). The message always names the offending field path or
//! record id, e.g. `hours.daily_review_minutes: must be > 0`.

use std::fmt;
use std::sync::Arc;

/// What went wrong, as a stable key.
///
/// New kinds may be added; match with a wildcard arm.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorKind {
    /// A value supplied by the caller is malformed or out of range.
    InvalidInput,
    /// An id is reused with a different body, or a unique key is taken.
    Conflict,
    /// A referenced id (record, volunteer, unit, order, …) does not exist.
    NotFound,
    /// The operation is not allowed in the current state (e.g. an illegal
    /// order transition, revoking a record that is not approved).
    InvalidState,
    /// A policy failed to parse or to validate.
    PolicyInvalid,
}

impl ErrorKind {
    /// A short stable name, used in golden vectors and by the bindings.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "InvalidInput",
            ErrorKind::Conflict => "Conflict",
            ErrorKind::NotFound => "NotFound",
            ErrorKind::InvalidState => "InvalidState",
            ErrorKind::PolicyInvalid => "PolicyInvalid",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from any zhiyuan operation.
///
/// Cheap to clone, `Send + Sync + 'static`. The [`Display`](fmt::Display)
/// form is `path: reason` when a field path is known, else just the reason.
///
/// ```
/// use zhiyuan::{Error, ErrorKind};
/// let e = Error::invalid_input("record.end", "must be after start");
/// assert_eq!(e.kind(), ErrorKind::InvalidInput);
/// assert_eq!(e.field(), Some("record.end"));
/// assert_eq!(e.to_string(), "record.end: must be after start");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    inner: Arc<Inner>,
}

#[derive(PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    field: Option<String>,
    message: String,
}

impl Error {
    /// An error of `kind` about `field` (a dotted path such as
    /// `records[3].end`, or an id such as `record 42`).
    pub fn new(kind: ErrorKind, field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        Error {
            inner: Arc::new(Inner {
                kind,
                field: (!field.is_empty()).then_some(field),
                message: message.into(),
            }),
        }
    }

    /// [`ErrorKind::InvalidInput`] about `field`.
    pub fn invalid_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, field, message)
    }

    /// [`ErrorKind::Conflict`] about `field`.
    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, field, message)
    }

    /// [`ErrorKind::NotFound`] about `field`.
    pub fn not_found(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, field, message)
    }

    /// [`ErrorKind::InvalidState`] about `field`.
    pub fn invalid_state(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidState, field, message)
    }

    /// [`ErrorKind::PolicyInvalid`] about `field`.
    pub fn policy(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::PolicyInvalid, field, message)
    }

    /// The stable kind of this error.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The field path or id the error is about, when known.
    pub fn field(&self) -> Option<&str> {
        self.inner.field.as_deref()
    }

    /// The reason, without the field path.
    pub fn reason(&self) -> &str {
        &self.inner.message
    }

    /// The same error with `prefix` put in front of its field path, so a
    /// nested validator's `end` becomes `records[3].end`.
    #[must_use]
    pub fn at(self, prefix: &str) -> Self {
        let field = match self.field() {
            None => prefix.to_owned(),
            Some(f) if f.starts_with('[') => format!("{prefix}{f}"),
            Some(f) => format!("{prefix}.{f}"),
        };
        Error::new(self.kind(), field, self.reason().to_owned())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner.field {
            Some(field) => write!(f, "{field}: {}", self.inner.message),
            None => f.write_str(&self.inner.message),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({}: {self})", self.inner.kind)
    }
}

impl std::error::Error for Error {}

/// Shorthand for `Result<T, zhiyuan::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
