//! The "maximum difference" form of verify: how far can the output move from the reference output over the
//! domain? Maximises `||N(x) - N(x0)||` (L1 by default, or L∞) over the logits, exactly: the network is
//! extended by the constant `N(x0)` ([`with_constant_outputs`]) and by `|d| = relu(d) + relu(-d)` per output
//! ([`with_abs_differences`]), whose ReLUs the encoding models with binaries.
//!
//! The study this comes from measured the distance between softmax probabilities. Softmax is not piecewise
//! linear, so it has no exact MILP encoding; the logits are what the ReLU network computes exactly. Softmax is
//! Lipschitz in the logits (1-Lipschitz in L2, Gao & Pavel 2017), so a bound on how far the logits move also
//! bounds, loosely, how far the probabilities move; the converse does not hold. Hence logits here.
//!
//! The reported distance is recomputed from a forward pass of the original network at the reported input.

use super::compare::output_distance;
use super::compose::{with_abs_differences, with_constant_outputs, DiffNorm};
use super::maximize::{maximize, MaximizeObjective};
use super::outcome::TaskResult;
use crate::error::{Error, Result};
use crate::log::Log;
use crate::nn::Network;
use crate::options::SolverOptions;
use crate::spec::InputDomain;

/// The answer: the task result (objective = the largest distance found, bound = a valid upper bound on it) and
/// the reference output it is measured from.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputShiftReport {
    /// Status, distance, bound, the input reaching it and its output (forward pass).
    pub result: TaskResult,
    /// `N(x0)`.
    pub reference_output: Vec<f64>,
}

/// The largest `||N(x) - N(x0)||` (`norm` over the outputs) for `x` in `domain`.
pub fn max_output_shift(
    net: &Network,
    domain: &InputDomain,
    reference: &[f64],
    norm: DiffNorm,
    options: &SolverOptions,
    log: &Log,
) -> Result<OutputShiftReport> {
    if reference.len() != net.input_size() {
        return Err(Error::Options(format!(
            "the reference input has {} values, the network takes {}",
            reference.len(),
            net.input_size()
        )));
    }
    let y0 = net.forward(reference);
    let shift = output_shift_network(net, &y0, norm)?;
    let mut result = maximize(
        &shift,
        domain,
        &MaximizeObjective::Linear(vec![1.0]),
        options,
        log,
    )?;
    // Report the distance and the output of the original network at the reported input.
    if let Some(x) = &result.input {
        let y = net.forward(x);
        result.objective = Some(output_distance(norm, &y, &y0));
        result.output = Some(y);
    }
    Ok(OutputShiftReport {
        result,
        reference_output: y0,
    })
}

/// The network whose single output is `||N(x) - y0||` (`norm` over the outputs): the model that
/// [`max_output_shift`] maximises, also what `relumip export` writes.
pub fn output_shift_network(net: &Network, y0: &[f64], norm: DiffNorm) -> Result<Network> {
    with_abs_differences(&with_constant_outputs(net, y0)?, norm)
}
