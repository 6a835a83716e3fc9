//! Conversions between Python objects and core values.
//!
//! * Instants: only *aware* `datetime`s (or RFC 3339 strings with an offset,
//!   parsed by core) become a [`Timestamp`]; a naive one raises
//!   `ValidationError` saying so. The arithmetic is `(dt - EPOCH)` in whole
//!   microseconds, done by Python's exact integer `timedelta`, so no float
//!   ever touches an instant. Outputs are `datetime`s in UTC.
//! * Dates: `datetime.date` (not a `datetime`) or `YYYY-MM-DD` text.
//! * Structured inputs and `to_dict()` outputs go through the core's serde
//!   form (the golden-vector wire schema): Python → `serde_json::Value` →
//!   core type, and core type → `Value` → `dict`/`list`/`str`/`int`.
//! * [`py_value!`] declares a frozen Python class around a core result type,
//!   with typed attributes, `to_dict()`, `from_dict()`, `==`, a readable
//!   `repr` and pickling.

use crate::errors::to_py_err;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyDate, PyDateTime, PyDelta, PyDeltaAccess, PyDict, PyFloat, PyInt, PyList, PyString,
    PyTuple, PyTzInfo,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};
use zhiyuan::Error;
use zhiyuan::time::{LocalDate, MICROS_PER_DAY, MICROS_PER_SECOND, Timestamp};

static EPOCH: PyOnceLock<Py<PyDateTime>> = PyOnceLock::new();

