//! Any bytes as a ledger snapshot: never a panic; a restored ledger
//! snapshots and restores to an equal ledger.
#![cfg_attr(fuzzing, no_main)]
mod replay;

use libfuzzer_sys::fuzz_target;
use zhiyuan::ledger::HoursLedger;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(l) = HoursLedger::restore(text) {
        let again = HoursLedger::restore(&l.snapshot()).expect("a snapshot restores");
        assert!(again == l);
    }
});

replay_main!();
