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
