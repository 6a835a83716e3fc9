//! One integration-test binary; one submodule per topic.

mod policy;
mod selection;
mod vectors;
mod vectors_selection;
