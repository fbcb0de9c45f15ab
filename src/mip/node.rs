//! A node of the tree as plain data: its bound changes relative to the root, a warm-start basis, its bound.

use crate::lp::Basis;
use std::sync::Arc;

/// A change of one column's bounds: the column's domain becomes `[lower, upper]` (intersected with the
/// bounds it had before).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundChange {
    /// The column.
    pub col: usize,
    /// New lower bound.
    pub lower: f64,
    /// New upper bound.
    pub upper: f64,
}

impl BoundChange {
    /// Fixes a column to a value.
    pub fn fix(col: usize, value: f64) -> Self {
        BoundChange {
            col,
            lower: value,
            upper: value,
        }
    }
    /// Raises a column's lower bound.
    pub fn lower(col: usize, lower: f64) -> Self {
        BoundChange {
            col,
            lower,
            upper: f64::INFINITY,
        }
    }
    /// Lowers a column's upper bound.
    pub fn upper(col: usize, upper: f64) -> Self {
        BoundChange {
            col,
            lower: f64::NEG_INFINITY,
            upper,
        }
    }
}

/// An open node: the bound changes that define it (relative to the root, so that any node can be
/// installed in the LP without walking its ancestors), its parent's final basis and a valid bound.
#[derive(Debug, Clone)]
pub struct Node {
    /// Sequence number (creation order): breaks ties deterministically.
    pub id: u64,
    /// The parent's id (the root is its own parent).
    pub parent: u64,
    /// Depth in the tree (root = 0).
    pub depth: u32,
    /// The bound changes from the root, in the order they were made.
    pub changes: Vec<BoundChange>,
    /// The warm-start basis (the parent's final basis), shared by siblings.
    pub basis: Option<Arc<Basis>>,
    /// A valid bound on the node's optimum, as a value to minimise (`-inf` when unknown).
    pub bound: f64,
    /// The parent's LP value to minimise (for pseudo-costs; `-inf` at the root).
    pub parent_objective: f64,
    /// Which branching created the node: `(column, went up)` for pseudo-costs.
    pub branched: Option<(usize, bool)>,
}

impl Node {
    /// The root node.
    pub fn root() -> Self {
        Node {
            id: 0,
            parent: 0,
            depth: 0,
            changes: Vec::new(),
            basis: None,
            bound: f64::NEG_INFINITY,
            parent_objective: f64::NEG_INFINITY,
            branched: None,
        }
    }

    /// Bytes this node holds (the basis counted once per node, a pessimistic estimate).
    pub fn memory_bytes(&self) -> usize {
        let basis = self
            .basis
            .as_ref()
            .map(|b| (b.col_status.len() + b.row_status.len()) / 2)
            .unwrap_or(0);
        std::mem::size_of::<Node>() + self.changes.len() * std::mem::size_of::<BoundChange>() + basis
    }

    /// Applies the node's changes to root bounds, giving the node's column bounds.
    pub fn local_bounds(&self, root_lower: &[f64], root_upper: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let mut lo = root_lower.to_vec();
        let mut hi = root_upper.to_vec();
        for c in &self.changes {
            lo[c.col] = lo[c.col].max(c.lower);
            hi[c.col] = hi[c.col].min(c.upper);
        }
        (lo, hi)
    }
}
