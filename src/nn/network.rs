//! A chain of dense affine layers with ReLU between them.

use crate::error::{Error, Result};

/// One dense affine layer `z = W x + b`, optionally followed by a ReLU.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    inputs: usize,
    outputs: usize,
    /// Row-major `outputs x inputs`.
    weights: Vec<f64>,
    bias: Vec<f64>,
    relu: bool,
}

impl Layer {
    /// A layer from row-major weights (`outputs` rows of `inputs` entries) and a bias.
    /// Fails on wrong sizes or non-finite values.
    pub fn new(inputs: usize, outputs: usize, weights: Vec<f64>, bias: Vec<f64>, relu: bool) -> Result<Self> {
        if weights.len() != inputs * outputs {
            return Err(Error::Unsupported(format!(
                "layer weights have {} entries, expected {outputs} x {inputs}",
                weights.len()
            )));
        }
        if bias.len() != outputs {
            return Err(Error::Unsupported(format!(
                "layer bias has {} entries, expected {outputs}",
                bias.len()
            )));
        }
        if let Some(i) = weights.iter().position(|w| !w.is_finite()) {
            return Err(Error::Unsupported(format!(
                "weight ({}, {}) is {}",
                i / inputs.max(1),
                i % inputs.max(1),
                weights[i]
            )));
        }
        if let Some(i) = bias.iter().position(|b| !b.is_finite()) {
            return Err(Error::Unsupported(format!("bias {i} is {}", bias[i])));
        }
        Ok(Layer {
            inputs,
            outputs,
            weights,
            bias,
            relu,
        })
    }

    /// Number of inputs.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Number of outputs (neurons).
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// Row-major weights, `outputs x inputs`.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Mutable row-major weights (for pruning); sizes cannot change.
    pub fn weights_mut(&mut self) -> &mut [f64] {
        &mut self.weights
    }

    /// The weights of neuron `j` (one row).
    pub fn row(&self, j: usize) -> &[f64] {
        &self.weights[j * self.inputs..(j + 1) * self.inputs]
    }

    /// The bias vector.
    pub fn bias(&self) -> &[f64] {
        &self.bias
    }

    /// Whether a ReLU follows the affine map.
    pub fn has_relu(&self) -> bool {
        self.relu
    }

    /// The pre-activation `W x + b`.
    pub fn affine(&self, x: &[f64]) -> Vec<f64> {
        debug_assert_eq!(x.len(), self.inputs);
        (0..self.outputs)
            .map(|j| {
                self.row(j)
                    .iter()
                    .zip(x)
                    .fold(self.bias[j], |acc, (w, v)| acc + w * v)
            })
            .collect()
    }

    /// The post-activation output.
    pub fn apply(&self, x: &[f64]) -> Vec<f64> {
        let mut z = self.affine(x);
        if self.relu {
            z.iter_mut().for_each(|v| *v = v.max(0.0));
        }
        z
    }
}

/// A neuron: layer index (0 = first hidden layer) and position in the layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NeuronId {
    /// Layer index.
    pub layer: usize,
    /// Index within the layer.
    pub index: usize,
}

/// A feed-forward network: affine layers, ReLU after each hidden layer, linear last layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    layers: Vec<Layer>,
}

impl Network {
    /// A network from its layers; consecutive sizes must match.
    pub fn new(layers: Vec<Layer>) -> Result<Self> {
        if layers.is_empty() {
            return Err(Error::Unsupported("a network needs at least one layer".into()));
        }
        for (k, pair) in layers.windows(2).enumerate() {
            if pair[0].outputs != pair[1].inputs {
                return Err(Error::Unsupported(format!(
                    "layer {k} has {} outputs but layer {} takes {} inputs",
                    pair[0].outputs,
                    k + 1,
                    pair[1].inputs
                )));
            }
        }
        Ok(Network { layers })
    }

    /// The layers, first to last.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Mutable layers (sizes cannot change through `Layer`'s API).
    pub fn layers_mut(&mut self) -> &mut [Layer] {
        &mut self.layers
    }

