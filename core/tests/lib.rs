//! One integration-test binary; one submodule per topic.

mod boards;
mod ledger;
mod policy;
mod time;
mod units;
mod vectors;
mod vectors_boards;
mod vectors_hours;
