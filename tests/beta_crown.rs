//! β-CROWN against exhaustive enumeration on small random ReLU networks: at a node with random fixed
//! activations, the bound with any slopes in `[0, 1]` and multipliers `>= 0` (CROWN's, random, optimised)
//! is never below the exact maximum over the node (one LP per activation pattern that agrees with the
//! node's phases); and the activation-split search with β-CROWN decides as the enumeration says.

#[path = "relu_support/oracle.rs"]
#[allow(dead_code)]
mod oracle;

use oracle::{enumerate_fixed, Case};

#[path = "relu_support/random_nets.rs"]
mod random_nets;

use random_nets::{at_least, random_net, Lcg};
use relumip::bounds::{
    propagate_in_box, tightened_bounds, BetaCrown, Betas, BoundMethod, ObjectiveBound, Phase, Slopes,
};
use relumip::relu::{bound_bab, BoundBabOptions, BoundBabOutcome, BoundSplit};
use relumip::spec::{InputDomain, OutputConstraint};
use relumip::tasks::verify::slack_network;
use std::time::{Duration, Instant};

/// Tolerance on bound versus exact maximum: far above the LP's and the bounds' rounding.
const TOL: f64 = 1e-7;

#[test]
fn beta_crown_bounds_are_above_the_exact_maximum_of_the_node() {
    let mut rng = Lcg(31);
    let mut improved = 0;
    let mut nodes = 0;
    for case in 0..60 {
        let net = random_net(&mut rng, &[3, 5, 4, 2]);
        let lower: Vec<f64> = (0..3).map(|_| rng.uniform(-1.0, 0.0)).collect();
        let upper: Vec<f64> = lower.iter().map(|l| l + rng.uniform(0.2, 1.5)).collect();
        let domain = InputDomain::boxed(lower.clone(), upper.clone()).unwrap();
        // Bounds of the whole box: valid over every node, as a parent's bounds are over its children.
        let root = propagate_in_box(&net, &domain, &lower, &upper, BoundMethod::Symbolic, &[]).unwrap();
        let phases: Vec<Vec<Phase>> = [5, 4]
            .iter()
            .map(|&n| {
                (0..n)
                    .map(|_| match (rng.next() * 5.0) as u32 {
                        0 => Phase::Active,
                        1 => Phase::Inactive,
                        _ => Phase::Free,
                    })
                    .collect()
            })
            .collect();
        let fixed: Vec<Option<bool>> = phases
            .iter()
            .flatten()
            .map(|p| match p {
                Phase::Active => Some(true),
                Phase::Inactive => Some(false),
                Phase::Free => None,
            })
            .collect();
        let objective = vec![rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)];
        let exact = enumerate_fixed(
            &Case {
                net: net.clone(),
                lower: lower.clone(),
                upper: upper.clone(),
                objective: objective.clone(),
                maximize: true,
            },
            &fixed,
        );
        let mut bounds = root.clone();
        let mut beta_crown = BetaCrown::new(&net);
        if !beta_crown.set_node(&mut bounds, &phases) {
            assert_eq!(
                exact,
                f64::NEG_INFINITY,
                "case {case}: a feasible node declared empty"
            );
            continue;
        }
        if exact == f64::NEG_INFINITY {
            continue;
        }
        nodes += 1;
        let mut ob = ObjectiveBound::default();
        let (mut alpha, mut beta) = (Slopes::new(), Betas::new());
        let plain = beta_crown.optimise(
            &domain,
            None,
            &objective,
            &mut alpha,
            &mut beta,
            0,
            f64::NEG_INFINITY,
            &mut ob,
        );
        let random_alpha: Slopes = alpha
            .iter()
            .map(|a| a.iter().map(|_| rng.next()).collect())
            .collect();
        let random_beta: Betas = beta
            .iter()
            .map(|b| b.iter().map(|_| rng.uniform(0.0, 3.0)).collect())
            .collect();
        let random = beta_crown.bound(&domain, None, &objective, &random_alpha, &random_beta, &mut ob);
        let mut alpha_only = Slopes::new();
        let mut no_beta = Betas::new();
        // The optimiser with every multiplier held at zero: α-CROWN alone (no neuron split moves β only).
        let (mut a2, mut b2) = (Slopes::new(), Betas::new());
        let optimised = beta_crown.optimise(
            &domain,
            None,
            &objective,
            &mut a2,
            &mut b2,
            40,
            f64::NEG_INFINITY,
            &mut ob,
        );
        assert!(
            b2.iter().flatten().all(|b| *b >= 0.0),
            "case {case}: a negative multiplier"
        );
        assert!(
            a2.iter().flatten().all(|a| (0.0..=1.0).contains(a)),
            "case {case}: a slope out of [0, 1]"
        );
        let mut free = bounds.clone();
        let free_phases: Vec<Vec<Phase>> = phases.iter().map(|p| vec![Phase::Free; p.len()]).collect();
        let mut unsplit = BetaCrown::new(&net);
        // The same clipped bounds without the split constraints: what β adds.
        assert!(unsplit.set_node(&mut free, &free_phases));
        let without = unsplit.optimise(
            &domain,
            None,
            &objective,
            &mut alpha_only,
            &mut no_beta,
            40,
            f64::NEG_INFINITY,
            &mut ob,
        );
        for (name, b) in [
            ("crown", plain),
            ("random", random),
            ("optimised", optimised),
            ("no beta", without),
        ] {
            assert!(
                b >= exact - TOL,
                "case {case}: {name} bound {b} below the exact maximum {exact}"
            );
        }
        assert!(
            optimised <= plain + 1e-12,
            "case {case}: optimised {optimised} above CROWN {plain}"
        );
        if optimised < without - 1e-6 {
            improved += 1;
        }
    }
    assert!(nodes >= 20, "only {nodes} feasible nodes");
    assert!(
        improved >= 3,
        "the split constraints tightened only {improved} of {nodes} bounds"
    );
}

