//! The encoding of a ReLU network into a MILP and its network-aware plug-ins.

mod model;

pub use model::{NeuronColumns, ReluModel, Stability};
