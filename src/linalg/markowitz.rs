//! Right-looking sparse LU with dynamic Markowitz pivot selection and threshold partial pivoting
//! (Markowitz 1957; search limited to a few candidates per count as in Suhl & Suhl 1990).
//!
//! The active submatrix is kept by columns (values) and by rows (patterns), both lazily: an entry in
//! a pivoted row stays in its column and is that column's `U` entry when the column is pivoted, so a
//! singleton pivot costs only its row's length. Columns and rows are filed in buckets by their
//! active count, so the pivot search visits the sparsest ones first. The result
//! is a pivot sequence with `L` by step (`(row, multiplier)`), `U` as `(row step, column, value)`
//! triplets and the pivots; columns without an acceptable pivot are reported as dependent.

use super::sparse::CscMatrix;

const NONE: usize = usize::MAX;
/// Candidates (columns or rows) examined before the best pivot so far is taken.
const SEARCH_LIMIT: usize = 4;
/// Column passes (magnitude tests) the row search may spend per pivot search.
const ROW_PASS_LIMIT: usize = 32;

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
    /// Column values `(row, value)`; entries of pivoted rows are final `U` values.
    cols: Vec<Vec<(usize, f64)>>,
    /// Row patterns; entries of columns that left the active submatrix stay behind.
    rows: Vec<Vec<usize>>,
    /// Active entries per column and per row.
    col_len: Vec<usize>,
    row_len: Vec<usize>,
    /// Step at which each row was pivoted, `NONE` while active.
    row_step: Vec<usize>,
    col_buckets: Buckets,
    row_buckets: Buckets,
    /// Largest active magnitude per column, NaN when stale (the column changed or lost a row since).
    col_max_cache: Vec<f64>,
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
        self.row_len.clear();
        self.row_len.extend(self.rows.iter().take(m).map(Vec::len));
        self.col_len.clear();
        self.col_len.extend(self.cols.iter().take(ncols).map(Vec::len));
        self.row_step.clear();
        self.row_step.resize(m, NONE);
        for j in 0..ncols {
            self.col_buckets.insert(j, self.col_len[j]);
        }
        for i in 0..m {
            self.row_buckets.insert(i, self.row_len[i]);
        }
        self.slot.clear();
        self.slot.resize(m, NONE);
        self.col_max_cache.clear();
        self.col_max_cache.resize(ncols, f64::NAN);

        while self.prow.len() < m {
            // Columns left with no active entries are dependent.
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
            if self.row_step[i] == NONE {
                self.row_len[i] -= 1;
                self.row_buckets.set(i, self.row_len[i]);
            }
        }
        self.work += entries.len();
        self.cols[j] = entries;
        self.cols[j].clear();
        self.col_len[j] = 0;
        self.singular.push(j);
    }

    /// Largest magnitude among the active entries of column `j` (cached until the column changes).
    fn col_max(&mut self, j: usize) -> f64 {
        let cached = self.col_max_cache[j];
        if !cached.is_nan() {
            return cached;
        }
        self.work += self.cols[j].len();
        let v = self.cols[j]
            .iter()
            .filter(|e| self.row_step[e.0] == NONE)
            .fold(0.0f64, |a, &(_, v)| a.max(v.abs()));
        self.col_max_cache[j] = v;
        v
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
        // Equal-cost candidates of the row search weighed for a larger pivot (each costs a column pass).
        let mut ties = 0;
        // Column passes the row search may spend per pivot: dense rows whose entries fail the threshold
        // would otherwise be scanned in full at every step (the column search always finds a pivot).
        let mut row_passes = 0;
        for count in 1..max_count {
            // Columns with `count` active entries.
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
                    if self.row_step[i] != NONE || a < threshold * cmax {
                        continue;
                    }
                    let cost = (self.row_len[i] - 1) * (count - 1);
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
            // Rows with `count` active entries.
            if count <= m && row_passes < ROW_PASS_LIMIT {
                let mut i = self.row_buckets.head[count];
                while i != NONE {
                    let next = self.row_buckets.next[i];
                    for k in 0..self.rows[i].len() {
                        let j = self.rows[i][k];
                        if self.col_buckets.count[j] == NONE {
                            continue;
                        }
                        // The cost first: the magnitude tests (a pass over the column) only for a pivot
                        // that could be taken.
                        let cost = (count - 1) * self.col_len[j].saturating_sub(1);
                        if cost > best_cost || (cost == best_cost && ties >= SEARCH_LIMIT) {
                            continue;
                        }
                        if row_passes >= ROW_PASS_LIMIT {
                            break;
                        }
                        if cost == best_cost {
                            ties += 1;
                        }
                        row_passes += 1;
                        let cmax = self.col_max(j);
                        self.work += self.cols[j].len();
                        let a = self.cols[j].iter().find(|e| e.0 == i).map_or(0.0, |e| e.1.abs());
                        if cmax <= singular_tol || a < threshold * cmax {
                            continue;
                        }
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
                    if row_passes >= ROW_PASS_LIMIT {
                        break;
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

    /// Pivots on `(r, c)`: records the L column and column `c`'s U entries, and updates the active
    /// submatrix.
    fn eliminate(&mut self, r: usize, c: usize) {
        let step = self.prow.len();
        self.col_buckets.remove(c);
        self.row_buckets.remove(r);
        let pcolumn = std::mem::take(&mut self.cols[c]);
        let mut pivot = 0.0;
        self.lpattern.clear();
        for &(i, v) in &pcolumn {
            let t = self.row_step[i];
            if t != NONE {
                if v != 0.0 {
                    self.u_entries.push((t, c, v));
                }
            } else if i == r {
                pivot = v;
            } else {
                // Column c leaves row i.
                self.row_len[i] -= 1;
                self.lpattern.push((i, v));
            }
        }
        for e in self.lpattern.iter_mut() {
            e.1 /= pivot;
            self.l_index.push(e.0);
            self.l_value.push(e.1);
        }
        self.work += pcolumn.len();
        self.cols[c] = pcolumn;
        self.cols[c].clear();
        self.col_len[c] = 0;
        self.l_start.push(self.l_index.len());
        self.prow.push(r);
        self.pcol.push(c);
        self.diag.push(pivot);
        self.row_step[r] = step;
        let urow = std::mem::take(&mut self.rows[r]);
        self.work += urow.len();
        for &j in &urow {
            // Stale entries and the pivot column (already out of the buckets) are skipped.
            if self.col_buckets.count[j] == NONE {
                continue;
            }
            // Row r leaves column j's active entries (and the update below may change the rest).
            self.col_max_cache[j] = f64::NAN;
            self.col_len[j] -= 1;
            if !self.lpattern.is_empty() {
                self.update_column(j, r);
            }
            self.col_buckets.set(j, self.col_len[j]);
        }
        self.rows[r] = urow;
        for &(i, _) in &self.lpattern {
            self.row_buckets.set(i, self.row_len[i]);
        }
    }

    /// Column `j` minus `a_rj` times the L column in `lpattern` (fill-in is appended).
    fn update_column(&mut self, j: usize, r: usize) {
        for (k, &(i, _)) in self.cols[j].iter().enumerate() {
            self.slot[i] = k;
        }
        self.work += self.cols[j].len() + 2 * self.lpattern.len();
        let k = self.slot[r];
        let a_rj = if k == NONE { 0.0 } else { self.cols[j][k].1 };
        if a_rj != 0.0 {
            for &(i, l) in &self.lpattern {
                let k = self.slot[i];
                if k != NONE {
                    self.cols[j][k].1 -= l * a_rj;
                } else {
                    self.cols[j].push((i, -l * a_rj));
                    self.rows[i].push(j);
                    self.row_len[i] += 1;
                    self.col_len[j] += 1;
                }
            }
        }
        for &(i, _) in &self.cols[j] {
            self.slot[i] = NONE;
        }
    }
}
