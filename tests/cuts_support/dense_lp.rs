//! A dense two-phase tableau simplex with Bland's rule: slow and obviously right, a reference for small LPs only.
//! Every column needs a finite lower bound.

use relumip::lp::{LpProblem, Sense};

const EPS: f64 = 1e-10;

/// Optimal value and column values of `lp`; panics when it is infeasible or unbounded (test-only reference).
pub fn solve_dense(lp: &LpProblem) -> (f64, Vec<f64>) {
    let n = lp.num_cols();
    for j in 0..n {
        assert!(
            lp.col_lower[j].is_finite(),
            "dense reference needs finite lower bounds"
        );
    }
    // Constraints over the shifted columns s = x - lower >= 0: (coefficients, kind, rhs), kind -1 <=, 0 =, 1 >=.
    let mut cons: Vec<(Vec<f64>, i8, f64)> = Vec::new();
    for j in 0..n {
        if lp.col_upper[j].is_finite() {
            let mut a = vec![0.0; n];
            a[j] = 1.0;
            cons.push((a, -1, lp.col_upper[j] - lp.col_lower[j]));
        }
    }
    for (r, row) in lp.rows.iter().enumerate() {
        let mut a = vec![0.0; n];
        let mut shift = 0.0;
        for &(j, v) in row {
            a[j] += v;
            shift += v * lp.col_lower[j];
        }
        let (lo, up) = (lp.row_lower[r] - shift, lp.row_upper[r] - shift);
        if lp.row_lower[r] == lp.row_upper[r] {
            cons.push((a, 0, lo));
        } else {
            if lo.is_finite() {
                cons.push((a.clone(), 1, lo));
            }
            if up.is_finite() {
                cons.push((a, -1, up));
            }
        }
    }
    for c in &mut cons {
        if c.2 < 0.0 {
            c.0.iter_mut().for_each(|v| *v = -*v);
            c.1 = -c.1;
            c.2 = -c.2;
        }
    }
    let m = cons.len();
    // Columns: n structural, one slack/surplus per inequality, one artificial per >= or = row.
    let slacks = cons.iter().filter(|c| c.1 != 0).count();
    let artificials = cons.iter().filter(|c| c.1 >= 0).count();
    let total = n + slacks + artificials;
    let mut t = vec![vec![0.0; total + 1]; m];
    let mut basis = vec![0usize; m];
    let (mut next_slack, mut next_art) = (n, n + slacks);
    for (i, (a, kind, rhs)) in cons.iter().enumerate() {
        t[i][..n].copy_from_slice(a);
        t[i][total] = *rhs;
        if *kind != 0 {
            t[i][next_slack] = if *kind < 0 { 1.0 } else { -1.0 };
            if *kind < 0 {
                basis[i] = next_slack;
            }
            next_slack += 1;
        }
        if *kind >= 0 {
            t[i][next_art] = 1.0;
            basis[i] = next_art;
            next_art += 1;
        }
    }
    let is_art = |j: usize| j >= n + slacks && j < total;
    // Phase 1: minimise the sum of artificials.
    let mut cost1 = vec![0.0; total];
    (n + slacks..total).for_each(|j| cost1[j] = 1.0);
    run(&mut t, &mut basis, &cost1, &|_| true);
    let infeasibility: f64 = (0..m).filter(|&i| is_art(basis[i])).map(|i| t[i][total]).sum();
    assert!(
        infeasibility <= 1e-7,
        "dense reference: infeasible ({infeasibility})"
    );
    for i in 0..m {
        if is_art(basis[i]) {
            if let Some(j) = (0..n + slacks).find(|&j| t[i][j].abs() > 1e-9) {
                pivot(&mut t, &mut basis, i, j);
            }
        }
    }
    // Phase 2: the objective as a minimisation over s (the constant from the shift is added back at the end).
    let sign = if lp.sense == Sense::Maximize { -1.0 } else { 1.0 };
    let mut cost2 = vec![0.0; total];
    for j in 0..n {
        cost2[j] = sign * lp.cost[j];
    }
    run(&mut t, &mut basis, &cost2, &|j| !is_art(j));
    let mut x = lp.col_lower.clone();
    for i in 0..m {
        if basis[i] < n {
            x[basis[i]] += t[i][total];
        }
    }
    (lp.objective_of(&x), x)
}

fn pivot(t: &mut [Vec<f64>], basis: &mut [usize], r: usize, c: usize) {
    let p = t[r][c];
    t[r].iter_mut().for_each(|v| *v /= p);
    let pivot_row = t[r].clone();
    for (i, row) in t.iter_mut().enumerate() {
        if i != r && row[c] != 0.0 {
            let f = row[c];
            row.iter_mut().zip(&pivot_row).for_each(|(v, pv)| *v -= f * pv);
        }
    }
    basis[r] = c;
}

/// Minimises `cost` from the current basic feasible tableau with Bland's rule; `allowed` filters entering columns.
fn run(t: &mut [Vec<f64>], basis: &mut [usize], cost: &[f64], allowed: &dyn Fn(usize) -> bool) {
    let total = cost.len();
    for _ in 0..100_000 {
        let reduced = |j: usize, t: &[Vec<f64>], basis: &[usize]| {
            cost[j] - (0..t.len()).map(|i| cost[basis[i]] * t[i][j]).sum::<f64>()
        };
        let Some(enter) =
            (0..total).find(|&j| allowed(j) && !basis.contains(&j) && reduced(j, t, basis) < -1e-9)
        else {
            return;
        };
        let mut leave: Option<(usize, f64)> = None;
        for i in 0..t.len() {
            if t[i][enter] > EPS {
                let ratio = t[i][total] / t[i][enter];
                let better = match leave {
                    None => true,
                    Some((k, best)) => ratio < best - 1e-12 || (ratio <= best + 1e-12 && basis[i] < basis[k]),
                };
                if better {
                    leave = Some((i, ratio));
                }
            }
        }
        let (row, _) = leave.expect("dense reference: unbounded LP");
        pivot(t, basis, row, enter);
    }
    panic!("dense reference: iteration limit");
}
