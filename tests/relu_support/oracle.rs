//! The exhaustive oracle of the ReLU property tests (tests/relu_model.rs, node_big_m.rs, parallel_tree.rs,
//! beta_crown.rs): a small network with an input box and a linear objective of its outputs, its optimum by
//! enumerating activation patterns (one LP per pattern), the relumip model of the same question, and a
//! proptest strategy of such cases.

use proptest::prelude::*;
use relumip::bounds::interval_bounds;
use relumip::lp::{DualSimplex, LpOptions, LpProblem, LpStatus, Sense};
use relumip::nn::{Layer, Network};
use relumip::relu::ReluModel;
use relumip::spec::InputDomain;

#[derive(Debug, Clone)]
pub struct Case {
    pub net: Network,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub objective: Vec<f64>,
    pub maximize: bool,
}

/// The best objective over all activation patterns: each pattern's region is a polytope in x, the
/// network affine on it; one LP per pattern.
pub fn enumerate(c: &Case) -> f64 {
    enumerate_fixed(c, &[])
}

/// [`enumerate`] over the patterns that agree with `fixed[b]` (`Some(true)`: active) on the `b`-th ReLU
/// neuron in layer order (missing or `None`: either phase).
pub fn enumerate_fixed(c: &Case, fixed: &[Option<bool>]) -> f64 {
    let layers = c.net.layers();
    let relu: usize = c.net.relu_count();
    let n = c.net.input_size();
    let mut best = if c.maximize {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    };
    for code in 0u64..(1u64 << relu) {
        let agrees = fixed
            .iter()
            .enumerate()
            .all(|(b, f)| f.is_none_or(|active| (code >> b & 1 == 1) == active));
        if !agrees {
            continue;
        }
        let mut lp = LpProblem::new(if c.maximize {
            Sense::Maximize
        } else {
            Sense::Minimize
        });
        for i in 0..n {
            lp.add_col(0.0, c.lower[i], c.upper[i], format!("x{i}"));
        }
        // Current layer values as affine functions of x: (coeffs, constant).
        let mut vals: Vec<(Vec<f64>, f64)> = (0..n)
            .map(|i| {
                let mut e = vec![0.0; n];
                e[i] = 1.0;
                (e, 0.0)
            })
            .collect();
        let mut bit = 0;
        for layer in layers {
            let mut next = Vec::new();
            for j in 0..layer.outputs() {
                let mut e = vec![0.0; n];
                let mut k0 = layer.bias()[j];
                for (i, &w) in layer.row(j).iter().enumerate() {
                    for t in 0..n {
                        e[t] += w * vals[i].0[t];
                    }
                    k0 += w * vals[i].1;
                }
                if layer.has_relu() {
                    let active = code >> bit & 1 == 1;
                    bit += 1;
                    let coeffs: Vec<(usize, f64)> = e.iter().enumerate().map(|(t, &v)| (t, v)).collect();
                    if active {
                        lp.add_row(-k0, f64::INFINITY, coeffs, "act");
                        next.push((e, k0));
                    } else {
                        lp.add_row(f64::NEG_INFINITY, -k0, coeffs, "inact");
                        next.push((vec![0.0; n], 0.0));
                    }
                } else {
                    next.push((e, k0));
                }
            }
            vals = next;
        }
        let mut offset = 0.0;
        for (j, &w) in c.objective.iter().enumerate() {
            for t in 0..n {
                lp.cost[t] += w * vals[j].0[t];
            }
            offset += w * vals[j].1;
        }
        lp.objective_offset = offset;
        let mut s = DualSimplex::new(&lp, LpOptions::default()).unwrap();
        if s.solve() == LpStatus::Optimal {
            let v = s.objective_value();
            best = if c.maximize { best.max(v) } else { best.min(v) };
        }
    }
    best
}

pub fn model_of(c: &Case) -> ReluModel {
    let domain = InputDomain::boxed(c.lower.clone(), c.upper.clone()).unwrap();
    let bounds = interval_bounds(&c.net, &c.lower, &c.upper);
    let mut model = ReluModel::new(&c.net, &domain, &bounds).unwrap();
    let terms: Vec<(usize, f64)> = (0..c.objective.len())
        .filter_map(|j| model.output_col(j).map(|col| (col, c.objective[j])))
        .collect();
    let sense = if c.maximize {
        Sense::Maximize
    } else {
        Sense::Minimize
    };
    model.set_objective(sense, &terms, 0.0);
    model
}

/// Random cases with layer sizes `sizes` (inputs first, outputs last): weights in [-1, 1), biases in
/// [-0.5, 0.5), input boxes of width 0.1..1.5 from [-1, 0.5), a random objective and sense.
pub fn case_of_sizes(sizes: Vec<usize>) -> impl Strategy<Value = Case> {
    let (n_in, n_out) = (sizes[0], sizes[sizes.len() - 1]);
    let weights: Vec<_> = sizes
        .windows(2)
        .map(|w| {
            (
                prop::collection::vec(-1.0f64..1.0, w[0] * w[1]),
                prop::collection::vec(-0.5f64..0.5, w[1]),
            )
        })
        .collect();
    (
        Just(sizes),
        weights,
        prop::collection::vec((-1.0f64..0.5, 0.1f64..1.5), n_in),
        prop::collection::vec(-1.0f64..1.0, n_out),
        any::<bool>(),
    )
        .prop_map(|(sizes, weights, boxes, objective, maximize)| {
            let last = weights.len() - 1;
            let layers = weights
                .into_iter()
                .enumerate()
                .map(|(k, (w, b))| Layer::new(sizes[k], sizes[k + 1], w, b, k < last).unwrap())
                .collect();
            Case {
                net: Network::new(layers).unwrap(),
                lower: boxes.iter().map(|b| b.0).collect(),
                upper: boxes.iter().map(|b| b.0 + b.1).collect(),
                objective,
                maximize,
            }
        })
}
