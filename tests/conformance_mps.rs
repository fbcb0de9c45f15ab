//! Every file of ../shared/benchmarks/mps is read with the sizes of reference.csv, or refused as decided in
//! src/io/mps.rs; every file read survives a write/read round trip unchanged.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use relumip::io::mps::{mps_string, parse_mps, read_mps};

/// Files refused on purpose, with a word the error must contain and the line it must name.
/// The reference (HiGHS) reads some of them; the reasons are in src/io/mps.rs and the README of the set.
const REFUSED: &[(&str, &str, usize)] = &[
    ("garbage.mps", "unknown section", 2),
    ("nan0.mps", "NaN", 8),
    ("nan1.mps", "NaN", 9),
    ("nan2.mps", "NaN", 12),
    // Unknown rows R11.. and duplicate entries: SCIP and Gurobi refuse it too.
    ("warnings.mps", "unknown row `R11`", 12),
    // Quadratic objectives: reference.csv calls these LP, but the files carry a QUADOBJ section.
    ("2821.mps", "quadratic", 21),
    ("2821-duplicate.mps", "quadratic", 21),
    ("2894.mps", "quadratic", 73),
    ("atwood0.mps", "quadratic", 112),
    ("primal1.mps", "quadratic", 3584),
    // Semi-continuous bounds.
    ("3015.mps", "semi-continuous", 4855),
];

/// Files whose sizes differ from HiGHS's on purpose: (file, rows, cols, nonzeros, integers).
const SIZE_EXCEPTIONS: &[(&str, usize, usize, usize, usize)] = &[
    // HiGHS drops 12 matrix entries of magnitude 0.9999e-9 (below its 1e-9 threshold); we keep the model as written.
    ("gas11.mps", 459, 862, 2166, 0),
    // Indented data lines whose column names are OBJSENSE, RANGES, RHS: HiGHS takes them for section
    // headers and reads one column; by the MPS rule (headers start in column 1) there are five. Same optimum (-1).
    ("silly-names.mps", 1, 5, 5, 0),
];

struct Reference {
    kind: String,
    rows: usize,
    cols: usize,
    nonzeros: usize,
    integers: usize,
}

fn mps_dir() -> Option<PathBuf> {
    common::shared_dir().map(|d| d.join("benchmarks/mps"))
}

fn reference(dir: &Path) -> HashMap<String, Reference> {
    let text = std::fs::read_to_string(dir.join("reference.csv")).expect("reference.csv");
    let mut out = HashMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let number = |i: usize| f[i].parse::<usize>().unwrap_or(0);
        out.insert(
            f[0].to_string(),
            Reference {
                kind: f[1].to_string(),
                rows: number(2),
                cols: number(3),
                nonzeros: number(4),
                integers: number(5),
            },
        );
    }
    out
}

