//! The zhiyuan demo: generate a synthetic county, feed a year of its
//! records through the hours ledger, run every other capability over it
//! (orders, likes, monthly and annual selections, honours, facts, 文明贷,
//! points, perks) and write a report a 文明办 officer would read, as
//! terminal text and as one self-contained HTML file.
//!
//! All behaviour lives in `zhiyuan`; this crate only formats.
//!
//! ```
//! use zhiyuan_demo::{Options, Scale, build};
//! let out = build(&Options { scale: Scale::Small, seed: Some(1), ..Options::default() })?;
//! assert!(out.text.contains("Star distribution"));
//! assert!(out.html.contains("<svg"));
//! # Ok::<(), zhiyuan::Error>(())
//! ```
#![deny(missing_docs)]

pub mod html;
pub mod report;

use report::{Inputs, SECTIONS, Section};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use zhiyuan::county::{County, CountyParams};
use zhiyuan::county_run::{demo_policy, run_capabilities};

/// County size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// [`CountyParams::small`]: 2 000 volunteers, for tests.
    Small,
    /// [`CountyParams::default`]: about 江宁.
    Default,
    /// [`CountyParams::benchmark`]: 1 M volunteers (issue 9's scale); use
    /// with `--generate-only`.
    Benchmark,
}

impl std::str::FromStr for Scale {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "small" => Ok(Scale::Small),
            "default" => Ok(Scale::Default),
            "benchmark" => Ok(Scale::Benchmark),
            _ => Err(format!(
                "--scale: {s:?} is not one of small, default, benchmark"
            )),
        }
    }
}

/// Command-line options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Where the HTML goes (`--out`, default `out/report.html`).
    pub out: PathBuf,
    /// County size (`--scale small|default`).
    pub scale: Scale,
    /// Generator seed (`--seed N`); `None` keeps the scale's own seed.
    pub seed: Option<u64>,
    /// Only generate the county and print its overview and hash
    /// (`--generate-only`): for timing the generator at large scales.
    pub generate_only: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            out: PathBuf::from("out/report.html"),
            scale: Scale::Default,
            seed: None,
            generate_only: false,
        }
    }
}

impl Options {
    /// Parses `--out PATH`, `--scale small|default`, `--seed N`.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut o = Options::default();
        let mut it = args.into_iter();
        while let Some(a) = it.next() {
            let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
            match a.as_str() {
                "--out" => o.out = PathBuf::from(value("--out")?),
                "--scale" => o.scale = value("--scale")?.parse()?,
                "--seed" => {
                    let v = value("--seed")?;
                    o.seed = Some(
                        v.parse()
                            .map_err(|_| format!("--seed: {v:?} is not a u64"))?,
                    );
                }
                "--generate-only" => o.generate_only = true,
                "-h" | "--help" => return Err(USAGE.to_owned()),
                _ => return Err(format!("unknown argument {a:?}\n{USAGE}")),
            }
        }
        Ok(o)
    }

    /// The county params these options select.
    pub fn params(&self) -> CountyParams {
        let p = match self.scale {
            Scale::Small => CountyParams::small(),
            Scale::Default => CountyParams::default(),
            Scale::Benchmark => CountyParams::benchmark(),
        };
        CountyParams {
            seed: self.seed.unwrap_or(p.seed),
            ..p
        }
    }
}

/// Usage text.
pub const USAGE: &str = "usage: zhiyuan-demo [--out PATH] [--scale small|default] [--seed N]";

/// The built report.
#[derive(Clone, Debug)]
pub struct Output {
    /// The sections.
    pub sections: Vec<Section>,
    /// Terminal text.
    pub text: String,
    /// The self-contained HTML page.
    pub html: String,
    /// Wall-clock phases (generate, ledger, capabilities, report), for
    /// stderr only.
    pub timings: Vec<(&'static str, Duration, u64)>,
}

/// Generates the county only: its overview as text (with the data hash)
/// and the wall-clock time taken.
pub fn generate_only(opts: &Options) -> zhiyuan::Result<(String, Duration)> {
    let t0 = Instant::now();
    let county = County::generate(&opts.params())?;
    let took = t0.elapsed();
    let o = county.overview();
    let text = format!(
        "volunteers {}\nservice records {}\ntraining records {}\nposts {}\nlikes {}\n\
         votes {}\norders {}\nhash {}\n",
        o.volunteers,
        o.service_records,
        o.training_records,
        o.posts,
        o.likes,
        o.votes,
        o.orders,
        county.hash()
    );
    Ok((text, took))
}

/// Generates the county, runs the ledger and builds every section.
pub fn build(opts: &Options) -> zhiyuan::Result<Output> {
    let params = opts.params();
    let policy = demo_policy()?;
    let t0 = Instant::now();
    let county = County::generate(&params)?;
    let rows = (county.records.len()
        + county.likes.len()
        + county.posts.len()
        + county.votes.len()
        + county.orders.len()
        + county.volunteers.len()) as u64;
    let t1 = Instant::now();
    let mut run = county.run_ledger(policy.clone())?;
    let t2 = Instant::now();
    let caps = run_capabilities(&county, &mut run)?;
    let t2b = Instant::now();
    let inputs = Inputs {
        county: &county,
        run: &run,
        policy: &policy,
        caps: &caps,
    };
    let sections: Vec<Section> = SECTIONS.iter().map(|f| f(&inputs)).collect();
    let title = format!(
        "zhiyuan demo report — synthetic county {} (seed {})",
        params.year, params.seed
    );
    let mut text = format!("{title}\n{}\n", "=".repeat(title.chars().count()));
    let mut body = String::new();
    for s in &sections {
        text.push_str(&format!(
            "\n{}\n{}\n{}",
            s.title,
            "-".repeat(s.title.chars().count()),
            s.text
        ));
        body.push_str(&format!(
            "<section><h2>{}</h2>\n{}</section>\n",
            html::escape(&s.title),
            s.html
        ));
    }
    let html = html::page(&title, &body);
    let t3 = Instant::now();
    Ok(Output {
        sections,
        text,
        html,
        timings: vec![
            ("generate", t1 - t0, rows),
            ("ledger", t2 - t1, run.counts.offered),
            ("capabilities", t2b - t2, county.volunteers.len() as u64),
            ("report", t3 - t2b, 0),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_options() {
        let o = Options::parse(args("--scale small --seed 9 --out r.html")).unwrap();
        assert_eq!(o.scale, Scale::Small);
        assert_eq!(o.params().seed, 9);
        assert_eq!(o.out, PathBuf::from("r.html"));
        assert_eq!(Options::parse(args("")).unwrap(), Options::default());
        let e = Options::parse(args("--scale huge")).unwrap_err();
        assert!(e.starts_with("--scale:"), "{e}");
        assert!(Options::parse(args("--seed x")).is_err());
        assert!(Options::parse(args("--out")).is_err());
        assert!(Options::parse(args("--bogus")).is_err());
    }
}
