//! Outcomes of a solve: status, result and statistics.

/// The outcome of a solve, in the words of the command-line contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Solved to optimality within the gap tolerances.
    Optimal,
    /// The model has no feasible point.
    Infeasible,
    /// The objective is unbounded.
    Unbounded,
    /// A counterexample exists (verification).
    Sat,
    /// No counterexample exists (verification).
    Unsat,
    /// The time limit was reached.
    TimeLimit,
    /// The node limit was reached.
    NodeLimit,
    /// The user interrupted the run.
    Interrupted,
    /// The solver met numerical trouble it could not resolve; no answer is claimed.
    NumericalTrouble,
}

impl Status {
    /// The status as written in logs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::Infeasible => "infeasible",
            Status::Unbounded => "unbounded",
            Status::Sat => "sat",
            Status::Unsat => "unsat",
            Status::TimeLimit => "time_limit",
            Status::NodeLimit => "node_limit",
            Status::Interrupted => "interrupted",
            Status::NumericalTrouble => "numerical_trouble",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
