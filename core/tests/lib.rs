//! One integration-test binary; one submodule per topic.

mod boards;
mod policy;
