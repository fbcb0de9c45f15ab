//! The simplex state shared by the dual and primal algorithms: the scaled problem in computational
//! form `[A I] z = 0`, `lower <= z <= upper` (column `n + i` is row `i`'s logical, equal to `-a_i x`),
//! the basis, its LU factors, primal values and reduced costs.

use crate::linalg::{CscMatrix, LuFactor, LuOptions, ScatteredVec};

pub(crate) const NONE: usize = usize::MAX;

/// Where a variable sits (internal form of [`super::VarStatus`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stat {
    Basic,
    Lower,
    Upper,
    Zero,
}

/// Tolerances in the scaled problem.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tols {
    pub primal: f64,
    pub dual: f64,
    pub pivot: f64,
}

/// The computational form and the state of the simplex on it.
pub(crate) struct Core {
    pub m: usize,
    pub n: usize,
    /// Scaled constraint matrix by columns.
    pub a: CscMatrix,
    /// Scaled constraint matrix by rows (`ar.col(i)` is row `i`).
    pub ar: CscMatrix,
    /// Costs in force (perturbed or shifted during a solve), minimisation, length `n + m`.
    pub cost: Vec<f64>,
    /// The true (scaled, minimisation) costs.
    pub orig_cost: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub basic: Vec<usize>,
    pub stat: Vec<Stat>,
    /// Basis position of each basic variable, `NONE` otherwise.
    pub pos: Vec<usize>,
    pub x: Vec<f64>,
    /// Reduced costs for the costs in force (zero for basic variables).
    pub d: Vec<f64>,
    pub lu: LuFactor,
    /// Dual steepest-edge weights by basis position.
    pub weights: Vec<f64>,
    pub need_factor: bool,
    pub tol: Tols,
    /// Largest number of eta vectors before refactorising.
    pub max_updates: usize,
}

impl Core {
    pub fn new(a: CscMatrix, cost: Vec<f64>, lower: Vec<f64>, upper: Vec<f64>, tol: Tols) -> Self {
        let m = a.nrows;
        let n = a.ncols;
        let ar = a.transpose();
        let mut core = Core {
            m,
            n,
            a,
            ar,
            orig_cost: cost.clone(),
            cost,
            lower,
            upper,
            basic: Vec::new(),
            stat: Vec::new(),
            pos: Vec::new(),
            x: vec![0.0; n + m],
            d: vec![0.0; n + m],
            lu: LuFactor::new(LuOptions::default()),
            weights: vec![1.0; m],
            need_factor: true,
            tol,
            max_updates: 50,
        };
        core.slack_basis();
        core
    }

    /// The all-logical basis, structurals at a finite bound (the one nearer zero) or zero when free.
    pub fn slack_basis(&mut self) {
        let (n, m) = (self.n, self.m);
        self.basic = (n..n + m).collect();
        self.stat = vec![Stat::Lower; n + m];
        self.pos = vec![NONE; n + m];
        for j in 0..n {
            self.stat[j] = self.nearest_bound_stat(j, 0.0);
        }
        for (p, &j) in self.basic.iter().enumerate() {
            self.stat[j] = Stat::Basic;
            self.pos[j] = p;
        }
        self.weights = vec![1.0; m];
        self.need_factor = true;
    }

    /// The non-basic status for variable `j` closest to value `v`.
    pub fn nearest_bound_stat(&self, j: usize, v: f64) -> Stat {
        let (l, u) = (self.lower[j], self.upper[j]);
        match (l.is_finite(), u.is_finite()) {
            (true, true) => {
                if (v - l).abs() <= (u - v).abs() {
                    Stat::Lower
                } else {
                    Stat::Upper
                }
            }
            (true, false) => Stat::Lower,
            (false, true) => Stat::Upper,
            (false, false) => Stat::Zero,
        }
    }

    /// Makes a non-basic status consistent with the bounds (after a bound change).
    pub fn fix_nonbasic_stat(&mut self, j: usize) {
        let s = self.stat[j];
        let ok = match s {
            Stat::Basic => true,
            Stat::Lower => self.lower[j].is_finite(),
            Stat::Upper => self.upper[j].is_finite(),
            Stat::Zero => !self.lower[j].is_finite() && !self.upper[j].is_finite(),
        };
        if !ok {
            let v = self.x[j];
            self.stat[j] = self.nearest_bound_stat(j, if v.is_finite() { v } else { 0.0 });
        }
    }

