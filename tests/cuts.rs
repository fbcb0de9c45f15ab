//! Ideal cuts, partition cuts and P-split formulations: validity on true ReLU graphs and strength against the
//! explicit convex hull (Balas's extended formulation, built here independently of the code under test).

use relumip::bounds::interval_bounds;
use relumip::cuts::{
    add_partition_formulation_to_model, add_psplit, cut_neurons, partition_inputs, separate_ideal,
    separate_partition, CutFamily, NeuronCut, NeuronCuts, NeuronSeparator, NeuronView, PartitionStrategy,
    PsplitNeuron, SeparationTolerance,
};
use relumip::log::Log;
use relumip::lp::{DualSimplex, LpOptions, LpProblem, LpStatus, RowSpec, Sense};
use relumip::mip::{MipOptions, MipStatus, NodeView, Plugins, Search, Separator, TreeCut};
use relumip::nn::{Layer, Network};
use relumip::options::{Branching, CutKind, CutTree, Formulation, SolverOptions};
use relumip::relu::{ActivationBranching, ActivationScore, LayerPropagator, ReluModel, SplitMode};
use relumip::solver::{build_model, solve_model, SolveSetup};
use relumip::spec::InputDomain;

#[path = "cuts_support/dense_lp.rs"]
mod dense_lp;
use dense_lp::solve_dense;
use std::sync::{Arc, Mutex};

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
    /// Uniform in `[lo, hi)`.
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_network(rng: &mut Rng, sizes: &[usize]) -> Network {
    let layers = sizes
        .windows(2)
        .enumerate()
        .map(|(k, s)| {
            let weights = (0..s[0] * s[1])
                .map(|_| {
                    if rng.below(6) == 0 {
                        0.0
                    } else {
                        rng.uniform(-1.0, 1.0)
                    }
                })
                .collect();
            let bias = (0..s[1]).map(|_| rng.uniform(-0.5, 0.5)).collect();
            Layer::new(s[0], s[1], weights, bias, k + 2 < sizes.len()).unwrap()
        })
        .collect();
    Network::new(layers).unwrap()
}

/// One hidden neuron of a network with its input box (the previous layer's post-activation interval bounds).
struct Neuron {
    weights: Vec<f64>,
    bias: f64,
    lower: Vec<f64>,
    upper: Vec<f64>,
}

impl Neuron {
    fn view(&self) -> NeuronView<'_> {
        NeuronView {
            weights: &self.weights,
            bias: self.bias,
            input_lower: &self.lower,
            input_upper: &self.upper,
        }
    }
}

/// Every ReLU neuron of `net` over the input box, as `(layer, index, neuron)`.
fn hidden_neurons(net: &Network, lower: &[f64], upper: &[f64]) -> Vec<(usize, usize, Neuron)> {
    let bounds = interval_bounds(net, lower, upper);
    let mut out = Vec::new();
    for (k, layer) in net.layers().iter().enumerate().filter(|(_, l)| l.has_relu()) {
        let (lo, hi) = if k == 0 {
            (lower.to_vec(), upper.to_vec())
        } else {
            let relu = |v: &Vec<f64>| v.iter().map(|t| t.max(0.0)).collect::<Vec<_>>();
            (relu(&bounds.lower[k - 1]), relu(&bounds.upper[k - 1]))
        };
        for j in 0..layer.outputs() {
            out.push((
                k,
                j,
                Neuron {
                    weights: layer.row(j).to_vec(),
                    bias: layer.bias()[j],
                    lower: lo.clone(),
                    upper: hi.clone(),
                },
            ));
        }
    }
    out
}

/// Points `(x, y, z)` of the neuron's true graph for a network input: `z` is 1 when active, 0 when inactive,
/// and both when the pre-activation is exactly zero.
fn graph_points(net: &Network, input: &[f64], layer: usize, index: usize) -> Vec<(Vec<f64>, f64, f64)> {
    let pre = net.pre_activations(input);
    let x = if layer == 0 {
        input.to_vec()
    } else {
        pre[layer - 1].iter().map(|t| t.max(0.0)).collect()
    };
    let a = pre[layer][index];
    let y = a.max(0.0);
    match a.partial_cmp(&0.0) {
        Some(std::cmp::Ordering::Greater) => vec![(x, y, 1.0)],
        Some(std::cmp::Ordering::Less) => vec![(x, y, 0.0)],
        _ => vec![(x.clone(), y, 0.0), (x, y, 1.0)],
    }
}

