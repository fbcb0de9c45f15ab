//! Feed-forward ReLU networks: the model, the forward pass and the file formats.
//!
//! [`load_network`] reads a `.onnx` or `.nnet` file by its extension. For `.nnet` it returns the network
//! *without* its normalisation (normalised inputs in, normalised outputs out), because that is the form of the
//! ACAS Xu ONNX files the VNN-LIB properties are written for; [`load_network_with_box`] also gives the input
//! box a `.nnet` header states, in those same normalised coordinates. Use [`read_nnet`] for the raw-input form.

mod network;
mod nnet;
mod onnx;
mod onnx_affine;
mod onnx_fold;
pub mod onnx_proto;
mod onnx_tensor;
mod onnx_write;

pub use network::{Layer, Network, NeuronId};
pub use nnet::{parse_nnet, read_nnet, NnetNetwork};
pub use onnx::{decode_onnx, decode_onnx_model, read_onnx, read_onnx_model, OnnxNetwork};
pub use onnx_write::{encode_onnx, write_onnx, OnnxPrecision};

use crate::error::{Error, Result};
use std::path::Path;

/// A network as read from a file, with the input box the file states, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedNetwork {
    /// The network (for `.nnet`: without normalisation).
    pub network: Network,
    /// `(lower, upper)` per input, in the network's input coordinates (a `.nnet` header's box); ONNX states none.
    pub input_box: Option<(Vec<f64>, Vec<f64>)>,
    /// For `.nnet` files: the whole file, with its normalisation.
    pub nnet: Option<NnetNetwork>,
}

/// Reads a network from a `.onnx` or `.nnet` file (by extension, case-insensitive).
/// A `.nnet` network comes without its normalisation; see the module documentation.
pub fn load_network(path: &Path) -> Result<Network> {
    Ok(load_network_with_box(path)?.network)
}

/// Reads a network and the input box its file states (only `.nnet` files state one).
pub fn load_network_with_box(path: &Path) -> Result<LoadedNetwork> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "onnx" => Ok(LoadedNetwork {
            network: read_onnx(path)?,
            input_box: None,
            nnet: None,
        }),
        "nnet" => {
            let nnet = read_nnet(path)?;
            Ok(LoadedNetwork {
                network: nnet.normalised().clone(),
                input_box: Some(nnet.normalised_box()),
                nnet: Some(nnet),
            })
        }
        _ => Err(Error::input(
            path,
            "file name",
            "unknown network format: expected a .onnx or .nnet file",
        )),
    }
}
