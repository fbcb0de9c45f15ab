//! The parallel tree search (`threads` > 1) against the sequential one and exhaustive enumeration: the
//! same optimum (within 1e-6) and status on small random ReLU networks and small MPS MIPs, and a valid
//! bound when a node or time limit stops it.

mod common;
#[path = "relu_support/oracle.rs"]
#[allow(dead_code)] // the proptest strategy serves the property-test binaries
mod oracle;

use oracle::{enumerate, model_of, Case};
use relumip::io::mps::read_mps;
use relumip::log::Log;
use relumip::mip::{solve_mip, MipOptions, MipProblem, MipResult, MipStatus};
use relumip::nn::{Layer, Network};
use relumip::options::{Branching, SolverOptions};
use relumip::solver::{solve_model, SolveSetup};

/// A small deterministic generator (xorshift64*), so that every run tests the same networks.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }
}

fn random_case(seed: u64, sizes: &[usize]) -> Case {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let last = sizes.len() - 2;
    let layers = sizes
        .windows(2)
        .enumerate()
        .map(|(k, w)| {
            let weights = (0..w[0] * w[1]).map(|_| rng.range(-1.0, 1.0)).collect();
            let bias = (0..w[1]).map(|_| rng.range(-0.5, 0.5)).collect();
            Layer::new(w[0], w[1], weights, bias, k < last).unwrap()
        })
        .collect();
    let n_in = sizes[0];
    let lower: Vec<f64> = (0..n_in).map(|_| rng.range(-1.0, 0.5)).collect();
    let upper = lower.iter().map(|l| l + rng.range(0.1, 1.5)).collect();
    let objective = (0..sizes[sizes.len() - 1])
        .map(|_| rng.range(-1.0, 1.0))
        .collect();
    Case {
        net: Network::new(layers).unwrap(),
        lower,
        upper,
        objective,
        maximize: rng.next() < 0.5,
    }
}

fn relu_options(threads: usize, branching: Branching) -> SolverOptions {
    SolverOptions {
        gap_rel: 1e-9,
        gap_abs: 1e-9,
        threads,
        branching,
        ..SolverOptions::default()
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + b.abs())
}

/// A valid bound: at least the optimum when maximising, at most when minimising (1e-6 relative slack).
fn bound_is_valid(bound: f64, optimum: f64, maximize: bool) -> bool {
    let slack = 1e-6 * (1.0 + optimum.abs());
    if maximize {
        bound >= optimum - slack
    } else {
        bound <= optimum + slack
    }
}

#[test]
fn relu_optimum_matches_enumeration_on_every_thread_count() {
    let mut branched = 0;
    for seed in 0..12u64 {
        let sizes: &[usize] = if seed % 2 == 0 {
            &[3, 5, 4, 2]
        } else {
            &[2, 5, 3, 1]
        };
        let c = random_case(seed, sizes);
        let expected = enumerate(&c);
        let model = model_of(&c);
        let branching = [Branching::Input, Branching::Babsr, Branching::Violation][seed as usize % 3];
        for threads in [1, 2, 4] {
            let r = solve_model(
                &model,
                &relu_options(threads, branching),
                SolveSetup::default(),
                &Log::quiet(),
            )
            .unwrap();
            assert_eq!(r.status, MipStatus::Optimal, "seed {seed}, {threads} threads");
            let o = r.objective.unwrap();
            assert!(
                close(o, expected),
                "seed {seed}, {threads} threads: {o} against {expected}"
            );
            assert!(
                bound_is_valid(r.bound, expected, c.maximize),
                "seed {seed}: bound {}",
                r.bound
            );
            // The point reproduces the objective by a forward pass.
            let y = c.net.forward(&model.input_of(&r.solution.unwrap()));
            let fx: f64 = c.objective.iter().zip(&y).map(|(a, b)| a * b).sum();
            assert!(
                close(fx, o),
                "seed {seed}, {threads} threads: forward pass {fx}, objective {o}"
            );
            if threads > 1 && r.stats.nodes > 1 {
                branched += 1;
            }
        }
    }
    // The parallel search only starts below the root: make sure the cases reach it.
    assert!(branched >= 6, "only {branched} parallel runs branched");
}