/// Cuts separated at random points of the neuron's big-M box (loose points, so many cuts are found).
fn random_cuts(rng: &mut Rng, neuron: &Neuron, rounds: usize) -> Vec<NeuronCut> {
    let view = neuron.view();
    let (_, m_plus) = view.preactivation_bounds();
    let tol = SeparationTolerance::default();
    let mut cuts = Vec::new();
    for round in 0..rounds {
        let x: Vec<f64> = neuron
            .lower
            .iter()
            .zip(&neuron.upper)
            .map(|(l, u)| rng.uniform(*l, *u))
            .collect();
        let y = rng.uniform(0.0, m_plus.max(0.0) + 0.1);
        let z = rng.uniform(0.0, 1.0);
        cuts.extend(separate_ideal(&view, &x, y, z, &tol));
        let groups = 1 + round % 4;
        let strategy = if round % 2 == 0 {
            PartitionStrategy::EqualSize
        } else {
            PartitionStrategy::EqualRange
        };
        let parts = partition_inputs(&view, groups, strategy);
        cuts.extend(separate_partition(&view, &parts, &x, y, z, &tol));
    }
    cuts
}

#[test]
fn ideal_and_partition_cuts_never_cut_off_the_relu_graph_seed_1_to_8() {
    let mut total_cuts = 0;
    for seed in 1..=8u64 {
        let mut rng = Rng::new(seed);
        let net = random_network(&mut rng, &[4, 6, 5, 2]);
        let (lower, upper) = (vec![-1.0; 4], vec![1.0; 4]);
        for (layer, index, neuron) in hidden_neurons(&net, &lower, &upper) {
            let cuts = random_cuts(&mut rng, &neuron, 40);
            total_cuts += cuts.len();
            let mut inputs: Vec<Vec<f64>> = (0..200)
                .map(|_| (0..4).map(|_| rng.uniform(-1.0, 1.0)).collect())
                .collect();
            // The corners of the input box, where the graph touches the box.
            inputs
                .extend((0..16).map(|m| (0..4).map(|i| if m >> i & 1 == 1 { 1.0 } else { -1.0 }).collect()));
            for input in &inputs {
                for (x, y, z) in graph_points(&net, input, layer, index) {
                    for cut in &cuts {
                        let excess = cut.lhs(&x, y, z) - cut.rhs;
                        assert!(
                            excess <= 1e-9,
                            "seed {seed}: neuron ({layer},{index}) cut off by {excess}: {cut:?}"
                        );
                    }
                }
            }
        }
    }
    assert!(
        total_cuts > 100,
        "too few cuts separated ({total_cuts}) for the test to mean anything"
    );
}

#[test]
fn ideal_cuts_hold_at_every_corner_of_a_single_neuron_box_seed_11_to_30() {
    for seed in 11..=30u64 {
        let mut rng = Rng::new(seed);
        let n = 2 + rng.below(4);
        let neuron = random_neuron(&mut rng, n);
        let cuts = random_cuts(&mut rng, &neuron, 60);
        for mask in 0..1usize << n {
            let x: Vec<f64> = (0..n)
                .map(|i| {
                    if mask >> i & 1 == 1 {
                        neuron.upper[i]
                    } else {
                        neuron.lower[i]
                    }
                })
                .collect();
            let a = neuron.bias + neuron.weights.iter().zip(&x).map(|(w, v)| w * v).sum::<f64>();
            let zs: &[f64] = if a > 0.0 {
                &[1.0]
            } else if a < 0.0 {
                &[0.0]
            } else {
                &[0.0, 1.0]
            };
            for &z in zs {
                for cut in &cuts {
                    assert!(
                        cut.lhs(&x, a.max(0.0), z) <= cut.rhs + 1e-9,
                        "seed {seed}: corner {mask} cut off"
                    );
                }
            }
        }
    }
}

/// A neuron with `n` inputs, unstable over its box, with one fixed input and one zero weight when `n >= 4`.
fn random_neuron(rng: &mut Rng, n: usize) -> Neuron {
    random_neuron_with(rng, n, true)
}

/// A neuron with `n` inputs, unstable over its box; with `degenerate` and `n >= 4`, input 0 has weight zero and
/// input 1 is fixed.
fn random_neuron_with(rng: &mut Rng, n: usize, degenerate: bool) -> Neuron {
    loop {
        let mut weights: Vec<f64> = (0..n).map(|_| rng.uniform(-2.0, 2.0)).collect();
        let mut lower: Vec<f64> = (0..n).map(|_| rng.uniform(-2.0, 0.5)).collect();
        let upper: Vec<f64> = lower.iter().map(|l| l + rng.uniform(0.1, 2.0)).collect();
        if degenerate && n >= 4 {
            weights[0] = 0.0;
            lower[1] = upper[1];
        }
        let neuron = Neuron {
            weights,
            bias: rng.uniform(-1.0, 1.0),
            lower,
            upper,
        };
        let (lo, hi) = neuron.view().preactivation_bounds();
        if lo < -0.1 && hi > 0.1 {
            return neuron;
        }
    }
}