#[test]
fn every_file_reads_or_is_refused_as_decided() {
    let Some(dir) = mps_dir() else { return };
    let reference = reference(&dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("mps dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "mps"))
        .collect();
    files.sort();
    assert!(files.len() >= 70, "expected the 72 files, found {}", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let result = read_mps(path);
        if let Some(&(_, word, line)) = REFUSED.iter().find(|r| r.0 == name) {
            match result {
                Ok(_) => failures.push(format!("{name}: read, but should be refused")),
                Err(e) => {
                    let text = e.to_string();
                    if !text.contains(word)
                        || !text.contains(&format!("line {line}:"))
                        || !text.contains(&name)
                    {
                        failures.push(format!("{name}: error `{text}` lacks `{word}` / line {line}"));
                    }
                }
            }
            continue;
        }
        let model = match result {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{name}: refused: {e}"));
                continue;
            }
        };
        let lp = &model.problem;
        let got = (
            lp.num_rows(),
            lp.num_cols(),
            lp.num_nonzeros(),
            model.num_integers(),
        );
        match reference.get(&name) {
            Some(r) if r.kind != "unreadable" => {
                let want = match SIZE_EXCEPTIONS.iter().find(|e| e.0 == name) {
                    Some(&(_, rows, cols, nonzeros, integers)) => (rows, cols, nonzeros, integers),
                    None => (r.rows, r.cols, r.nonzeros, r.integers),
                };
                if got != want {
                    failures.push(format!(
                        "{name}: (rows, cols, nonzeros, integers) {got:?}, reference {want:?}"
                    ));
                }
            }
            _ => {}
        }
        match parse_mps(&mps_string(&model).expect("writable"), Path::new("round trip")) {
            Ok(back) if back == model => {}
            Ok(_) => failures.push(format!("{name}: round trip changed the model")),
            Err(e) => failures.push(format!("{name}: round trip unreadable: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// HiGHS refuses comment.mps; SCIP and Gurobi read it (optimum -4).
#[test]
fn comment_file_is_read() {
    let Some(dir) = mps_dir() else { return };
    let model = read_mps(&dir.join("comment.mps")).expect("comment.mps");
    let lp = &model.problem;
    assert_eq!((lp.num_rows(), lp.num_cols(), lp.num_nonzeros()), (3, 2, 6));
    assert_eq!(lp.cost, vec![-1.0, -2.0]);
    assert_eq!((lp.row_lower[0], lp.row_upper[0]), (1.0, 2.0));
    assert_eq!(lp.row_lower[1], -2.0);
    assert_eq!(lp.col_upper, vec![1.0, f64::INFINITY]);
}

/// `1.0D3` is the Fortran spelling of 1000 (HiGHS reads -3000 as the optimum; Gurobi's -3 misreads it).
#[test]
fn fortran_exponents_are_read() {
    let Some(dir) = mps_dir() else { return };
    let model = read_mps(&dir.join("dD2e.mps")).expect("dD2e.mps");
    assert_eq!(model.problem.col_upper, vec![1000.0, 1000.0]);
}

/// e226's objective constant: HiGHS, SCIP and Gurobi give -11.638929 = -18.751929 + 7.113.
#[test]
fn objective_constant_sign() {
    let Some(dir) = mps_dir() else { return };
    let model = read_mps(&dir.join("e226.mps")).expect("e226.mps");
    assert_eq!(model.problem.objective_offset, 7.113);
}

/// LPs of the set that take more than a second here: run with `--include-ignored`.
const SLOW_LPS: &[&str] = &[
    "25fv47.mps",
    "80bau3b.mps",
    "cplex1.mps",
    "greenbea.mps",
    "perold.mps",
];

/// Solves every LP of reference.csv that `include` accepts and compares with HiGHS's status and objective
/// (1e-6 relative); comment.mps, which HiGHS refuses, against SCIP's and Gurobi's -4.
fn check_lps(include: impl Fn(&str) -> bool) {
    let Some(dir) = mps_dir() else { return };
    let text = std::fs::read_to_string(dir.join("reference.csv")).expect("reference.csv");
    let mut failures = Vec::new();
    let mut solved = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (name, kind, status, objective) = (f[0], f[1], f[6], f[7]);
        let (want_status, want_objective) = match (name, kind, status) {
            ("comment.mps", _, _) => ("optimal", Some(-4.0)),
            (_, "LP", "Optimal") => ("optimal", objective.parse::<f64>().ok().filter(|v| v.is_finite())),
            (_, "LP", "Infeasible") => ("infeasible", None),
            (_, "LP", "Unbounded") => ("unbounded", None),
            _ => continue,
        };
        if REFUSED.iter().any(|r| r.0 == name) || !include(name) {
            continue;
        }
        let model = match read_mps(&dir.join(name)) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let options = relumip::bench::ModelSolveOptions {
            time_limit: Some(120.0),
            ..Default::default()
        };
        let report = match relumip::bench::solve_model(&model, &options, &relumip::log::Log::quiet()) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        solved += 1;
        if report.status.as_str() != want_status {
            failures.push(format!(
                "{name}: status {}, reference {want_status}",
                report.status
            ));
            continue;
        }
        if let (Some(want), got) = (want_objective, report.objective) {
            let ok = got.is_some_and(|g| (g - want).abs() <= 1e-6 * want.abs().max(1.0));
            if !ok {
                failures.push(format!("{name}: objective {got:?}, reference {want}"));
            }
        }
        if let Some(v) = report.extra.get("max_violation").and_then(|v| v.as_f64()) {
            if v > 1e-6 {
                failures.push(format!("{name}: the reported point violates the model by {v:e}"));
            }
        }
    }
    assert!(solved > 0, "no LP was solved");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn small_lps_solve_to_the_reference() {
    check_lps(|name| !SLOW_LPS.contains(&name));
}

#[test]
#[ignore = "several seconds each"]
fn large_lps_solve_to_the_reference() {
    check_lps(|name| SLOW_LPS.contains(&name));
}

/// `relumip solve --json -`: the contract's fields, `values` per column, exit codes.
#[test]
fn solve_command_on_reference_files() {
    let Some(dir) = mps_dir() else { return };
    let output = std::process::Command::new(common::relumip_bin())
        .arg("solve")
        .arg(dir.join("afiro.mps"))
        .args(["--json", "-"])
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(json["command"], "solve");
    assert_eq!(json["status"], "optimal");
    let objective = json["objective"].as_f64().expect("objective");
    assert!((objective - -464.75314285714285).abs() < 1e-6);
    assert_eq!(json["values"].as_object().expect("values").len(), 32);
    assert_eq!(json["stats"]["rows"], 27);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("optimal"),
        "the summary goes to stderr"
    );
    let output = std::process::Command::new(common::relumip_bin())
        .arg("solve")
        .arg(dir.join("garbage.mps"))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("garbage.mps: line 2"));
}

/// Every readable file can be written in CPLEX LP format (set RELUMIP_DUMP_LP_FORMAT=DIR to keep the
/// files, e.g. to read them back with another solver).
#[test]
fn lp_format_writes_every_readable_file() {
    let Some(dir) = mps_dir() else { return };
    let dump = std::env::var("RELUMIP_DUMP_LP_FORMAT").ok().map(PathBuf::from);
    let mut written = 0;
    for entry in std::fs::read_dir(&dir).expect("mps dir") {
        let path = entry.expect("entry").path();
        let Ok(model) = read_mps(&path) else { continue };
        let text = match relumip::io::lp_format::lp_format_string(&model) {
            Ok(t) => t,
            // Names that LP format cannot carry are refused, never mangled.
            Err(e) => {
                assert!(e.to_string().contains("not a valid CPLEX LP format name"), "{e}");
                continue;
            }
        };
        assert!(text.ends_with("End\n"));
        written += 1;
        if let Some(out) = &dump {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            std::fs::write(out.join(format!("{name}.lp")), text).expect("dump");
        }
    }
    assert!(written > 40, "only {written} files written");
}
