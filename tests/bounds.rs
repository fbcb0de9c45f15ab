//! Validity and ordering of the bound methods, against sampled inputs of the domain.

mod common;

use relumip::bounds::{
    compute_bounds, interval_bounds, naive_bounds, propagate, propagate_in_box, BoundMethod, BoundsOptions,
    NeuronBounds, Phase,
};
use relumip::nn::{Layer, Network};
use relumip::spec::InputDomain;

/// A small deterministic generator (xorshift64*), so failures reproduce from the seed in the test name.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

fn random_net(rng: &mut Rng, sizes: &[usize]) -> Network {
    let layers = sizes
        .windows(2)
        .enumerate()
        .map(|(k, w)| {
            let scale = (2.0 / w[0] as f64).sqrt();
            let weights = (0..w[0] * w[1]).map(|_| rng.range(-scale, scale) * 1.5).collect();
            let bias = (0..w[1]).map(|_| rng.range(-0.3, 0.3)).collect();
            Layer::new(w[0], w[1], weights, bias, k + 2 < sizes.len()).unwrap()
        })
        .collect();
    Network::new(layers).unwrap()
}

/// A point of the domain: uniform in the box, or in box ∩ L1 ball (uniform in the ball, then clipped into the
/// box, which stays in the ball when the centre is in the box), or a vertex (`vertex = true`).
fn sample(rng: &mut Rng, d: &InputDomain, vertex: bool) -> Vec<f64> {
    let n = d.dim();
    match &d.ball {
        None => (0..n)
            .map(|i| {
                if vertex {
                    if rng.unit() < 0.5 {
                        d.lower[i]
                    } else {
                        d.upper[i]
                    }
                } else {
                    rng.range(d.lower[i], d.upper[i])
                }
            })
            .collect(),
        Some(ball) if vertex => {
            // Walk coordinates in random order, each to a random box end, until the radius is spent:
            // every vertex of box ∩ L1 ball arises this way.
            let mut x = ball.center.clone();
            d.clip(&mut x);
            let mut budget = ball.radius
                - x.iter()
                    .zip(&ball.center)
                    .map(|(a, c)| (a - c).abs())
                    .sum::<f64>();
            let mut order: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                order.swap(i, rng.below(i + 1));
            }
            for i in order {
                let target = if rng.unit() < 0.5 { d.lower[i] } else { d.upper[i] };
                let step = (target - x[i]).abs().min(budget.max(0.0));
                x[i] += step * (target - x[i]).signum();
                budget -= step;
            }
            x
        }
        Some(ball) => {
            // Uniform in the L1 ball: Dirichlet(1, ..., 1) weights over n + 1 slots, random signs.
            let e: Vec<f64> = (0..=n).map(|_| -(1.0 - rng.unit()).ln()).collect();
            let total: f64 = e.iter().sum();
            let mut x: Vec<f64> = (0..n)
                .map(|i| {
                    let s = if rng.unit() < 0.5 { -1.0 } else { 1.0 };
                    ball.center[i] + s * ball.radius * e[i] / total
                })
                .collect();
            d.clip(&mut x);
            x
        }
    }
}

fn assert_inside(bounds: &NeuronBounds, pre: &[Vec<f64>], what: &str) {
    for (k, z) in pre.iter().enumerate() {
        for (j, v) in z.iter().enumerate() {
            let tol = 1e-9 * (1.0 + v.abs());
            assert!(
                bounds.lower[k][j] <= v + tol && *v <= bounds.upper[k][j] + tol,
                "{what}: layer {k} neuron {j}: {v} outside [{}, {}]",
                bounds.lower[k][j],
                bounds.upper[k][j]
            );
        }
    }
}

fn check_methods(net: &Network, d: &InputDomain, methods: &[BoundMethod], samples: usize, seed: u64) {
    let opts = BoundsOptions::default();
    let all: Vec<NeuronBounds> = methods
        .iter()
        .map(|m| compute_bounds(net, d, *m, &opts).unwrap())
        .collect();
    for w in all.windows(2).zip(methods.windows(2)) {
        assert!(
            w.0[0].contains(&w.0[1], 1e-9),
            "{:?} not inside {:?}",
            w.1[1],
            w.1[0]
        );
    }
    let mut rng = Rng(seed);
    for s in 0..samples {
        let x = sample(&mut rng, d, s % 4 == 0);
        assert!(d.contains(&x, 1e-9), "sampler left the domain");
        let pre = net.pre_activations(&x);
        for (b, m) in all.iter().zip(methods) {
            assert_inside(b, &pre, &format!("{m:?} sample {s}"));
        }
    }
}

