//! The tree search: a loop of small named steps — select, install, propagate, solve the LP, separate,
//! run heuristics, branch — over one warm-started dual simplex.

use super::branching::MostFractional;
use super::cut_pool::{CutLimits, CutPool};
use super::incumbent::{CandidateCheck, Incumbent};
use super::local_rows::LocalRows;
use super::node::{BoundChange, Node};
use super::plugins::{BranchRule, Heuristic, NodeView, Propagation, Propagator, Separator};
use super::problem::{MipProblem, INTEGRALITY_TOL};
use super::queue::{BestBoundDiving, NodeQueue, NodeSelector};
use super::result::{relative_gap, MipResult, MipStats, MipStatus};
use super::tree_cuts::{NodeLp, TreeCutLimits, TreeCuts};
use crate::error::Result;
use crate::log::{fmt_value, Log, ProgressRow};
use crate::lp::{Basis, DualSimplex, LpOptions, LpStatus, VarStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Separation rounds, without the tree-cut throttle, at a node whose integral LP point the incumbent check
/// rejected (its objective is an outer approximation there) before the node is given up as unresolved.
const FORCED_SEPARATION_ROUNDS: usize = 20;

mod parallel;

/// Limits and tolerances of a search.
#[derive(Debug, Clone)]
pub struct MipOptions {
    /// Wall-clock limit in seconds.
    pub time_limit: Option<f64>,
    /// Maximum nodes processed.
    pub node_limit: Option<u64>,
    /// Stop when `|incumbent - bound| / max(|incumbent|, 1e-10)` is at most this (default 1e-4).
    pub gap_rel: f64,
    /// Stop when `|incumbent - bound|` is at most this (default 1e-6).
    pub gap_abs: f64,
    /// Raised (e.g. by Ctrl-C) to stop with the best incumbent and a valid bound.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// When the open nodes hold more than 80% of this many bytes the search turns depth-first.
    pub memory_cap_bytes: usize,
    /// Stop as soon as an incumbent is at least this good (problem's sense): feasibility tasks.
    pub objective_target: Option<f64>,
    /// Only solutions at least this good (problem's sense) are wanted: nodes proven worse are pruned.
    pub objective_cutoff: Option<f64>,
    /// Rounds of root cut separation at most.
    pub root_cut_rounds: usize,
    /// Limits of cut separation below the root (where separators ask for it, see `Separator::in_tree`).
    pub tree_cuts: TreeCutLimits,
    /// Seconds between progress lines.
    pub log_interval_s: f64,
    /// Options of the LP solver (its time limit and interrupt are set by the search).
    pub lp: LpOptions,
    /// Workers of the tree search. 1 (the default) is the sequential, deterministic search; more run
    /// that many workers over one shared queue after the root (only for a search given a plug-in factory,
    /// see [`Search::with_factory`]; without one the search stays sequential).
    pub threads: usize,
}

impl Default for MipOptions {
    fn default() -> Self {
        MipOptions {
            time_limit: None,
            node_limit: None,
            gap_rel: 1e-4,
            gap_abs: 1e-6,
            interrupt: None,
            memory_cap_bytes: 2 << 30,
            objective_target: None,
            objective_cutoff: None,
            root_cut_rounds: 10,
            tree_cuts: TreeCutLimits::default(),
            log_interval_s: 5.0,
            lp: LpOptions::default(),
            threads: 1,
        }
    }
}

/// The plug-ins of a search (all optional; the defaults make it a plain MILP branch-and-bound).
#[derive(Default)]
pub struct Plugins {
    /// The branching rule (default: most fractional).
    pub branch_rule: Option<Box<dyn BranchRule>>,
    /// Node propagators, run in order.
    pub propagators: Vec<Box<dyn Propagator>>,
    /// Cut separators.
    pub separators: Vec<Box<dyn Separator>>,
    /// Primal heuristics.
    pub heuristics: Vec<Box<dyn Heuristic>>,
    /// Node selection (default: best bound with diving).
    pub node_selector: Option<Box<dyn NodeSelector>>,
    /// The caller's re-check of every candidate (e.g. a forward pass of the network).
    pub check: Option<CandidateCheck>,
    /// Candidate points known before the search (e.g. from an attack), with their source name.
    pub start_points: Vec<(Vec<f64>, String)>,
}

/// Builds a fresh set of plug-ins for one more worker of a parallel search (called once per worker after
/// the first, which uses the search's own). The `check` and `start_points` it returns are not used: every
/// worker shares the first's.
pub type PluginFactory = Arc<dyn Fn() -> Plugins + Send + Sync>;

/// A branch-and-bound search over one model.
pub struct Search {
    problem: MipProblem,
    options: MipOptions,
    plugins: Plugins,
    log: Log,
    factory: Option<PluginFactory>,
}

/// What processing one node ended in.
enum NodeOutcome {
    /// Pruned, solved or branched: nothing left to do.
    Done,
    /// A limit interrupted the LP: the node goes back to the queue.
    Requeue(Node),
    /// The LP could not be trusted: the node's bound must stay in the global bound.
    Unresolved(f64),
    /// The root LP is unbounded.
    Unbounded,
}

struct State {
    lp: DualSimplex,
    cur_lower: Vec<f64>,
    cur_upper: Vec<f64>,
    queue: NodeQueue,
    incumbent: Incumbent,
    stats: MipStats,
    next_id: u64,
    last_solved: Option<u64>,
    last_children: Vec<u64>,
    unresolved_bound: f64,
    /// The smallest bound (to minimise) of the nodes dropped below the incumbent's value because they could
    /// not improve it by more than the gap tolerances: still part of the reported bound.
    gap_pruned: f64,
    start: Instant,
    last_log: f64,
    target_reached: bool,
    tree_cuts: TreeCuts,
    /// Node ids advance by this (1; the number of workers in a parallel search, so that ids stay unique).
    id_step: u64,
    /// In a parallel search: the rows every worker's LP shares (the root LP with its cuts). A worker
    /// installs only these rows of a basis another worker stored (the rest name that worker's tree cuts),
    /// and logs nothing itself.
    shared_rows: Option<usize>,
    /// In a parallel search: the first node id of the workers (ids from it on with this worker's residue
    /// modulo `id_step` are its own).
    first_worker_id: u64,
    /// The model rows the LP holds in the current node's version (from the propagators' `local_rows`).
    local_rows: LocalRows,
}

impl Search {
    /// A search over `problem` with the given limits, plug-ins and log.
    pub fn new(problem: MipProblem, options: MipOptions, plugins: Plugins, log: Log) -> Self {
        Search {
            problem,
            options,
            plugins,
            log,
            factory: None,
        }
    }

    /// Gives the search a plug-in factory, so that `MipOptions::threads` > 1 runs in parallel.
    pub fn with_factory(mut self, factory: PluginFactory) -> Self {
        self.factory = Some(factory);
        self
    }

    fn sign(&self) -> f64 {
        self.problem.min_sign()
    }

    /// Runs the search. Fails only when the model itself is invalid (sizes, non-finite data).
    pub fn solve(mut self) -> Result<MipResult> {
        let start = Instant::now();
        let mut lp_options = self.options.lp.clone();
        lp_options.interrupt = self.options.interrupt.clone();
        let lp = DualSimplex::new(&self.problem.lp, lp_options)?;
        let check = self.plugins.check.clone();
        let mut st = State {
            lp,
            cur_lower: self.problem.lp.col_lower.clone(),
            cur_upper: self.problem.lp.col_upper.clone(),
            queue: NodeQueue::new(),
            incumbent: Incumbent::new(self.problem.clone(), check),
            stats: MipStats::default(),
            next_id: 1,
            last_solved: None,
            last_children: Vec::new(),
            unresolved_bound: f64::INFINITY,
            gap_pruned: f64::INFINITY,
            start,
            last_log: 0.0,
            target_reached: false,
            tree_cuts: TreeCuts::new(self.options.tree_cuts),
            id_step: 1,
            shared_rows: None,
            first_worker_id: 0,
            local_rows: LocalRows::default(),
        };
        self.log_header();
        for (x, source) in std::mem::take(&mut self.plugins.start_points) {
            self.offer(&mut st, &x, &source, 'S');
        }
        let mut selector = self
            .plugins
            .node_selector
            .take()
            .unwrap_or_else(|| Box::new(BestBoundDiving::default()));
        st.queue.push(Node::root());
        let status = loop {
            if st.target_reached {
                break MipStatus::TargetReached;
            }
            if let Some(s) = self.limit_reached(&st) {
                break s;
            }
            let bound = self.global_bound(&st);
            let inc = st.incumbent.value_min();
            if st.queue.is_empty() {
                break self.exhausted_status(&st);
            }
            if inc.is_finite() && self.gap_closed(inc, bound) {
                break MipStatus::Optimal;
            }
            let threshold = self.prune_threshold(&st);
            let best = st.queue.best_bound();
            if st.queue.prune(threshold) > 0 {
                // Every pruned node's bound is at least both.
                note_pruned(&mut st, best.max(threshold));
            }
            if st.queue.is_empty() {
                continue;
            }
            if self.options.threads > 1 && st.stats.nodes > 0 {
                if let Some(factory) = self.factory.clone() {
                    // The root is done (its cuts are in the LP every worker copies): the workers take over.
                    break self.solve_parallel(&mut st, &mut selector, factory)?;
                }
            }
            let Some(id) = selector.select(&st.queue, &st.last_children, inc, self.options.memory_cap_bytes)
            else {
                continue;
            };
            let Some(node) = st.queue.take(id) else { continue };
            st.last_children.clear();
            match self.process(&mut st, node) {
                NodeOutcome::Done => {}
                NodeOutcome::Requeue(node) => st.queue.push(node),
                NodeOutcome::Unresolved(b) => st.unresolved_bound = st.unresolved_bound.min(b),
                NodeOutcome::Unbounded => break MipStatus::Unbounded,
            }
            self.maybe_log_progress(&mut st, None);
        };
        Ok(self.finish(st, status))
    }

    fn exhausted_status(&self, st: &State) -> MipStatus {
        if st.unresolved_bound.is_finite() && st.unresolved_bound < st.incumbent.value_min() {
            MipStatus::NumericalTrouble
        } else if st.incumbent.objective().is_some() {
            MipStatus::Optimal
        } else {
            MipStatus::Infeasible
        }
    }

    fn limit_reached(&self, st: &State) -> Option<MipStatus> {
        self.limit_reached_at(st.start, st.stats.nodes)
    }

    /// The interrupt, time and node limits, for a search started at `start` that has begun `nodes` nodes.
    fn limit_reached_at(&self, start: Instant, nodes: u64) -> Option<MipStatus> {
        if let Some(flag) = &self.options.interrupt {
            if flag.load(Ordering::Relaxed) {
                return Some(MipStatus::Interrupted);
            }
        }
        if let Some(t) = self.options.time_limit {
            if start.elapsed().as_secs_f64() >= t {
                return Some(MipStatus::TimeLimit);
            }
        }
        if let Some(n) = self.options.node_limit {
            if nodes >= n {
                return Some(MipStatus::NodeLimit);
            }
        }
        None
    }

    /// The best bound to minimise over everything not yet resolved.
    fn global_bound(&self, st: &State) -> f64 {
        st.queue
            .best_bound()
            .min(st.unresolved_bound)
            .min(st.gap_pruned)
            .min(st.incumbent.value_min())
    }

    fn gap_closed(&self, inc: f64, bound: f64) -> bool {
        let diff = inc - bound;
        diff <= self.options.gap_abs || relative_gap(inc, bound) <= self.options.gap_rel
    }

    /// Nodes whose bound (to minimise) is at least this are pruned.
    fn prune_threshold(&self, st: &State) -> f64 {
        let inc = st.incumbent.value_min();
        let mut t = if inc.is_finite() {
            inc - self.options.gap_abs.max(self.options.gap_rel * inc.abs())
        } else {
            f64::INFINITY
        };
        if let Some(c) = self.options.objective_cutoff {
            let c = c * self.sign();
            // Strictly worse than the cutoff: a point exactly at the cutoff is still wanted.
            t = t.min(c + 1e-9 * c.abs().max(1.0));
        }
        t
    }

    fn elapsed(&self, st: &State) -> f64 {
        st.start.elapsed().as_secs_f64()
    }

    /// Offers a candidate to the checkpoint; logs and prunes on success.
    fn offer(&self, st: &mut State, x: &[f64], source: &str, letter: char) -> bool {
        let t = self.elapsed(st);
        if !st.incumbent.offer_marked(x, source, letter, t) {
            return false;
        }
        if let (Some(target), Some(obj)) = (self.options.objective_target, st.incumbent.objective()) {
            if obj * self.sign() <= target * self.sign() {
                st.target_reached = true;
            }
        }
        self.maybe_log_progress(st, Some(letter));
        true
    }

    /// Installs the node's bounds into the LP (only the columns that differ).
    fn install_bounds(st: &mut State, lower: &[f64], upper: &[f64]) {
        for j in 0..lower.len() {
            if lower[j] != st.cur_lower[j] || upper[j] != st.cur_upper[j] {
                st.lp.set_col_bounds(j, lower[j], upper[j]);
                st.cur_lower[j] = lower[j];
                st.cur_upper[j] = upper[j];
            }
        }
    }

    /// The part of a stored basis this worker can use: all of it sequentially or when this worker created
    /// the node; in a parallel search the shared rows only of another worker's basis (its further rows name
    /// that worker's tree cuts; `install_basis` pads, and the LP repairs any basis, so this is only about
    /// warm-start quality, never correctness).
    fn shared_part(st: &State, node_id: u64, basis: Arc<Basis>) -> Arc<Basis> {
        let Some(rows) = st.shared_rows else {
            return basis;
        };
        let own = node_id >= st.first_worker_id && node_id % st.id_step == st.next_id % st.id_step;
        if own || basis.row_status.len() <= rows {
            return basis;
        }
        let mut trimmed = (*basis).clone();
        trimmed.row_status.truncate(rows);
        Arc::new(trimmed)
    }

    fn install_basis(st: &mut State, basis: &Basis) {
        let rows = st.lp.num_rows();
        if basis.row_status.len() == rows && basis.col_status.len() == st.lp.num_cols() {
            let _ = st.lp.set_basis(basis);
        } else if basis.row_status.len() < rows && basis.col_status.len() == st.lp.num_cols() {
            // Cuts added since: their logicals are basic.
            let mut b = basis.clone();
            b.row_status.resize(rows, VarStatus::Basic);
            let _ = st.lp.set_basis(&b);
        }
    }

    fn view<'a>(
        problem: &'a MipProblem,
        st: &State,
        lower: &'a [f64],
        upper: &'a [f64],
        x: &'a [f64],
        value: f64,
        depth: u32,
    ) -> NodeView<'a> {
        NodeView {
            problem,
            col_lower: lower,
            col_upper: upper,
            x,
            lp_value: value,
            depth,
            explored: st.stats.nodes,
            incumbent: st.incumbent.value_min(),
        }
    }

    /// Processes one node: propagate, solve, separate, heuristics, branch.
    fn process(&mut self, st: &mut State, mut node: Node) -> NodeOutcome {
        st.stats.nodes += 1;
        st.stats.max_depth = st.stats.max_depth.max(node.depth);
        let (mut lower, mut upper) =
            node.local_bounds(&self.problem.lp.col_lower, &self.problem.lp.col_upper);
        if !tidy_bounds(&mut lower, &mut upper) {
            return NodeOutcome::Done;
        }
        let mut bound = node.bound;
        // Propagation: cheap pruning before any LP.
        let mut new_changes: Vec<BoundChange> = Vec::new();
        for k in 0..self.plugins.propagators.len() {
            let before = new_changes.len();
            let outcome = {
                let view = Self::view(
                    &self.problem,
                    st,
                    &lower,
                    &upper,
                    &[],
                    f64::NEG_INFINITY,
                    node.depth,
                );
                self.plugins.propagators[k].propagate(&view, &mut new_changes)
            };
            for c in &new_changes[before..] {
                lower[c.col] = lower[c.col].max(c.lower);
                upper[c.col] = upper[c.col].min(c.upper);
            }
            match outcome {
                Propagation::Infeasible => {
                    st.stats.pruned_by_propagation += 1;
                    return NodeOutcome::Done;
                }
                Propagation::Feasible { bound: b } => bound = bound.max(b),
            }
            if !tidy_bounds(&mut lower, &mut upper) {
                st.stats.pruned_by_propagation += 1;
                return NodeOutcome::Done;
            }
        }
        node.changes.extend(new_changes);
        let mut local_rows = Vec::new();
        for k in 0..self.plugins.propagators.len() {
            let view = Self::view(
                &self.problem,
                st,
                &lower,
                &upper,
                &[],
                f64::NEG_INFINITY,
                node.depth,
            );
            local_rows.extend(self.plugins.propagators[k].local_rows(&view));
        }
        if node.depth == 0 {
            st.stats.root_bound = Some(bound * self.sign());
        }
        if bound >= self.prune_threshold(st) {
            st.stats.pruned_by_propagation += 1;
            note_pruned(st, bound);
            return NodeOutcome::Done;
        }
        // The LP, with the node's own rows (the model's where it has none).
        st.stats.local_rows += local_rows.len() as u64;
        st.local_rows.install(&mut st.lp, &self.problem.lp, local_rows);
        Self::install_bounds(st, &lower, &upper);
        if st.last_solved != Some(node.parent) || node.depth == 0 {
            if let Some(b) = node.basis.clone() {
                Self::install_basis(st, &Self::shared_part(st, node.id, b));
            }
        }
        let (mut status, mut value) = self.solve_lp(st);
        if matches!(status, LpStatus::IterationLimit | LpStatus::NumericalTrouble)
            || (status == LpStatus::Unbounded && node.depth > 0)
        {
            // A warm start gone wrong: retry once from a fresh factorisation of the node's LP.
            if let Ok(fresh) = DualSimplex::new(st.lp.problem(), st.lp.options().clone()) {
                st.lp = fresh;
                (status, value) = self.solve_lp(st);
            }
        }
        if std::env::var_os("RELUMIP_DEBUG").is_some() && status != LpStatus::Optimal {
            eprintln!("node {} depth {}: LP {status:?}", node.id, node.depth);
        }
        st.last_solved = Some(node.id);
        match status {
            LpStatus::Optimal => {}
            LpStatus::Infeasible => return NodeOutcome::Done,
            LpStatus::CutoffReached => {
                // The LP's value is at least the threshold it was given (later thresholds are lower).
                let threshold = self.prune_threshold(st);
                note_pruned(st, bound.max(threshold));
                return NodeOutcome::Done;
            }
            LpStatus::Unbounded => {
                return if node.depth == 0 {
                    NodeOutcome::Unbounded
                } else {
                    NodeOutcome::Unresolved(bound)
                }
            }
            LpStatus::TimeLimit | LpStatus::Interrupted => {
                st.stats.nodes -= 1;
                node.bound = bound;
                return NodeOutcome::Requeue(node);
            }
            LpStatus::IterationLimit | LpStatus::NumericalTrouble => {
                return NodeOutcome::Unresolved(
                    st.lp
                        .dual_bound()
                        .map(|b| b * self.sign())
                        .unwrap_or(bound)
                        .max(bound),
                );
            }
        }
        let mut value = value.max(bound);
        if let Some(br) = node.branched {
            if let Some(rule) = self.plugins.branch_rule.as_mut() {
                rule.observe(br, value - node.parent_objective);
            }
        }
        let mut x = st.lp.col_values();
        if node.depth == 0 {
            let (v, xx) = self.root_cuts(st, &lower, &upper, value, x);
            value = v;
            x = xx;
            st.stats.root_bound = Some(value * self.sign());
            self.log.line(&format!(
                "Root relaxation: bound {} ({} LP iterations, {})",
                fmt_value(value * self.sign()),
                st.lp.total_iterations(),
                self.log.time(self.elapsed(st))
            ));
        } else if !self.plugins.separators.is_empty() && st.shared_rows.is_none() {
            // Not in a parallel search: per-worker tree cuts (rows added and removed in each worker's LP)
            // left the stored bases misaligned, mnist-32-16 maximize fell from 4,240 to 169 nodes in 20 s.
            (value, x) = self.tree_cuts(st, &lower, &upper, value, x, node.depth, false);
        }
        let mut forced_rounds = 0;
        // Looped only when an integral point is rejected by the incumbent check (see the end).
        loop {
            let threshold = self.prune_threshold(st);
            if value >= threshold {
                // `+inf` from the cuts means infeasible or cut off: the threshold bounds both.
                note_pruned(st, if value.is_finite() { value } else { threshold });
                return NodeOutcome::Done;
            }
            // Integral LP solution: a candidate, and the node is solved.
            let integral = self
                .problem
                .integer
                .iter()
                .enumerate()
                .all(|(j, &int)| !int || (x[j] - x[j].round()).abs() <= INTEGRALITY_TOL);
            if integral {
                let letter = if node.depth == 0 { 'L' } else { 'B' };
                self.offer(st, &x, "branching", letter);
                // Solved when nothing better is left in it. With an exact objective the accepted point's
                // value is the LP's; with an outer approximation (the tangents of L2's squares) it can be
                // well above, and the node goes on (to forced separation below) rather than being closed
                // at a bound that the status "optimal" would then misreport.
                if value >= self.prune_threshold(st)
                    || st.incumbent.value_min() <= value + self.options.gap_abs
                {
                    note_pruned(st, value);
                    return NodeOutcome::Done;
                }
            }
            // Heuristics.
            for k in 0..self.plugins.heuristics.len() {
                let run = {
                    let view = Self::view(&self.problem, st, &lower, &upper, &x, value, node.depth);
                    self.plugins.heuristics[k].should_run(&view)
                };
                if !run {
                    continue;
                }
                let candidates = {
                    let view = Self::view(&self.problem, st, &lower, &upper, &x, value, node.depth);
                    self.plugins.heuristics[k].run(&view)
                };
                let name = self.plugins.heuristics[k].name().to_string();
                let letter = self.plugins.heuristics[k].letter();
                for c in candidates {
                    self.offer(st, &c, &name, letter);
                    if st.target_reached {
                        note_pruned(st, value);
                        return NodeOutcome::Done;
                    }
                }
            }
            if value >= self.prune_threshold(st) || st.target_reached {
                note_pruned(st, value);
                return NodeOutcome::Done;
            }
            // Branch.
            let children = {
                let view = Self::view(&self.problem, st, &lower, &upper, &x, value, node.depth);
                let mut children = None;
                if let Some(rule) = self.plugins.branch_rule.as_mut() {
                    children = rule.branch(&view, &mut st.lp);
                }
                if children.is_none() {
                    children = MostFractional.branch(&view, &mut st.lp);
                }
                children
            };
            let Some(children) = children.filter(|c| !c.is_empty()) else {
                // Integral but rejected by the checkpoint, and nothing left to branch on: the LP's objective
                // is below the true one here (an outer approximation, e.g. tangents of squares). Cuts are the
                // only way on: separate without the tree-cut throttle, a few times, then give up on the node
                // (its bound stays in the reported bound).
                let can_cut =
                    !self.plugins.separators.is_empty() && st.shared_rows.is_none() && node.depth > 0;
                if can_cut && forced_rounds < FORCED_SEPARATION_ROUNDS {
                    forced_rounds += 1;
                    (value, x) = self.tree_cuts(st, &lower, &upper, value, x, node.depth, true);
                    continue;
                }
                return NodeOutcome::Unresolved(value);
            };
            let basis = Arc::new(st.lp.basis());
            for child in children {
                let branched = child.changes.first().map(|c| (c.col, c.lower > lower[c.col]));
                let mut changes = node.changes.clone();
                changes.extend(child.changes);
                let id = st.next_id;
                st.next_id += st.id_step;
                st.queue.push(Node {
                    id,
                    parent: node.id,
                    depth: node.depth + 1,
                    changes,
                    basis: Some(basis.clone()),
                    bound: value.max(child.bound),
                    parent_objective: value,
                    branched,
                });
                st.last_children.push(id);
            }
            return NodeOutcome::Done;
        }
    }

    /// Solves the LP with the cutoff and the remaining time; returns the status and the value to minimise.
    fn solve_lp(&self, st: &mut State) -> (LpStatus, f64) {
        let threshold = self.prune_threshold(st);
        let remaining = self.options.time_limit.map(|t| (t - self.elapsed(st)).max(0.0));
        {
            let opts = st.lp.options_mut();
            opts.objective_cutoff = threshold.is_finite().then(|| threshold * self.problem.min_sign());
            opts.time_limit = remaining;
        }
        let status = st.lp.solve();
        st.stats.lp_iterations += st.lp.last_iterations();
        let value = if status == LpStatus::Optimal {
            st.lp.objective_value() * self.sign()
        } else {
            f64::NEG_INFINITY
        };
        (status, value)
    }

    /// Rounds of cut separation at the root, until no cut is found or the bound stalls.
    fn root_cuts(
        &mut self,
        st: &mut State,
        lower: &[f64],
        upper: &[f64],
        mut value: f64,
        mut x: Vec<f64>,
    ) -> (f64, Vec<f64>) {
        if self.plugins.separators.is_empty() {
            return (value, x);
        }
        // The pool drops duplicates, caps each round and removes cuts that stay slack (safe here: no node
        // has stored a basis yet).
        let mut pool = CutPool::new(CutLimits {
            max_rounds_root: self.options.root_cut_rounds,
            ..CutLimits::default()
        });
        let mut stalled = 0;
        for round in 0..pool.limits().max_rounds_root {
            let mut cuts = Vec::new();
            for k in 0..self.plugins.separators.len() {
                let view = Self::view(&self.problem, st, lower, upper, &x, value, 0);
                cuts.extend(self.plugins.separators[k].separate(&view));
            }
            // Separators return their cuts most efficacious first; the pool keeps that order.
            let added = pool.add_to_lp(&mut st.lp, cuts.into_iter().map(|r| (r, 0.0)).collect());
            if added == 0 {
                break;
            }
            st.stats.cuts_added += added as u64;
            let (status, v) = self.solve_lp(st);
            if status != LpStatus::Optimal {
                // The cuts are valid: an infeasible or cut-off LP proves the node done; the caller
                // sees a value above the threshold.
                return (
                    if matches!(status, LpStatus::Infeasible | LpStatus::CutoffReached) {
                        f64::INFINITY
                    } else {
                        value
                    },
                    x,
                );
            }
            let progress = pool.limits().is_progress(value, v, 1.0);
            value = value.max(v);
            x = st.lp.col_values();
            let removed = pool.age_and_remove(&mut st.lp);
            self.log.line(&format!(
                "Cut round {}: {} cuts added, {} slack removed, {} in LP, bound {}, {}",
                round + 1,
                added,
                removed,
                pool.len(),
                fmt_value(value * self.sign()),
                self.log.time(self.elapsed(st))
            ));
            stalled = if progress { 0 } else { stalled + 1 };
            // Cuts may take at most a quarter of the time limit: the tree needs the rest.
            let over_time = self
                .options
                .time_limit
                .is_some_and(|t| self.elapsed(st) > 0.25 * t);
            if stalled >= pool.limits().stall_rounds || over_time {
                break;
            }
        }
        (value, x)
    }

    /// Separation at a node below the root (see `tree_cuts`): returns the node's value and LP point.
    fn tree_cuts(
        &mut self,
        st: &mut State,
        lower: &[f64],
        upper: &[f64],
        value: f64,
        x: Vec<f64>,
        depth: u32,
        force: bool,
    ) -> (f64, Vec<f64>) {
        let node = NodeLp {
            threshold: self.prune_threshold(st),
            time_left: self.options.time_limit.map(|t| (t - self.elapsed(st)).max(0.0)),
            lp: &mut st.lp,
            queue: &mut st.queue,
            stats: &mut st.stats,
        };
        let view = NodeView {
            problem: &self.problem,
            col_lower: lower,
            col_upper: upper,
            x: &x,
            lp_value: value,
            depth,
            explored: node.stats.nodes,
            incumbent: st.incumbent.value_min(),
        };
        st.tree_cuts
            .at_node(&mut self.plugins.separators, &view, node, force)
    }

    fn log_header(&self) {
        let lp = &self.problem.lp;
        self.log.line(&format!(
            "MILP: {} rows, {} columns ({} integer), {} non-zeros",
            lp.num_rows(),
            lp.num_cols(),
            self.problem.num_integers(),
            lp.num_nonzeros()
        ));
        let names: Vec<&str> = self.plugins.heuristics.iter().map(|h| h.name()).collect();
        self.log.line(&format!(
            "Branching: {}; propagators: {}; heuristics: {}",
            self.plugins
                .branch_rule
                .as_ref()
                .map(|b| b.name())
                .unwrap_or("most fractional"),
            self.plugins.propagators.len(),
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        ));
    }

    fn maybe_log_progress(&self, st: &mut State, source: Option<char>) {
        if st.shared_rows.is_some() {
            // A worker of a parallel search: the monitor thread logs.
            return;
        }
        let t = self.elapsed(st);
        if source.is_none() && t - st.last_log < self.options.log_interval_s {
            return;
        }
        st.last_log = t;
        let bound_min = self.global_bound(st);
        let inc = st.incumbent.objective();
        let bound = bound_min * self.sign();
        self.log.progress(&ProgressRow {
            source,
            explored: st.stats.nodes,
            open: st.queue.len(),
            incumbent: inc,
            bound,
            gap: inc.filter(|_| bound.is_finite()).map(|o| relative_gap(o, bound)),
            iterations_per_node: st.stats.lp_iterations as f64 / st.stats.nodes.max(1) as f64,
            time_s: t,
        });
    }

    fn finish(self, st: State, status: MipStatus) -> MipResult {
        let sign = self.sign();
        let mut bound_min = self.global_bound(&st);
        if status == MipStatus::Infeasible {
            bound_min = match self.options.objective_cutoff {
                Some(c) => (c * sign).min(f64::INFINITY),
                None => f64::INFINITY,
            };
        }
        if status == MipStatus::Unbounded {
            bound_min = f64::NEG_INFINITY;
        }
        st.tree_cuts.log_summary(&self.log);
        let mut stats = st.stats;
        stats.incumbents = st.incumbent.records.clone();
        stats.rejected_candidates = st.incumbent.rejected;
        stats.time_s = st.start.elapsed().as_secs_f64();
        let result = MipResult {
            status,
            objective: st.incumbent.objective(),
            bound: bound_min * sign,
            solution: st.incumbent.solution().map(<[f64]>::to_vec),
            stats,
        };
        self.log.line(&format!(
            "Explored {} nodes ({} LP iterations) in {}",
            result.stats.nodes,
            result.stats.lp_iterations,
            self.log.time(result.stats.time_s)
        ));
        self.log.line(&format!(
            "Status {:?}: objective {}, bound {}, gap {}",
            status,
            result.objective.map(fmt_value).unwrap_or_else(|| "-".into()),
            fmt_value(result.bound),
            result
                .gap()
                .map(|g| format!("{:.4}%", 100.0 * g))
                .unwrap_or_else(|| "-".into())
        ));
        result
    }
}

