//! Property tests of the dual simplex against an independent, slow oracle: enumeration of every basic
//! solution of the (artificially boxed) problem. Also: warm-started sequences of changes agree with cold
//! solves, and Farkas certificates and rays are checked here, independently of the solver's own checks.

use proptest::prelude::*;
use relumip::lp::{DualSimplex, LpOptions, LpProblem, LpStatus, RowSpec, Sense};

const INF: f64 = f64::INFINITY;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    Optimal(f64),
    Infeasible,
    Unbounded,
}

/// Solves `M z = r` densely with partial pivoting; `None` when (near) singular.
fn dense_solve(mut mat: Vec<Vec<f64>>, mut r: Vec<f64>) -> Option<Vec<f64>> {
    let k = r.len();
    for c in 0..k {
        let p = (c..k).max_by(|&a, &b| mat[a][c].abs().total_cmp(&mat[b][c].abs()))?;
        if mat[p][c].abs() < 1e-9 {
            return None;
        }
        mat.swap(c, p);
        r.swap(c, p);
        for i in c + 1..k {
            let f = mat[i][c] / mat[c][c];
            for j in c..k {
                mat[i][j] -= f * mat[c][j];
            }
            r[i] -= f * r[c];
        }
    }
    let mut z = vec![0.0; k];
    for c in (0..k).rev() {
        let s: f64 = (c + 1..k).map(|j| mat[c][j] * z[j]).sum();
        z[c] = (r[c] - s) / mat[c][c];
    }
    Some(z)
}

/// Best objective (internal minimisation) over all basic solutions of `A x - s = 0` with every
/// infinite bound replaced by `±big`; `None` when no basic solution is feasible.
fn enumerate(p: &LpProblem, big: f64) -> Option<f64> {
    let (n, m) = (p.num_cols(), p.num_rows());
    let nv = n + m;
    let clamp = |v: f64| v.clamp(-big, big);
    let lo: Vec<f64> = (0..n)
        .map(|j| clamp(p.col_lower[j]))
        .chain((0..m).map(|i| clamp(p.row_lower[i])))
        .collect();
    let hi: Vec<f64> = (0..n)
        .map(|j| clamp(p.col_upper[j]))
        .chain((0..m).map(|i| clamp(p.row_upper[i])))
        .collect();
    if (0..nv).any(|v| lo[v] > hi[v]) {
        return None;
    }
    let mut dense = vec![vec![0.0; nv]; m];
    for (i, row) in p.rows.iter().enumerate() {
        for &(j, a) in row {
            dense[i][j] += a;
        }
        dense[i][n + i] = -1.0;
    }
    let sign = if p.sense == Sense::Maximize { -1.0 } else { 1.0 };
    let cost = |z: &[f64]| -> f64 { sign * (0..n).map(|j| p.cost[j] * z[j]).sum::<f64>() };
    let mut best: Option<f64> = None;
    for mask in 0u32..(1 << nv) {
        if mask.count_ones() as usize != m {
            continue;
        }
        let basic: Vec<usize> = (0..nv).filter(|&v| mask & (1 << v) != 0).collect();
        let nonbasic: Vec<usize> = (0..nv).filter(|&v| mask & (1 << v) == 0).collect();
        for choice in 0u32..(1 << nonbasic.len()) {
            let mut z = vec![0.0; nv];
            for (k, &v) in nonbasic.iter().enumerate() {
                z[v] = if choice & (1 << k) != 0 { hi[v] } else { lo[v] };
            }
            let mat: Vec<Vec<f64>> = (0..m)
                .map(|i| basic.iter().map(|&v| dense[i][v]).collect())
                .collect();
            let r: Vec<f64> = (0..m)
                .map(|i| -nonbasic.iter().map(|&v| dense[i][v] * z[v]).sum::<f64>())
                .collect();
            let Some(zb) = dense_solve(mat, r) else { continue };
            for (k, &v) in basic.iter().enumerate() {
                z[v] = zb[k];
            }
            if (0..nv).all(|v| z[v] >= lo[v] - 1e-7 && z[v] <= hi[v] + 1e-7) {
                let c = cost(&z);
                best = Some(best.map_or(c, |b: f64| b.min(c)));
            }
        }
    }
    best
}

