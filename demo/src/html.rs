//! HTML building blocks: escaping, tables, and inline SVG charts. The
//! output is one self-contained file: no scripts, no network, no fonts.
//!
//! ```
//! use zhiyuan_demo::html::{bar_chart, escape};
//! assert_eq!(escape("<a & b>"), "&lt;a &amp; b&gt;");
//! let svg = bar_chart(&[("东山".into(), 12), ("秣陵".into(), 30)], "h");
//! assert!(svg.starts_with("<svg") && svg.contains("秣陵"));
//! ```

use std::fmt::Write as _;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A table with a header row; every cell is escaped. Cells that look
/// numeric are right-aligned.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in headers {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let numeric = !cell.is_empty()
                && cell
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '%' | '-' | ' '));
            let class = if numeric { " class=\"n\"" } else { "" };
            let _ = write!(out, "<td{class}>{}</td>", escape(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// Horizontal bar chart: one labelled bar per `(label, value)`, scaled to
/// the largest value; `unit` is appended to each value label.
pub fn bar_chart(bars: &[(String, i64)], unit: &str) -> String {
    let (label_w, bar_w, row_h) = (220, 420, 22);
    let width = label_w + bar_w + 110;
    let height = row_h * bars.len().max(1) as i64 + 10;
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\">"
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = 5 + row_h * i as i64;
        let w = (value.max(&0) * bar_w / max).max(i64::from(*value > 0));
        let _ = write!(
            out,
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" class=\"l\">{label}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{w}\" height=\"{bh}\" class=\"bar\"/>\
             <text x=\"{vx}\" y=\"{ty}\" class=\"v\">{value}{unit}</text>",
            lx = label_w - 6,
            ty = y + 15,
            bh = row_h - 6,
            vx = label_w + w + 6,
            label = escape(label),
            unit = escape(unit),
        );
    }
    out.push_str("</svg>");
    out
}

/// A heat map: one row per `(label, values)`, one column per entry of
/// `columns`; darker cells hold larger values (each cell shows its value).
pub fn heat_map(columns: &[&str], rows: &[(String, Vec<i64>)]) -> String {
    let (label_w, cell_w, cell_h) = (220, 56, 24);
    let width = label_w + cell_w * columns.len() as i64 + 10;
    let height = cell_h * (rows.len() as i64 + 1) + 10;
    let max = rows
        .iter()
        .flat_map(|r| r.1.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\">"
    );
    for (j, c) in columns.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{x}\" y=\"16\" text-anchor=\"middle\" class=\"l\">{}</text>",
            escape(c),
            x = label_w + cell_w * j as i64 + cell_w / 2,
        );
    }
    for (i, (label, values)) in rows.iter().enumerate() {
        let y = cell_h * (i as i64 + 1);
        let _ = write!(
            out,
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" class=\"l\">{}</text>",
            escape(label),
            lx = label_w - 6,
            ty = y + 16,
        );
        for (j, &v) in values.iter().enumerate() {
            // Lightness 95 % (empty) down to 35 % (the largest cell).
            let light = 95 - v.max(0) * 60 / max;
            let text = if light < 60 { "#fff" } else { "#222" };
            let x = label_w + cell_w * j as i64;
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" \
                 fill=\"hsl(8,70%,{light}%)\"/>\
                 <text x=\"{tx}\" y=\"{ty}\" text-anchor=\"middle\" class=\"c\" \
                 fill=\"{text}\">{v}</text>",
                w = cell_w - 2,
                h = cell_h - 2,
                tx = x + cell_w / 2,
                ty = y + 16,
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// The whole page: inline CSS, a title, and the sections' HTML.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <title>{t}</title><style>\
         body{{font-family:system-ui,'PingFang SC','Noto Sans CJK SC',sans-serif;\
         max-width:1000px;margin:2em auto;padding:0 1em;color:#222}}\
         h1{{color:#b71c1c}}h2{{border-bottom:2px solid #b71c1c;padding-bottom:.2em;margin-top:2em}}\
         table{{border-collapse:collapse;margin:1em 0}}\
         th,td{{border:1px solid #ccc;padding:.25em .6em}}th{{background:#f5f5f5}}\
         td.n{{text-align:right;font-variant-numeric:tabular-nums}}\
         svg{{display:block;margin:1em 0}}svg text{{font-size:12px}}\
         .bar{{fill:#c62828}}.v{{fill:#444}}.l{{fill:#222}}.c{{font-size:11px}}\
         .note{{color:#666;font-size:.9em}}</style></head><body>\
         <h1>{t}</h1>\n{body}</body></html>\n",
        t = escape(title),
    )
}
