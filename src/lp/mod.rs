//! Linear programs and the dual simplex that solves them.

mod problem;

pub use problem::{LpProblem, Sense};
