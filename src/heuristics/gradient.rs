//! Forward pass and reverse-mode gradient of a linear function of the outputs, without allocation per call.
//!
//! The network is piecewise linear; at a point its Jacobian is that of the linear region the activation
//! pattern selects. A neuron with pre-activation exactly 0 counts as inactive (derivative 0), matching
//! [`Network::activation_pattern`].

use crate::nn::Network;

/// Buffers for repeated forward and backward passes through one network.
#[derive(Debug, Clone)]
pub struct GradientWorkspace {
    /// Pre-activations of every layer at the last forward point (the last entry is the output).
    pre: Vec<Vec<f64>>,
    /// The last forward point.
    input: Vec<f64>,
    /// The previous layer's post-activations.
    relu_input: Vec<f64>,
    /// Two scratch vectors for the backward sweep.
    scratch_a: Vec<f64>,
    scratch_b: Vec<f64>,
}

impl GradientWorkspace {
    /// Buffers sized for `net`.
    pub fn new(net: &Network) -> Self {
        let widest = net
            .layers()
            .iter()
            .map(|l| l.inputs().max(l.outputs()))
            .max()
            .unwrap_or(0);
        GradientWorkspace {
            pre: net.layers().iter().map(|l| vec![0.0; l.outputs()]).collect(),
            input: vec![0.0; net.input_size()],
            relu_input: Vec::with_capacity(widest),
            scratch_a: Vec::with_capacity(widest),
            scratch_b: Vec::with_capacity(widest),
        }
    }

    /// Forward pass at `x`; returns the outputs (valid until the next call).
    pub fn forward(&mut self, net: &Network, x: &[f64]) -> &[f64] {
        debug_assert_eq!(x.len(), net.input_size());
        self.input.clear();
        self.input.extend_from_slice(x);
        let layers = net.layers();
        for k in 0..layers.len() {
            let (before, rest) = self.pre.split_at_mut(k);
            let source: &[f64] = if k == 0 { &self.input } else { &before[k - 1] };
            let relu_before = k > 0 && layers[k - 1].has_relu();
            let layer = &layers[k];
            let z = &mut rest[0];
            if relu_before {
                self.relu_input.clear();
                self.relu_input.extend(source.iter().map(|v| v.max(0.0)));
            }
            let source: &[f64] = if relu_before { &self.relu_input } else { source };
            for j in 0..layer.outputs() {
                z[j] = layer.bias()[j] + dot(layer.row(j), source);
            }
        }
        let last = layers.len() - 1;
        if layers[last].has_relu() {
            self.pre[last].iter_mut().for_each(|v| *v = v.max(0.0));
        }
        &self.pre[last]
    }

    /// The outputs of the last forward pass.
    pub fn outputs(&self) -> &[f64] {
        &self.pre[self.pre.len() - 1]
    }

    /// Gradient of `sum_j c[j] * y[j]` with respect to the input, at the last forward point.
    /// `c` has one entry per output; the gradient is written into `grad` (one entry per input).
    pub fn backward(&mut self, net: &Network, c: &[f64], grad: &mut Vec<f64>) {
        let layers = net.layers();
        let last = layers.len() - 1;
        let mut g = std::mem::take(&mut self.scratch_a);
        let mut next = std::mem::take(&mut self.scratch_b);
        g.clear();
        g.extend_from_slice(c);
        if layers[last].has_relu() {
            // The last layer's ReLU was applied in place: positive output means active.
            for (gj, y) in g.iter_mut().zip(&self.pre[last]) {
                if *y <= 0.0 {
                    *gj = 0.0;
                }
            }
        }
        for k in (0..layers.len()).rev() {
            let layer = &layers[k];
            next.clear();
            next.resize(layer.inputs(), 0.0);
            for (j, &gj) in g.iter().enumerate() {
                if gj != 0.0 {
                    for (n, w) in next.iter_mut().zip(layer.row(j)) {
                        *n += gj * w;
                    }
                }
            }
            if k > 0 && layers[k - 1].has_relu() {
                for (n, z) in next.iter_mut().zip(&self.pre[k - 1]) {
                    if *z <= 0.0 {
                        *n = 0.0;
                    }
                }
            }
            std::mem::swap(&mut g, &mut next);
        }
        grad.clear();
        grad.extend_from_slice(&g);
        self.scratch_a = g;
        self.scratch_b = next;
    }
}

/// A dot product with eight partial sums, so that the compiler can vectorise it (the sum order differs from
/// [`Network::forward`]'s; results that matter are re-checked with that forward pass).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// Gradient of `c^T N(x)` with respect to `x` (one-shot convenience; allocates).
pub fn output_gradient(net: &Network, x: &[f64], c: &[f64]) -> Vec<f64> {
    let mut ws = GradientWorkspace::new(net);
    ws.forward(net, x);
    let mut grad = Vec::new();
    ws.backward(net, c, &mut grad);
    grad
}
