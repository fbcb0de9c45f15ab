//! The generic tree search on small MILPs with known optima, and random small MILPs against brute force
//! over their integer assignments.

use proptest::prelude::*;
use relumip::log::Log;
use relumip::lp::{DualSimplex, LpOptions, LpProblem, LpStatus, Sense};
use relumip::mip::{solve_mip, MipOptions, MipProblem, MipStatus};

fn tight() -> MipOptions {
    MipOptions {
        gap_rel: 1e-9,
        gap_abs: 1e-9,
        ..MipOptions::default()
    }
}

/// max 5x + 4y + 3z s.t. 2x + 3y + z <= 5, 4x + y + 2z <= 11, 3x + 4y + 2z <= 8, integers in [0, 10]: 13.
#[test]
fn knapsack_like_known_optimum() {
    let mut lp = LpProblem::new(Sense::Maximize);
    for (c, n) in [(5.0, "x"), (4.0, "y"), (3.0, "z")] {
        lp.add_col(c, 0.0, 10.0, n);
    }
    lp.add_row(f64::NEG_INFINITY, 5.0, vec![(0, 2.0), (1, 3.0), (2, 1.0)], "r1");
    lp.add_row(f64::NEG_INFINITY, 11.0, vec![(0, 4.0), (1, 1.0), (2, 2.0)], "r2");
    lp.add_row(f64::NEG_INFINITY, 8.0, vec![(0, 3.0), (1, 4.0), (2, 2.0)], "r3");
    let mip = MipProblem::new(lp, vec![true; 3]).unwrap();
    let (log, buf) = Log::buffer();
    let r = solve_mip(&mip, tight(), log.timeless(true)).unwrap();
    assert_eq!(r.status, MipStatus::Optimal, "{}", buf.text());
    assert!((r.objective.unwrap() - 13.0).abs() < 1e-6);
    assert!(r.bound >= 13.0 - 1e-6);
    assert!(buf.text().contains("Explored"));
}

/// x + y = 1.5 with x, y integer: infeasible.
#[test]
fn integer_infeasible() {
    let mut lp = LpProblem::new(Sense::Minimize);
    lp.add_col(1.0, 0.0, 5.0, "x");
    lp.add_col(1.0, 0.0, 5.0, "y");
    lp.add_row(1.5, 1.5, vec![(0, 1.0), (1, 1.0)], "r");
    let mip = MipProblem::new(lp, vec![true, true]).unwrap();
    let r = solve_mip(&mip, tight(), Log::quiet()).unwrap();
    assert_eq!(r.status, MipStatus::Infeasible);
    assert!(r.objective.is_none());
}

/// A node limit of 1 still returns a valid bound.
#[test]
fn node_limit_keeps_valid_bound() {
    let mut lp = LpProblem::new(Sense::Maximize);
    let n = 12;
    for i in 0..n {
        lp.add_col(1.0 + (i as f64) * 0.37 % 1.0, 0.0, 1.0, format!("x{i}"));
    }
    lp.add_row(
        f64::NEG_INFINITY,
        5.5,
        (0..n).map(|i| (i, 1.0 + (i % 3) as f64 * 0.5)).collect(),
        "cap",
    );
    let mip = MipProblem::new(lp, vec![true; n]).unwrap();
    let full = solve_mip(&mip, tight(), Log::quiet()).unwrap();
    let limited = solve_mip(
        &mip,
        MipOptions {
            node_limit: Some(1),
            ..tight()
        },
        Log::quiet(),
    )
    .unwrap();
    assert_eq!(full.status, MipStatus::Optimal);
    assert!(limited.bound >= full.objective.unwrap() - 1e-6);
    if let Some(o) = limited.objective {
        assert!(o <= full.objective.unwrap() + 1e-6);
    }
}

/// Dense random MILP: `rows` constraints over `cols` integer columns in [0, 3].
#[derive(Debug, Clone)]
struct Random {
    maximize: bool,
    cost: Vec<f64>,
    rows: Vec<(Vec<f64>, f64)>,
    integer: Vec<bool>,
}

fn random_mip() -> impl Strategy<Value = Random> {
    (2usize..=4, 1usize..=3).prop_flat_map(|(n, m)| {
        (
            any::<bool>(),
            prop::collection::vec(-5i32..=5, n),
            prop::collection::vec((prop::collection::vec(-4i32..=4, n), 0i32..=12), m),
            prop::collection::vec(prop::bool::weighted(0.7), n),
        )
            .prop_map(|(maximize, cost, rows, integer)| Random {
                maximize,
                cost: cost.into_iter().map(f64::from).collect(),
                rows: rows
                    .into_iter()
                    .map(|(a, b)| {
                        (
                            a.into_iter().map(|v| f64::from(v) * 0.5).collect(),
                            f64::from(b) * 0.7,
                        )
                    })
                    .collect(),
                integer,
            })
    })
}