fn epoch(py: Python<'_>) -> PyResult<&Bound<'_, PyDateTime>> {
    EPOCH
        .get_or_try_init(py, || {
            let utc = PyTzInfo::utc(py)?;
            Ok::<_, PyErr>(
                PyDateTime::new(py, 1970, 1, 1, 0, 0, 0, 0, Some(&utc.to_owned()))?.unbind(),
            )
        })
        .map(|e| e.bind(py))
}

/// An aware `datetime` (or an RFC 3339 string with an offset) as a core
/// instant. `field` names the argument in errors.
pub(crate) fn timestamp(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<Timestamp> {
    if let Ok(s) = obj.cast::<PyString>() {
        return s
            .to_str()?
            .parse::<Timestamp>()
            .map_err(|e| to_py_err(Error::invalid_input(field, e.reason())));
    }
    let Ok(dt) = obj.cast::<PyDateTime>() else {
        return Err(invalid(
            field,
            format!("expected an aware datetime, got {}", obj.get_type().name()?),
        ));
    };
    if dt.getattr("utcoffset")?.call0()?.is_none() {
        return Err(invalid(
            field,
            format!(
                "{} is a naive datetime (no tzinfo); naive datetimes are rejected: \
                 attach a time zone, e.g. tzinfo=ZoneInfo(\"Asia/Shanghai\") or timezone.utc",
                dt.str()?
            ),
        ));
    }
    let delta = dt.call_method1("__sub__", (epoch(obj.py())?,))?;
    let delta = delta.cast::<PyDelta>()?;
    let us = i64::from(delta.get_days()) * MICROS_PER_DAY
        + i64::from(delta.get_seconds()) * MICROS_PER_SECOND
        + i64::from(delta.get_microseconds());
    Timestamp::from_micros(us).map_err(|e| to_py_err(e.at(field)))
}

/// A core instant as an aware `datetime` in UTC.
pub(crate) fn datetime(py: Python<'_>, t: Timestamp) -> PyResult<Bound<'_, PyAny>> {
    let us = t.as_micros();
    let days = us.div_euclid(MICROS_PER_DAY);
    let rest = us.rem_euclid(MICROS_PER_DAY);
    // Timestamps lie in years 1-9999, so the day count fits an i32.
    let delta = PyDelta::new(
        py,
        days as i32,
        (rest / MICROS_PER_SECOND) as i32,
        (rest % MICROS_PER_SECOND) as i32,
        false,
    )?;
    epoch(py)?.call_method1("__add__", (delta,))
}

/// A `datetime.date` (not a `datetime`) or `YYYY-MM-DD` text as a core date.
pub(crate) fn local_date(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<LocalDate> {
    if let Ok(s) = obj.cast::<PyString>() {
        return s
            .to_str()?
            .parse::<LocalDate>()
            .map_err(|e| to_py_err(Error::invalid_input(field, e.reason())));
    }
    if obj.cast::<PyDateTime>().is_ok() || obj.cast::<PyDate>().is_err() {
        return Err(invalid(
            field,
            format!("expected a datetime.date, got {}", obj.get_type().name()?),
        ));
    }
    let y: i32 = obj.getattr("year")?.extract()?;
    let m: u32 = obj.getattr("month")?.extract()?;
    let d: u32 = obj.getattr("day")?.extract()?;
    LocalDate::new(y, m, d).map_err(|e| to_py_err(e.at(field)))
}

/// A core date as a `datetime.date`.
pub(crate) fn date(py: Python<'_>, d: LocalDate) -> PyResult<Bound<'_, PyAny>> {
    // Months and days always fit a u8.
    Ok(PyDate::new(py, d.year(), d.month() as u8, d.day() as u8)?.into_any())
}

/// A `ValidationError` about `field`.
pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> PyErr {
    to_py_err(Error::invalid_input(field, reason))
}

/// A Python object as the JSON value of the core's serde form. `path` is
/// the field path used in errors (`units[2].parent`).
pub(crate) fn to_value(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.cast::<PyInt>().is_ok() {
        if let Ok(v) = obj.extract::<i64>() {
            return Ok(Value::from(v));
        }
        if let Ok(v) = obj.extract::<u64>() {
            return Ok(Value::from(v));
        }
        return Err(invalid(
            path,
            format!("{} does not fit 64 bits", obj.str()?),
        ));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        // Kept so that serde can name the expected type in its error;
        // no core input takes a float for money, minutes or points.
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| invalid(path, "NaN and infinity are not accepted"));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_str()?.to_owned()));
    }
    if obj.cast::<PyDateTime>().is_ok() {
        return Ok(Value::String(timestamp(obj, path)?.to_string()));
    }
    if obj.cast::<PyDate>().is_ok() {
        return Ok(Value::String(local_date(obj, path)?.to_string()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let Ok(key) = k.extract::<String>() else {
                return Err(invalid(
                    path,
                    format!("dict key {} is not a str", k.repr()?),
                ));
            };
            let sub = join(path, &key);
            map.insert(key, to_value(&v, &sub)?);
        }
        return Ok(Value::Object(map));
    }
    if obj.cast::<PyList>().is_ok() || obj.cast::<PyTuple>().is_ok() {
        let mut out = Vec::new();
        for (i, v) in obj.try_iter()?.enumerate() {
            out.push(to_value(&v?, &format!("{path}[{i}]"))?);
        }
        return Ok(Value::Array(out));
    }
    // Our own frozen values (and anything else offering the same method).
    if let Ok(f) = obj.getattr("to_dict") {
        return to_value(&f.call0()?, path);
    }
    Err(invalid(
        path,
        format!("cannot use a {} here", obj.get_type().name()?),
    ))
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// A Python object as a core value through its serde form; errors name the
/// field path below `path`.
pub(crate) fn from_py<T: DeserializeOwned>(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<T> {
    from_value(to_value(obj, path)?, path)
}

/// A JSON value as a core value; errors name the field path below `path`.
pub(crate) fn from_value<T: DeserializeOwned>(v: Value, path: &str) -> PyResult<T> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let inner = e.path().to_string();
        let field = match inner.as_str() {
            "." => path.to_owned(),
            p if p.starts_with('[') => format!("{path}{p}"),
            p => join(path, p),
        };
        invalid(&field, e.into_inner().to_string())
    })
}

/// The serde form of a core value.
pub(crate) fn to_json<T: Serialize>(v: &T) -> PyResult<Value> {
    serde_json::to_value(v).map_err(|e| {
        pyo3::exceptions::PyRuntimeError::new_err(format!("cannot serialize a result: {e}"))
    })
}

/// A JSON value as plain Python data (`dict`, `list`, `str`, `int`, `float`,
/// `bool`, `None`).
pub(crate) fn value_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => {
            let list = PyList::empty(py);
            for x in a {
                list.append(value_to_py(py, x)?)?;
            }
            list.into_any()
        }
        Value::Object(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(k, value_to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// The serde form of a core value as plain Python data.
pub(crate) fn serde_to_py<'py, T: Serialize>(
    py: Python<'py>,
    v: &T,
) -> PyResult<Bound<'py, PyAny>> {
    value_to_py(py, &to_json(v)?)
}

/// A value's serde form as a Python literal, for `repr`.
pub(crate) fn lit_of<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).map_or_else(|_| "…".to_owned(), |v| lit(&v))
}

fn lit(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        Value::Array(a) => format!("[{}]", a.iter().map(lit).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, x)| format!("'{k}': {}", lit(x)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// How a core field becomes a Python attribute value: numbers and strings
/// as themselves, instants as UTC `datetime`s, dates as `date`s, enums as
/// their snake_case code, nested results as their frozen class.
pub(crate) trait IntoPyValue {
    /// The Python value of this field.
    fn py_value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
}

macro_rules! into_py_value_plain {
    ($($t:ty),*) => {$(
        impl IntoPyValue for $t {
            fn py_value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                Ok(self.clone().into_pyobject(py)?.to_owned().into_any())
            }
        }
    )*};
}
into_py_value_plain!(i64, u64, i32, u32, u8, bool, String);

impl IntoPyValue for Timestamp {
    fn py_value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime(py, *self)
    }
}

impl IntoPyValue for LocalDate {
    fn py_value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        date(py, *self)
    }
}

