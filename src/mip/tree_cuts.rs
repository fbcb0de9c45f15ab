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
//! The root's cuts stay in the LP for good by default (`keep_root_cuts`); otherwise they are adopted as global
//! cuts at the first node and age out too. Whether a node is separated at all is decided adaptively (see
//! [`TreeCutLimits`]), so that separation in the tree pays for itself.

use super::cut_pool::{CutLimits, CutPool};
use super::node::Node;
use super::plugins::{NodeView, Separator};
use super::queue::NodeQueue;
use super::result::MipStats;
use crate::log::Log;
use crate::lp::{Basis, DualSimplex, LpStatus, RowSpec, VarStatus};
use std::collections::HashMap;
use std::sync::Arc;

/// Limits of separation below the root, and the rule that decides whether a node is separated at all.
///
/// Separation must pay for itself: each added row slows every later LP solve, and each re-solve costs
/// iterations. A node is separated only when
/// - the LP iterations spent on cut re-solves so far are at most `iteration_share` of those of the node LPs
///   themselves (plus a small allowance to start with), and
/// - it is the node's turn: separation runs at one node in `interval`, where `interval` starts at 1, doubles
///   (up to `max_interval`) after a separated node whose bound rose by less than `min_gain` of its gap to the
///   pruning threshold, and halves after one where it rose by more (or that the cuts pruned).
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
    /// the open nodes' bases); `usize::MAX` keeps every cut.
    pub removal_batch: usize,
    /// At most this many global cuts in the LP; separation adds none beyond it.
    pub max_global_cuts: usize,
    /// Global cuts added below the root may outnumber the root's cuts still in the LP by at most this many per
    /// row of the model (and never fewer than `cuts_per_round`): every row slows each later node LP.
    pub max_global_per_model_row: f64,
    /// The global cuts added below the root may hold at most this share of the model's non-zeros (never less
    /// than one cut): a row's cost in every later node LP grows with its non-zeros, and ideal cuts of a
    /// first-layer neuron of a 784-input network are dense (up to 785 non-zeros against the model's 51,610 on
    /// mnist-32-16, where 65-77 tree cuts in the LP raised the node LPs from 28 to 108 iterations per node).
    pub max_global_nonzero_share: f64,
    /// Cut re-solve iterations may reach this share of the node LPs' own iterations.
    pub iteration_share: f64,
    /// Smallest bound gain, as a fraction of the node's gap to the pruning threshold (or of
    /// `max(1, |bound|)` without one), for a separated node to count as paying.
    pub min_gain: f64,
    /// The longest interval between separated nodes.
    pub max_interval: u64,
    /// Root cuts stay in the LP for good (only cuts added below the root age out): they were chosen for the
    /// root's LP, whose bound every node starts from.
    pub keep_root_cuts: bool,
}

impl Default for TreeCutLimits {
    fn default() -> Self {
        TreeCutLimits {
            rounds_per_node: 1,
            cuts_per_round: 20,
            min_efficacy: 1e-4,
            max_age: 5,
            removal_batch: 10,
            max_global_cuts: 2000,
            max_global_per_model_row: 0.5,
            max_global_nonzero_share: 0.05,
            iteration_share: 0.5,
            min_gain: 0.02,
            max_interval: 64,
            keep_root_cuts: true,
        }
    }
}

