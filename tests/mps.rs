//! Hand-written MPS edge cases: formats, RANGES, bound types, objective constant, refusals with line numbers,
//! random bytes (no panic) and random models (write/read round trip).

use std::path::Path;

use proptest::prelude::*;
use relumip::io::mps::{mps_string, parse_mps, MpsModel};
use relumip::lp::{LpProblem, Sense};

const INF: f64 = f64::INFINITY;

fn read(text: &str) -> MpsModel {
    match parse_mps(text, Path::new("test.mps")) {
        Ok(m) => m,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

fn refuse(text: &str) -> String {
    match parse_mps(text, Path::new("test.mps")) {
        Ok(m) => panic!("read, but should be refused: {m:?}"),
        Err(e) => e.to_string(),
    }
}

fn col(m: &MpsModel, name: &str) -> usize {
    m.problem
        .col_names
        .iter()
        .position(|n| n == name)
        .expect("column")
}

const FREE: &str = "\
NAME free example
OBJSENSE MAXIMIZE
ROWS
 N obj
 L lim
 G low
 E eq
 N other
COLUMNS
 x obj 1 lim 1
 x other 5
 y obj 2.5 eq -1
 y low 3
RHS
 rhs obj 4 lim 10
 rhs low 1 eq 2
ENDATA
";

#[test]
fn free_format_basics() {
    let m = read(FREE);
    let lp = &m.problem;
    assert_eq!(lp.sense, Sense::Maximize);
    assert_eq!(lp.row_names, vec!["lim", "low", "eq"]);
    assert_eq!(lp.cost, vec![1.0, 2.5]);
    assert_eq!(lp.objective_offset, -4.0);
    assert_eq!(lp.rows, vec![vec![(0, 1.0)], vec![(1, 3.0)], vec![(1, -1.0)]]);
    assert_eq!(lp.row_lower, vec![-INF, 1.0, 2.0]);
    assert_eq!(lp.row_upper, vec![10.0, INF, 2.0]);
    assert_eq!(lp.col_lower, vec![0.0, 0.0]);
    assert_eq!(lp.col_upper, vec![INF, INF]);
    assert_eq!(m.integer, vec![false, false]);
}

/// A fixed-format line: fields start at columns 2, 5, 15, 25, 40, 50 (1-based).
fn fixed(fields: &[&str]) -> String {
    let mut line = String::new();
    for (field, start) in fields.iter().zip([1, 4, 14, 24, 39, 49]) {
        while line.len() < start {
            line.push(' ');
        }
        line.push_str(field);
    }
    line + "\n"
}

#[test]
fn fixed_format_with_spaces_in_names() {
    let text = [
        "NAME          FIXED\nROWS\n".to_string(),
        fixed(&["N", "COST"]),
        fixed(&["L", "LIM 1"]),
        "COLUMNS\n".into(),
        fixed(&["", "MY X", "COST", "1.0", "LIM 1", "2.0"]),
        fixed(&["", "MY Y", "LIM 1", "1.0"]),
        "RHS\n".into(),
        fixed(&["", "RHS", "LIM 1", "4.0"]),
        "BOUNDS\n".into(),
        fixed(&["UP", "BND", "MY X", "3.0"]),
        "ENDATA\n".into(),
    ]
    .concat();
    let m = read(&text);
    assert_eq!(m.problem.col_names, vec!["MY X", "MY Y"]);
    assert_eq!(m.problem.row_names, vec!["LIM 1"]);
    assert_eq!(m.problem.rows, vec![vec![(0, 2.0), (1, 1.0)]]);
    assert_eq!(m.problem.row_upper, vec![4.0]);
    assert_eq!(m.problem.col_upper, vec![3.0, INF]);
    // A name running into the gap between fields is refused, naming the line.
    let bad = text.replace("MY Y      LIM 1", "MY Y LONG NAME LIM 1");
    assert!(refuse(&bad).contains("line 7"));
}

#[test]
fn objsense_section_form() {
    let text = "NAME\nOBJSENSE\n    MAX\nROWS\n N obj\nCOLUMNS\n x obj 1\nRHS\nBOUNDS\n UP b x 1\nENDATA\n";
    assert_eq!(read(text).problem.sense, Sense::Maximize);
    let text = "NAME\nOBJSENSE MIN\nROWS\n N obj\nCOLUMNS\n x obj 1\nENDATA\n";
    assert_eq!(read(text).problem.sense, Sense::Minimize);
    assert!(refuse("NAME\nOBJSENSE UP\nROWS\nENDATA\n").contains("line 2"));
}

#[test]
fn ranges_follow_the_row_type_and_sign() {
    let text = "\
NAME
ROWS
 N obj
 E ep
 E en
 E ez
 L l
 G g
COLUMNS
 x ep 1 en 1
 x ez 1 l 1
 x g 1
RHS
 r ep 2 en 2
 r ez 2 l 2
 r g 2
RANGES
 s ep 3 en -3
 s ez 0 l -3
 s g -3
ENDATA
";
    let m = read(text);
    let lp = &m.problem;
    let bounds: Vec<(f64, f64)> = (0..5).map(|i| (lp.row_lower[i], lp.row_upper[i])).collect();
    assert_eq!(
        bounds,
        vec![(2.0, 5.0), (-1.0, 2.0), (2.0, 2.0), (-1.0, 2.0), (2.0, 5.0)]
    );
    assert!(refuse(&text.replace(" s g -3", " s obj 1")).contains("objective row"));
}

#[test]
fn every_bound_type() {
    let text = "\
NAME
ROWS
 N obj
COLUMNS
 up obj 1
 lo obj 1
 fx obj 1
 fr obj 1
 mi obj 1
 pl obj 1
 bv obj 1
 li obj 1
 ui obj 1
 neg obj 1
 neglo obj 1
RHS
BOUNDS
 UP b up 4
 LO b lo -2
 FX b fx 3.5
 FR b fr
 MI b mi
 PL b pl
 BV b bv
 LI b li 2
 UI b ui 7
 UP b neg -1
 LO b neglo -5
 UP b neglo -1
ENDATA
";
    let m = read(text);
    let lp = &m.problem;
    let expect = [
        ("up", 0.0, 4.0, false),
        ("lo", -2.0, INF, false),
        ("fx", 3.5, 3.5, false),
        ("fr", -INF, INF, false),
        ("mi", -INF, INF, false),
        ("pl", 0.0, INF, false),
        ("bv", 0.0, 1.0, true),
        ("li", 2.0, INF, true),
        ("ui", 0.0, 7.0, true),
        // UP < 0 with no explicit lower bound: the lower bound becomes -inf (CPLEX/HiGHS convention).
        ("neg", -INF, -1.0, false),
        ("neglo", -5.0, -1.0, false),
    ];
    for (name, lower, upper, integer) in expect {
        let j = col(&m, name);
        assert_eq!(
            (lp.col_lower[j], lp.col_upper[j], m.integer[j]),
            (lower, upper, integer),
            "{name}"
        );
    }
}

#[test]
fn integer_columns_default_to_binary_only_without_bounds() {
    let text = "\
NAME
ROWS
 N obj
COLUMNS
 M1 'MARKER' 'INTORG'
 a obj 1
 b obj 1
 c obj 1
 M2 'MARKER' 'INTEND'
 d obj 1
RHS
BOUNDS
 LO B b 1
 UP B c 5
ENDATA
";
    let m = read(text);
    let lp = &m.problem;
    assert_eq!(m.integer, vec![true, true, true, false]);
    assert_eq!(lp.col_lower, vec![0.0, 1.0, 0.0, 0.0]);
    assert_eq!(lp.col_upper, vec![1.0, INF, 5.0, INF]);
}

#[test]
fn free_format_without_set_names() {
    let text = "NAME\nROWS\n N obj\n L c\nCOLUMNS\n x obj 1 c 1\nRHS\n c 3\nRANGES\n c 1\nBOUNDS\n UP x 2\n FR x\nENDATA\n";
    // FR after UP sets the upper bound twice: refused.
    assert!(refuse(text).contains("line 13"));
    let m = read(&text.replace(" FR x\n", " MI x\n"));
    assert_eq!((m.problem.row_lower[0], m.problem.row_upper[0]), (2.0, 3.0));
    assert_eq!((m.problem.col_lower[0], m.problem.col_upper[0]), (-INF, 2.0));
}

#[test]
fn comments_with_dollar_and_star() {
    let text = "* header\nNAME c\nROWS\n N obj $ objective\n G r *note\nCOLUMNS\n x obj 1 $ cost\n x r 1 * r\nRHS\n rhs r 2 $c\nBOUNDS\n UP b x 4 $ up\nENDATA\n";
    let m = read(text);
    assert_eq!(m.problem.row_lower, vec![2.0]);
    assert_eq!(m.problem.col_upper, vec![4.0]);
}

#[test]
fn numbers_infinities_and_fortran_exponents() {
    let text = "NAME\nROWS\n N obj\n L r\nCOLUMNS\n x obj -1 r 1\nRHS\n rhs r 1e30\nBOUNDS\n UP b x 2.5D2\n LO b x -Inf\nENDATA\n";
    let m = read(text);
    assert_eq!(m.problem.row_upper, vec![INF]);
    assert_eq!((m.problem.col_lower[0], m.problem.col_upper[0]), (-INF, 250.0));
    assert!(refuse(&text.replace("x obj -1", "x obj inf")).contains("line 6"));
    assert!(refuse(&text.replace("2.5D2", "NaN")).contains("line 10"));
    assert!(refuse(&text.replace("2.5D2", "2.5X2")).contains("not a number"));
}

#[test]
fn refusals_name_the_line() {
    let base = "NAME\nROWS\n N obj\n L r\nCOLUMNS\n x obj 1 r 1\nRHS\n rhs r 1\nBOUNDS\n UP b x 1\nENDATA\n";
    read(base);
    let cases = [
        (
            base.replace(" UP b x 1", " SC b x 1"),
            "line 10",
            "semi-continuous",
        ),
        (
            base.replace(" UP b x 1", " UP b y 1"),
            "line 10",
            "unknown column `y`",
        ),
        (
            base.replace("x obj 1 r 1", "x obj 1 q 1"),
            "line 6",
            "unknown row `q`",
        ),
        (base.replace("x obj 1 r 1", "x r 1 r 2"), "line 6", "twice"),
        (base.replace("ENDATA\n", ""), "line 11", "ENDATA"),
        (base.replace("BOUNDS", "SOS"), "line 9", "SOS"),
        (base.replace("BOUNDS", "QUADOBJ"), "line 9", "quadratic"),
        (base.replace(" L r", " X r"), "line 4", "row type"),
        (
            base.replace(" rhs r 1", " rhs r 1\n other r 2"),
            "line 9",
            "second RHS set",
        ),
        ("garbage\nmore\n".to_string(), "line 1", "unknown section"),
        (String::new(), "line 1", "ENDATA"),
    ];
    for (text, line, word) in cases {
        let e = refuse(&text);
        assert!(
            e.contains(line) && e.contains(word) && e.contains("test.mps"),
            "`{e}` lacks {line} / {word}"
        );
    }
}

#[test]
fn round_trip_keeps_ranges_constant_and_integers() {
    let mut lp = LpProblem::new(Sense::Maximize);
    lp.objective_offset = 0.1 + 0.2;
    let x = lp.add_col(1.0 / 3.0, -INF, -2.0, "x");
    let y = lp.add_col(-1e-17, 0.1, 1e29, "$y");
    let z = lp.add_col(0.0, 0.0, INF, "z");
    lp.add_row(0.1, 0.3, vec![(x, 1.0), (y, 2.0)], "ranged");
    lp.add_row(-1e20, 1e-3, vec![(z, 1.0)], "wide");
    lp.add_row(-INF, INF, vec![(y, 1.0)], "free");
    lp.add_row(-3.0, -3.0, vec![], "empty");
    let model = MpsModel {
        problem: lp,
        integer: vec![false, true, true],
    };
    let text = mps_string(&model).expect("writable");
    assert_eq!(read(&text), model, "{text}");
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-10i32..10).prop_map(f64::from),
        -1e6..1e6f64,
        (-1e3..1e3f64, -20i32..20).prop_map(|(m, e)| m * 10f64.powi(e)),
    ]
}

