//! The affine map accumulated between two ReLUs while walking an ONNX graph (Gemm, MatMul, Add, Sub, Mul, Div
//! compose into it; a ReLU turns it into a [`Layer`]).

use super::network::Layer;
use crate::error::{Error, Result};

/// The largest identity or diagonal map written out as a dense layer (a ReLU right after the input, or a graph
/// ending in a ReLU, needs one).
const MAX_IDENTITY_ENTRIES: usize = 1 << 26;

/// The largest dense map composed from consecutive linear operators.
const MAX_DENSE_ENTRIES: usize = 1 << 28;

/// The linear part of an affine map, kept cheap while it is an identity or a diagonal (input normalisation).
#[derive(Debug, Clone)]
enum Linear {
    Identity,
    Diagonal(Vec<f64>),
    /// Row-major `outputs x inputs`.
    Dense(Vec<f64>),
}

/// `y = L x + bias`, from `inputs` to `outputs` values.
#[derive(Debug, Clone)]
pub(crate) struct Affine {
    inputs: usize,
    outputs: usize,
    linear: Linear,
    bias: Vec<f64>,
}

impl Affine {
    /// The identity on `n` values.
    pub fn identity(n: usize) -> Self {
        Affine {
            inputs: n,
            outputs: n,
            linear: Linear::Identity,
            bias: vec![0.0; n],
        }
    }

    /// Number of values the map produces.
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// True for the exact identity (no scaling, zero shift).
    pub fn is_identity(&self) -> bool {
        matches!(self.linear, Linear::Identity) && self.bias.iter().all(|&b| b == 0.0)
    }

    /// Follows this map by `z = w y + b` (`w` row-major `m x outputs`).
    /// Fails when two linear maps in a row would multiply out into an absurdly large matrix.
    pub fn then_dense(&self, m: usize, w: &[f64], b: &[f64]) -> Result<Affine> {
        let k = self.outputs;
        let n = self.inputs;
        if m.checked_mul(n).is_none_or(|mn| mn > MAX_DENSE_ENTRIES) {
            return Err(Error::Unsupported(format!(
                "composing linear maps without a ReLU between gives a {m} x {n} matrix, too large"
            )));
        }
        debug_assert_eq!(w.len(), m * k);
        debug_assert_eq!(b.len(), m);
        // Start from b so that a zero shift leaves the bias bit for bit unchanged.
        let bias: Vec<f64> = (0..m)
            .map(|j| (0..k).fold(b[j], |acc, i| acc + w[j * k + i] * self.bias[i]))
            .collect();
        let linear = match &self.linear {
            Linear::Identity => w.to_vec(),
            Linear::Diagonal(d) => (0..m * k).map(|t| w[t] * d[t % k]).collect(),
            Linear::Dense(a) => {
                let mut out = vec![0.0; m * n];
                for j in 0..m {
                    let row = &mut out[j * n..(j + 1) * n];
                    for i in 0..k {
                        let wji = w[j * k + i];
                        if wji != 0.0 {
                            for (o, v) in row.iter_mut().zip(&a[i * n..(i + 1) * n]) {
                                *o += wji * v;
                            }
                        }
                    }
                }
                out
            }
        };
        Ok(Affine {
            inputs: n,
            outputs: m,
            linear: Linear::Dense(linear),
            bias,
        })
    }

    /// Adds `c[i]` to output `i`.
    pub fn shift(&mut self, c: &[f64]) {
        self.bias.iter_mut().zip(c).for_each(|(b, v)| *b += v);
    }

    /// Multiplies output `i` by `s[i]`.
    pub fn scale(&mut self, s: &[f64]) {
        let n = self.inputs;
        self.bias.iter_mut().zip(s).for_each(|(b, v)| *b *= v);
        self.linear = match std::mem::replace(&mut self.linear, Linear::Identity) {
            Linear::Identity => Linear::Diagonal(s.to_vec()),
            Linear::Diagonal(d) => Linear::Diagonal(d.iter().zip(s).map(|(a, b)| a * b).collect()),
            Linear::Dense(mut w) => {
                for (j, sj) in s.iter().enumerate() {
                    w[j * n..(j + 1) * n].iter_mut().for_each(|v| *v *= sj);
                }
                Linear::Dense(w)
            }
        };
    }

    /// The map as a dense layer, followed by a ReLU when `relu`.
    pub fn into_layer(self, relu: bool) -> Result<Layer> {
        let n = self.inputs;
        if !matches!(self.linear, Linear::Dense(_))
            && n.checked_mul(n).is_none_or(|nn| nn > MAX_IDENTITY_ENTRIES)
        {
            return Err(Error::Unsupported(format!(
                "an identity or diagonal layer on {n} values would need {n} x {n} dense weights"
            )));
        }
        let weights = match self.linear {
            Linear::Dense(w) => w,
            Linear::Identity => (0..n * n)
                .map(|t| if t / n == t % n { 1.0 } else { 0.0 })
                .collect(),
            Linear::Diagonal(d) => (0..n * n)
                .map(|t| if t / n == t % n { d[t % n] } else { 0.0 })
                .collect(),
        };
        Layer::new(n, self.outputs, weights, self.bias, relu)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composition_matches_sequential_application() {
        // x -> (x - 1) / 2 -> W . + b -> V . + c
        let mut a = Affine::identity(2);
        a.shift(&[-1.0, -1.0]);
        a.scale(&[0.5, 0.5]);
        let a = a
            .then_dense(3, &[1.0, 2.0, -1.0, 0.0, 3.0, 1.0], &[0.5, 0.0, -0.5])
            .unwrap();
        let a = a.then_dense(1, &[1.0, -1.0, 2.0], &[1.0]).unwrap();
        let layer = a.into_layer(false).unwrap();
        let x = [3.0, -1.0];
        let u = [(x[0] - 1.0) / 2.0, (x[1] - 1.0) / 2.0];
        let v = [u[0] + 2.0 * u[1] + 0.5, -u[0], 3.0 * u[0] + u[1] - 0.5];
        let y = v[0] - v[1] + 2.0 * v[2] + 1.0;
        assert!((layer.affine(&x)[0] - y).abs() < 1e-12);
    }
}
