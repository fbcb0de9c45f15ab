//! Every LP of `../shared/benchmarks/mps/reference.csv` solves to the reference objective (1e-6 relative)
//! or to the reference's infeasible/unbounded status.

mod common;

use relumip::io::mps::read_mps;

use relumip::lp::{DualSimplex, LpOptions, LpStatus};
use std::path::Path;

struct Reference {
    file: String,
    status: String,
    objective: Option<f64>,
}

fn references(dir: &Path) -> Vec<Reference> {
    let text = std::fs::read_to_string(dir.join("reference.csv")).expect("reference.csv");
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[1] != "LP" {
            continue;
        }
        let (status, objective) = if f[0] == "2894.mps" {
            // HiGHS fails here; SCIP and Gurobi agree (see the benchmarks README).
            ("Optimal".to_string(), f[10].parse().ok())
        } else {
            (f[6].to_string(), f[7].parse().ok())
        };
        out.push(Reference {
            file: f[0].to_string(),
            status,
            objective,
        });
    }
    out
}

/// Instances that take more than a second or so in the default (fast) run.
const SLOW: &[&str] = &[
    "25fv47.mps",
    "80bau3b.mps",
    "greenbea.mps",
    "cplex1.mps",
    "perold.mps",
    "gas11.mps",
];
/// Instances whose reference relies on how a reader treats bad input (the MPS engineer's business):
/// refusing them is fine here; read ones must solve to the reference.
const READER_CASES: &[&str] = &["nan0.mps", "nan1.mps", "dD2e.mps", "warnings.mps"];

fn check(reference: &Reference, dir: &Path) -> Result<String, String> {
    let path = dir.join(&reference.file);
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    if text
        .lines()
        .any(|l| ["QUADOBJ", "QMATRIX", "QSECTION"].contains(&l.trim()))
    {
        // A quadratic objective: the reference is a QP optimum, out of an LP engine's reach.
        return Ok(format!("{:<16} skipped: quadratic objective", reference.file));
    }
    let problem = match read_mps(&path) {
        Ok(model) => model.problem,
        // Bad-input cases may be refused by the reader (its tests own that); the rest must read.
        Err(e) if READER_CASES.contains(&reference.file.as_str()) => {
            return Ok(format!("{:<16} refused by the reader: {e}", reference.file))
        }
        Err(e) => return Err(format!("{}: could not read: {e}", reference.file)),
    };
    let options = LpOptions {
        iteration_limit: Some(100_000),
        time_limit: Some(60.0),
        ..Default::default()
    };
    let mut lp = DualSimplex::new(&problem, options).map_err(|e| e.to_string())?;
    let t = std::time::Instant::now();
    let status = lp.solve();
    let secs = t.elapsed().as_secs_f64();
    let summary = format!(
        "{:<16} {:?} iters {} {:.4}s",
        reference.file,
        status,
        lp.last_iterations(),
        secs
    );
    match reference.status.as_str() {
        "Optimal" => {
            let want = reference.objective.ok_or("no reference objective")?;
            if status != LpStatus::Optimal {
                return Err(format!("{summary}: expected optimal {want}"));
            }
            let got = lp.objective_value();
            if (got - want).abs() > 1e-6 * want.abs().max(1.0) {
                return Err(format!("{summary}: objective {got} vs reference {want}"));
            }
        }
        "Infeasible" => {
            if status != LpStatus::Infeasible {
                return Err(format!("{summary}: expected infeasible"));
            }
        }
        "Unbounded" => {
            if status != LpStatus::Unbounded {
                return Err(format!("{summary}: expected unbounded"));
            }
        }
        other => return Err(format!("{summary}: unknown reference status {other}")),
    }
    Ok(summary)
}