fn bound_pair() -> impl Strategy<Value = (f64, f64)> {
    (finite(), finite(), 0..6u8).prop_map(|(a, b, kind)| {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        match kind {
            0 => (lo, hi),
            1 => (-INF, hi),
            2 => (lo, INF),
            3 => (-INF, INF),
            4 => (lo, lo),
            _ => (0.0, 1.0),
        }
    })
}

fn random_model() -> impl Strategy<Value = MpsModel> {
    (1..6usize, 0..6usize).prop_flat_map(|(cols, rows)| {
        (
            prop::collection::vec((finite(), bound_pair(), any::<bool>()), cols),
            prop::collection::vec(
                (
                    bound_pair(),
                    prop::collection::vec(prop::option::of(finite()), cols),
                ),
                rows,
            ),
            finite(),
            any::<bool>(),
        )
            .prop_map(|(columns, row_data, offset, maximize)| {
                let mut lp = LpProblem::new(if maximize {
                    Sense::Maximize
                } else {
                    Sense::Minimize
                });
                lp.objective_offset = offset;
                let mut integer = Vec::new();
                for (j, (cost, (lo, hi), int)) in columns.into_iter().enumerate() {
                    lp.add_col(cost, lo, hi, format!("c{j}"));
                    integer.push(int);
                }
                for (i, ((lo, hi), coeffs)) in row_data.into_iter().enumerate() {
                    let coeffs = coeffs
                        .into_iter()
                        .enumerate()
                        .filter_map(|(j, a)| a.filter(|&a| a != 0.0).map(|a| (j, a)))
                        .collect();
                    lp.add_row(lo, hi, coeffs, format!("r{i}"));
                }
                MpsModel { problem: lp, integer }
            })
    })
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_mps(&text, Path::new("random.mps"));
    }

    #[test]
    fn random_mps_like_lines_never_panic(lines in prop::collection::vec(
        prop::sample::select(vec![
            "NAME x", "ROWS", " N obj", " L r", " E e", "COLUMNS", " x obj 1", " x r 1 e -1", " M 'MARKER' 'INTORG'",
            " M 'MARKER' 'INTEND'", "RHS", " rhs r 2", " obj 3", "RANGES", " rng e -2", "BOUNDS", " UP b x -1",
            " BV b x", " FR x", " LI b x 1D2", " MI b x $c", "OBJSENSE", "    MAX", "ENDATA", " x", "", "*c", "    MY X      r",
        ]), 0..30)) {
        let _ = parse_mps(&lines.join("\n"), Path::new("random.mps"));
    }

    #[test]
    fn random_models_round_trip(model in random_model()) {
        let text = mps_string(&model).expect("writable");
        let read_back = parse_mps(&text, Path::new("round.mps")).expect("readable");
        let mut back = read_back.clone();
        // Ranged rows may be one ulp off when no range reproduces the bound exactly (see write.rs).
        for i in 0..back.problem.num_rows() {
            let (lower, upper) = (model.problem.row_lower[i], model.problem.row_upper[i]);
            let scale = 2.0 * f64::EPSILON * lower.abs().max(upper.abs());
            let p = &mut back.problem;
            if lower.is_finite() && upper.is_finite() && (p.row_lower[i] - lower).abs() <= scale {
                p.row_lower[i] = lower;
            }
            if lower.is_finite() && upper.is_finite() && (p.row_upper[i] - upper).abs() <= scale {
                p.row_upper[i] = upper;
            }
        }
        prop_assert_eq!(&back, &model, "{}", text);
        // Once read from MPS, a model is written and read back exactly.
        let again = parse_mps(&mps_string(&read_back).expect("writable"), Path::new("again.mps")).expect("readable");
        prop_assert_eq!(again, read_back);
    }
}

