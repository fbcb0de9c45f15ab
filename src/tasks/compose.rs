//! Networks built from networks, so that questions about two networks, or about a max or an absolute value of
//! outputs, become questions about one network that the ReLU encoding models exactly.
//!
//! - [`parallel`]: `x -> (N_a(x), N_b(x))`, with the shallower network deepened by exact pass-through layers.
//! - [`with_constant_outputs`]: `x -> (N(x), y0)` for a fixed vector `y0`, so that the distance of the outputs
//!   to a reference output is a difference of two output blocks.
//! - [`with_abs_differences`]: appends `|y_a - y_b|` per output pair (as `relu(d) + relu(-d)`), summed (L1) or
//!   maximised (L∞) by a tree of ReLUs: for `p, q >= 0`, `max(p, q) = relu(p - q) + relu(q)`.

use crate::error::{Error, Result};
use crate::nn::{Layer, Network};

/// The same network with `extra` more layers and the same function: the last affine map `y = W h + b` is
/// replaced by `relu(W h + b)`, `relu(-(W h + b))` (2m neurons), `extra - 1` identity ReLU layers on those
/// non-negative values, and the linear read-out `y = p - q`.
pub fn deepen(net: &Network, extra: usize) -> Result<Network> {
    let layers = net.layers();
    let last = &layers[layers.len() - 1];
    if extra == 0 {
        return Ok(net.clone());
    }
    if last.has_relu() {
        return Err(Error::Unsupported(
            "deepening a network whose last layer has a ReLU".into(),
        ));
    }
    let (m, k) = (last.outputs(), last.inputs());
    let mut out: Vec<Layer> = layers[..layers.len() - 1].to_vec();
    let mut w = last.weights().to_vec();
    w.extend(last.weights().iter().map(|v| -v));
    let mut b = last.bias().to_vec();
    b.extend(last.bias().iter().map(|v| -v));
    out.push(Layer::new(k, 2 * m, w, b, true)?);
    for _ in 1..extra {
        out.push(Layer::new(2 * m, 2 * m, identity(2 * m), vec![0.0; 2 * m], true)?);
    }
    let mut read = vec![0.0; m * 2 * m];
    for j in 0..m {
        read[j * 2 * m + j] = 1.0;
        read[j * 2 * m + m + j] = -1.0;
    }
    out.push(Layer::new(2 * m, m, read, vec![0.0; m], false)?);
    Network::new(out)
}

fn identity(n: usize) -> Vec<f64> {
    let mut w = vec![0.0; n * n];
    for i in 0..n {
        w[i * n + i] = 1.0;
    }
    w
}

/// `x -> (N_a(x), N_b(x))`: outputs `0..m_a` are A's, `m_a..m_a + m_b` B's. Hidden layer `k` holds A's neurons
/// first, then B's (so neuron `i` of A's layer `k` is neuron `i`, B's is `n_a(k) + i`) when both have the same
/// depth. Fails when the input sizes differ or the ReLU placement of the two cannot be aligned.
pub fn parallel(a: &Network, b: &Network) -> Result<Network> {
    if a.input_size() != b.input_size() {
        return Err(Error::Unsupported(format!(
            "the networks take {} and {} inputs",
            a.input_size(),
            b.input_size()
        )));
    }
    let depth = a.layers().len().max(b.layers().len());
    let a = deepen(a, depth - a.layers().len())?;
    let b = deepen(b, depth - b.layers().len())?;
    let mut layers = Vec::with_capacity(depth);
    for (k, (la, lb)) in a.layers().iter().zip(b.layers()).enumerate() {
        if la.has_relu() != lb.has_relu() {
            return Err(Error::Unsupported(format!(
                "layer {k} has a ReLU in one network and not in the other"
            )));
        }
        let (ia, ib) = if k == 0 {
            (la.inputs(), 0)
        } else {
            (la.inputs(), lb.inputs())
        };
        let inputs = ia + ib;
        let outputs = la.outputs() + lb.outputs();
        let mut w = vec![0.0; outputs * inputs];
        for j in 0..la.outputs() {
            w[j * inputs..j * inputs + ia].copy_from_slice(la.row(j));
        }
        for j in 0..lb.outputs() {
            let row = (la.outputs() + j) * inputs;
            // The first layer reads the shared input; later layers read B's own block.
            let offset = if k == 0 { 0 } else { ia };
            w[row + offset..row + offset + lb.inputs()].copy_from_slice(lb.row(j));
        }
        let mut bias = la.bias().to_vec();
        bias.extend_from_slice(lb.bias());
        layers.push(Layer::new(inputs, outputs, w, bias, la.has_relu())?);
    }
    Network::new(layers)
}

/// `x -> (N(x), y0)`: the network's `m` outputs followed by the constant `y0` (the last layer gains `m` zero
/// rows with bias `y0`). Fails when the last layer has a ReLU or `y0` has the wrong length.
pub fn with_constant_outputs(net: &Network, y0: &[f64]) -> Result<Network> {
    let layers = net.layers();
    let last = &layers[layers.len() - 1];
    if last.has_relu() || y0.len() != last.outputs() {
        return Err(Error::Unsupported(format!(
            "constant outputs need a linear last layer and {} values, got {}",
            last.outputs(),
            y0.len()
        )));
    }
    let k = last.inputs();
    let mut w = last.weights().to_vec();
    w.extend(std::iter::repeat_n(0.0, y0.len() * k));
    let mut bias = last.bias().to_vec();
    bias.extend_from_slice(y0);
    let mut out: Vec<Layer> = layers[..layers.len() - 1].to_vec();
    out.push(Layer::new(k, 2 * y0.len(), w, bias, false)?);
    Network::new(out)
}

