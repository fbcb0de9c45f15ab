//! `compare` modes `maxflip` and `mineps` (the others are in [`super::compare`]).
//!
//! - `maxflip`: two networks of the same architecture; maximise the number of hidden neurons whose activation
//!   state differs between A and B. Per neuron pair, `za`/`zb` is the big-M binary of an unstable neuron or the
//!   constant 0/1 of a stable one, and the flip indicator `f in [0, 1]` has `f <= za + zb`,
//!   `f <= 2 - za - zb` (the lower side `f >= |za - zb|` is not needed when maximising). A neuron whose
//!   pre-activation is exactly 0 satisfies both branches of its big-M encoding, so the MILP may count it either
//!   way. So that the MILP does not count ties, an unstable neuron is active in the model only with
//!   pre-activation >= [`FLIP_ACTIVE_MARGIN`]: every flip it counts is a forward-pass flip, and its bound is a
//!   bound on the flips whose active side clears that margin (a stable-active neuron whose lower bound is
//!   exactly 0 is still counted active). The reported count comes from forward passes (pre-activation `> 0` =
//!   active) and is checked against the MILP's claim.
//! - `mineps`: the smallest L∞ radius `r` around a reference `x0` at which A still picks class `c` (by
//!   [`MINEPS_MARGIN`]) while B does not (some `j != c` with `y^B_j >= y^B_c`, one big-M binary per `j`).

use super::adversarial::distance;
use super::compare::{with_outputs, CompareReport};
use super::compose::parallel;
use super::outcome::{snap_input, TaskResult};
use crate::error::{Error, Result};
use crate::log::Log;
use crate::lp::Sense;
use crate::mip::CandidateCheck;
use crate::nn::Network;
use crate::options::{Branching, SolverOptions};
use crate::relu::Stability;
use crate::solver::{build_model, log_model_stats, solve_model, SolveSetup};
use crate::spec::{InputDomain, Norm};
use std::sync::Arc;
use std::time::Instant;

/// Margin by which A's class must beat every other class in the `mineps` model (absorbs LP tolerances so that
/// the forward pass agrees with the MILP on A's prediction).
pub const MINEPS_MARGIN: f64 = 1e-6;

/// In the `maxflip` model a neuron with a binary is active only with pre-activation at least this (row
/// `h >= margin * a`; inactive keeps `z <= 0`), so that every flip the MILP counts is a flip of the forward
/// passes (pre-activation `> 0` = active). Inputs where such a neuron has `0 < z < margin` are left out.
pub const FLIP_ACTIVE_MARGIN: f64 = 1e-6;

/// A pre-activation within this of 0 is a tie: the MILP may count its neuron active or inactive.
pub const FLIP_TIE_TOL: f64 = 1e-6;

/// The extra facts of a `maxflip` answer.
#[derive(Debug, Clone, PartialEq)]
pub struct FlipReport {
    /// The comparison (objective = flips counted by forward passes, when consistent with the MILP).
    pub report: CompareReport,
    /// Flips counted by forward passes at the reported input (pre-activation `> 0` = active).
    pub flips: Option<usize>,
    /// The MILP's own count at the reported point (sum of the flip indicators).
    pub milp_flips: Option<f64>,
    /// Neuron pairs with a pre-activation within [`FLIP_TIE_TOL`] of 0 in either network.
    pub ties: Option<usize>,
    /// A remark for the user (set when the forward count falls short of the MILP's claim beyond ties).
    pub note: Option<String>,
}

fn same_architecture(a: &Network, b: &Network) -> Result<()> {
    let shape = |n: &Network| -> Vec<(usize, usize, bool)> {
        n.layers()
            .iter()
            .map(|l| (l.inputs(), l.outputs(), l.has_relu()))
            .collect()
    };
    if shape(a) != shape(b) {
        return Err(Error::Options(
            "maxflip needs two networks of the same architecture (layer sizes and ReLU placement)".into(),
        ));
    }
    Ok(())
}

