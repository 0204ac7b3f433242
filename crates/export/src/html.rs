//! The report as one self-contained HTML page: inline CSS and inline SVG charts, no scripts,
//! no fonts, no links to anything outside the file.

use std::fmt::Write as _;

use crate::report::{LENGTH_BINS, Report, SiteSummary};

/// Sites listed in the per-site table (the ones with most documents).
pub const MAX_SITES_LISTED: usize = 200;
/// Duplicate clusters listed (the largest).
pub const MAX_CLUSTERS_LISTED: usize = 200;

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #d8dce3;padding-bottom:4px}
.muted{color:#5d6675;font-size:13px}code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;background:#eceff3;padding:1px 4px;border-radius:3px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:16px}
.card{background:#fff;border:1px solid #d8dce3;border-radius:6px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:22px}.card span{font-size:12px;color:#5d6675}
.panel{background:#fff;border:1px solid #d8dce3;border-radius:6px;padding:12px}
table{border-collapse:collapse;width:100%;font-size:13px;background:#fff}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceff3;vertical-align:top}
th{background:#eceff3}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
ol{margin:0;padding-left:20px}li{margin:1px 0}svg{max-width:100%;height:auto}svg text{font-size:14px;fill:#1d2330}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
";

const BLUE: &str = "#4c78a8";
const ORANGE: &str = "#f58518";
const RED: &str = "#e45756";

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
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

/// A count with thousands separators.
fn num(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A byte size: `512 B`, `1.5 KB`, `2.0 MB` (powers of 1024).
fn bytes(n: u64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else if value.fract() == 0.0 {
        format!("{value:.0} {}", units[unit])
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

/// Axis ticks at round values for counts up to `max`: a step of 1, 2 or 5 times a power of
/// ten, and how many steps reach `max` (at most 5; at least 1).
fn round_ticks(max: u64) -> (u64, u64) {
    let max = max.max(1);
    let mut power = 1u64;
    loop {
        for factor in [1, 2, 5] {
            let step = factor * power;
            let n = max.div_ceil(step);
            if n <= 5 {
                return (step, n);
            }
        }
        power *= 10;
    }
}

/// A horizontal bar chart of labelled values.
fn bar_chart(rows: &[(String, f64, String)], color: &str) -> String {
    if rows.is_empty() {
        return "<p class=\"muted\">Nothing to show.</p>".to_owned();
    }
    let label_w = 260.0;
    let bar_w = 640.0;
    let row_h = 28.0;
    let height = row_h * rows.len() as f64 + 8.0;
    let max = rows.iter().map(|r| r.1).fold(0.0_f64, f64::max).max(1e-9);
    let mut svg = format!(
        "<svg role=\"img\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\">",
        w = label_w + bar_w + 120.0
    );
    for (i, (label, value, shown)) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let w = (value / max * bar_w).max(1.0);
        let _ = write!(
            svg,
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{bh}\" fill=\"{color}\"><title>{label}: {shown}</title></rect>\
             <text x=\"{vx:.1}\" y=\"{ty}\">{shown}</text>",
            lx = label_w - 8.0,
            ty = y + 17.0,
            bh = row_h - 6.0,
            vx = label_w + w + 6.0,
            label = escape(label),
            shown = escape(shown),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Grouped columns: document lengths before and after, per log2 bin.
fn length_chart(before: &[u64], after: &[u64]) -> String {
    let used: Vec<usize> = (0..LENGTH_BINS)
        .filter(|&k| before.get(k).copied().unwrap_or(0) + after.get(k).copied().unwrap_or(0) > 0)
        .collect();
    let (Some(&lo), Some(&hi)) = (used.first(), used.last()) else {
        return "<p class=\"muted\">No articles.</p>".to_owned();
    };
    let n_bins = hi - lo + 1;
    let (left, top, plot_h, group_w) = (64.0, 12.0, 320.0, 60.0);
    let width = left + group_w * n_bins as f64 + 10.0;
    let height = top + plot_h + 70.0;
    let highest = (lo..=hi)
        .map(|k| before[k].max(after[k]))
        .max()
        .unwrap_or(1)
        .max(1);
    let (step, n_ticks) = round_ticks(highest);
    let max = (step * n_ticks) as f64;
    let mut svg = format!(
        "<svg role=\"img\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">"
    );
    for tick in 0..=n_ticks {
        let value = num(step * tick);
        let y = top + plot_h - plot_h * tick as f64 / n_ticks as f64;
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{width}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#eceff3\"/>\
             <text x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\">{value}</text>",
            tx = left - 6.0,
            ty = y + 5.0,
        );
    }
    for (g, k) in (lo..=hi).enumerate() {
        let x = left + g as f64 * group_w + 4.0;
        let label = if k == 0 {
            "0".to_owned()
        } else {
            bytes(1u64 << (k - 1))
        };
        for (s, (series, color, name)) in [(before, BLUE, "input"), (after, ORANGE, "output")]
            .into_iter()
            .enumerate()
        {
            let h = series[k] as f64 / max * plot_h;
            let _ = write!(
                svg,
                "<rect x=\"{bx:.1}\" y=\"{y:.1}\" width=\"24\" height=\"{h:.1}\" fill=\"{color}\"><title>{name} {label}+: {n}</title></rect>",
                bx = x + s as f64 * 25.0,
                y = top + plot_h - h,
                n = series[k],
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{tx:.1}\" y=\"{ty}\" text-anchor=\"end\" transform=\"rotate(-35 {tx:.1} {ty})\">{label}</text>",
            tx = x + 30.0,
            ty = top + plot_h + 18.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

fn site_row(out: &mut String, name: &str, site: &SiteSummary) {
    let kept = if site.n_lines > 0 {
        format!("{:.0}%", 100.0 * site.n_kept as f64 / site.n_lines as f64)
    } else {
        "–".to_owned()
    };
    let name = if name.is_empty() {
        "<span class=\"muted\">(unknown)</span>".to_owned()
    } else {
        escape(name)
    };
    let mut top = String::new();
    if !site.top_lines.is_empty() {
        top.push_str("<ol>");
        for line in &site.top_lines {
            let _ = write!(
                top,
                "<li><code>{}</code> <span class=\"muted\">×{} {}</span></li>",
                escape(&line.text),
                num(line.n),
                escape(&line.reason)
            );
        }
        top.push_str("</ol>");
    }
    let _ = write!(
        out,
        "<tr><td>{name}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
         <td class=\"n\">{}</td><td class=\"n\">{kept}</td><td class=\"n\">{}</td><td>{top}</td></tr>",
        num(site.n_docs),
        num(site.n_exported),
        num(site.n_duplicates),
        num(site.n_rejected),
        num(site.n_words),
    );
}

/// The report as HTML.
pub fn render(report: &Report) -> String {
    let s = &report.summary;
    let t = &report.timings;
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>newsclean run report</title><style>{STYLE}</style></head><body><main>\
         <h1>newsclean run report</h1>\
         <div class=\"muted\">newsclean {} · {} threads · <code>{}</code></div>",
        escape(&report.version),
        report.threads,
        escape(&report.args.join(" ")),
    );
    let cards = [
        (num(s.n_seen), "documents seen"),
        (num(s.n_exported), "exported"),
        (num(s.n_duplicates), "duplicates"),
        (num(s.n_rejected), "rejected"),
        (format!("{:.2} s", t.wall_s), "wall time"),
        (format!("{:.0}", t.docs_per_s), "docs/s"),
        (format!("{:.1}", t.mb_per_s), "MB/s"),
        (bytes(s.n_bytes), "input of exported"),
        (bytes(s.n_bytes_out), "text written"),
    ];
    html.push_str("<div class=\"cards\">");
    for (value, label) in cards {
        let _ = write!(
            html,
            "<div class=\"card\"><b>{}</b><span>{label}</span></div>",
            escape(&value)
        );
    }
    let _ = write!(
        html,
        "</div><p class=\"muted\">Every document is accounted for: {} seen = {} exported + {} \
         duplicates + {} rejected.</p>",
        num(s.n_seen),
        num(s.n_exported),
        num(s.n_duplicates),
        num(s.n_rejected),
    );
    charts(&mut html, report);
    tables(&mut html, report);
    html.push_str("</main></body></html>\n");
    html
}

/// The chart sections: removal reasons, lengths, stage timings.
fn charts(html: &mut String, report: &Report) {
    let s = &report.summary;
    let t = &report.timings;
    html.push_str("<h2>Lines removed, by reason</h2><div class=\"panel\">");
    let mut reasons: Vec<(&String, &u64)> = s.removed.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let rows: Vec<(String, f64, String)> = reasons
        .iter()
        .map(|(reason, n)| ((*reason).clone(), **n as f64, num(**n)))
        .collect();
    html.push_str(&bar_chart(&rows, BLUE));
    let _ = write!(
        html,
        "<p class=\"muted\">{} of {} non-blank input lines kept.</p></div>",
        num(s.n_kept),
        num(s.n_lines)
    );

    html.push_str("<h2>Rejects, by reason</h2><div class=\"panel\">");
    let mut rejects: Vec<(&String, &u64)> = s.rejects_by_reason.iter().collect();
    rejects.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let rows: Vec<(String, f64, String)> = rejects
        .iter()
        .map(|(reason, n)| ((*reason).clone(), **n as f64, num(**n)))
        .collect();
    if rows.is_empty() {
        html.push_str("<p class=\"muted\">None: no document was rejected.</p></div>");
    } else {
        html.push_str(&bar_chart(&rows, RED));
        html.push_str(
            "<p class=\"muted\">Numbers in a reason are shown as N; the rejects file has each document.</p></div>",
        );
    }

    let _ = write!(
        html,
        "<h2>Document length, before and after</h2><div class=\"panel\">\
         <div class=\"legend muted\"><span style=\"background:{BLUE}\"></span>input page\
         <span style=\"background:{ORANGE}\"></span>article text</div>{}\
         <p class=\"muted\">Articles per size bin (bytes, log scale: each bin doubles).</p></div>",
        length_chart(&s.lengths.before, &s.lengths.after)
    );

    html.push_str("<h2>Stage timings</h2><div class=\"panel\">");
    let rows: Vec<(String, f64, String)> = t
        .stages
        .iter()
        .map(|st| (st.stage.clone(), st.busy_s, format!("{:.2} s", st.busy_s)))
        .collect();
    html.push_str(&bar_chart(&rows, ORANGE));
    html.push_str(
        "<p class=\"muted\">Busy time summed over threads; stages overlap, so the sum can exceed the wall time.</p></div>",
    );
}

/// The table sections: sites, duplicate clusters, output files.
fn tables(html: &mut String, report: &Report) {
    let s = &report.summary;
    let mut sites: Vec<(&String, &SiteSummary)> = s.sites.iter().collect();
    sites.sort_by(|a, b| b.1.n_docs.cmp(&a.1.n_docs).then(a.0.cmp(b.0)));
    let _ = write!(
        html,
        "<h2>Sites</h2><p class=\"muted\">{} {}{}.</p><table><thead><tr><th>site</th>\
         <th class=\"n\">docs</th><th class=\"n\">exported</th><th class=\"n\">duplicates</th><th class=\"n\">rejected</th>\
         <th class=\"n\">lines kept</th><th class=\"n\">words</th><th>top boilerplate lines</th></tr></thead><tbody>",
        num(s.sites.len() as u64),
        if s.sites.len() == 1 { "site" } else { "sites" },
        if s.sites.len() > MAX_SITES_LISTED {
            format!("; the {MAX_SITES_LISTED} largest are listed")
        } else {
            String::new()
        }
    );
    for (name, site) in sites.into_iter().take(MAX_SITES_LISTED) {
        site_row(html, name, site);
    }
    html.push_str("</tbody></table>");

    html.push_str("<h2>Duplicate clusters</h2>");
    let clusters = &s.duplicate_clusters;
    if clusters.is_empty() {
        html.push_str("<p class=\"muted\">None: no document was dropped as a copy.</p>");
    } else {
        let _ = write!(
            html,
            "<p class=\"muted\">{} duplicates in {} {}{}; the first id of each was kept.</p>\
             <table><thead><tr><th class=\"n\">size</th><th>ids (first kept)</th></tr></thead><tbody>",
            num(s.n_duplicates),
            num(clusters.len() as u64),
            if clusters.len() == 1 {
                "cluster"
            } else {
                "clusters"
            },
            if clusters.len() > MAX_CLUSTERS_LISTED {
                format!("; the {MAX_CLUSTERS_LISTED} largest are listed")
            } else {
                String::new()
            }
        );
        for cluster in clusters.iter().take(MAX_CLUSTERS_LISTED) {
            let mut ids: Vec<String> = cluster.ids.iter().map(|id| escape(id)).collect();
            if cluster.n_docs > cluster.ids.len() as u64 {
                ids.push(format!(
                    "… {} more",
                    num(cluster.n_docs - cluster.ids.len() as u64)
                ));
            }
            let _ = write!(
                html,
                "<tr><td class=\"n\">{}</td><td>{}</td></tr>",
                num(cluster.n_docs),
                ids.join(", ")
            );
        }
        html.push_str("</tbody></table>");
    }

    if !s.files.is_empty() {
        html.push_str("<h2>Output files</h2><table><thead><tr><th>file</th><th>holds</th><th class=\"n\">records</th><th class=\"n\">size</th></tr></thead><tbody>");
        for file in &s.files {
            let path = file.path.display().to_string();
            let is_sized =
                path != "-" && !matches!(file.kind.as_str(), "articles directory" | "report");
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&path),
                escape(&file.kind),
                if file.kind == "report" {
                    "–".to_owned()
                } else {
                    num(file.n_docs)
                },
                if is_sized {
                    bytes(file.n_bytes)
                } else {
                    "–".to_owned()
                }
            );
        }
        html.push_str("</tbody></table>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting() {
        assert_eq!(num(0), "0");
        assert_eq!(num(1_234_567), "1,234,567");
        assert_eq!(num(100), "100");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KB");
        assert_eq!(bytes(2048), "2 KB");
        assert_eq!(round_ticks(0), (1, 1));
        assert_eq!(round_ticks(3), (1, 3));
        assert_eq!(round_ticks(7), (2, 4));
        assert_eq!(round_ticks(37), (10, 4));
        assert_eq!(round_ticks(1234), (500, 3));
        assert_eq!(round_ticks(100), (20, 5));
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
