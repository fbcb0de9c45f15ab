//! Linear programs and the dual simplex that solves them.

mod problem;
mod simplex;

pub use problem::{LpProblem, Sense};
pub use simplex::{Basis, DualSimplex, LpOptions, LpStatus, RowSpec, VarStatus};
