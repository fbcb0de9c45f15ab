//! Right-looking sparse LU with dynamic Markowitz pivot selection and threshold partial pivoting
//! (Markowitz 1957; search limited to a few candidates per count as in Suhl & Suhl 1990).
//!
//! The active submatrix is kept by columns (values) and by rows (patterns); columns and rows are
//! filed in buckets by their count, so the pivot search visits the sparsest ones first. The result
//! is a pivot sequence with `L` by step (`(row, multiplier)`), `U` as `(row step, column, value)`
//! triplets and the pivots; columns without an acceptable pivot are reported as dependent.

use super::sparse::CscMatrix;

const NONE: usize = usize::MAX;
/// Candidates (columns or rows) examined before the best pivot so far is taken.
const SEARCH_LIMIT: usize = 4;

/// Doubly linked lists of items filed by count.
#[derive(Debug, Clone, Default)]
struct Buckets {
    head: Vec<usize>,
    next: Vec<usize>,
    prev: Vec<usize>,
    count: Vec<usize>,
}

impl Buckets {
    fn reset(&mut self, items: usize, max_count: usize) {
        self.head.clear();
        self.head.resize(max_count + 1, NONE);
        self.next.clear();
        self.next.resize(items, NONE);
        self.prev.clear();
        self.prev.resize(items, NONE);
        self.count.clear();
        self.count.resize(items, NONE);
    }
    fn insert(&mut self, x: usize, c: usize) {
        self.count[x] = c;
        self.prev[x] = NONE;
        self.next[x] = self.head[c];
        if self.head[c] != NONE {
            self.prev[self.head[c]] = x;
        }
        self.head[c] = x;
    }
    fn remove(&mut self, x: usize) {
        let c = self.count[x];
        if c == NONE {
            return;
        }
        let (p, n) = (self.prev[x], self.next[x]);
        if p == NONE {
            self.head[c] = n;
        } else {
            self.next[p] = n;
        }
        if n != NONE {
            self.prev[n] = p;
        }
        self.count[x] = NONE;
    }
    fn set(&mut self, x: usize, c: usize) {
        if self.count[x] != c {
            self.remove(x);
            self.insert(x, c);
        }
    }
}

/// Scratch and result of one factorisation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Markowitz {
    cols: Vec<Vec<(usize, f64)>>,
    rows: Vec<Vec<usize>>,
    col_buckets: Buckets,
    row_buckets: Buckets,
    /// Position of a row in the column being updated, `NONE` if absent.
    slot: Vec<usize>,
    lpattern: Vec<(usize, f64)>,
    /// Pivot row and column (basis position) of each step.
    pub prow: Vec<usize>,
    pub pcol: Vec<usize>,
    pub diag: Vec<f64>,
    /// L by step: `(row, multiplier)`.
    pub l_start: Vec<usize>,
    pub l_index: Vec<usize>,
    pub l_value: Vec<f64>,
    /// U entries `(step of the pivot row, column, value)` off the diagonal.
    pub u_entries: Vec<(usize, usize, f64)>,
    /// Columns found dependent, in the order found.
    pub singular: Vec<usize>,
    /// Operations spent (a cost proxy).
    pub work: usize,
}

impl Markowitz {
    /// Factors `basis`; see the module documentation for the result.
    pub fn factor(&mut self, basis: &CscMatrix, threshold: f64, singular_tol: f64) {
        let (m, ncols) = (basis.nrows, basis.ncols);
        self.prow.clear();
        self.pcol.clear();
        self.diag.clear();
        self.l_start.clear();
        self.l_start.push(0);
        self.l_index.clear();
        self.l_value.clear();
        self.u_entries.clear();
        self.singular.clear();
        self.work = 0;
        self.cols.resize_with(ncols, Vec::new);
        self.rows.resize_with(m, Vec::new);
        for c in self.cols.iter_mut().take(ncols) {
            c.clear();
        }
        for r in self.rows.iter_mut().take(m) {
            r.clear();
        }
        for j in 0..ncols {
            let (idx, val) = basis.col(j);
            for (&i, &v) in idx.iter().zip(val) {
                if v != 0.0 {
                    self.cols[j].push((i, v));
                    self.rows[i].push(j);
                }
            }
        }
        self.work += 4 * basis.nnz();
        let max_count = m.max(ncols) + 1;
        self.col_buckets.reset(ncols, max_count);
        self.row_buckets.reset(m, max_count);
        for j in 0..ncols {
            self.col_buckets.insert(j, self.cols[j].len());
        }
        for i in 0..m {
            self.row_buckets.insert(i, self.rows[i].len());
        }
        self.slot.clear();
        self.slot.resize(m, NONE);

        while self.prow.len() < m {
            // Columns left with no entries are dependent.
            while self.col_buckets.head[0] != NONE {
                let j = self.col_buckets.head[0];
                self.drop_column(j);
            }
            let Some((r, c)) = self.search(m, max_count, threshold, singular_tol) else {
                break;
            };
            self.eliminate(r, c);
        }
        // Whatever columns are still active found no acceptable pivot.
        for j in 0..ncols {
            if self.col_buckets.count[j] != NONE {
                self.drop_column(j);
            }
        }
    }

    /// Removes column `j` from the active submatrix as dependent.
    fn drop_column(&mut self, j: usize) {
        self.col_buckets.remove(j);
        let entries = std::mem::take(&mut self.cols[j]);
        for &(i, _) in &entries {
            self.remove_from_row(i, j);
        }
        self.cols[j] = entries;
        self.cols[j].clear();
        self.singular.push(j);
    }

