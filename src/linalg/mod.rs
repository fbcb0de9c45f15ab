//! Sparse vectors and matrices, the basis LU factorisation and its updates.

pub mod lu;
pub mod sparse;

pub use lu::{LuFactor, LuOptions};
pub use sparse::{CscMatrix, ScatteredVec};
