//! Report sections. Each section is one function from [`Inputs`] to a
//! [`Section`] holding the same figures as terminal text and as HTML; add a
//! section by writing one function and listing it in [`SECTIONS`].
//!
//! Sections only format: every figure comes from a `zhiyuan` call
//! (the county, the ledger run, the policy).

use crate::html;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use zhiyuan::Policy;
use zhiyuan::county::{Cohort, County, LedgerRun, top_share_bp};
use zhiyuan::county_run::Capabilities;
use zhiyuan::credit::{CreditDecision, CreditEngine};
use zhiyuan::honours::HonourKind;
use zhiyuan::posts::{FULL_WEIGHT, LikeReason};
use zhiyuan::rules::RuleValue;
use zhiyuan::time::{Grain, Period};

/// What sections read.
pub struct Inputs<'a> {
    /// The generated county.
    pub county: &'a County,
    /// Its records after a year in the hours ledger.
    pub run: &'a LedgerRun,
    /// The policy in force.
    pub policy: &'a Policy,
    /// Every other capability's results.
    pub caps: &'a Capabilities,
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
pub const SECTIONS: [SectionFn; 10] = [
    overview,
    hours_by_institute_month,
    stars,
    flagged,
    points_and_perks,
    credit,
    weekly_likes,
    monthly_stars,
    annual_selection,
    orders,
];

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
        vec![
            "  of which order close-outs (销单)".into(),
            hours(i.caps.orders.close_out_minutes),
        ],
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

