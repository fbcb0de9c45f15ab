//! ONNX reader: multilayer perceptrons as `torch.onnx.export` and VNN-COMP write them.
//!
//! The graph is walked from its one input to its one output. Every affine operator (`Gemm`, `MatMul`, `Add`,
//! `Sub`, `Mul`, `Div` with a constant) composes into the map accumulated since the last `Relu`; a `Relu`
//! closes it into a [`Layer`]; `Flatten`, `Reshape`, `Identity`, `Dropout` and float `Cast` only change the
//! shape, inference-mode `BatchNormalization` is a per-channel scale and shift, `Constant` defines a constant,
//! and nodes on constants only (e.g. `Shape` → `Gather` → `Unsqueeze` → `Concat` feeding a `Reshape`) fold.
//! So input normalisation (`Sub`/`Div` on the input) folds into the first layer, and `MatMul`+`Add`
//! pairs become one layer. A graph that ends in a `Relu` gets an identity output layer, so the last layer is
//! always linear. Anything else (another operator, a branch, a batched product) is an error naming the node.
//! The writer is [`write_onnx`](super::write_onnx).

use super::network::{Layer, Network};
use super::onnx_affine::Affine;
use super::onnx_fold::{attr_int, flatten_dims, fold, reshape_dims, shape_of};
use super::onnx_proto::{AttributeProto, GraphProto, ModelProto, NodeProto, ValueInfoProto};
use super::onnx_tensor::{broadcast_onto, decode_tensor, Tensor};
use crate::error::{Error, Result};
use prost::Message;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The largest input (number of values) read; a guard against absurd shapes in damaged files.
const MAX_INPUTS: usize = 1 << 26;

/// A network read from ONNX, with what the file says about its input and output.
#[derive(Debug, Clone, PartialEq)]
pub struct OnnxNetwork {
    /// The network.
    pub network: Network,
    /// The graph input's name and shape (a symbolic batch dimension counts as 1).
    pub input: (String, Vec<usize>),
    /// The graph output's name and shape.
    pub output: (String, Vec<usize>),
    /// The tool that wrote the file and the default operator set version.
    pub producer: String,
    /// The default (`ai.onnx`) operator set version, 0 when not stated.
    pub opset: i64,
}

/// Reads an ONNX file into a [`Network`].
pub fn read_onnx(path: &Path) -> Result<Network> {
    Ok(read_onnx_model(path)?.network)
}

/// Reads an ONNX file: the network and the input and output shapes.
pub fn read_onnx_model(path: &Path) -> Result<OnnxNetwork> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    decode_onnx_model(&bytes, path)
}

/// Decodes the bytes of an ONNX model; `file` names the source in error messages.
pub fn decode_onnx(bytes: &[u8], file: &Path) -> Result<Network> {
    Ok(decode_onnx_model(bytes, file)?.network)
}

/// Decodes the bytes of an ONNX model with its input and output shapes.
pub fn decode_onnx_model(bytes: &[u8], file: &Path) -> Result<OnnxNetwork> {
    let model = ModelProto::decode(bytes)
        .map_err(|e| Error::input(file, "protobuf data", format!("not a valid ONNX model ({e})")))?;
    let graph = model
        .graph
        .as_ref()
        .ok_or_else(|| Error::input(file, "model", "the model has no graph"))?;
    let walk = GraphWalk::new(file, graph)?;
    let input = (walk.live.clone(), walk.live_dims.clone());
    let (network, output) = walk.run(graph)?;
    let opset = model
        .opset_import
        .iter()
        .find(|o| o.domain.is_empty() || o.domain == "ai.onnx")
        .map_or(0, |o| o.version);
    let producer = format!("{} {}", model.producer_name, model.producer_version)
        .trim()
        .to_string();
    Ok(OnnxNetwork {
        network,
        input,
        output,
        producer,
        opset,
    })
}

/// Where the graph walk stands: the constants seen so far and the one value flowing from the input.
struct GraphWalk<'a> {
    file: &'a Path,
    consts: HashMap<String, Tensor>,
    /// The name of the value computed from the input, and its shape.
    live: String,
    live_dims: Vec<usize>,
    /// Earlier live values: using one again would branch the graph.
    consumed: HashSet<String>,
    layers: Vec<Layer>,
    pending: Affine,
}

