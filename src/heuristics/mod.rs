//! Primal heuristics that give the tree search incumbents early.

pub mod forward;
pub mod region_lp;

pub use forward::ForwardPass;
pub use region_lp::RegionLp;