/// `(flips, ties)` at `x`: hidden ReLU neurons active (pre-activation `> 0`) in one network and not the other,
/// and pairs with a pre-activation within [`FLIP_TIE_TOL`] of 0.
pub fn count_flips(a: &Network, b: &Network, x: &[f64]) -> (usize, usize) {
    let (pa, pb) = (a.pre_activations(x), b.pre_activations(x));
    let (mut flips, mut ties) = (0, 0);
    for (k, layer) in a.layers().iter().enumerate() {
        if !layer.has_relu() {
            continue;
        }
        for (za, zb) in pa[k].iter().zip(&pb[k]) {
            flips += usize::from((*za > 0.0) != (*zb > 0.0));
            ties += usize::from(za.abs() <= FLIP_TIE_TOL || zb.abs() <= FLIP_TIE_TOL);
        }
    }
    (flips, ties)
}

/// The MILP [`maxflip`] solves (both networks side by side, a flip indicator per neuron pair, maximising their
/// sum) and the flip indicators' columns.
pub fn maxflip_model(
    a: &Network,
    b: &Network,
    domain: &InputDomain,
    options: &SolverOptions,
) -> Result<(crate::relu::ReluModel, Vec<usize>)> {
    same_architecture(a, b)?;
    let pair = parallel(a, b)?;
    let mut model = build_model(&pair, domain, options)?;
    // The activation indicator of a neuron: its binary column, or a constant for a stable neuron.
    let indicator = |n: &crate::relu::NeuronColumns| match n.stability {
        Stability::Unstable => (n.binary, 0.0),
        Stability::Active => (None, 1.0_f64),
        Stability::Inactive => (None, 0.0),
    };
    let mut flip_cols = Vec::new();
    for (k, layer) in a.layers().iter().enumerate() {
        if !layer.has_relu() {
            continue;
        }
        let n = layer.outputs();
        for i in 0..n {
            for j in [i, n + i] {
                let cols = model.neurons[k][j];
                // Active means pre-activation >= FLIP_ACTIVE_MARGIN: with a = 1 the encoding has h = z.
                if let (Some(h), Some(a)) = (cols.value, cols.binary) {
                    let coeffs = vec![(h, 1.0), (a, -FLIP_ACTIVE_MARGIN)];
                    model.add_row(0.0, f64::INFINITY, coeffs, format!("active_margin_{k}_{j}"));
                }
            }
            let (za, ca) = indicator(&model.neurons[k][i]);
            let (zb, cb) = indicator(&model.neurons[k][n + i]);
            let vars: Vec<(usize, f64)> = za.into_iter().chain(zb).map(|c| (c, 1.0)).collect();
            let constant = ca + cb;
            // Both stable: f is fixed by its bounds (1 exactly when the states differ).
            let upper = if vars.is_empty() { (ca - cb).abs() } else { 1.0 };
            let f = model.add_column(1.0, 0.0, upper, false, format!("flip_{k}_{i}"));
            flip_cols.push(f);
            if vars.is_empty() {
                continue;
            }
            // f - za - zb <= constant ; f + za + zb <= 2 - constant.
            let mut le_sum = vec![(f, 1.0)];
            le_sum.extend(vars.iter().map(|&(c, _)| (c, -1.0)));
            model.add_row(
                f64::NEG_INFINITY,
                constant,
                le_sum,
                format!("flip_{k}_{i}_le_sum"),
            );
            let mut le_rest = vec![(f, 1.0)];
            le_rest.extend(vars.iter().copied());
            model.add_row(
                f64::NEG_INFINITY,
                2.0 - constant,
                le_rest,
                format!("flip_{k}_{i}_le_rest"),
            );
        }
    }
    let terms: Vec<(usize, f64)> = flip_cols.iter().map(|&c| (c, 1.0)).collect();
    model.set_objective(Sense::Maximize, &terms, 0.0);
    Ok((model, flip_cols))
}