#[test]
fn psplit_admits_every_graph_point_with_its_split_seed_41_to_50() {
    for seed in 41..=50u64 {
        let mut rng = Rng::new(seed);
        let n = 3 + rng.below(5);
        let neuron = random_neuron(&mut rng, n);
        for groups in 1..=n {
            let strategy = if groups % 2 == 0 {
                PartitionStrategy::EqualRange
            } else {
                PartitionStrategy::EqualSize
            };
            let parts = partition_inputs(&neuron.view(), groups, strategy);
            let (lp, cols) = single_neuron_lp(&neuron, |lp, x, y, z| {
                psplit_rows(lp, &neuron, x, y, z, &parts);
            });
            for _ in 0..50 {
                let x: Vec<f64> = neuron
                    .lower
                    .iter()
                    .zip(&neuron.upper)
                    .map(|(l, u)| rng.uniform(*l, *u))
                    .collect();
                let a = neuron.bias + neuron.weights.iter().zip(&x).map(|(w, v)| w * v).sum::<f64>();
                let z = if a > 0.0 { 1.0 } else { 0.0 };
                // The split puts each group's partial sum wholly in the active or the inactive part.
                let mut point = vec![0.0; lp.num_cols()];
                point[..n].copy_from_slice(&x);
                point[cols.y] = a.max(0.0);
                point[cols.z] = z;
                for (g, part) in parts.iter().enumerate() {
                    let sum: f64 = part.iter().map(|&i| neuron.weights[i] * x[i]).sum();
                    point[cols.extra + 2 * g + usize::from(z == 1.0)] = sum;
                }
                let worst = lp.max_violation(&point);
                assert!(
                    worst <= 1e-9,
                    "seed {seed}, {groups} groups: a graph point violates P-split by {worst}"
                );
            }
        }
    }
}

/// Where the single-neuron LPs keep their columns: inputs `0..n`, then `y`, `z`, then any extra columns.
struct Cols {
    y: usize,
    z: usize,
    extra: usize,
}

/// The LP over `(x, y, z)` with the box, `y >= 0`, `0 <= z <= 1` and the rows `rows` adds.
fn single_neuron_lp(
    neuron: &Neuron,
    rows: impl FnOnce(&mut LpProblem, &[usize], usize, usize),
) -> (LpProblem, Cols) {
    let n = neuron.weights.len();
    let mut lp = LpProblem::new(Sense::Maximize);
    let x: Vec<usize> = (0..n)
        .map(|i| lp.add_col(0.0, neuron.lower[i], neuron.upper[i], format!("x{i}")))
        .collect();
    let y = lp.add_col(0.0, 0.0, f64::INFINITY, "y");
    let z = lp.add_col(0.0, 0.0, 1.0, "z");
    let extra = lp.num_cols();
    rows(&mut lp, &x, y, z);
    (lp, Cols { y, z, extra })
}

fn psplit_rows(lp: &mut LpProblem, neuron: &Neuron, x: &[usize], y: usize, z: usize, parts: &[Vec<usize>]) {
    let spec = PsplitNeuron {
        view: neuron.view(),
        input_cols: x,
        y_col: y,
        z_col: z,
        name: "n",
    };
    add_psplit(lp, &spec, parts).expect("unstable neuron with a valid partition");
}

/// Big-M rows with the box's interval bounds: `y >= w x + b`, `y <= w x + b - M- (1 - z)`, `y <= M+ z`.
fn big_m_rows(lp: &mut LpProblem, neuron: &Neuron, x: &[usize], y: usize, z: usize) {
    let (m_minus, m_plus) = neuron.view().preactivation_bounds();
    let b = neuron.bias;
    let mut affine: Vec<(usize, f64)> = x.iter().zip(&neuron.weights).map(|(&c, &w)| (c, -w)).collect();
    affine.push((y, 1.0));
    lp.add_row(b, f64::INFINITY, affine.clone(), "relu_lo");
    affine.push((z, -m_minus));
    lp.add_row(f64::NEG_INFINITY, b - m_minus, affine, "relu_up");
    lp.add_row(f64::NEG_INFINITY, 0.0, vec![(y, 1.0), (z, -m_plus)], "relu_on");
}

