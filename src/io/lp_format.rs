//! The CPLEX LP format out, for reading a model with other solvers (Gurobi, CPLEX, HiGHS, SCIP).
//!
//! Choices, for files every reader takes: a ranged row `l <= a x <= u` becomes two rows `NAME_lo`
//! and `NAME_up`; a row with no finite bound is left out (it constrains nothing); every column with bounds
//! other than `[0, +inf)` and every integer column gets an explicit `Bounds` line; integer columns go in
//! `Generals`; the objective constant is written as a constant term; numbers in Rust's shortest round-trip
//! form. Names must be LP-safe (letters, digits and `_ . [ ] ! " # $ % & ( ) / , ; ? @ ' ~ { } |`, not
//! starting with a digit or `.`, not an `e`-number); others are refused.

use std::fmt::Write as _;
use std::path::Path;

use super::mps::MpsModel;
use crate::error::{Error, Result};
use crate::lp::Sense;

/// Writes `model` in CPLEX LP format to `path`.
pub fn write_lp_format(model: &MpsModel, path: &Path) -> Result<()> {
    let text = lp_format_string(model)?;
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

/// The CPLEX LP format text of `model`.
pub fn lp_format_string(model: &MpsModel) -> Result<String> {
    let lp = &model.problem;
    if model.integer.len() != lp.num_cols()
        || lp.col_names.len() != lp.num_cols()
        || lp.row_names.len() != lp.num_rows()
    {
        return Err(Error::input(
            "LP output",
            "model",
            "names or integer flags do not match the sizes",
        ));
    }
    for name in lp.col_names.iter().chain(&lp.row_names) {
        check_name(name)?;
    }
    let mut out = String::from("\\ written by relumip\n");
    out.push_str(match lp.sense {
        Sense::Minimize => "Minimize\n",
        Sense::Maximize => "Maximize\n",
    });
    let objective: Vec<(usize, f64)> = lp
        .cost
        .iter()
        .copied()
        .enumerate()
        .filter(|&(_, c)| c != 0.0)
        .collect();
    out.push_str(" obj:");
    write_terms(&mut out, &objective, &lp.col_names);
    if lp.objective_offset != 0.0 {
        let _ = write!(
            out,
            " {} {}",
            sign(lp.objective_offset),
            num(lp.objective_offset.abs())
        );
    }
    if objective.is_empty() && lp.objective_offset == 0.0 {
        // An empty objective: a zero multiple of the first column keeps every reader happy.
        if let Some(first) = lp.col_names.first() {
            let _ = write!(out, " 0 {first}");
        }
    }
    out.push_str("\nSubject To\n");
    for (i, row) in lp.rows.iter().enumerate() {
        let (lower, upper, name) = (lp.row_lower[i], lp.row_upper[i], &lp.row_names[i]);
        let mut constraint = |label: &str, sense: &str, rhs: f64| {
            let _ = write!(out, " {label}:");
            write_terms(&mut out, row, &lp.col_names);
            if row.is_empty() {
                let _ = write!(out, " 0 {}", lp.col_names.first().map_or("", String::as_str));
            }
            let _ = writeln!(out, " {sense} {}", num(rhs));
        };
        match (lower.is_finite(), upper.is_finite()) {
            _ if lower == upper => constraint(name, "=", lower),
            (true, true) => {
                constraint(&format!("{name}_lo"), ">=", lower);
                constraint(&format!("{name}_up"), "<=", upper);
            }
            (true, false) => constraint(name, ">=", lower),
            (false, true) => constraint(name, "<=", upper),
            (false, false) => {
                let _ = writeln!(out, "\\ row {name} has no finite bound and is left out");
            }
        }
    }
    out.push_str("Bounds\n");
    for (j, name) in lp.col_names.iter().enumerate() {
        let (lower, upper) = (lp.col_lower[j], lp.col_upper[j]);
        if lower == upper {
            let _ = writeln!(out, " {name} = {}", num(lower));
        } else if lower == f64::NEG_INFINITY && upper == f64::INFINITY {
            let _ = writeln!(out, " {name} free");
        } else if lower != 0.0 || upper != f64::INFINITY || model.integer[j] {
            let _ = writeln!(out, " {} <= {name} <= {}", num(lower), num(upper));
        }
    }
    let integers: Vec<&str> = (0..lp.num_cols())
        .filter(|&j| model.integer[j])
        .map(|j| lp.col_names[j].as_str())
        .collect();
    if !integers.is_empty() {
        out.push_str("Generals\n");
        for chunk in integers.chunks(10) {
            let _ = writeln!(out, " {}", chunk.join(" "));
        }
    }
    out.push_str("End\n");
    Ok(out)
}

/// Terms ` + 2 x - 3 y`, ten to a line (LP readers limit line lengths).
fn write_terms(out: &mut String, terms: &[(usize, f64)], names: &[String]) {
    for (k, &(j, a)) in terms.iter().enumerate() {
        if k > 0 && k % 10 == 0 {
            out.push_str("\n   ");
        }
        let _ = write!(out, " {} {} {}", sign(a), num(a.abs()), names[j]);
    }
}

fn sign(v: f64) -> char {
    if v < 0.0 {
        '-'
    } else {
        '+'
    }
}

fn num(v: f64) -> String {
    if v == f64::INFINITY {
        "+inf".into()
    } else if v == f64::NEG_INFINITY {
        "-inf".into()
    } else {
        format!("{v:?}")
    }
}

fn check_name(name: &str) -> Result<()> {
    const ALLOWED: &str = "_.[]!\"#$%&()/,;?@'~{}|";
    let first_ok = name
        .chars()
        .next()
        .is_some_and(|c| !c.is_ascii_digit() && c != '.');
    let chars_ok = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ALLOWED.contains(c));
    // `e12` or `E3` would read as a number.
    let looks_numeric = name.len() > 1
        && (name.starts_with('e') || name.starts_with('E'))
        && name[1..].chars().all(|c| c.is_ascii_digit());
    let keyword = matches!(
        name.to_ascii_lowercase().as_str(),
        "st" | "s.t."
            | "bound"
            | "bounds"
            | "free"
            | "end"
            | "min"
            | "max"
            | "minimize"
            | "maximize"
            | "general"
            | "generals"
            | "gen"
            | "binary"
            | "binaries"
            | "bin"
            | "inf"
            | "infinity"
            | "subject"
            | "to"
    );
    if name.is_empty() || !first_ok || !chars_ok || looks_numeric || keyword {
        return Err(Error::input(
            "LP output",
            format!("name `{name}`"),
            "not a valid CPLEX LP format name",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lp::LpProblem;

    #[test]
    fn writes_every_row_and_bound_kind() {
        let mut lp = LpProblem::new(Sense::Maximize);
        lp.objective_offset = -1.5;
        let x = lp.add_col(2.0, 0.0, f64::INFINITY, "x");
        let y = lp.add_col(-1.0, -3.0, 4.0, "y");
        let z = lp.add_col(0.0, f64::NEG_INFINITY, f64::INFINITY, "z_1_2");
        let b = lp.add_col(0.0, 0.0, 1.0, "a_1_2");
        lp.add_row(1.0, 5.0, vec![(x, 1.0), (y, -2.0)], "ranged");
        lp.add_row(2.0, 2.0, vec![(z, 1.0)], "eq");
        lp.add_row(f64::NEG_INFINITY, 3.0, vec![(b, 0.5)], "le");
        lp.add_row(f64::NEG_INFINITY, f64::INFINITY, vec![(x, 1.0)], "unbounded_row");
        let model = MpsModel {
            problem: lp,
            integer: vec![false, false, false, true],
        };
        let text = lp_format_string(&model).expect("writes");
        for expected in [
            "Maximize\n obj: + 2.0 x - 1.0 y - 1.5\n",
            " ranged_lo: + 1.0 x - 2.0 y >= 1.0\n",
            " ranged_up: + 1.0 x - 2.0 y <= 5.0\n",
            " eq: + 1.0 z_1_2 = 2.0\n",
            " le: + 0.5 a_1_2 <= 3.0\n",
            "\\ row unbounded_row has no finite bound",
            " -3.0 <= y <= 4.0\n",
            " z_1_2 free\n",
            " 0.0 <= a_1_2 <= 1.0\n",
            "Generals\n a_1_2\nEnd\n",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        let mut bad = model.clone();
        bad.problem.col_names[0] = "1x".into();
        assert!(lp_format_string(&bad).is_err());
        bad.problem.col_names[0] = "e12".into();
        assert!(lp_format_string(&bad).is_err());
    }
}