/// `maxflip`: the input of `domain` at which the most hidden neurons differ in activation between `a` and `b`.
pub fn maxflip(
    a: &Network,
    b: &Network,
    domain: &InputDomain,
    options: &SolverOptions,
    log: &Log,
) -> Result<FlipReport> {
    options.validate()?;
    same_architecture(a, b)?;
    // The objective lives on the binaries: splitting inputs alone never closes the gap near a hyperplane
    // where both networks' neurons are fractional, so the automatic rule branches on activations here.
    let mut options = options.clone();
    if options.branching == Branching::Auto {
        options.branching = Branching::Babsr;
    }
    let options = &options;
    let start = Instant::now();
    let (model, flip_cols) = maxflip_model(a, b, domain, options)?;
    log_model_stats(&model, log);
    let check: CandidateCheck = {
        let (a, b, domain, cols) = (a.clone(), b.clone(), domain.clone(), model.input_cols.clone());
        Arc::new(move |point: &[f64]| {
            let x = snap_input(&cols, &domain, point)?;
            Some(count_flips(&a, &b, &x).0 as f64)
        })
    };
    let setup = SolveSetup {
        check: Some(check),
        ..SolveSetup::default()
    };
    let search = solve_model(&model, options, setup, log)?;
    let mut result = TaskResult::from_search(&model, &search);
    let (mut flips, mut milp_flips, mut ties, mut note) = (None, None, None, None);
    if let Some(point) = search.solution.as_ref() {
        if let Some(x) = snap_input(&model.input_cols, domain, point) {
            let (count, tie_count) = count_flips(a, b, &x);
            let claim: f64 = flip_cols.iter().map(|&c| point[c]).sum();
            if count as f64 >= claim - tie_count as f64 - 1e-6 {
                result.objective = Some(count as f64);
            } else {
                note = Some(format!(
                    "forward passes count {count} flips, the MILP claimed {claim} with {tie_count} ties at zero"
                ));
            }
            flips = Some(count);
            milp_flips = Some(claim);
            ties = Some(tie_count);
            result.input = Some(x);
        }
    }
    result.time_s = start.elapsed().as_secs_f64();
    Ok(FlipReport {
        report: with_outputs(result, a, b),
        flips,
        milp_flips,
        ties,
        note,
    })
}

/// The index of the largest output (the first on ties).
pub fn predicted_class(y: &[f64]) -> usize {
    let mut best = 0;
    for (j, v) in y.iter().enumerate() {
        if *v > y[best] {
            best = j;
        }
    }
    best
}

/// `true` when A picks `c` strictly and B does not pick `c` (some other class at least as large).
pub fn disagrees_at(ya: &[f64], yb: &[f64], c: usize) -> bool {
    let a_picks = (0..ya.len()).all(|j| j == c || ya[c] > ya[j]);
    let b_not = (0..yb.len()).any(|j| j != c && yb[j] >= yb[c]);
    a_picks && b_not
}

/// The MILP [`mineps`] solves (minimise the radius `r` around `reference` with A picking the class and B not)
/// and the class (A's prediction at the reference when `class` is `None`).
pub fn mineps_model(
    a: &Network,
    b: &Network,
    domain: &InputDomain,
    reference: &[f64],
    class: Option<usize>,
    options: &SolverOptions,
) -> Result<(crate::relu::ReluModel, usize)> {
    let (ma, mb) = (a.output_size(), b.output_size());
    if ma != mb || ma < 2 || reference.len() != a.input_size() {
        return Err(Error::Options(format!(
            "mineps needs two classifiers with the same number (>= 2) of outputs and a reference of {} values",
            a.input_size()
        )));
    }
    let c = class.unwrap_or_else(|| predicted_class(&a.forward(reference)));
    if c >= ma {
        return Err(Error::Options(format!("class {c} out of range ({ma} outputs)")));
    }
    let pair = parallel(a, b)?;
    let mut model = build_model(&pair, domain, options)?;
    let r_max = (0..reference.len())
        .map(|i| (reference[i] - domain.lower[i]).max(domain.upper[i] - reference[i]))
        .fold(0.0_f64, f64::max);
    if !r_max.is_finite() {
        return Err(Error::Options("mineps needs a bounded input box".into()));
    }
    let r = model.add_column(1.0, 0.0, r_max.max(0.0), false, "radius");
    for (i, &x0) in reference.iter().enumerate() {
        let x = model.input_col(i);
        model.add_row(
            f64::NEG_INFINITY,
            x0,
            vec![(x, 1.0), (r, -1.0)],
            format!("r_above_{i}"),
        );
        model.add_row(
            x0,
            f64::INFINITY,
            vec![(x, 1.0), (r, 1.0)],
            format!("r_below_{i}"),
        );
    }
    let out_layer = model.bounds.lower.len() - 1;
    let term = |model: &crate::relu::ReluModel, j: usize, s: f64| model.output_col(j).map(|col| (col, s));
    for j in (0..ma).filter(|&j| j != c) {
        let coeffs: Vec<_> = [term(&model, c, 1.0), term(&model, j, -1.0)]
            .into_iter()
            .flatten()
            .collect();
        model.add_row(MINEPS_MARGIN, f64::INFINITY, coeffs, format!("a_{c}_beats_{j}"));
    }
    // B: y_j - y_c >= -M (1 - d_j), i.e. y_j - y_c - M d_j >= -M, with M from the output bounds.
    let mut ds = Vec::new();
    for j in (0..mb).filter(|&j| j != c) {
        let (bj, bc) = (ma + j, ma + c);
        let lowest = model.bounds.lower[out_layer][bj] - model.bounds.upper[out_layer][bc];
        if !lowest.is_finite() {
            return Err(Error::Options("mineps needs finite output bounds of B".into()));
        }
        let big_m = (-lowest).max(0.0);
        let d = model.add_column(0.0, 0.0, 1.0, true, format!("b_{j}_ge_{c}"));
        ds.push((d, 1.0));
        let mut coeffs: Vec<_> = [term(&model, bj, 1.0), term(&model, bc, -1.0)]
            .into_iter()
            .flatten()
            .collect();
        coeffs.push((d, -big_m));
        model.add_row(-big_m, f64::INFINITY, coeffs, format!("b_{j}_reaches_{c}"));
    }
    model.add_row(1.0, f64::INFINITY, ds, "b_not_c");
    model.set_objective(Sense::Minimize, &[(r, 1.0)], 0.0);
    Ok((model, c))
}

