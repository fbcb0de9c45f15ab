//! The encoding of a ReLU network into a MILP and its network-aware plug-ins.

mod beta_bab;
mod bound_bab;
mod branching;
mod model;
mod propagate;
mod propagator;

pub use bound_bab::{
    bound_bab, uses_beta_crown, BoundBabOptions, BoundBabOutcome, BoundBabStats, BoundSplit, PRUNE_TOL,
};
pub use branching::{ActivationBranching, ActivationScore, SplitMode};
pub use model::{NeuronColumns, ReluModel, Stability};
pub use propagate::{propagate_with_phases, FixedPhase, LayerBounds};
pub use propagator::LayerPropagator;