impl<T: IntoPyValue> IntoPyValue for Option<T> {
    fn py_value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Some(v) => v.py_value(py),
            None => Ok(py.None().into_bound(py)),
        }
    }
}

impl<T: IntoPyValue> IntoPyValue for Vec<T> {
    fn py_value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let list = PyList::empty(py);
        for v in self {
            list.append(v.py_value(py)?)?;
        }
        Ok(list.into_any())
    }
}

impl<K: IntoPyValue, V: IntoPyValue> IntoPyValue for std::collections::BTreeMap<K, V> {
    fn py_value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let d = PyDict::new(py);
        for (k, v) in self {
            d.set_item(k.py_value(py)?, v.py_value(py)?)?;
        }
        Ok(d.into_any())
    }
}

/// Core types whose Python attribute value is their serde form: fieldless
/// enums become their snake_case code, tagged enums a `dict`.
macro_rules! into_py_value_serde {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::convert::IntoPyValue for $t {
            fn py_value<'py>(&self, py: pyo3::Python<'py>)
                -> pyo3::PyResult<pyo3::Bound<'py, pyo3::PyAny>> {
                $crate::convert::serde_to_py(py, self)
            }
        }
    )*};
}
pub(crate) use into_py_value_serde;

/// Declares a frozen Python class wrapping a core result type.
///
/// ```ignore
/// py_value!(
///     /// One org unit.
///     Unit, "Unit", zhiyuan::units::Unit, { id, parent, name, level }
/// );
/// ```
///
/// gives attributes `id`, `parent`, … (each converted by [`IntoPyValue`]),
/// `to_dict()` (the serde wire form), `Unit.from_dict(d)`, `==`, `repr`
/// `Unit(id=1, parent=None, …)` and pickling through `from_dict`. Adding a
/// result type of a new capability is one invocation plus its stub.
macro_rules! py_value {
    ($(#[$meta:meta])* $py:ident, $name:literal, $core:ty, { $($field:ident),* $(,)? }) => {
        $(#[$meta])*
        #[pyo3::pyclass(frozen, module = "zhiyuan._zhiyuan", name = $name)]
        #[derive(Clone)]
        pub struct $py(pub $core);

        #[pyo3::pymethods]
        impl $py {
            $(
                #[getter]
                fn $field<'py>(&self, py: pyo3::Python<'py>)
                    -> pyo3::PyResult<pyo3::Bound<'py, pyo3::PyAny>> {
                    $crate::convert::IntoPyValue::py_value(&self.0.$field, py)
                }
            )*

            /// The serde wire form (the golden-vector schema): instants as
            /// RFC 3339 strings, enums as snake_case codes.
            fn to_dict<'py>(&self, py: pyo3::Python<'py>)
                -> pyo3::PyResult<pyo3::Bound<'py, pyo3::PyAny>> {
                $crate::convert::serde_to_py(py, &self.0)
            }

            /// Builds one from its `to_dict()` form.
            #[staticmethod]
            fn from_dict(d: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<Self> {
                Ok($py($crate::convert::from_py(d, "")?))
            }

            fn __repr__(&self) -> String {
                let fields: Vec<String> = vec![$(
                    format!("{}={}", stringify!($field), $crate::convert::lit_of(&self.0.$field))
                ),*];
                format!("{}({})", $name, fields.join(", "))
            }

            fn __eq__(&self, other: &pyo3::Bound<'_, pyo3::PyAny>) -> bool {
                other.cast::<Self>().is_ok_and(|o| o.get().0 == self.0)
            }

            fn __reduce__<'py>(slf: &pyo3::Bound<'py, Self>)
                -> pyo3::PyResult<(pyo3::Bound<'py, pyo3::PyAny>, (pyo3::Bound<'py, pyo3::PyAny>,))> {
                let py = slf.py();
                Ok((
                    py.get_type::<Self>().getattr("from_dict")?,
                    ($crate::convert::serde_to_py(py, &slf.get().0)?,),
                ))
            }
        }

        impl $crate::convert::IntoPyValue for $core {
            fn py_value<'py>(&self, py: pyo3::Python<'py>)
                -> pyo3::PyResult<pyo3::Bound<'py, pyo3::PyAny>> {
                Ok(pyo3::Bound::new(py, $py(self.clone()))?.into_any())
            }
        }
    };
}
pub(crate) use py_value;

/// What `__reduce__` returns: a callable and its arguments.
pub(crate) type Reduced<'py> = PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)>;

/// The pickle form of a handle: `(type(obj).restore, (snapshot,))`, so
/// unpickling re-validates through the core's saved form.
pub(crate) fn reduce_via_restore<'py, T: pyo3::PyClass>(
    obj: &Bound<'py, T>,
    snapshot: String,
) -> Reduced<'py> {
    let py = obj.py();
    Ok((
        py.get_type::<T>().getattr("restore")?,
        PyTuple::new(py, [snapshot])?,
    ))
}
