//! The parallel tree search: once the root is processed (its cuts in the LP), `threads` workers take nodes
//! from one shared queue. Each worker has its own LP (a copy of the root LP with its cuts), its own
//! plug-ins (from the search's factory) and its own node selector (best bound with diving into its own
//! children); the workers share the queue, the incumbent (through the checkpoint, see
//! `Incumbent::share`), the counters and the limits. One thread, the caller's, does all the logging.
//!
//! The global bound is the minimum over the open nodes, the nodes the workers are processing and the
//! nodes no LP could settle: a node leaves the queue and becomes "busy" (its bound kept) under one lock,
//! and its children enter the queue and it stops being busy under that lock again, so no node is ever
//! invisible to the bound. The search ends when a limit is hit, the gap closes, or the queue is empty
//! while no worker is busy.
//!
//! Tree cuts are off below the root in a parallel search (the root cuts stay in every worker's LP): with
//! cuts added and removed per worker, the bases stored in nodes named rows other workers did not have, and
//! the warm starts suffered badly (mnist-32-16 maximize: 169 nodes in 20 s against 4,240 without tree
//! cuts). Every worker's LP thus holds the same rows; a worker would install only the shared rows of
//! another worker's basis anyway (the LP repairs any basis it is given), so warm starts are sound
//! whichever worker installs them.

use super::{NodeOutcome, PluginFactory, Search, State};
use crate::error::Result;
use crate::log::ProgressRow;
use crate::lp::DualSimplex;
use crate::mip::incumbent::{Incumbent, SharedIncumbent};
use crate::mip::node::Node;
use crate::mip::queue::{BestBoundDiving, NodeQueue, NodeSelector};
use crate::mip::result::{relative_gap, MipStats, MipStatus};
use crate::mip::tree_cuts::TreeCuts;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long an idle worker waits for nodes before it looks at the limits again.
const IDLE_WAIT: Duration = Duration::from_millis(20);

/// How often the logging thread looks for news.
const MONITOR_TICK: Duration = Duration::from_millis(5);

/// Why the workers stopped.
#[derive(Debug, Clone, Copy)]
enum Stop {
    /// A limit, the gap, the target or an unbounded LP.
    Status(MipStatus),
    /// No open node and no busy worker.
    Exhausted,
}

/// The nodes of a parallel search and what is known of their bounds, behind one lock.
struct Pool {
    queue: NodeQueue,
    /// The bound (to minimise) of the node each worker is processing.
    busy: Vec<Option<f64>>,
    /// The smallest bound of the nodes no LP could settle.
    unresolved: f64,
    /// The smallest bound of the nodes dropped below the incumbent by the gap tolerances.
    gap_pruned: f64,
    /// Nodes begun (for the node limit).
    nodes_started: u64,
    stop: Option<Stop>,
}

impl Pool {
    /// The global bound to minimise, the incumbent aside.
    fn bound(&self) -> f64 {
        self.busy.iter().flatten().fold(
            self.queue.best_bound().min(self.unresolved).min(self.gap_pruned),
            |a, &b| a.min(b),
        )
    }
}

