//! `adversarial`: the smallest change to a reference input that makes the network choose a target class.
//!
//! What "wins" means (checked on every reported input by a forward pass, tolerance 0):
//! - additive margin `m`: `y_t >= y_j + m` for every `j != t`;
//! - ratio `r` (the studies' `y_t >= 1.2 y_j`): `y_t >= r * y_j` **and** `y_t >= y_j` for every `j != t`.
//!   Taken alone, `y_t >= r y_j` is weaker than winning when `y_j < 0` (with `y_j = -1`, `y_t = -1.1` satisfies
//!   `y_t >= 1.2 y_j` yet loses), so the target must also win outright; for `y_j >= 0` the ratio is the binding
//!   condition, for `y_j < 0` winning is. Both are linear, so the model stays exact.
//! - untargeted: some class other than the source wins in this sense.
//!
//! Distances are measured on `x - x0`: L1 (sum), L∞ (max), L2 (Euclidean) or L0 (number of features that
//! change; with `min_change` every changed feature moves by at least that much).

use crate::nn::Network;
use crate::spec::{InputDomain, Norm};

/// How much the target class must win by.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Margin {
    /// `y_t >= y_j + m`.
    Additive(f64),
    /// `y_t >= r y_j` and `y_t >= y_j`.
    Ratio(f64),
}

impl Margin {
    /// The smallest of the linear winning conditions of `target` at outputs `y` (`>= 0` iff the target wins).
    pub fn slack(&self, y: &[f64], target: usize) -> f64 {
        let yt = y[target];
        (0..y.len())
            .filter(|&j| j != target)
            .map(|j| match *self {
                Margin::Additive(m) => yt - y[j] - m,
                Margin::Ratio(r) => (yt - r * y[j]).min(yt - y[j]),
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// The linear conditions `y_t - a y_j >= b` as `(j, a, b)`, one or two per other class.
    pub fn conditions(&self, outputs: usize, target: usize) -> Vec<(usize, f64, f64)> {
        let mut out = Vec::new();
        for j in (0..outputs).filter(|&j| j != target) {
            match *self {
                Margin::Additive(m) => out.push((j, 1.0, m)),
                Margin::Ratio(r) => {
                    out.push((j, r, 0.0));
                    if r != 1.0 {
                        out.push((j, 1.0, 0.0));
                    }
                }
            }
        }
        out
    }
}

/// What the user asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialSpec {
    /// The reference input `x0`.
    pub reference: Vec<f64>,
    /// The class the network gives `x0` (computed when not given).
    pub source: Option<usize>,
    /// The class to reach; `None`: any class other than the source.
    pub target: Option<usize>,
    /// The distance to minimise.
    pub norm: Norm,
    /// How much the target must win by.
    pub margin: Margin,
    /// Largest change of any one feature.
    pub max_change: Option<f64>,
    /// Largest number of changed features.
    pub max_changed: Option<usize>,
    /// Smallest change of a changed feature (L0 and `max_changed`).
    pub min_change: Option<f64>,
}

/// The distance from `x0` to `x` in `norm` (L0: the number of features that differ at all).
pub fn distance(norm: Norm, x: &[f64], x0: &[f64]) -> f64 {
    let d = x.iter().zip(x0).map(|(a, b)| a - b);
    match norm {
        Norm::L1 => d.map(f64::abs).sum(),
        Norm::L2 => d.map(|v| v * v).sum::<f64>().sqrt(),
        Norm::Linf => d.fold(0.0, |m, v| m.max(v.abs())),
        Norm::L0 => d.filter(|v| *v != 0.0).count() as f64,
    }
}

/// The class with the largest output (the first on ties).
pub fn argmax(y: &[f64]) -> usize {
    (0..y.len()).fold(0, |best, j| if y[j] > y[best] { j } else { best })
}

/// Which class wins at `y` in the sense of `spec` (the target, or for untargeted the best other class), if any.
pub fn winning_class(spec: &AdversarialSpec, source: usize, y: &[f64]) -> Option<usize> {
    match spec.target {
        Some(t) => (spec.margin.slack(y, t) >= 0.0).then_some(t),
        None => (0..y.len())
            .filter(|&t| t != source)
            .find(|&t| spec.margin.slack(y, t) >= 0.0),
    }
}

/// Checks a candidate adversarial input in the user's terms, with tolerance 0: in the domain (box, ball,
/// integrality), caps and budget respected, and the target winning by the margin at `net.forward(x)`.
/// Returns the winning class, or what fails.
pub fn check(
    net: &Network,
    domain: &InputDomain,
    spec: &AdversarialSpec,
    source: usize,
    x: &[f64],
) -> std::result::Result<usize, String> {
    let x0 = &spec.reference;
    if x.len() != x0.len() || x.len() != net.input_size() {
        return Err(format!(
            "input has {} features, expected {}",
            x.len(),
            net.input_size()
        ));
    }
    if !domain.contains(x, 0.0) {
        return Err("input leaves the domain".into());
    }
    let changed: Vec<usize> = (0..x.len()).filter(|&i| x[i] != x0[i]).collect();
    if let Some(cap) = spec.max_change {
        if let Some(&i) = changed.iter().find(|&&i| (x[i] - x0[i]).abs() > cap) {
            return Err(format!(
                "feature {i} changes by {} > max_change {cap}",
                (x[i] - x0[i]).abs()
            ));
        }
    }
    if let Some(k) = spec.max_changed {
        if changed.len() > k {
            return Err(format!("{} features change, max_changed is {k}", changed.len()));
        }
    }
    if let Some(m) = spec.min_change {
        if let Some(&i) = changed.iter().find(|&&i| (x[i] - x0[i]).abs() < m) {
            return Err(format!(
                "feature {i} changes by {} < min_change {m}",
                (x[i] - x0[i]).abs()
            ));
        }
    }
    let y = net.forward(x);
    winning_class(spec, source, &y).ok_or_else(|| "the target class does not win by the margin".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_margin_with_negative_logits_requires_winning() {
        let ratio = Margin::Ratio(1.2);
        // y_j = -1, y_t = -1.1: y_t >= 1.2 y_j holds but the target loses.
        assert!(ratio.slack(&[-1.1, -1.0], 0) < 0.0);
        assert!(ratio.slack(&[-0.9, -1.0], 0) >= 0.0);
        assert!(ratio.slack(&[1.1, 1.0], 0) < 0.0);
        assert!(ratio.slack(&[1.2, 1.0], 0) >= 0.0);
        assert_eq!(ratio.conditions(3, 1).len(), 4);
        assert_eq!(Margin::Additive(0.5).slack(&[1.0, 2.0, 0.0], 1), 0.5);
    }

    #[test]
    fn distances() {
        let x0 = [0.0, 0.0, 0.0];
        let x = [0.5, -1.0, 0.0];
        assert_eq!(distance(Norm::L1, &x, &x0), 1.5);
        assert_eq!(distance(Norm::Linf, &x, &x0), 1.0);
        assert_eq!(distance(Norm::L0, &x, &x0), 2.0);
        assert!((distance(Norm::L2, &x, &x0) - 1.25_f64.sqrt()).abs() < 1e-15);
    }
}