/// An input of a node: the live value or a constant.
enum Operand<'t> {
    Live,
    Const(&'t Tensor),
}

impl<'a> GraphWalk<'a> {
    fn new(file: &'a Path, graph: &GraphProto) -> Result<Self> {
        let mut consts = HashMap::new();
        for t in &graph.initializer {
            let tensor =
                decode_tensor(t).map_err(|p| Error::input(file, format!("initializer '{}'", t.name), p))?;
            consts.insert(t.name.clone(), tensor);
        }
        let inputs: Vec<&ValueInfoProto> = graph
            .input
            .iter()
            .filter(|v| !consts.contains_key(&v.name))
            .collect();
        let input = match inputs.as_slice() {
            [one] => *one,
            [] => return Err(Error::input(file, "graph inputs", "the graph has no input")),
            many => {
                return Err(Error::input(
                    file,
                    "graph inputs",
                    format!(
                        "the graph has {} inputs, relumip reads networks with one",
                        many.len()
                    ),
                ))
            }
        };
        let live_dims = input_dims(file, input)?;
        let n = live_dims
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .filter(|&n| n <= MAX_INPUTS)
            .ok_or_else(|| {
                Error::input(
                    file,
                    format!("input '{}'", input.name),
                    format!("shape {live_dims:?} has more than {MAX_INPUTS} elements"),
                )
            })?;
        if n == 0 {
            return Err(Error::input(
                file,
                format!("input '{}'", input.name),
                "the input has no elements",
            ));
        }
        Ok(GraphWalk {
            file,
            consts,
            live: input.name.clone(),
            live_dims,
            consumed: HashSet::new(),
            layers: Vec::new(),
            pending: Affine::identity(n),
        })
    }

    fn run(mut self, graph: &GraphProto) -> Result<(Network, (String, Vec<usize>))> {
        for (index, node) in graph.node.iter().enumerate() {
            let place = node_place(index, node);
            self.node(node, &place)?;
        }
        let output = match graph.output.as_slice() {
            [one] => one,
            [] => {
                return Err(Error::input(
                    self.file,
                    "graph outputs",
                    "the graph has no output",
                ))
            }
            many => {
                return Err(Error::input(
                    self.file,
                    "graph outputs",
                    format!(
                        "the graph has {} outputs, relumip reads networks with one",
                        many.len()
                    ),
                ))
            }
        };
        if output.name != self.live {
            return Err(Error::input(
                self.file,
                format!("output '{}'", output.name),
                "the graph output is not the end of the chain of operators starting at the input",
            ));
        }
        let n = self.pending.outputs();
        let last = std::mem::replace(&mut self.pending, Affine::identity(n));
        self.layers
            .push(last.into_layer(false).map_err(|e| self.wrap("graph output", e))?);
        let output = (self.live.clone(), self.live_dims.clone());
        let network =
            Network::new(self.layers).map_err(|e| Error::input(self.file, "graph", e.to_string()))?;
        Ok((network, output))
    }

    fn wrap(&self, place: &str, e: Error) -> Error {
        match e {
            Error::Input { .. } => e,
            other => Error::input(self.file, place, other.to_string()),
        }
    }

    fn err(&self, place: &str, problem: impl Into<String>) -> Error {
        Error::input(self.file, place, problem)
    }

