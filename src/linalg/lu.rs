//! The basis LU factorisation `B = L U` (rows and columns permuted), with product-form updates.
//!
//! Left-looking factorisation: columns are taken sparsest first, each is solved against the `L` built
//! so far with a depth-first reach (Gilbert & Peierls 1988), and its pivot is chosen by threshold partial
//! pivoting, preferring rows with few remaining entries (a Markowitz-style tie-break). Columns without
//! an acceptable pivot are reported and replaced by unit columns (the simplex swaps in slack variables).
//! Basis changes between refactorisations are kept as product-form eta vectors (Maros 2003, ch. 8).

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
    /// L by step: multipliers `(row, l)` below the pivot.
    lcol: Lists,
    /// L by row: `(step, l)`.
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
    // factorisation scratch
    mark: Vec<bool>,
    stack: Vec<(usize, usize)>,
    pattern: Vec<usize>,
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
        self.mark.clear();
        self.mark.resize(m, false);

        let mut row_count = vec![0usize; m];
        for &i in &basis.index {
            row_count[i] += 1;
        }
        // Sparsest columns first: singletons (slacks) pivot without fill.
        let mut order: Vec<usize> = (0..ncols).collect();
        order.sort_by_key(|&p| basis.start[p + 1] - basis.start[p]);

        let mut singular = Vec::new();
        for &p in &order {
            let (rows, vals) = basis.col(p);
            if self.prow.len() == m {
                singular.push(p);
                continue;
            }
            for &i in rows {
                row_count[i] -= 1;
            }
            self.solve_l_sparse(rows, vals);
            // Choose the pivot among unpivoted rows of the pattern.
            let mut amax = 0.0f64;
            for &i in &self.pattern {
                if self.row_step[i] == NONE {
                    amax = amax.max(self.work[i].abs());
                }
            }
            if amax <= self.options.singular_tol {
                singular.push(p);
                for &i in &self.pattern {
                    self.work[i] = 0.0;
                }
                continue;
            }
            let threshold = amax * self.options.pivot_threshold;
            let mut best = NONE;
            let mut best_count = usize::MAX;
            let mut best_abs = 0.0;
            for &i in &self.pattern {
                if self.row_step[i] != NONE {
                    continue;
                }
                let a = self.work[i].abs();
                if a >= threshold
                    && (row_count[i] < best_count || (row_count[i] == best_count && a > best_abs))
                {
                    best = i;
                    best_count = row_count[i];
                    best_abs = a;
                }
            }
            let pivot = self.work[best];
            let k = self.prow.len();
            for &i in &self.pattern {
                let v = self.work[i];
                self.work[i] = 0.0;
                if v == 0.0 || i == best {
                    continue;
                }
                let t = self.row_step[i];
                if t != NONE {
                    self.ucol.index.push(t);
                    self.ucol.value.push(v);
                } else {
                    self.lcol.index.push(i);
                    self.lcol.value.push(v / pivot);
                }
            }
            self.ucol.close();
            self.lcol.close();
            self.diag.push(pivot);
            self.prow.push(best);
            self.pcol.push(p);
            self.row_step[best] = k;
        }
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
            self.ucol.close();
            self.lcol.close();
            self.diag.push(1.0);
            self.prow.push(i);
            self.pcol.push(p);
            self.row_step[i] = k;
            replaced.push((p, Some(i)));
        }
        self.lrow = self.lcol.transpose(m, m);
        self.l_steps = (0..self.prow.len())
            .filter(|&t| self.lcol.start[t + 1] > self.lcol.start[t])
            .collect();
        self.urow = self.ucol.transpose(m, m);
        replaced
    }

    /// Solves with the L built so far for the sparse right-hand side, leaving the result in `work`
    /// and its non-zero pattern in `pattern` (pivoted rows in topological order).
    fn solve_l_sparse(&mut self, rows: &[usize], vals: &[f64]) {
        self.pattern.clear();
        // Depth-first search over the graph of L for the reach of the right-hand side.
        for &root in rows {
            if self.mark[root] {
                continue;
            }
            self.mark[root] = true;
            self.stack.push((root, 0));
            while let Some(&mut (node, ref mut child)) = self.stack.last_mut() {
                let t = self.row_step[node];
                let mut pushed = false;
                if t != NONE {
                    let (idx, _) = self.lcol.get(t);
                    while *child < idx.len() {
                        let next = idx[*child];
                        *child += 1;
                        if !self.mark[next] {
                            self.mark[next] = true;
                            self.stack.push((next, 0));
                            pushed = true;
                            break;
                        }
                    }
                }
                if !pushed {
                    self.stack.pop();
                    self.pattern.push(node);
                }
            }
        }
        self.pattern.reverse();
        for &i in &self.pattern {
            self.mark[i] = false;
        }
        for (&i, &v) in rows.iter().zip(vals) {
            self.work[i] += v;
        }
        for &i in &self.pattern {
            let t = self.row_step[i];
            if t == NONE {
                continue;
            }
            let z = self.work[i];
            if z == 0.0 {
                continue;
            }
            let (idx, val) = self.lcol.get(t);
            for (&r, &l) in idx.iter().zip(val) {
                self.work[r] -= l * z;
            }
        }
    }

    /// Solves `B x = v` in place: `v` comes indexed by row and leaves indexed by basis position.
    pub fn ftran(&mut self, v: &mut [f64]) {
        let m = self.m;
        for &t in &self.l_steps {
            let z = v[self.prow[t]];
            if z != 0.0 {
                let (idx, val) = self.lcol.get(t);
                for (&i, &l) in idx.iter().zip(val) {
                    v[i] -= l * z;
                }
            }
        }
        for k in (0..m).rev() {
            let mut z = v[self.prow[k]];
            if z != 0.0 {
                z /= self.diag[k];
                let (idx, val) = self.ucol.get(k);
                for (&t, &u) in idx.iter().zip(val) {
                    v[self.prow[t]] -= u * z;
                }
            }
            self.work[self.pcol[k]] = z;
        }
        v.copy_from_slice(&self.work[..m]);
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
        for k in 0..m {
            self.work[k] = v[self.pcol[k]];
        }
        for k in 0..m {
            let w = self.work[k] / self.diag[k];
            self.work[k] = w;
            if w != 0.0 {
                let (idx, val) = self.urow.get(k);
                for (&j, &u) in idx.iter().zip(val) {
                    self.work[j] -= u * w;
                }
            }
        }
        for k in 0..m {
            v[self.prow[k]] = self.work[k];
        }
        for s in (0..m).rev() {
            let i = self.prow[s];
            let y = v[i];
            if y != 0.0 {
                let (idx, val) = self.lrow.get(i);
                for (&t, &l) in idx.iter().zip(val) {
                    v[self.prow[t]] -= l * y;
                }
            }
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