#[test]
fn relu_larger_networks_agree_across_thread_counts() {
    let mut branched = 0;
    for seed in 100..104u64 {
        let c = random_case(seed, &[4, 12, 12, 2]);
        let model = model_of(&c);
        let one = solve_model(
            &model,
            &relu_options(1, Branching::Auto),
            SolveSetup::default(),
            &Log::quiet(),
        )
        .unwrap();
        assert_eq!(one.status, MipStatus::Optimal, "seed {seed}");
        let optimum = one.objective.unwrap();
        for threads in [2, 4] {
            let r = solve_model(
                &model,
                &relu_options(threads, Branching::Auto),
                SolveSetup::default(),
                &Log::quiet(),
            )
            .unwrap();
            assert_eq!(r.status, MipStatus::Optimal, "seed {seed}, {threads} threads");
            assert!(
                close(r.objective.unwrap(), optimum),
                "seed {seed}, {threads} threads: {:?} against {optimum}",
                r.objective
            );
            branched += usize::from(r.stats.nodes > 1);
        }
    }
    assert!(branched >= 4, "only {branched} parallel runs branched");
}

#[test]
fn relu_limits_stop_with_a_valid_bound() {
    for seed in 200..203u64 {
        let c = random_case(seed, &[4, 12, 12, 2]);
        let model = model_of(&c);
        let exact = solve_model(
            &model,
            &relu_options(1, Branching::Babsr),
            SolveSetup::default(),
            &Log::quiet(),
        )
        .unwrap();
        let optimum = exact.objective.unwrap();
        for threads in [2, 4] {
            let limited = [
                SolverOptions {
                    node_limit: Some(3),
                    ..relu_options(threads, Branching::Babsr)
                },
                SolverOptions {
                    time_limit: Some(0.02),
                    ..relu_options(threads, Branching::Babsr)
                },
            ];
            for options in limited {
                let r = solve_model(&model, &options, SolveSetup::default(), &Log::quiet()).unwrap();
                assert!(
                    matches!(
                        r.status,
                        MipStatus::Optimal | MipStatus::NodeLimit | MipStatus::TimeLimit
                    ),
                    "seed {seed}: {:?}",
                    r.status
                );
                assert!(
                    bound_is_valid(r.bound, optimum, c.maximize),
                    "seed {seed}, {threads} threads, {:?}: bound {} against optimum {optimum}",
                    r.status,
                    r.bound
                );
                if let Some(o) = r.objective {
                    // An incumbent is a feasible point: never better than the optimum.
                    assert!(
                        bound_is_valid(optimum, o, c.maximize),
                        "seed {seed}: incumbent {o}"
                    );
                }
            }
        }
    }
}

fn solve_mps(name: &str, options: MipOptions) -> Option<MipResult> {
    let dir = common::shared_dir()?.join("benchmarks/mps");
    let model = read_mps(&dir.join(name)).unwrap();
    let problem = MipProblem::new(model.problem, model.integer).unwrap();
    Some(solve_mip(&problem, options, Log::quiet()).unwrap())
}

fn mip_options(threads: usize) -> MipOptions {
    MipOptions {
        threads,
        time_limit: Some(60.0),
        ..MipOptions::default()
    }
}

/// Small MIPs of ../shared/benchmarks/mps/reference.csv that solve in well under a second, with their
/// optimal values (`None`: infeasible).
const MPS_CASES: [(&str, Option<f64>); 7] = [
    ("flugpl.mps", Some(1201500.0)),
    ("issue-2204.mps", Some(6.0)),
    ("issue-2173.mps", Some(-26770.80754885264)),
    ("rgn.mps", Some(82.19999923999991)),
    ("2171.mps", Some(-22375.75854607508)),
    ("infeasible-mip1.mps", None),
    ("issue-2402.mps", None),
];