/// Balas's extended formulation of the two disjuncts `{a <= 0, y = 0}` and `{a >= 0, y = a}` over the box:
/// `x = x0 + x1`, `L (1-z) <= x0 <= U (1-z)`, `L z <= x1 <= U z`, `w x0 + b (1-z) <= 0`, `y = w x1 + b z >= 0`.
fn balas_rows(lp: &mut LpProblem, neuron: &Neuron, x: &[usize], y: usize, z: usize) {
    let b = neuron.bias;
    let mut off = Vec::new();
    let mut on = Vec::new();
    for i in 0..x.len() {
        let (l, u) = (neuron.lower[i], neuron.upper[i]);
        let x0 = lp.add_col(0.0, l.min(0.0), u.max(0.0), format!("x0_{i}"));
        let x1 = lp.add_col(0.0, l.min(0.0), u.max(0.0), format!("x1_{i}"));
        lp.add_row(0.0, 0.0, vec![(x[i], 1.0), (x0, -1.0), (x1, -1.0)], "split");
        lp.add_row(l, f64::INFINITY, vec![(x0, 1.0), (z, l)], "x0lo");
        lp.add_row(f64::NEG_INFINITY, u, vec![(x0, 1.0), (z, u)], "x0up");
        lp.add_row(0.0, f64::INFINITY, vec![(x1, 1.0), (z, -l)], "x1lo");
        lp.add_row(f64::NEG_INFINITY, 0.0, vec![(x1, 1.0), (z, -u)], "x1up");
        off.push((x0, neuron.weights[i]));
        on.push((x1, -neuron.weights[i]));
    }
    off.push((z, -b));
    lp.add_row(f64::NEG_INFINITY, -b, off, "off");
    on.push((y, 1.0));
    on.push((z, -b));
    lp.add_row(0.0, 0.0, on, "on");
}

/// Which LP solver a strength test uses: the dense reference of the tests, or the project's dual simplex.
#[derive(Clone, Copy, Debug)]
enum Engine {
    Dense,
    Simplex,
}

/// Optimal value of `lp` (which must be optimal).
fn solve(engine: Engine, lp: &LpProblem) -> f64 {
    match engine {
        Engine::Dense => solve_dense(lp).0,
        Engine::Simplex => {
            let mut simplex = DualSimplex::new(lp, LpOptions::default()).unwrap();
            assert_eq!(simplex.solve(), LpStatus::Optimal);
            simplex.objective_value()
        }
    }
}

/// Solves, separates at the optimum, adds the cut and repeats until nothing is separated; returns the final
/// value and the number of rounds. The dual simplex re-solves warm after `add_rows`; the dense reference
/// re-solves from scratch.
fn cut_loop(
    engine: Engine,
    lp: &mut LpProblem,
    separate: impl Fn(&[f64]) -> Option<RowSpec>,
) -> (f64, usize) {
    const MAX_ROUNDS: usize = 300;
    match engine {
        Engine::Dense => {
            for round in 0..MAX_ROUNDS {
                let (value, x) = solve_dense(lp);
                match separate(&x) {
                    Some(row) => {
                        lp.add_row(row.lower, row.upper, row.coeffs, format!("cut{round}"));
                    }
                    None => return (value, round),
                }
            }
        }
        Engine::Simplex => {
            let mut simplex = DualSimplex::new(lp, LpOptions::default()).unwrap();
            for round in 0..MAX_ROUNDS {
                assert_eq!(simplex.solve(), LpStatus::Optimal);
                match separate(&simplex.col_values()) {
                    Some(row) => {
                        simplex.add_rows(&[row]);
                    }
                    None => return (simplex.objective_value(), round),
                }
            }
        }
    }
    panic!("the cut loop did not converge in {MAX_ROUNDS} rounds");
}

/// Random objective over `(x, y, z)` that rewards `y`, so that the relaxations differ.
fn random_objective(rng: &mut Rng, lp: &mut LpProblem, n: usize, cols: &Cols) {
    for i in 0..n {
        lp.cost[i] = rng.uniform(-1.0, 1.0);
    }
    lp.cost[cols.y] = 1.0 + rng.uniform(0.0, 1.0);
    lp.cost[cols.z] = rng.uniform(-1.0, 1.0);
}