    pub fn nonbasic_value(&self, j: usize) -> f64 {
        match self.stat[j] {
            Stat::Lower => self.lower[j],
            Stat::Upper => self.upper[j],
            _ => 0.0,
        }
    }

    /// Calls `f(row, value)` for each entry of column `j` of `[A I]`.
    #[inline]
    pub fn for_col(&self, j: usize, mut f: impl FnMut(usize, f64)) {
        if j < self.n {
            let (r, v) = self.a.col(j);
            for (&i, &a) in r.iter().zip(v) {
                f(i, a);
            }
        } else {
            f(j - self.n, 1.0);
        }
    }

    /// Column `j` of `[A I]` scattered into a dense vector.
    pub fn load_col(&self, j: usize, out: &mut [f64]) {
        out.iter_mut().for_each(|v| *v = 0.0);
        self.for_col(j, |i, a| out[i] = a);
    }

    /// Factorises the basis; dependent columns are swapped for logicals. Returns the number swapped.
    pub fn factor(&mut self) -> usize {
        let mut b = CscMatrix::new(self.m);
        for &j in &self.basic {
            if j < self.n {
                let (r, v) = self.a.col(j);
                b.push_col(r.iter().copied().zip(v.iter().copied()));
            } else {
                b.push_col([(j - self.n, 1.0)]);
            }
        }
        let replaced = self.lu.factor(&b);
        let count = replaced.len();
        for (p, row) in replaced {
            let Some(row) = row else { continue };
            let old = self.basic[p];
            let new = self.n + row;
            self.stat[old] = self.nearest_bound_stat(old, self.x[old]);
            self.pos[old] = NONE;
            self.basic[p] = new;
            self.stat[new] = Stat::Basic;
            self.pos[new] = p;
            self.weights[p] = 1.0;
        }
        self.need_factor = false;
        count
    }

    /// Makes `basic` hold exactly `m` variables that factor: surplus basics are dropped by a
    /// rank-revealing factorisation, missing ones filled with logicals. Statuses are made consistent.
    pub fn repair_basis(&mut self) {
        let (n, m) = (self.n, self.m);
        let mut basic: Vec<usize> = (0..n + m).filter(|&j| self.stat[j] == Stat::Basic).collect();
        if basic.len() > m {
            let mut b = CscMatrix::new(m);
            for &j in &basic {
                if j < n {
                    let (r, v) = self.a.col(j);
                    b.push_col(r.iter().copied().zip(v.iter().copied()));
                } else {
                    b.push_col([(j - n, 1.0)]);
                }
            }
            let mut lu = LuFactor::new(LuOptions::default());
            let mut drop = vec![false; basic.len()];
            for (p, row) in lu.factor(&b) {
                if row.is_none() {
                    drop[p] = true;
                }
            }
            let mut kept = Vec::with_capacity(m);
            for (p, &j) in basic.iter().enumerate() {
                if drop[p] || kept.len() == m {
                    self.stat[j] = self.nearest_bound_stat(j, self.x[j]);
                } else {
                    kept.push(j);
                }
            }
            basic = kept;
        }
        if basic.len() < m {
            for i in 0..m {
                if basic.len() == m {
                    break;
                }
                if self.stat[n + i] != Stat::Basic {
                    self.stat[n + i] = Stat::Basic;
                    basic.push(n + i);
                }
            }
        }
        self.pos = vec![NONE; n + m];
        for (p, &j) in basic.iter().enumerate() {
            self.pos[j] = p;
        }
        self.basic = basic;
        for j in 0..n + m {
            self.fix_nonbasic_stat(j);
        }
        self.weights = vec![1.0; m];
        self.need_factor = true;
    }

    /// Primal values from the non-basic values: `x_B = -B^{-1} N x_N`.
    pub fn compute_primal(&mut self) {
        let mut rhs = vec![0.0; self.m];
        for j in 0..self.n + self.m {
            if self.stat[j] != Stat::Basic {
                let v = self.nonbasic_value(j);
                self.x[j] = v;
                if v != 0.0 {
                    self.for_col(j, |i, a| rhs[i] -= a * v);
                }
            }
        }
        self.lu.ftran(&mut rhs);
        for (p, &j) in self.basic.iter().enumerate() {
            self.x[j] = rhs[p];
        }
    }