fn run_set(slow: bool) {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = shared.join("benchmarks/mps");
    let mut failures = Vec::new();
    let only = std::env::var("RELUMIP_LP_ONLY").ok();
    for reference in references(&dir) {
        if let Some(only) = &only {
            if !only.split(',').any(|o| o == reference.file) {
                continue;
            }
        } else if reference.file == "nan0.mps" || SLOW.contains(&reference.file.as_str()) != slow {
            // nan0: the reference objective itself is NaN.
            continue;
        }
        match check(&reference, &dir) {
            Ok(s) => eprintln!("ok   {s}"),
            Err(e) => {
                eprintln!("FAIL {e}");
                failures.push(e);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn reference_lps_fast() {
    run_set(false);
}

#[test]
#[ignore]
fn reference_lps_slow() {
    run_set(true);
}

/// Branch-and-bound-like dives: tighten one bound of a basic column to halfway towards a bound, re-solve
/// warm, and compare the iterations with a cold solve of the same problem. The median warm re-solve must
/// take at least 10x fewer iterations.
#[test]
fn warm_start_pays() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = shared.join("benchmarks/mps");
    let mut ratios = Vec::new();
    let (mut warm_total, mut cold_total) = (0u64, 0u64);
    for name in [
        "adlittle.mps",
        "e226.mps",
        "etamacro.mps",
        "israel.mps",
        "scrs8.mps",
        "shell.mps",
        "stair.mps",
    ] {
        let problem = read_mps(&dir.join(name)).expect("readable").problem;
        let mut lp = DualSimplex::new(&problem, LpOptions::default()).unwrap();
        assert_eq!(lp.solve(), LpStatus::Optimal, "{name}");
        for step in 0..12 {
            let x = lp.col_values();
            let basis = lp.basis();
            let p = lp.problem().clone();
            // A basic column strictly inside its bounds, chosen deterministically.
            let inside: Vec<usize> = (0..p.num_cols())
                .filter(|&j| {
                    basis.col_status[j] == relumip::lp::VarStatus::Basic
                        && x[j] > p.col_lower[j] + 1e-3
                        && x[j] < p.col_upper[j] - 1e-3
                })
                .collect();
            if inside.is_empty() {
                break;
            }
            let j = inside[(step * 7919) % inside.len()];
            let (old_lo, old_hi) = (p.col_lower[j], p.col_upper[j]);
            let (lo, hi) = if step % 2 == 0 {
                let target = if old_lo.is_finite() {
                    old_lo
                } else {
                    x[j] - 1.0 - x[j].abs()
                };
                (old_lo, x[j] - 0.5 * (x[j] - target))
            } else {
                let target = if old_hi.is_finite() {
                    old_hi
                } else {
                    x[j] + 1.0 + x[j].abs()
                };
                (x[j] + 0.5 * (target - x[j]), old_hi)
            };
            lp.set_col_bounds(j, lo, hi);
            let warm_status = lp.solve();
            let warm = lp.last_iterations();
            let mut cold = DualSimplex::new(lp.problem(), LpOptions::default()).unwrap();
            let cold_status = cold.solve();
            assert_eq!(warm_status, cold_status, "{name} step {step}");
            if warm_status == LpStatus::Optimal {
                let (a, b) = (lp.objective_value(), cold.objective_value());
                assert!(
                    (a - b).abs() <= 1e-6 * a.abs().max(1.0),
                    "{name} step {step}: warm {a} vs cold {b}"
                );
            }
            ratios.push(cold.last_iterations() as f64 / warm.max(1) as f64);
            warm_total += warm;
            cold_total += cold.last_iterations();
            if warm_status != LpStatus::Optimal {
                lp.set_col_bounds(j, old_lo, old_hi);
                assert_eq!(lp.solve(), LpStatus::Optimal, "{name} step {step}: restoring");
            }
        }
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    eprintln!(
        "warm start: {} re-solves, median cold/warm iteration ratio {median:.1}, total warm {warm_total}, cold {cold_total}",
        ratios.len()
    );
    assert!(
        median >= 10.0,
        "median cold/warm iteration ratio {median:.1} < 10"
    );
}
