//! The exception tree and the one function that maps a core error to it.
//!
//! `ZhiyuanError` is the root; each core [`ErrorKind`] has one subclass.
//! Two of them also derive from the builtin a Python programmer would catch
//! (`ValidationError` is a `ValueError`, `NotFoundError` is a `KeyError`), so
//! the classes are built with `type(name, bases, ns)` at first use instead of
//! `create_exception!`, which allows a single base only. Every instance
//! carries the core's `kind`, `field` and `reason`; `str(e)` is the core
//! message unchanged (also for the `KeyError` subclass, whose builtin
//! `__str__` would add quotes).

use pyo3::exceptions::{PyException, PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};
use zhiyuan::{Error, ErrorKind};

/// The exception classes, created once per interpreter.
pub(crate) struct Classes {
    /// `ZhiyuanError(Exception)`.
    pub root: Py<PyType>,
    /// `PolicyError(ZhiyuanError)`: [`ErrorKind::PolicyInvalid`].
    pub policy: Py<PyType>,
    /// `ValidationError(ZhiyuanError, ValueError)`: [`ErrorKind::InvalidInput`].
    pub validation: Py<PyType>,
    /// `ConflictError(ZhiyuanError)`: [`ErrorKind::Conflict`].
    pub conflict: Py<PyType>,
    /// `StateError(ZhiyuanError)`: [`ErrorKind::InvalidState`].
    pub state: Py<PyType>,
    /// `NotFoundError(ZhiyuanError, KeyError)`: [`ErrorKind::NotFound`].
    pub not_found: Py<PyType>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

/// Name, core kind and docstring of each subclass, in the order they are
/// exported.
pub(crate) const SUBCLASSES: [(&str, &str, &str); 5] = [
    (
        "PolicyError",
        "PolicyInvalid",
        "A policy failed to parse or to validate; the message names the field path.",
    ),
    (
        "ValidationError",
        "InvalidInput",
        "A value supplied by the caller is malformed or out of range (also a ValueError).",
    ),
    (
        "ConflictError",
        "Conflict",
        "An id is reused with a different body, or a unique key is taken.",
    ),
    (
        "StateError",
        "InvalidState",
        "The operation is not allowed in the current state.",
    ),
    (
        "NotFoundError",
        "NotFound",
        "A referenced id does not exist (also a KeyError).",
    ),
];

fn make_class<'py>(
    py: Python<'py>,
    name: &str,
    kind: Option<&str>,
    doc: &str,
    bases: Bound<'py, PyTuple>,
) -> PyResult<Py<PyType>> {
    let ns = PyDict::new(py);
    ns.set_item("__module__", "zhiyuan")?;
    ns.set_item("__qualname__", name)?;
    ns.set_item("__doc__", doc)?;
    ns.set_item("kind", kind)?;
    ns.set_item("field", py.None())?;
    ns.set_item("reason", "")?;
    // BaseException.__str__ prints args[0] as is; KeyError's would repr() it.
    ns.set_item("__str__", py.get_type::<PyException>().getattr("__str__")?)?;
    let class = py.get_type::<PyType>().call1((name, bases, ns))?;
    Ok(class.cast_into::<PyType>()?.unbind())
}

/// The exception classes, creating them on first use.
pub(crate) fn classes(py: Python<'_>) -> PyResult<&Classes> {
    CLASSES.get_or_try_init(py, || {
        let root = make_class(
            py,
            "ZhiyuanError",
            None,
            "Base class of every error raised by zhiyuan. `kind` is the core error kind \
             (None only on this class), `field` the field path or id the error is about, \
             `reason` the message without the field path.",
            PyTuple::new(py, [py.get_type::<PyException>()])?,
        )?;
        let sub = |i: usize, extra: Option<Bound<'_, PyType>>| -> PyResult<Py<PyType>> {
            let (name, kind, doc) = SUBCLASSES[i];
            let mut bases = vec![root.bind(py).clone()];
            bases.extend(extra);
            make_class(py, name, Some(kind), doc, PyTuple::new(py, bases)?)
        };
        Ok(Classes {
            policy: sub(0, None)?,
            validation: sub(1, Some(py.get_type::<PyValueError>()))?,
            conflict: sub(2, None)?,
            state: sub(3, None)?,
            not_found: sub(4, Some(py.get_type::<PyKeyError>()))?,
            root,
        })
    })
}

/// The Python exception for a core error: the class of its kind, the core
/// message unchanged, and `kind`, `field`, `reason` attributes.
pub(crate) fn to_py_err(e: Error) -> PyErr {
    Python::attach(|py| match build(py, &e) {
        Ok(err) => err,
        Err(failed) => failed,
    })
}

fn build(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    let c = classes(py)?;
    let class = match e.kind() {
        ErrorKind::PolicyInvalid => &c.policy,
        ErrorKind::InvalidInput => &c.validation,
        ErrorKind::Conflict => &c.conflict,
        ErrorKind::InvalidState => &c.state,
        ErrorKind::NotFound => &c.not_found,
        // A kind added to core later still raises a ZhiyuanError.
        _ => &c.root,
    };
    let value = class.bind(py).call1((e.to_string(),))?;
    value.setattr("kind", e.kind().as_str())?;
    value.setattr("field", e.field())?;
    value.setattr("reason", e.reason())?;
    Ok(PyErr::from_value(value))
}

/// Runs a core call with the interpreter released and maps its error. Every
/// binding that may take long goes through here, so other Python threads
/// keep running meanwhile.
pub(crate) fn run<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> Result<T, Error> + Send,
) -> PyResult<T> {
    py.detach(f).map_err(to_py_err)
}

/// Maps a core result without releasing the interpreter (for cheap calls).
pub(crate) fn check<T>(r: Result<T, Error>) -> PyResult<T> {
    r.map_err(to_py_err)
}
