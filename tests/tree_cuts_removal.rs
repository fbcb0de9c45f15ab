//! Removal of slack cuts below the root: warm re-solves after rows leave the LP (and the open nodes' stored
//! bases are rewritten) agree with cold solves within a bounded number of iterations, and a search that removes
//! every slack tree cut at once still proves the same optimum as one without tree cuts.

use relumip::bounds::interval_bounds;
use relumip::cuts::NeuronCuts;
use relumip::log::Log;
use relumip::lp::{Basis, DualSimplex, LpOptions, LpProblem, LpStatus, RowSpec, Sense, VarStatus};
use relumip::mip::{
    remove_rows_everywhere, MipOptions, MipStatus, Node, NodeQueue, Plugins, Search, Separator, TreeCutLimits,
};
use relumip::nn::{Layer, Network};
use relumip::options::CutTree;
use relumip::relu::{ActivationBranching, ActivationScore, LayerPropagator, ReluModel, SplitMode};
use relumip::spec::InputDomain;
use std::collections::HashMap;
use std::sync::Arc;

/// A small deterministic generator (xorshift64*), so that every failure names its seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Iterations one warm re-solve may take: far more than any healthy re-solve of these LPs needs, far fewer
/// than a cycling or looping one runs.
const ITERATION_LIMIT: u64 = 2_000;

fn lp_options() -> LpOptions {
    LpOptions {
        iteration_limit: Some(ITERATION_LIMIT),
        ..LpOptions::default()
    }
}

/// A random row through `point`: `a x <= a point + slack` (and sometimes a finite lower side too).
fn row_through(rng: &mut Rng, point: &[f64], slack: f64) -> RowSpec {
    let n = point.len();
    let mut coeffs = Vec::new();
    for j in 0..n {
        if rng.below(3) != 0 {
            coeffs.push((j, rng.uniform(-2.0, 2.0)));
        }
    }
    if coeffs.is_empty() {
        coeffs.push((rng.below(n), 1.0));
    }
    let at: f64 = coeffs.iter().map(|&(j, a)| a * point[j]).sum();
    let lower = if rng.below(4) == 0 {
        at - slack - rng.uniform(0.0, 1.0)
    } else {
        f64::NEG_INFINITY
    };
    RowSpec {
        lower,
        upper: at + slack,
        coeffs,
    }
}

/// The basis as the search installs it: cuts added since it was stored have basic logicals.
fn install(lp: &mut DualSimplex, basis: &Basis) {
    let rows = lp.num_rows();
    if basis.row_status.len() <= rows && basis.col_status.len() == lp.num_cols() {
        let mut b = basis.clone();
        b.row_status.resize(rows, VarStatus::Basic);
        lp.set_basis(&b).unwrap();
    }
}

/// The optimum of the LP solved from scratch.
fn cold(problem: &LpProblem) -> f64 {
    let mut fresh = DualSimplex::new(problem, LpOptions::default()).unwrap();
    assert_eq!(fresh.solve(), LpStatus::Optimal);
    fresh.objective_value()
}

