//! Attack heuristics: gradients, projections, PGD and counterexample checks against independent oracles.

use relumip::heuristics::{
    find_counterexample, maximize_linear, output_gradient, pgd_attack, project, AttackObjective, PgdOptions,
    SplitMix64,
};
use relumip::nn::{Layer, Network};
use relumip::spec::{InputDomain, OutputConstraint, OutputProperty};

fn random_network(rng: &mut SplitMix64, sizes: &[usize]) -> Network {
    let layers = sizes
        .windows(2)
        .enumerate()
        .map(|(k, w)| {
            let weights = (0..w[0] * w[1]).map(|_| 2.0 * rng.next_f64() - 1.0).collect();
            let bias = (0..w[1]).map(|_| rng.next_f64() - 0.5).collect();
            Layer::new(w[0], w[1], weights, bias, k + 2 < sizes.len()).unwrap()
        })
        .collect();
    Network::new(layers).unwrap()
}

fn random_point(rng: &mut SplitMix64, d: &InputDomain) -> Vec<f64> {
    (0..d.dim())
        .map(|i| d.lower[i] + rng.next_f64() * (d.upper[i] - d.lower[i]))
        .collect()
}

#[test]
fn gradient_matches_central_differences() {
    let mut rng = SplitMix64::new(11);
    let mut checked = 0;
    for _ in 0..20 {
        let net = random_network(&mut rng, &[5, 8, 6, 3]);
        let c: Vec<f64> = (0..3).map(|_| 2.0 * rng.next_f64() - 1.0).collect();
        let x: Vec<f64> = (0..5).map(|_| 2.0 * rng.next_f64() - 1.0).collect();
        let grad = output_gradient(&net, &x, &c);
        let f = |p: &[f64]| net.forward(p).iter().zip(&c).map(|(y, w)| y * w).sum::<f64>();
        let h = 1e-6;
        for i in 0..5 {
            let (mut up, mut down) = (x.clone(), x.clone());
            up[i] += h;
            down[i] -= h;
            // Skip directions that cross a kink: the gradient is that of x's linear region only.
            let pattern = net.activation_pattern(&x);
            if net.activation_pattern(&up) != pattern || net.activation_pattern(&down) != pattern {
                continue;
            }
            let fd = (f(&up) - f(&down)) / (2.0 * h);
            assert!(
                (fd - grad[i]).abs() <= 1e-6 * (1.0 + fd.abs()),
                "feature {i}: fd {fd} vs {}",
                grad[i]
            );
            checked += 1;
        }
    }
    assert!(checked > 50);
}

/// Projection onto a closed convex set C is the unique p in C with (z - p)·(w - p) <= 0 for every w in C.
fn assert_is_projection(d: &InputDomain, z: &[f64], p: &[f64], rng: &mut SplitMix64) {
    assert!(d.contains(p, 0.0), "projection {p:?} not in the domain");
    for _ in 0..2000 {
        let mut w = random_point(rng, d);
        // Mix in points near the boundary: random points projected, and segments towards p.
        if rng.next_bool() {
            project(d, &mut w);
        } else {
            let t = rng.next_f64();
            for i in 0..w.len() {
                w[i] = d.ball.as_ref().unwrap().center[i] * (1.0 - t) + t * p[i];
            }
        }
        if !d.contains(&w, 1e-12) {
            continue;
        }
        let vi: f64 = (0..p.len()).map(|i| (z[i] - p[i]) * (w[i] - p[i])).sum();
        assert!(vi <= 1e-9, "variational inequality fails: {vi}");
    }
}

#[test]
fn projection_onto_box_and_l1_ball_is_feasible_and_optimal() {
    let mut rng = SplitMix64::new(3);
    for _ in 0..30 {
        let n = 6;
        let center: Vec<f64> = (0..n).map(|_| rng.next_f64()).collect();
        let eps = 0.05 + 0.5 * rng.next_f64();
        let d = InputDomain::uniform(n, 0.0, 1.0)
            .unwrap()
            .intersect_l1(&center, eps)
            .unwrap();
        let z: Vec<f64> = (0..n).map(|_| 3.0 * rng.next_f64() - 1.0).collect();
        let mut p = z.clone();
        project(&d, &mut p);
        assert_is_projection(&d, &z, &p, &mut rng);
    }
}

