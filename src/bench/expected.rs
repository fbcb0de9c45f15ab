//! Expected answers of an instance set (a reference or expected CSV) and the wrong-answer check.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};

/// Relative tolerance within which an objective or bound agrees with the reference.
pub const OBJECTIVE_TOL: f64 = 1e-6;

/// Relative distance from the optimum at which a solver claiming `optimal` is wrong (solvers stop at a
/// relative gap of 1e-4 by default; an objective within it is not a wrong answer).
pub const OPTIMAL_CLAIM_TOL: f64 = 1e-4;

/// The known answer for one instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    /// `optimal`, `infeasible`, `unbounded`, `sat` or `unsat`.
    pub status: String,
    /// The optimum when `optimal`.
    pub objective: Option<f64>,
}

/// Reads an expected-answers CSV with a header. The instance is named by a `file`, `name` or `instance`
/// column (its stem is the key), or by `onnx` and `vnnlib` columns (key `ONNXSTEM__VNNLIBSTEM`). The answer is
/// the first definite one (optimal, infeasible, unbounded, sat, unsat) among the columns `expected`,
/// `status`, then any `*_status` column, with the matching `objective` / `*_objective`.
pub fn read_expected(path: &Path) -> Result<HashMap<String, Expected>> {
    let text = crate::error::read_text(path)?;
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(Error::input(path, "line 1", "empty CSV: expected a header"));
    };
    let header: Vec<String> = header.split(',').map(|h| h.trim().to_ascii_lowercase()).collect();
    let column = |name: &str| header.iter().position(|h| h == name);
    let name_col = column("file")
        .or_else(|| column("name"))
        .or_else(|| column("instance"));
    let pair_cols = column("onnx").zip(column("vnnlib"));
    if name_col.is_none() && pair_cols.is_none() {
        return Err(Error::input(
            path,
            "line 1",
            "no `file`, `name`, `instance` or `onnx`+`vnnlib` column",
        ));
    }
    // Status columns in order of preference, each with its objective column.
    let mut answer_cols: Vec<(usize, Option<usize>)> = Vec::new();
    for name in ["expected", "status"] {
        if let Some(c) = column(name) {
            answer_cols.push((c, column("objective")));
        }
    }
    for (c, h) in header.iter().enumerate() {
        if let Some(prefix) = h.strip_suffix("_status") {
            answer_cols.push((c, column(&format!("{prefix}_objective"))));
        }
    }
    let mut out = HashMap::new();
    for (_, line) in lines {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let field = |c: usize| fields.get(c).copied().unwrap_or("");
        let key = match (name_col, pair_cols) {
            (Some(c), _) => stem(field(c)),
            (None, Some((a, b))) => format!("{}__{}", stem(field(a)), stem(field(b))),
            (None, None) => continue,
        };
        let answer = answer_cols.iter().find_map(|&(c, obj)| {
            let status = normalise_status(field(c))?;
            let objective = obj
                .and_then(|o| field(o).parse::<f64>().ok())
                .filter(|v| v.is_finite());
            Some(Expected { status, objective })
        });
        if let Some(answer) = answer {
            out.insert(key, answer);
        }
    }
    Ok(out)
}

/// The file name without folders and without its last extension (`a/b/afiro.mps` → `afiro`).
pub fn stem(file: &str) -> String {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    match name.rsplit_once('.') {
        Some((s, _)) if !s.is_empty() => s.to_string(),
        _ => name.to_string(),
    }
}

/// A definite answer in CLI words, or `None` (errors, unknown, limits).
pub fn normalise_status(text: &str) -> Option<String> {
    let t = text.trim().to_ascii_lowercase();
    let word = match t.as_str() {
        "optimal" => "optimal",
        "infeasible" => "infeasible",
        "unbounded" => "unbounded",
        "sat" => "sat",
        "unsat" => "unsat",
        _ => return None,
    };
    Some(word.to_string())
}

/// Is the answer (status, objective, bound) wrong against the expected one? `minimize` is the sense
/// when known (it decides which side a bound or objective may not cross).
pub fn is_wrong(
    expected: &Expected,
    status: &str,
    objective: Option<f64>,
    bound: Option<f64>,
    minimize: Option<bool>,
) -> bool {
    match expected.status.as_str() {
        "optimal" => {
            if matches!(status, "infeasible" | "unbounded" | "infeasible_or_unbounded") {
                return true;
            }
            let Some(optimum) = expected.objective else {
                return false;
            };
            let scale = optimum.abs().max(1.0);
            // Signed distance in the improving direction: positive means "better than the optimum".
            let better = |v: f64| match minimize {
                Some(true) => (optimum - v) / scale,
                Some(false) => (v - optimum) / scale,
                None => 0.0,
            };
            let objective_too_good = objective.is_some_and(|o| better(o) > OBJECTIVE_TOL);
            // A bound is valid only on the far side: for minimisation, bound <= optimum.
            let bound_invalid = bound.is_some_and(|b| -better(b) > OBJECTIVE_TOL);
            let optimal_claim_off = status == "optimal"
                && objective.is_some_and(|o| (o - optimum).abs() / scale > OPTIMAL_CLAIM_TOL + OBJECTIVE_TOL);
            objective_too_good || bound_invalid || optimal_claim_off
        }
        "infeasible" => {
            status == "optimal" || status == "unbounded" || status == "sat" || objective.is_some()
        }
        "unbounded" => status == "optimal" || status == "infeasible",
        "sat" => status == "unsat",
        "unsat" => status == "sat",
        _ => false,
    }
}