    fn operand<'t>(&'t self, name: &str, place: &str) -> Result<Operand<'t>> {
        if name == self.live {
            Ok(Operand::Live)
        } else if let Some(t) = self.consts.get(name) {
            Ok(Operand::Const(t))
        } else if self.consumed.contains(name) {
            Err(self.err(
                place,
                format!("uses '{name}' after it was already consumed: branching graphs are not supported"),
            ))
        } else {
            Err(self.err(place, format!("input '{name}' is not defined before this node")))
        }
    }

    fn set_live(&mut self, node: &NodeProto, place: &str, dims: Vec<usize>) -> Result<()> {
        let out = node
            .output
            .first()
            .ok_or_else(|| self.err(place, "the node has no output"))?;
        let old = std::mem::replace(&mut self.live, out.clone());
        self.consumed.insert(old);
        self.live_dims = dims;
        Ok(())
    }

    fn node(&mut self, node: &NodeProto, place: &str) -> Result<()> {
        if !(node.domain.is_empty() || node.domain == "ai.onnx") {
            return Err(self.err(
                place,
                format!("operator domain '{}' is not supported", node.domain),
            ));
        }
        let op = node.op_type.as_str();
        if op == "Constant" {
            let t = constant_value(node).map_err(|p| self.err(place, p))?;
            let out = node
                .output
                .first()
                .ok_or_else(|| self.err(place, "the node has no output"))?;
            self.consts.insert(out.clone(), t);
            return Ok(());
        }
        let inputs: Vec<&str> = node
            .input
            .iter()
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .collect();
        let uses_live = inputs.iter().any(|&s| s == self.live);
        if !uses_live {
            return self.constant_node(node, place, &inputs);
        }
        match op {
            "Identity" | "Flatten" | "Reshape" => {
                let dims = self.reshaped_dims(node, place, &inputs)?;
                self.set_live(node, place, dims)
            }
            "Relu" => {
                let closes_nothing =
                    self.pending.is_identity() && self.layers.last().is_some_and(|l| l.has_relu());
                if !closes_nothing {
                    let n = self.pending.outputs();
                    let layer = std::mem::replace(&mut self.pending, Affine::identity(n)).into_layer(true);
                    self.layers.push(layer.map_err(|e| self.wrap(place, e))?);
                }
                let dims = self.live_dims.clone();
                self.set_live(node, place, dims)
            }
            "Shape" => {
                // The shape is known: a constant, and the live value flows on unchanged.
                let out = node
                    .output
                    .first()
                    .ok_or_else(|| self.err(place, "the node has no output"))?;
                self.consts.insert(out.clone(), shape_of(&self.live_dims));
                Ok(())
            }
            "Dropout" => {
                // Identity at inference; a constant `training_mode` input set to true is refused.
                let training = inputs
                    .get(2)
                    .and_then(|n| self.consts.get(*n))
                    .is_some_and(|t| t.data.iter().any(|&v| v != 0.0));
                if training {
                    return Err(self.err(place, "Dropout in training mode is not deterministic"));
                }
                let dims = self.live_dims.clone();
                self.set_live(node, place, dims)
            }
            "Cast" => match attr_int(node, "to") {
                Some(1) | Some(11) => {
                    let dims = self.live_dims.clone();
                    self.set_live(node, place, dims)
                }
                other => Err(self.err(
                    place,
                    format!("Cast of the network value to type {other:?} is not supported"),
                )),
            },
            "BatchNormalization" => self.batch_norm(node, place, &inputs),
            "Gemm" => self.gemm(node, place, &inputs),
            "MatMul" => self.matmul(node, place, &inputs),
            "Add" | "Sub" | "Mul" | "Div" => self.elementwise(node, place, &inputs),
            other => Err(self.err(place, format!("unsupported operator {other}"))),
        }
    }

    /// Nodes computing on constants only fold into a new constant.
    fn constant_node(&mut self, node: &NodeProto, place: &str, inputs: &[&str]) -> Result<()> {
        let mut args = Vec::with_capacity(inputs.len());
        for name in inputs {
            match self.operand(name, place)? {
                Operand::Const(t) => args.push(t),
                Operand::Live => return Err(self.err(place, "internal: constant node on the network value")),
            }
        }
        let value = fold(node, &args).map_err(|p| self.err(place, p))?;
        let out = node
            .output
            .first()
            .ok_or_else(|| self.err(place, "the node has no output"))?;
        self.consts.insert(out.clone(), value);
        Ok(())
    }

    fn shape_operand(&self, inputs: &[&str], place: &str) -> Result<Vec<i64>> {
        let name = inputs
            .get(1)
            .ok_or_else(|| self.err(place, "Reshape needs a shape input"))?;
        match self.operand(name, place)? {
            Operand::Const(t) => Ok(t.data.iter().map(|&v| v as i64).collect()),
            Operand::Live => Err(self.err(place, "the target shape must be a constant")),
        }
    }

    /// The live value's shape after `Identity`, `Flatten` or `Reshape` (row-major order is unchanged).
    fn reshaped_dims(&self, node: &NodeProto, place: &str, inputs: &[&str]) -> Result<Vec<usize>> {
        if inputs.first() != Some(&self.live.as_str()) {
            return Err(self.err(place, "only the first input may come from the network input"));
        }
        match node.op_type.as_str() {
            "Identity" => Ok(self.live_dims.clone()),
            "Flatten" => flatten_dims(&self.live_dims, attr_int(node, "axis").unwrap_or(1))
                .map_err(|p| self.err(place, p)),
            _ => {
                let shape = self.shape_operand(inputs, place)?;
                reshape_dims(
                    &self.live_dims,
                    &shape,
                    attr_int(node, "allowzero").unwrap_or(0) != 0,
                )
                .map_err(|p| self.err(place, p))
            }
        }
    }

    /// `Y = alpha * op(A) * op(B) + beta * C` with A the live row vector.
    fn gemm(&mut self, node: &NodeProto, place: &str, inputs: &[&str]) -> Result<()> {
        if node.input.len() < 2 || node.input[0] != self.live {
            return Err(self.err(
                place,
                "Gemm is supported with the network value as its first input A",
            ));
        }
        let b = match self.operand(&node.input[1], place)? {
            Operand::Const(t) => t,
            Operand::Live => return Err(self.err(place, "Gemm input B must be a constant")),
        };
        let alpha = attr_float(node, "alpha").unwrap_or(1.0);
        let beta = attr_float(node, "beta").unwrap_or(1.0);
        let trans_a = attr_int(node, "transA").unwrap_or(0) != 0;
        let trans_b = attr_int(node, "transB").unwrap_or(0) != 0;
        let k = self.pending.outputs();
        let a_ok = match (self.live_dims.as_slice(), trans_a) {
            ([1, kk], false) | ([kk, 1], true) => *kk == k,
            _ => false,
        };
        if !a_ok {
            return Err(self.err(
                place,
                format!(
                    "unsupported shape: input A has shape {:?}{}, expected one row of {k} values",
                    self.live_dims,
                    if trans_a { " with transA=1" } else { "" }
                ),
            ));
        }
        let (rows_b, cols_b) = match b.dims.as_slice() {
            [r, c] => (*r, *c),
            d => {
                return Err(self.err(
                    place,
                    format!("unsupported shape: B has shape {d:?}, expected a matrix"),
                ))
            }
        };
        let (kb, m) = if trans_b {
            (cols_b, rows_b)
        } else {
            (rows_b, cols_b)
        };
        if kb != k {
            return Err(self.err(
                place,
                format!(
                    "unsupported shape: A has {k} columns but B has shape {:?} (transB={})",
                    b.dims, trans_b as u8
                ),
            ));
        }
        let mut w = vec![0.0; m * k];
        for j in 0..m {
            for i in 0..k {
                let v = if trans_b {
                    b.data[j * k + i]
                } else {
                    b.data[i * m + j]
                };
                w[j * k + i] = if alpha == 1.0 { v } else { alpha * v };
            }
        }
        let bias = match inputs.get(2) {
            None => vec![0.0; m],
            Some(name) => match self.operand(name, place)? {
                Operand::Live => return Err(self.err(place, "Gemm input C must be a constant")),
                Operand::Const(c) => {
                    let (_, vals) =
                        broadcast_onto(&[1, m], c).map_err(|p| self.err(place, format!("input C: {p}")))?;
                    vals.into_iter()
                        .map(|v| if beta == 1.0 { v } else { beta * v })
                        .collect()
                }
            },
        };
        self.pending = self
            .pending
            .then_dense(m, &w, &bias)
            .map_err(|e| self.wrap(place, e))?;
        self.set_live(node, place, vec![1, m])
    }

    /// `Y = X W` with X the live vector (every dimension but the last equal to 1) and W a constant matrix.
    fn matmul(&mut self, node: &NodeProto, place: &str, inputs: &[&str]) -> Result<()> {
        if inputs.len() != 2 || inputs[0] != self.live {
            return Err(self.err(
                place,
                "MatMul is supported as (network value) x (constant matrix)",
            ));
        }
        let w = match self.operand(inputs[1], place)? {
            Operand::Const(t) => t,
            Operand::Live => return Err(self.err(place, "MatMul of the network value with itself")),
        };
        let k = self.pending.outputs();
        let row_vector = self.live_dims.last() == Some(&k);
        let (kw, m) = match w.dims.as_slice() {
            [r, c] => (*r, *c),
            d => {
                return Err(self.err(
                    place,
                    format!("unsupported shape: the constant has shape {d:?}, expected a matrix"),
                ))
            }
        };
        if !row_vector || kw != k {
            return Err(self.err(
                place,
                format!("unsupported shape: {:?} times {:?}", self.live_dims, w.dims),
            ));
        }
        let mut wt = vec![0.0; m * k];
        for i in 0..k {
            for j in 0..m {
                wt[j * k + i] = w.data[i * m + j];
            }
        }
        self.pending = self
            .pending
            .then_dense(m, &wt, &vec![0.0; m])
            .map_err(|e| self.wrap(place, e))?;
        let mut dims = self.live_dims.clone();
        if let Some(last) = dims.last_mut() {
            *last = m;
        }
        self.set_live(node, place, dims)
    }

    /// Inference-mode `BatchNormalization` on channel axis 1: `(x - mean) / sqrt(var + epsilon) * scale + B`.
    fn batch_norm(&mut self, node: &NodeProto, place: &str, inputs: &[&str]) -> Result<()> {
        if inputs.len() != 5 || inputs[0] != self.live {
            return Err(self.err(place, "BatchNormalization needs X, scale, B, mean and var"));
        }
        let mut params = Vec::with_capacity(4);
        for name in &inputs[1..] {
            match self.operand(name, place)? {
                Operand::Const(t) => params.push(t.data.clone()),
                Operand::Live => {
                    return Err(self.err(place, "BatchNormalization parameters must be constants"))
                }
            }
        }
        let rank = self.live_dims.len();
        let channels = match self.live_dims.as_slice() {
            [1, c, ..] => *c,
            d => {
                return Err(self.err(
                    place,
                    format!("unsupported shape {d:?}: expected [1, channels, ...]"),
                ))
            }
        };
        if params.iter().any(|p| p.len() != channels) {
            return Err(self.err(
                place,
                format!("parameters must have {channels} entries, one per channel"),
            ));
        }
        let epsilon = node
            .attribute
            .iter()
            .find(|a| a.name == "epsilon")
            .map_or(1e-5, |a| a.f as f64);
        let (scale, bias, mean, var) = (&params[0], &params[1], &params[2], &params[3]);
        let mut factor = Vec::with_capacity(channels);
        let mut shift = Vec::with_capacity(channels);
        for c in 0..channels {
            let denominator = (var[c] + epsilon).sqrt();
            if !(denominator.is_finite() && denominator > 0.0) {
                return Err(self.err(place, format!("channel {c}: var + epsilon is not positive")));
            }
            let f = scale[c] / denominator;
            factor.push(f);
            shift.push(bias[c] - mean[c] * f);
        }
        let per_channel = |data: Vec<f64>| {
            let mut dims = vec![channels];
            dims.extend(std::iter::repeat_n(1, rank.saturating_sub(2)));
            broadcast_onto(&self.live_dims, &Tensor { dims, data })
        };
        let (_, f) = per_channel(factor).map_err(|p| self.err(place, p))?;
        let (_, t) = per_channel(shift).map_err(|p| self.err(place, p))?;
        self.pending.scale(&f);
        self.pending.shift(&t);
        let dims = self.live_dims.clone();
        self.set_live(node, place, dims)
    }

    /// `Add`, `Sub`, `Mul`, `Div` of the live value and a constant broadcast onto it.
    fn elementwise(&mut self, node: &NodeProto, place: &str, inputs: &[&str]) -> Result<()> {
        let op = node.op_type.as_str();
        if inputs.len() != 2 {
            return Err(self.err(place, format!("{op} needs two inputs")));
        }
        let live_first = inputs[0] == self.live;
        let other = if live_first { inputs[1] } else { inputs[0] };
        let c = match self.operand(other, place)? {
            Operand::Const(t) => t,
            Operand::Live => return Err(self.err(place, format!("{op} of the network value with itself"))),
        };
        let (dims, vals) = broadcast_onto(&self.live_dims, c)
            .map_err(|p| self.err(place, format!("unsupported shape: {p}")))?;
        match (op, live_first) {
            ("Add", _) => self.pending.shift(&vals),
            ("Sub", true) => self.pending.shift(&vals.iter().map(|v| -v).collect::<Vec<_>>()),
            ("Sub", false) => {
                self.pending.scale(&vec![-1.0; vals.len()]);
                self.pending.shift(&vals);
            }
            ("Mul", _) => self.pending.scale(&vals),
            ("Div", true) => {
                if let Some(i) = vals.iter().position(|&v| v == 0.0) {
                    return Err(self.err(place, format!("division by zero (element {i} of the divisor)")));
                }
                self.pending
                    .scale(&vals.iter().map(|v| 1.0 / v).collect::<Vec<_>>());
            }
            _ => return Err(self.err(place, "dividing a constant by the network value is not linear")),
        }
        self.set_live(node, place, dims)
    }
}