#[test]
fn projection_onto_box_and_l2_ball_is_feasible_and_optimal() {
    let mut rng = SplitMix64::new(4);
    for _ in 0..30 {
        let n = 5;
        let center: Vec<f64> = (0..n).map(|_| rng.next_f64()).collect();
        let eps = 0.05 + 0.5 * rng.next_f64();
        let mut d = InputDomain::uniform(n, 0.0, 1.0)
            .unwrap()
            .intersect_linf(&center, eps)
            .unwrap();
        d.ball = Some(relumip::spec::Ball {
            norm: relumip::spec::Norm::L2,
            center: center.clone(),
            radius: eps,
        });
        let z: Vec<f64> = (0..n).map(|_| 3.0 * rng.next_f64() - 1.0).collect();
        let mut p = z.clone();
        project(&d, &mut p);
        assert_is_projection(&d, &z, &p, &mut rng);
    }
}

#[test]
fn projection_in_one_dimension_matches_the_closed_form() {
    // Box [0, 1], L1 ball of radius 0.2 around 0.5: the projection of z is clamp(z, 0.3, 0.7).
    let d = InputDomain::uniform(1, 0.0, 1.0)
        .unwrap()
        .intersect_l1(&[0.5], 0.2)
        .unwrap();
    for z in [-1.0, 0.0, 0.31, 0.5, 0.69, 0.9, 4.0] {
        let mut p = vec![z];
        project(&d, &mut p);
        assert!((p[0] - f64::clamp(z, 0.3, 0.7)).abs() < 1e-12, "{z} -> {}", p[0]);
    }
}

/// y = relu(x0 - x1) + relu(x1 - x0) = |x0 - x1| on [0, 1]^2: maximum 1 at (1, 0) and (0, 1).
#[test]
fn pgd_finds_the_corner_maximum_of_an_absolute_value() {
    let net = Network::new(vec![
        Layer::new(2, 2, vec![1.0, -1.0, -1.0, 1.0], vec![0.0, 0.0], true).unwrap(),
        Layer::new(2, 1, vec![1.0, 1.0], vec![0.0], false).unwrap(),
    ])
    .unwrap();
    let d = InputDomain::uniform(2, 0.0, 1.0).unwrap();
    let r = maximize_linear(&net, &d, &[1.0], &PgdOptions::default()).unwrap();
    assert_eq!(r.score, 1.0);
    assert_eq!(net.forward(&r.input)[0], 1.0);
}

/// y = -|x0 - 0.3| - |x1 - 0.6|: interior maximum 0 at (0.3, 0.6); needs the step schedule to converge.
#[test]
fn pgd_converges_to_an_interior_maximum() {
    let net = Network::new(vec![
        Layer::new(
            2,
            4,
            vec![1.0, 0.0, -1.0, 0.0, 0.0, 1.0, 0.0, -1.0],
            vec![-0.3, 0.3, -0.6, 0.6],
            true,
        )
        .unwrap(),
        Layer::new(4, 1, vec![-1.0; 4], vec![0.0], false).unwrap(),
    ])
    .unwrap();
    let d = InputDomain::uniform(2, 0.0, 1.0).unwrap();
    let opts = PgdOptions {
        restarts: 3,
        ..PgdOptions::default()
    };
    let r = maximize_linear(&net, &d, &[1.0], &opts).unwrap();
    assert!(r.score > -1e-4, "score {}", r.score);
}

