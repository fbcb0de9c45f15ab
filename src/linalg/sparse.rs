//! Sparse storage: compressed columns (CSC) and a scattered vector (dense values plus a list of non-zeros).

/// A sparse matrix stored by columns: column `j`'s entries are `start[j]..start[j + 1]` of `index`/`value`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CscMatrix {
    /// Number of rows.
    pub nrows: usize,
    /// Number of columns.
    pub ncols: usize,
    /// Start of each column in `index`/`value`; `ncols + 1` entries.
    pub start: Vec<usize>,
    /// Row index of each stored entry.
    pub index: Vec<usize>,
    /// Value of each stored entry.
    pub value: Vec<f64>,
}

impl CscMatrix {
    /// An empty `nrows x 0` matrix.
    pub fn new(nrows: usize) -> Self {
        CscMatrix {
            nrows,
            ncols: 0,
            start: vec![0],
            index: Vec::new(),
            value: Vec::new(),
        }
    }

    /// Builds the matrix from rows given as `(column, value)` lists; zeros are dropped.
    pub fn from_rows(nrows: usize, ncols: usize, rows: &[Vec<(usize, f64)>]) -> Self {
        let mut count = vec![0usize; ncols + 1];
        for row in rows {
            for &(j, v) in row {
                if v != 0.0 {
                    count[j + 1] += 1;
                }
            }
        }
        for j in 0..ncols {
            count[j + 1] += count[j];
        }
        let nnz = count[ncols];
        let mut index = vec![0; nnz];
        let mut value = vec![0.0; nnz];
        let mut next = count.clone();
        for (i, row) in rows.iter().enumerate() {
            for &(j, v) in row {
                if v != 0.0 {
                    index[next[j]] = i;
                    value[next[j]] = v;
                    next[j] += 1;
                }
            }
        }
        CscMatrix {
            nrows,
            ncols,
            start: count,
            index,
            value,
        }
    }

    /// Appends a column given as `(row, value)` pairs.
    pub fn push_col(&mut self, entries: impl IntoIterator<Item = (usize, f64)>) {
        for (i, v) in entries {
            self.index.push(i);
            self.value.push(v);
        }
        self.start.push(self.index.len());
        self.ncols += 1;
    }

    /// Column `j` as parallel slices of row indices and values.
    pub fn col(&self, j: usize) -> (&[usize], &[f64]) {
        let range = self.start[j]..self.start[j + 1];
        (&self.index[range.clone()], &self.value[range])
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.index.len()
    }

    /// The transpose (so the rows of `self` become columns: a CSR view of `self`).
    pub fn transpose(&self) -> CscMatrix {
        let mut count = vec![0usize; self.nrows + 1];
        for &i in &self.index {
            count[i + 1] += 1;
        }
        for i in 0..self.nrows {
            count[i + 1] += count[i];
        }
        let mut next = count.clone();
        let mut index = vec![0; self.nnz()];
        let mut value = vec![0.0; self.nnz()];
        for j in 0..self.ncols {
            let (rows, vals) = self.col(j);
            for (&i, &v) in rows.iter().zip(vals) {
                index[next[i]] = j;
                value[next[i]] = v;
                next[i] += 1;
            }
        }
        CscMatrix {
            nrows: self.ncols,
            ncols: self.nrows,
            start: count,
            index,
            value,
        }
    }
}

/// A vector held densely, with the list of positions that may be non-zero (a superset of the true
/// non-zeros), so that sparse results can be read and cleared in time proportional to their size.
#[derive(Debug, Clone, Default)]
pub struct ScatteredVec {
    /// Dense values.
    pub values: Vec<f64>,
    /// Positions that may be non-zero, each listed once.
    pub nonzeros: Vec<usize>,
    /// Whether `nonzeros` is exact (false: treat the vector as dense).
    pub indexed: bool,
    marked: Vec<bool>,
}

impl ScatteredVec {
    /// A zero vector of length `n`.
    pub fn new(n: usize) -> Self {
        ScatteredVec {
            values: vec![0.0; n],
            nonzeros: Vec::new(),
            indexed: true,
            marked: vec![false; n],
        }
    }

    /// Length.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when the length is zero.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Resizes to `n` and zeroes.
    pub fn reset(&mut self, n: usize) {
        self.values.clear();
        self.values.resize(n, 0.0);
        self.marked.clear();
        self.marked.resize(n, false);
        self.nonzeros.clear();
        self.indexed = true;
    }

    /// Sets every entry to zero.
    pub fn clear(&mut self) {
        if self.indexed && self.nonzeros.len() * 4 < self.values.len() {
            for &i in &self.nonzeros {
                self.values[i] = 0.0;
                self.marked[i] = false;
            }
        } else {
            self.values.iter_mut().for_each(|v| *v = 0.0);
            self.marked.iter_mut().for_each(|m| *m = false);
        }
        self.nonzeros.clear();
        self.indexed = true;
    }

    /// Adds `v` to entry `i`, recording `i` as a non-zero.
    #[inline]
    pub fn add(&mut self, i: usize, v: f64) {
        if !self.marked[i] {
            self.marked[i] = true;
            self.nonzeros.push(i);
        }
        self.values[i] += v;
    }

    /// Rebuilds the non-zero list from the dense values (after a dense operation), dropping tiny entries.
    pub fn reindex(&mut self, drop_below: f64) {
        self.nonzeros.clear();
        for i in 0..self.values.len() {
            if self.values[i].abs() <= drop_below {
                self.values[i] = 0.0;
                self.marked[i] = false;
            } else {
                self.marked[i] = true;
                self.nonzeros.push(i);
            }
        }
        self.indexed = true;
    }

    /// Marks the vector as dense: the non-zero list is no longer kept.
    pub fn set_dense(&mut self) {
        self.indexed = false;
    }
}
