//! `adversarial` by radius search ([`super::radius_search`]): for L1 and L∞ without a budget on the number of
//! changed features (`max_changed`, `min_change`) and without integer features, the smallest distance at which
//! the target wins is found by verification questions over balls around the reference, whose neuron bounds
//! are much tighter than those of the whole domain. Every reported input passes [`check`] (tolerance 0).

use super::adversarial::{
    check, distance, margin_ratio, margin_shift, reference_and_source, report_of, search_domain,
    shrinking_attack, AdversarialReport, AdversarialSpec,
};
use super::radius_search::{largest_radius, radius_result, search_radius, shrink_toward, RadiusBracket};
use super::verify::verify_property;
use crate::error::{Error, Result};
use crate::heuristics::AttackObjective;
use crate::log::{fmt_value, Log};
use crate::nn::Network;
use crate::options::SolverOptions;
use crate::result::Status;
use crate::spec::{InputDomain, Norm, OutputConstraint, OutputProperty, VnnlibProperty, VnnlibRegion};
use std::time::Instant;

/// Whether [`adversarial_by_radius`] answers this question (L1 or L∞, no `max_changed`/`min_change`, no
/// integer features, no ball in the domain).
pub fn radius_search_applies(domain: &InputDomain, spec: &AdversarialSpec) -> bool {
    matches!(spec.norm, Norm::L1 | Norm::Linf)
        && spec.max_changed.is_none()
        && spec.min_change.is_none()
        && domain.ball.is_none()
        && !domain.integer.iter().any(|&i| i)
}

/// The smallest change of `spec.reference` in `spec.norm` within `domain` that makes the target win by the
/// margin, by radius search. The same question as [`super::adversarial::adversarial`].
pub fn adversarial_by_radius(
    net: &Network,
    domain: &InputDomain,
    spec: &AdversarialSpec,
    options: &SolverOptions,
    log: &Log,
) -> Result<AdversarialReport> {
    options.validate()?;
    let start = Instant::now();
    let (n, m) = (net.input_size(), net.output_size());
    if !radius_search_applies(domain, spec) {
        return Err(Error::Options(
            "radius search answers L1/L∞ questions without max_changed, min_change or integer features"
                .into(),
        ));
    }
    let (reference_output, source) = reference_and_source(net, domain, spec)?;
    let box_domain = search_domain(domain, spec)?;
    // Unsafe set: the target wins by the margin (`y_t - a y_j >= b` as `a y_j - y_t <= -b`); untargeted,
    // one disjunct per other class.
    let targets: Vec<usize> = match spec.target {
        Some(t) => vec![t],
        None => (0..m).filter(|&t| t != source).collect(),
    };
    let disjuncts: Vec<Vec<OutputConstraint>> = targets
        .iter()
        .map(|&t| {
            spec.margin
                .conditions(m, t)
                .into_iter()
                .map(|(j, a, b)| OutputConstraint {
                    coeffs: vec![(j, a), (t, -1.0)],
                    rhs: -b,
                })
                .collect()
        })
        .collect();
    let r_max = match spec.norm {
        Norm::L1 => (0..n)
            .map(|i| (spec.reference[i] - box_domain.lower[i]).max(box_domain.upper[i] - spec.reference[i]))
            .sum(),
        _ => largest_radius(&box_domain, &spec.reference),
    };
    log.line(&format!(
        "Radius search ({:?}): reference class {source}, distance up to {}",
        spec.norm,
        fmt_value(r_max)
    ));
    // A found input, moved as close to the reference as the check allows along the segment.
    let accept = |x: &[f64]| check(net, &box_domain, spec, source, x).is_ok();
    let closer = |x: &[f64]| {
        let x = shrink_toward(&spec.reference, x, accept);
        let d = distance(spec.norm, &x, &spec.reference);
        (x, d)
    };
    // PGD first: its input, shortened, is the bracket's upper end, so the search bisects at once.
    let attack = match spec.target {
        Some(t) => AttackObjective::target(m, t, margin_shift(spec.margin), margin_ratio(spec.margin)),
        None => AttackObjective::untargeted(m, source, margin_shift(spec.margin), margin_ratio(spec.margin)),
    };
    let known = RadiusBracket {
        lower: 0.0,
        best: shrinking_attack(net, &box_domain, spec, source, &attack, options)
            .filter(|w| accept(&w.input))
            .map(|w| closer(&w.input)),
    };
    if let Some((_, d)) = &known.best {
        log.line(&format!(
            "PGD found an adversarial input at distance {}",
            fmt_value(*d)
        ));
    }
    let outcome = search_radius(r_max, (r_max / 64.0).max(1e-6), known, options, log, |r, opts| {
        let ball = match spec.norm {
            Norm::L1 => box_domain.clone().intersect_l1(&spec.reference, r)?,
            _ => box_domain.clone().intersect_linf(&spec.reference, r)?,
        };
        let prop = VnnlibProperty {
            inputs: n,
            outputs: m,
            regions: vec![VnnlibRegion {
                domain: ball,
                output: OutputProperty {
                    disjuncts: disjuncts.clone(),
                },
            }],
        };
        let report = verify_property(net, &prop, opts, &Log::quiet())?;
        let answer = match report.status {
            Status::Unsat => Some(None),
            Status::Sat => report
                .counterexample
                .and_then(|cex| accept(&cex.input).then(|| Some(closer(&cex.input)))),
            _ => None,
        };
        Ok((answer, report.nodes, report.lp_iterations))
    })?;
    let result = radius_result(outcome, start, |x| net.forward(x));
    Ok(report_of(
        net,
        &box_domain,
        spec,
        source,
        reference_output,
        result,
    ))
}