#[test]
fn activation_split_search_with_beta_crown_agrees_with_enumeration() {
    let mut rng = Lcg(77);
    let mut undecided = 0;
    for case in 0..16 {
        let net = random_net(&mut rng, &[3, 6, 5, 1]);
        let (lower, upper) = (vec![-1.0; 3], vec![1.0; 3]);
        let domain = InputDomain::boxed(lower.clone(), upper.clone()).unwrap();
        let max = enumerate_fixed(
            &Case {
                net: net.clone(),
                lower: lower.clone(),
                upper: upper.clone(),
                objective: vec![1.0],
                maximize: true,
            },
            &[],
        );
        for (t, sat) in [(max - 0.02, true), (max + 0.02, false)] {
            let slack = slack_network(&net, &at_least(t)).unwrap();
            let mut check = |x: &[f64]| domain.contains(x, 0.0) && net.forward(x)[0] >= t;
            let options = BoundBabOptions {
                split: BoundSplit::Activation,
                deadline: Some(Instant::now() + Duration::from_secs(20)),
                ..BoundBabOptions::default()
            };
            let (outcome, stats) = bound_bab(&slack, &domain, &mut check, &options);
            match outcome {
                BoundBabOutcome::Proven => assert!(!sat, "case {case}: proven, but max {max} >= {t}"),
                BoundBabOutcome::Counterexample(x) => {
                    assert!(sat, "case {case}: counterexample above the max {max}");
                    assert!(domain.contains(&x, 0.0) && net.forward(&x)[0] >= t);
                }
                // A leaf (every unstable neuron fixed) holding a counterexample that no candidate (a box
                // vertex) hit is left unresolved (the attack or the MILP finds it in `verify`).
                BoundBabOutcome::Unknown => {
                    assert!(
                        sat,
                        "case {case}: unsat left undecided after {} nodes",
                        stats.nodes
                    );
                    assert!(
                        stats.unresolved > 0,
                        "case {case}: unknown after {} nodes",
                        stats.nodes
                    );
                    undecided += 1;
                }
            }
        }
    }
    assert!(undecided <= 8, "{undecided} of 16 sat searches undecided");
}

#[test]
fn tightened_hidden_bounds_contain_sampled_pre_activations_and_improve_on_crown() {
    let mut rng = Lcg(5);
    let mut tighter = 0;
    for case in 0..20 {
        let net = random_net(&mut rng, &[4, 8, 8, 6, 2]);
        let lower: Vec<f64> = (0..4).map(|_| rng.uniform(-1.0, 0.0)).collect();
        let upper: Vec<f64> = lower.iter().map(|l| l + rng.uniform(0.2, 1.5)).collect();
        let domain = InputDomain::boxed(lower.clone(), upper.clone()).unwrap();
        let crown = propagate_in_box(&net, &domain, &lower, &upper, BoundMethod::Symbolic, &[]).unwrap();
        let tight = tightened_bounds(&net, &domain, 20, None).unwrap();
        for k in 0..net.layers().len() {
            for j in 0..tight.lower[k].len() {
                let (l, u) = (tight.lower[k][j], tight.upper[k][j]);
                assert!(
                    l <= u + 1e-12,
                    "case {case}: empty bounds at layer {k} neuron {j}"
                );
                assert!(l >= crown.lower[k][j] - 1e-9 && u <= crown.upper[k][j] + 1e-9);
                if u - l < crown.upper[k][j] - crown.lower[k][j] - 1e-6 {
                    tighter += 1;
                }
            }
        }
        for _ in 0..2000 {
            let x: Vec<f64> = (0..4).map(|i| rng.uniform(lower[i], upper[i])).collect();
            for (k, z) in net.pre_activations(&x).iter().enumerate() {
                for (j, &v) in z.iter().enumerate() {
                    assert!(
                        v >= tight.lower[k][j] - TOL && v <= tight.upper[k][j] + TOL,
                        "case {case}: layer {k} neuron {j}: {v} outside [{}, {}]",
                        tight.lower[k][j],
                        tight.upper[k][j]
                    );
                }
            }
        }
    }
    assert!(tighter >= 10, "α-CROWN tightened only {tighter} neurons");
}