/// `relumip solve` end to end on tiny models: an LP, a MILP, and the JSON's values.
#[test]
fn solve_command_on_small_models() {
    let dir = tempfile::tempdir().expect("tempdir");
    // max x + y  s.t.  x + 2y <= 4,  3x + y <= 6  (LP optimum 2.8 at (1.6, 1.2); with x, y integer: 2).
    let lp = "NAME tiny\nOBJSENSE MAX\nROWS\n N obj\n L a\n L b\nCOLUMNS\n x obj 1 a 1\n x b 3\n y obj 1 a 2\n y b 1\nRHS\n rhs a 4 b 6\nENDATA\n";
    let mip = lp
        .replace(" x obj 1 a 1\n", " M1 'MARKER' 'INTORG'\n x obj 1 a 1\n")
        .replace(
            " y b 1\n",
            " y b 1\n M2 'MARKER' 'INTEND'\nBOUNDS\n UP b x 10\n UP b y 10\n",
        );
    for (file, text, optimum) in [("lp.mps", lp.to_string(), 2.8), ("mip.mps", mip, 2.0)] {
        let path = dir.path().join(file);
        std::fs::write(&path, text).unwrap();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_relumip"))
            .arg("solve")
            .arg(&path)
            .args(["--json", "-", "--time-limit", "10"])
            .output()
            .expect("runs");
        assert!(
            output.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(json["status"], "optimal", "{file}");
        let objective = json["objective"].as_f64().expect("objective");
        assert!((objective - optimum).abs() < 1e-6, "{file}: {objective}");
        let values = json["values"].as_object().expect("values");
        let (x, y) = (values["x"].as_f64().unwrap(), values["y"].as_f64().unwrap());
        assert!((x + y - optimum).abs() < 1e-6 && x + 2.0 * y <= 4.0 + 1e-6 && 3.0 * x + y <= 6.0 + 1e-6);
    }
}