/// y = relu(x0) + 2 relu(x1) on [0,1]^2 ∩ {||x - (0.2, 0.2)||_1 <= 0.5}: the best use of the budget is x1 = 0.7,
/// so the maximum is 0.2 + 1.4 = 1.6.
#[test]
fn pgd_spends_an_l1_budget_on_the_best_feature() {
    let net = Network::new(vec![
        Layer::new(2, 2, vec![1.0, 0.0, 0.0, 1.0], vec![0.0, 0.0], true).unwrap(),
        Layer::new(2, 1, vec![1.0, 2.0], vec![0.0], false).unwrap(),
    ])
    .unwrap();
    let d = InputDomain::uniform(2, 0.0, 1.0)
        .unwrap()
        .intersect_l1(&[0.2, 0.2], 0.5)
        .unwrap();
    let r = maximize_linear(&net, &d, &[1.0], &PgdOptions::default()).unwrap();
    assert!(d.contains(&r.input, 0.0));
    assert!(
        r.score > 1.6 - 1e-6 && r.score <= 1.6 + 1e-12,
        "score {}",
        r.score
    );
}

#[test]
fn integer_features_are_integral_in_the_result() {
    let mut rng = SplitMix64::new(5);
    let net = random_network(&mut rng, &[4, 6, 2]);
    let mut d = InputDomain::uniform(4, 1.0, 10.0).unwrap();
    d.integer = vec![true, false, true, true];
    let r = maximize_linear(&net, &d, &[1.0, -1.0], &PgdOptions::default()).unwrap();
    assert!(d.contains(&r.input, 0.0));
    for i in [0, 2, 3] {
        assert_eq!(r.input[i], r.input[i].round());
    }
    // Brute force over the integer grid with the continuous feature at its bounds and midpoint cannot beat a
    // point PGD would have reached from its corner starts by much; check the result is at least the centre's.
    let centre = net.forward(&[6.0, 5.5, 6.0, 6.0]);
    assert!(r.score >= centre[0] - centre[1] - 1e-12);
}

#[test]
fn attacks_are_deterministic_for_a_seed() {
    let mut rng = SplitMix64::new(8);
    let net = random_network(&mut rng, &[6, 10, 10, 3]);
    let d = InputDomain::uniform(6, -1.0, 1.0).unwrap();
    let opts = PgdOptions {
        seed: 42,
        ..PgdOptions::default()
    };
    let a = maximize_linear(&net, &d, &[1.0, 0.0, -1.0], &opts).unwrap();
    let b = maximize_linear(&net, &d, &[1.0, 0.0, -1.0], &opts).unwrap();
    assert_eq!(a, b);
}

/// Every counterexample returned satisfies the property exactly; on random instances where a sampled point is
/// unsafe, the attack finds one.
#[test]
fn counterexamples_really_satisfy_the_property() {
    let mut rng = SplitMix64::new(21);
    let (mut found, mut known) = (0, 0);
    for case in 0..60 {
        let net = random_network(&mut rng, &[4, 8, 8, 3]);
        let d = InputDomain::uniform(4, -1.0, 1.0).unwrap();
        // Unsafe: y0 >= y1 + m and y0 >= y2 + m, or (second disjunct) y2 <= t.
        let m = rng.next_f64();
        let t = -2.0 * rng.next_f64();
        let property = OutputProperty {
            disjuncts: vec![
                vec![
                    OutputConstraint {
                        coeffs: vec![(0, -1.0), (1, 1.0)],
                        rhs: -m,
                    },
                    OutputConstraint {
                        coeffs: vec![(0, -1.0), (2, 1.0)],
                        rhs: -m,
                    },
                ],
                vec![OutputConstraint {
                    coeffs: vec![(2, 1.0)],
                    rhs: t,
                }],
            ],
        };
        let sampled_unsafe = (0..2000).any(|_| {
            let x = random_point(&mut rng, &d);
            property.satisfied_by(&net.forward(&x), 0.0).is_some()
        });
        let opts = PgdOptions {
            seed: case,
            ..PgdOptions::default()
        };
        if let Some(cex) = find_counterexample(&net, &d, &property, &opts) {
            assert!(d.contains(&cex.input, 0.0));
            let y = net.forward(&cex.input);
            assert_eq!(y, cex.output);
            assert!(property.disjuncts[cex.disjunct]
                .iter()
                .all(|c| c.slack(&y) <= 0.0));
            found += 1;
        }
        known += sampled_unsafe as usize;
    }
    assert!(
        found >= known,
        "found {found} counterexamples where sampling found {known}"
    );
}

