//! Bound-only branch-and-bound for verification: no LP at any node. Each node is an input box and a set
//! of fixed activations; its bound on `min_k s_k` (the slack network's outputs, a counterexample has every
//! slack `>= 0`) is the smallest CROWN upper bound of one slack (α-CROWN on the most promising one), and a
//! node whose bound is below zero holds no counterexample. Otherwise it is split without an LP: on an input
//! by strong branching (both halves of every input bounded, the best pair kept; the former smear rule,
//! |coefficient| × width of the bound's linear function after ReluVal, Wang et al., USENIX Security 2018,
//! stays as an option), or on the unstable neuron with the largest BaBSR-like score read from the same
//! back-substitution (Bunel et al., JMLR 2020). The box centre and the maximiser of the linear bound are
//! offered as candidates to the caller's check (a forward pass of the original network): nothing here
//! claims a counterexample itself.

use crate::bounds::{BoundMethod, NeuronBounds, ObjectiveBound, Phase, Propagator, Slopes};
use crate::nn::Network;
use crate::spec::InputDomain;
use rayon::prelude::*;
use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// A node is pruned when its bound on the smallest slack is below `-PRUNE_TOL`: the bound's floating sums
/// are off by far less (order `n ε Σ|terms|`), so no counterexample with slack `>= 0` is lost.
pub const PRUNE_TOL: f64 = 1e-9;

/// What nodes are split on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundSplit {
    /// Input ranges (few inputs, e.g. ACAS Xu).
    Input,
    /// Activation states of unstable neurons.
    Activation,
}

/// Limits and effort of a bound-only search.
#[derive(Debug, Clone)]
pub struct BoundBabOptions {
    /// What to split on.
    pub split: BoundSplit,
    /// Stop (answer unknown) at this instant.
    pub deadline: Option<Instant>,
    /// Raised (e.g. by Ctrl-C) to stop.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// α-CROWN steps at the root.
    pub alpha_steps_root: usize,
    /// α-CROWN steps at the other nodes (started from the parent's slopes).
    pub alpha_steps: usize,
    /// Steps on the weights of a conjunction's slacks (and on the slopes) at the other nodes.
    pub weight_steps: usize,
    /// Give up (unknown) when more nodes than this are open (memory guard).
    pub max_open: usize,
    /// Input ranges narrower than this fraction of the root's are not split.
    pub min_width_fraction: f64,
    /// Stop (answer unknown) after this many nodes.
    pub max_nodes: Option<u64>,
    /// Threads bounding the halves of strong branching in parallel (1: none started; the search and its
    /// answer are the same for every count).
    pub threads: usize,
    /// Input splits: bound both halves of every splittable input (a CROWN pass each, the parent's slopes
    /// and weights reused) and split the input whose halves bound best, in place of the smear score.
    pub strong_branching: bool,
    /// Activation splits: β-CROWN steps per node below the root (`0`: the former search, CROWN
    /// propagation under the phases at every node and the parent's slopes, without the split constraints).
    pub beta_steps: usize,
    /// Activation splits with β-CROWN: also propagate CROWN bounds again under each node's phases
    /// (intersected with the parent's), in place of keeping the parent's bounds with the split neuron clipped.
    pub recompute_intermediate: bool,
    /// Activation splits with β-CROWN: α-CROWN steps per bound when tightening the root's intermediate
    /// layers (0: CROWN's bounds).
    pub tighten_root_steps: usize,
    /// Activation splits with β-CROWN: pre-activation bounds of the hidden layers valid over the domain
    /// (e.g. [`crate::bounds::tightened_bounds`] of the network the slacks come from, which has the same
    /// hidden layers), used at the root in place of computing them; the output layer's entries are ignored.
    pub hidden_bounds: Option<Arc<NeuronBounds>>,
    /// Activation splits use β-CROWN only on networks with at most this many hidden ReLU layers (see
    /// [`uses_beta_crown`]).
    pub beta_max_relu_layers: usize,
    /// Activation splits with β-CROWN: also move the slopes below the root (else only the multipliers
    /// move and the slopes stay the root's).
    pub slopes_at_nodes: bool,
}

