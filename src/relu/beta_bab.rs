//! The activation-split bound-only search with β-CROWN at every node (Wang et al., "Beta-CROWN", NeurIPS
//! 2021): no LP and, by default, no new propagation below the root. A node is a set of fixed activations;
//! its pre-activation bounds are its parent's with the split neuron clipped (valid: the node is a subset of
//! its parent), and its bound on the objective is the β-CROWN bound, whose slopes and multipliers start
//! from the parent's. The split neuron is chosen by the BaBSR-like score of [`super::bound_bab`].

use super::bound_bab::{activation_split_choice, BoundBabOptions, BoundBabOutcome, BoundBabStats, PRUNE_TOL};
use crate::bounds::{
    tightened_bounds, BetaCrown, Betas, BoundMethod, NeuronBounds, ObjectiveBound, Phase, Propagator, Slopes,
};
use crate::nn::Network;
use crate::spec::InputDomain;
use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

/// Steps at a node with no unstable neuron left (rare: a search usually ends far above that depth).
const LEAF_STEPS: usize = 500;

struct Node {
    phases: Vec<Vec<Phase>>,
    bounds: Arc<NeuronBounds>,
    alpha: Arc<Slopes>,
    beta: Arc<Betas>,
    bound: f64,
    depth: u32,
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == CmpOrdering::Equal
    }
}
impl Eq for Node {}
impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}
impl Ord for Node {
    /// The highest bound first, then the deepest.
    fn cmp(&self, other: &Self) -> CmpOrdering {
        self.bound
            .total_cmp(&other.bound)
            .then(self.depth.cmp(&other.depth))
    }
}