#[test]
fn target_objective_scores_the_margin() {
    let obj = AttackObjective::target(3, 1, 0.5, 1.0);
    let at = obj.score(&[1.0, 3.0, 2.0]);
    assert_eq!(at.value, 0.5); // 3 - 2 - 0.5
    let ratio = AttackObjective::target(3, 0, 0.0, 1.2);
    assert!((ratio.score(&[2.4, 2.0, -1.0]).value - 0.0).abs() < 1e-12);
    let none = pgd_attack(
        &Network::new(vec![Layer::new(1, 1, vec![1.0], vec![0.0], false).unwrap()]).unwrap(),
        &InputDomain::uniform(2, 0.0, 1.0).unwrap(),
        &obj,
        &PgdOptions::default(),
        &[],
        None,
    );
    assert!(none.is_none(), "size mismatch gives no result");
}

/// The tree-search heuristic returns full points of the model that the model accepts, with the best value.
#[test]
fn pgd_heuristic_proposes_feasible_model_points() {
    use relumip::bounds::interval_bounds;
    use relumip::heuristics::Pgd;
    use relumip::lp::Sense;
    use relumip::mip::{Heuristic, NodeView};
    use relumip::relu::ReluModel;
    // |x0 - x1| on [0, 1]^2, maximised: 1 at a corner.
    let net = Network::new(vec![
        Layer::new(2, 2, vec![1.0, -1.0, -1.0, 1.0], vec![0.0, 0.0], true).unwrap(),
        Layer::new(2, 1, vec![1.0, 1.0], vec![0.0], false).unwrap(),
    ])
    .unwrap();
    let d = InputDomain::uniform(2, 0.0, 1.0).unwrap();
    let bounds = interval_bounds(&net, &d.lower, &d.upper);
    let mut model = ReluModel::new(&net, &d, &bounds).unwrap();
    let y = model.output_col(0).unwrap();
    model.set_objective(Sense::Maximize, &[(y, 1.0)], 0.0);
    let model = std::sync::Arc::new(model);
    let mut h = Pgd::new(model.clone(), AttackObjective::linear(&[1.0]), 0);
    let lp = &model.mip.lp;
    let view = NodeView {
        problem: &model.mip,
        col_lower: &lp.col_lower,
        col_upper: &lp.col_upper,
        x: &[],
        lp_value: f64::NEG_INFINITY,
        depth: 0,
        explored: 0,
        incumbent: f64::INFINITY,
    };
    assert!(h.should_run(&view));
    assert_eq!(h.letter(), 'P');
    let points = h.run(&view);
    assert_eq!(points.len(), 1);
    assert_eq!(model.mip.violation(&points[0]), None);
    assert!((points[0][y] - 1.0).abs() < 1e-12);
}

/// The tree search of `maximize` runs PGD among its heuristics, and its answer is never beaten by PGD alone.
#[test]
fn maximize_runs_pgd_in_the_tree() {
    use relumip::log::Log;
    use relumip::options::SolverOptions;
    use relumip::tasks::maximize::{maximize, MaximizeObjective};
    let mut rng = SplitMix64::new(11);
    let net = random_network(&mut rng, &[4, 8, 8, 2]);
    let d = InputDomain::boxed(vec![-1.0; 4], vec![1.0; 4]).unwrap();
    let (log, buf) = Log::buffer();
    let objective = MaximizeObjective::Linear(vec![1.0, -1.0]);
    let options = SolverOptions {
        time_limit: Some(20.0),
        ..SolverOptions::default()
    };
    let r = maximize(&net, &d, &objective, &options, &log).unwrap();
    assert!(
        buf.text().contains("heuristics: forward pass, region LP, pgd"),
        "{}",
        buf.text()
    );
    let pgd = maximize_linear(&net, &d, &[1.0, -1.0], &PgdOptions::default()).unwrap();
    let best = r.objective.unwrap();
    let pgd_value = pgd.output[0] - pgd.output[1];
    assert!(best >= pgd_value - 1e-9, "{best} < {pgd_value}");
}