/// Solves a MILP with default plug-ins (pseudo-cost branching, row propagation, rounding and diving,
/// best bound with diving): the entry point of `relumip solve` and of MILP-based bounds.
pub fn solve_mip(problem: &MipProblem, options: MipOptions, log: Log) -> Result<MipResult> {
    // One pseudo-cost history for all workers: each learns from every worker's nodes.
    let rule = super::plugins::SharedBranchRule::new(Box::new(super::branching::Pseudocost::default()));
    let plugins = move || Plugins {
        branch_rule: Some(Box::new(rule.clone())),
        propagators: vec![Box::new(super::RowPropagator::default())],
        heuristics: vec![Box::new(super::Diving::default())],
        ..Plugins::default()
    };
    Search::new(problem.clone(), options, plugins(), log)
        .with_factory(Arc::new(plugins))
        .solve()
}

/// Keeps the bound (to minimise) of a node dropped unexplored when it lies below the incumbent's value
/// (dropped by the gap tolerances or a target, not by the incumbent itself), so that the reported bound
/// stays valid: without it an `Optimal` search reported the incumbent's value as the bound, above the true
/// optimum by up to the gap (e.g. dcmulti.mps: bound 188194.3, optimum 188182).
fn note_pruned(st: &mut State, bound: f64) {
    if bound < st.incumbent.value_min() {
        st.gap_pruned = st.gap_pruned.min(bound);
    }
}

/// Meets bounds crossed by rounding only (by at most `1e-9` relative) in the middle; returns false when
/// some column's bounds truly cross (the node is infeasible).
fn tidy_bounds(lower: &mut [f64], upper: &mut [f64]) -> bool {
    for j in 0..lower.len() {
        if lower[j] > upper[j] {
            if lower[j] > upper[j] + 1e-9 * (1.0 + upper[j].abs()) {
                return false;
            }
            let mid = 0.5 * (lower[j] + upper[j]);
            lower[j] = mid;
            upper[j] = mid;
        }
    }
    true
}
