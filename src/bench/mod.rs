//! Running instance sets, result tables and shifted geometric means.

mod expected;
mod instances;
mod model_solve;
mod runner;
mod stats;
mod table;
mod verify_logs;

pub use expected::{
    is_wrong, normalise_status, read_expected, stem, Expected, OBJECTIVE_TOL, OPTIMAL_CLAIM_TOL,
};
pub use instances::{discover, BenchInstance, InstanceSource};
pub use model_solve::{solve_model, summary_lines, ModelSolveOptions};
pub use runner::{
    load_peer_logs, run_bench, summarise, BenchOptions, BenchResults, BenchRow, InstanceOutcome,
    InstanceRunner, SolverResult, SummaryLine,
};
pub use stats::{counted_time, shifted_geometric_mean};
pub use table::{results_csv, results_markdown, write_tables};
pub use verify_logs::{milp_logs, verify_answer};