fn ideal_cuts_reach_the_hull(engine: Engine, seeds: std::ops::RangeInclusive<u64>) {
    let mut loose = 0;
    for seed in seeds {
        let mut rng = Rng::new(seed);
        let n = 2 + rng.below(6);
        let neuron = random_neuron(&mut rng, n);
        let (mut hull, cols) = single_neuron_lp(&neuron, |lp, x, y, z| balas_rows(lp, &neuron, x, y, z));
        random_objective(&mut rng, &mut hull, n, &cols);
        let cost = hull.cost[..cols.extra].to_vec();
        let hull_value = solve(engine, &hull);
        let (mut lp, _) = single_neuron_lp(&neuron, |lp, x, y, z| big_m_rows(lp, &neuron, x, y, z));
        lp.cost.copy_from_slice(&cost);
        let big_m = solve(engine, &lp);
        let input_cols: Vec<usize> = (0..n).collect();
        let tol = SeparationTolerance::default();
        let (cut_value, rounds) = cut_loop(engine, &mut lp, |v| {
            separate_ideal(&neuron.view(), &v[..n], v[cols.y], v[cols.z], &tol)
                .map(|cut| cut.to_row(&input_cols, cols.y, cols.z))
        });
        let scale = 1.0 + hull_value.abs();
        assert!(
            big_m >= hull_value - 1e-7 * scale,
            "seed {seed}: big-M {big_m} below the hull {hull_value}"
        );
        assert!(
            (cut_value - hull_value).abs() <= 1e-5 * scale,
            "seed {seed}: ideal cuts reach {cut_value} after {rounds} rounds, hull {hull_value}, big-M {big_m}"
        );
        loose += usize::from(big_m > hull_value + 1e-3 * scale);
    }
    assert!(
        loose >= 5,
        "only {loose} instances where big-M is weaker than the hull: the test proves little"
    );
}

#[test]
fn ideal_cut_loop_reaches_the_convex_hull_bound_seed_61_to_80() {
    ideal_cuts_reach_the_hull(Engine::Dense, 61..=80);
}

#[test]
fn ideal_cut_loop_with_the_dual_simplex_reaches_the_convex_hull_bound_seed_61_to_80() {
    ideal_cuts_reach_the_hull(Engine::Simplex, 61..=80);
}

fn psplit_bounds_are_ordered(engine: Engine, seeds: std::ops::RangeInclusive<u64>) {
    let mut strictly_between = 0;
    for seed in seeds {
        let mut rng = Rng::new(seed);
        // 8 variable inputs, so that equal-size partitions into 1, 2, 4, 8 groups are nested.
        let neuron = random_neuron_with(&mut rng, 8, false);
        let n = 8;
        let (mut hull, cols) = single_neuron_lp(&neuron, |lp, x, y, z| balas_rows(lp, &neuron, x, y, z));
        random_objective(&mut rng, &mut hull, n, &cols);
        let cost = hull.cost[..cols.extra].to_vec();
        let hull_value = solve(engine, &hull);
        let (mut big_m, _) = single_neuron_lp(&neuron, |lp, x, y, z| big_m_rows(lp, &neuron, x, y, z));
        big_m.cost.copy_from_slice(&cost);
        let big_m_value = solve(engine, &big_m);
        let scale = 1.0 + hull_value.abs();
        let mut previous = f64::INFINITY;
        for groups in [1, 2, 4, 8] {
            let parts = partition_inputs(&neuron.view(), groups, PartitionStrategy::EqualSize);
            assert_eq!(parts.len(), groups);
            // P-split alone, without big-M rows, so that N = 1 must equal big-M by itself.
            let (mut lp, _) =
                single_neuron_lp(&neuron, |lp, x, y, z| psplit_rows(lp, &neuron, x, y, z, &parts));
            lp.cost[..cols.extra].copy_from_slice(&cost);
            let value = solve(engine, &lp);
            assert!(
                value <= previous + 1e-7 * scale,
                "seed {seed}: {groups} groups give {value} > {previous}"
            );
            assert!(
                value >= hull_value - 1e-7 * scale,
                "seed {seed}: {groups} groups below the hull"
            );
            if groups == 1 {
                assert!(
                    (value - big_m_value).abs() <= 1e-6 * scale,
                    "seed {seed}: N=1 {value} vs big-M {big_m_value}"
                );
            }
            if groups == n {
                assert!(
                    (value - hull_value).abs() <= 1e-6 * scale,
                    "seed {seed}: N=n {value} vs hull {hull_value}"
                );
            }
            if groups == 2 && value < big_m_value - 1e-3 * scale && value > hull_value + 1e-3 * scale {
                strictly_between += 1;
            }
            previous = value;
        }
    }
    assert!(
        strictly_between >= 3,
        "N=2 strictly between big-M and hull in only {strictly_between} instances"
    );
}

#[test]
fn psplit_bounds_run_from_big_m_to_the_hull_and_shrink_with_finer_nested_partitions_seed_81_to_95() {
    psplit_bounds_are_ordered(Engine::Dense, 81..=95);
}

