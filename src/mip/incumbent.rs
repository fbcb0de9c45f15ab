//! The one checkpoint every candidate solution passes: re-checked against an independent copy of the
//! model and, when given, by a caller's check in its own terms (for ReLU models: a forward pass of the
//! original network).

use super::problem::MipProblem;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

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
    /// In a parallel search: the best point of all workers (then `best` and `records` stay empty).
    shared: Option<Arc<SharedIncumbent>>,
}

/// The incumbent of a parallel search, shared by its workers: the value to minimise readable without a
/// lock (every worker prunes with it), the point and the records behind a lock.
pub(super) struct SharedIncumbent {
    value_bits: AtomicU64,
    inner: Mutex<SharedBest>,
}

/// What the lock of a [`SharedIncumbent`] guards.
#[derive(Default)]
pub(super) struct SharedBest {
    pub(super) best: Option<(f64, Vec<f64>)>,
    pub(super) records: Vec<IncumbentRecord>,
    /// The log letter of each record (for the one place that logs).
    pub(super) letters: Vec<char>,
}

impl SharedIncumbent {
    /// The best value to minimise over all workers (`+inf` when none).
    pub(super) fn value_min(&self) -> f64 {
        f64::from_bits(self.value_bits.load(Ordering::Acquire))
    }

    /// The records and the point, locked.
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, SharedBest> {
        // A worker that panicked while holding the lock left consistent data: every write is complete.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
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
            shared: None,
        }
    }

    /// Turns this checkpoint into the first of a parallel search's: its best point and records move to
    /// the returned shared incumbent, which later offers (from any linked checkpoint) update.
    pub(super) fn share(&mut self) -> Arc<SharedIncumbent> {
        let value = self.value_min();
        let best = SharedBest {
            best: self.best.take(),
            letters: vec!['S'; self.records.len()],
            records: std::mem::take(&mut self.records),
        };
        let shared = Arc::new(SharedIncumbent {
            value_bits: AtomicU64::new(value.to_bits()),
            inner: Mutex::new(best),
        });
        self.shared = Some(shared.clone());
        shared
    }

    /// A checkpoint of another worker, linked to `shared`.
    pub(super) fn linked(
        model: MipProblem,
        check: Option<CandidateCheck>,
        shared: Arc<SharedIncumbent>,
    ) -> Self {
        let mut inc = Incumbent::new(model, check);
        inc.shared = Some(shared);
        inc
    }

    /// Ends the link: the shared best point and records become this checkpoint's own.
    pub(super) fn absorb_shared(&mut self) {
        if let Some(shared) = self.shared.take() {
            let mut inner = shared.lock();
            self.best = inner.best.take();
            self.records = std::mem::take(&mut inner.records);
        }
    }

    /// The incumbent's value to minimise (`+inf` when none).
    pub fn value_min(&self) -> f64 {
        let own = self.best.as_ref().map(|b| b.0).unwrap_or(f64::INFINITY);
        match &self.shared {
            Some(s) => own.min(s.value_min()),
            None => own,
        }
    }

    /// The incumbent's objective in the problem's sense.
    pub fn objective(&self) -> Option<f64> {
        let v = self.value_min();
        v.is_finite().then(|| v * self.model.min_sign())
    }

    /// The incumbent point (`None` while linked to a parallel search's shared incumbent).
    pub fn solution(&self) -> Option<&[f64]> {
        self.best.as_ref().map(|b| b.1.as_slice())
    }

    /// Validates a candidate; returns true when it becomes the new incumbent.
    /// Integer columns are rounded first, then every row, bound and the caller's check must pass.
    pub fn offer(&mut self, x: &[f64], source: &str, time_s: f64) -> bool {
        self.offer_marked(x, source, 'B', time_s)
    }

    /// As [`Incumbent::offer`], with the letter that marks the incumbent in the log (kept for the logging
    /// thread of a parallel search).
    pub fn offer_marked(&mut self, x: &[f64], source: &str, letter: char, time_s: f64) -> bool {
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
        let improves = value < self.value_min() - eps;
        if !improves {
            return false;
        }
        if let Some(shared) = &self.shared {
            // Compared again under the lock: another worker may have published a better point meanwhile.
            let mut inner = shared.lock();
            let current = inner.best.as_ref().map(|b| b.0).unwrap_or(f64::INFINITY);
            let improves = value < current - eps;
            if !improves {
                return false;
            }
            inner.best = Some((value, point));
            inner.records.push(IncumbentRecord {
                time_s,
                objective,
                source: source.to_string(),
            });
            inner.letters.push(letter);
            shared.value_bits.store(value.to_bits(), Ordering::Release);
            return true;
        }
        self.best = Some((value, point));
        self.records.push(IncumbentRecord {
            time_s,
            objective,
            source: source.to_string(),
        });
        true
    }
}