const CHEAP: [BoundMethod; 3] = [BoundMethod::Naive, BoundMethod::Interval, BoundMethod::Symbolic];

#[test]
fn cheap_methods_valid_on_box_seed_1() {
    let mut rng = Rng(1);
    for sizes in [[4usize, 8, 8, 3].as_slice(), &[6, 10, 10, 10, 2], &[3, 5, 1]] {
        let net = random_net(&mut rng, sizes);
        let d = InputDomain::uniform(sizes[0], -1.0, 1.0).unwrap();
        check_methods(&net, &d, &CHEAP, 10_000, 11);
    }
}

#[test]
fn cheap_methods_valid_on_linf_ball_seed_2() {
    let mut rng = Rng(2);
    let net = random_net(&mut rng, &[10, 16, 16, 4]);
    let center: Vec<f64> = (0..10).map(|_| rng.unit()).collect();
    let d = InputDomain::uniform(10, 0.0, 1.0)
        .unwrap()
        .intersect_linf(&center, 0.1)
        .unwrap();
    check_methods(&net, &d, &CHEAP, 10_000, 12);
}

#[test]
fn cheap_methods_valid_on_l1_ball_seed_3() {
    let mut rng = Rng(3);
    for n in [2usize, 5, 12] {
        let net = random_net(&mut rng, &[n, 12, 12, 3]);
        let center: Vec<f64> = (0..n).map(|_| rng.unit()).collect();
        let d = InputDomain::uniform(n, 0.0, 1.0)
            .unwrap()
            .intersect_l1(&center, 0.4)
            .unwrap();
        check_methods(&net, &d, &CHEAP, 10_000, 13);
    }
}

#[test]
fn symbolic_is_tighter_than_interval_on_a_deep_net() {
    let mut rng = Rng(4);
    let net = random_net(&mut rng, &[8, 20, 20, 20, 2]);
    let d = InputDomain::uniform(8, -1.0, 1.0).unwrap();
    let opts = BoundsOptions::default();
    let iv = compute_bounds(&net, &d, BoundMethod::Interval, &opts).unwrap();
    let sy = compute_bounds(&net, &d, BoundMethod::Symbolic, &opts).unwrap();
    let last = net.layers().len() - 1;
    assert!(sy.mean_width_in(last) < iv.mean_width_in(last));
}

#[test]
fn naive_contains_interval_bounds() {
    let mut rng = Rng(5);
    let net = random_net(&mut rng, &[5, 7, 7, 2]);
    let lo = vec![-0.5; 5];
    let hi = vec![2.0; 5];
    assert!(naive_bounds(&net, &lo, &hi).contains(&interval_bounds(&net, &lo, &hi), 1e-9));
}

/// Random phases for the ReLU layers, taken from the activation pattern of a random input, then some freed.
fn phases_of(net: &Network, x: &[f64], rng: &mut Rng) -> Vec<Vec<Phase>> {
    net.activation_pattern(x)
        .into_iter()
        .map(|layer| {
            layer
                .into_iter()
                .map(|on| match (rng.unit() < 0.5, on) {
                    (true, _) => Phase::Free,
                    (false, true) => Phase::Active,
                    (false, false) => Phase::Inactive,
                })
                .collect()
        })
        .collect()
}

fn matches(net: &Network, x: &[f64], phases: &[Vec<Phase>]) -> bool {
    net.pre_activations(x).iter().zip(phases).all(|(z, ph)| {
        z.iter().zip(ph).all(|(v, p)| match p {
            Phase::Free => true,
            Phase::Active => *v >= 0.0,
            Phase::Inactive => *v <= 0.0,
        })
    })
}

