//! Node-local big-M rows (`SolverOptions::node_big_m`: each node's LP holds the big-M rows rebuilt on the
//! node's propagated bounds) against exhaustive enumeration of activation patterns on small random networks:
//! the optimum found equals the enumerated one and the reported bound never cuts it off.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use relumip::log::Log;
use relumip::options::SolverOptions;
use relumip::solver::{solve_model, SolveSetup};

#[path = "relu_support/oracle.rs"]
mod oracle;

use oracle::{case_of_sizes, enumerate, model_of, Case};

/// Networks of two or three hidden layers (so that fixed activations tighten later layers' bounds), with
/// interval root bounds (loose next to the nodes' CROWN bounds, so node rows differ from the root's).
fn case() -> impl Strategy<Value = Case> {
    (2usize..=3, 3usize..=5, 2usize..=4, 0usize..=3, 1usize..=2).prop_flat_map(|(n_in, h1, h2, h3, n_out)| {
        let mut sizes = vec![n_in, h1, h2];
        if h3 > 0 {
            sizes.push(h3);
        }
        sizes.push(n_out);
        case_of_sizes(sizes)
    })
}

fn options(node_big_m: bool, cut_tree: &str) -> SolverOptions {
    SolverOptions {
        gap_rel: 1e-9,
        gap_abs: 1e-9,
        node_big_m,
        cut_tree: cut_tree.parse().unwrap(),
        ..SolverOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn node_big_m_rows_keep_the_optimum(c in case(), tree in 0usize..3) {
        let expected = enumerate(&c);
        let model = model_of(&c);
        let mode = ["off", "global", "local"][tree];
        let r = solve_model(&model, &options(true, mode), SolveSetup::default(), &Log::quiet()).unwrap();
        prop_assert_eq!(r.status, relumip::mip::MipStatus::Optimal);
        let o = r.objective.unwrap();
        prop_assert!((o - expected).abs() <= 1e-6 * (1.0 + expected.abs()), "got {} expected {}", o, expected);
        // The bound is on the right side of the optimum.
        let slack = 1e-6 * (1.0 + expected.abs());
        if c.maximize {
            prop_assert!(r.bound >= expected - slack, "bound {} below the optimum {}", r.bound, expected);
        } else {
            prop_assert!(r.bound <= expected + slack, "bound {} above the optimum {}", r.bound, expected);
        }
        let x = model.input_of(&r.solution.unwrap());
        let y = c.net.forward(&x);
        let fx: f64 = c.objective.iter().zip(&y).map(|(a, b)| a * b).sum();
        prop_assert!((fx - o).abs() <= 1e-6 * (1.0 + o.abs()));
    }
}

#[test]
fn node_rows_are_installed_on_some_cases() {
    // The property above must not hold vacuously: some node of some case has tighter bounds than the root.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut rows = 0;
    for _ in 0..24 {
        let c = case().new_tree(&mut runner).unwrap().current();
        let model = model_of(&c);
        let r = solve_model(
            &model,
            &options(true, "off"),
            SolveSetup::default(),
            &Log::quiet(),
        )
        .unwrap();
        rows += r.stats.local_rows;
    }
    assert!(rows > 0, "no node ever installed a local big-M row");
}
