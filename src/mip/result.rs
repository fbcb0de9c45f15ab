//! The outcome of a tree search.

use super::incumbent::IncumbentRecord;
use crate::result::Status;

/// Why the search stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MipStatus {
    /// The incumbent is optimal within the gap tolerances.
    Optimal,
    /// No feasible point (better than the objective cutoff, when one was given).
    Infeasible,
    /// The LP relaxation is unbounded (the MILP is unbounded or infeasible).
    Unbounded,
    /// An incumbent reached the objective target (feasibility tasks stop at the first solution).
    TargetReached,
    /// The time limit was reached.
    TimeLimit,
    /// The node limit was reached.
    NodeLimit,
    /// Interrupted (Ctrl-C or the interrupt flag).
    Interrupted,
    /// Some nodes could not be solved reliably; the bound accounts for them, nothing more is claimed.
    NumericalTrouble,
}

impl MipStatus {
    /// The status in the command-line contract's words (`TargetReached` reads as `optimal` only when the
    /// caller maps it; here it maps to `optimal` for MILPs with no target).
    pub fn to_status(self) -> Status {
        match self {
            MipStatus::Optimal | MipStatus::TargetReached => Status::Optimal,
            MipStatus::Infeasible => Status::Infeasible,
            MipStatus::Unbounded => Status::Unbounded,
            MipStatus::TimeLimit => Status::TimeLimit,
            MipStatus::NodeLimit => Status::NodeLimit,
            MipStatus::Interrupted => Status::Interrupted,
            MipStatus::NumericalTrouble => Status::NumericalTrouble,
        }
    }
}

/// Counters of a search.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MipStats {
    /// Nodes whose processing began (the root included).
    pub nodes: u64,
    /// Simplex iterations over all LP solves.
    pub lp_iterations: u64,
    /// The root's bound (problem's sense), after propagation, LP and cuts.
    pub root_bound: Option<f64>,
    /// Nodes pruned by propagation alone, without an LP.
    pub pruned_by_propagation: u64,
    /// Cuts added to the LP.
    pub cuts_added: u64,
    /// Accepted incumbents in order.
    pub incumbents: Vec<IncumbentRecord>,
    /// Candidates the checkpoint rejected.
    pub rejected_candidates: u64,
    /// Seconds spent.
    pub time_s: f64,
    /// Deepest node processed.
    pub max_depth: u32,
    /// Node-local versions of model rows installed, summed over nodes (see `mip::LocalRow`).
    pub local_rows: u64,
}

/// The answer of a search: always a valid bound, an incumbent when one was found.
#[derive(Debug, Clone, PartialEq)]
pub struct MipResult {
    /// Why it stopped.
    pub status: MipStatus,
    /// The incumbent's objective (problem's sense).
    pub objective: Option<f64>,
    /// A valid bound on the optimum in the problem's sense (lower when minimising); `+inf`/`-inf` when the
    /// model is infeasible (minimising/maximising).
    pub bound: f64,
    /// The incumbent point (all columns).
    pub solution: Option<Vec<f64>>,
    /// Counters.
    pub stats: MipStats,
}

impl MipResult {
    /// Relative gap `|objective - bound| / max(|objective|, 1e-10)`, when both are finite.
    pub fn gap(&self) -> Option<f64> {
        let o = self.objective?;
        if !self.bound.is_finite() {
            return None;
        }
        Some(relative_gap(o, self.bound))
    }
}

/// `|a - b| / max(|a|, 1e-10)`.
pub fn relative_gap(incumbent: f64, bound: f64) -> f64 {
    (incumbent - bound).abs() / incumbent.abs().max(1e-10)
}