/// `verify` on a network with more inputs than input splitting takes: two disjuncts ("output k >= t") per
/// property, both refuted by the exact maxima plus a margin, are answered unsat (the hidden bounds
/// tightened once, shared by the second disjunct); lowered below one maximum, sat.
#[test]
fn verify_with_activation_splits_agrees_with_enumeration_over_disjuncts() {
    use relumip::log::Log;
    use relumip::options::SolverOptions;
    use relumip::result::Status;
    use relumip::spec::{OutputProperty, VnnlibProperty, VnnlibRegion};
    use relumip::tasks::verify::verify_property;
    let mut rng = Lcg(404);
    for case in 0..4 {
        let net = random_net(&mut rng, &[10, 6, 5, 2]);
        let (lower, upper) = (vec![-1.0; 10], vec![1.0; 10]);
        let max = |k: usize| {
            let mut objective = vec![0.0; 2];
            objective[k] = 1.0;
            enumerate_fixed(
                &Case {
                    net: net.clone(),
                    lower: lower.clone(),
                    upper: upper.clone(),
                    objective,
                    maximize: true,
                },
                &[],
            )
        };
        let (m0, m1) = (max(0), max(1));
        for (margin, expected) in [(0.05, Status::Unsat), (-0.05, Status::Sat)] {
            let disjunct = |k: usize, t: f64| {
                vec![OutputConstraint {
                    coeffs: vec![(k, -1.0)],
                    rhs: -t,
                }]
            };
            let prop = VnnlibProperty {
                inputs: 10,
                outputs: 2,
                regions: vec![VnnlibRegion {
                    domain: InputDomain::boxed(lower.clone(), upper.clone()).unwrap(),
                    output: OutputProperty {
                        disjuncts: vec![disjunct(0, m0 + 0.05), disjunct(1, m1 + margin)],
                    },
                }],
            };
            let options = SolverOptions {
                time_limit: Some(30.0),
                // β-CROWN even on this small network (by default only from 128 ReLU neurons).
                beta_crown_min_relu_neurons: 0,
                ..SolverOptions::default()
            };
            let report = verify_property(&net, &prop, &options, &Log::quiet()).unwrap();
            assert_eq!(report.status, expected, "case {case}, margin {margin}");
        }
    }
}

/// The configuration `verify` runs on deeper networks (intermediate bounds recomputed under the phases,
/// the root's slopes kept) decides as the enumeration says on three hidden layers.
#[test]
fn deep_network_configuration_agrees_with_enumeration() {
    let mut rng = Lcg(88);
    for case in 0..8 {
        let net = random_net(&mut rng, &[3, 4, 4, 3, 1]);
        let (lower, upper) = (vec![-1.0; 3], vec![1.0; 3]);
        let domain = InputDomain::boxed(lower.clone(), upper.clone()).unwrap();
        let max = enumerate_fixed(
            &Case {
                net: net.clone(),
                lower,
                upper,
                objective: vec![1.0],
                maximize: true,
            },
            &[],
        );
        for (t, sat) in [(max - 0.02, true), (max + 0.02, false)] {
            let slack = slack_network(&net, &at_least(t)).unwrap();
            let mut check = |x: &[f64]| domain.contains(x, 0.0) && net.forward(x)[0] >= t;
            let options = BoundBabOptions {
                split: BoundSplit::Activation,
                deadline: Some(Instant::now() + Duration::from_secs(20)),
                beta_max_relu_layers: usize::MAX,
                recompute_intermediate: true,
                slopes_at_nodes: false,
                ..BoundBabOptions::default()
            };
            let (outcome, stats) = bound_bab(&slack, &domain, &mut check, &options);
            match outcome {
                BoundBabOutcome::Proven => assert!(!sat, "case {case}: proven, but max {max} >= {t}"),
                BoundBabOutcome::Counterexample(x) => {
                    assert!(sat, "case {case}: counterexample above the max {max}");
                    assert!(domain.contains(&x, 0.0) && net.forward(&x)[0] >= t);
                }
                BoundBabOutcome::Unknown => {
                    assert!(
                        sat && stats.unresolved > 0,
                        "case {case}: unknown after {} nodes",
                        stats.nodes
                    )
                }
            }
        }
    }
}
