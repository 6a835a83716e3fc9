//! Any bytes as an RFC 3339 timestamp or a period: never a panic; accepted
//! values print and re-parse to themselves.
#![cfg_attr(fuzzing, no_main)]
mod replay;

use libfuzzer_sys::fuzz_target;
use zhiyuan::time::{Period, Timestamp};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(t) = text.parse::<Timestamp>() {
        assert_eq!(
            t.to_string().parse::<Timestamp>().expect("printed parses"),
            t
        );
    }
    if let Ok(p) = text.parse::<Period>() {
        assert_eq!(p.to_string().parse::<Period>().expect("printed parses"), p);
    }
});

replay_main!();