#[test]
fn psplit_bounds_with_the_dual_simplex_are_ordered_seed_81_to_95() {
    psplit_bounds_are_ordered(Engine::Simplex, 81..=95);
}

fn partition_cuts_reach_the_psplit_bound(engine: Engine, seeds: std::ops::RangeInclusive<u64>) {
    for seed in seeds {
        let mut rng = Rng::new(seed);
        let n = 4 + rng.below(5);
        let neuron = random_neuron(&mut rng, n);
        let parts = partition_inputs(&neuron.view(), 2, PartitionStrategy::EqualSize);
        let (mut psplit, cols) =
            single_neuron_lp(&neuron, |lp, x, y, z| psplit_rows(lp, &neuron, x, y, z, &parts));
        random_objective(&mut rng, &mut psplit, n, &cols);
        let cost = psplit.cost[..cols.extra].to_vec();
        let psplit_value = solve(engine, &psplit);
        let (mut lp, _) = single_neuron_lp(&neuron, |lp, x, y, z| big_m_rows(lp, &neuron, x, y, z));
        lp.cost.copy_from_slice(&cost);
        let input_cols: Vec<usize> = (0..n).collect();
        let tol = SeparationTolerance::default();
        let (value, _) = cut_loop(engine, &mut lp, |v| {
            separate_partition(&neuron.view(), &parts, &v[..n], v[cols.y], v[cols.z], &tol)
                .map(|cut| cut.to_row(&input_cols, cols.y, cols.z))
        });
        let scale = 1.0 + psplit_value.abs();
        assert!(
            (value - psplit_value).abs() <= 1e-5 * scale,
            "seed {seed}: cuts {value}, P-split {psplit_value}"
        );
    }
}

#[test]
fn partition_cut_loop_reaches_the_psplit_bound_seed_101_to_110() {
    partition_cuts_reach_the_psplit_bound(Engine::Dense, 101..=110);
}

#[test]
fn partition_cut_loop_with_the_dual_simplex_reaches_the_psplit_bound_seed_101_to_110() {
    partition_cuts_reach_the_psplit_bound(Engine::Simplex, 101..=110);
}

/// A random network encoded as a big-M model over `[-1, 1]^4` with interval bounds.
fn random_model(rng: &mut Rng) -> ReluModel {
    let net = random_network(rng, &[4, 6, 5, 2]);
    let (lower, upper) = (vec![-1.0; 4], vec![1.0; 4]);
    let bounds = interval_bounds(&net, &lower, &upper);
    let domain = InputDomain::boxed(lower, upper).unwrap();
    ReluModel::new(&net, &domain, &bounds).unwrap()
}

#[test]
fn model_separators_never_cut_off_a_forward_pass_seed_121_to_130() {
    let mut separated = 0;
    for seed in 121..=130u64 {
        let mut rng = Rng::new(seed);
        let model = random_model(&mut rng);
        let lp = &model.mip.lp;
        let neurons = cut_neurons(&model);
        assert_eq!(neurons.len(), model.unstable_count());
        let families = [
            CutFamily::Ideal,
            CutFamily::Partition(2, PartitionStrategy::EqualSize),
            CutFamily::Partition(3, PartitionStrategy::EqualRange),
        ];
        let mut cuts: Vec<RowSpec> = Vec::new();
        for family in families {
            let sep = NeuronSeparator::new(neurons.clone(), family, 1000);
            for _ in 0..30 {
                // Loose points of the column box, binaries fractional.
                let x: Vec<f64> = (0..lp.num_cols())
                    .map(|j| {
                        let l = lp.col_lower[j];
                        rng.uniform(l, lp.col_upper[j].min(l + 5.0))
                    })
                    .collect();
                cuts.extend(
                    sep.separate_point(&x, &lp.col_lower, &lp.col_upper)
                        .into_iter()
                        .map(|(r, _)| r),
                );
            }
        }
        separated += cuts.len();
        for _ in 0..300 {
            let input: Vec<f64> = (0..4).map(|_| rng.uniform(-1.0, 1.0)).collect();
            let point = model.network_point(&input);
            assert!(
                lp.max_violation(&point) <= 1e-9,
                "seed {seed}: the model rejects a forward pass"
            );
            for cut in &cuts {
                let lhs: f64 = cut.coeffs.iter().map(|&(j, a)| a * point[j]).sum();
                assert!(
                    lhs <= cut.upper + 1e-9,
                    "seed {seed}: a cut rejects a forward pass by {}",
                    lhs - cut.upper
                );
            }
        }
    }
    assert!(separated > 100, "only {separated} cuts separated");
}

