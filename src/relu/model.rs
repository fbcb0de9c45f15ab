//! The big-M encoding of a ReLU network over an input domain, and the map from neurons to columns.
//!
//! Per neuron with pre-activation bounds `[l, u]` (Tjeng, Xiao, Tedrake, ICLR 2019):
//! stable active (`l >= 0`): `h = z`; stable inactive (`u <= 0`): dropped (`h = 0`, no column);
//! unstable: `h >= 0, h >= z, h <= z - l (1 - a), h <= u a`, `a` binary.

use crate::bounds::NeuronBounds;
use crate::error::{Error, Result};
use crate::lp::{LpProblem, Sense};
use crate::mip::MipProblem;
use crate::nn::Network;
use crate::spec::{InputDomain, Norm};

/// How a neuron is encoded at the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stability {
    /// `l >= 0`: linear, `h = z`.
    Active,
    /// `u <= 0`: dropped, `h = 0`.
    Inactive,
    /// `l < 0 < u`: one binary.
    Unstable,
}

/// The columns of one neuron.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeuronColumns {
    /// How it is encoded.
    pub stability: Stability,
    /// The column holding the layer's output value (post-activation; the pre-activation for a layer
    /// without ReLU); `None` when the value is the constant 0.
    pub value: Option<usize>,
    /// The binary activation column (unstable neurons only).
    pub binary: Option<usize>,
    /// The rows `h >= z`, `h <= z - l(1-a)`, `h <= u a` of an unstable neuron (or `h = z` of a linear one).
    pub first_row: usize,
}

/// A network encoded as a MILP, with the map from inputs, neurons and outputs to columns.
/// Tasks add objective terms, columns and rows through its methods.
#[derive(Debug, Clone)]
pub struct ReluModel {
    /// The MILP.
    pub mip: MipProblem,
    /// The network encoded.
    pub network: Network,
    /// The input domain encoded.
    pub domain: InputDomain,
    /// The pre-activation bounds the encoding used.
    pub bounds: NeuronBounds,
    /// Column of each input feature (`x_i`).
    pub input_cols: Vec<usize>,
    /// `neurons[layer][j]`: the columns of every neuron of every layer (the last layer is the output).
    pub neurons: Vec<Vec<NeuronColumns>>,
    /// Number of columns and rows that belong to the network encoding (tasks' come after).
    pub network_cols: usize,
    /// Number of rows of the network encoding (and the domain's).
    pub network_rows: usize,
}

