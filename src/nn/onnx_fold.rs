//! Constant folding for ONNX nodes whose inputs are all constants: the shape arithmetic exporters emit
//! (`Shape` → `Gather` → `Unsqueeze` → `Concat` → `Reshape` for `x.view(x.size(0), -1)`), casts, and
//! elementwise arithmetic between constants.

use super::onnx_proto::NodeProto;
use super::onnx_tensor::{broadcast_onto, Tensor};

type Folded = std::result::Result<Tensor, String>;

/// The value of `node` applied to the constants `args` (the node's non-empty inputs, in order).
pub(crate) fn fold(node: &NodeProto, args: &[&Tensor]) -> Folded {
    let op = node.op_type.as_str();
    let first = args.first().ok_or_else(|| format!("{op} has no input"))?;
    match op {
        "Identity" | "Cast" | "Dropout" => Ok((*first).clone()),
        "Flatten" => Ok(Tensor {
            dims: flatten_dims(&first.dims, attr_int(node, "axis").unwrap_or(1))?,
            data: first.data.clone(),
        }),
        "Reshape" => {
            let shape = args.get(1).ok_or("Reshape needs a shape input")?;
            let target: Vec<i64> = shape.data.iter().map(|&v| v as i64).collect();
            Ok(Tensor {
                dims: reshape_dims(
                    &first.dims,
                    &target,
                    attr_int(node, "allowzero").unwrap_or(0) != 0,
                )?,
                data: first.data.clone(),
            })
        }
        "Shape" => Ok(shape_of(&first.dims)),
        "Gather" => gather(
            first,
            args.get(1).ok_or("Gather needs indices")?,
            attr_int(node, "axis").unwrap_or(0),
        ),
        "Unsqueeze" | "Squeeze" => {
            // Opset 13 moved `axes` from an attribute to a second input.
            let axes: Vec<i64> = match args.get(1) {
                Some(t) => t.data.iter().map(|&v| v as i64).collect(),
                None => ints_attr(node, "axes"),
            };
            let dims = if op == "Unsqueeze" {
                unsqueeze_dims(&first.dims, &axes)?
            } else {
                squeeze_dims(&first.dims, &axes)?
            };
            Ok(Tensor {
                dims,
                data: first.data.clone(),
            })
        }
        "Concat" => concat(args, attr_int(node, "axis").unwrap_or(0)),
        "Add" | "Sub" | "Mul" | "Div" => {
            let second = args.get(1).ok_or_else(|| format!("{op} needs two inputs"))?;
            // Broadcast each onto the larger shape; both must end up with the same shape.
            let (big, small, swapped) = if first.data.len() >= second.data.len() {
                (*first, *second, false)
            } else {
                (*second, *first, true)
            };
            let (dims, other) = broadcast_onto(&big.dims, small)?;
            let data = big
                .data
                .iter()
                .zip(&other)
                .map(|(&p, &q)| {
                    let (a, b) = if swapped { (q, p) } else { (p, q) };
                    match op {
                        "Add" => a + b,
                        "Sub" => a - b,
                        "Mul" => a * b,
                        _ => a / b,
                    }
                })
                .collect::<Vec<f64>>();
            if data.iter().any(|v| !v.is_finite()) {
                return Err(format!("{op} of constants gives a non-finite value"));
            }
            Ok(Tensor { dims, data })
        }
        other => Err(format!(
            "unsupported operator {other} (on constants, away from the input's path)"
        )),
    }
}

/// The `Shape` of a value with dimensions `dims`, as a 1-D tensor.
pub(crate) fn shape_of(dims: &[usize]) -> Tensor {
    Tensor {
        dims: vec![dims.len()],
        data: dims.iter().map(|&d| d as f64).collect(),
    }
}

pub(crate) fn attr_int(node: &NodeProto, name: &str) -> Option<i64> {
    node.attribute.iter().find(|a| a.name == name).map(|a| a.i)
}

fn ints_attr(node: &NodeProto, name: &str) -> Vec<i64> {
    node.attribute
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.ints.clone())
        .unwrap_or_default()
}

fn axis_index(axis: i64, rank: usize) -> std::result::Result<usize, String> {
    let a = if axis < 0 { axis + rank as i64 } else { axis };
    if a < 0 || a >= rank.max(1) as i64 {
        return Err(format!("axis {axis} is out of range for rank {rank}"));
    }
    Ok(a as usize)
}

fn gather(data: &Tensor, indices: &Tensor, axis: i64) -> Folded {
    if data.dims.len() != 1 || axis_index(axis, 1)? != 0 {
        return Err(format!(
            "Gather is supported on 1-D constants only (shape {:?})",
            data.dims
        ));
    }
    let n = data.dims[0] as i64;
    let mut out = Vec::with_capacity(indices.data.len());
    for &i in &indices.data {
        let i = i as i64;
        let j = if i < 0 { i + n } else { i };
        if j < 0 || j >= n {
            return Err(format!("Gather index {i} is out of range for {n} elements"));
        }
        out.push(data.data[j as usize]);
    }
    Ok(Tensor {
        dims: indices.dims.clone(),
        data: out,
    })
}