#[test]
fn propagate_is_valid_under_phases_seed_6() {
    let mut rng = Rng(6);
    let net = random_net(&mut rng, &[4, 10, 10, 3]);
    let center = vec![0.5; 4];
    for d in [
        InputDomain::uniform(4, 0.0, 1.0).unwrap(),
        InputDomain::uniform(4, 0.0, 1.0)
            .unwrap()
            .intersect_l1(&center, 0.6)
            .unwrap(),
    ] {
        for trial in 0..40 {
            let anchor = sample(&mut rng, &d, false);
            let phases = phases_of(&net, &anchor, &mut rng);
            for method in [BoundMethod::Interval, BoundMethod::Symbolic] {
                // The anchor satisfies the phases, so the node is feasible.
                let b = propagate(&net, &d, method, &phases).expect("feasible phases reported infeasible");
                assert_inside(&b, &net.pre_activations(&anchor), "anchor");
                let mut hits = 0;
                for _ in 0..2_000 {
                    let x = sample(&mut rng, &d, false);
                    if matches(&net, &x, &phases) {
                        hits += 1;
                        assert_inside(&b, &net.pre_activations(&x), &format!("trial {trial} {method:?}"));
                    }
                }
                assert!(hits > 0 || trial > 0);
            }
        }
    }
}

#[test]
fn propagate_detects_infeasible_phases() {
    // z = x on [0.5, 1]: fixing it inactive is infeasible.
    let net = Network::new(vec![
        Layer::new(1, 1, vec![1.0], vec![0.0], true).unwrap(),
        Layer::new(1, 1, vec![1.0], vec![0.0], false).unwrap(),
    ])
    .unwrap();
    let d = InputDomain::uniform(1, 0.5, 1.0).unwrap();
    assert!(propagate(&net, &d, BoundMethod::Symbolic, &[vec![Phase::Inactive]]).is_none());
    assert!(propagate(&net, &d, BoundMethod::Interval, &[vec![Phase::Active]]).is_some());
    // The same network on the box [-1, -0.5]: active is infeasible.
    assert!(propagate_in_box(
        &net,
        &d,
        &[-1.0],
        &[-0.5],
        BoundMethod::Interval,
        &[vec![Phase::Active]]
    )
    .is_none());
    // Two neurons z1 = x, z2 = -x on [-1, 1]: both inactive forces x = 0, feasible (boundary).
    let net2 = Network::new(vec![
        Layer::new(1, 2, vec![1.0, -1.0], vec![0.0, 0.0], true).unwrap(),
        Layer::new(2, 1, vec![1.0, 1.0], vec![0.0], false).unwrap(),
    ])
    .unwrap();
    let d2 = InputDomain::uniform(1, -1.0, 1.0).unwrap();
    let b = propagate(
        &net2,
        &d2,
        BoundMethod::Symbolic,
        &[vec![Phase::Inactive, Phase::Inactive]],
    )
    .unwrap();
    assert_eq!(b.upper[1][0], 0.0);
}

#[test]
fn propagate_without_phases_equals_compute_bounds() {
    let mut rng = Rng(7);
    let net = random_net(&mut rng, &[6, 9, 9, 2]);
    let d = InputDomain::uniform(6, -1.0, 1.0).unwrap();
    let opts = BoundsOptions::default();
    let a = propagate(&net, &d, BoundMethod::Symbolic, &[]).unwrap();
    let b = compute_bounds(&net, &d, BoundMethod::Symbolic, &opts).unwrap();
    // Same on unstable neurons and outputs; compute_bounds also tightens the stable ones.
    assert!(a.contains(&b, 1e-12));
    let last = net.layers().len() - 1;
    for k in 0..=last {
        for j in 0..a.lower[k].len() {
            if k == last || (b.lower[k][j] < 0.0 && b.upper[k][j] > 0.0) {
                assert!((a.lower[k][j] - b.lower[k][j]).abs() < 1e-12);
                assert!((a.upper[k][j] - b.upper[k][j]).abs() < 1e-12);
            }
        }
    }
}

const ALL: [BoundMethod; 5] = [
    BoundMethod::Naive,
    BoundMethod::Interval,
    BoundMethod::Symbolic,
    BoundMethod::Lp,
    BoundMethod::Milp,
];

#[test]
fn all_methods_valid_and_ordered_on_box_seed_8() {
    let mut rng = Rng(8);
    for sizes in [[3usize, 6, 6, 2].as_slice(), &[5, 8, 6, 3]] {
        let net = random_net(&mut rng, sizes);
        let d = InputDomain::uniform(sizes[0], -1.0, 1.0).unwrap();
        check_methods(&net, &d, &ALL, 10_000, 21);
    }
}