/// Iterations of cut re-solves allowed before the share rule applies (the first nodes' cuts are cheap to try).
const ITERATION_ALLOWANCE: u64 = 2_000;

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
    /// Nodes where separators asked to run but the policy skipped them (not their turn, or over the
    /// iteration share).
    pub nodes_skipped: u64,
    /// Separated nodes whose bound gain paid (see [`TreeCutLimits`]).
    pub nodes_paid: u64,
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
    /// One past the last root cut's row (renumbered as rows leave), once adopted.
    root_end: Option<usize>,
    /// Separate at one node in this many.
    interval: u64,
    /// Nodes since the last separated one.
    since_last: u64,
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
            root_end: None,
            interval: 1,
            since_last: 0,
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
            "Tree cuts: {} global and {} local added at {} nodes ({} paid, {} skipped), {} slack removed, {} in LP, \
             {} LP iterations",
            s.global_added,
            s.local_added,
            s.nodes_cut,
            s.nodes_paid,
            s.nodes_skipped,
            s.removed,
            self.pool.len(),
            s.iterations
        ));
    }

    /// Separates at a node below the root whose LP (`node.lp`) is solved to optimality with value `value`
    /// (to minimise) and point `x`, re-solves with the cuts, takes local cuts out again, ages the global
    /// cuts and removes the expired ones. Returns the node's value and LP point (`+inf` when the cuts prove
    /// the node infeasible or cut off). The LP is left solved, holding global rows only. `force` separates
    /// whatever the throttle and the separators' `in_tree` say: for an integral point the incumbent check
    /// rejected, where only a cut can move the LP (e.g. the tangents of an L2 objective's squares).
    pub fn at_node(
        &mut self,
        separators: &mut [Box<dyn Separator>],
        view: &NodeView,
        node: NodeLp,
        force: bool,
    ) -> (f64, Vec<f64>) {
        let NodeLp {
            lp,
            queue,
            stats,
            threshold,
            time_left,
        } = node;
        let model_rows = view.problem.lp.num_rows();
        let keep_root = self.limits.keep_root_cuts;
        let base = *self
            .base_rows
            .get_or_insert_with(|| if keep_root { lp.num_rows() } else { model_rows });
        if self.pool.is_empty() && lp.num_rows() > base {
            self.adopt(lp, base);
        }
        let sign = view.problem.min_sign();
        let start_value = view.lp_value;
        if !force && !self.may_separate(separators, view, stats) {
            if start_value < threshold {
                self.age_and_remove(lp, queue, stats, time_left, sign);
            }
            return (start_value, view.x.to_vec());
        }
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
            let (global, local) = self.candidates(separators, &round_view, force);
            let allowance = ((self.limits.max_global_per_model_row * model_rows as f64) as usize)
                .max(self.limits.cuts_per_round);
            let cap = (self.root_cuts_left() + allowance).min(self.limits.max_global_cuts);
            let room = cap.saturating_sub(self.pool.len());
            let global = self.pool.select(global);
            // Forced separation is the node's only way on: the non-zero share does not hold it back.
            let fit = if force {
                global.len()
            } else {
                self.fitting_nonzeros(lp, view.problem.lp.num_nonzeros(), &global)
            };
            let global = &global[..global.len().min(room).min(fit)];
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
            self.learn(start_value, value, threshold);
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
            self.age_and_remove(lp, queue, stats, time_left, sign);
        }
        (value, x)
    }

    /// Whether the node is separated: some separator asks for it, it is the node's turn, and the cut
    /// re-solves are within their share of the LP iterations.
    fn may_separate(&mut self, separators: &[Box<dyn Separator>], view: &NodeView, stats: &MipStats) -> bool {
        if !separators.iter().any(|s| s.in_tree(view)) {
            return false;
        }
        self.since_last += 1;
        let node_iterations = stats.lp_iterations.saturating_sub(self.stats.iterations);
        let budget = ITERATION_ALLOWANCE as f64 + self.limits.iteration_share * node_iterations as f64;
        if self.since_last < self.interval || self.stats.iterations as f64 > budget {
            self.stats.nodes_skipped += 1;
            return false;
        }
        self.since_last = 0;
        true
    }

    /// Adapts the interval between separated nodes to the bound gain of the last one (values to minimise).
    fn learn(&mut self, before: f64, after: f64, threshold: f64) {
        let scale = if threshold.is_finite() {
            (threshold - before).max(1e-9)
        } else {
            before.abs().max(1.0)
        };
        let paid = after >= threshold || after - before >= self.limits.min_gain * scale;
        if paid {
            self.stats.nodes_paid += 1;
            self.interval = (self.interval / 2).max(1);
        } else {
            self.interval = (self.interval * 2).min(self.limits.max_interval.max(1));
        }
    }

    /// How many of `candidates` (in order) fit in the non-zero budget of the cuts added below the root (see
    /// `max_global_nonzero_share`); at least one while no tree cut is in the LP.
    fn fitting_nonzeros(&self, lp: &DualSimplex, model_nonzeros: usize, candidates: &[RowSpec]) -> usize {
        let end = self.root_end.unwrap_or(0).max(self.base_rows.unwrap_or(0));
        let p = lp.problem();
        let used: usize = p.rows[end.min(p.num_rows())..].iter().map(Vec::len).sum();
        let budget = self.limits.max_global_nonzero_share * model_nonzeros as f64;
        let mut total = used;
        let mut fit = 0;
        for c in candidates {
            total += c.coeffs.len();
            if total as f64 > budget && (fit > 0 || used > 0) {
                break;
            }
            fit += 1;
        }
        fit
    }

    /// Root cuts still in the LP (they sit before every tree cut, and the pool keeps row order).
    fn root_cuts_left(&self) -> usize {
        let end = self.root_end.unwrap_or(0);
        self.pool.rows().filter(|&r| r < end).count()
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
        self.root_end = Some(p.num_rows());
    }

    /// Candidate global and local cuts of every separator scheduled at the node, each list most
    /// efficacious first.
    fn candidates(
        &self,
        separators: &mut [Box<dyn Separator>],
        view: &NodeView,
        force: bool,
    ) -> (Vec<(RowSpec, f64)>, Vec<RowSpec>) {
        let mut global = Vec::new();
        let mut local: Vec<(RowSpec, f64)> = Vec::new();
        for sep in separators.iter_mut() {
            if !force && !sep.in_tree(view) {
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
        if let Some(end) = self.root_end.as_mut() {
            *end -= rows.partition_point(|&r| r < *end);
        }
        remove_rows_everywhere(lp, queue, &rows);
        self.stats.removed += rows.len() as u64;
        // Slack rows leave the optimal basis optimal: this only refactorises. No cutoff all the same, in case
        // a basis repair needs the dual phase 1 (see `at_node`).
        self.resolve(lp, stats, f64::INFINITY, time_left, sign);
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