#[test]
fn mps_optima_and_statuses_agree_across_thread_counts() {
    for (name, optimum) in MPS_CASES {
        for threads in [1, 2, 4] {
            let Some(r) = solve_mps(name, mip_options(threads)) else {
                return;
            };
            match optimum {
                Some(v) => {
                    assert_eq!(r.status, MipStatus::Optimal, "{name}, {threads} threads");
                    // Within the search's default gap (1e-4 relative), as the sequential search.
                    let o = r.objective.unwrap();
                    assert!(
                        (o - v).abs() <= 1e-4 * v.abs().max(1.0),
                        "{name}, {threads} threads: {o}"
                    );
                }
                None => assert_eq!(r.status, MipStatus::Infeasible, "{name}, {threads} threads"),
            }
        }
    }
}

#[test]
fn mps_node_and_time_limits_keep_a_valid_bound() {
    // Both minimise; their optima from reference.csv.
    for (name, optimum) in [("bell5.mps", 8966406.49152f64), ("gt2.mps", 21166.0)] {
        for threads in [2, 4] {
            let by_nodes = MipOptions {
                node_limit: Some(300),
                ..mip_options(threads)
            };
            let by_time = MipOptions {
                time_limit: Some(0.3),
                ..mip_options(threads)
            };
            for options in [by_nodes, by_time] {
                let Some(r) = solve_mps(name, options) else { return };
                // On an idle machine the search may finish within the limit (bell5 and gt2 at 0.3 s on two
                // threads): then it must be optimal within the default gap (1e-4 relative), not cut short.
                match r.status {
                    MipStatus::NodeLimit | MipStatus::TimeLimit => {}
                    MipStatus::Optimal => {
                        let o = r.objective.unwrap();
                        assert!(
                            (o - optimum).abs() <= 1e-4 * optimum.abs(),
                            "{name}, {threads} threads: optimal at {o}"
                        );
                    }
                    other => panic!("{name}: {other:?}"),
                }
                assert!(
                    r.bound <= optimum + 1e-6 * optimum.abs(),
                    "{name}, {threads} threads: bound {}",
                    r.bound
                );
                if let Some(o) = r.objective {
                    assert!(o >= optimum - 1e-6 * optimum.abs(), "{name}: incumbent {o}");
                }
            }
        }
    }
}

#[test]
fn interrupt_stops_the_workers_with_a_valid_bound() {
    // p0548 (minimise, optimum 8691) runs for seconds: the flag is raised while the workers search.
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let raiser = {
        let flag = flag.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            flag.store(true, std::sync::atomic::Ordering::Relaxed);
        })
    };
    let options = MipOptions {
        interrupt: Some(flag),
        ..mip_options(2)
    };
    let result = solve_mps("p0548.mps", options);
    raiser.join().unwrap();
    let Some(r) = result else { return };
    assert!(
        matches!(r.status, MipStatus::Interrupted | MipStatus::Optimal),
        "{:?}",
        r.status
    );
    assert!(r.bound <= 8691.0 + 1e-6 * 8691.0, "bound {}", r.bound);
}

#[test]
fn objective_target_stops_every_worker() {
    let c = random_case(300, &[4, 12, 12, 2]);
    let model = model_of(&c);
    let exact = solve_model(
        &model,
        &relu_options(1, Branching::Babsr),
        SolveSetup::default(),
        &Log::quiet(),
    )
    .unwrap();
    let optimum = exact.objective.unwrap();
    // Any feasible point at least as good as the optimum minus 1 will do.
    let target = if c.maximize { optimum - 1.0 } else { optimum + 1.0 };
    let setup = SolveSetup {
        objective_target: Some(target),
        ..SolveSetup::default()
    };
    let r = solve_model(&model, &relu_options(2, Branching::Babsr), setup, &Log::quiet()).unwrap();
    assert!(
        matches!(r.status, MipStatus::TargetReached | MipStatus::Optimal),
        "{:?}",
        r.status
    );
    let o = r.objective.unwrap();
    assert!(
        bound_is_valid(o, target, c.maximize),
        "objective {o}, target {target}"
    );
    assert!(
        bound_is_valid(r.bound, optimum, c.maximize),
        "bound {} against {optimum}",
        r.bound
    );
}