#[test]
fn all_methods_valid_and_ordered_on_balls_seed_9() {
    let mut rng = Rng(9);
    let net = random_net(&mut rng, &[6, 8, 8, 2]);
    let center: Vec<f64> = (0..6).map(|_| rng.unit()).collect();
    let linf = InputDomain::uniform(6, 0.0, 1.0)
        .unwrap()
        .intersect_linf(&center, 0.2)
        .unwrap();
    check_methods(&net, &linf, &ALL, 10_000, 22);
    let l1 = InputDomain::uniform(6, 0.0, 1.0)
        .unwrap()
        .intersect_l1(&center, 0.5)
        .unwrap();
    check_methods(&net, &l1, &ALL, 10_000, 23);
}

/// Exact range of every neuron of a network with two inputs, by enumeration: for every activation pattern
/// the inputs that produce it form a polygon (the box and one half-plane per hidden neuron, linear under the
/// pattern), each neuron is linear on it, so its extremes are at the polygons' vertices; we intersect every
/// pair of boundary lines and keep the points that satisfy the pattern. Independent of any LP.
fn exact_ranges_2d(net: &Network, lower: [f64; 2], upper: [f64; 2]) -> NeuronBounds {
    let hidden: usize = net
        .layers()
        .iter()
        .filter(|l| l.has_relu())
        .map(|l| l.outputs())
        .sum();
    let mut out = NeuronBounds {
        lower: net
            .layers()
            .iter()
            .map(|l| vec![f64::INFINITY; l.outputs()])
            .collect(),
        upper: net
            .layers()
            .iter()
            .map(|l| vec![f64::NEG_INFINITY; l.outputs()])
            .collect(),
    };
    for pattern in 0u64..(1 << hidden) {
        // Lines a·x + c (>= 0 when the neuron is on): linear forms of each hidden pre-activation under the pattern.
        let mut lines: Vec<([f64; 2], f64, f64)> = vec![
            ([1.0, 0.0], -lower[0], 1.0),
            ([-1.0, 0.0], upper[0], 1.0),
            ([0.0, 1.0], -lower[1], 1.0),
            ([0.0, -1.0], upper[1], 1.0),
        ];
        // Current activations as affine forms of x: (coefficients, constant).
        let mut acts: Vec<([f64; 2], f64)> = vec![([1.0, 0.0], 0.0), ([0.0, 1.0], 0.0)];
        let mut bit = 0;
        for layer in net.layers().iter().filter(|l| l.has_relu()) {
            let mut next = Vec::new();
            for j in 0..layer.outputs() {
                let mut a = [0.0; 2];
                let mut c = layer.bias()[j];
                for (w, (ai, ci)) in layer.row(j).iter().zip(&acts) {
                    a[0] += w * ai[0];
                    a[1] += w * ai[1];
                    c += w * ci;
                }
                let on = pattern >> bit & 1 == 1;
                bit += 1;
                let s = if on { 1.0 } else { -1.0 };
                lines.push(([s * a[0], s * a[1]], s * c, s));
                next.push(if on { (a, c) } else { ([0.0; 2], 0.0) });
            }
            acts = next;
        }
        for p in 0..lines.len() {
            for q in p + 1..lines.len() {
                let (a, c) = (lines[p].0, lines[p].1);
                let (b, e) = (lines[q].0, lines[q].1);
                let det = a[0] * b[1] - a[1] * b[0];
                if det.abs() < 1e-12 {
                    continue;
                }
                let x = [(-c * b[1] + e * a[1]) / det, (-a[0] * e + b[0] * c) / det];
                if lines
                    .iter()
                    .all(|(g, h, _)| g[0] * x[0] + g[1] * x[1] + h >= -1e-9)
                {
                    let x = [x[0].clamp(lower[0], upper[0]), x[1].clamp(lower[1], upper[1])];
                    for (k, z) in net.pre_activations(&x).iter().enumerate() {
                        for (j, v) in z.iter().enumerate() {
                            out.lower[k][j] = out.lower[k][j].min(*v);
                            out.upper[k][j] = out.upper[k][j].max(*v);
                        }
                    }
                }
            }
        }
    }
    out
}