#[test]
fn partition_formulation_keeps_every_forward_pass_feasible_seed_131_to_136() {
    for seed in 131..=136u64 {
        let mut rng = Rng::new(seed);
        let mut model = random_model(&mut rng);
        let network_cols = model.mip.lp.num_cols();
        let summary = add_partition_formulation_to_model(&mut model, 2, PartitionStrategy::EqualSize);
        assert_eq!(summary.neurons, model.unstable_count());
        assert_eq!(model.mip.integer.len(), model.mip.lp.num_cols());
        for _ in 0..10 {
            let input: Vec<f64> = (0..4).map(|_| rng.uniform(-1.0, 1.0)).collect();
            let point = model.network_point(&input);
            // Fix the network's columns at the forward pass; the P-split columns must then have a feasible value.
            let mut lp = model.mip.lp.clone();
            lp.col_lower[..network_cols].copy_from_slice(&point[..network_cols]);
            lp.col_upper[..network_cols].copy_from_slice(&point[..network_cols]);
            lp.cost.iter_mut().for_each(|c| *c = 0.0);
            let (_, x) = solve_dense(&lp);
            assert!(
                lp.max_violation(&x) <= 1e-7,
                "seed {seed}: no P-split completion of a forward pass"
            );
        }
    }
}

/// Solves max output 0 of a random network over `[-1, 1]^4` in every configuration (cuts at the root only, and in
/// the tree as global or local cuts): every incumbent must be a real
/// forward pass, no configuration's bound may fall below another's incumbent (a cut or formulation that removed
/// a real point would show here), and the configurations that prove optimality agree on the optimum.
#[test]
fn the_milp_optimum_is_the_same_with_and_without_cuts_in_the_tree_and_across_formulations_seed_141_to_146() {
    let configs: [(Formulation, Vec<CutKind>, CutTree); 7] = [
        (Formulation::BigM, vec![], CutTree::Off),
        (Formulation::BigM, vec![CutKind::Ideal], CutTree::Off),
        (Formulation::BigM, vec![CutKind::Ideal], CutTree::Global),
        (
            Formulation::BigM,
            vec![CutKind::Ideal, CutKind::Partition],
            CutTree::Local,
        ),
        (Formulation::Partition(2), vec![], CutTree::Off),
        (Formulation::Partition(4), vec![CutKind::Ideal], CutTree::Off),
        (Formulation::Partition(2), vec![CutKind::Ideal], CutTree::Local),
    ];
    let mut proven = 0;
    for seed in 141..=146u64 {
        let mut rng = Rng::new(seed);
        let net = random_network(&mut rng, &[4, 8, 6, 2]);
        let domain = InputDomain::boxed(vec![-1.0; 4], vec![1.0; 4]).unwrap();
        // The best of many forward passes is a lower bound on the maximum.
        let sampled = (0..2000)
            .map(|_| net.forward(&(0..4).map(|_| rng.uniform(-1.0, 1.0)).collect::<Vec<_>>())[0])
            .fold(f64::NEG_INFINITY, f64::max);
        let mut results = Vec::new();
        for (formulation, cuts, tree) in &configs {
            let options = SolverOptions {
                formulation: *formulation,
                cuts: cuts.clone(),
                cut_tree: *tree,
                time_limit: Some(10.0),
                // Activation splits: a finite tree.
                branching: Branching::Babsr,
                ..SolverOptions::default()
            };
            let mut model = build_model(&net, &domain, &options).unwrap();
            let out = model.output_col(0).expect("a live output");
            model.set_objective(Sense::Maximize, &[(out, 1.0)], 0.0);
            let result = solve_model(&model, &options, SolveSetup::default(), &Log::quiet()).unwrap();
            if let Some(point) = &result.solution {
                let value = result.objective.unwrap();
                let input = model.input_of(point);
                assert!(
                    (net.forward(&input)[0] - value).abs() <= 1e-5 * (1.0 + value.abs()),
                    "seed {seed}"
                );
            }
            results.push(result);
        }
        let best = results.iter().filter_map(|r| r.objective).fold(sampled, f64::max);
        let tol = 1e-5 * (1.0 + best.abs());
        for (k, r) in results.iter().enumerate() {
            let (formulation, cuts, tree) = &configs[k];
            assert!(
                r.bound >= best - tol,
                "seed {seed}, {formulation:?} {cuts:?} {tree:?}: bound {} below a real point {best}",
                r.bound
            );
            if r.status == MipStatus::Optimal {
                proven += 1;
                let value = r.objective.unwrap();
                assert!(
                    (value - best).abs() <= 1e-4 * (1.0 + best.abs()),
                    "seed {seed}, {formulation:?} {cuts:?} {tree:?}: {value} vs {best}"
                );
            }
        }
    }
    assert!(proven >= 21, "only {proven} of 42 solves proved optimality");
}

