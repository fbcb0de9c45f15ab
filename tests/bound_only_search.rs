//! The bound-only verification search: the input-split portfolio forced through many restarts (tiny node
//! budgets) decides as the exhaustive oracle (one LP per activation pattern) says, and `verify`'s JSON
//! statistics describe the bound-only search when it answered alone.

use relumip::io::report::ResultReport;
use relumip::log::Log;
use relumip::lp::{DualSimplex, LpOptions, LpProblem, LpStatus, Sense};
use relumip::nn::Network;
use relumip::options::SolverOptions;
use relumip::relu::{bound_bab, BoundBabOptions, BoundBabOutcome};
use relumip::result::Status;
use relumip::spec::{InputDomain, OutputProperty, VnnlibProperty, VnnlibRegion};
use relumip::tasks::verify::{input_split_portfolio, slack_network, verify_property};
use std::time::{Duration, Instant};

#[path = "relu_support/random_nets.rs"]
mod random_nets;

use random_nets::{at_least, random_net, Lcg};

/// The largest first output over the box: the network is affine on each activation pattern's polytope,
/// so one LP per pattern (the infeasible ones skipped).
fn exhaustive_max(net: &Network, lower: &[f64], upper: &[f64]) -> f64 {
    let n = net.input_size();
    let relu = net.relu_count();
    let mut best = f64::NEG_INFINITY;
    for code in 0u64..(1u64 << relu) {
        let mut lp = LpProblem::new(Sense::Maximize);
        for i in 0..n {
            lp.add_col(0.0, lower[i], upper[i], format!("x{i}"));
        }
        // Each neuron as an affine function of x: (coefficients, constant).
        let mut values: Vec<(Vec<f64>, f64)> = (0..n)
            .map(|i| {
                let mut e = vec![0.0; n];
                e[i] = 1.0;
                (e, 0.0)
            })
            .collect();
        let mut bit = 0;
        for layer in net.layers() {
            let mut next = Vec::new();
            for j in 0..layer.outputs() {
                let mut e = vec![0.0; n];
                let mut constant = layer.bias()[j];
                for (i, &w) in layer.row(j).iter().enumerate() {
                    for (et, vt) in e.iter_mut().zip(&values[i].0) {
                        *et += w * vt;
                    }
                    constant += w * values[i].1;
                }
                if layer.has_relu() {
                    let active = code >> bit & 1 == 1;
                    bit += 1;
                    let row: Vec<(usize, f64)> = e.iter().copied().enumerate().collect();
                    if active {
                        lp.add_row(-constant, f64::INFINITY, row, "active");
                        next.push((e, constant));
                    } else {
                        lp.add_row(f64::NEG_INFINITY, -constant, row, "inactive");
                        next.push((vec![0.0; n], 0.0));
                    }
                } else {
                    next.push((e, constant));
                }
            }
            values = next;
        }
        lp.cost[..n].copy_from_slice(&values[0].0);
        lp.objective_offset = values[0].1;
        let mut simplex = DualSimplex::new(&lp, LpOptions::default()).unwrap();
        if simplex.solve() == LpStatus::Optimal {
            best = best.max(simplex.objective_value());
        }
    }
    best
}

