//! Runs the demo binary at small scale into a temp dir and checks that the
//! report (text and HTML) has every section and consistent numbers.

use std::collections::BTreeMap;
use std::process::Command;
use zhiyuan::county::{County, CountyParams};

/// The number in the last column of the text line starting with `label`.
fn figure(text: &str, label: &str) -> u64 {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no line {label:?} in\n{text}"));
    let last = line.split_whitespace().last().unwrap();
    last.replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("{line:?}"))
}

const TITLES: [&str; 4] = [
    "County overview",
    "Hours by institute and month",
    "Star distribution",
    "Records flagged",
];

/// The text of section `title`: up to the next section heading or the
/// closing "HTML report" line.
fn section<'a>(text: &'a str, title: &str) -> &'a str {
    let start = text
        .find(&format!("\n{title}\n"))
        .unwrap_or_else(|| panic!("no section {title:?}"));
    let rest = &text[start + title.len() + 2..];
    let end = TITLES
        .iter()
        .filter_map(|t| rest.find(&format!("\n{t}\n")))
        .chain(rest.find("\nHTML report:"))
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn small_demo_writes_a_consistent_report() {
    let dir = std::env::temp_dir().join(format!("zhiyuan-demo-test-{}", std::process::id()));
    let out = dir.join("nested").join("report.html");
    let run = Command::new(env!("CARGO_BIN_EXE_zhiyuan-demo"))
        .args(["--scale", "small", "--seed", "7", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = String::from_utf8(run.stdout).unwrap();
    let html = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(text.contains(&format!("HTML report: {}", out.display())));

    for t in TITLES {
        assert!(text.contains(&format!("\n{t}\n")), "text lacks {t}");
        assert!(html.contains(&format!("<h2>{t}</h2>")), "html lacks {t}");
    }
    // Self-contained: charts inline, nothing fetched, no script.
    assert!(html.matches("<svg").count() >= 3);
    assert!(!html.contains("<script") && !html.contains("src=\"http"));

    // The numbers agree with the county itself and with each other.
    let county = County::generate(&CountyParams {
        seed: 7,
        ..CountyParams::small()
    })
    .unwrap();
    let volunteers = figure(section(&text, "County overview"), "Volunteers  ");
    assert_eq!(volunteers, county.volunteers.len() as u64);
    let stars = section(&text, "Star distribution");
    let star_rows: BTreeMap<String, u64> = ["no star", "1★", "2★", "3★", "4★", "5★"]
        .into_iter()
        .map(|l| (l.to_owned(), figure(stars, l)))
        .collect();
    assert_eq!(star_rows.values().sum::<u64>(), volunteers);
    let flagged = section(&text, "Records flagged");
    let offered = figure_col(flagged, "Records offered");
    let accepted = figure_col(flagged, "Accepted");
    let rejected = figure_col(flagged, "Rejected");
    assert_eq!(offered, county.records.len() as u64);
    assert_eq!(accepted + rejected, offered);
    assert_eq!(rejected, county.overlaps.len() as u64);
    assert_eq!(
        figure_col(flagged, "Revoked for fraud"),
        county.fraud_records.len() as u64
    );
    // The year column of the hours table adds up to the approved hours
    // (each to 0.1 h, so within 0.1 h per row).
    let hours = section(&text, "Hours by institute and month");
    let tenths = |s: &str| -> i64 { s.replace([',', '.'], "").parse().unwrap() };
    let row_sum: i64 = hours
        .lines()
        .filter(|l| l.contains("实践"))
        .map(|l| tenths(l.split_whitespace().last().unwrap()))
        .sum();
    let total = text
        .lines()
        .find(|l| l.trim_start().starts_with("Approved service hours"))
        .unwrap();
    let total = tenths(total.split_whitespace().last().unwrap());
    let rows = hours.lines().filter(|l| l.contains("实践")).count() as i64;
    assert_eq!(rows, 1 + 3);
    assert!((total - row_sum).abs() <= rows, "{total} vs {row_sum}");
}

/// The record count (second-to-last column) of a "Records flagged" line.
fn figure_col(text: &str, label: &str) -> u64 {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no line {label:?}"));
    let cols: Vec<&str> = line.split_whitespace().collect();
    cols[cols.len() - 3].replace(',', "").parse().unwrap()
}
