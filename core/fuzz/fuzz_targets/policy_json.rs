//! Any bytes as JSON policy text: never a panic; an accepted policy's
//! canonical JSON is a fixed point.
#![cfg_attr(fuzzing, no_main)]
mod replay;

use libfuzzer_sys::fuzz_target;
use zhiyuan::Policy;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = Policy::from_json(text) {
        let again = Policy::from_json(&p.to_json()).expect("canonical JSON parses");
        assert_eq!(again.to_json(), p.to_json());
    }
});

replay_main!();
