//! The encoding of a ReLU network into a MILP and its network-aware plug-ins.

mod branching;
mod model;
mod propagate;
mod propagator;

pub use branching::{ActivationBranching, ActivationScore, SplitMode};
pub use model::{NeuronColumns, ReluModel, Stability};
pub use propagate::{propagate_with_phases, FixedPhase, LayerBounds};
pub use propagator::LayerPropagator;