/// What the workers share.
struct Shared {
    pool: Mutex<Pool>,
    /// Signalled whenever nodes enter the queue, a worker turns idle or the search stops.
    wake: Condvar,
    incumbent: Arc<SharedIncumbent>,
    /// Counters for the progress lines (each worker's own stats are summed at the end).
    nodes: AtomicU64,
    lp_iterations: AtomicU64,
    /// Workers that have returned.
    finished: AtomicUsize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Pool> {
        // A worker that panicked holding the lock is re-raised by the scope's join; the data stays whole.
        self.pool.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn stop(&self, pool: &mut Pool, why: Stop) {
        if pool.stop.is_none() {
            pool.stop = Some(why);
        }
        self.wake.notify_all();
    }
}

/// One worker: its search (plug-ins), its state (LP) and its node selector.
type Worker = (Search, State, Box<dyn NodeSelector>);

impl Search {
    /// Runs the tree below the root on `options.threads` workers; `st` is the state after the root, and
    /// becomes the first worker's and, at the end, the merged state `finish` reports from.
    pub(super) fn solve_parallel(
        &mut self,
        st: &mut State,
        selector: &mut Box<dyn NodeSelector>,
        factory: PluginFactory,
    ) -> Result<MipStatus> {
        let threads = self.options.threads.max(1);
        let incumbent = st.incumbent.share();
        let rows = st.lp.num_rows();
        st.shared_rows = Some(rows);
        st.id_step = threads as u64;
        st.first_worker_id = st.next_id;
        let others = self.other_workers(st, &factory, &incumbent, threads)?;
        self.log.line(&format!(
            "Tree search on {threads} workers ({} rows shared; no tree cuts below the root)",
            rows
        ));
        let shared = Shared {
            pool: Mutex::new(Pool {
                queue: std::mem::take(&mut st.queue),
                busy: vec![None; threads],
                unresolved: st.unresolved_bound,
                gap_pruned: st.gap_pruned,
                nodes_started: st.stats.nodes,
                stop: None,
            }),
            wake: Condvar::new(),
            incumbent,
            nodes: AtomicU64::new(st.stats.nodes),
            lp_iterations: AtomicU64::new(st.stats.lp_iterations),
            finished: AtomicUsize::new(0),
        };
        let monitor = Monitor {
            log: self.log.clone(),
            interval: self.options.log_interval_s,
            sign: self.sign(),
            start: st.start,
            threads,
        };
        let finished = std::thread::scope(|scope| {
            let first = {
                let (search, state, shared) = (&mut *self, &mut *st, &shared);
                scope.spawn(move || run_worker(search, state, selector, shared, 0))
            };
            let handles: Vec<_> = others
                .into_iter()
                .enumerate()
                .map(|(k, (mut search, mut state, mut sel))| {
                    let shared = &shared;
                    scope.spawn(move || {
                        run_worker(&mut search, &mut state, &mut sel, shared, k + 1);
                        state
                    })
                })
                .collect();
            monitor.watch(&shared);
            if let Err(panic) = first.join() {
                std::panic::resume_unwind(panic);
            }
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect::<Vec<State>>()
        });
        let pool = shared.pool.into_inner().unwrap_or_else(|e| e.into_inner());
        st.queue = pool.queue;
        st.unresolved_bound = pool.unresolved;
        st.gap_pruned = pool.gap_pruned;
        st.incumbent.absorb_shared();
        st.shared_rows = None;
        for (k, other) in finished.iter().enumerate() {
            self.log.line(&format!(
                "Worker {}: {} nodes, {} LP iterations",
                k + 1,
                other.stats.nodes,
                other.stats.lp_iterations
            ));
            other.tree_cuts.log_summary(&self.log);
            merge_stats(&mut st.stats, &other.stats);
            st.incumbent.rejected += other.incumbent.rejected;
            st.target_reached |= other.target_reached;
        }
        Ok(match pool.stop {
            Some(Stop::Status(status)) => status,
            Some(Stop::Exhausted) | None => self.exhausted_status(st),
        })
    }

