//! The basis LU factorisation `B = L U` (rows and columns permuted), with product-form updates.
//!
//! Right-looking factorisation with dynamic Markowitz pivoting and threshold partial pivoting (see
//! [`super::markowitz`]). Columns without an acceptable pivot are reported and replaced by unit
//! columns (the simplex swaps in slack variables). Solves run in pivot-step order.
//! Basis changes between refactorisations are kept as product-form eta vectors (Maros 2003, ch. 8).

use super::markowitz::Markowitz;
use super::sparse::CscMatrix;

const NONE: usize = usize::MAX;

/// Numerical settings of the factorisation.
#[derive(Debug, Clone)]
pub struct LuOptions {
    /// A pivot must be at least this fraction of the largest candidate in its column (default 0.1).
    pub pivot_threshold: f64,
    /// Candidates below this magnitude count as zero: the column is singular (default 1e-11).
    pub singular_tol: f64,
}

impl Default for LuOptions {
    fn default() -> Self {
        LuOptions {
            pivot_threshold: 0.1,
            singular_tol: 1e-11,
        }
    }
}

/// A sparse triangular factor stored as lists per step (columns) and per row/step (rows).
#[derive(Debug, Clone, Default)]
struct Lists {
    start: Vec<usize>,
    index: Vec<usize>,
    value: Vec<f64>,
}

impl Lists {
    fn clear(&mut self) {
        self.start.clear();
        self.start.push(0);
        self.index.clear();
        self.value.clear();
    }
    fn close(&mut self) {
        self.start.push(self.index.len());
    }
    #[inline]
    fn get(&self, k: usize) -> (&[usize], &[f64]) {
        let r = self.start[k]..self.start[k + 1];
        (&self.index[r.clone()], &self.value[r])
    }
    /// Transposes lists over `n` keys into lists over `nkeys` keys.
    fn transpose(&self, n: usize, nkeys: usize) -> Lists {
        let mut count = vec![0usize; nkeys + 1];
        for &i in &self.index {
            count[i + 1] += 1;
        }
        for i in 0..nkeys {
            count[i + 1] += count[i];
        }
        let mut next = count.clone();
        let mut index = vec![0; self.index.len()];
        let mut value = vec![0.0; self.index.len()];
        for k in 0..n {
            let (idx, val) = self.get(k);
            for (&i, &v) in idx.iter().zip(val) {
                index[next[i]] = k;
                value[next[i]] = v;
                next[i] += 1;
            }
        }
        Lists {
            start: count,
            index,
            value,
        }
    }
}

/// `P B Q = L U` plus a file of product-form etas for the basis changes since.
#[derive(Debug, Clone, Default)]
pub struct LuFactor {
    m: usize,
    options: LuOptions,
    /// Pivot row of each step.
    prow: Vec<usize>,
    /// Basis position (column of B) of each step.
    pcol: Vec<usize>,
    /// Step at which each row was pivoted.
    row_step: Vec<usize>,
    /// L by step: multipliers `(row, l)` below the pivot while factoring; after `factor` the
    /// entries are keyed by the step of their row (`(later step, l)`), so solves run in step order.
    lcol: Lists,
    /// L by the step of its row: `(earlier step, l)`.
    lrow: Lists,
    /// Steps whose L column is not empty, in order.
    l_steps: Vec<usize>,
    /// U by step: `(earlier step, u)` above the diagonal.
    ucol: Lists,
    /// U by step (row of U): `(later step, u)`.
    urow: Lists,
    diag: Vec<f64>,
    /// Eta file: pivot position, pivot value and the other entries `(position, alpha)`.
    eta_pos: Vec<usize>,
    eta_pivot: Vec<f64>,
    etas: Lists,
    work: Vec<f64>,
    /// Operations spent in the last factorisation (a cost proxy for the refactorisation schedule).
    factor_work: usize,
    /// Eta entries processed by solves since the last factorisation.
    eta_work: usize,
    markowitz: Markowitz,
}

impl LuFactor {
    /// An empty factorisation with the given settings.
    pub fn new(options: LuOptions) -> Self {
        LuFactor {
            options,
            ..Default::default()
        }
    }

    /// Dimension of the factored basis.
    pub fn dim(&self) -> usize {
        self.m
    }

    /// Number of product-form updates since the last factorisation.
    pub fn num_updates(&self) -> usize {
        self.eta_pos.len()
    }

    /// Non-zeros in L and U (without the unit diagonal of L).
    pub fn factor_nnz(&self) -> usize {
        self.lcol.index.len() + self.ucol.index.len() + self.m
    }

    /// Non-zeros in the eta file.
    pub fn eta_nnz(&self) -> usize {
        self.etas.index.len() + self.eta_pos.len()
    }

    /// Whether refactorising now is cheaper than going on with the eta file: the solves since the
    /// last factorisation have spent more work on eta vectors than the factorisation itself cost
    /// (the classical balance of refactorisation cost against growing solve cost).
    pub fn refactor_pays(&self) -> bool {
        self.eta_work > self.factor_work
    }