/// The activation-split search of [`super::bound_bab`] with β-CROWN bounds (see the module doc).
pub(crate) fn beta_bab(
    slack_net: &Network,
    domain: &InputDomain,
    check: &mut dyn FnMut(&[f64]) -> bool,
    options: &BoundBabOptions,
) -> (BoundBabOutcome, BoundBabStats) {
    let start = Instant::now();
    let mut stats = BoundBabStats {
        root_bound: f64::INFINITY,
        ..BoundBabStats::default()
    };
    let layers = slack_net.layers();
    let last = layers.len() - 1;
    let outputs = layers[last].outputs();
    let mut relu_index = vec![None; layers.len()];
    let mut n_relu = 0;
    for (k, l) in layers.iter().enumerate() {
        if l.has_relu() {
            relu_index[k] = Some(n_relu);
            n_relu += 1;
        }
    }
    if layers[last].has_relu() || outputs == 0 || domain.dim() != slack_net.input_size() {
        return (BoundBabOutcome::Unknown, stats);
    }
    let root_phases: Vec<Vec<Phase>> = layers
        .iter()
        .filter(|l| l.has_relu())
        .map(|l| vec![Phase::Free; l.outputs()])
        .collect();
    // The root: CROWN bounds of every layer, then the objective by α-CROWN (and, for a conjunction, a
    // weighting of its slacks); the objective found is kept for the whole tree.
    let mut prop = Propagator::new(slack_net);
    prop.set_tighten_stable(false);
    // The hidden layers' bounds: given (shared by the disjuncts of a property), or CROWN's tightened by
    // α-CROWN; the slacks' own CROWN bounds through them.
    let hidden = match &options.hidden_bounds {
        Some(h) => Some(h.as_ref().clone()),
        None => tightened_bounds(slack_net, domain, options.tighten_root_steps, options.deadline),
    };
    let Some(mut start_bounds) = hidden else {
        stats.nodes = 1;
        stats.pruned = 1;
        stats.time_s = start.elapsed().as_secs_f64();
        return (BoundBabOutcome::Proven, stats);
    };
    start_bounds.lower.truncate(last);
    start_bounds.upper.truncate(last);
    let mut root_bounds = NeuronBounds::unbounded(slack_net);
    if !prop.run(
        domain,
        None,
        BoundMethod::Symbolic,
        &root_phases,
        Some(&start_bounds),
        &mut root_bounds,
    ) {
        stats.nodes = 1;
        stats.pruned = 1;
        stats.time_s = start.elapsed().as_secs_f64();
        return (BoundBabOutcome::Proven, stats);
    }
    stats.root_unstable = (0..last)
        .filter(|&m| relu_index[m].is_some())
        .map(|m| {
            root_bounds.lower[m]
                .iter()
                .zip(&root_bounds.upper[m])
                .filter(|(l, u)| **l < 0.0 && **u > 0.0)
                .count()
        })
        .sum();
    let best_k = root_bounds.upper[last]
        .iter()
        .copied()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(0, |(k, _)| k);
    let mut objective = vec![0.0; outputs];
    objective[best_k] = 1.0;
    if outputs > 1 && options.weight_steps > 0 {
        let mut ob = ObjectiveBound::default();
        let mut alpha = Slopes::new();
        let single = prop.optimise_alpha(
            domain,
            None,
            &objective,
            &mut alpha,
            options.alpha_steps_root,
            &mut ob,
        );
        let mut weights: Vec<f64> = (0..outputs)
            .map(|k| {
                if k == best_k {
                    0.7
                } else {
                    0.3 / (outputs - 1) as f64
                }
            })
            .collect();
        let steps = options.alpha_steps_root.max(options.weight_steps);
        let mixed = prop.optimise(domain, None, &mut weights, true, &mut alpha, steps, &mut ob);
        if mixed < single {
            objective = weights;
        }
    }
    let mut beta_crown = BetaCrown::new(slack_net);
    let mut heap = BinaryHeap::new();
    heap.push(Node {
        phases: root_phases,
        bounds: Arc::new(root_bounds),
        alpha: Arc::new(Slopes::new()),
        beta: Arc::new(Betas::new()),
        bound: f64::INFINITY,
        depth: 0,
    });
    let mut ob = ObjectiveBound::default();
    let mut bounds = NeuronBounds::unbounded(slack_net);
    let outcome = loop {
        let Some(node) = heap.pop() else {
            break if stats.unresolved > 0 {
                BoundBabOutcome::Unknown
            } else {
                BoundBabOutcome::Proven
            };
        };
        if options.deadline.is_some_and(|d| Instant::now() >= d)
            || options
                .interrupt
                .as_ref()
                .is_some_and(|f| f.load(Ordering::Relaxed))
            || heap.len() > options.max_open
            || options.max_nodes.is_some_and(|m| stats.nodes >= m)
        {
            heap.push(node);
            break BoundBabOutcome::Unknown;
        }
        stats.nodes += 1;
        stats.max_depth = stats.max_depth.max(node.depth);
        bounds.clone_from(&node.bounds);
        if options.recompute_intermediate && node.depth > 0 {
            // CROWN again under the node's phases, intersected with the parent's bounds.
            let parent = node.bounds.as_ref();
            if !prop.run(
                domain,
                None,
                BoundMethod::Symbolic,
                &node.phases,
                Some(parent),
                &mut bounds,
            ) {
                stats.pruned += 1;
                continue;
            }
        }
        if !beta_crown.set_node(&mut bounds, &node.phases) {
            stats.pruned += 1;
            continue;
        }
        let mut alpha = node.alpha.as_ref().clone();
        let mut beta = node.beta.as_ref().clone();
        let steps = if node.depth == 0 {
            options.alpha_steps_root.max(options.beta_steps)
        } else {
            options.beta_steps
        };
        beta_crown.set_move_slopes(node.depth == 0 || options.slopes_at_nodes);
        let bound = beta_crown.optimise(
            domain, None, &objective, &mut alpha, &mut beta, steps, -PRUNE_TOL, &mut ob,
        );
        if node.depth == 0 {
            stats.root_bound = bound;
        }
        if bound < -PRUNE_TOL {
            stats.pruned += 1;
            continue;
        }
        if ob.maximiser.len() == slack_net.input_size() && check(&ob.maximiser) {
            stats.time_s = start.elapsed().as_secs_f64();
            stats.open = heap.len();
            return (BoundBabOutcome::Counterexample(ob.maximiser.clone()), stats);
        }
        let Some((r, j)) = activation_split_choice(&node.phases, &ob, &bounds, &relu_index, last) else {
            // Every unstable neuron fixed: the node is one linear piece and its bound a Lagrangian dual of
            // an LP, exact at the best multipliers; search longer for them before giving the node up.
            let bound = beta_crown.optimise(
                domain, None, &objective, &mut alpha, &mut beta, LEAF_STEPS, -PRUNE_TOL, &mut ob,
            );
            if bound < -PRUNE_TOL {
                stats.pruned += 1;
            } else {
                stats.unresolved += 1;
            }
            continue;
        };
        let bounds = Arc::new(bounds.clone());
        let alpha = Arc::new(alpha);
        let beta = Arc::new(beta);
        for phase in [Phase::Inactive, Phase::Active] {
            let mut phases = node.phases.clone();
            phases[r][j] = phase;
            heap.push(Node {
                phases,
                bounds: bounds.clone(),
                alpha: alpha.clone(),
                beta: beta.clone(),
                bound,
                depth: node.depth + 1,
            });
        }
    };
    stats.open = heap.len();
    stats.time_s = start.elapsed().as_secs_f64();
    (outcome, stats)
}