    /// Workers 1.. with fresh plug-ins and a copy of the root LP (rows, bounds and basis).
    fn other_workers(
        &self,
        st: &State,
        factory: &PluginFactory,
        incumbent: &Arc<SharedIncumbent>,
        threads: usize,
    ) -> Result<Vec<Worker>> {
        let root_lp = st.lp.problem();
        let root_basis = st.lp.basis();
        let mut workers = Vec::with_capacity(threads - 1);
        for k in 1..threads {
            let mut lp = DualSimplex::new(root_lp, st.lp.options().clone())?;
            // Sizes match by construction; a failure would only cost the warm start.
            let _ = lp.set_basis(&root_basis);
            let mut plugins = factory();
            let selector = plugins
                .node_selector
                .take()
                .unwrap_or_else(|| Box::new(BestBoundDiving::default()));
            plugins.check = self.plugins.check.clone();
            plugins.start_points.clear();
            let search = Search {
                problem: self.problem.clone(),
                options: self.options.clone(),
                plugins,
                log: self.log.clone(),
                factory: None,
            };
            let state = State {
                lp,
                cur_lower: root_lp.col_lower.clone(),
                cur_upper: root_lp.col_upper.clone(),
                queue: NodeQueue::new(),
                incumbent: Incumbent::linked(
                    self.problem.clone(),
                    self.plugins.check.clone(),
                    incumbent.clone(),
                ),
                stats: MipStats::default(),
                next_id: st.next_id + k as u64,
                last_solved: None,
                last_children: Vec::new(),
                unresolved_bound: f64::INFINITY,
                gap_pruned: f64::INFINITY,
                start: st.start,
                last_log: 0.0,
                target_reached: false,
                tree_cuts: TreeCuts::new(self.options.tree_cuts),
                id_step: threads as u64,
                shared_rows: Some(st.lp.num_rows()),
                first_worker_id: st.next_id,
                // The copied LP holds the same node rows as the first worker's.
                local_rows: st.local_rows.clone(),
            };
            workers.push((search, state, selector));
        }
        Ok(workers)
    }
}

/// Adds a worker's counters to the merged ones.
fn merge_stats(into: &mut MipStats, other: &MipStats) {
    into.nodes += other.nodes;
    into.lp_iterations += other.lp_iterations;
    into.pruned_by_propagation += other.pruned_by_propagation;
    into.cuts_added += other.cuts_added;
    into.local_rows += other.local_rows;
    into.max_depth = into.max_depth.max(other.max_depth);
}

/// A worker's loop: take a node, process it, hand back its children and its outcome.
fn run_worker(
    search: &mut Search,
    st: &mut State,
    selector: &mut Box<dyn NodeSelector>,
    shared: &Shared,
    worker: usize,
) {
    let _finished = Finished { shared, worker };
    while let Some(node) = next_node(search, st, selector, shared, worker) {
        let (nodes, iterations) = (st.stats.nodes, st.stats.lp_iterations);
        let outcome = search.process(st, node);
        shared
            .nodes
            .fetch_add(st.stats.nodes.saturating_sub(nodes), Ordering::Relaxed);
        shared.lp_iterations.fetch_add(
            st.stats.lp_iterations.saturating_sub(iterations),
            Ordering::Relaxed,
        );
        let mut pool = shared.lock();
        // Children first, then the node stops being busy: the bound never misses either.
        for child in st.queue.drain() {
            pool.queue.push(child);
        }
        pool.busy[worker] = None;
        pool.gap_pruned = pool.gap_pruned.min(st.gap_pruned);
        match outcome {
            NodeOutcome::Done => {}
            NodeOutcome::Requeue(node) => {
                pool.nodes_started = pool.nodes_started.saturating_sub(1);
                pool.queue.push(node);
            }
            NodeOutcome::Unresolved(b) => pool.unresolved = pool.unresolved.min(b),
            NodeOutcome::Unbounded => shared.stop(&mut pool, Stop::Status(MipStatus::Unbounded)),
        }
        if st.target_reached {
            shared.stop(&mut pool, Stop::Status(MipStatus::TargetReached));
        }
        shared.wake.notify_all();
    }
}

/// Counts a worker out when it returns, and when it panics also stops the others (the panic itself is
/// re-raised when the scope joins it): no thread waits for it for ever.
struct Finished<'a> {
    shared: &'a Shared,
    worker: usize,
}

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut pool = self.shared.lock();
            pool.busy[self.worker] = None;
            self.shared
                .stop(&mut pool, Stop::Status(MipStatus::NumericalTrouble));
        }
        self.shared.finished.fetch_add(1, Ordering::Release);
        self.shared.wake.notify_all();
    }
}

