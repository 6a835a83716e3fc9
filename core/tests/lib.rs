//! One integration-test binary; one submodule per topic.

mod boards;
mod certificates;
mod county;
mod credit;
mod dispatch;
mod facts;
mod hours_table;
mod ledger;
mod orders;
mod perks;
mod points;
mod policy;
mod saved;
mod selection;
mod simulation;
mod time;
mod units;
mod vectors;
mod vectors_boards;
mod vectors_hours;
mod vectors_hours_table;
mod vectors_orders;
mod vectors_rewards;
mod vectors_selection;