#[test]
fn portfolio_with_tiny_budgets_restarts_and_agrees_with_enumeration() {
    let mut rng = Lcg(2024);
    let mut restarted = 0;
    for case in 0..24 {
        let net = random_net(&mut rng, &[2, 6, 5, 1]);
        let lower = vec![-1.0, -1.0];
        let upper = vec![1.0, 1.0];
        let domain = InputDomain::boxed(lower.clone(), upper.clone()).unwrap();
        let max = exhaustive_max(&net, &lower, &upper);
        assert!(max.is_finite(), "case {case}: the oracle found no pattern");
        // A margin far above the LP's and the bounds' tolerances.
        for (t, sat) in [(max - 0.02, true), (max + 0.02, false)] {
            let slack = slack_network(&net, &at_least(t)).unwrap();
            let mut check = |x: &[f64]| domain.contains(x, 0.0) && net.forward(x)[0] >= t;
            let options = BoundBabOptions {
                deadline: Some(Instant::now() + Duration::from_secs(20)),
                ..BoundBabOptions::default()
            };
            let (outcome, stats, runs) =
                input_split_portfolio(&slack, &domain, &mut check, options, 1, &Log::quiet());
            match outcome {
                BoundBabOutcome::Proven => assert!(!sat, "case {case}: proven, but max {max} >= {t}"),
                BoundBabOutcome::Counterexample(x) => {
                    assert!(sat, "case {case}: counterexample above the max {max}");
                    assert!(domain.contains(&x, 0.0) && net.forward(&x)[0] >= t);
                }
                BoundBabOutcome::Unknown => panic!("case {case}: undecided after {} nodes", stats.nodes),
            }
            // Budgets 1, 1, 4, 4, 16, ...: a search of more than one node needs restarts.
            if stats.nodes > 2 {
                assert!(runs >= 3, "case {case}: {} nodes in {runs} runs", stats.nodes);
                restarted += 1;
            }
        }
    }
    assert!(restarted >= 5, "only {restarted} searches went through restarts");
}

#[test]
fn verify_json_stats_describe_the_bound_only_search() {
    let mut rng = Lcg(7);
    let net = random_net(&mut rng, &[2, 6, 5, 1]);
    let (lower, upper) = (vec![-1.0, -1.0], vec![1.0, 1.0]);
    let max = exhaustive_max(&net, &lower, &upper);
    let prop = VnnlibProperty {
        inputs: 2,
        outputs: 1,
        regions: vec![VnnlibRegion {
            domain: InputDomain::boxed(lower, upper).unwrap(),
            output: OutputProperty {
                disjuncts: vec![at_least(max + 0.05)],
            },
        }],
    };
    let options = SolverOptions {
        time_limit: Some(30.0),
        ..SolverOptions::default()
    };
    let report = verify_property(&net, &prop, &options, &Log::quiet()).unwrap();
    assert_eq!(report.status, Status::Unsat);
    let json: serde_json::Value =
        serde_json::from_str(&ResultReport::from_verify("verify", &report).to_json_string()).unwrap();
    let stats = &json["stats"];
    assert_eq!(stats["rows"], 0, "no MILP was built");
    let bound_only = &stats["bound_only"];
    assert_eq!(bound_only["answered"], true);
    assert_eq!(bound_only["split"], "input");
    assert_eq!(bound_only["inputs"], 2);
    assert_eq!(bound_only["relu_neurons"], 11);
    assert_eq!(bound_only["outputs"], 1);
    assert_eq!(bound_only["decided"], 1);
    assert!(bound_only["nodes"].as_u64().unwrap() >= 1);
    assert_eq!(bound_only["nodes"], json["nodes"]);
}

#[test]
fn strong_branching_in_parallel_searches_the_same_tree() {
    let mut rng = Lcg(99);
    for case in 0..6 {
        let net = random_net(&mut rng, &[3, 8, 6, 1]);
        let (lower, upper) = (vec![-1.0; 3], vec![1.0; 3]);
        let domain = InputDomain::boxed(lower.clone(), upper.clone()).unwrap();
        // Just above the largest sampled output: a proof or a counterexample, either needs a tree.
        let sampled = (0..2000)
            .map(|_| {
                let x: Vec<f64> = (0..3).map(|_| rng.uniform(-1.0, 1.0)).collect();
                net.forward(&x)[0]
            })
            .fold(f64::NEG_INFINITY, f64::max);
        let slack = slack_network(&net, &at_least(sampled + 1e-3)).unwrap();
        let run = |threads: usize| {
            let mut check = |x: &[f64]| net.forward(x)[0] >= sampled + 1e-3;
            let options = BoundBabOptions {
                threads,
                max_nodes: Some(5_000),
                ..BoundBabOptions::default()
            };
            let (outcome, stats) = bound_bab(&slack, &domain, &mut check, &options);
            (outcome, stats.nodes, stats.pruned, stats.strong_evaluations)
        };
        assert_eq!(run(1), run(3), "case {case}");
    }
}
