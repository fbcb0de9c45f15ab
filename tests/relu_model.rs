//! The ReLU model against exhaustive enumeration of activation patterns (one LP per pattern) on small
//! random networks: optima agree within 1e-6 and verification answers agree.

use proptest::prelude::*;
use relumip::log::Log;
use relumip::options::{Branching, SolverOptions};
use relumip::relu::{bound_bab, BoundBabOptions, BoundBabOutcome, BoundSplit};
use relumip::result::Status;
use relumip::solver::{solve_model, SolveSetup};
use relumip::spec::{InputDomain, OutputConstraint, OutputProperty, VnnlibProperty, VnnlibRegion};
use relumip::tasks::verify::{slack_network, verify_property};

#[path = "relu_support/oracle.rs"]
mod oracle;

use oracle::{case_of_sizes, enumerate, model_of, Case};

fn case() -> impl Strategy<Value = Case> {
    (2usize..=4, 2usize..=5, 0usize..=5, 1usize..=3).prop_flat_map(|(n_in, h1, h2, n_out)| {
        let sizes: Vec<usize> = if h2 == 0 {
            vec![n_in, h1, n_out]
        } else {
            vec![n_in, h1, h2, n_out]
        };
        case_of_sizes(sizes)
    })
}

fn options(branching: Branching) -> SolverOptions {
    SolverOptions {
        gap_rel: 1e-9,
        gap_abs: 1e-9,
        branching,
        ..SolverOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    #[test]
    fn optimum_matches_pattern_enumeration(c in case(), rule in 0usize..3) {
        let expected = enumerate(&c);
        let model = model_of(&c);
        let branching = [Branching::Babsr, Branching::Violation, Branching::Input][rule];
        let r = solve_model(&model, &options(branching), SolveSetup::default(), &Log::quiet()).unwrap();
        prop_assert_eq!(r.status, relumip::mip::MipStatus::Optimal);
        let o = r.objective.unwrap();
        prop_assert!((o - expected).abs() <= 1e-6 * (1.0 + expected.abs()), "got {} expected {}", o, expected);
        // The incumbent's input reproduces the objective by a forward pass.
        let x = model.input_of(&r.solution.unwrap());
        let y = c.net.forward(&x);
        let fx: f64 = c.objective.iter().zip(&y).map(|(a, b)| a * b).sum();
        prop_assert!((fx - o).abs() <= 1e-6 * (1.0 + o.abs()));
    }

    #[test]
    fn verification_agrees_with_enumeration(c in case(), delta in -0.5f64..0.5) {
        prop_assume!(delta.abs() > 1e-3);
        // Unsafe set: objective . y <= (min of objective . y) + delta; sat iff delta >= 0.
        let min_case = Case { maximize: false, ..c.clone() };
        let min = enumerate(&min_case);
        let constraint = OutputConstraint {
            coeffs: c.objective.iter().enumerate().map(|(j, &w)| (j, w)).collect(),
            rhs: min + delta,
        };
        let prop = VnnlibProperty {
            inputs: c.net.input_size(),
            outputs: c.net.output_size(),
            regions: vec![VnnlibRegion {
                domain: InputDomain::boxed(c.lower.clone(), c.upper.clone()).unwrap(),
                output: OutputProperty { disjuncts: vec![vec![constraint]] },
            }],
        };
        let report = verify_property(&c.net, &prop, &options(Branching::Auto), &Log::quiet()).unwrap();
        let expected = if delta > 0.0 { Status::Sat } else { Status::Unsat };
        prop_assert_eq!(report.status, expected);
        if let Some(cex) = report.counterexample {
            prop_assert!(prop.regions[0].output.satisfied_by(&c.net.forward(&cex.input), 0.0).is_some());
        }
    }

    /// The bound-only search (input or activation splits) on "every output >= t": a proof is never
    /// contradicted by sampled points, a counterexample always holds.
    #[test]
    fn bound_only_search_agrees_with_sampling(c in case(), t in -1.0f64..1.0, activation in any::<bool>()) {
        let domain = InputDomain::boxed(c.lower.clone(), c.upper.clone()).unwrap();
        let conj: Vec<OutputConstraint> = (0..c.net.output_size())
            .map(|k| OutputConstraint { coeffs: vec![(k, -1.0)], rhs: -t })
            .collect();
        let slack = slack_network(&c.net, &conj).unwrap();
        let smallest = |x: &[f64]| c.net.forward(x).into_iter().fold(f64::INFINITY, f64::min);
        let mut check = |x: &[f64]| domain.contains(x, 0.0) && smallest(x) >= t;
        let options = BoundBabOptions {
            split: if activation { BoundSplit::Activation } else { BoundSplit::Input },
            deadline: Some(std::time::Instant::now() + std::time::Duration::from_secs(2)),
            ..BoundBabOptions::default()
        };
        let (outcome, _) = bound_bab(&slack, &domain, &mut check, &options);
        match outcome {
            BoundBabOutcome::Proven => {
                let n = c.lower.len();
                let mut state = 12345u64;
                for _ in 0..3000 {
                    let x: Vec<f64> = (0..n)
                        .map(|i| {
                            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
                            c.lower[i] + u * (c.upper[i] - c.lower[i])
                        })
                        .collect();
                    let v = smallest(&x);
                    prop_assert!(v < t + 1e-9, "proven, but min output {} >= {} at {:?}", v, t, x);
                }
            }
            BoundBabOutcome::Counterexample(x) => prop_assert!(smallest(&x) >= t),
            BoundBabOutcome::Unknown => {}
        }
    }
}
