//! Sparse vectors and matrices, the basis LU factorisation and its updates.

pub mod lu;
mod markowitz;
pub mod sparse;

pub use lu::{LuFactor, LuOptions};
pub use sparse::{CscMatrix, ScatteredVec};