fn unsqueeze_dims(dims: &[usize], axes: &[i64]) -> std::result::Result<Vec<usize>, String> {
    let rank = dims.len() + axes.len();
    let mut positions = axes
        .iter()
        .map(|&a| axis_index(a, rank))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    positions.sort_unstable();
    let mut out = dims.to_vec();
    for p in positions {
        if p > out.len() {
            return Err(format!("cannot insert axis {p} into shape {dims:?}"));
        }
        out.insert(p, 1);
    }
    Ok(out)
}

fn squeeze_dims(dims: &[usize], axes: &[i64]) -> std::result::Result<Vec<usize>, String> {
    if axes.is_empty() {
        return Ok(dims.iter().copied().filter(|&d| d != 1).collect());
    }
    let drop = axes
        .iter()
        .map(|&a| axis_index(a, dims.len()))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if let Some(&k) = drop.iter().find(|&&k| dims[k] != 1) {
        return Err(format!("cannot squeeze axis {k} of shape {dims:?}"));
    }
    Ok(dims
        .iter()
        .enumerate()
        .filter(|(k, _)| !drop.contains(k))
        .map(|(_, &d)| d)
        .collect())
}

fn concat(args: &[&Tensor], axis: i64) -> Folded {
    // Shape vectors: 1-D (or scalars, taken as one element) along axis 0.
    if args.iter().any(|t| t.dims.len() > 1) || axis_index(axis, 1)? != 0 {
        return Err("Concat is supported on 1-D constants only".into());
    }
    let data: Vec<f64> = args.iter().flat_map(|t| t.data.iter().copied()).collect();
    Ok(Tensor {
        dims: vec![data.len()],
        data,
    })
}

/// `Flatten`: dimensions before `axis` multiply into the first, the rest into the second.
pub(crate) fn flatten_dims(dims: &[usize], axis: i64) -> std::result::Result<Vec<usize>, String> {
    let rank = dims.len() as i64;
    let a = if axis < 0 { axis + rank } else { axis };
    if a < 0 || a > rank {
        return Err(format!("axis {axis} is out of range for rank {rank}"));
    }
    let (head, tail) = dims.split_at(a as usize);
    Ok(vec![head.iter().product(), tail.iter().product()])
}

/// `Reshape`: `0` copies a dimension (unless `allow_zero`), `-1` is inferred.
pub(crate) fn reshape_dims(
    dims: &[usize],
    shape: &[i64],
    allow_zero: bool,
) -> std::result::Result<Vec<usize>, String> {
    let numel: usize = dims.iter().product();
    let mut out = Vec::with_capacity(shape.len());
    let mut inferred = None;
    for (k, &s) in shape.iter().enumerate() {
        match s {
            -1 if inferred.is_none() => {
                inferred = Some(k);
                out.push(1);
            }
            0 if !allow_zero => out.push(
                *dims
                    .get(k)
                    .ok_or(format!("shape entry {k} copies a missing dimension"))?,
            ),
            s if s >= 0 => {
                out.push(usize::try_from(s).map_err(|_| format!("invalid target shape {shape:?}"))?)
            }
            _ => return Err(format!("invalid target shape {shape:?}")),
        }
    }
    let known = out
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or("the target shape is too large")?;
    if let Some(k) = inferred {
        if known == 0 || !numel.is_multiple_of(known) {
            return Err(format!("cannot reshape {dims:?} to {shape:?}"));
        }
        out[k] = numel / known;
    } else if known != numel {
        return Err(format!("cannot reshape {dims:?} ({numel} values) to {shape:?}"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reshape_and_flatten_shapes() {
        assert_eq!(flatten_dims(&[1, 1, 28, 28], 1).unwrap(), vec![1, 784]);
        assert_eq!(flatten_dims(&[1, 784, 1], -1).unwrap(), vec![784, 1]);
        assert_eq!(reshape_dims(&[1, 1, 5], &[-1, 5], false).unwrap(), vec![1, 5]);
        assert_eq!(reshape_dims(&[1, 784], &[0, -1], false).unwrap(), vec![1, 784]);
        assert!(reshape_dims(&[1, 784], &[3, -1], false).is_err());
        assert!(reshape_dims(&[1, 784], &[-1, -1], false).is_err());
    }

    #[test]
    fn view_shape_arithmetic_folds() {
        let shape = shape_of(&[1, 1, 28, 28]);
        let index = Tensor {
            dims: vec![],
            data: vec![0.0],
        };
        let batch = gather(&shape, &index, 0).unwrap();
        let batch = Tensor {
            dims: unsqueeze_dims(&batch.dims, &[0]).unwrap(),
            data: batch.data,
        };
        let minus_one = Tensor {
            dims: vec![1],
            data: vec![-1.0],
        };
        let target = concat(&[&batch, &minus_one], 0).unwrap();
        assert_eq!(target.data, vec![1.0, -1.0]);
        assert_eq!(squeeze_dims(&[1, 5, 1], &[]).unwrap(), vec![5]);
    }
}
