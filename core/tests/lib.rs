//! One integration-test binary; one submodule per topic.

mod ledger;
mod orders;
mod policy;
mod time;
mod units;
mod vectors;
mod vectors_hours;
