//! `zhiyuan-demo [--out PATH] [--scale small|default|benchmark] [--seed N] [--generate-only]`

use std::process::ExitCode;
use zhiyuan_demo::{Options, build, generate_only};

fn main() -> ExitCode {
    let opts = match Options::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    if opts.generate_only {
        return match generate_only(&opts) {
            Ok((text, took)) => {
                print!("{text}");
                eprintln!("generate: {:.3} s", took.as_secs_f64());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let out = match build(&opts) {
        Ok(out) => out,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(dir) = opts.out.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("error: {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    if let Err(e) = std::fs::write(&opts.out, &out.html) {
        eprintln!("error: {}: {e}", opts.out.display());
        return ExitCode::FAILURE;
    }
    print!("{}", out.text);
    println!("\nHTML report: {}", opts.out.display());
    for (phase, d, rows) in &out.timings {
        if *rows > 0 {
            eprintln!("{phase}: {:.3} s ({rows} rows)", d.as_secs_f64());
        } else {
            eprintln!("{phase}: {:.3} s", d.as_secs_f64());
        }
    }
    ExitCode::SUCCESS
}