    /// Number of inputs.
    pub fn input_size(&self) -> usize {
        self.layers[0].inputs
    }

    /// Number of outputs.
    pub fn output_size(&self) -> usize {
        self.layers[self.layers.len() - 1].outputs
    }

    /// Number of ReLU neurons.
    pub fn relu_count(&self) -> usize {
        self.layers.iter().filter(|l| l.relu).map(|l| l.outputs).sum()
    }

    /// Forward pass in f64: the outputs.
    pub fn forward(&self, x: &[f64]) -> Vec<f64> {
        self.layers.iter().fold(x.to_vec(), |v, layer| layer.apply(&v))
    }

    /// Pre-activations of every layer (the last is the output).
    pub fn pre_activations(&self, x: &[f64]) -> Vec<Vec<f64>> {
        let mut out = Vec::with_capacity(self.layers.len());
        let mut v = x.to_vec();
        for layer in &self.layers {
            let z = layer.affine(&v);
            v = if layer.relu {
                z.iter().map(|t| t.max(0.0)).collect()
            } else {
                z.clone()
            };
            out.push(z);
        }
        out
    }

    /// Activation pattern: for each ReLU layer, whether each neuron's pre-activation is positive.
    pub fn activation_pattern(&self, x: &[f64]) -> Vec<Vec<bool>> {
        self.pre_activations(x)
            .into_iter()
            .zip(&self.layers)
            .filter(|(_, l)| l.relu)
            .map(|(z, _)| z.into_iter().map(|t| t > 0.0).collect())
            .collect()
    }

    /// Folds an input normalisation `x_norm = (x - mean) / std` into the first layer,
    /// so that the returned network takes raw inputs.
    pub fn with_input_normalisation(&self, mean: &[f64], std: &[f64]) -> Result<Network> {
        let first = &self.layers[0];
        let n = first.inputs;
        if mean.len() != n || std.len() != n {
            return Err(Error::Unsupported(format!(
                "normalisation has {} means and {} scales for {n} inputs",
                mean.len(),
                std.len()
            )));
        }
        if let Some(i) = std.iter().position(|s| *s == 0.0 || !s.is_finite()) {
            return Err(Error::Unsupported(format!("input scale {i} is {}", std[i])));
        }
        let mut weights = first.weights.clone();
        let mut bias = first.bias.clone();
        for j in 0..first.outputs {
            for i in 0..n {
                let w = first.weights[j * n + i] / std[i];
                weights[j * n + i] = w;
                bias[j] -= w * mean[i];
            }
        }
        let mut layers = self.layers.clone();
        layers[0] = Layer::new(n, first.outputs, weights, bias, first.relu)?;
        Network::new(layers)
    }

    /// Folds an output scaling `y_raw = y * scale + offset` into the last layer.
    pub fn with_output_scaling(&self, scale: f64, offset: f64) -> Result<Network> {
        let mut layers = self.layers.clone();
        let last = layers.last_mut().expect("non-empty");
        last.weights.iter_mut().for_each(|w| *w *= scale);
        last.bias.iter_mut().for_each(|b| *b = *b * scale + offset);
        Network::new(layers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_folds_into_first_layer() {
        let net = Network::new(vec![
            Layer::new(2, 2, vec![1.0, 2.0, -1.0, 0.5], vec![0.1, -0.2], true).unwrap(),
            Layer::new(2, 1, vec![1.0, 1.0], vec![0.0], false).unwrap(),
        ])
        .unwrap();
        let mean = [0.5, -1.0];
        let std = [2.0, 4.0];
        let raw = [1.5, 3.0];
        let normed: Vec<f64> = raw
            .iter()
            .zip(&mean)
            .zip(&std)
            .map(|((x, m), s)| (x - m) / s)
            .collect();
        let folded = net.with_input_normalisation(&mean, &std).unwrap();
        let a = net.forward(&normed);
        let b = folded.forward(&raw);
        assert!((a[0] - b[0]).abs() < 1e-12);
    }
}
