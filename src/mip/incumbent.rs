//! The one checkpoint every candidate solution passes: re-checked against an independent copy of the
//! model and, when given, by a caller's check in its own terms (for ReLU models: a forward pass of the
//! original network).

use super::problem::MipProblem;
use std::sync::Arc;

/// A caller's re-check of a candidate: `Some(objective in the problem's sense)` when the point is truly
/// feasible, `None` when it must be rejected.
pub type CandidateCheck = Arc<dyn Fn(&[f64]) -> Option<f64> + Send + Sync>;

/// An accepted incumbent, for the log and the result.
#[derive(Debug, Clone, PartialEq)]
pub struct IncumbentRecord {
    /// Seconds since the start of the search.
    pub time_s: f64,
    /// Objective value in the problem's sense.
    pub objective: f64,
    /// Who found it (a heuristic's name, or "branching").
    pub source: String,
}

/// The best known solution, guarded by the checks.
pub struct Incumbent {
    model: MipProblem,
    check: Option<CandidateCheck>,
    best: Option<(f64, Vec<f64>)>,
    /// Every accepted improvement, in order.
    pub records: Vec<IncumbentRecord>,
    /// Candidates rejected by a check.
    pub rejected: u64,
}

impl std::fmt::Debug for Incumbent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Incumbent({:?}, {} rejected)",
            self.best.as_ref().map(|b| b.0),
            self.rejected
        )
    }
}

impl Incumbent {
    /// A checkpoint with its own copy of the model and an optional caller check.
    pub fn new(model: MipProblem, check: Option<CandidateCheck>) -> Self {
        Incumbent {
            model,
            check,
            best: None,
            records: Vec::new(),
            rejected: 0,
        }
    }

    /// The incumbent's value to minimise (`+inf` when none).
    pub fn value_min(&self) -> f64 {
        self.best.as_ref().map(|b| b.0).unwrap_or(f64::INFINITY)
    }

    /// The incumbent's objective in the problem's sense.
    pub fn objective(&self) -> Option<f64> {
        self.best.as_ref().map(|b| b.0 * self.model.min_sign())
    }

    /// The incumbent point.
    pub fn solution(&self) -> Option<&[f64]> {
        self.best.as_ref().map(|b| b.1.as_slice())
    }

    /// Validates a candidate; returns true when it becomes the new incumbent.
    /// Integer columns are rounded first, then every row, bound and the caller's check must pass.
    pub fn offer(&mut self, x: &[f64], source: &str, time_s: f64) -> bool {
        let mut point = x.to_vec();
        self.model.round_integers(&mut point);
        if self.model.violation(&point).is_some() {
            self.rejected += 1;
            return false;
        }
        let objective = match &self.check {
            None => self.model.lp.objective_of(&point),
            Some(check) => match check(&point) {
                Some(v) if v.is_finite() => v,
                _ => {
                    self.rejected += 1;
                    return false;
                }
            },
        };
        let value = objective * self.model.min_sign();
        // Improvements smaller than this are not worth a log line.
        let eps = 1e-9 * value.abs().max(1.0);
        if value < self.value_min() - eps {
            self.best = Some((value, point));
            self.records.push(IncumbentRecord {
                time_s,
                objective,
                source: source.to_string(),
            });
            true
        } else {
            false
        }
    }
}
