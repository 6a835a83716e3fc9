//! Report sections. Each section is one function from [`Inputs`] to a
//! [`Section`] holding the same figures as terminal text and as HTML; add a
//! section by writing one function and listing it in [`SECTIONS`].
//!
//! Sections only format: every figure comes from a `zhiyuan` call
//! (the county, the ledger run, the policy).

use crate::html;
use std::fmt::Write as _;
use zhiyuan::Policy;
use zhiyuan::county::{County, LedgerRun, top_share_bp};

/// What sections read.
pub struct Inputs<'a> {
    /// The generated county.
    pub county: &'a County,
    /// Its records after a year in the hours ledger.
    pub run: &'a LedgerRun,
    /// The policy in force.
    pub policy: &'a Policy,
}

/// One report section, in both forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The heading.
    pub title: String,
    /// Terminal text (without the heading).
    pub text: String,
    /// HTML (without the heading).
    pub html: String,
}

/// A section builder.
pub type SectionFn = fn(&Inputs) -> Section;

/// The sections, in report order.
pub const SECTIONS: [SectionFn; 4] = [overview, hours_by_institute_month, stars, flagged];

/// `1234567` → `1,234,567`.
pub fn thousands(n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Minutes shown as hours to 0.1 h (display rounding only, domain-rules
/// §0), truncated toward zero.
pub fn hours(minutes: i64) -> String {
    let tenths = minutes * 10 / 60;
    format!("{}.{}", thousands(tenths / 10), (tenths % 10).abs())
}

/// `part / whole` as a percentage with two decimals (`0.00 %` when `whole`
/// is 0).
pub fn percent(part: u64, whole: u64) -> String {
    let bp = (u128::from(part) * 10_000)
        .checked_div(u128::from(whole))
        .unwrap_or(0);
    format!("{}.{:02} %", bp / 100, bp % 100)
}

/// Basis points shown as a percentage.
pub fn bp_percent(bp: u32) -> String {
    format!("{}.{:02} %", bp / 100, bp % 100)
}

/// A plain-text table: columns padded to their widest cell (counting CJK
/// characters as two columns); numeric columns right-aligned.
pub fn text_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    fn width(s: &str) -> usize {
        s.chars()
            .map(|c| if c as u32 >= 0x2E80 { 2 } else { 1 })
            .sum()
    }
    let n = headers.len();
    let mut w: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(n) {
            w[i] = w[i].max(width(c));
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::from(" ");
        for (i, c) in cells.iter().enumerate() {
            let pad = " ".repeat(w[i] - width(c));
            if i == 0 {
                let _ = write!(s, " {c}{pad}");
            } else {
                let _ = write!(s, "  {pad}{c}");
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    let mut out = line(headers.to_vec());
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}

fn section(title: &str, text: String, html: String) -> Section {
    Section {
        title: title.to_owned(),
        text,
        html,
    }
}

/// Units, teams, volunteers and the size of every table.
pub fn overview(i: &Inputs) -> Section {
    let o = i.county.overview();
    let k = &i.run.counts;
    let minutes = i.run.minutes_of(&i.county.volunteers);
    let top = top_share_bp(&minutes, 1_000);
    let rows: Vec<Vec<String>> = [
        ("Centre (中心)", thousands(o.centres)),
        ("Institutes (所)", thousands(o.institutes)),
        ("Stations (站)", thousands(o.stations)),
        ("Teams (志愿服务队)", thousands(o.teams)),
        ("Volunteers", thousands(o.volunteers)),
        (
            "Volunteers with service this year",
            thousands(o.active_volunteers),
        ),
        ("Service records generated", thousands(o.service_records)),
        ("Training records generated", thousands(o.training_records)),
        ("Approved service hours", hours(k.service_minutes)),
        ("Share of hours given by the top 10 %", bp_percent(top)),
        ("Posts (文明秀)", thousands(o.posts)),
        ("Likes", thousands(o.likes)),
        ("Monthly-star votes", thousands(o.votes)),
        ("Judges", thousands(o.judges)),
        ("Orders (点单)", thousands(o.orders)),
    ]
    .into_iter()
    .map(|(a, b)| vec![a.to_owned(), b])
    .collect();
    let note = format!(
        "Synthetic county, year {}, seed {}; figures as of {}.",
        o.year, o.seed, i.run.as_of
    );
    let text = format!("  {note}\n{}", text_table(&["", "count"], &rows));
    let html = format!(
        "<p class=\"note\">{}</p>{}",
        html::escape(&note),
        html::table(&["", "count"], &rows)
    );
    section("County overview", text, html)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Approved service hours by institute and month: a heat map, a bar chart
/// of the year's totals and a table.
pub fn hours_by_institute_month(i: &Inputs) -> Section {
    let rows = i.run.institute_months(i.county.params.year);
    let heat: Vec<(String, Vec<i64>)> = rows
        .iter()
        .map(|r| (r.name.clone(), r.minutes.iter().map(|m| m / 60).collect()))
        .collect();
    let bars: Vec<(String, i64)> = rows
        .iter()
        .map(|r| (r.name.clone(), r.total() / 60))
        .collect();
    let mut headers = vec!["unit"];
    headers.extend(MONTHS);
    headers.push("year");
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut row = vec![r.name.clone()];
            row.extend(r.minutes.iter().map(|&m| thousands(m / 60)));
            row.push(hours(r.total()));
            row
        })
        .collect();
    let note = "Approved service hours (whole hours per month; year to 0.1 h), by the local \
                month of each record's start. The centre's row holds records entered at the \
                centre itself; each institute's row includes its stations.";
    let text = format!("  {note}\n{}", text_table(&headers, &table_rows));
    let html = format!(
        "<p class=\"note\">{}</p>{}{}{}",
        html::escape(note),
        html::heat_map(&MONTHS, &heat),
        html::bar_chart(&bars, " h"),
        html::table(&headers, &table_rows)
    );
    section("Hours by institute and month", text, html)
}

/// How many volunteers hold each star level.
pub fn stars(i: &Inputs) -> Section {
    let dist = i.run.star_distribution(&i.county.volunteers);
    let thresholds = &i.policy.stars.thresholds_hours;
    let label = |level: usize| match level {
        0 => "no star".to_owned(),
        n => format!("{n}★ (≥ {} h)", thresholds[n - 1]),
    };
    let rows: Vec<Vec<String>> = dist
        .iter()
        .enumerate()
        .map(|(level, &n)| vec![label(level), thousands(n)])
        .collect();
    // Most volunteers hold no star; charting that bar would flatten the
    // rest, so the chart shows the starred levels only (the table has all).
    let bars: Vec<(String, i64)> = dist
        .iter()
        .enumerate()
        .skip(1)
        .map(|(level, &n)| (label(level), n as i64))
        .collect();
    let note = format!(
        "Star level of every registered volunteer from cumulative approved service hours \
         (policy {}).",
        &i.policy.hash()[..12]
    );
    let text = format!("  {note}\n{}", text_table(&["level", "volunteers"], &rows));
    let html = format!(
        "<p class=\"note\">{}</p>{}{}",
        html::escape(&note),
        html::bar_chart(&bars, ""),
        html::table(&["level", "volunteers"], &rows)
    );
    section("Star distribution", text, html)
}

/// What the ledger refused or flagged: overlaps, late entries, daily
/// review, fraud revocations, training kept apart.
pub fn flagged(i: &Inputs) -> Section {
    let k = &i.run.counts;
    let of = |n: u64| percent(n, k.offered);
    let rows: Vec<Vec<String>> = vec![
        vec![
            "Records offered".into(),
            thousands(k.offered),
            of(k.offered),
        ],
        vec!["Accepted".into(), thousands(k.accepted), of(k.accepted)],
        vec![
            "Rejected: overlap with a live record".into(),
            thousands(k.rejected),
            of(k.rejected),
        ],
        vec![
            "Flagged late (approved with late_ok)".into(),
            thousands(k.late),
            of(k.late),
        ],
        vec![
            "Flagged for daily review (> 12 h a day)".into(),
            thousands(k.daily_review),
            of(k.daily_review),
        ],
        vec![
            "Revoked for fraud after audit".into(),
            thousands(k.revoked_fraud),
            of(k.revoked_fraud),
        ],
        vec![
            "Training records (学习时长, kept apart)".into(),
            thousands(k.training),
            of(k.training),
        ],
    ];
    let minutes_rows = vec![
        vec!["Approved service hours".into(), hours(k.service_minutes)],
        vec!["Approved training hours".into(), hours(k.training_minutes)],
        vec![
            "Service hours revoked for fraud".into(),
            hours(k.revoked_fraud_minutes),
        ],
    ];
    let examples: Vec<&str> = i
        .run
        .rejections
        .iter()
        .take(3)
        .map(|r| r.message.as_str())
        .collect();
    let mut text = text_table(&["", "records", "share"], &rows);
    text.push('\n');
    text.push_str(&text_table(&["", "hours"], &minutes_rows));
    if !examples.is_empty() {
        text.push_str("\n  First rejections, as the ledger words them:\n");
        for e in &examples {
            let _ = writeln!(text, "    - {e}");
        }
    }
    let mut html = html::table(&["", "records", "share"], &rows);
    html.push_str(&html::table(&["", "hours"], &minutes_rows));
    if !examples.is_empty() {
        html.push_str("<p>First rejections, as the ledger words them:</p><ul>");
        for e in &examples {
            let _ = write!(html, "<li><code>{}</code></li>", html::escape(e));
        }
        html.push_str("</ul>");
    }
    section("Records flagged", text, html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
        // 0.1 h display, truncated: 59 min is 0.9 h, 61 min 1.0 h.
        assert_eq!(hours(59), "0.9");
        assert_eq!(hours(61), "1.0");
        assert_eq!(hours(60 * 1_234 + 30), "1,234.5");
        assert_eq!(percent(1, 3), "33.33 %");
        assert_eq!(percent(5, 0), "0.00 %");
        assert_eq!(bp_percent(7_496), "74.96 %");
    }

    #[test]
    fn text_table_aligns_cjk_as_double_width() {
        let t = text_table(&["unit", "n"], &[vec!["中心".into(), "5".into()]]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "  unit  n");
        assert_eq!(lines[1], "  中心  5");
    }
}