/// Checks `mineps`'s arguments (shared by the MILP and the radius search): two classifiers with the same
/// number (>= 2) of outputs and a finite reference of the networks' input size; returns the number of classes.
pub(crate) fn check_mineps_arguments(a: &Network, b: &Network, reference: &[f64]) -> Result<usize> {
    let (ma, mb) = (a.output_size(), b.output_size());
    if ma != mb || ma < 2 {
        return Err(Error::Options(format!(
            "mineps needs two classifiers with the same number (>= 2) of outputs, got {ma} and {mb}"
        )));
    }
    if reference.len() != a.input_size() || reference.iter().any(|v| !v.is_finite()) {
        return Err(Error::Options(format!(
            "the reference has {} finite values, the networks take {} inputs",
            reference.len(),
            a.input_size()
        )));
    }
    Ok(ma)
}

/// `mineps`: the smallest L∞ distance from `reference` to an input of `domain` where `a` picks `class` (A's
/// prediction at the reference when `None`) and `b` does not. `infeasible`: no such input in the domain.
pub fn mineps(
    a: &Network,
    b: &Network,
    domain: &InputDomain,
    reference: &[f64],
    class: Option<usize>,
    options: &SolverOptions,
    log: &Log,
) -> Result<CompareReport> {
    options.validate()?;
    let start = Instant::now();
    check_mineps_arguments(a, b, reference)?;
    let (model, c) = mineps_model(a, b, domain, reference, class, options)?;
    log_model_stats(&model, log);
    let check: CandidateCheck = {
        let (a, b, domain, cols) = (a.clone(), b.clone(), domain.clone(), model.input_cols.clone());
        let reference = reference.to_vec();
        Arc::new(move |point: &[f64]| {
            let x = snap_input(&cols, &domain, point)?;
            disagrees_at(&a.forward(&x), &b.forward(&x), c).then(|| distance(Norm::Linf, &x, &reference))
        })
    };
    let setup = SolveSetup {
        check: Some(check),
        ..SolveSetup::default()
    };
    let search = solve_model(&model, options, setup, log)?;
    let mut result = TaskResult::from_search(&model, &search);
    if let Some(x) = search
        .solution
        .as_ref()
        .and_then(|p| snap_input(&model.input_cols, domain, p))
    {
        if disagrees_at(&a.forward(&x), &b.forward(&x), c) {
            result.objective = Some(distance(Norm::Linf, &x, reference));
            result.input = Some(x);
        }
    }
    result.time_s = start.elapsed().as_secs_f64();
    Ok(with_outputs(result, a, b))
}
