//! Partition-based (P-split) formulations of one ReLU and the cuts of their projection.
//!
//! Tsay, Kronqvist, Thebelt, Misener, "Partition-based formulations for mixed-integer optimization of trained
//! ReLU neural networks", NeurIPS 2021. The inputs are split into groups `S_1..S_N`; each group's partial sum
//! `a_n = sum_{i in S_n} w_i x_i` (bounds `[l_n, u_n]` from the input box) is split into an inactive part
//! `v0_n` and an active part `v1_n`, and the hull of the two-disjunct ReLU is taken over these `N` sums:
//!
//! ```text
//! a_n = v0_n + v1_n                          (one row per group)
//! l_n (1 - z) <= v0_n <= u_n (1 - z)          l_n z <= v1_n <= u_n z
//! sum_n v0_n + b (1 - z) <= 0                 (inactive: pre-activation <= 0)
//! y = sum_n v1_n + b z                        (active: y is the pre-activation; y >= 0 is y's own bound)
//! ```
//!
//! With `N = 1` this projects onto the big-M formulation (with the box's interval bounds), and with one group
//! per input onto the ideal formulation of [`super::ideal`]. Its projection onto `(x, y, z)` is the ideal
//! formulation of the aggregated neuron `y = max(0, sum_n a_n + b)`, `a_n in [l_n, u_n]`, so its cuts are
//! separated by the same linear-time rule ([`separate_partition`]).

use super::ideal::{separate_aggregated, SeparationTolerance};
use super::{NeuronCut, NeuronView};
use crate::lp::LpProblem;

/// Where new columns and rows go: the LP problem being built, or anything that records them.
pub trait ModelBuilder {
    /// Adds a column with zero cost and returns its index.
    fn add_col(&mut self, lower: f64, upper: f64, name: String) -> usize;
    /// Adds a row `lower <= sum coeffs <= upper` and returns its index.
    fn add_row(&mut self, lower: f64, upper: f64, coeffs: Vec<(usize, f64)>, name: String) -> usize;
}

impl ModelBuilder for LpProblem {
    fn add_col(&mut self, lower: f64, upper: f64, name: String) -> usize {
        LpProblem::add_col(self, 0.0, lower, upper, name)
    }
    fn add_row(&mut self, lower: f64, upper: f64, coeffs: Vec<(usize, f64)>, name: String) -> usize {
        LpProblem::add_row(self, lower, upper, coeffs, name)
    }
}

/// How a neuron's inputs are split into groups. Only inputs that can move the pre-activation (non-zero weight,
/// `lower < upper`) are grouped; the others are constants folded into the bias.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PartitionStrategy {
    /// Sort the inputs by weight and cut the order into `N` runs of equal size (sizes differ by at most one).
    #[default]
    EqualSize,
    /// Cut the weights' range into `N` intervals of equal width and group the inputs by interval; the range runs
    /// from the 5th to the 95th percentile of the weights so that a few outliers do not leave inner groups empty
    /// (outliers join the end groups). Empty groups are dropped, so fewer than `N` groups may result.
    EqualRange,
}

impl std::str::FromStr for PartitionStrategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "equal-size" | "size" => Ok(PartitionStrategy::EqualSize),
            "equal-range" | "range" => Ok(PartitionStrategy::EqualRange),
            other => Err(format!(
                "unknown partition strategy '{other}' (expected equal-size or equal-range)"
            )),
        }
    }
}

/// True when input `i` can move the pre-activation.
fn is_variable(neuron: &NeuronView, i: usize) -> bool {
    neuron.weights[i] != 0.0 && neuron.input_lower[i] < neuron.input_upper[i]
}

/// Splits a neuron's variable inputs into at most `groups` non-empty groups (at least one group when any input
/// is variable; none when none is). Each group lists input indices in increasing order.
pub fn partition_inputs(neuron: &NeuronView, groups: usize, strategy: PartitionStrategy) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..neuron.weights.len())
        .filter(|&i| is_variable(neuron, i))
        .collect();
    if order.is_empty() {
        return Vec::new();
    }
    let groups = groups.clamp(1, order.len());
    let w = neuron.weights;
    order.sort_by(|&a, &b| w[a].total_cmp(&w[b]).then(a.cmp(&b)));
    let mut parts: Vec<Vec<usize>> = match strategy {
        PartitionStrategy::EqualSize => {
            let (base, extra) = (order.len() / groups, order.len() % groups);
            let mut start = 0;
            (0..groups)
                .map(|g| {
                    let len = base + usize::from(g < extra);
                    let part = order[start..start + len].to_vec();
                    start += len;
                    part
                })
                .collect()
        }
        PartitionStrategy::EqualRange => {
            let quantile = |q: f64| w[order[((order.len() - 1) as f64 * q).round() as usize]];
            let (low, high) = (quantile(0.05), quantile(0.95));
            let width = (high - low) / groups as f64;
            let mut parts = vec![Vec::new(); groups];
            for &i in &order {
                let g = if width > 0.0 {
                    (((w[i] - low) / width).floor().max(0.0) as usize).min(groups - 1)
                } else {
                    0
                };
                parts[g].push(i);
            }
            parts
        }
    };
    parts.retain(|p| !p.is_empty());
    for p in &mut parts {
        p.sort_unstable();
    }
    parts
}

