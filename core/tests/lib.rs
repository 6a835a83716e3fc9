//! One integration-test binary; one submodule per topic.

mod policy;
