//! The one entry point: bounds by a chosen method, each method starting from the previous one's bounds.

use super::{
    interval_bounds, lp_bounds, milp_bounds, naive_bounds, symbolic_bounds, BoundMethod, NeuronBounds,
};
use crate::error::{Error, Result};
use crate::nn::Network;
use crate::spec::InputDomain;

/// Options of [`compute_bounds`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BoundsOptions {
    /// Threads for the LP and MILP methods (and symbolic's parallel layers); `None` = rayon's default.
    pub threads: Option<usize>,
    /// Total wall-clock budget in seconds for `lp` and `milp` (`None` = none). When it runs out the remaining
    /// neurons keep the previous method's bounds, which stay valid.
    pub time_limit: Option<f64>,
    /// Wall-clock limit in seconds for one neuron's optimisation problem (`None` = none).
    pub neuron_time_limit: Option<f64>,
}

impl BoundsOptions {
    fn validate(&self) -> Result<()> {
        if self.threads == Some(0) {
            return Err(Error::Options("bounds: threads must be at least 1".into()));
        }
        for (name, v) in [
            ("time limit", self.time_limit),
            ("neuron time limit", self.neuron_time_limit),
        ] {
            if let Some(t) = v {
                if t.is_nan() || t < 0.0 {
                    return Err(Error::Options(format!("bounds: {name} must be >= 0, got {t}")));
                }
            }
        }
        Ok(())
    }
}

/// Valid pre-activation bounds of every neuron of `net` over `domain` by `method`; `symbolic` starts from
/// `interval`, `lp` from `symbolic`, `milp` from `lp`, so the result is inside every cheaper method's bounds.
pub fn compute_bounds(
    net: &Network,
    domain: &InputDomain,
    method: BoundMethod,
    options: &BoundsOptions,
) -> Result<NeuronBounds> {
    options.validate()?;
    if domain.dim() != net.input_size() {
        return Err(Error::Options(format!(
            "the domain has {} features, the network {} inputs",
            domain.dim(),
            net.input_size()
        )));
    }
    let run = || -> Result<NeuronBounds> {
        if method == BoundMethod::Naive {
            return Ok(naive_bounds(net, &domain.lower, &domain.upper));
        }
        let mut bounds = interval_bounds(net, &domain.lower, &domain.upper);
        if method == BoundMethod::Interval {
            return Ok(bounds);
        }
        bounds.intersect_with(&symbolic_bounds(net, domain));
        if method == BoundMethod::Symbolic {
            return Ok(bounds);
        }
        let started = std::time::Instant::now();
        // When milp follows, lp may use a quarter of the budget; the rest goes to milp.
        let lp_options = BoundsOptions {
            time_limit: match method {
                BoundMethod::Milp => options.time_limit.map(|t| 0.25 * t),
                _ => options.time_limit,
            },
            ..options.clone()
        };
        bounds = lp_bounds(net, domain, &bounds, &lp_options)?;
        if method == BoundMethod::Lp {
            return Ok(bounds);
        }
        let milp_options = BoundsOptions {
            time_limit: options
                .time_limit
                .map(|t| (t - started.elapsed().as_secs_f64()).max(0.0)),
            ..options.clone()
        };
        milp_bounds(net, domain, &bounds, &milp_options)
    };
    match options.threads {
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| Error::Options(format!("bounds: cannot start {n} threads: {e}")))?;
            pool.install(run)
        }
        None => run(),
    }
}