/// One neuron to encode with a P-split formulation: its view, the column of each input, of `y` and of `z`, and a
/// name prefix for the new columns and rows.
#[derive(Debug, Clone, Copy)]
pub struct PsplitNeuron<'a> {
    /// Weights, bias and input box.
    pub view: NeuronView<'a>,
    /// Column of each input.
    pub input_cols: &'a [usize],
    /// Column of the output `y` (its lower bound must be 0 or more).
    pub y_col: usize,
    /// Column of the binary `z`.
    pub z_col: usize,
    /// Prefix of the new columns' and rows' names (e.g. `"1_7"` for layer 1, neuron 7).
    pub name: &'a str,
}

/// What [`add_psplit`] added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PsplitColumns {
    /// Column of each group's inactive part `v0_n`.
    pub inactive: Vec<usize>,
    /// Column of each group's active part `v1_n`.
    pub active: Vec<usize>,
    /// The rows added.
    pub rows: Vec<usize>,
}

/// Group bounds `[l_n, u_n]` of the partial sums and the bias with the constant inputs folded in, or `None` when
/// the groups do not cover every variable input exactly once, name an input out of range, or a variable input
/// has an infinite bound.
fn group_bounds(neuron: &NeuronView, partitions: &[Vec<usize>]) -> Option<(Vec<f64>, Vec<f64>, f64)> {
    let n = neuron.weights.len();
    if neuron.input_lower.len() != n || neuron.input_upper.len() != n || !neuron.has_finite_box() {
        return None;
    }
    let mut seen = vec![false; n];
    let (mut lo, mut hi) = (
        Vec::with_capacity(partitions.len()),
        Vec::with_capacity(partitions.len()),
    );
    for part in partitions {
        let (mut l, mut u) = (0.0, 0.0);
        for &i in part {
            if i >= n || seen[i] {
                return None;
            }
            seen[i] = true;
            let (tl, tu) = neuron.term_bounds(i);
            l += tl;
            u += tu;
        }
        lo.push(l);
        hi.push(u);
    }
    let mut bias = neuron.bias;
    for i in 0..n {
        if !seen[i] && neuron.weights[i] != 0.0 {
            if is_variable(neuron, i) {
                return None;
            }
            bias += neuron.weights[i] * neuron.input_lower[i];
        }
    }
    Some((lo, hi, bias))
}

/// Adds the P-split formulation of one neuron over `partitions` (as from [`partition_inputs`]) to `builder`,
/// beside whatever rows already link `x`, `y` and `z` (e.g. big-M; keeping them only tightens the relaxation).
/// Adds nothing and returns `None` when the neuron is stable over its input box (`M- >= 0` or `M+ <= 0`) or the
/// partitions are invalid (see [`partition_inputs`]: every variable input exactly once).
pub fn add_psplit<B: ModelBuilder + ?Sized>(
    builder: &mut B,
    neuron: &PsplitNeuron,
    partitions: &[Vec<usize>],
) -> Option<PsplitColumns> {
    let view = &neuron.view;
    if neuron.input_cols.len() != view.weights.len() {
        return None;
    }
    let (lo, hi, bias) = group_bounds(view, partitions)?;
    let (pre_lo, pre_hi) = (bias + lo.iter().sum::<f64>(), bias + hi.iter().sum::<f64>());
    if pre_lo >= 0.0 || pre_hi <= 0.0 {
        return None;
    }
    let (y, z, name) = (neuron.y_col, neuron.z_col, neuron.name);
    let mut out = PsplitColumns {
        inactive: Vec::with_capacity(partitions.len()),
        active: Vec::with_capacity(partitions.len()),
        rows: Vec::with_capacity(5 * partitions.len() + 2),
    };
    for (g, part) in partitions.iter().enumerate() {
        let (l, u) = (lo[g], hi[g]);
        let v0 = builder.add_col(l.min(0.0), u.max(0.0), format!("v0_{name}_{g}"));
        let v1 = builder.add_col(l.min(0.0), u.max(0.0), format!("v1_{name}_{g}"));
        out.inactive.push(v0);
        out.active.push(v1);
        let mut split: Vec<(usize, f64)> = part
            .iter()
            .map(|&i| (neuron.input_cols[i], view.weights[i]))
            .collect();
        split.push((v0, -1.0));
        split.push((v1, -1.0));
        out.rows
            .push(builder.add_row(0.0, 0.0, split, format!("psplit_{name}_{g}")));
        // l (1 - z) <= v0 <= u (1 - z) and l z <= v1 <= u z, one row per side.
        let rows = [
            (l, f64::INFINITY, vec![(v0, 1.0), (z, l)], "v0lo"),
            (f64::NEG_INFINITY, u, vec![(v0, 1.0), (z, u)], "v0up"),
            (0.0, f64::INFINITY, vec![(v1, 1.0), (z, -l)], "v1lo"),
            (f64::NEG_INFINITY, 0.0, vec![(v1, 1.0), (z, -u)], "v1up"),
        ];
        for (lower, upper, coeffs, tag) in rows {
            out.rows
                .push(builder.add_row(lower, upper, coeffs, format!("{tag}_{name}_{g}")));
        }
    }
    let mut inactive_row: Vec<(usize, f64)> = out.inactive.iter().map(|&c| (c, 1.0)).collect();
    if bias != 0.0 {
        inactive_row.push((z, -bias));
    }
    out.rows
        .push(builder.add_row(f64::NEG_INFINITY, -bias, inactive_row, format!("psoff_{name}")));
    let mut active_row: Vec<(usize, f64)> = out.active.iter().map(|&c| (c, -1.0)).collect();
    active_row.push((y, 1.0));
    if bias != 0.0 {
        active_row.push((z, -bias));
    }
    out.rows
        .push(builder.add_row(0.0, 0.0, active_row, format!("pson_{name}")));
    Some(out)
}