/// The next node for `worker` (marked busy), or `None` when the search stops. The checks follow the
/// sequential loop's order: limits, exhaustion, gap, pruning, selection.
fn next_node(
    search: &Search,
    st: &mut State,
    selector: &mut Box<dyn NodeSelector>,
    shared: &Shared,
    worker: usize,
) -> Option<Node> {
    let mut pool = shared.lock();
    loop {
        if pool.stop.is_some() {
            return None;
        }
        if let Some(status) = search.limit_reached_at(st.start, pool.nodes_started) {
            shared.stop(&mut pool, Stop::Status(status));
            return None;
        }
        let inc = st.incumbent.value_min();
        if pool.queue.is_empty() {
            if pool.busy.iter().all(Option::is_none) {
                shared.stop(&mut pool, Stop::Exhausted);
                return None;
            }
            // Others are busy and may still create nodes.
            pool = shared
                .wake
                .wait_timeout(pool, IDLE_WAIT)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|e| e.into_inner().0);
            continue;
        }
        let bound = pool.bound().min(inc);
        if inc.is_finite() && search.gap_closed(inc, bound) {
            shared.stop(&mut pool, Stop::Status(MipStatus::Optimal));
            return None;
        }
        let threshold = search.prune_threshold(st);
        let best = pool.queue.best_bound();
        if pool.queue.prune(threshold) > 0 && best.max(threshold) < inc {
            pool.gap_pruned = pool.gap_pruned.min(best.max(threshold));
        }
        if pool.queue.is_empty() {
            continue;
        }
        let cap = search.options.memory_cap_bytes;
        let pick = selector
            .select(&pool.queue, &st.last_children, inc, cap)
            .or_else(|| pool.queue.best());
        let Some(node) = pick.and_then(|id| pool.queue.take(id)) else {
            continue;
        };
        st.last_children.clear();
        pool.busy[worker] = Some(node.bound);
        pool.nodes_started += 1;
        return Some(node);
    }
}

/// The one place that logs while the workers run: new incumbents as they come, progress every interval.
struct Monitor {
    log: crate::log::Log,
    interval: f64,
    sign: f64,
    start: Instant,
    threads: usize,
}

impl Monitor {
    /// Logs until every worker has returned.
    fn watch(&self, shared: &Shared) {
        let mut logged = shared.incumbent.lock().records.len();
        let mut last_log = self.start.elapsed().as_secs_f64();
        loop {
            let done = shared.finished.load(Ordering::Acquire) >= self.threads;
            let news: Vec<(char, f64, f64)> = {
                let inner = shared.incumbent.lock();
                let new = inner.records[logged.min(inner.records.len())..]
                    .iter()
                    .zip(&inner.letters[logged.min(inner.letters.len())..])
                    .map(|(r, &l)| (l, r.objective, r.time_s))
                    .collect();
                logged = inner.records.len();
                new
            };
            for (letter, objective, time_s) in news {
                self.progress(shared, Some(letter), Some(objective), time_s);
            }
            let t = self.start.elapsed().as_secs_f64();
            if !done && t - last_log >= self.interval {
                last_log = t;
                let inc = shared.incumbent.value_min();
                self.progress(shared, None, inc.is_finite().then_some(inc * self.sign), t);
            }
            if done {
                return;
            }
            std::thread::sleep(MONITOR_TICK);
        }
    }

    fn progress(&self, shared: &Shared, source: Option<char>, incumbent: Option<f64>, time_s: f64) {
        let (open, bound_min) = {
            let pool = shared.lock();
            (pool.queue.len(), pool.bound())
        };
        let bound = bound_min.min(shared.incumbent.value_min()) * self.sign;
        let nodes = shared.nodes.load(Ordering::Relaxed);
        self.log.progress(&ProgressRow {
            source,
            explored: nodes,
            open,
            incumbent,
            bound,
            gap: incumbent
                .filter(|_| bound.is_finite())
                .map(|o| relative_gap(o, bound)),
            iterations_per_node: shared.lp_iterations.load(Ordering::Relaxed) as f64 / nodes.max(1) as f64,
            time_s,
        });
    }
}
