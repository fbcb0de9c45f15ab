//! Running instance sets, result tables and shifted geometric means.

mod model_solve;

pub use model_solve::{solve_model, summary_lines, ModelSolveOptions};