impl Default for BoundBabOptions {
    fn default() -> Self {
        BoundBabOptions {
            split: BoundSplit::Input,
            deadline: None,
            interrupt: None,
            alpha_steps_root: 20,
            alpha_steps: 0,
            weight_steps: 8,
            max_open: 2_000_000,
            min_width_fraction: 1e-7,
            max_nodes: None,
            strong_branching: true,
            threads: 1,
            beta_steps: 2,
            recompute_intermediate: false,
            tighten_root_steps: 10,
            hidden_bounds: None,
            beta_max_relu_layers: 2,
            slopes_at_nodes: true,
        }
    }
}

/// How a bound-only search ended.
#[derive(Debug, Clone, PartialEq)]
pub enum BoundBabOutcome {
    /// Every node was pruned: no counterexample exists.
    Proven,
    /// The caller's check accepted this input.
    Counterexample(Vec<f64>),
    /// A limit was reached, or some node could not be split further.
    Unknown,
}

/// Counters of a bound-only search.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoundBabStats {
    /// Nodes bounded.
    pub nodes: u64,
    /// Nodes pruned by their bound or by infeasible phases.
    pub pruned: u64,
    /// Nodes that could not be split (left unresolved).
    pub unresolved: u64,
    /// Deepest node.
    pub max_depth: u32,
    /// Bound on the smallest slack at the root.
    pub root_bound: f64,
    /// Open nodes when the search stopped.
    pub open: usize,
    /// Seconds spent.
    pub time_s: f64,
    /// Children bounded by strong branching (pruned ones are never pushed, nor counted in `nodes`).
    pub strong_evaluations: u64,
    /// Unstable hidden neurons (lower bound < 0 < upper bound) at the root.
    pub root_unstable: usize,
}

struct Node {
    lower: Vec<f64>,
    upper: Vec<f64>,
    phases: Vec<Vec<Phase>>,
    parent_bounds: Option<Arc<NeuronBounds>>,
    alpha: Option<Arc<Slopes>>,
    weights: Option<Arc<Vec<f64>>>,
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
    /// The highest bound first (the likeliest to hold a counterexample), then the deepest.
    fn cmp(&self, other: &Self) -> CmpOrdering {
        self.bound
            .total_cmp(&other.bound)
            .then(self.depth.cmp(&other.depth))
    }
}