/// A cut returned in the tree with the node bounds it was separated under.
struct TreeRecord {
    cut: TreeCut,
    lower: Vec<f64>,
    upper: Vec<f64>,
}

/// Passes separation through to ideal cuts in the tree (global and local) and records every tree cut.
struct Recording {
    inner: NeuronCuts,
    log: Arc<Mutex<Vec<TreeRecord>>>,
}

impl Separator for Recording {
    fn name(&self) -> &str {
        "recording"
    }
    fn separate(&mut self, view: &NodeView) -> Vec<RowSpec> {
        self.inner.separate(view)
    }
    fn in_tree(&self, view: &NodeView) -> bool {
        self.inner.in_tree(view)
    }
    fn separate_tree(&mut self, view: &NodeView, allow_local: bool) -> Vec<TreeCut> {
        let cuts = self.inner.separate_tree(view, allow_local);
        let mut log = self.log.lock().unwrap();
        for cut in &cuts {
            log.push(TreeRecord {
                cut: cut.clone(),
                lower: view.col_lower.to_vec(),
                upper: view.col_upper.to_vec(),
            });
        }
        cuts
    }
}

/// Searches a random network's max output with ideal cuts in the tree (global and local) under the model's
/// propagator and branching, and checks every tree cut against many forward passes: a global cut must hold at
/// every one, a local cut at every one inside its node's bounds.
#[test]
fn tree_cuts_never_cut_off_a_forward_pass_global_or_local_within_their_node_seed_151_to_156() {
    let (mut global_checks, mut local_checks, mut locals) = (0usize, 0usize, 0usize);
    for seed in 151..=156u64 {
        let mut rng = Rng::new(seed);
        let net = random_network(&mut rng, &[4, 10, 8, 2]);
        let (lower, upper) = (vec![-1.0; 4], vec![1.0; 4]);
        let bounds = interval_bounds(&net, &lower, &upper);
        let domain = InputDomain::boxed(lower, upper).unwrap();
        let mut model = ReluModel::new(&net, &domain, &bounds).unwrap();
        let out = model.output_col(0).expect("a live output");
        model.set_objective(Sense::Maximize, &[(out, 1.0)], 0.0);
        let log = Arc::new(Mutex::new(Vec::new()));
        let plugins = Plugins {
            branch_rule: Some(Box::new(ActivationBranching::new(
                &model,
                ActivationScore::Babsr,
                SplitMode::Activation,
            ))),
            propagators: vec![Box::new(LayerPropagator::with_crown(&model, true, false))],
            separators: vec![Box::new(Recording {
                inner: NeuronCuts::ideal(&model, 200).with_tree(CutTree::Local),
                log: log.clone(),
            })],
            ..Plugins::default()
        };
        let options = MipOptions {
            node_limit: Some(300),
            ..MipOptions::default()
        };
        Search::new(model.mip.clone(), options, plugins, Log::quiet())
            .solve()
            .unwrap();
        let records = std::mem::take(&mut *log.lock().unwrap());
        locals += records.iter().filter(|r| r.cut.local).count();
        for _ in 0..3000 {
            let input: Vec<f64> = (0..4).map(|_| rng.uniform(-1.0, 1.0)).collect();
            let point = model.network_point(&input);
            for r in &records {
                let inside = (0..point.len()).all(|j| {
                    let tol = 1e-9 * (1.0 + point[j].abs());
                    point[j] >= r.lower[j] - tol && point[j] <= r.upper[j] + tol
                });
                if r.cut.local && !inside {
                    continue;
                }
                let row = &r.cut.row;
                let lhs: f64 = row.coeffs.iter().map(|&(j, a)| a * point[j]).sum();
                assert!(
                    lhs <= row.upper + 1e-9 * (1.0 + row.upper.abs()),
                    "seed {seed}: a {} tree cut rejects a forward pass by {}",
                    if r.cut.local { "local" } else { "global" },
                    lhs - row.upper
                );
                if r.cut.local {
                    local_checks += 1;
                } else {
                    global_checks += 1;
                }
            }
        }
    }
    assert!(locals > 0, "no local cut separated");
    assert!(global_checks > 10_000, "only {global_checks} global checks");
    assert!(local_checks > 100, "only {local_checks} local checks");
}
