//! One integration-test binary; one submodule per topic.

mod county;
mod ledger;
mod policy;
mod selection;
mod simulation;
mod time;
mod units;
mod vectors;
mod vectors_hours;
mod vectors_selection;
