//! Test helper (temporary, until the project's MPS reader lands).
#![allow(dead_code)]

use relumip::lp::{LpProblem, Sense};
use std::path::Path;

/// A throw-away free-format MPS loader for these tests until the project's reader lands.
pub fn load_mps(path: &Path) -> Option<LpProblem> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut p = LpProblem::new(Sense::Minimize);
    let mut section = String::new();
    let mut obj_name = String::new();
    let mut row_index = std::collections::HashMap::new();
    let mut row_type: Vec<char> = Vec::new();
    let mut col_index = std::collections::HashMap::new();
    let mut rhs: Vec<f64> = Vec::new();
    let mut ranges: Vec<Option<f64>> = Vec::new();
    let mut integer_marker = false;
    let mut int_cols = std::collections::HashSet::new();
    let mut col_rows: Vec<Vec<(usize, f64)>> = Vec::new();
    for line in text.lines() {
        if line.starts_with('*') || line.trim().is_empty() {
            continue;
        }
        let tok: Vec<&str> = line.split_whitespace().collect();
        if !line.starts_with(' ') && !line.starts_with('\t') {
            section = tok[0].to_uppercase();
            if section == "OBJSENSE" && tok.len() > 1 && tok[1].to_uppercase().starts_with("MAX") {
                p.sense = Sense::Maximize;
            }
            continue;
        }
        match section.as_str() {
            "OBJSENSE" if tok[0].to_uppercase().starts_with("MAX") => p.sense = Sense::Maximize,
            "ROWS" => {
                let t = tok[0].to_uppercase().chars().next()?;
                if t == 'N' {
                    if obj_name.is_empty() {
                        obj_name = tok[1].to_string();
                    }
                    continue;
                }
                row_index.insert(tok[1].to_string(), row_type.len());
                row_type.push(t);
                rhs.push(0.0);
                ranges.push(None);
            }
            "COLUMNS" => {
                if tok.len() >= 3 && tok[1].contains("'MARKER'") {
                    integer_marker = tok[2].contains("INTORG");
                    continue;
                }
                let name = tok[0];
                let j = *col_index.entry(name.to_string()).or_insert_with(|| {
                    col_rows.push(Vec::new());
                    p.add_col(0.0, 0.0, f64::INFINITY, name)
                });
                if integer_marker {
                    int_cols.insert(j);
                }
                let mut k = 1;
                while k + 1 < tok.len() {
                    let v: f64 = tok[k + 1].parse().ok()?;
                    if tok[k] == obj_name {
                        p.cost[j] += v;
                    } else if let Some(&i) = row_index.get(tok[k]) {
                        col_rows[j].push((i, v));
                    }
                    k += 2;
                }
            }
            "RHS" => {
                let mut k = if tok.len() % 2 == 1 { 1 } else { 0 };
                while k + 1 < tok.len() {
                    let v: f64 = tok[k + 1].parse().ok()?;
                    if tok[k] == obj_name {
                        p.objective_offset = -v;
                    } else if let Some(&i) = row_index.get(tok[k]) {
                        rhs[i] = v;
                    }
                    k += 2;
                }
            }
            "RANGES" => {
                let mut k = if tok.len() % 2 == 1 { 1 } else { 0 };
                while k + 1 < tok.len() {
                    let v: f64 = tok[k + 1].parse().ok()?;
                    if let Some(&i) = row_index.get(tok[k]) {
                        ranges[i] = Some(v);
                    }
                    k += 2;
                }
            }
            "BOUNDS" => {
                let bt = tok[0].to_uppercase();
                let (name, val) = if tok.len() >= 4 {
                    (tok[2], tok[3].parse::<f64>().ok())
                } else if tok.len() == 3 && matches!(bt.as_str(), "FR" | "MI" | "PL" | "BV") {
                    (tok[2], None)
                } else if tok.len() == 3 {
                    (tok[1], tok[2].parse::<f64>().ok())
                } else {
                    (tok[1], None)
                };
                let &j = col_index.get(name)?;
                let v = val.unwrap_or(0.0);
                match bt.as_str() {
                    "UP" | "UI" => {
                        p.col_upper[j] = v;
                        if v < 0.0 && p.col_lower[j] == 0.0 {
                            p.col_lower[j] = f64::NEG_INFINITY;
                        }
                    }
                    "LO" | "LI" => p.col_lower[j] = v,
                    "FX" => {
                        p.col_lower[j] = v;
                        p.col_upper[j] = v;
                    }
                    "FR" => {
                        p.col_lower[j] = f64::NEG_INFINITY;
                        p.col_upper[j] = f64::INFINITY;
                    }
                    "MI" => p.col_lower[j] = f64::NEG_INFINITY,
                    "PL" => p.col_upper[j] = f64::INFINITY,
                    "BV" => {
                        p.col_lower[j] = 0.0;
                        p.col_upper[j] = 1.0;
                    }
                    _ => return None,
                }
            }
            _ => {}
        }
    }
    let m = row_type.len();
    let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); m];
    for (j, entries) in col_rows.iter().enumerate() {
        for &(i, v) in entries {
            if let Some(e) = rows[i].iter_mut().find(|e| e.0 == j) {
                e.1 += v;
            } else {
                rows[i].push((j, v));
            }
        }
    }
    for (i, row) in rows.into_iter().enumerate() {
        let b = rhs[i];
        let (mut lo, mut hi) = match row_type[i] {
            'E' => (b, b),
            'L' => (f64::NEG_INFINITY, b),
            _ => (b, f64::INFINITY),
        };
        if let Some(r) = ranges[i] {
            match row_type[i] {
                'E' => {
                    if r >= 0.0 {
                        hi = b + r;
                    } else {
                        lo = b + r;
                    }
                }
                'L' => lo = b - r.abs(),
                _ => hi = b + r.abs(),
            }
        }
        p.add_row(lo, hi, row, format!("r{i}"));
    }
    Some(p)
}