    /// Row duals `y = B^{-T} c_B` for the costs in force.
    pub fn compute_y(&mut self) -> Vec<f64> {
        let mut y: Vec<f64> = self.basic.iter().map(|&j| self.cost[j]).collect();
        self.lu.btran(&mut y);
        y
    }

    /// Reduced costs `d = c - [A I]^T y` for the costs in force.
    pub fn compute_dual(&mut self) {
        let y = self.compute_y();
        for j in 0..self.n {
            if self.stat[j] == Stat::Basic {
                self.d[j] = 0.0;
                continue;
            }
            let (r, v) = self.a.col(j);
            let mut s = self.cost[j];
            for (&i, &a) in r.iter().zip(v) {
                s -= a * y[i];
            }
            self.d[j] = s;
        }
        for i in 0..self.m {
            let j = self.n + i;
            self.d[j] = if self.stat[j] == Stat::Basic {
                0.0
            } else {
                self.cost[j] - y[i]
            };
        }
    }

    /// The pivot row `alpha_r = rho^T [A I]` over non-basic variables, `rho` indexed by row (entries
    /// of basic variables may be left out). Row-wise when the rows that `rho` touches hold fewer
    /// entries than the non-basic columns, else column-wise.
    #[inline(never)]
    pub fn pivot_row(&self, rho: &[f64], out: &mut ScatteredVec) {
        out.clear();
        let mut row_work = 0;
        for (i, &v) in rho.iter().enumerate() {
            if v != 0.0 {
                row_work += self.ar.start[i + 1] - self.ar.start[i] + 1;
            }
        }
        // A scattered add costs about twice a gathered product term.
        if 2 * row_work < self.a.nnz() && 4 * row_work > self.n + self.m {
            // Many products: accumulate straight into the dense values, then index them in one pass
            // (cheaper than marking each of the many touched entries).
            for (i, &r) in rho.iter().enumerate() {
                if r == 0.0 {
                    continue;
                }
                let (cols, vals) = self.ar.col(i);
                for (&j, &a) in cols.iter().zip(vals) {
                    out.values[j] += r * a;
                }
                out.values[self.n + i] += r;
            }
            out.reindex(0.0);
        } else if 2 * row_work < self.a.nnz() {
            for (i, &r) in rho.iter().enumerate() {
                if r == 0.0 {
                    continue;
                }
                let (cols, vals) = self.ar.col(i);
                for (&j, &a) in cols.iter().zip(vals) {
                    out.add(j, r * a);
                }
                out.add(self.n + i, r);
            }
        } else {
            for j in 0..self.n {
                if self.stat[j] == Stat::Basic {
                    continue;
                }
                let (r, v) = self.a.col(j);
                let mut s = 0.0;
                for (&i, &a) in r.iter().zip(v) {
                    s += a * rho[i];
                }
                if s != 0.0 {
                    out.add(j, s);
                }
            }
            for (i, &r) in rho.iter().enumerate() {
                if r != 0.0 {
                    out.add(self.n + i, r);
                }
            }
        }
    }

    /// Largest primal infeasibility of the basic variables.
    pub fn max_primal_infeasibility(&self) -> f64 {
        let mut worst: f64 = 0.0;
        for &j in &self.basic {
            worst = worst
                .max(self.lower[j] - self.x[j])
                .max(self.x[j] - self.upper[j]);
        }
        worst
    }

    /// Dual infeasibility of non-basic variable `j` for the reduced costs in `d`.
    #[inline]
    pub fn dual_infeasibility(&self, j: usize) -> f64 {
        if self.lower[j] == self.upper[j] {
            return 0.0;
        }
        match self.stat[j] {
            Stat::Basic => 0.0,
            Stat::Lower => (-self.d[j]).max(0.0),
            Stat::Upper => self.d[j].max(0.0),
            Stat::Zero => self.d[j].abs(),
        }
    }