/// Decides whether some input of `domain` has every output of `slack_net` `>= 0`, offering candidates to
/// `check` (true: a confirmed counterexample). `slack_net` must have ReLU on hidden layers only.
pub fn bound_bab(
    slack_net: &Network,
    domain: &InputDomain,
    check: &mut dyn FnMut(&[f64]) -> bool,
    options: &BoundBabOptions,
) -> (BoundBabOutcome, BoundBabStats) {
    if uses_beta_crown(slack_net, options) {
        return super::beta_bab::beta_bab(slack_net, domain, check, options);
    }
    let start = Instant::now();
    let mut stats = BoundBabStats {
        root_bound: f64::INFINITY,
        ..BoundBabStats::default()
    };
    let layers = slack_net.layers();
    let last = layers.len() - 1;
    let outputs = layers[last].outputs();
    // ReLU layer index of each layer (phases are indexed by ReLU layer).
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
    let root_width: Vec<f64> = domain
        .upper
        .iter()
        .zip(&domain.lower)
        .map(|(u, l)| u - l)
        .collect();
    let mut prop = Propagator::new(slack_net);
    prop.set_tighten_stable(false);
    // A pool only when asked for more than one thread (no pool: no thread is started).
    let pool = (options.threads > 1 && options.split == BoundSplit::Input && options.strong_branching)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(options.threads)
                .build()
                .ok()
        })
        .flatten();
    let mut bounds = NeuronBounds::unbounded(slack_net);
    let mut ob = ObjectiveBound::default();
    let mut mixed = ObjectiveBound::default();
    let mut single = Vec::new();
    let mut heap = BinaryHeap::new();
    heap.push(Node {
        lower: domain.lower.clone(),
        upper: domain.upper.clone(),
        phases: layers
            .iter()
            .filter(|l| l.has_relu())
            .map(|l| vec![Phase::Free; l.outputs()])
            .collect(),
        parent_bounds: None,
        alpha: None,
        weights: None,
        bound: f64::INFINITY,
        depth: 0,
    });
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
        let input_box = Some((node.lower.as_slice(), node.upper.as_slice()));
        if !prop.run(
            domain,
            input_box,
            BoundMethod::Symbolic,
            &node.phases,
            node.parent_bounds.as_deref(),
            &mut bounds,
        ) {
            stats.pruned += 1;
            continue;
        }
        if node.depth == 0 {
            stats.root_unstable = (0..last)
                .filter(|&m| relu_index[m].is_some())
                .map(|m| {
                    bounds.lower[m]
                        .iter()
                        .zip(&bounds.upper[m])
                        .filter(|(l, u)| **l < 0.0 && **u > 0.0)
                        .count()
                })
                .sum();
        }
        // The slack whose CROWN bound is smallest bounds the minimum best; refine it by α-CROWN.
        let (best_k, mut bound) = bounds.upper[last]
            .iter()
            .copied()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, f64::INFINITY));
        if bound >= -PRUNE_TOL {
            let steps = if node.depth == 0 {
                options.alpha_steps_root
            } else {
                options.alpha_steps
            };
            let mut alpha = node.alpha.as_deref().cloned().unwrap_or_default();
            // The slack with the smallest bound alone, by (α-)CROWN.
            single.clear();
            single.resize(outputs, 0.0);
            single[best_k] = 1.0;
            let v = if steps > 0 || !alpha.is_empty() {
                prop.optimise_alpha(domain, input_box, &single, &mut alpha, steps, &mut ob)
            } else {
                prop.objective_upper(domain, input_box, &single, None, &mut ob)
            };
            bound = bound.min(v);
            // A conjunction: a weighting of its slacks may bound their minimum better; it then also
            // guides the split.
            let mut weights = Vec::new();
            if outputs > 1 && bound >= -PRUNE_TOL && options.weight_steps > 0 {
                weights = match &node.weights {
                    Some(w) => w.as_ref().clone(),
                    // Most weight on the slack with the smallest bound, some on every other.
                    None => (0..outputs)
                        .map(|k| {
                            if k == best_k {
                                0.7
                            } else {
                                0.3 / (outputs - 1) as f64
                            }
                        })
                        .collect(),
                };
                let mut mixed_alpha = alpha.clone();
                let w_steps = if node.depth == 0 {
                    options.alpha_steps_root.max(options.weight_steps)
                } else {
                    options.weight_steps
                };
                let v = prop.optimise(
                    domain,
                    input_box,
                    &mut weights,
                    true,
                    &mut mixed_alpha,
                    w_steps,
                    &mut mixed,
                );
                if v < bound {
                    bound = v;
                    std::mem::swap(&mut ob, &mut mixed);
                }
            }
            if node.depth == 0 {
                stats.root_bound = bound;
            }
            if bound < -PRUNE_TOL {
                stats.pruned += 1;
                continue;
            }
            // Candidates: the maximiser of the linear bound and the box centre.
            let centre: Vec<f64> = node
                .lower
                .iter()
                .zip(&node.upper)
                .map(|(l, u)| 0.5 * (l + u))
                .collect();
            for x in [&ob.maximiser, &centre] {
                if x.len() == slack_net.input_size() && check(x) {
                    stats.time_s = start.elapsed().as_secs_f64();
                    stats.open = heap.len();
                    return (BoundBabOutcome::Counterexample(x.clone()), stats);
                }
            }
            let alpha = (!alpha.is_empty()).then(|| Arc::new(alpha));
            let weights = (!weights.is_empty()).then(|| Arc::new(weights));
            if options.split == BoundSplit::Input && options.strong_branching {
                let guide = ChildGuide {
                    best_k,
                    alpha: alpha.as_deref(),
                    weights: weights.as_deref().map(Vec::as_slice),
                };
                let parent = Arc::new(bounds.clone());
                match strong_split_input(
                    &mut prop,
                    domain,
                    &node,
                    &parent,
                    &guide,
                    &root_width,
                    options.min_width_fraction,
                    pool.as_ref(),
                    &mut stats,
                ) {
                    Some(children) => {
                        for child in children {
                            if child.bound < -PRUNE_TOL {
                                stats.pruned += 1;
                                continue;
                            }
                            heap.push(Node {
                                lower: child.lower,
                                upper: child.upper,
                                phases: node.phases.clone(),
                                parent_bounds: Some(child.bounds),
                                alpha: alpha.clone(),
                                weights: weights.clone(),
                                bound: child.bound.min(bound),
                                depth: node.depth + 1,
                            });
                        }
                    }
                    None => stats.unresolved += 1,
                }
                continue;
            }
            let parent = Arc::new(bounds.clone());
            let children = match options.split {
                BoundSplit::Input => split_input(&node, &ob, &root_width, options.min_width_fraction),
                BoundSplit::Activation => split_activation(&node, &ob, &bounds, &relu_index, last),
            };
            match children {
                Some(children) => {
                    for (lower, upper, phases) in children {
                        heap.push(Node {
                            lower,
                            upper,
                            phases,
                            parent_bounds: Some(parent.clone()),
                            alpha: alpha.clone(),
                            weights: weights.clone(),
                            bound,
                            depth: node.depth + 1,
                        });
                    }
                }
                None => stats.unresolved += 1,
            }
        } else {
            if node.depth == 0 {
                stats.root_bound = bound;
            }
            stats.pruned += 1;
        }
    };
    stats.open = heap.len();
    stats.time_s = start.elapsed().as_secs_f64();
    (outcome, stats)
}

