//! ONNX writer: a [`Network`] as a chain of `Gemm` (transB = 1, weights `[out, in]`) and `Relu` nodes, opset 13.
//!
//! Precision: when every weight and bias is exactly a float32 value (always the case for a network read from a
//! float32 file, and after pruning such a network), the file stores float32; otherwise it stores float64, so
//! reading the file back with [`read_onnx`](super::read_onnx) gives the same network bit for bit either way.

use super::network::Network;
use super::onnx_proto::{
    attribute_type, data_type, AttributeProto, Dimension, GraphProto, ModelProto, NodeProto,
    OperatorSetIdProto, TensorProto, TensorShapeProto, TypeProto, TypeProtoTensor, ValueInfoProto,
};
use crate::error::{Error, Result};
use prost::Message;
use std::path::Path;

/// The element type a written file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnnxPrecision {
    /// float32 (every parameter is exactly representable).
    Float32,
    /// float64.
    Float64,
}

/// Writes `net` as ONNX to `path`; returns the element type used (float32 when lossless, else float64).
pub fn write_onnx(net: &Network, path: &Path) -> Result<OnnxPrecision> {
    let (bytes, precision) = encode_onnx(net);
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))?;
    Ok(precision)
}

/// The ONNX bytes of `net` and the element type used.
pub fn encode_onnx(net: &Network) -> (Vec<u8>, OnnxPrecision) {
    let exact_f32 = net.layers().iter().all(|l| {
        l.weights()
            .iter()
            .chain(l.bias())
            .all(|&v| (v as f32) as f64 == v)
    });
    let precision = if exact_f32 {
        OnnxPrecision::Float32
    } else {
        OnnxPrecision::Float64
    };
    let elem = match precision {
        OnnxPrecision::Float32 => data_type::FLOAT,
        OnnxPrecision::Float64 => data_type::DOUBLE,
    };
    let count = net.layers().len();
    let mut nodes = Vec::new();
    let mut initializers = Vec::new();
    let mut current = "input".to_string();
    for (k, layer) in net.layers().iter().enumerate() {
        let w = format!("W{k}");
        let b = format!("b{k}");
        initializers.push(tensor(
            &w,
            &[layer.outputs(), layer.inputs()],
            layer.weights(),
            precision,
        ));
        initializers.push(tensor(&b, &[layer.outputs()], layer.bias(), precision));
        let last = k + 1 == count;
        let z = if last && !layer.has_relu() {
            "output".to_string()
        } else {
            format!("z{k}")
        };
        nodes.push(NodeProto {
            input: vec![current.clone(), w, b],
            output: vec![z.clone()],
            name: format!("gemm{k}"),
            op_type: "Gemm".into(),
            attribute: vec![AttributeProto {
                name: "transB".into(),
                r#type: attribute_type::INT,
                i: 1,
                ..Default::default()
            }],
            ..Default::default()
        });
        current = z;
        if layer.has_relu() {
            let h = if last {
                "output".to_string()
            } else {
                format!("h{k}")
            };
            nodes.push(NodeProto {
                input: vec![current.clone()],
                output: vec![h.clone()],
                name: format!("relu{k}"),
                op_type: "Relu".into(),
                ..Default::default()
            });
            current = h;
        }
    }
    let model = ModelProto {
        ir_version: 8,
        opset_import: vec![OperatorSetIdProto {
            domain: String::new(),
            version: 13,
        }],
        producer_name: "relumip".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        graph: Some(GraphProto {
            node: nodes,
            name: "mlp".into(),
            initializer: initializers,
            input: vec![value_info("input", elem, net.input_size())],
            output: vec![value_info("output", elem, net.output_size())],
            ..Default::default()
        }),
        ..Default::default()
    };
    (model.encode_to_vec(), precision)
}

fn tensor(name: &str, dims: &[usize], values: &[f64], precision: OnnxPrecision) -> TensorProto {
    let (data_type, raw_data) = match precision {
        OnnxPrecision::Float32 => (
            data_type::FLOAT,
            values.iter().flat_map(|&v| (v as f32).to_le_bytes()).collect(),
        ),
        OnnxPrecision::Float64 => (
            data_type::DOUBLE,
            values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        ),
    };
    TensorProto {
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type,
        name: name.into(),
        raw_data,
        ..Default::default()
    }
}

fn value_info(name: &str, elem_type: i32, size: usize) -> ValueInfoProto {
    let dim = |v: usize| Dimension {
        dim_value: Some(v as i64),
        dim_param: None,
    };
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TypeProtoTensor {
                elem_type,
                shape: Some(TensorShapeProto {
                    dim: vec![dim(1), dim(size)],
                }),
            }),
        }),
    }
}