/// The oracle's answer (objective in the problem's sense, with offset).
fn oracle(p: &LpProblem) -> Answer {
    let sign = if p.sense == Sense::Maximize { -1.0 } else { 1.0 };
    match (enumerate(p, 1e4), enumerate(p, 1e5)) {
        (None, _) | (_, None) => Answer::Infeasible,
        (Some(a), Some(b)) => {
            if (a - b).abs() > 1e-6 * (1.0 + a.abs()) {
                Answer::Unbounded
            } else {
                Answer::Optimal(sign * a + p.objective_offset)
            }
        }
    }
}

/// Independent check of a Farkas certificate: the column box and the row box give disjoint ranges to `y^T A x`.
fn farkas_ok(p: &LpProblem, y: &[f64]) -> bool {
    let mut g = vec![0.0; p.num_cols()];
    for (i, row) in p.rows.iter().enumerate() {
        for &(j, a) in row {
            g[j] += y[i] * a;
        }
    }
    let range = |coef: &[f64], lo: &[f64], hi: &[f64]| -> (f64, f64) {
        let (mut a, mut b) = (0.0, 0.0);
        for k in 0..coef.len() {
            let c = if coef[k].abs() < 1e-9 { 0.0 } else { coef[k] };
            if c > 0.0 {
                a += c * lo[k];
                b += c * hi[k];
            } else if c < 0.0 {
                a += c * hi[k];
                b += c * lo[k];
            }
        }
        (a, b)
    };
    let (glo, ghi) = range(&g, &p.col_lower, &p.col_upper);
    let (hlo, hhi) = range(y, &p.row_lower, &p.row_upper);
    glo > hhi + 1e-7 || ghi < hlo - 1e-7
}

/// Independent check of an unbounded ray.
fn ray_ok(p: &LpProblem, d: &[f64]) -> bool {
    let tol = 1e-7;
    let cols_ok = (0..p.num_cols())
        .all(|j| (p.col_lower[j] == -INF || d[j] >= -tol) && (p.col_upper[j] == INF || d[j] <= tol));
    let rows_ok = p
        .activities(d)
        .iter()
        .enumerate()
        .all(|(i, &a)| (p.row_lower[i] == -INF || a >= -tol) && (p.row_upper[i] == INF || a <= tol));
    let slope: f64 = p.cost.iter().zip(d).map(|(c, v)| c * v).sum();
    let improving = if p.sense == Sense::Maximize {
        slope > tol
    } else {
        slope < -tol
    };
    cols_ok && rows_ok && improving
}

fn answer_of(lp: &mut DualSimplex) -> Answer {
    match lp.solve() {
        LpStatus::Optimal => {
            let p = lp.problem();
            let x = lp.col_values();
            assert!(
                p.max_violation(&x) <= 1e-6,
                "optimal point violates bounds by {}",
                p.max_violation(&x)
            );
            Answer::Optimal(lp.objective_value())
        }
        LpStatus::Infeasible => {
            if let Some(y) = lp.farkas() {
                assert!(farkas_ok(lp.problem(), &y), "invalid Farkas certificate {y:?}");
            } else {
                let p = lp.problem();
                assert!(
                    (0..p.num_cols()).any(|j| p.col_lower[j] > p.col_upper[j]),
                    "infeasible without certificate"
                );
            }
            Answer::Infeasible
        }
        LpStatus::Unbounded => {
            let d = lp.ray().expect("unbounded without ray");
            assert!(ray_ok(lp.problem(), &d), "invalid ray {d:?}");
            Answer::Unbounded
        }
        other => panic!("unexpected status {other:?}"),
    }
}