/// Whether [`bound_bab`] runs the β-CROWN search ([`super::beta_bab`]): activation splits, `beta_steps > 0`,
/// and at most `beta_max_relu_layers` hidden ReLU layers. The defaults (2 layers, parent's bounds, slopes
/// moving at every node) are tuned on MNIST-FC 256x2; with them on 256x4 (eps 0.03, property 13) the search
/// dived to depth 74 and timed out where the former one proves it in 17 s. `verify` runs deeper networks
/// with `recompute_intermediate` and without `slopes_at_nodes`, which proves that instance in 8 s.
pub fn uses_beta_crown(slack_net: &Network, options: &BoundBabOptions) -> bool {
    let relu_layers = slack_net.layers().iter().filter(|l| l.has_relu()).count();
    options.split == BoundSplit::Activation
        && options.beta_steps > 0
        && relu_layers <= options.beta_max_relu_layers
}

type Split = Vec<(Vec<f64>, Vec<f64>, Vec<Vec<Phase>>)>;

/// What a child's cheap bound reuses from its parent: the slack bounded alone, its slopes and the weights of
/// the conjunction's slacks.
struct ChildGuide<'a> {
    best_k: usize,
    alpha: Option<&'a Slopes>,
    weights: Option<&'a [f64]>,
}

/// A half of a node bounded by strong branching.
struct Child {
    lower: Vec<f64>,
    upper: Vec<f64>,
    /// Upper bound of the smallest slack over the child (`-inf` when its phases are infeasible).
    bound: f64,
    /// The child's neuron bounds (valid start bounds for its own pass).
    bounds: Arc<NeuronBounds>,
}