fn node_place(index: usize, node: &NodeProto) -> String {
    if node.name.is_empty() {
        format!("node #{index} ({})", node.op_type)
    } else {
        format!("node '{}' ({})", node.name, node.op_type)
    }
}

/// The input's dimensions; a symbolic or missing first (batch) dimension counts as 1.
fn input_dims(file: &Path, input: &ValueInfoProto) -> Result<Vec<usize>> {
    let place = format!("input '{}'", input.name);
    let shape = input
        .r#type
        .as_ref()
        .and_then(|t| t.tensor_type.as_ref())
        .and_then(|t| t.shape.as_ref())
        .ok_or_else(|| Error::input(file, &place, "the input has no tensor shape"))?;
    let mut dims = Vec::with_capacity(shape.dim.len());
    for (k, d) in shape.dim.iter().enumerate() {
        match d.dim_value {
            Some(v) if v > 0 => dims.push(v as usize),
            _ if k == 0 => dims.push(1),
            _ => {
                return Err(Error::input(
                    file,
                    &place,
                    format!("dimension {k} is not a fixed positive size"),
                ))
            }
        }
    }
    Ok(dims)
}

fn attr<'n>(node: &'n NodeProto, name: &str) -> Option<&'n AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

fn attr_float(node: &NodeProto, name: &str) -> Option<f64> {
    attr(node, name).map(|a| a.f as f64)
}

/// The value of a `Constant` node.
fn constant_value(node: &NodeProto) -> std::result::Result<Tensor, String> {
    for a in &node.attribute {
        match a.name.as_str() {
            "value" => {
                let t = a.t.as_ref().ok_or("attribute 'value' holds no tensor")?;
                return decode_tensor(t).map_err(|p| format!("attribute 'value': {p}"));
            }
            "value_float" => {
                return Ok(Tensor {
                    dims: vec![],
                    data: vec![a.f as f64],
                })
            }
            "value_int" => {
                return Ok(Tensor {
                    dims: vec![],
                    data: vec![a.i as f64],
                })
            }
            "value_floats" => {
                let data: Vec<f64> = a.floats.iter().map(|&v| v as f64).collect();
                return Ok(Tensor {
                    dims: vec![data.len()],
                    data,
                });
            }
            "value_ints" => {
                let data: Vec<f64> = a.ints.iter().map(|&v| v as f64).collect();
                return Ok(Tensor {
                    dims: vec![data.len()],
                    data,
                });
            }
            _ => {}
        }
    }
    Err("a Constant needs a value, value_float(s) or value_int(s) attribute".into())
}