#[test]
fn milp_reaches_the_exact_range_seed_10() {
    let mut rng = Rng(10);
    let mut tighter_than_lp = 0;
    for _ in 0..3 {
        let net = random_net(&mut rng, &[2, 4, 4, 2]);
        let d = InputDomain::uniform(2, -1.0, 1.0).unwrap();
        let exact = exact_ranges_2d(&net, [-1.0, -1.0], [1.0, 1.0]);
        let opts = BoundsOptions::default();
        let milp = compute_bounds(&net, &d, BoundMethod::Milp, &opts).unwrap();
        let lp = compute_bounds(&net, &d, BoundMethod::Lp, &opts).unwrap();
        assert!(lp.contains(&exact, 1e-9) && milp.contains(&exact, 1e-9));
        let last = net.layers().len() - 1;
        tighter_than_lp += (0..lp.lower[last].len())
            .filter(|&j| {
                lp.upper[last][j] - lp.lower[last][j] > exact.upper[last][j] - exact.lower[last][j] + 1e-6
            })
            .count();
        // Unstable neurons and outputs are solved to optimality: their bounds are exact.
        for k in 0..milp.num_layers() {
            for j in 0..milp.lower[k].len() {
                let decided_by_lp =
                    net.layers()[k].has_relu() && (lp.lower[k][j] >= 0.0 || lp.upper[k][j] <= 0.0);
                if decided_by_lp {
                    continue;
                }
                for (got, want) in [
                    (milp.lower[k][j], exact.lower[k][j]),
                    (milp.upper[k][j], exact.upper[k][j]),
                ] {
                    assert!(
                        (got - want).abs() <= 1e-6 * (1.0 + want.abs()),
                        "layer {k} neuron {j}: {got} vs exact {want}"
                    );
                }
            }
        }
    }
    // The test has teeth: the LP relaxation is strictly looser than the exact range on some outputs.
    assert!(tighter_than_lp > 0);
}

#[test]
fn lp_time_limit_keeps_valid_bounds() {
    let mut rng = Rng(11);
    let net = random_net(&mut rng, &[4, 10, 10, 2]);
    let d = InputDomain::uniform(4, -1.0, 1.0).unwrap();
    let opts = BoundsOptions {
        time_limit: Some(0.0),
        ..BoundsOptions::default()
    };
    let sy = compute_bounds(&net, &d, BoundMethod::Symbolic, &opts).unwrap();
    for m in [BoundMethod::Lp, BoundMethod::Milp] {
        let b = compute_bounds(&net, &d, m, &opts).unwrap();
        assert!(sy.contains(&b, 0.0));
    }
    check_methods(&net, &d, &[BoundMethod::Symbolic, BoundMethod::Lp], 2_000, 24);
}