    fn remove_from_row(&mut self, i: usize, j: usize) {
        let row = &mut self.rows[i];
        if let Some(k) = row.iter().position(|&x| x == j) {
            row.swap_remove(k);
        }
        self.work += row.len() / 4 + 1;
        if self.row_buckets.count[i] != NONE {
            self.row_buckets.set(i, row.len());
        }
    }

    /// Largest magnitude in active column `j`.
    fn col_max(&self, j: usize) -> f64 {
        self.cols[j].iter().fold(0.0f64, |a, &(_, v)| a.max(v.abs()))
    }

    /// The pivot of least Markowitz count `(r_i - 1)(c_j - 1)` among the few sparsest columns and
    /// rows, with `|a_ij| >= threshold * max_i |a_ij|`. Columns whose entries are all below
    /// `singular_tol` are dropped as dependent on the way.
    fn search(
        &mut self,
        m: usize,
        max_count: usize,
        threshold: f64,
        singular_tol: f64,
    ) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        let mut best_cost = usize::MAX;
        let mut best_abs = 0.0;
        let mut examined = 0;
        for count in 1..max_count {
            // Columns with `count` entries.
            let mut j = self.col_buckets.head[count];
            while j != NONE {
                let next = self.col_buckets.next[j];
                let cmax = self.col_max(j);
                self.work += count;
                if cmax <= singular_tol {
                    self.drop_column(j);
                    j = next;
                    continue;
                }
                for &(i, v) in &self.cols[j] {
                    let a = v.abs();
                    if a < threshold * cmax {
                        continue;
                    }
                    let cost = (self.rows[i].len() - 1) * (count - 1);
                    if cost < best_cost || (cost == best_cost && a > best_abs) {
                        best = Some((i, j));
                        best_cost = cost;
                        best_abs = a;
                    }
                }
                examined += 1;
                if examined >= SEARCH_LIMIT && best.is_some() {
                    return best;
                }
                j = next;
            }
            if best.is_some() && best_cost <= (count - 1) * count {
                return best;
            }
            // Rows with `count` entries.
            if count <= m {
                let mut i = self.row_buckets.head[count];
                while i != NONE {
                    let next = self.row_buckets.next[i];
                    for k in 0..self.rows[i].len() {
                        let j = self.rows[i][k];
                        let cmax = self.col_max(j);
                        self.work += self.cols[j].len();
                        let a = self.cols[j].iter().find(|e| e.0 == i).map_or(0.0, |e| e.1.abs());
                        if cmax <= singular_tol || a < threshold * cmax {
                            continue;
                        }
                        let cost = (count - 1) * (self.cols[j].len() - 1);
                        if cost < best_cost || (cost == best_cost && a > best_abs) {
                            best = Some((i, j));
                            best_cost = cost;
                            best_abs = a;
                        }
                    }
                    examined += 1;
                    if examined >= SEARCH_LIMIT && best.is_some() {
                        return best;
                    }
                    i = next;
                }
            }
            if best.is_some() && best_cost <= count * count {
                return best;
            }
        }
        best
    }

    /// Pivots on `(r, c)`: records the L column and the U row, and updates the active submatrix.
    fn eliminate(&mut self, r: usize, c: usize) {
        let step = self.prow.len();
        self.col_buckets.remove(c);
        self.row_buckets.remove(r);
        let pcolumn = std::mem::take(&mut self.cols[c]);
        let pivot = pcolumn.iter().find(|e| e.0 == r).map_or(0.0, |e| e.1);
        self.lpattern.clear();
        for &(i, v) in &pcolumn {
            if i == r {
                continue;
            }
            let l = v / pivot;
            self.lpattern.push((i, l));
            self.l_index.push(i);
            self.l_value.push(l);
            // Column c leaves row i.
            let row = &mut self.rows[i];
            if let Some(k) = row.iter().position(|&x| x == c) {
                row.swap_remove(k);
            }
            self.work += row.len() / 4 + 1;
        }
        self.cols[c] = pcolumn;
        self.cols[c].clear();
        self.l_start.push(self.l_index.len());
        self.prow.push(r);
        self.pcol.push(c);
        self.diag.push(pivot);
        let urow = std::mem::take(&mut self.rows[r]);
        for &j in &urow {
            if j == c {
                continue;
            }
            // Take a_rj out of column j and map the column's rows.
            let col = &mut self.cols[j];
            let mut a_rj = 0.0;
            if let Some(k) = col.iter().position(|e| e.0 == r) {
                a_rj = col.swap_remove(k).1;
            }
            if a_rj != 0.0 {
                self.u_entries.push((step, j, a_rj));
            }
            if a_rj == 0.0 || self.lpattern.is_empty() {
                self.col_buckets.set(j, self.cols[j].len());
                continue;
            }
            for (k, &(i, _)) in self.cols[j].iter().enumerate() {
                self.slot[i] = k;
            }
            self.work += self.cols[j].len() + 2 * self.lpattern.len();
            for &(i, l) in &self.lpattern {
                let k = self.slot[i];
                if k != NONE {
                    self.cols[j][k].1 -= l * a_rj;
                } else {
                    self.cols[j].push((i, -l * a_rj));
                    self.rows[i].push(j);
                }
            }
            for &(i, _) in &self.cols[j] {
                self.slot[i] = NONE;
            }
            self.col_buckets.set(j, self.cols[j].len());
        }
        self.rows[r] = urow;
        self.rows[r].clear();
        for &(i, _) in &self.lpattern {
            self.row_buckets.set(i, self.rows[i].len());
        }
    }
}
