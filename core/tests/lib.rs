//! One integration-test binary; one submodule per topic.

mod dispatch;
mod ledger;
mod orders;
mod policy;
mod selection;
mod simulation;
mod time;
mod units;
mod vectors;
mod vectors_hours;
mod vectors_orders;
mod vectors_selection;
