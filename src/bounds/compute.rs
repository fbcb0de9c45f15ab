//! The one entry point: bounds by a chosen method, each method starting from the previous one's bounds.

use super::lp::lp_bounds_timed;
use super::milp::milp_bounds_timed;
use super::{interval_bounds, naive_bounds, BoundMethod, NeuronBounds, Propagator};
use crate::error::{Error, Result};
use crate::nn::Network;
use crate::spec::InputDomain;
use std::time::Instant;

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

/// Bounds and where the time went.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundsRun {
    /// The bounds.
    pub bounds: NeuronBounds,
    /// Seconds spent on each layer, summed over the chain of methods that produced the bounds.
    pub layer_seconds: Vec<f64>,
}

/// Valid pre-activation bounds of every neuron of `net` over `domain` by `method`; `symbolic` starts from
/// `interval`, `lp` from `symbolic`, `milp` from `lp`, so the result is inside every cheaper method's bounds.
pub fn compute_bounds(
    net: &Network,
    domain: &InputDomain,
    method: BoundMethod,
    options: &BoundsOptions,
) -> Result<NeuronBounds> {
    compute_bounds_timed(net, domain, method, options).map(|run| run.bounds)
}

/// [`compute_bounds`] with the time spent per layer.
pub fn compute_bounds_timed(
    net: &Network,
    domain: &InputDomain,
    method: BoundMethod,
    options: &BoundsOptions,
) -> Result<BoundsRun> {
    options.validate()?;
    if domain.dim() != net.input_size() {
        return Err(Error::Options(format!(
            "the domain has {} features, the network {} inputs",
            domain.dim(),
            net.input_size()
        )));
    }
    let run = || -> Result<BoundsRun> {
        let mut times = vec![0.0; net.layers().len()];
        if method == BoundMethod::Naive {
            let started = Instant::now();
            let bounds = naive_bounds(net, &domain.lower, &domain.upper);
            let per_layer = started.elapsed().as_secs_f64() / times.len() as f64;
            times.iter_mut().for_each(|t| *t = per_layer);
            return Ok(BoundsRun {
                bounds,
                layer_seconds: times,
            });
        }
        let mut propagator = Propagator::new(net);
        let mut bounds = NeuronBounds::unbounded(net);
        let mut cheap =
            |m: BoundMethod, start: Option<&NeuronBounds>, out: &mut NeuronBounds, times: &mut [f64]| {
                if !propagator.run(domain, None, m, &[], start, out) {
                    // Only an empty domain makes phase-free propagation infeasible: every bound is then valid,
                    // but we return plain interval bounds rather than crossed ones.
                    *out = interval_bounds(net, &domain.lower, &domain.upper);
                }
                for (t, s) in times.iter_mut().zip(propagator.layer_seconds()) {
                    *t += s;
                }
            };
        cheap(BoundMethod::Interval, None, &mut bounds, &mut times);
        if method == BoundMethod::Interval {
            return Ok(BoundsRun {
                bounds,
                layer_seconds: times,
            });
        }
        let interval = bounds.clone();
        cheap(BoundMethod::Symbolic, Some(&interval), &mut bounds, &mut times);
        if method == BoundMethod::Symbolic {
            return Ok(BoundsRun {
                bounds,
                layer_seconds: times,
            });
        }
        let started = Instant::now();
        // When milp follows, lp may use a quarter of the budget; the rest goes to milp.
        let lp_options = BoundsOptions {
            time_limit: match method {
                BoundMethod::Milp => options.time_limit.map(|t| 0.25 * t),
                _ => options.time_limit,
            },
            ..options.clone()
        };
        bounds = lp_bounds_timed(net, domain, &bounds, &lp_options, &mut times)?;
        if method == BoundMethod::Lp {
            return Ok(BoundsRun {
                bounds,
                layer_seconds: times,
            });
        }
        let milp_options = BoundsOptions {
            time_limit: options
                .time_limit
                .map(|t| (t - started.elapsed().as_secs_f64()).max(0.0)),
            ..options.clone()
        };
        bounds = milp_bounds_timed(net, domain, &bounds, &milp_options, &mut times)?;
        Ok(BoundsRun {
            bounds,
            layer_seconds: times,
        })
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
