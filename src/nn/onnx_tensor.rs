//! Constant tensors of an ONNX graph: decoding `TensorProto` data into f64 and numpy-style broadcasting.

use super::onnx_proto::{data_type, TensorProto};

/// A constant tensor with its shape, elements in row-major order as f64.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tensor {
    /// The shape (empty for a scalar).
    pub dims: Vec<usize>,
    /// The elements, row-major.
    pub data: Vec<f64>,
}

/// Decodes a `TensorProto` (float32, float64, int32 or int64; `raw_data` or the typed field).
/// Errors are plain problem descriptions; the caller adds the file and the place.
pub(crate) fn decode_tensor(t: &TensorProto) -> std::result::Result<Tensor, String> {
    if t.data_location == 1 {
        return Err("data stored in an external file is not supported".into());
    }
    let mut dims = Vec::with_capacity(t.dims.len());
    for &d in &t.dims {
        if d < 0 {
            return Err(format!("negative dimension {d}"));
        }
        dims.push(usize::try_from(d).map_err(|_| format!("dimension {d} is too large"))?);
    }
    let numel = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or("the shape has too many elements")?;
    let raw = &t.raw_data;
    let data: Vec<f64> = match t.data_type {
        data_type::FLOAT if !raw.is_empty() => {
            decode_raw(raw, 4, |b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64)?
        }
        data_type::FLOAT => t.float_data.iter().map(|&v| v as f64).collect(),
        data_type::DOUBLE if !raw.is_empty() => decode_raw(raw, 8, |b| {
            f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
        })?,
        data_type::DOUBLE => t.double_data.clone(),
        data_type::INT32 if !raw.is_empty() => {
            decode_raw(raw, 4, |b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64)?
        }
        data_type::INT32 => t.int32_data.iter().map(|&v| v as f64).collect(),
        data_type::INT64 if !raw.is_empty() => decode_raw(raw, 8, |b| {
            i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f64
        })?,
        data_type::INT64 => t.int64_data.iter().map(|&v| v as f64).collect(),
        other => {
            return Err(format!(
                "element type {} is not supported (float32, float64, int32, int64 are)",
                type_name(other)
            ))
        }
    };
    if data.len() != numel {
        return Err(format!(
            "shape {dims:?} holds {numel} elements but the data has {}",
            data.len()
        ));
    }
    if let Some(i) = data.iter().position(|v| !v.is_finite()) {
        return Err(format!("element {i} is {}", data[i]));
    }
    Ok(Tensor { dims, data })
}

fn decode_raw(
    raw: &[u8],
    width: usize,
    read: impl Fn(&[u8]) -> f64,
) -> std::result::Result<Vec<f64>, String> {
    if !raw.len().is_multiple_of(width) {
        return Err(format!(
            "raw data has {} bytes, not a multiple of the element size {width}",
            raw.len()
        ));
    }
    Ok(raw.chunks_exact(width).map(read).collect())
}

/// The ONNX name of an element type code, for messages.
pub(crate) fn type_name(code: i32) -> String {
    match code {
        0 => "undefined".into(),
        1 => "float32".into(),
        2 => "uint8".into(),
        3 => "int8".into(),
        4 => "uint16".into(),
        5 => "int16".into(),
        6 => "int32".into(),
        7 => "int64".into(),
        8 => "string".into(),
        9 => "bool".into(),
        10 => "float16".into(),
        11 => "float64".into(),
        12 => "uint32".into(),
        13 => "uint64".into(),
        16 => "bfloat16".into(),
        c => format!("code {c}"),
    }
}

/// Broadcasts a constant of shape `c_dims` against a value of shape `v_dims` (numpy rules) and returns the
/// result shape and, for each element of the result in row-major order, the constant's element.
/// Fails when the constant would enlarge the value (the value must keep its number of elements).
pub(crate) fn broadcast_onto(
    v_dims: &[usize],
    c: &Tensor,
) -> std::result::Result<(Vec<usize>, Vec<f64>), String> {
    let rank = v_dims.len().max(c.dims.len());
    let pad = |dims: &[usize]| -> Vec<usize> {
        let mut p = vec![1; rank - dims.len()];
        p.extend_from_slice(dims);
        p
    };
    let v = pad(v_dims);
    let cd = pad(&c.dims);
    let mut out = Vec::with_capacity(rank);
    for k in 0..rank {
        let d = match (v[k], cd[k]) {
            (a, b) if a == b => a,
            (a, 1) => a,
            (1, b) => b,
            (a, b) => {
                return Err(format!(
                    "shapes {v_dims:?} and {:?} do not broadcast (dimension {k}: {a} vs {b})",
                    c.dims
                ))
            }
        };
        out.push(d);
    }
    let numel: usize = out.iter().product();
    let v_numel: usize = v_dims.iter().product();
    if numel != v_numel {
        return Err(format!(
            "a constant of shape {:?} would enlarge the value of shape {v_dims:?}",
            c.dims
        ));
    }
    // Strides of the constant, zero along broadcast dimensions.
    let mut strides = vec![0usize; rank];
    let mut s = 1usize;
    for k in (0..rank).rev() {
        strides[k] = if cd[k] == 1 { 0 } else { s };
        s *= cd[k];
    }
    let mut values = Vec::with_capacity(numel);
    let mut index = vec![0usize; rank];
    for _ in 0..numel {
        let at: usize = index.iter().zip(&strides).map(|(i, st)| i * st).sum();
        values.push(c.data[at]);
        for k in (0..rank).rev() {
            index[k] += 1;
            if index[k] < out[k] {
                break;
            }
            index[k] = 0;
        }
    }
    Ok((out, values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_row_vector_and_scalar() {
        let c = Tensor {
            dims: vec![3],
            data: vec![1.0, 2.0, 3.0],
        };
        let (shape, vals) = broadcast_onto(&[1, 3], &c).unwrap();
        assert_eq!(shape, vec![1, 3]);
        assert_eq!(vals, vec![1.0, 2.0, 3.0]);
        let s = Tensor {
            dims: vec![],
            data: vec![5.0],
        };
        let (_, vals) = broadcast_onto(&[2, 2], &s).unwrap();
        assert_eq!(vals, vec![5.0; 4]);
        let col = Tensor {
            dims: vec![2, 1],
            data: vec![1.0, 2.0],
        };
        let (_, vals) = broadcast_onto(&[2, 2], &col).unwrap();
        assert_eq!(vals, vec![1.0, 1.0, 2.0, 2.0]);
        assert!(broadcast_onto(&[1, 3], &col).is_err());
    }
}