/// How the per-output absolute differences are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffNorm {
    /// Their sum.
    L1,
    /// Their maximum.
    Linf,
}

/// From a network with `2m` linear outputs `(y_a, y_b)` (as [`parallel`] builds), the network with one output
/// `||y_a - y_b||` (L1 or L∞), exactly.
pub fn with_abs_differences(pair: &Network, norm: DiffNorm) -> Result<Network> {
    let layers = pair.layers();
    let last = &layers[layers.len() - 1];
    if last.has_relu() || !last.outputs().is_multiple_of(2) || last.outputs() == 0 {
        return Err(Error::Unsupported(
            "the difference needs an even number of linear outputs".into(),
        ));
    }
    let m = last.outputs() / 2;
    let k = last.inputs();
    // relu(y_a - y_b) for each j, then relu(y_b - y_a): folded into the last affine map.
    let mut w = vec![0.0; 2 * m * k];
    let mut bias = vec![0.0; 2 * m];
    for j in 0..m {
        for i in 0..k {
            let d = last.row(j)[i] - last.row(m + j)[i];
            w[j * k + i] = d;
            w[(m + j) * k + i] = -d;
        }
        bias[j] = last.bias()[j] - last.bias()[m + j];
        bias[m + j] = -bias[j];
    }
    let mut out: Vec<Layer> = layers[..layers.len() - 1].to_vec();
    out.push(Layer::new(k, 2 * m, w, bias, true)?);
    match norm {
        // |d_j| = relu(d_j) + relu(-d_j); the L1 norm sums all 2m neurons.
        DiffNorm::L1 => out.push(Layer::new(2 * m, 1, vec![1.0; 2 * m], vec![0.0], false)?),
        DiffNorm::Linf => push_max_tree(&mut out, 2 * m)?,
    }
    Network::new(out)
}

/// Appends layers computing the maximum of the previous layer's `n` non-negative (post-ReLU) values.
/// Each value is carried as a sum of neurons of the current layer (`groups`); a pair `(p, q)` becomes the
/// neurons `relu(p - q)` and `relu(q)`, whose sum is `max(p, q)`; an odd one out becomes `relu(p) = p`.
fn push_max_tree(out: &mut Vec<Layer>, n: usize) -> Result<()> {
    let mut groups: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    let mut width = n;
    while groups.len() > 1 {
        let mut rows: Vec<Vec<f64>> = Vec::new();
        let mut next: Vec<Vec<usize>> = Vec::new();
        for pair in groups.chunks(2) {
            let mut first = Vec::new();
            if pair.len() == 2 {
                let mut diff = vec![0.0; width];
                pair[0].iter().for_each(|&i| diff[i] += 1.0);
                pair[1].iter().for_each(|&i| diff[i] -= 1.0);
                first.push(rows.len());
                rows.push(diff);
            }
            let keep = pair.last().expect("chunks are non-empty");
            let mut carry = vec![0.0; width];
            keep.iter().for_each(|&i| carry[i] += 1.0);
            first.push(rows.len());
            rows.push(carry);
            next.push(first);
        }
        let outputs = rows.len();
        out.push(Layer::new(
            width,
            outputs,
            rows.concat(),
            vec![0.0; outputs],
            true,
        )?);
        groups = next;
        width = outputs;
    }
    let mut read = vec![0.0; width];
    groups[0].iter().for_each(|&i| read[i] = 1.0);
    out.push(Layer::new(width, 1, read, vec![0.0], false)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heuristics::SplitMix64;

    fn random_net(rng: &mut SplitMix64, sizes: &[usize]) -> Network {
        let layers = sizes
            .windows(2)
            .enumerate()
            .map(|(k, w)| {
                let weights = (0..w[0] * w[1]).map(|_| 2.0 * rng.next_f64() - 1.0).collect();
                let bias = (0..w[1]).map(|_| rng.next_f64() - 0.5).collect();
                Layer::new(w[0], w[1], weights, bias, k + 2 < sizes.len()).unwrap()
            })
            .collect();
        Network::new(layers).unwrap()
    }

    #[test]
    fn compositions_compute_what_they_claim() {
        let mut rng = SplitMix64::new(1);
        let a = random_net(&mut rng, &[3, 5, 4, 3]);
        let b = random_net(&mut rng, &[3, 6, 3]);
        let pair = parallel(&a, &b).unwrap();
        let l1 = with_abs_differences(&pair, DiffNorm::L1).unwrap();
        let linf = with_abs_differences(&pair, DiffNorm::Linf).unwrap();
        for _ in 0..200 {
            let x: Vec<f64> = (0..3).map(|_| 4.0 * rng.next_f64() - 2.0).collect();
            let (ya, yb) = (a.forward(&x), b.forward(&x));
            let yp = pair.forward(&x);
            for j in 0..3 {
                assert!((yp[j] - ya[j]).abs() < 1e-12 && (yp[3 + j] - yb[j]).abs() < 1e-12);
            }
            let d: Vec<f64> = (0..3).map(|j| (ya[j] - yb[j]).abs()).collect();
            assert!((l1.forward(&x)[0] - d.iter().sum::<f64>()).abs() < 1e-12);
            assert!((linf.forward(&x)[0] - d.iter().fold(0.0_f64, |m, v| m.max(*v))).abs() < 1e-12);
            let y0 = [0.5, -1.0, 2.0];
            let shift = with_abs_differences(&with_constant_outputs(&a, &y0).unwrap(), DiffNorm::L1).unwrap();
            let want: f64 = (0..3).map(|j| (ya[j] - y0[j]).abs()).sum();
            assert!((shift.forward(&x)[0] - want).abs() < 1e-12);
        }
    }
}