/// A tree-like sequence on a random LP that stays feasible (every row and bound holds at a hidden point):
/// nodes change column bounds, add cuts, store their basis in open nodes, and slack cuts are removed from the
/// LP and from every stored basis; each warm re-solve (from the LP's basis or a stored one) must agree with a
/// cold solve within `ITERATION_LIMIT` iterations.
#[test]
fn warm_resolves_after_cut_removal_agree_with_cold_solves_seed_1_to_30() {
    let mut removals = 0;
    for seed in 1..=30u64 {
        let mut rng = Rng::new(seed);
        let n = 8 + rng.below(8);
        let m = 4 + rng.below(8);
        let hidden: Vec<f64> = (0..n).map(|_| rng.uniform(-0.8, 0.8)).collect();
        let mut p = LpProblem::new(if rng.below(2) == 0 {
            Sense::Minimize
        } else {
            Sense::Maximize
        });
        for j in 0..n {
            p.add_col(rng.uniform(-1.0, 1.0), -1.0, 1.0, format!("x{j}"));
        }
        for i in 0..m {
            let slack = rng.uniform(0.0, 0.5);
            let row = row_through(&mut rng, &hidden, slack);
            p.add_row(row.lower, row.upper, row.coeffs, format!("r{i}"));
        }
        let base = p.num_rows();
        let mut lp = DualSimplex::new(&p, lp_options()).unwrap();
        assert_eq!(lp.solve(), LpStatus::Optimal, "seed {seed}: root");
        let mut queue = NodeQueue::new();
        let mut node_bounds: HashMap<u64, (Vec<f64>, Vec<f64>)> = HashMap::new();
        let mut next_id = 1u64;
        for step in 0..120 {
            match rng.below(6) {
                // Branch: a column's range shrinks around the hidden point.
                0 | 1 => {
                    let j = rng.below(n);
                    let (l, u) = (lp.problem().col_lower[j], lp.problem().col_upper[j]);
                    let (nl, nu) = if rng.below(2) == 0 {
                        (l, rng.uniform(hidden[j], u))
                    } else {
                        (rng.uniform(l, hidden[j]), u)
                    };
                    lp.set_col_bounds(j, nl, nu);
                }
                // Separate: cuts that hold at the hidden point, some tight at the optimum.
                2 => {
                    let k = 1 + rng.below(6);
                    let cuts: Vec<RowSpec> = (0..k)
                        .map(|_| {
                            let slack = rng.uniform(0.0, 0.3);
                            row_through(&mut rng, &hidden, slack)
                        })
                        .collect();
                    lp.add_rows(&cuts);
                }
                // Store the current basis in an open node (siblings share one).
                3 => {
                    let basis = Arc::new(lp.basis());
                    for _ in 0..2 {
                        let id = next_id;
                        next_id += 1;
                        queue.push(Node {
                            id,
                            parent: 0,
                            depth: 1,
                            changes: Vec::new(),
                            basis: Some(basis.clone()),
                            bound: rng.uniform(-1.0, 1.0),
                            parent_objective: f64::NEG_INFINITY,
                            branched: None,
                        });
                        node_bounds.insert(
                            id,
                            (lp.problem().col_lower.clone(), lp.problem().col_upper.clone()),
                        );
                    }
                }
                // Remove cuts (slack ones, or any: the LP must cope either way).
                4 => {
                    let activities = lp.row_activities();
                    let q = lp.problem();
                    let only_slack = rng.below(3) != 0;
                    let rows: Vec<usize> = (base..lp.num_rows())
                        .filter(|&r| {
                            let slack = activities[r] < q.row_upper[r] - 1e-6
                                && activities[r] > q.row_lower[r] + 1e-6;
                            (slack || !only_slack) && rng.below(2) == 0
                        })
                        .collect();
                    removals += rows.len();
                    remove_rows_everywhere(&mut lp, &mut queue, &rows);
                }
                // Jump to an open node: its bounds and its stored basis.
                _ => {
                    let Some(id) = queue.best() else { continue };
                    let node = queue.take(id).unwrap();
                    let (lo, hi) = &node_bounds[&id];
                    for j in 0..n {
                        lp.set_col_bounds(j, lo[j], hi[j]);
                    }
                    if let Some(b) = &node.basis {
                        assert!(
                            b.row_status.len() <= lp.num_rows(),
                            "seed {seed}: a stored basis outgrew the LP"
                        );
                        install(&mut lp, b);
                    }
                }
            }
            let status = lp.solve();
            assert_eq!(
                status,
                LpStatus::Optimal,
                "seed {seed} step {step}: warm re-solve ended {status:?} after {} iterations",
                lp.last_iterations()
            );
            let (warm, reference) = (lp.objective_value(), cold(lp.problem()));
            assert!(
                (warm - reference).abs() <= 1e-6 * (1.0 + reference.abs()),
                "seed {seed} step {step}: warm {warm} vs cold {reference}"
            );
        }
    }
    assert!(
        removals > 200,
        "only {removals} rows removed: the test proves little"
    );
}