#[test]
fn lp_on_two_threads_equals_one_thread() {
    let mut rng = Rng(12);
    let net = random_net(&mut rng, &[5, 10, 10, 3]);
    let d = InputDomain::uniform(5, -1.0, 1.0).unwrap();
    let one = compute_bounds(
        &net,
        &d,
        BoundMethod::Lp,
        &BoundsOptions {
            threads: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    let two = compute_bounds(
        &net,
        &d,
        BoundMethod::Lp,
        &BoundsOptions {
            threads: Some(2),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(one.contains(&two, 1e-7) && two.contains(&one, 1e-7));
}

/// The shared networks over balls around a held-out sample: every method valid on 10,000 samples and ordered.
#[test]
fn shared_networks_valid_and_ordered() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let cases = [
        (
            "breast-cancer-16-8.onnx",
            "breast-cancer/sample50.csv",
            0.05,
            ALL.as_slice(),
        ),
        ("digits-32-16.onnx", "digits/sample50.csv", 0.03, &ALL[..4]),
        ("mnist-15-15.onnx", "mnist/sample100.csv", 0.02, &ALL[..4]),
        ("mnist-50-50-50-l1.onnx", "mnist/sample100.csv", 0.02, &ALL[..3]),
    ];
    for (net_file, data_file, eps, methods) in cases {
        let net = relumip::nn::load_network(&shared.join("nets").join(net_file)).unwrap();
        let data = relumip::io::csv::read_csv_inputs(&shared.join("data").join(data_file), true).unwrap();
        let center = data.row(0).unwrap();
        let n = net.input_size();
        let linf = InputDomain::uniform(n, 0.0, 1.0)
            .unwrap()
            .intersect_linf(center, eps)
            .unwrap();
        check_shared(&net, &linf, methods, 31);
        let l1 = InputDomain::uniform(n, 0.0, 1.0)
            .unwrap()
            .intersect_l1(center, 10.0 * eps)
            .unwrap();
        check_shared(&net, &l1, &methods[..methods.len().min(3)], 32);
    }
}

fn check_shared(net: &Network, d: &InputDomain, methods: &[BoundMethod], seed: u64) {
    let opts = BoundsOptions {
        time_limit: Some(2.0),
        neuron_time_limit: Some(0.2),
        ..BoundsOptions::default()
    };
    let all: Vec<NeuronBounds> = methods
        .iter()
        .map(|m| compute_bounds(net, d, *m, &opts).unwrap())
        .collect();
    for w in all.windows(2) {
        assert!(w[0].contains(&w[1], 1e-9));
    }
    let mut rng = Rng(seed);
    for s in 0..10_000 {
        let x = sample(&mut rng, d, s % 4 == 0);
        let pre = net.pre_activations(&x);
        for (b, m) in all.iter().zip(methods) {
            assert_inside(b, &pre, &format!("{m:?} sample {s}"));
        }
    }
}

#[test]
fn cli_bounds_writes_json() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("b.json");
    let run = std::process::Command::new(common::relumip_bin())
        .arg("bounds")
        .arg(shared.join("nets/mnist-15-15.onnx"))
        .args(["--method", "symbolic", "--center"])
        .arg(shared.join("data/mnist/sample100.csv"))
        .args([
            "--label-first",
            "--linf",
            "0.02",
            "--lower",
            "0",
            "--upper",
            "1",
            "--json",
        ])
        .arg(&json)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains("unstable"), "{text}");
    let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(value["method"], "symbolic");
    let layers = value["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 3);
    assert_eq!(layers[0]["lower"].as_array().unwrap().len(), 15);
    assert_eq!(layers[2]["upper"].as_array().unwrap().len(), 10);
    let bad = std::process::Command::new(common::relumip_bin())
        .arg("bounds")
        .arg(shared.join("nets/mnist-15-15.onnx"))
        .args(["--method", "exact"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// Every point the vertex walk reaches for every coordinate order and every choice of box ends: a superset of
/// the vertices of box ∩ L1 ball (centre in the box), so the maximum of a linear function over them is exact.
fn l1_box_vertices(lower: &[f64], upper: &[f64], center: &[f64], radius: f64) -> Vec<Vec<f64>> {
    fn permutations(n: usize) -> Vec<Vec<usize>> {
        if n == 0 {
            return vec![vec![]];
        }
        let mut out = Vec::new();
        for p in permutations(n - 1) {
            for at in 0..=p.len() {
                let mut q = p.clone();
                q.insert(at, n - 1);
                out.push(q);
            }
        }
        out
    }
    let n = lower.len();
    let mut points = Vec::new();
    for order in permutations(n) {
        for ends in 0u32..(1 << n) {
            let mut x = center.to_vec();
            let mut budget = radius;
            for &i in &order {
                let target = if ends >> i & 1 == 1 { upper[i] } else { lower[i] };
                let step = (target - x[i]).abs().min(budget);
                x[i] += step * (target - x[i]).signum();
                budget -= step;
            }
            points.push(x);
        }
    }
    points
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    /// Symbolic bounds of a linear map over box ∩ L1 ball are the exact range (the knapsack is solved exactly).
    #[test]
    fn l1_ball_range_is_exact(
        coeffs in proptest::collection::vec(-2.0f64..2.0, 1..5),
        t in proptest::collection::vec(0.0f64..1.0, 5),
        radius in 0.0f64..1.5,
        bias in -1.0f64..1.0,
    ) {
        let n = coeffs.len();
        let center: Vec<f64> = t[..n].to_vec();
        let net = Network::new(vec![Layer::new(n, 1, coeffs.clone(), vec![bias], false).unwrap()]).unwrap();
        let d = InputDomain::uniform(n, 0.0, 1.0).unwrap().intersect_l1(&center, radius).unwrap();
        let b = compute_bounds(&net, &d, BoundMethod::Symbolic, &BoundsOptions::default()).unwrap();
        let values: Vec<f64> = l1_box_vertices(&d.lower, &d.upper, &center, radius)
            .iter()
            .map(|x| net.forward(x)[0])
            .collect();
        let max = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let min = values.iter().cloned().fold(f64::INFINITY, f64::min);
        proptest::prop_assert!((b.upper[0][0] - max).abs() < 1e-9, "upper {} vs {}", b.upper[0][0], max);
        proptest::prop_assert!((b.lower[0][0] - min).abs() < 1e-9, "lower {} vs {}", b.lower[0][0], min);
    }
}
