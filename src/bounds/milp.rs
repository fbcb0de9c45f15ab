//! Bound tightening with the MILP per neuron (our branch-and-bound), a time budget split over layers.

use super::{BoundsOptions, NeuronBounds};
use crate::error::{Error, Result};
use crate::nn::Network;
use crate::spec::InputDomain;

/// MILP bounds: `start` (valid bounds, e.g. from `lp`) tightened per neuron with the branch-and-bound.
pub fn milp_bounds(
    net: &Network,
    domain: &InputDomain,
    start: &NeuronBounds,
    options: &BoundsOptions,
) -> Result<NeuronBounds> {
    let _ = (net, domain, start, options);
    Err(Error::Unsupported(
        "milp bounds need the branch-and-bound (mip), which has not landed yet; use --method lp".into(),
    ))
}

/// [`milp_bounds`], adding the seconds spent per layer to `times`.
pub(crate) fn milp_bounds_timed(
    net: &Network,
    domain: &InputDomain,
    start: &NeuronBounds,
    options: &BoundsOptions,
    times: &mut [f64],
) -> Result<NeuronBounds> {
    let _ = times;
    milp_bounds(net, domain, start, options)
}