/// One part of a section, rendered as text and as HTML.
enum Block {
    Note(String),
    Table(Vec<String>, Vec<Vec<String>>),
    Bars(Vec<(String, i64)>, &'static str),
    List(Vec<String>),
}

fn render(title: &str, blocks: Vec<Block>) -> Section {
    let (mut text, mut out) = (String::new(), String::new());
    for b in blocks {
        match b {
            Block::Note(n) => {
                let _ = writeln!(text, "  {n}");
                let _ = write!(out, "<p class=\"note\">{}</p>", html::escape(&n));
            }
            Block::Table(h, rows) => {
                let h: Vec<&str> = h.iter().map(String::as_str).collect();
                text.push_str(&text_table(&h, &rows));
                text.push('\n');
                out.push_str(&html::table(&h, &rows));
            }
            Block::Bars(bars, unit) => out.push_str(&html::bar_chart(&bars, unit)),
            Block::List(items) => {
                out.push_str("<ul>");
                for i in items {
                    let _ = writeln!(text, "    - {i}");
                    let _ = write!(out, "<li>{}</li>", html::escape(&i));
                }
                out.push_str("</ul>");
            }
        }
    }
    section(title, text, out)
}

fn heads(h: &[&str]) -> Vec<String> {
    h.iter().map(|s| (*s).to_owned()).collect()
}

/// `VoterDailyCap` → `voter_daily_cap`: the serde code of a unit enum.
fn code(v: impl std::fmt::Debug) -> String {
    let mut out = String::new();
    for (i, c) in format!("{v:?}").chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Fen as yuan with thousands separators.
fn yuan(fen: i64) -> String {
    format!("{} yuan", thousands(fen / 100))
}

fn unit_name(c: &County, id: u64) -> String {
    c.units
        .iter()
        .find(|u| u.id == id)
        .map_or_else(|| id.to_string(), |u| u.name.clone())
}

/// Points balances in bands, the perks catalogue with its claims.
pub fn points_and_perks(i: &Inputs) -> Section {
    let c = i.caps;
    let bands: [(i64, i64, &str); 6] = [
        (0, 0, "0"),
        (1, 99, "1–99"),
        (100, 999, "100–999"),
        (1_000, 4_999, "1,000–4,999"),
        (5_000, 19_999, "5,000–19,999"),
        (20_000, i64::MAX, "≥ 20,000"),
    ];
    let mut counts = [0u64; 6];
    let (mut earned, mut redeemed, mut clawed, mut debtors) = (0i64, 0i64, 0i64, 0u64);
    for v in &i.county.volunteers {
        let a = c.points.account(v.id);
        earned += a.earned;
        redeemed += a.redeemed;
        clawed += a.clawed_back;
        debtors += u64::from(a.debt > 0);
        if let Some(k) = bands
            .iter()
            .position(|&(lo, hi, _)| (lo..=hi).contains(&a.balance))
        {
            counts[k] += 1;
        }
    }
    let rows: Vec<Vec<String>> = bands
        .iter()
        .zip(counts)
        .map(|(b, n)| vec![b.2.to_owned(), thousands(n)])
        .collect();
    let bars = bands
        .iter()
        .zip(counts)
        .map(|(b, n)| (format!("{} points", b.2), n as i64))
        .collect();
    let totals = vec![
        vec![
            "Points earned (hours and honours)".into(),
            thousands(earned),
        ],
        vec!["Points spent on perks".into(), thousands(redeemed)],
        vec![
            "Points clawed back (fraud revocations)".into(),
            thousands(clawed),
        ],
        vec!["Volunteers left in points debt".into(), thousands(debtors)],
    ];
    let mut claimed: BTreeMap<&str, (u64, i64)> = BTreeMap::new();
    for r in c.perks.claims() {
        let e = claimed.entry(r.claim.perk.as_str()).or_default();
        e.0 += 1;
        e.1 += r.points_spent;
    }
    let perk_rows: Vec<Vec<String>> = i
        .policy
        .perks
        .catalogue
        .iter()
        .map(|p| {
            let (n, pts) = claimed.get(p.id.as_str()).copied().unwrap_or_default();
            vec![
                p.title.clone(),
                p.merchant.clone(),
                p.points_cost.map_or("free".into(), thousands),
                thousands(n),
                thousands(pts),
            ]
        })
        .collect();
    render(
        "Points and perks",
        vec![
            Block::Note(format!(
                "Points balance of every volunteer at {} ({} points per approved hour, plus \
                 honour points; fraud revocations clawed back).",
                c.as_of, i.policy.points.points_per_hour
            )),
            Block::Bars(bars, ""),
            Block::Table(heads(&["balance", "volunteers"]), rows),
            Block::Table(heads(&["", "points"]), totals),
            Block::Note("Perks claimed (联盟商家礼遇), one per volunteer per year:".into()),
            Block::Table(
                heads(&["perk", "merchant", "cost", "claimed", "points spent"]),
                perk_rows,
            ),
        ],
    )
}

fn describe(d: &CreditDecision) -> Vec<String> {
    let value = |v: &RuleValue, unit: &str| match (v, unit) {
        (RuleValue::Int(m), "minutes") => format!("{} h", hours(*m)),
        (RuleValue::Int(n), _) => n.to_string(),
        (RuleValue::Bool(b), _) => b.to_string(),
        (RuleValue::Text(t), _) => t.clone(),
        (RuleValue::List(l), _) => format!("{} values", l.len()),
    };
    let mut out: Vec<String> = d
        .conditions
        .iter()
        .filter(|c| c.rule.starts_with("gate:") || !c.passed)
        .map(|c| {
            format!(
                "{} {}: {} {} {} (actual {})",
                if c.passed { "✓" } else { "✗" },
                c.rule,
                c.fact,
                c.op,
                value(&c.required, &c.unit),
                value(&c.actual, &c.unit)
            )
        })
        .collect();
    if let Some(n) = &d.next_tier {
        for g in &n.unmet {
            out.push(format!(
                "next tier {} ({}, {}): {}",
                n.tier,
                n.id,
                yuan(n.limit_fen),
                g.needs
            ));
        }
    }
    out
}

/// 文明贷 tier distribution over every volunteer and three explained
/// decisions.
pub fn credit(i: &Inputs) -> Section {
    let c = i.caps;
    let tiers = &i.policy.credit.tiers;
    let mut dist = vec![0u64; tiers.len() + 1];
    for &t in &c.credit.tier {
        dist[(t as usize).min(tiers.len())] += 1;
    }
    let rows: Vec<Vec<String>> = dist
        .iter()
        .enumerate()
        .map(|(t, &n)| match t {
            0 => vec!["not eligible".into(), "—".into(), "—".into(), thousands(n)],
            t => vec![
                tiers[t - 1].id.clone(),
                yuan(tiers[t - 1].limit_fen),
                bp_percent(tiers[t - 1].rate_discount_bp as u32),
                thousands(n),
            ],
        })
        .collect();
    let bars = rows
        .iter()
        .skip(1)
        .map(|r| (r[0].clone(), figure_of(&r[3])))
        .collect();
    let mut blocks = vec![
        Block::Note(format!(
            "Batch decision over the facts of all {} volunteers at {} (policy {}).",
            thousands(c.credit.tier.len() as u64),
            c.credit.as_of,
            &c.credit.policy_hash[..12]
        )),
        Block::Bars(bars, ""),
        Block::Table(
            heads(&["tier", "limit", "rate discount", "volunteers"]),
            rows,
        ),
    ];
    if let Ok(engine) = CreditEngine::new(i.policy) {
        let decide = |k: usize| engine.decide(&c.facts[k], c.as_of);
        let eligible = c.credit.tier.iter().position(|&t| t > 0).map(decide);
        // Just short: every gate holds, no tier yet, the smallest gap.
        let short = (0..c.facts.len())
            .filter(|&k| c.credit.tier[k] == 0)
            .map(decide)
            .filter(|d| d.failing_gates.is_empty())
            .filter_map(|d| {
                let gap = d.next_tier.as_ref()?.unmet.first()?.shortfall?;
                Some((gap, d))
            })
            .min_by_key(|(gap, _)| *gap)
            .map(|(_, d)| d);
        // Excluded: a fraud revocation in the window fails a gate.
        let excluded = (0..c.facts.len())
            .filter(|&k| c.facts[k].fraud_revocations > 0)
            .map(decide)
            .next();
        for (label, d) in [
            ("Eligible", eligible),
            ("Just short", short),
            ("Excluded", excluded),
        ] {
            if let Some(d) = d {
                let head = match d.tier {
                    Some(t) => format!(
                        "{label}: tier {t} ({}), limit {}, rate discount {}",
                        d.tier_id.clone().unwrap_or_default(),
                        yuan(d.limit_fen),
                        bp_percent(d.rate_discount_bp as u32)
                    ),
                    None if d.failing_gates.is_empty() => {
                        format!("{label}: every gate holds, no tier reached yet")
                    }
                    None => format!("{label}: failing {}", d.failing_gates.join(", ")),
                };
                blocks.push(Block::Note(head));
                blocks.push(Block::List(describe(&d)));
            }
        }
    }
    render("文明贷 credit tiers", blocks)
}

fn figure_of(s: &str) -> i64 {
    s.replace(',', "").parse().unwrap_or(0)
}

/// The weekly like leaderboard of the busiest week, with the likes the
/// filter discounted and why.
pub fn weekly_likes(i: &Inputs) -> Section {
    let c = i.caps;
    let offset = i.policy.offset();
    let verdicts = c.likes.verdicts.as_deref().unwrap_or_default();
    let post_week: BTreeMap<u64, Period> = i
        .county
        .posts
        .iter()
        .map(|p| (p.id, Period::of(Grain::Week, p.created_at, offset)))
        .collect();
    let ring: std::collections::BTreeSet<u64> = i
        .county
        .volunteers
        .iter()
        .filter(|v| v.cohort == Cohort::LikeRing)
        .map(|v| v.id)
        .collect();
    // Per week: likes, and per reason; the ring's likes over the year.
    let mut weeks: BTreeMap<Period, (u64, BTreeMap<LikeReason, u64>)> = BTreeMap::new();
    let mut year: BTreeMap<LikeReason, u64> = BTreeMap::new();
    let mut ring_likes: (u64, BTreeMap<LikeReason, u64>) = (0, BTreeMap::new());
    for (like, v) in i.county.likes.iter().zip(verdicts) {
        let Some(&w) = post_week.get(&like.post) else {
            continue;
        };
        let e = weeks.entry(w).or_default();
        e.0 += 1;
        if ring.contains(&like.liker) {
            ring_likes.0 += 1;
        }
        if let Some(r) = v.reason {
            *e.1.entry(r).or_default() += 1;
            *year.entry(r).or_default() += 1;
            if ring.contains(&like.liker) {
                *ring_likes.1.entry(r).or_default() += 1;
            }
        }
    }
    let Some((&week, (likes, reasons))) = weeks
        .iter()
        .max_by_key(|(w, (n, _))| (*n, std::cmp::Reverse(**w)))
    else {
        return render(
            "Weekly like leaderboard",
            vec![Block::Note("No likes.".into())],
        );
    };
    let board = c
        .likes
        .partial
        .boards(10)
        .into_iter()
        .find(|b| b.week == week);
    let weight = |w: i64| format!("{}.{:03}", w / FULL_WEIGHT, w % FULL_WEIGHT);
    let top: Vec<Vec<String>> = board
        .iter()
        .flat_map(|b| &b.posts)
        .map(|p| {
            vec![
                p.rank.to_string(),
                p.post.to_string(),
                p.author.to_string(),
                weight(p.weight),
                thousands(p.likes),
            ]
        })
        .collect();
    let reason_rows: Vec<Vec<String>> = LikeReason::ALL
        .iter()
        .map(|r| {
            vec![
                r.as_str().to_owned(),
                thousands(reasons.get(r).copied().unwrap_or(0)),
                thousands(year.get(r).copied().unwrap_or(0)),
                thousands(ring_likes.1.get(r).copied().unwrap_or(0)),
            ]
        })
        .collect();
    let discounted: u64 = reasons.values().sum();
    render(
        "Weekly like leaderboard",
        vec![
            Block::Note(format!(
                "Week {week}, the busiest of the year: {} likes on its posts, {} discounted. \
                 Weight is in likes (a new account's like ramps up to 1.000).",
                thousands(*likes),
                thousands(discounted)
            )),
            Block::Table(heads(&["rank", "post", "author", "weight", "likes"]), top),
            Block::Note(format!(
                "Discounted likes by reason (the first filter step that applies). The like \
                 ring ({} new accounts liking each other) gave {} likes in the year.",
                ring.len(),
                thousands(ring_likes.0)
            )),
            Block::Table(
                heads(&["reason", "this week", "year", "year, like ring"]),
                reason_rows,
            ),
        ],
    )
}

/// The monthly 十佳文明秀之星 of the month with the most void votes, in
/// full, and every month's tally.
pub fn monthly_stars(i: &Inputs) -> Section {
    let c = i.caps;
    let Some(m) = c
        .monthly
        .iter()
        .max_by_key(|m| (m.tally.void.len(), std::cmp::Reverse(m.month)))
    else {
        return render(
            "Monthly 十佳文明秀之星",
            vec![Block::Note("No rounds.".into())],
        );
    };
    let p = &i.policy.monthly_stars;
    let standings: Vec<Vec<String>> = m
        .standings
        .iter()
        .take(p.winners as usize + 2)
        .map(|s| {
            vec![
                s.place.to_string(),
                s.candidate.to_string(),
                thousands(s.votes),
                s.vote_part.to_decimal(2),
                s.marks.to_string(),
                s.dropped_judges.len().to_string(),
                s.judge_mean_display.clone(),
                s.judge_part.to_decimal(2),
                s.final_display.clone(),
                if s.winner {
                    "★".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    let mut void: BTreeMap<String, u64> = BTreeMap::new();
    for v in &m.tally.void {
        *void.entry(code(v.reason)).or_default() += 1;
    }
    let void_rows: Vec<Vec<String>> = void
        .into_iter()
        .map(|(r, n)| vec![r, thousands(n)])
        .collect();
    let months: Vec<Vec<String>> = c
        .monthly
        .iter()
        .map(|r| {
            vec![
                r.month.to_string(),
                r.standings.len().to_string(),
                thousands(r.tally.counted_total),
                thousands(r.tally.void.len() as u64),
                r.winners.len().to_string(),
            ]
        })
        .collect();
    let stars: Vec<String> = m.winners.iter().map(|w| w.volunteer.to_string()).collect();
    render(
        "Monthly 十佳文明秀之星",
        vec![
            Block::Note(format!(
                "{}: {} candidates, {} votes counted, {} void. Final = ({}‰ × vote part + {}‰ \
                 × judge part) / 1000; the judge part trims {} mark(s) each side from {} \
                 judges up. Stars: {}.",
                m.month,
                m.standings.len(),
                thousands(m.tally.counted_total),
                thousands(m.tally.void.len() as u64),
                p.vote_weight_permille,
                p.judge_weight_permille,
                p.trim_each_side,
                p.trim_min_judges,
                stars.join(", ")
            )),
            Block::Table(
                heads(&[
                    "place",
                    "candidate",
                    "votes",
                    "vote part",
                    "marks",
                    "dropped",
                    "judge mean",
                    "judge part",
                    "final",
                    "star",
                ]),
                standings,
            ),
            Block::Note("Void votes by reason:".into()),
            Block::Table(heads(&["reason", "votes"]), void_rows),
            Block::Note("Every month:".into()),
            Block::Table(
                heads(&["month", "candidates", "counted", "void", "stars"]),
                months,
            ),
        ],
    )
}

/// The annual 千名优秀志愿者: district quotas, the top of the public
/// notice, ineligibility reasons, and the honours registry.
pub fn annual_selection(i: &Inputs) -> Section {
    let a = &i.caps.annual;
    let q = &a.quotas;
    let quota_rows: Vec<Vec<String>> = q
        .districts
        .iter()
        .map(|d| {
            vec![
                unit_name(i.county, d.id),
                thousands(d.size),
                d.quota.to_decimal(2),
                thousands(d.seats),
                if d.capped {
                    "capped".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    let bars = q
        .districts
        .iter()
        .map(|d| (unit_name(i.county, d.id), d.seats as i64))
        .collect();
    let notice: Vec<Vec<String>> = {
        let mut top: Vec<_> = a.notice().collect();
        top.sort_by(|x, y| y.score.cmp(&x.score).then(x.volunteer.cmp(&y.volunteer)));
        top.iter()
            .take(15)
            .map(|s| {
                vec![
                    s.volunteer.to_string(),
                    unit_name(i.county, s.district),
                    s.district_rank.to_string(),
                    hours(s.annual_minutes),
                    s.hours_part.to_decimal(1),
                    s.rating_part.to_decimal(1),
                    s.honours_part.to_decimal(1),
                    s.orders_part.to_decimal(1),
                    s.score_display.clone(),
                ]
            })
            .collect()
    };
    let mut rules: BTreeMap<String, u64> = BTreeMap::new();
    for x in &a.ineligible {
        for f in &x.failures {
            *rules.entry(code(f.rule)).or_default() += 1;
        }
    }
    let inel: Vec<Vec<String>> = rules
        .into_iter()
        .map(|(r, n)| vec![r, thousands(n)])
        .collect();
    let mut kinds: BTreeMap<HonourKind, u64> = BTreeMap::new();
    for h in i.caps.honours.iter() {
        *kinds.entry(h.kind).or_default() += 1;
    }
    let honours: Vec<Vec<String>> = kinds
        .into_iter()
        .map(|(k, n)| vec![k.as_str().to_owned(), thousands(n)])
        .collect();
    render(
        "Annual selection and district quotas",
        vec![
            Block::Note(format!(
                "{}: {} seats by {} over {} eligible volunteers in {} districts (each capped at \
                 its eligible count); {} allocated, {} unfilled.",
                a.year,
                thousands(q.total),
                code(q.method),
                thousands(q.districts.iter().map(|d| d.size).sum::<u64>()),
                q.districts.len(),
                thousands(q.allocated),
                thousands(q.unfilled)
            )),
            Block::Bars(bars, " seats"),
            Block::Table(
                heads(&["district", "eligible", "quota", "seats", ""]),
                quota_rows,
            ),
            Block::Note("Public notice, highest scores first (parts 0–100):".into()),
            Block::Table(
                heads(&[
                    "volunteer",
                    "district",
                    "rank",
                    "hours",
                    "hours pt",
                    "rating pt",
                    "honours pt",
                    "orders pt",
                    "score",
                ]),
                notice,
            ),
            Block::Note("Ineligible volunteers by failed rule:".into()),
            Block::Table(heads(&["rule", "volunteers"]), inel),
            Block::Note("Honours registry after both selections:".into()),
            Block::Table(heads(&["honour", "granted"]), honours),
        ],
    )
}

fn seconds(s: Option<i64>) -> String {
    s.map_or("—".into(), |s| {
        format!("{}.{} h", s / 3600, s % 3600 * 10 / 3600)
    })
}

/// Order metrics per institute for the year, and the service list.
pub fn orders(i: &Inputs) -> Section {
    let o = &i.caps.orders;
    let year = Period::Year(i.county.params.year);
    let mut units = vec![zhiyuan::county::CENTRE];
    units.extend(
        i.county
            .units
            .iter()
            .filter(|u| u.parent == Some(zhiyuan::county::CENTRE))
            .map(|u| u.id),
    );
    let rate = |bp: Option<u32>| bp.map_or("—".into(), bp_percent);
    let rows: Vec<Vec<String>> = units
        .iter()
        .filter_map(|&u| o.book.metrics(u, year).ok())
        .map(|m| {
            vec![
                unit_name(i.county, m.unit),
                thousands(m.placed),
                rate(m.dispatch_rate_bp),
                seconds(m.acceptance_seconds.p50),
                seconds(m.acceptance_seconds.p90),
                seconds(m.completion_seconds.p50),
                seconds(m.completion_seconds.p90),
                rate(m.completion_rate_bp),
                rate(m.satisfaction_rate_bp),
                rate(m.unrated_share_bp),
                thousands(m.redispatches),
            ]
        })
        .collect();
    let (from, to) = year.bounds(i.policy.offset());
    let mut blocks = vec![
        Block::Note(format!(
            "五单 workflow over {} orders placed in {}: {} commands applied, {} refused; {} \
             close-out service records went through the hours ledger. Times from placement; \
             the centre's row is the whole county.",
            thousands(i.county.orders.len() as u64),
            year,
            thousands(o.applied),
            thousands(o.refused.len() as u64),
            thousands(o.close_out_records)
        )),
        Block::Table(
            heads(&[
                "unit",
                "placed",
                "dispatch",
                "accept p50",
                "accept p90",
                "done p50",
                "done p90",
                "completion",
                "satisfied",
                "unrated",
                "redispatch",
            ]),
            rows,
        ),
    ];
    if let Ok(list) = o.book.service_list(from, to, None) {
        let cats = &i.policy.orders.categories;
        let name = |code: &str| {
            cats.iter()
                .find(|c| c.code == code)
                .map_or(code.to_owned(), |c| c.name.clone())
        };
        let needs: Vec<Vec<String>> = list
            .needs
            .iter()
            .take(10)
            .map(|n| {
                vec![
                    n.rank.to_string(),
                    unit_name(i.county, n.unit),
                    name(&n.category),
                    n.group.map_or("—".into(), code),
                    n.orders.to_string(),
                    code(n.top_urgency),
                ]
            })
            .collect();
        blocks.push(Block::Note(format!(
            "Service list (服务清单): {} needs, {} planned projects (≥ {} orders). Top needs:",
            thousands(list.needs.len() as u64),
            thousands(list.projects.len() as u64),
            i.policy.orders.project_min_orders
        )));
        blocks.push(Block::Table(
            heads(&["rank", "station", "category", "group", "orders", "urgency"]),
            needs,
        ));
        blocks.push(Block::List(
            list.projects
                .iter()
                .take(5)
                .map(|p| format!("{} — {}", unit_name(i.county, p.unit), p.title))
                .collect(),
        ));
    }
    render("Orders (五单) and the service list", blocks)
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