impl ReluModel {
    /// Encodes `net` over `domain` with the given pre-activation bounds; the objective is empty
    /// (minimise 0) until a task sets it.
    pub fn new(net: &Network, domain: &InputDomain, bounds: &NeuronBounds) -> Result<Self> {
        let n_in = net.input_size();
        if domain.dim() != n_in {
            return Err(Error::Options(format!(
                "the domain has {} features, the network {n_in} inputs",
                domain.dim()
            )));
        }
        let layers = net.layers();
        if bounds.lower.len() != layers.len()
            || bounds.upper.len() != layers.len()
            || layers
                .iter()
                .enumerate()
                .any(|(k, l)| bounds.lower[k].len() != l.outputs() || bounds.upper[k].len() != l.outputs())
        {
            return Err(Error::Options(
                "neuron bounds do not match the network's layers".into(),
            ));
        }
        let mut lp = LpProblem::new(Sense::Minimize);
        let mut integer = Vec::new();
        let mut input_cols = Vec::with_capacity(n_in);
        for i in 0..n_in {
            input_cols.push(lp.add_col(0.0, domain.lower[i], domain.upper[i], format!("x_{i}")));
            integer.push(domain.integer.get(i).copied().unwrap_or(false));
        }
        if let Some(ball) = &domain.ball {
            if ball.norm != Norm::L1 {
                return Err(Error::Unsupported(format!(
                    "{:?} ball in an input domain",
                    ball.norm
                )));
            }
            // d_i >= |x_i - c_i|, sum d_i <= eps.
            let mut sum = Vec::new();
            for i in 0..n_in {
                let width = (domain.upper[i] - ball.center[i])
                    .abs()
                    .max((ball.center[i] - domain.lower[i]).abs());
                let d = lp.add_col(0.0, 0.0, width, format!("dx_{i}"));
                integer.push(false);
                lp.add_row(
                    -ball.center[i],
                    f64::INFINITY,
                    vec![(d, 1.0), (input_cols[i], -1.0)],
                    format!("l1_lo_{i}"),
                );
                lp.add_row(
                    ball.center[i],
                    f64::INFINITY,
                    vec![(d, 1.0), (input_cols[i], 1.0)],
                    format!("l1_hi_{i}"),
                );
                sum.push((d, 1.0));
            }
            lp.add_row(f64::NEG_INFINITY, ball.radius, sum, "l1_radius");
        }
        let mut prev: Vec<Option<usize>> = input_cols.iter().map(|&c| Some(c)).collect();
        let mut neurons = Vec::with_capacity(layers.len());
        let last = layers.len() - 1;
        for (k, layer) in layers.iter().enumerate() {
            let mut cols = Vec::with_capacity(layer.outputs());
            for j in 0..layer.outputs() {
                let (l, u) = (bounds.lower[k][j], bounds.upper[k][j]);
                if l.is_nan() || u.is_nan() || l > u {
                    return Err(Error::Options(format!(
                        "empty bounds [{l}, {u}] for neuron {j} of layer {k}"
                    )));
                }
                // z - b = sum w h_prev: the affine part's columns.
                let mut affine: Vec<(usize, f64)> = Vec::new();
                for (i, &w) in layer.row(j).iter().enumerate() {
                    if let (Some(c), true) = (prev[i], w != 0.0) {
                        affine.push((c, -w));
                    }
                }
                let b = layer.bias()[j];
                let name = if k == last {
                    format!("y_{j}")
                } else {
                    format!("h_{}_{j}", k + 1)
                };
                let stability = if !layer.has_relu() || l >= 0.0 {
                    Stability::Active
                } else if u <= 0.0 {
                    Stability::Inactive
                } else {
                    Stability::Unstable
                };
                let first_row = lp.num_rows();
                let nc = match stability {
                    Stability::Active => {
                        let lo = if layer.has_relu() { l.max(0.0) } else { l };
                        let h = lp.add_col(0.0, lo, u.max(lo), name);
                        integer.push(false);
                        let mut row = vec![(h, 1.0)];
                        row.extend(&affine);
                        lp.add_row(b, b, row, format!("lin_{}_{j}", k + 1));
                        NeuronColumns {
                            stability,
                            value: Some(h),
                            binary: None,
                            first_row,
                        }
                    }
                    Stability::Inactive => NeuronColumns {
                        stability,
                        value: None,
                        binary: None,
                        first_row,
                    },
                    Stability::Unstable => {
                        let h = lp.add_col(0.0, 0.0, u, name);
                        integer.push(false);
                        let a = lp.add_col(0.0, 0.0, 1.0, format!("z_{}_{j}", k + 1));
                        integer.push(true);
                        // h - (z - b) >= b  i.e.  h - sum w h_prev >= b
                        let mut ge = vec![(h, 1.0)];
                        ge.extend(&affine);
                        lp.add_row(b, f64::INFINITY, ge, format!("ge_{}_{j}", k + 1));
                        // h - sum w h_prev - l a <= b - l
                        let mut m0 = vec![(h, 1.0)];
                        m0.extend(&affine);
                        m0.push((a, -l));
                        lp.add_row(f64::NEG_INFINITY, b - l, m0, format!("m0_{}_{j}", k + 1));
                        // h - u a <= 0
                        lp.add_row(
                            f64::NEG_INFINITY,
                            0.0,
                            vec![(h, 1.0), (a, -u)],
                            format!("m1_{}_{j}", k + 1),
                        );
                        NeuronColumns {
                            stability,
                            value: Some(h),
                            binary: Some(a),
                            first_row,
                        }
                    }
                };
                cols.push(nc);
            }
            prev = cols.iter().map(|c| c.value).collect();
            neurons.push(cols);
        }
        let network_cols = lp.num_cols();
        let network_rows = lp.num_rows();
        Ok(ReluModel {
            mip: MipProblem { lp, integer },
            network: net.clone(),
            domain: domain.clone(),
            bounds: bounds.clone(),
            input_cols,
            neurons,
            network_cols,
            network_rows,
        })
    }

    /// Number of unstable neurons (binaries of the encoding).
    pub fn unstable_count(&self) -> usize {
        self.neurons
            .iter()
            .flatten()
            .filter(|n| n.stability == Stability::Unstable)
            .count()
    }

    /// Number of ReLU neurons fixed stable at the root.
    pub fn stable_count(&self) -> usize {
        let relu: usize = self.network.relu_count();
        relu - self.unstable_count()
    }

    /// The column of output `j`, or `None` when the output is the constant 0 (a dead output ReLU).
    pub fn output_col(&self, j: usize) -> Option<usize> {
        self.neurons.last().and_then(|l| l.get(j)).and_then(|n| n.value)
    }

    /// The column of input feature `i`.
    pub fn input_col(&self, i: usize) -> usize {
        self.input_cols[i]
    }

