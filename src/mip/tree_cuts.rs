//! Cuts below the root: separation at tree nodes, global and local cuts, ageing and removal of slack cuts.
//!
//! The search reuses one LP for every node, so the rows in it must be valid wherever the LP is solved next:
//! - **Global cuts** (valid for the whole model) stay in the LP after the node. They are appended, age while
//!   slack, and are removed in batches once older than `max_age`; a removal also rewrites the warm-start
//!   bases of every open node (one status per row present), so that a stored basis always names the rows
//!   the LP holds when it is installed.
//! - **Local cuts** (valid only within the node's bounds) serve the node's own re-solve and leave the LP
//!   before the node's children are created: the node's bound and LP point include them, its children start
//!   from the LP without them. They sit after every row any stored basis knows, so removing them touches no
//!   stored basis.
//!
//! The root cuts the search added are adopted as global cuts at the first node, so they age out too.

use super::cut_pool::{CutLimits, CutPool};
use super::node::Node;
use super::plugins::{NodeView, Separator};
use super::queue::NodeQueue;
use super::result::MipStats;
use crate::log::Log;
use crate::lp::{Basis, DualSimplex, LpStatus, RowSpec, VarStatus};
use std::collections::HashMap;
use std::sync::Arc;

/// Limits of separation below the root.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TreeCutLimits {
    /// Separation rounds (each followed by an LP re-solve) per node.
    pub rounds_per_node: usize,
    /// Cuts added per round at most (global and local together, the most efficacious first).
    pub cuts_per_round: usize,
    /// Cuts less efficacious than this (distance of the LP point to the cut, in the model's units) are
    /// not worth a re-solve.
    pub min_efficacy: f64,
    /// A global cut slack at this many consecutive node solves expires.
    pub max_age: u32,
    /// Expired cuts are removed once this many have gathered (each removal refactorises the LP and rewrites
    /// the open nodes' bases).
    pub removal_batch: usize,
    /// At most this many global cuts in the LP; separation adds none beyond it.
    pub max_global_cuts: usize,
}

impl Default for TreeCutLimits {
    fn default() -> Self {
        TreeCutLimits {
            rounds_per_node: 1,
            cuts_per_round: 50,
            min_efficacy: 1e-4,
            max_age: 10,
            removal_batch: 20,
            max_global_cuts: 2000,
        }
    }
}

/// Counters of tree separation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TreeCutStats {
    /// Nodes at which some cut was added.
    pub nodes_cut: u64,
    /// Global cuts added below the root.
    pub global_added: u64,
    /// Local cuts added (each for one node's re-solve).
    pub local_added: u64,
    /// Global cuts removed as slack (root cuts included).
    pub removed: u64,
    /// LP iterations spent re-solving after cuts were added or local cuts removed.
    pub iterations: u64,
}

/// What the node hands to tree separation: the LP it has just solved and the search's state around it.
pub struct NodeLp<'a> {
    /// The LP, solved to optimality at the node.
    pub lp: &'a mut DualSimplex,
    /// The open nodes (their bases are rewritten when rows are removed).
    pub queue: &'a mut NodeQueue,
    /// The search's counters (`cuts_added`, `lp_iterations`).
    pub stats: &'a mut MipStats,
    /// Nodes whose value to minimise reaches this are pruned (the LP's cutoff).
    pub threshold: f64,
    /// Seconds left to the search, if limited.
    pub time_left: Option<f64>,
}

/// The tree's cuts: the pool of global cuts in the LP and the counters.
#[derive(Debug)]
pub struct TreeCuts {
    limits: TreeCutLimits,
    pool: CutPool,
    /// Rows of the model itself; rows after them are cuts.
    base_rows: Option<usize>,
    stats: TreeCutStats,
}