fn to_mip(r: &Random) -> MipProblem {
    let mut lp = LpProblem::new(if r.maximize {
        Sense::Maximize
    } else {
        Sense::Minimize
    });
    for (j, &c) in r.cost.iter().enumerate() {
        lp.add_col(c, 0.0, 3.0, format!("x{j}"));
    }
    for (i, (a, b)) in r.rows.iter().enumerate() {
        lp.add_row(
            f64::NEG_INFINITY,
            *b,
            a.iter().enumerate().map(|(j, &v)| (j, v)).collect(),
            format!("r{i}"),
        );
    }
    MipProblem::new(lp, r.integer.clone()).unwrap()
}

/// Brute force: every integer assignment, the continuous rest by an LP.
fn brute_force(mip: &MipProblem) -> Option<f64> {
    let ints: Vec<usize> = (0..mip.integer.len()).filter(|&j| mip.integer[j]).collect();
    let mut best: Option<f64> = None;
    let total = 4usize.pow(ints.len() as u32);
    for code in 0..total {
        let mut lp = mip.lp.clone();
        let mut c = code;
        for &j in &ints {
            let v = (c % 4) as f64;
            c /= 4;
            lp.col_lower[j] = v;
            lp.col_upper[j] = v;
        }
        let mut s = DualSimplex::new(&lp, LpOptions::default()).unwrap();
        if s.solve() == LpStatus::Optimal {
            let v = s.objective_value();
            best = Some(match (best, lp.sense) {
                (None, _) => v,
                (Some(b), Sense::Maximize) => b.max(v),
                (Some(b), Sense::Minimize) => b.min(v),
            });
        }
    }
    best
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]
    #[test]
    fn random_small_milps_match_brute_force(r in random_mip()) {
        let mip = to_mip(&r);
        let expected = brute_force(&mip);
        let got = solve_mip(&mip, tight(), Log::quiet()).unwrap();
        match expected {
            None => prop_assert_eq!(got.status, MipStatus::Infeasible),
            Some(v) => {
                prop_assert_eq!(got.status, MipStatus::Optimal);
                let o = got.objective.unwrap();
                prop_assert!((o - v).abs() <= 1e-6 * (1.0 + v.abs()), "got {} expected {}", o, v);
                let x = got.solution.unwrap();
                prop_assert!(mip.violation(&x).is_none());
            }
        }
    }
}

/// Random two-sided rows, a random sub-box as the node, and whether each column is integer.
fn random_propagation_case() -> impl Strategy<Value = (Random, Vec<(f64, f64)>, Vec<f64>)> {
    (
        random_mip(),
        prop::collection::vec((0i32..=3, 0i32..=3), 4),
        prop::collection::vec(0i32..=8, 3),
    )
        .prop_map(|(r, boxes, widths)| {
            let n = r.cost.len();
            let node = boxes[..n]
                .iter()
                .map(|&(a, b)| (f64::from(a.min(b)), f64::from(a.max(b))))
                .collect();
            let widths = widths.into_iter().map(|w| f64::from(w) * 0.9).collect();
            (r, node, widths)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    /// Row propagation never removes a feasible point of the node: every point of the integer grid in the
    /// node's box that satisfies the rows stays inside the propagated bounds, and "infeasible" means there
    /// is none (grid points are feasible for continuous columns too, so they must survive either way).
    #[test]
    fn row_propagation_keeps_every_feasible_point((r, node, widths) in random_propagation_case()) {
        use relumip::mip::{BoundChange, NodeView, Propagation, Propagator, RowPropagator};
        let mut mip = to_mip(&r);
        for (i, w) in widths.iter().enumerate().take(mip.lp.num_rows()) {
            mip.lp.row_lower[i] = mip.lp.row_upper[i] - w;
        }
        let n = mip.integer.len();
        let (lower, upper): (Vec<f64>, Vec<f64>) = node.iter().copied().unzip();
        let view = NodeView {
            problem: &mip,
            col_lower: &lower,
            col_upper: &upper,
            x: &[],
            lp_value: f64::NEG_INFINITY,
            depth: 1,
            explored: 0,
            incumbent: f64::INFINITY,
        };
        let mut changes: Vec<BoundChange> = Vec::new();
        let outcome = RowPropagator::default().propagate(&view, &mut changes);
        let (mut lo, mut hi) = (lower.clone(), upper.clone());
        for c in &changes {
            lo[c.col] = lo[c.col].max(c.lower);
            hi[c.col] = hi[c.col].min(c.upper);
        }
        for code in 0..4usize.pow(n as u32) {
            let mut c = code;
            let x: Vec<f64> = (0..n).map(|_| { let v = (c % 4) as f64; c /= 4; v }).collect();
            let in_node = (0..n).all(|j| lower[j] <= x[j] && x[j] <= upper[j]);
            if !in_node || mip.violation(&x).is_some() {
                continue;
            }
            prop_assert!(outcome != Propagation::Infeasible, "feasible {:?} but node declared infeasible", x);
            for j in 0..n {
                prop_assert!(lo[j] <= x[j] && x[j] <= hi[j], "feasible {:?} cut off: col {} in [{}, {}]", x, j, lo[j], hi[j]);
            }
        }
    }
}