/// Bounds the box `[lower, upper]` under `phases`: the smallest of the slacks' CROWN bounds and of the
/// parent's objectives (the best slack alone, the weighted conjunction) with the parent's slopes. Any slopes
/// in `[0, 1]` and any weights on the simplex give valid bounds, so reusing the parent's is sound.
#[allow(clippy::too_many_arguments)]
fn child_bound(
    prop: &mut Propagator<'_>,
    domain: &InputDomain,
    lower: &[f64],
    upper: &[f64],
    phases: &[Vec<Phase>],
    parent: &NeuronBounds,
    guide: &ChildGuide<'_>,
    out: &mut NeuronBounds,
) -> f64 {
    let input_box = Some((lower, upper));
    if !prop.run(
        domain,
        input_box,
        BoundMethod::Symbolic,
        phases,
        Some(parent),
        out,
    ) {
        return f64::NEG_INFINITY;
    }
    let last = out.upper.len() - 1;
    let mut bound = out.upper[last].iter().copied().fold(f64::INFINITY, f64::min);
    if bound < -PRUNE_TOL {
        return bound;
    }
    let mut ob = ObjectiveBound::default();
    if let Some(alpha) = guide.alpha {
        let mut single = vec![0.0; out.upper[last].len()];
        if guide.best_k < single.len() {
            single[guide.best_k] = 1.0;
            bound = bound.min(prop.objective_upper(domain, input_box, &single, Some(alpha), &mut ob));
        }
    }
    if bound >= -PRUNE_TOL {
        if let Some(w) = guide.weights {
            bound = bound.min(prop.objective_upper(domain, input_box, w, guide.alpha, &mut ob));
        }
    }
    bound
}

/// Strong branching on the inputs: bounds both halves of every input wider than `min_fraction` of its root
/// width and keeps the split whose halves' positive bounds sum least (pruned halves count 0; ties by the
/// sum of the bounds, then the lowest input). With a `pool` the inputs are bounded in parallel, each thread
/// on its own copy of the propagator; the choice is the same as without. `None` when every input is too
/// narrow.
#[allow(clippy::too_many_arguments)]
fn strong_split_input(
    prop: &mut Propagator<'_>,
    domain: &InputDomain,
    node: &Node,
    parent: &NeuronBounds,
    guide: &ChildGuide<'_>,
    root_width: &[f64],
    min_fraction: f64,
    pool: Option<&rayon::ThreadPool>,
    stats: &mut BoundBabStats,
) -> Option<[Child; 2]> {
    let splittable: Vec<usize> = (0..node.lower.len())
        .filter(|&i| node.upper[i] - node.lower[i] > min_fraction * root_width[i].max(1e-12))
        .collect();
    let evaluated: Vec<[Child; 2]> = match pool {
        Some(pool) if splittable.len() > 1 => {
            let shared: &Propagator<'_> = prop;
            pool.install(|| {
                splittable
                    .par_iter()
                    .map_init(
                        || shared.clone(),
                        |p, &i| halves(p, domain, node, i, parent, guide),
                    )
                    .collect()
            })
        }
        _ => splittable
            .iter()
            .map(|&i| halves(prop, domain, node, i, parent, guide))
            .collect(),
    };
    stats.strong_evaluations += 2 * evaluated.len() as u64;
    let mut best: Option<((f64, f64), [Child; 2])> = None;
    for children in evaluated {
        let (left, right) = (children[0].bound, children[1].bound);
        let score = (
            left.max(0.0) + right.max(0.0),
            left.max(-1e300) + right.max(-1e300),
        );
        if best.as_ref().is_none_or(|(s, _)| score < *s) {
            best = Some((score, children));
        }
    }
    best.map(|(_, children)| children)
}