fn random_network(rng: &mut Rng, sizes: &[usize]) -> Network {
    let last = sizes.len() - 2;
    let layers = sizes
        .windows(2)
        .enumerate()
        .map(|(k, w)| {
            let weights = (0..w[0] * w[1]).map(|_| rng.uniform(-1.0, 1.0)).collect();
            let bias = (0..w[1]).map(|_| rng.uniform(-0.5, 0.5)).collect();
            Layer::new(w[0], w[1], weights, bias, k < last).unwrap()
        })
        .collect();
    Network::new(layers).unwrap()
}

/// Maximises an output of a random network with activation branching; returns the result and the log.
fn search(
    model: &ReluModel,
    separators: Vec<Box<dyn Separator>>,
    tree_cuts: TreeCutLimits,
) -> (relumip::mip::MipResult, String) {
    let plugins = Plugins {
        branch_rule: Some(Box::new(ActivationBranching::new(
            model,
            ActivationScore::Babsr,
            SplitMode::Activation,
        ))),
        propagators: vec![Box::new(LayerPropagator::with_crown(model, true, false))],
        separators,
        ..Plugins::default()
    };
    let options = MipOptions {
        node_limit: Some(20_000),
        gap_rel: 1e-9,
        gap_abs: 1e-9,
        tree_cuts,
        lp: lp_options(),
        ..MipOptions::default()
    };
    let (log, buffer) = Log::buffer();
    let result = Search::new(model.mip.clone(), options, plugins, log)
        .solve()
        .unwrap();
    (result, buffer.text())
}

/// Every slack tree cut leaves the LP at the next node (`max_age` 0, batches of one), global and local cut modes:
/// the optimum is the one found without tree cuts, and no LP solve needs more than `ITERATION_LIMIT` iterations
/// (a solve that did would leave the node unresolved and the status short of optimal).
#[test]
fn removing_every_slack_tree_cut_keeps_the_optimum_seed_161_to_164() {
    let mut removed = 0usize;
    for seed in 161..=164u64 {
        let mut rng = Rng::new(seed);
        let net = random_network(&mut rng, &[4, 8, 8, 2]);
        let (lower, upper) = (vec![-1.0; 4], vec![1.0; 4]);
        let bounds = interval_bounds(&net, &lower, &upper);
        let domain = InputDomain::boxed(lower, upper).unwrap();
        let mut model = ReluModel::new(&net, &domain, &bounds).unwrap();
        let out = model.output_col(0).expect("a live output");
        model.set_objective(Sense::Maximize, &[(out, 1.0)], 0.0);
        let (plain, _) = search(&model, Vec::new(), TreeCutLimits::default());
        assert_eq!(plain.status, MipStatus::Optimal, "seed {seed}: without cuts");
        let expected = plain.objective.unwrap();
        for mode in [CutTree::Global, CutTree::Local] {
            let aggressive = TreeCutLimits {
                max_age: 0,
                removal_batch: 1,
                ..TreeCutLimits::default()
            };
            let separators: Vec<Box<dyn Separator>> =
                vec![Box::new(NeuronCuts::ideal(&model, 200).with_tree(mode))];
            let (r, text) = search(&model, separators, aggressive);
            assert_eq!(r.status, MipStatus::Optimal, "seed {seed} {mode:?}\n{text}");
            let value = r.objective.unwrap();
            assert!(
                (value - expected).abs() <= 1e-6 * (1.0 + expected.abs()),
                "seed {seed} {mode:?}: {value} with tree cuts, {expected} without"
            );
            removed += text
                .lines()
                .find_map(|l| {
                    let rest = l.split("Tree cuts: ").nth(1)?;
                    let before = rest.split(" slack removed").next()?;
                    before.rsplit(' ').next()?.parse::<usize>().ok()
                })
                .unwrap_or(0);
        }
    }
    assert!(
        removed > 50,
        "only {removed} tree cuts removed: the test proves little"
    );
}
