//! One integration-test binary; one submodule per topic.

mod ledger;
mod policy;
mod time;
mod units;
mod vectors;
mod vectors_hours;