    pub fn max_dual_infeasibility(&self) -> f64 {
        (0..self.n + self.m)
            .map(|j| self.dual_infeasibility(j))
            .fold(0.0, f64::max)
    }

    /// Replaces basis position `r` (leaving variable goes to `leave_stat`) by entering `q`;
    /// `alpha` is `B^{-1} a_q` by position.
    pub fn pivot(&mut self, r: usize, q: usize, leave_stat: Stat, alpha: &[f64]) {
        let leaving = self.basic[r];
        self.stat[leaving] = leave_stat;
        self.pos[leaving] = NONE;
        self.x[leaving] = self.nonbasic_value(leaving);
        self.d[q] = 0.0;
        self.basic[r] = q;
        self.stat[q] = Stat::Basic;
        self.pos[q] = r;
        self.lu.update(r, alpha);
        if self.lu.num_updates() >= self.max_updates || self.lu.refactor_pays() {
            self.need_factor = true;
        }
    }

    /// The objective `cost^T x` for the costs in force.
    pub fn objective(&self) -> f64 {
        self.cost.iter().zip(&self.x).map(|(c, x)| c * x).sum()
    }

    /// A bound on the true-cost optimum valid for any `y`: `min over the box of (c - [A I]^T y)^T z`,
    /// with `y` the current duals (Lagrangian relaxation of `[A I] z = 0`).
    pub fn lagrangian_bound(&self) -> f64 {
        let mut total = 0.0;
        for j in 0..self.n + self.m {
            let dj = if self.stat[j] == Stat::Basic {
                self.orig_cost[j] - self.cost[j]
            } else {
                self.d[j] + self.orig_cost[j] - self.cost[j]
            };
            if dj > 0.0 {
                total += dj * self.lower[j];
            } else if dj < 0.0 {
                total += dj * self.upper[j];
            }
        }
        if total.is_nan() {
            f64::NEG_INFINITY
        } else {
            total
        }
    }
}

impl Core {
    /// A placeholder with no rows or columns.
    pub fn empty() -> Self {
        Core::new(
            CscMatrix::new(0),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Tols {
                primal: 1e-7,
                dual: 1e-7,
                pivot: 1e-7,
            },
        )
    }
}

impl Core {
    /// Whether row multipliers `rho` prove `[A I] z = 0` infeasible within the bounds: the range of
    /// `rho^T [A I] z` over the box must exclude zero (entries below `1e-11` relative are dropped).
    pub fn farkas_valid(&self, rho: &[f64]) -> bool {
        let mut g = vec![0.0; self.n + self.m];
        let mut mag = vec![0.0; self.n + self.m];
        for j in 0..self.n {
            let (r, v) = self.a.col(j);
            for (&i, &a) in r.iter().zip(v) {
                g[j] += a * rho[i];
                mag[j] += (a * rho[i]).abs();
            }
        }
        for i in 0..self.m {
            g[self.n + i] = rho[i];
            mag[self.n + i] = rho[i].abs();
        }
        box_range_excludes_zero(&g, &mag, &self.lower, &self.upper)
    }
}

/// Whether `sum_j g_j z_j` over the box `lower <= z <= upper` stays away from zero. Entries that are
/// cancellation noise (`|g_j| <= 1e-9 * mag_j`, `mag_j` the sum of the magnitudes that formed them,
/// or below `1e-14` of the largest magnitude) are taken as zero; the margin is `1e-9` relative to the range's size.
pub(crate) fn box_range_excludes_zero(g: &[f64], mag: &[f64], lower: &[f64], upper: &[f64]) -> bool {
    let floor = 1e-14 * mag.iter().fold(0.0f64, |a, &v| a.max(v));
    let (mut lo, mut hi) = (0.0, 0.0);
    for j in 0..g.len() {
        let gj = g[j];
        if gj.abs() <= floor || gj.abs() <= 1e-9 * mag[j] {
            continue;
        }
        if gj > 0.0 {
            lo += gj * lower[j];
            hi += gj * upper[j];
        } else {
            lo += gj * upper[j];
            hi += gj * lower[j];
        }
    }
    let size = [lo, hi]
        .iter()
        .filter(|v| v.is_finite())
        .fold(1e-300f64, |a, v| a.max(v.abs()));
    lo > 1e-9 * size || hi < -1e-9 * size
}