/// The most violated inequality of the P-split formulation's projection at `(x, y, z)`: an ideal cut of the
/// aggregated neuron, spelled out over the inputs (all inputs of a chosen group get `a_i = -w_i`). `None` when
/// nothing is violated beyond `tol`, the neuron is stable over its box, or the partitions are invalid.
/// With one group per input this is [`super::separate_ideal`]; with fewer it is weaker but needs no new columns.
pub fn separate_partition(
    neuron: &NeuronView,
    partitions: &[Vec<usize>],
    x: &[f64],
    y: f64,
    z: f64,
    tol: &SeparationTolerance,
) -> Option<NeuronCut> {
    if x.len() != neuron.weights.len() {
        return None;
    }
    let (lo, hi, bias) = group_bounds(neuron, partitions)?;
    let values: Vec<f64> = partitions
        .iter()
        .map(|part| part.iter().map(|&i| neuron.weights[i] * x[i]).sum())
        .collect();
    let agg = separate_aggregated(&values, &lo, &hi, bias, y, z, tol.safety)?;
    let mut input_coeffs: Vec<(usize, f64)> = partitions
        .iter()
        .zip(&agg.in_set)
        .filter(|(_, &inside)| inside)
        .flat_map(|(part, _)| part.iter().map(|&i| (i, -neuron.weights[i])))
        .filter(|&(_, a)| a != 0.0)
        .collect();
    input_coeffs.sort_by_key(|&(i, _)| i);
    agg.into_cut(input_coeffs, tol)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view<'a>(w: &'a [f64], l: &'a [f64], u: &'a [f64]) -> NeuronView<'a> {
        NeuronView {
            weights: w,
            bias: 0.1,
            input_lower: l,
            input_upper: u,
        }
    }

    #[test]
    fn equal_size_groups_sorted_weights_and_skips_constants() {
        let w = [0.5, -2.0, 0.0, 1.0, 3.0, -1.0];
        let (l, u) = ([-1.0; 6], [1.0, 1.0, 1.0, 1.0, -1.0, 1.0]);
        let parts = partition_inputs(&view(&w, &l, &u), 2, PartitionStrategy::EqualSize);
        // Variable inputs sorted by weight: 1 (-2), 5 (-1), 0 (0.5), 3 (1); input 2 has weight 0, 4 is fixed.
        assert_eq!(parts, vec![vec![1, 5], vec![0, 3]]);
        let parts = partition_inputs(&view(&w, &l, &u), 10, PartitionStrategy::EqualSize);
        assert_eq!(parts.len(), 4);
    }

    #[test]
    fn equal_range_groups_by_weight_interval() {
        let w = [-1.0, -0.9, 0.05, 0.1, 0.95, 1.0];
        let (l, u) = ([0.0; 6], [1.0; 6]);
        let parts = partition_inputs(&view(&w, &l, &u), 2, PartitionStrategy::EqualRange);
        assert_eq!(parts, vec![vec![0, 1], vec![2, 3, 4, 5]]);
    }

    #[test]
    fn psplit_rejects_partitions_missing_an_input() {
        let w = [1.0, -1.0];
        let (l, u) = ([-1.0; 2], [1.0; 2]);
        let neuron = PsplitNeuron {
            view: view(&w, &l, &u),
            input_cols: &[0, 1],
            y_col: 2,
            z_col: 3,
            name: "n",
        };
        let mut lp = LpProblem::default();
        assert!(add_psplit(&mut lp, &neuron, &[vec![0]]).is_none());
        assert!(add_psplit(&mut lp, &neuron, &[vec![0], vec![1]]).is_some());
        assert_eq!(lp.num_cols(), 4);
        assert_eq!(lp.num_rows(), 12);
    }
}