/// The two halves of `node` split at the middle of input `i`, each bounded by [`child_bound`].
fn halves(
    prop: &mut Propagator<'_>,
    domain: &InputDomain,
    node: &Node,
    i: usize,
    parent: &NeuronBounds,
    guide: &ChildGuide<'_>,
) -> [Child; 2] {
    let mid = 0.5 * (node.lower[i] + node.upper[i]);
    let mut left_upper = node.upper.clone();
    left_upper[i] = mid;
    let mut right_lower = node.lower.clone();
    right_lower[i] = mid;
    let mut buffer = NeuronBounds::unbounded(prop.network());
    let left = child_bound(
        prop,
        domain,
        &node.lower,
        &left_upper,
        &node.phases,
        parent,
        guide,
        &mut buffer,
    );
    let left_bounds = Arc::new(buffer.clone());
    let right = child_bound(
        prop,
        domain,
        &right_lower,
        &node.upper,
        &node.phases,
        parent,
        guide,
        &mut buffer,
    );
    [
        Child {
            lower: node.lower.clone(),
            upper: left_upper,
            bound: left,
            bounds: left_bounds,
        },
        Child {
            lower: right_lower,
            upper: node.upper.clone(),
            bound: right,
            bounds: Arc::new(buffer),
        },
    ]
}

/// Halves the input with the largest |coefficient| × width; `None` when every input is too narrow.
fn split_input(node: &Node, ob: &ObjectiveBound, root_width: &[f64], min_fraction: f64) -> Option<Split> {
    let mut best: Option<(f64, usize)> = None;
    for i in 0..node.lower.len() {
        let w = node.upper[i] - node.lower[i];
        if w <= min_fraction * root_width[i].max(1e-12) {
            continue;
        }
        let coeff = ob.input_coeffs.get(i).copied().unwrap_or(0.0).abs();
        // Ties (zero coefficients): the widest relative range.
        let score = w * coeff + 1e-12 * w / root_width[i].max(1e-12);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, i));
        }
    }
    let (_, i) = best?;
    let mid = 0.5 * (node.lower[i] + node.upper[i]);
    let mut left_upper = node.upper.clone();
    left_upper[i] = mid;
    let mut right_lower = node.lower.clone();
    right_lower[i] = mid;
    Some(vec![
        (node.lower.clone(), left_upper, node.phases.clone()),
        (right_lower, node.upper.clone(), node.phases.clone()),
    ])
}

/// Fixes the free unstable neuron chosen by [`activation_split_choice`]; `None` when no neuron is left.
fn split_activation(
    node: &Node,
    ob: &ObjectiveBound,
    bounds: &NeuronBounds,
    relu_index: &[Option<usize>],
    last: usize,
) -> Option<Split> {
    let (r, j) = activation_split_choice(&node.phases, ob, bounds, relu_index, last)?;
    let mut inactive = node.phases.clone();
    inactive[r][j] = Phase::Inactive;
    let mut active = node.phases.clone();
    active[r][j] = Phase::Active;
    Some(vec![
        (node.lower.clone(), node.upper.clone(), inactive),
        (node.lower.clone(), node.upper.clone(), active),
    ])
}

/// The free unstable neuron (ReLU layer, index) with the largest score: the intercept of its upper
/// relaxation `-l u / (u - l)` times its positive coefficient in the bound (what fixing it removes from the
/// bound), with the relaxation's width as a tie-break; `None` when no neuron is left to fix.
pub(crate) fn activation_split_choice(
    phases: &[Vec<Phase>],
    ob: &ObjectiveBound,
    bounds: &NeuronBounds,
    relu_index: &[Option<usize>],
    last: usize,
) -> Option<(usize, usize)> {
    let mut best: Option<(f64, usize, usize)> = None;
    for m in 0..last {
        let Some(r) = relu_index[m] else { continue };
        for j in 0..bounds.lower[m].len() {
            let (l, u) = (bounds.lower[m][j], bounds.upper[m][j]);
            if !(l < 0.0 && u > 0.0) || phases[r][j] != Phase::Free {
                continue;
            }
            let lam = ob.coeffs.get(m).and_then(|c| c.get(j)).copied().unwrap_or(0.0);
            let intercept = -l * u / (u - l);
            let score = lam.max(0.0) * intercept + 1e-3 * lam.abs() * intercept + 1e-12 * intercept;
            if best.is_none_or(|(s, _, _)| score > s) {
                best = Some((score, r, j));
            }
        }
    }
    best.map(|(_, r, j)| (r, j))
}