    /// Sets the objective: `sense` of `sum terms + offset` (replacing any earlier objective).
    pub fn set_objective(&mut self, sense: Sense, terms: &[(usize, f64)], offset: f64) {
        let lp = &mut self.mip.lp;
        lp.sense = sense;
        lp.objective_offset = offset;
        lp.cost.iter_mut().for_each(|c| *c = 0.0);
        for &(j, c) in terms {
            lp.cost[j] += c;
        }
    }

    /// Adds a task column; returns its index.
    pub fn add_column(
        &mut self,
        cost: f64,
        lower: f64,
        upper: f64,
        integer: bool,
        name: impl Into<String>,
    ) -> usize {
        self.mip.integer.push(integer);
        self.mip.lp.add_col(cost, lower, upper, name)
    }

    /// Adds a task row `lower <= sum coeffs <= upper`; returns its index.
    pub fn add_row(
        &mut self,
        lower: f64,
        upper: f64,
        coeffs: Vec<(usize, f64)>,
        name: impl Into<String>,
    ) -> usize {
        self.mip.lp.add_row(lower, upper, coeffs, name)
    }

    /// The network columns' values for input `x` (forward pass): inputs, post-activations, binaries
    /// (`1` when the pre-activation is positive), outputs. Task columns (and L1 distances) are left at 0.
    pub fn network_point(&self, x: &[f64]) -> Vec<f64> {
        let mut point = vec![0.0; self.mip.lp.num_cols()];
        for (i, &c) in self.input_cols.iter().enumerate() {
            point[c] = x[i];
        }
        if let Some(ball) = &self.domain.ball {
            // The L1 distance columns follow the inputs.
            for i in 0..x.len() {
                point[self.input_cols.len() + i] = (x[i] - ball.center[i]).abs();
            }
        }
        let pre = self.network.pre_activations(x);
        for (k, layer) in self.neurons.iter().enumerate() {
            let relu = self.network.layers()[k].has_relu();
            for (j, n) in layer.iter().enumerate() {
                let z = pre[k][j];
                if let Some(c) = n.value {
                    point[c] = if relu { z.max(0.0) } else { z };
                }
                if let Some(a) = n.binary {
                    point[a] = if z > 0.0 { 1.0 } else { 0.0 };
                }
            }
        }
        point
    }

    /// The input part of a point of the model.
    pub fn input_of(&self, point: &[f64]) -> Vec<f64> {
        self.input_cols.iter().map(|&c| point[c]).collect()
    }
}

impl ReluModel {
    /// A full point of the model for input `x`: the network columns from a forward pass, the task columns
    /// from the small LP that remains once the network columns are fixed (optimising the objective).
    /// `None` when the task rows cannot be met at `x` (or the LP fails).
    pub fn complete(&self, x: &[f64]) -> Option<Vec<f64>> {
        if x.len() != self.input_cols.len() {
            return None;
        }
        let mut point = self.network_point(x);
        let lp = &self.mip.lp;
        let n_task = lp.num_cols() - self.network_cols;
        if n_task == 0 {
            return Some(point);
        }
        // The task columns and rows, with the network columns' contributions moved to the row bounds.
        let mut sub = LpProblem::new(lp.sense);
        for j in self.network_cols..lp.num_cols() {
            sub.add_col(
                lp.cost[j],
                lp.col_lower[j],
                lp.col_upper[j],
                lp.col_names[j].clone(),
            );
        }
        for i in self.network_rows..lp.num_rows() {
            let mut fixed = 0.0;
            let mut coeffs = Vec::new();
            for &(j, a) in &lp.rows[i] {
                if j < self.network_cols {
                    fixed += a * point[j];
                } else {
                    coeffs.push((j - self.network_cols, a));
                }
            }
            if coeffs.is_empty() {
                let tol = 1e-9 * (1.0 + fixed.abs());
                if fixed < lp.row_lower[i] - tol || fixed > lp.row_upper[i] + tol {
                    return None;
                }
                continue;
            }
            sub.add_row(
                lp.row_lower[i] - fixed,
                lp.row_upper[i] - fixed,
                coeffs,
                lp.row_names[i].clone(),
            );
        }
        let integer: Vec<bool> = self.mip.integer[self.network_cols..].to_vec();
        let values = if integer.iter().any(|&b| b) {
            let mip = MipProblem { lp: sub, integer };
            let options = crate::mip::MipOptions {
                node_limit: Some(1000),
                ..Default::default()
            };
            let r = crate::mip::solve_mip(&mip, options, crate::log::Log::quiet()).ok()?;
            r.solution?
        } else {
            let mut simplex = crate::lp::DualSimplex::new(&sub, crate::lp::LpOptions::default()).ok()?;
            if simplex.solve() != crate::lp::LpStatus::Optimal {
                return None;
            }
            simplex.col_values()
        };
        point[self.network_cols..].copy_from_slice(&values);
        Some(point)
    }
}
