//! Feed-forward ReLU networks: the model, the forward pass and the file formats.

mod network;

pub use network::{Layer, Network, NeuronId};