    /// Factors `basis` (column `p` = basis position `p`; at least as many columns as rows). Returns the
    /// positions whose columns were (numerically) dependent, each with the row whose unit column replaced
    /// it in the factors, or `None` for surplus dependent columns when there are more columns than rows
    /// (those take no part in the factors).
    pub fn factor(&mut self, basis: &CscMatrix) -> Vec<(usize, Option<usize>)> {
        let m = basis.nrows;
        let ncols = basis.ncols;
        self.m = m;
        self.prow.clear();
        self.pcol.clear();
        self.diag.clear();
        self.row_step.clear();
        self.row_step.resize(m, NONE);
        self.lcol.clear();
        self.ucol.clear();
        self.eta_pos.clear();
        self.eta_pivot.clear();
        self.etas.clear();
        self.work.clear();
        self.work.resize(m, 0.0);
        self.eta_work = 0;

        self.markowitz
            .factor(basis, self.options.pivot_threshold, self.options.singular_tol);
        let mk = &self.markowitz;
        self.factor_work = 3 * mk.work + 8 * m;
        self.prow.extend_from_slice(&mk.prow);
        self.pcol.extend_from_slice(&mk.pcol);
        self.diag.extend_from_slice(&mk.diag);
        for (k, &i) in mk.prow.iter().enumerate() {
            self.row_step[i] = k;
        }
        self.lcol.index.extend_from_slice(&mk.l_index);
        self.lcol.value.extend_from_slice(&mk.l_value);
        self.lcol.start.clear();
        self.lcol.start.extend_from_slice(&mk.l_start);
        let singular = mk.singular.clone();
        // Dependent columns: replace them by unit columns of the rows left without a pivot.
        let mut replaced = Vec::new();
        let free: Vec<usize> = (0..m).filter(|&i| self.row_step[i] == NONE).collect();
        let mut free_rows = free.into_iter();
        for p in singular {
            let Some(i) = free_rows.next() else {
                replaced.push((p, None));
                continue;
            };
            let k = self.prow.len();
            self.lcol.close();
            self.diag.push(1.0);
            self.prow.push(i);
            self.pcol.push(p);
            self.row_step[i] = k;
            replaced.push((p, Some(i)));
        }
        // Solves run in step order: key L's entries by the step of their row.
        if self.prow.len() == m {
            for i in self.lcol.index.iter_mut() {
                *i = self.row_step[*i];
            }
        }
        self.lrow = self.lcol.transpose(m, m);
        self.l_steps = (0..self.prow.len())
            .filter(|&t| self.lcol.start[t + 1] > self.lcol.start[t])
            .collect();
        // U by row step from the triplets; entries of dependent (replaced) columns are dropped.
        let mut col_step = vec![NONE; ncols];
        for (k, &p) in self.pcol.iter().enumerate() {
            col_step[p] = k;
        }
        let mut count = vec![0usize; m + 1];
        for &(_, j, _) in &self.markowitz.u_entries {
            if col_step[j] != NONE && col_step[j] < m {
                count[col_step[j] + 1] += 1;
            }
        }
        for k in 0..m {
            count[k + 1] += count[k];
        }
        let total = count[m];
        let mut next = count.clone();
        self.ucol.index.clear();
        self.ucol.index.resize(total, 0);
        self.ucol.value.clear();
        self.ucol.value.resize(total, 0.0);
        for &(t, j, u) in &self.markowitz.u_entries {
            let k = col_step[j];
            if k != NONE && k < m {
                self.ucol.index[next[k]] = t;
                self.ucol.value[next[k]] = u;
                next[k] += 1;
            }
        }
        self.ucol.start = count;
        self.urow = self.ucol.transpose(m, m);
        replaced
    }

    /// Solves `B x = v` in place: `v` comes indexed by row and leaves indexed by basis position.
    pub fn ftran(&mut self, v: &mut [f64]) {
        let m = self.m;
        let w = &mut self.work[..m];
        for (k, wk) in w.iter_mut().enumerate() {
            *wk = v[self.prow[k]];
        }
        for &t in &self.l_steps {
            let z = w[t];
            if z != 0.0 {
                let (idx, val) = self.lcol.get(t);
                for (&s, &l) in idx.iter().zip(val) {
                    w[s] -= l * z;
                }
            }
        }
        for k in (0..m).rev() {
            let mut z = w[k];
            if z != 0.0 {
                z /= self.diag[k];
                w[k] = z;
                let (idx, val) = self.ucol.get(k);
                for (&t, &u) in idx.iter().zip(val) {
                    w[t] -= u * z;
                }
            }
            v[self.pcol[k]] = z;
        }
        self.eta_work += self.etas.index.len() + self.eta_pos.len();
        for e in 0..self.eta_pos.len() {
            let r = self.eta_pos[e];
            let z = v[r] / self.eta_pivot[e];
            v[r] = z;
            if z != 0.0 {
                let (idx, val) = self.etas.get(e);
                for (&i, &a) in idx.iter().zip(val) {
                    v[i] -= a * z;
                }
            }
        }
    }

