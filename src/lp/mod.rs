//! Linear programs and the dual simplex that solves them.

mod core;
mod driver;
mod dual;
mod primal;
mod problem;
mod scaling;
mod simplex;

pub use problem::{LpProblem, Sense};
pub use simplex::{Basis, DualSimplex, LpOptions, LpStatus, RowSpec, VarStatus};
