//! The benchmark's tables: `results.csv` (one line per instance) and `results.md` (the same, and a summary).

use std::fmt::Write as _;
use std::path::Path;

use super::runner::{summarise, BenchResults, SolverResult};
use crate::error::{Error, Result};

/// Writes `DIR/results.csv` and `DIR/results.md`, creating `DIR` when needed.
pub fn write_tables(results: &BenchResults, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let csv_path = dir.join("results.csv");
    std::fs::write(&csv_path, results_csv(results)).map_err(|e| Error::io(&csv_path, e))?;
    let md_path = dir.join("results.md");
    std::fs::write(&md_path, results_markdown(results)).map_err(|e| Error::io(&md_path, e))
}

fn opt_number(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| format!("{v:?}"))
}

fn solver_fields(r: Option<&SolverResult>) -> Vec<String> {
    match r {
        Some(r) => vec![
            r.status.clone(),
            opt_number(r.objective),
            opt_number(r.bound),
            opt_number(r.time_s),
            r.nodes.map_or(String::new(), |n| n.to_string()),
            r.wrong.to_string(),
        ],
        None => vec![String::new(); 6],
    }
}

/// The CSV: instance, expected status and objective, then status, objective, bound, time, nodes and
/// wrong for relumip and for each peer.
pub fn results_csv(results: &BenchResults) -> String {
    let mut header = vec![
        "instance".to_string(),
        "expected_status".into(),
        "expected_objective".into(),
    ];
    for solver in std::iter::once("relumip").chain(results.peers.iter().map(String::as_str)) {
        for field in ["status", "objective", "bound", "time_s", "nodes", "wrong"] {
            header.push(format!("{solver}_{field}"));
        }
    }
    let mut out = header.join(",") + "\n";
    for row in &results.rows {
        let mut fields = vec![
            row.name.replace(',', ";"),
            row.expected.as_ref().map_or(String::new(), |e| e.status.clone()),
            opt_number(row.expected.as_ref().and_then(|e| e.objective)),
        ];
        fields.extend(solver_fields(Some(&row.relumip)));
        for peer in &results.peers {
            fields.extend(solver_fields(row.peers.get(peer)));
        }
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

fn short(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.6}"))
}

fn cell(r: Option<&SolverResult>) -> String {
    match r {
        None => "- | - | - | -".into(),
        Some(r) => {
            let status = if r.wrong {
                format!("**{} (wrong)**", r.status)
            } else {
                r.status.clone()
            };
            let time = r.time_s.map_or("-".to_string(), |t| format!("{t:.3}"));
            let nodes = r.nodes.map_or("-".to_string(), |n| n.to_string());
            format!(
                "{status} | {} / {} | {time} | {nodes}",
                short(r.objective),
                short(r.bound)
            )
        }
    }
}

/// The Markdown report: the summary, then one table line per instance.
pub fn results_markdown(results: &BenchResults) -> String {
    let mut out = String::from("# Benchmark results\n\n");
    let limit = results
        .time_limit
        .map_or("none".to_string(), |l| format!("{l} s"));
    let _ = writeln!(
        out,
        "Time limit: {limit}. Shifted geometric mean with shift {} s; unsolved instances count at the limit. \
         Ratio = relumip's shifted geometric mean / the peer's (above 1: relumip slower), over the instances both \
         have, and over those both solved.\n",
        results.shift_s
    );
    out.push_str(
        "| solver | instances | solved | wrong | shifted geo. mean time (s) | ratio relumip/peer | both solved | ratio on both solved |\n",
    );
    out.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for line in summarise(results) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            line.solver,
            line.instances,
            line.solved,
            line.wrong,
            line.sgm_time_s.map_or("-".to_string(), |t| format!("{t:.4}")),
            line.relumip_ratio.map_or("-".to_string(), |r| format!("{r:.2}")),
            if line.solver == "relumip" {
                "-".to_string()
            } else {
                line.both_solved.to_string()
            },
            line.relumip_ratio_both_solved
                .map_or("-".to_string(), |r| format!("{r:.2}")),
        );
    }
    out.push_str("\n| instance | expected |");
    let mut rule = String::from("| --- | --- |");
    for solver in std::iter::once("relumip").chain(results.peers.iter().map(String::as_str)) {
        let _ = write!(out, " {solver} status | objective / bound | time (s) | nodes |");
        rule.push_str(" --- | --- | ---: | ---: |");
    }
    out.push('\n');
    out.push_str(&rule);
    out.push('\n');
    for row in &results.rows {
        let expected = row
            .expected
            .as_ref()
            .map_or("-".to_string(), |e| match e.objective {
                Some(o) => format!("{} {o:.6}", e.status),
                None => e.status.clone(),
            });
        let _ = write!(
            out,
            "| {} | {expected} | {} |",
            row.name,
            cell(Some(&row.relumip))
        );
        for peer in &results.peers {
            let _ = write!(out, " {} |", cell(row.peers.get(peer)));
        }
        out.push('\n');
    }
    let notes: Vec<String> = results
        .rows
        .iter()
        .filter_map(|row| {
            row.relumip
                .note
                .as_ref()
                .map(|n| format!("- {}: {}", row.name, n.replace('\n', " ")))
        })
        .collect();
    if !notes.is_empty() {
        out.push_str("\nErrors:\n");
        out.push_str(&notes.join("\n"));
        out.push('\n');
    }
    out
}