    /// Solves `B^T y = v` in place: `v` comes indexed by basis position and leaves indexed by row.
    pub fn btran(&mut self, v: &mut [f64]) {
        let mut work = std::mem::take(&mut self.work);
        self.btran_with(v, &mut work);
        self.work = work;
        self.eta_work += self.etas.index.len() + self.eta_pos.len();
    }

    /// [`LuFactor::btran`] with caller-provided scratch, leaving the factors untouched.
    pub fn btran_with(&self, v: &mut [f64], work: &mut Vec<f64>) {
        let m = self.m;
        for e in (0..self.eta_pos.len()).rev() {
            let r = self.eta_pos[e];
            let (idx, val) = self.etas.get(e);
            let mut s = v[r];
            for (&i, &a) in idx.iter().zip(val) {
                s -= a * v[i];
            }
            v[r] = s / self.eta_pivot[e];
        }
        work.clear();
        work.extend(self.pcol.iter().map(|&p| v[p]));
        let w = &mut work[..m];
        for k in 0..m {
            let z = w[k];
            if z != 0.0 {
                let z = z / self.diag[k];
                w[k] = z;
                let (idx, val) = self.urow.get(k);
                for (&j, &u) in idx.iter().zip(val) {
                    w[j] -= u * z;
                }
            }
        }
        for s in (0..m).rev() {
            let y = w[s];
            if y != 0.0 {
                let (idx, val) = self.lrow.get(s);
                for (&t, &l) in idx.iter().zip(val) {
                    w[t] -= l * y;
                }
            }
        }
        for (k, &i) in self.prow.iter().enumerate() {
            v[i] = w[k];
        }
    }

    /// Records the basis change at `position` whose entering column is `alpha = B^{-1} a_q`
    /// (indexed by basis position, from [`LuFactor::ftran`]).
    pub fn update(&mut self, position: usize, alpha: &[f64]) {
        for (i, &a) in alpha.iter().enumerate() {
            if i != position && a != 0.0 {
                self.etas.index.push(i);
                self.etas.value.push(a);
            }
        }
        self.etas.close();
        self.eta_pos.push(position);
        self.eta_pivot.push(alpha[position]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dense_mul(b: &CscMatrix, x: &[f64]) -> Vec<f64> {
        let mut y = vec![0.0; b.nrows];
        for j in 0..b.ncols {
            let (r, v) = b.col(j);
            for (&i, &a) in r.iter().zip(v) {
                y[i] += a * x[j];
            }
        }
        y
    }

    fn sample() -> CscMatrix {
        let rows = vec![
            vec![(0, 2.0), (2, 1.0)],
            vec![(1, 3.0), (3, -1.0)],
            vec![(0, 1.0), (2, 4.0), (3, 1.0)],
            vec![(1, 1.0), (3, 2.0)],
        ];
        CscMatrix::from_rows(4, 4, &rows)
    }

    #[test]
    fn ftran_btran_solve() {
        let b = sample();
        let mut lu = LuFactor::new(LuOptions::default());
        assert!(lu.factor(&b).is_empty());
        let x = vec![1.0, -2.0, 0.5, 3.0];
        let mut v = dense_mul(&b, &x);
        lu.ftran(&mut v);
        for i in 0..4 {
            assert!((v[i] - x[i]).abs() < 1e-12);
        }
        let bt = b.transpose();
        let mut w = dense_mul(&bt, &x);
        lu.btran(&mut w);
        for i in 0..4 {
            assert!((w[i] - x[i]).abs() < 1e-12);
        }
    }

    #[test]
    fn update_matches_refactor() {
        let mut b = sample();
        let mut lu = LuFactor::new(LuOptions::default());
        lu.factor(&b);
        // Replace column 1 by a new column.
        let newcol = [(0usize, 1.0), (1, 1.0), (2, -1.0)];
        let mut alpha = vec![0.0; 4];
        for &(i, v) in &newcol {
            alpha[i] = v;
        }
        lu.ftran(&mut alpha);
        lu.update(1, &alpha);
        let mut cols: Vec<Vec<(usize, f64)>> = (0..4)
            .map(|j| {
                let (r, v) = b.col(j);
                r.iter().copied().zip(v.iter().copied()).collect()
            })
            .collect();
        cols[1] = newcol.to_vec();
        b = CscMatrix::new(4);
        for c in cols {
            b.push_col(c);
        }
        let x = vec![0.3, 1.0, -1.0, 2.0];
        let mut v = dense_mul(&b, &x);
        lu.ftran(&mut v);
        for i in 0..4 {
            assert!((v[i] - x[i]).abs() < 1e-12, "{v:?}");
        }
        let mut w = dense_mul(&b.transpose(), &x);
        lu.btran(&mut w);
        for i in 0..4 {
            assert!((w[i] - x[i]).abs() < 1e-12, "{w:?}");
        }
    }

    #[test]
    fn singular_column_is_replaced() {
        let rows = vec![vec![(0, 1.0), (1, 2.0)], vec![(0, 2.0), (1, 4.0)]];
        let b = CscMatrix::from_rows(2, 2, &rows);
        let mut lu = LuFactor::new(LuOptions::default());
        let rep = lu.factor(&b);
        assert_eq!(rep.len(), 1);
    }
}