impl TreeCuts {
    /// No cuts yet.
    pub fn new(limits: TreeCutLimits) -> Self {
        TreeCuts {
            limits,
            pool: CutPool::new(CutLimits {
                max_cuts_per_round: limits.cuts_per_round,
                max_age: limits.max_age,
                ..CutLimits::default()
            }),
            base_rows: None,
            stats: TreeCutStats::default(),
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> TreeCutStats {
        self.stats
    }

    /// Writes the counters as one log line (nothing when no cut was ever handled in the tree).
    pub fn log_summary(&self, log: &Log) {
        let s = self.stats;
        if s.nodes_cut == 0 && s.removed == 0 {
            return;
        }
        log.line(&format!(
            "Tree cuts: {} global and {} local added at {} nodes, {} slack removed, {} in LP, {} LP iterations",
            s.global_added,
            s.local_added,
            s.nodes_cut,
            s.removed,
            self.pool.len(),
            s.iterations
        ));
    }

    /// Separates at a node below the root whose LP (`node.lp`) is solved to optimality with value `value`
    /// (to minimise) and point `x`, re-solves with the cuts, takes local cuts out again, ages the global
    /// cuts and removes the expired ones. Returns the node's value and LP point (`+inf` when the cuts prove
    /// the node infeasible or cut off). The LP is left solved, holding global rows only.
    pub fn at_node(
        &mut self,
        separators: &mut [Box<dyn Separator>],
        view: &NodeView,
        node: NodeLp,
    ) -> (f64, Vec<f64>) {
        let NodeLp {
            lp,
            queue,
            stats,
            threshold,
            time_left,
        } = node;
        let base = *self.base_rows.get_or_insert(view.problem.lp.num_rows());
        if self.pool.is_empty() && lp.num_rows() > base {
            self.adopt(lp, base);
        }
        let sign = view.problem.min_sign();
        let mut value = view.lp_value;
        let mut x = view.x.to_vec();
        let mut local_rows: Vec<usize> = Vec::new();
        let mut cut_here = false;
        for _ in 0..self.limits.rounds_per_node {
            let round_view = NodeView {
                x: &x,
                lp_value: value,
                ..*view
            };
            let (global, local) = self.candidates(separators, &round_view);
            let room = self.limits.max_global_cuts.saturating_sub(self.pool.len());
            let global = self.pool.select(global);
            let global = &global[..global.len().min(room)];
            let local = &local[..local.len().min(self.limits.cuts_per_round - global.len())];
            if global.is_empty() && local.is_empty() {
                break;
            }
            cut_here = true;
            if !global.is_empty() {
                let first = lp.add_rows(global);
                self.pool.commit(first, global);
                self.stats.global_added += global.len() as u64;
            }
            if !local.is_empty() {
                let first = lp.add_rows(local);
                local_rows.extend(first..first + local.len());
                self.stats.local_added += local.len() as u64;
            }
            stats.cuts_added += (global.len() + local.len()) as u64;
            let (status, v) = self.resolve(lp, stats, threshold, time_left, sign);
            match status {
                LpStatus::Optimal => {
                    value = value.max(v);
                    x = lp.col_values();
                }
                // Every cut holds in the node's subtree: the node is done.
                LpStatus::Infeasible | LpStatus::CutoffReached => {
                    value = f64::INFINITY;
                    break;
                }
                // A limit or trouble: the value and point from before stay valid.
                _ => break,
            }
            if value >= threshold {
                break;
            }
        }
        if cut_here {
            self.stats.nodes_cut += 1;
        }
        if !local_rows.is_empty() {
            lp.remove_rows(&local_rows);
            self.pool.forget(&local_rows);
            if value < threshold {
                // The children start from this LP and the branching rule reads its duals. Without a cutoff:
                // the basis lost binding rows and may need the dual phase 1, whose auxiliary objective must
                // not be read as a bound (the LP's cutoff check would, and report a false cutoff).
                self.resolve(lp, stats, f64::INFINITY, time_left, sign);
            }
        }
        if value < threshold {
            self.age_and_remove(lp, queue, stats, threshold, time_left, sign);
        }
        (value, x)
    }

    /// Takes the rows after the model's as global cuts (the root's cuts).
    fn adopt(&mut self, lp: &DualSimplex, base: usize) {
        let p = lp.problem();
        let rows: Vec<RowSpec> = (base..p.num_rows())
            .map(|r| RowSpec {
                lower: p.row_lower[r],
                upper: p.row_upper[r],
                coeffs: p.rows[r].clone(),
            })
            .collect();
        self.pool.commit(base, &rows);
    }

    /// Candidate global and local cuts of every separator scheduled at the node, each list most
    /// efficacious first.
    fn candidates(
        &self,
        separators: &mut [Box<dyn Separator>],
        view: &NodeView,
    ) -> (Vec<(RowSpec, f64)>, Vec<RowSpec>) {
        let mut global = Vec::new();
        let mut local: Vec<(RowSpec, f64)> = Vec::new();
        for sep in separators.iter_mut() {
            if !sep.in_tree(view) {
                continue;
            }
            for cut in sep.separate_tree(view, true) {
                if cut.efficacy < self.limits.min_efficacy && cut.efficacy != 0.0 {
                    continue;
                }
                if cut.local {
                    local.push((cut.row, cut.efficacy));
                } else {
                    global.push((cut.row, cut.efficacy));
                }
            }
        }
        local.sort_by(|a, b| b.1.total_cmp(&a.1));
        // Local cuts are fresh at each node: no pool, only the per-round cap (applied by the caller).
        let local = CutPool::new(CutLimits {
            max_cuts_per_round: self.limits.cuts_per_round,
            ..CutLimits::default()
        })
        .select(local);
        (global, local)
    }

    /// Re-solves the LP with the search's cutoff and time left; returns the status and the value to minimise.
    fn resolve(
        &mut self,
        lp: &mut DualSimplex,
        stats: &mut MipStats,
        threshold: f64,
        time_left: Option<f64>,
        sign: f64,
    ) -> (LpStatus, f64) {
        {
            let opts = lp.options_mut();
            opts.objective_cutoff = threshold.is_finite().then_some(threshold * sign);
            opts.time_limit = time_left;
        }
        let status = lp.solve();
        stats.lp_iterations += lp.last_iterations();
        self.stats.iterations += lp.last_iterations();
        let value = if status == LpStatus::Optimal {
            lp.objective_value() * sign
        } else {
            f64::NEG_INFINITY
        };
        (status, value)
    }

    /// Ages the global cuts at the LP's point and removes the expired ones once a batch has gathered.
    fn age_and_remove(
        &mut self,
        lp: &mut DualSimplex,
        queue: &mut NodeQueue,
        stats: &mut MipStats,
        threshold: f64,
        time_left: Option<f64>,
        sign: f64,
    ) {
        if self.pool.is_empty() {
            return;
        }
        let activities = lp.row_activities();
        let p = lp.problem();
        let expired = self.pool.grow_older(&activities, &p.row_lower, &p.row_upper);
        if expired < self.limits.removal_batch {
            return;
        }
        let rows = self.pool.take_expired();
        remove_rows_everywhere(lp, queue, &rows);
        self.stats.removed += rows.len() as u64;
        // Slack rows leave the optimal basis optimal: this only refactorises.
        self.resolve(lp, stats, threshold, time_left, sign);
    }
}

/// Removes `rows` (increasing) from the LP and the same rows' statuses from every open node's warm-start
/// basis, so that each stored basis keeps one status per row, of the same rows (siblings keep sharing one).
pub fn remove_rows_everywhere(lp: &mut DualSimplex, queue: &mut NodeQueue, rows: &[usize]) {
    if rows.is_empty() {
        return;
    }
    lp.remove_rows(rows);
    let mut nodes: Vec<Node> = Vec::with_capacity(queue.len());
    while let Some(id) = queue.best() {
        match queue.take(id) {
            Some(node) => nodes.push(node),
            None => break,
        }
    }
    let mut rewritten: HashMap<*const Basis, Option<Arc<Basis>>> = HashMap::new();
    for mut node in nodes {
        if let Some(basis) = node.basis.take() {
            let new = rewritten
                .entry(Arc::as_ptr(&basis))
                .or_insert_with(|| without_rows(&basis, rows).map(Arc::new));
            node.basis = new.clone();
        }
        queue.push(node);
    }
}

/// The basis with the statuses of `rows` (increasing) left out; `None` when one of them is non-basic there
/// (the rest would hold one basic too many, and the LP's repair of it may lose dual feasibility: the node then
/// starts from the LP's current basis, which is dual feasible).
fn without_rows(basis: &Basis, rows: &[usize]) -> Option<Basis> {
    let nonbasic_removed = rows
        .iter()
        .any(|&r| basis.row_status.get(r).is_some_and(|&s| s != VarStatus::Basic));
    if nonbasic_removed {
        return None;
    }
    Some(Basis {
        col_status: basis.col_status.clone(),
        row_status: basis
            .row_status
            .iter()
            .enumerate()
            .filter(|(i, _)| rows.binary_search(i).is_err())
            .map(|(_, &s)| s)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_rows_leave_every_stored_basis() {
        let basis = Basis {
            col_status: vec![VarStatus::AtLower],
            row_status: vec![
                VarStatus::Basic,
                VarStatus::AtUpper,
                VarStatus::Basic,
                VarStatus::Basic,
            ],
        };
        let b = without_rows(&basis, &[2, 3, 7]).unwrap();
        assert_eq!(b.row_status, vec![VarStatus::Basic, VarStatus::AtUpper]);
        assert_eq!(b.col_status, basis.col_status);
        // A removed row that is non-basic there: the basis is dropped, not repaired.
        assert!(without_rows(&basis, &[1]).is_none());
    }
}
