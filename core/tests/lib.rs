//! One integration-test binary; one submodule per topic.

mod dispatch;
mod ledger;
mod orders;
mod policy;
mod time;
mod units;
mod vectors;
mod vectors_hours;
mod vectors_orders;
