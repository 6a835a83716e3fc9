//! One integration-test binary; one submodule per topic.

mod county;
mod policy;
