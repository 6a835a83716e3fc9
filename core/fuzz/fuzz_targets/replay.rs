//! Lets stable `cargo build` compile every target and replay saved inputs:
//! `target/debug/<target> FILE...` runs each file through the target once.
//! Under `cargo fuzz run` (cfg fuzzing) libFuzzer provides `main` instead.

use std::ffi::c_int;

unsafe extern "C" {
    // Installs libfuzzer-sys's panic hook, so a panic aborts as under libFuzzer.
    fn LLVMFuzzerInitialize(argc: *const isize, argv: *const *const *const u8) -> c_int;
    // Defined by `fuzz_target!`: the target's body.
    #[allow(improper_ctypes)]
    fn rust_fuzzer_test_input(input: &[u8]) -> i32;
}

pub fn main() {
    // SAFETY: null argc/argv is accepted by libfuzzer-sys's initializer.
    unsafe {
        LLVMFuzzerInitialize(std::ptr::null(), std::ptr::null());
    }
    let mut count = 0usize;
    for path in std::env::args_os().skip(1) {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // SAFETY: the slice is valid for the call.
        unsafe {
            rust_fuzzer_test_input(&bytes);
        }
        count += 1;
    }
    println!("replayed {count} inputs");
}

#[macro_export]
macro_rules! replay_main {
    () => {
        #[cfg(not(fuzzing))]
        fn main() {
            replay::main();
        }
    };
}
