//! Any bytes as TOML policy text: never a panic; an accepted policy prints
//! and re-parses to the same hash.
#![cfg_attr(fuzzing, no_main)]
mod replay;

use libfuzzer_sys::fuzz_target;
use zhiyuan::Policy;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = Policy::from_toml(text) {
        let again = Policy::from_toml(&p.to_toml()).expect("a printed policy parses");
        assert_eq!(again.hash(), p.hash());
        let json = Policy::from_json(&p.to_json()).expect("canonical JSON parses");
        assert_eq!(json.hash(), p.hash());
    }
});

replay_main!();
