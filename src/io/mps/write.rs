//! The MPS writer: free format, names kept, numbers in Rust's shortest round-trip form, so that reading the
//! file back gives the identical model, with two limits of the format: infinite values are written as
//! `1e30` (read back as infinite), so a finite bound of magnitude `>= 1e30` comes back infinite; and a
//! ranged row `[lower, upper]` is stated as a right-hand side and a range, exact whenever some range
//! reproduces the other bound in `f64` (always for models read from MPS), otherwise the larger-magnitude bound is within about one ulp.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

use super::MpsModel;
use crate::error::{Error, Result};
use crate::lp::Sense;

/// Writes `model` as free-format MPS to `path`.
pub fn write_mps(model: &MpsModel, path: &Path) -> Result<()> {
    let text = mps_string(model)?;
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

/// The free-format MPS text of `model`.
pub fn mps_string(model: &MpsModel) -> Result<String> {
    let lp = &model.problem;
    let invalid = |place: String, problem: &str| Error::input("MPS output", place, problem);
    if model.integer.len() != lp.num_cols() || lp.col_names.len() != lp.num_cols() {
        return Err(invalid(
            "columns".into(),
            "integer flags or names do not match the column count",
        ));
    }
    if lp.row_names.len() != lp.num_rows() {
        return Err(invalid("rows".into(), "names do not match the row count"));
    }
    check_names(&lp.col_names, "column")?;
    check_names(&lp.row_names, "row")?;
    let row_set: HashSet<&str> = lp.row_names.iter().map(String::as_str).collect();
    let objective = (0..)
        .map(|k| {
            if k == 0 {
                "OBJ".to_string()
            } else {
                format!("OBJ_{k}")
            }
        })
        .find(|name| !row_set.contains(name.as_str()))
        .unwrap_or_default();

    let mut rows_text = String::new();
    let mut rhs_text = String::new();
    let mut ranges_text = String::new();
    if lp.objective_offset != 0.0 {
        line(&mut rhs_text, &["RHS", &objective, &num(-lp.objective_offset)]);
    }
    for (i, name) in lp.row_names.iter().enumerate() {
        let (kind, b, range) = row_form(lp.row_lower[i], lp.row_upper[i]).ok_or_else(|| {
            invalid(
                format!("row `{name}`"),
                "bounds that MPS cannot state exactly (lower > upper?)",
            )
        })?;
        let _ = writeln!(rows_text, " {kind}  {name}");
        if b != 0.0 {
            line(&mut rhs_text, &["RHS", name, &num(b)]);
        }
        if let Some(r) = range {
            line(&mut ranges_text, &["RNG", name, &num(r)]);
        }
    }

    let mut by_column: Vec<Vec<(usize, f64)>> = vec![Vec::new(); lp.num_cols()];
    for (i, row) in lp.rows.iter().enumerate() {
        for &(j, a) in row {
            if j >= lp.num_cols() || !a.is_finite() {
                return Err(invalid(
                    format!("row `{}`", lp.row_names[i]),
                    "bad column index or coefficient",
                ));
            }
            if a != 0.0 {
                by_column[j].push((i, a));
            }
        }
    }
    let mut columns_text = String::new();
    let mut in_integer = false;
    let mut markers = 0;
    for (j, name) in lp.col_names.iter().enumerate() {
        if model.integer[j] != in_integer {
            let which = if in_integer { "'INTEND'" } else { "'INTORG'" };
            line(
                &mut columns_text,
                &[&format!("MARKER{markers}"), "'MARKER'", which],
            );
            markers += 1;
            in_integer = model.integer[j];
        }
        if lp.cost[j] != 0.0 || by_column[j].is_empty() {
            line(&mut columns_text, &[name, &objective, &num(lp.cost[j])]);
        }
        for &(i, a) in &by_column[j] {
            line(&mut columns_text, &[name, &lp.row_names[i], &num(a)]);
        }
    }
    if in_integer {
        line(
            &mut columns_text,
            &[&format!("MARKER{markers}"), "'MARKER'", "'INTEND'"],
        );
    }

    let mut bounds_text = String::new();
    for (j, name) in lp.col_names.iter().enumerate() {
        for (kind, value) in bound_entries(lp.col_lower[j], lp.col_upper[j], model.integer[j]) {
            match value {
                Some(v) => line(&mut bounds_text, &[kind, "BND", name, &num(v)]),
                None => line(&mut bounds_text, &[kind, "BND", name]),
            }
        }
    }

    let mut out = String::from("NAME relumip\n");
    if lp.sense == Sense::Maximize {
        out.push_str("OBJSENSE\n    MAX\n");
    }
    let _ = write!(
        out,
        "ROWS\n N  {objective}\n{rows_text}COLUMNS\n{columns_text}RHS\n{rhs_text}"
    );
    if !ranges_text.is_empty() {
        let _ = write!(out, "RANGES\n{ranges_text}");
    }
    let _ = write!(out, "BOUNDS\n{bounds_text}ENDATA\n");
    Ok(out)
}

fn line(out: &mut String, fields: &[&str]) {
    out.push_str("    ");
    out.push_str(&fields.join(" "));
    out.push('\n');
}

/// Shortest text that reads back to the same `f64`; infinities as the `1e30` stand-in.
fn num(v: f64) -> String {
    if v == f64::INFINITY {
        "1e30".into()
    } else if v == f64::NEG_INFINITY {
        "-1e30".into()
    } else {
        format!("{v:?}")
    }
}

fn check_names(names: &[String], what: &str) -> Result<()> {
    let mut seen = HashSet::new();
    for name in names {
        if name.is_empty() || name.chars().any(char::is_whitespace) {
            return Err(Error::input(
                "MPS output",
                format!("{what} `{name}`"),
                "names must be non-empty and without spaces",
            ));
        }
        if !seen.insert(name.as_str()) {
            return Err(Error::input(
                "MPS output",
                format!("{what} `{name}`"),
                "name used twice",
            ));
        }
    }
    Ok(())
}

/// Row type, right-hand side and range that the reader turns back into exactly `[lower, upper]`.
fn row_form(lower: f64, upper: f64) -> Option<(char, f64, Option<f64>)> {
    if lower == upper {
        return Some(('E', lower, None));
    }
    if lower > upper {
        return None;
    }
    match (lower.is_finite(), upper.is_finite()) {
        (false, false) => Some(('G', f64::NEG_INFINITY, None)),
        (false, true) => Some(('L', upper, None)),
        (true, false) => Some(('G', lower, None)),
        (true, true) => {
            // The reader computes `lower + r` (G row) or `upper - r` (L row); search a few ulps around
            // `upper - lower` for an `r` that gives the other bound exactly.
            let mut candidate = upper - lower;
            let mut down = candidate;
            for _ in 0..64 {
                for r in [candidate, down] {
                    if r > 0.0 && r.is_finite() && lower + r == upper {
                        return Some(('G', lower, Some(r)));
                    }
                    if r > 0.0 && r.is_finite() && upper - r == lower {
                        return Some(('L', upper, Some(r)));
                    }
                }
                candidate = next_toward(candidate, f64::INFINITY);
                down = next_toward(down, 0.0);
            }
            // No range gives the other bound exactly (the sum's rounding grid skips it): keep the bound of
            // smaller magnitude exact, so the other is within about one of its own ulps.
            if lower.abs() <= upper.abs() {
                Some(('G', lower, Some(upper - lower)))
            } else {
                Some(('L', upper, Some(upper - lower)))
            }
        }
    }
}

/// The neighbouring `f64` of a positive finite `v` in the direction of `target`.
fn next_toward(v: f64, target: f64) -> f64 {
    if v == target || v <= 0.0 {
        return v;
    }
    let bits = v.to_bits();
    f64::from_bits(if target > v { bits + 1 } else { bits - 1 })
}

/// BOUNDS entries (type, value) that the reader turns back into exactly `[lower, upper]` for a column.
fn bound_entries(lower: f64, upper: f64, integer: bool) -> Vec<(&'static str, Option<f64>)> {
    let mut out = Vec::new();
    if integer && lower == 0.0 && upper == 1.0 {
        return out; // the reader's default for an integer column without bounds
    }
    if lower == upper {
        out.push(("FX", Some(lower)));
    } else if lower == f64::NEG_INFINITY && upper == f64::INFINITY {
        out.push(("FR", None));
    } else {
        if lower == f64::NEG_INFINITY {
            out.push(("MI", None));
        } else if lower != 0.0 || upper < 0.0 || integer {
            // An explicit lower bound keeps the reader from turning a negative UP into a free lower bound.
            out.push(("LO", Some(lower)));
        }
        if upper != f64::INFINITY {
            out.push(("UP", Some(upper)));
        } else if integer {
            out.push(("PL", None));
        }
    }
    out
}