fn same(a: Answer, b: Answer) -> bool {
    match (a, b) {
        (Answer::Optimal(x), Answer::Optimal(y)) => (x - y).abs() <= 1e-6 * (1.0 + x.abs().max(y.abs())),
        _ => a == b,
    }
}

fn bound_pair() -> impl Strategy<Value = (f64, f64)> {
    prop_oneof![
        Just((0.0, INF)),
        Just((-INF, INF)),
        Just((-INF, 0.0)),
        (-4i32..=4, 0i32..=5).prop_map(|(l, w)| (l as f64, (l + w) as f64)),
        (-4i32..=4).prop_map(|v| (v as f64, v as f64)),
        (-4i32..=4).prop_map(|v| (v as f64, INF)),
        (-4i32..=4).prop_map(|v| (-INF, v as f64)),
    ]
}

fn coeff() -> impl Strategy<Value = f64> {
    prop_oneof![3 => Just(0.0), 5 => (-3i32..=3).prop_map(|v| v as f64), 1 => (-30i32..=30).prop_map(|v| v as f64 / 7.0)]
}

prop_compose! {
    fn small_lp()(n in 1usize..=4, m in 0usize..=3)
        (cols in prop::collection::vec((coeff(), bound_pair()), n),
         rows in prop::collection::vec((prop::collection::vec(coeff(), n), bound_pair()), m),
         maximize in any::<bool>(), offset in -2i32..=2) -> LpProblem {
        let mut p = LpProblem::new(if maximize { Sense::Maximize } else { Sense::Minimize });
        p.objective_offset = offset as f64;
        for (j, (c, (l, u))) in cols.into_iter().enumerate() {
            p.add_col(c, l, u, format!("x{j}"));
        }
        for (i, (coefs, (l, u))) in rows.into_iter().enumerate() {
            let entries = coefs.into_iter().enumerate().filter(|(_, a)| *a != 0.0).collect();
            p.add_row(l, u, entries, format!("r{i}"));
        }
        p
    }
}

#[derive(Debug, Clone)]
enum Change {
    ColBounds(usize, (f64, f64)),
    RowBounds(usize, (f64, f64)),
    Objective(Vec<f64>),
    AddRow(Vec<f64>, (f64, f64)),
    RemoveRow(usize),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        3 => (0usize..4, bound_pair()).prop_map(|(j, b)| Change::ColBounds(j, b)),
        1 => (0usize..6, bound_pair()).prop_map(|(i, b)| Change::RowBounds(i, b)),
        1 => prop::collection::vec(coeff(), 4).prop_map(Change::Objective),
        2 => (prop::collection::vec(coeff(), 4), bound_pair()).prop_map(|(c, b)| Change::AddRow(c, b)),
        1 => (0usize..6).prop_map(Change::RemoveRow),
    ]
}

fn apply(lp: &mut DualSimplex, c: &Change) {
    let (n, m) = (lp.num_cols(), lp.num_rows());
    match c {
        Change::ColBounds(j, (l, u)) => lp.set_col_bounds(j % n, *l, *u),
        Change::RowBounds(i, (l, u)) => {
            if m > 0 {
                lp.set_row_bounds(i % m, *l, *u)
            }
        }
        Change::Objective(cost) => lp.set_objective(&cost[..n]),
        Change::AddRow(coefs, (l, u)) => {
            let coeffs = coefs[..n]
                .iter()
                .copied()
                .enumerate()
                .filter(|(_, a)| *a != 0.0)
                .collect();
            lp.add_rows(&[RowSpec {
                lower: *l,
                upper: *u,
                coeffs,
            }]);
        }
        Change::RemoveRow(i) => {
            if m > 0 {
                lp.remove_rows(&[i % m])
            }
        }
    }
}

