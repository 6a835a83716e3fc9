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

const TITLES: [&str; 10] = [
    "County overview",
    "Hours by institute and month",
    "Star distribution",
    "Records flagged",
    "Points and perks",
    "文明贷 credit tiers",
    "Weekly like leaderboard",
    "Monthly 十佳文明秀之星",
    "Annual selection and district quotas",
    "Orders (五单) and the service list",
];

/// The whitespace-separated columns of each line of `text` that starts
/// with one of `labels` (after indentation).
fn rows<'a>(text: &'a str, labels: &[&str]) -> Vec<Vec<&'a str>> {
    text.lines()
        .filter(|l| labels.iter().any(|p| l.trim_start().starts_with(p)))
        .map(|l| l.split_whitespace().collect())
        .collect()
}

fn num(s: &str) -> u64 {
    s.replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("{s:?} is not a number"))
}

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
    assert!(html.matches("<svg").count() >= 6);
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

    capability_sections_agree(&text, &county);
}

/// The capability sections' figures add up (sums, quotas, ten stars).
fn capability_sections_agree(text: &str, county: &County) {
    let volunteers = county.volunteers.len() as u64;
    // Points: every volunteer sits in one balance band.
    let points = section(text, "Points and perks");
    let bands = rows(
        points,
        &["0 ", "1–99", "100–999", "1,000–", "5,000–", "≥ 20,000"],
    );
    assert_eq!(bands.len(), 6);
    assert_eq!(
        bands.iter().map(|r| num(r[r.len() - 1])).sum::<u64>(),
        volunteers
    );
    assert!(figure(points, "Points earned") > 0);
    assert!(
        figure(points, "Points clawed back") > 0,
        "the fraud audit claws back"
    );

    // 文明贷: the tier rows sum to the volunteers evaluated; the three
    // explained decisions are there with their reasons.
    let credit = section(text, "文明贷 credit tiers");
    let evaluated = credit
        .split("facts of all ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .map(num)
        .unwrap();
    assert_eq!(evaluated, volunteers);
    let tiers = rows(credit, &["not eligible", "tier_"]);
    assert_eq!(tiers.len(), 6);
    assert_eq!(
        tiers.iter().map(|r| num(r[r.len() - 1])).sum::<u64>(),
        evaluated
    );
    assert!(credit.contains("Eligible: tier "));
    assert!(credit.contains("Just short: every gate holds"));
    assert!(credit.contains("next tier 1 (tier_1"), "the gap is shown");
    assert!(credit.contains("Excluded: failing"));
    assert!(credit.contains("✗ gate:no_fraud_3_years"));

    // Likes: every reason listed; the like ring's likes are discounted.
    let likes = section(text, "Weekly like leaderboard");
    let reasons = rows(
        likes,
        &[
            "OUTSIDE_WINDOW",
            "SELF_LIKE",
            "DUPLICATE",
            "UNLIKED",
            "NEW_ACCOUNT",
            "AUTHOR_CAP",
            "LIKER_CAP",
        ],
    );
    assert_eq!(reasons.len(), 7);
    let ring: u64 = reasons.iter().map(|r| num(r[3])).sum();
    assert!(ring > 0, "the like ring is visible");
    assert!(num(reasons[1][2]) > 0, "self-likes are visible");
    assert!(likes.contains("rank  post  author"));

    // Monthly: exactly ten stars, each with a breakdown row.
    let monthly = section(text, "Monthly 十佳文明秀之星");
    let starred = monthly
        .lines()
        .filter(|l| l.trim_end().ends_with('★'))
        .count();
    assert_eq!(starred, 10);
    let stars = monthly
        .split("Stars: ")
        .nth(1)
        .unwrap()
        .lines()
        .next()
        .unwrap();
    assert_eq!(stars.trim_end_matches('.').split(", ").count(), 10);
    let months = rows(monthly, &["2025-"]);
    assert_eq!(
        months.iter().filter(|r| r.len() == 5).count(),
        12,
        "every month's tally"
    );

    // Annual: seats sum to min(total, eligible) and each district's seats
    // stay within its eligible count.
    let annual = section(text, "Annual selection and district quotas");
    let quotas: Vec<Vec<&str>> = rows(annual, &[""])
        .into_iter()
        .filter(|r| r.len() >= 4 && r[0].ends_with("实践所") && r[2].contains('.'))
        .collect();
    assert!(!quotas.is_empty());
    let eligible: u64 = quotas.iter().map(|r| num(r[1])).sum();
    let seats: u64 = quotas.iter().map(|r| num(r[3])).sum();
    assert!(quotas.iter().all(|r| num(r[3]) <= num(r[1])));
    assert_eq!(seats, eligible.min(1000));
    assert_eq!(figure(annual, "annual_excellent"), seats);
    assert_eq!(figure(annual, "monthly_star"), 12 * 10);

    // Orders: the centre's row is the county; institutes add up to it.
    let orders = section(text, "Orders (五单) and the service list");
    let units = rows(orders, &[""])
        .into_iter()
        .filter(|r| r.len() > 2 && (r[0].ends_with("中心") || r[0].ends_with("实践所")))
        .collect::<Vec<_>>();
    assert_eq!(units.len(), 1 + 3);
    assert_eq!(num(units[0][1]), county.orders.len() as u64);
    assert_eq!(
        units[1..].iter().map(|r| num(r[1])).sum::<u64>(),
        county.orders.len() as u64
    );
    assert!(orders.contains("0 refused"));
    assert!(orders.contains("Service list (服务清单)"));
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
