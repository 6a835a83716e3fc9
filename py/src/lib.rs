//! The Python module `zhiyuan._zhiyuan`. Bindings only convert, map errors
//! and release the interpreter; behaviour lives in the `zhiyuan` crate.

use pyo3::prelude::*;

/// The compiled module behind the `zhiyuan` package.
#[pymodule(name = "_zhiyuan")]
mod zhiyuan_module {
    use pyo3::prelude::*;

    /// The version of the zhiyuan core this module was built from.
    #[pyfunction]
    fn core_version() -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))
    }
}