fn options(scaling: bool) -> LpOptions {
    LpOptions {
        scaling,
        iteration_limit: Some(10_000),
        ..Default::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn agrees_with_enumeration(p in small_lp(), scaling in any::<bool>()) {
        let expected = oracle(&p);
        let mut lp = DualSimplex::new(&p, options(scaling)).unwrap();
        let got = answer_of(&mut lp);
        prop_assert!(same(got, expected), "solver {got:?} vs oracle {expected:?}");
    }

    #[test]
    fn warm_sequences_agree_with_cold(p in small_lp(), changes in prop::collection::vec(change(), 1..8)) {
        let mut warm = DualSimplex::new(&p, options(true)).unwrap();
        answer_of(&mut warm);
        for c in &changes {
            apply(&mut warm, c);
            let got = answer_of(&mut warm);
            let mut cold = DualSimplex::new(warm.problem(), options(true)).unwrap();
            let expected = answer_of(&mut cold);
            prop_assert!(same(got, expected), "after {c:?}: warm {got:?} vs cold {expected:?}");
            let truth = oracle(warm.problem());
            prop_assert!(same(got, truth), "after {c:?}: warm {got:?} vs oracle {truth:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// A warm re-solve under an objective cutoff worse than the true optimum never stops on the cutoff,
    /// whatever phase the re-solve needs (the dual phase 1's auxiliary objective bounds nothing).
    #[test]
    fn cutoff_never_cuts_a_better_optimum(p in small_lp(), changes in prop::collection::vec(change(), 1..8)) {
        let mut warm = DualSimplex::new(&p, options(true)).unwrap();
        answer_of(&mut warm);
        for c in &changes {
            apply(&mut warm, c);
            let Answer::Optimal(v) = oracle(warm.problem()) else {
                warm.options_mut().objective_cutoff = None;
                answer_of(&mut warm);
                continue;
            };
            let margin = 0.5 * (1.0 + v.abs());
            let cutoff = if warm.problem().sense == Sense::Maximize { v - margin } else { v + margin };
            warm.options_mut().objective_cutoff = Some(cutoff);
            let status = warm.solve();
            prop_assert!(status != LpStatus::CutoffReached, "after {c:?}: cutoff {cutoff} reached, optimum {v}");
            warm.options_mut().objective_cutoff = None;
            answer_of(&mut warm);
        }
    }
}

/// The same LP with rows and columns rescaled by powers of ten up to 1e±7 (the answer is unchanged in
/// exact arithmetic: `x = C x'`, rows multiplied by `R`).
fn badly_scaled(p: &LpProblem, row_exp: &[i32], col_exp: &[i32]) -> LpProblem {
    let mut q = p.clone();
    let c: Vec<f64> = col_exp.iter().map(|&e| 10f64.powi(e) * 1.37).collect();
    let r: Vec<f64> = row_exp.iter().map(|&e| 10f64.powi(e) * 0.71).collect();
    for j in 0..q.num_cols() {
        q.cost[j] *= c[j];
        q.col_lower[j] /= c[j];
        q.col_upper[j] /= c[j];
    }
    for (i, row) in q.rows.iter_mut().enumerate() {
        for e in row.iter_mut() {
            e.1 *= c[e.0] * r[i];
        }
        q.row_lower[i] *= r[i];
        q.row_upper[i] *= r[i];
    }
    q
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Coefficients spanning 1e-7..1e7: the right answer or an honest NumericalTrouble, never a wrong one.
    #[test]
    fn nasty_scaling_never_wrong(p in small_lp(), row_exp in prop::collection::vec(-3i32..=3, 3),
                                 col_exp in prop::collection::vec(-4i32..=4, 4), scaling in any::<bool>()) {
        let expected = oracle(&p);
        let q = badly_scaled(&p, &row_exp, &col_exp);
        let mut lp = DualSimplex::new(&q, options(scaling)).unwrap();
        let status = lp.solve();
        let got = match status {
            LpStatus::Optimal => Answer::Optimal(lp.objective_value()),
            LpStatus::Infeasible => Answer::Infeasible,
            LpStatus::Unbounded => Answer::Unbounded,
            LpStatus::NumericalTrouble => return Ok(()),
            other => panic!("unexpected status {other:?}"),
        };
        prop_assert!(same(got, expected), "solver {got:?} vs oracle {expected:?}");
    }
}
