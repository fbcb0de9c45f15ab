//! Separators over a whole model: ideal and partition cuts for every unstable neuron whose binary is fractional.
//!
//! A model is seen as a list of [`CutNeuron`]s (the columns of a neuron's inputs, output and binary, and its
//! weights); the input box is read from the column bounds handed in, so tighter bounds give stronger cuts.
//! Cuts are global only when those bounds are (the caller passes root bounds below the root).

use super::ideal::{separate_ideal, SeparationTolerance};
use super::partition::{add_psplit, partition_inputs, separate_partition, ModelBuilder, PartitionStrategy};
use super::partition::{PsplitColumns, PsplitNeuron};
use super::NeuronView;
use crate::lp::RowSpec;

/// A binary counts as integral within this distance of 0 or 1; its neuron is then exact in big-M and needs no
/// cut (Venus separates only for fractional binaries too).
pub const INTEGRAL_TOL: f64 = 1e-6;

/// One unstable neuron `y = max(0, sum_i w_i x_i + b)` of a model, by columns.
#[derive(Debug, Clone, PartialEq)]
pub struct CutNeuron {
    /// Column of each input that is a variable (inputs that are constants are folded into `bias`).
    pub input_cols: Vec<usize>,
    /// Weight of each input in `input_cols`.
    pub weights: Vec<f64>,
    /// Bias, with the constant inputs folded in.
    pub bias: f64,
    /// Column of the post-activation output.
    pub y_col: usize,
    /// Column of the activation binary.
    pub z_col: usize,
    /// Name for the log and for rows (e.g. `"1_7"`: layer 1, neuron 7).
    pub name: String,
}

impl CutNeuron {
    /// The neuron's input box read from column bounds.
    fn input_box(&self, col_lower: &[f64], col_upper: &[f64]) -> (Vec<f64>, Vec<f64>) {
        (
            self.input_cols.iter().map(|&c| col_lower[c]).collect(),
            self.input_cols.iter().map(|&c| col_upper[c]).collect(),
        )
    }

    /// True when the binary's value in `x` is fractional.
    fn is_fractional(&self, x: &[f64]) -> bool {
        let z = x[self.z_col];
        z > INTEGRAL_TOL && z < 1.0 - INTEGRAL_TOL
    }
}

/// Which family of inequalities a [`NeuronSeparator`] separates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutFamily {
    /// The ideal formulation's inequalities (Anderson et al.).
    Ideal,
    /// The projection of the P-split formulation with this many groups and strategy (Tsay et al.).
    Partition(usize, PartitionStrategy),
}

/// Separates one family of cuts over all neurons of a model: the most violated inequality per neuron, the most
/// efficacious first, at most `max_cuts` per round.
#[derive(Debug, Clone)]
pub struct NeuronSeparator {
    neurons: Vec<CutNeuron>,
    family: CutFamily,
    /// When a cut counts as violated.
    pub tolerance: SeparationTolerance,
    /// Cuts returned per round at most.
    pub max_cuts: usize,
}

impl NeuronSeparator {
    /// A separator of `family` over `neurons`.
    pub fn new(neurons: Vec<CutNeuron>, family: CutFamily, max_cuts: usize) -> Self {
        NeuronSeparator {
            neurons,
            family,
            tolerance: SeparationTolerance::default(),
            max_cuts,
        }
    }

    /// The family separated.
    pub fn family(&self) -> CutFamily {
        self.family
    }

    /// The neurons separated over.
    pub fn neurons(&self) -> &[CutNeuron] {
        &self.neurons
    }

    /// Cuts violated by the LP point `x`, with their efficacy, most efficacious first, at most `max_cuts`; the
    /// input boxes are read from `col_lower`/`col_upper`, so the cuts are valid wherever those bounds are.
    pub fn separate_point(&self, x: &[f64], col_lower: &[f64], col_upper: &[f64]) -> Vec<(RowSpec, f64)> {
        let mut cuts: Vec<(RowSpec, f64)> = self
            .neurons
            .iter()
            .filter(|n| n.is_fractional(x))
            .filter_map(|n| self.separate_neuron(n, x, col_lower, col_upper))
            .collect();
        cuts.sort_by(|a, b| b.1.total_cmp(&a.1));
        cuts.truncate(self.max_cuts);
        cuts
    }

    /// Cuts for a tree node: for each neuron with a fractional binary, a global cut over its input box in
    /// `global` (bounds valid for the whole model), or, when `local` gives node bounds that tighten the
    /// neuron's input box, a local cut over that tighter box (flagged `true`; valid only where the node bounds
    /// hold). Most efficacious first, at most `max_cuts`.
    pub fn separate_node(
        &self,
        x: &[f64],
        global: (&[f64], &[f64]),
        local: Option<(&[f64], &[f64])>,
    ) -> Vec<(RowSpec, f64, bool)> {
        let mut cuts = Vec::new();
        for neuron in self.neurons.iter().filter(|n| n.is_fractional(x)) {
            let tighter = local.filter(|(lo, hi)| {
                neuron
                    .input_cols
                    .iter()
                    .any(|&c| lo[c] > global.0[c] || hi[c] < global.1[c])
            });
            let cut = match tighter {
                Some((lo, hi)) => self.separate_neuron(neuron, x, lo, hi).map(|(r, e)| (r, e, true)),
                None => self
                    .separate_neuron(neuron, x, global.0, global.1)
                    .map(|(r, e)| (r, e, false)),
            };
            cuts.extend(cut);
        }
        cuts.sort_by(|a, b| b.1.total_cmp(&a.1));
        cuts.truncate(self.max_cuts);
        cuts
    }

    /// The most violated cut of one neuron at `x` over the input box read from the given column bounds.
    fn separate_neuron(
        &self,
        neuron: &CutNeuron,
        x: &[f64],
        col_lower: &[f64],
        col_upper: &[f64],
    ) -> Option<(RowSpec, f64)> {
        let (lower, upper) = neuron.input_box(col_lower, col_upper);
        let view = NeuronView {
            weights: &neuron.weights,
            bias: neuron.bias,
            input_lower: &lower,
            input_upper: &upper,
        };
        let xs: Vec<f64> = neuron.input_cols.iter().map(|&c| x[c]).collect();
        let (y, z) = (x[neuron.y_col], x[neuron.z_col]);
        let cut = match self.family {
            CutFamily::Ideal => separate_ideal(&view, &xs, y, z, &self.tolerance),
            CutFamily::Partition(groups, strategy) => {
                let parts = partition_inputs(&view, groups, strategy);
                separate_partition(&view, &parts, &xs, y, z, &self.tolerance)
            }
        }?;
        let efficacy = cut.efficacy();
        Some((
            cut.to_row(&neuron.input_cols, neuron.y_col, neuron.z_col),
            efficacy,
        ))
    }
}

/// What [`add_partition_formulation`] added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartitionSummary {
    /// Neurons encoded with a P-split formulation.
    pub neurons: usize,
    /// Columns added.
    pub cols: usize,
    /// Rows added.
    pub rows: usize,
}

/// Adds the P-split formulation with `groups` groups of every neuron in `neurons` to `builder`, with input boxes
/// from the given (root) column bounds, beside the rows already there. Neurons stable over their box, or whose
/// inputs have infinite bounds, are left as they are.
pub fn add_partition_formulation<B: ModelBuilder + ?Sized>(
    builder: &mut B,
    neurons: &[CutNeuron],
    col_lower: &[f64],
    col_upper: &[f64],
    groups: usize,
    strategy: PartitionStrategy,
) -> PartitionSummary {
    let mut summary = PartitionSummary::default();
    for neuron in neurons {
        let (lower, upper) = neuron.input_box(col_lower, col_upper);
        let view = NeuronView {
            weights: &neuron.weights,
            bias: neuron.bias,
            input_lower: &lower,
            input_upper: &upper,
        };
        let parts = partition_inputs(&view, groups, strategy);
        let spec = PsplitNeuron {
            view,
            input_cols: &neuron.input_cols,
            y_col: neuron.y_col,
            z_col: neuron.z_col,
            name: &neuron.name,
        };
        if let Some(PsplitColumns {
            inactive,
            active,
            rows,
        }) = add_psplit(builder, &spec, &parts)
        {
            summary.neurons += 1;
            summary.cols += inactive.len() + active.len();
            summary.rows += rows.len();
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lp::LpProblem;

    /// Columns x0, x1 in [0, 1], y, z; y = max(0, x0 + x1 - 1).
    fn neuron() -> CutNeuron {
        CutNeuron {
            input_cols: vec![0, 1],
            weights: vec![1.0, 1.0],
            bias: -1.0,
            y_col: 2,
            z_col: 3,
            name: "0_0".into(),
        }
    }

    #[test]
    fn only_fractional_binaries_are_separated() {
        let sep = NeuronSeparator::new(vec![neuron()], CutFamily::Ideal, 10);
        let (lower, upper) = (vec![0.0, 0.0, 0.0, 0.0], vec![1.0, 1.0, 1.0, 1.0]);
        assert_eq!(sep.separate_point(&[1.0, 0.0, 0.5, 0.5], &lower, &upper).len(), 1);
        assert!(sep
            .separate_point(&[1.0, 0.0, 0.5, 1.0], &lower, &upper)
            .is_empty());
        let sep = NeuronSeparator::new(
            vec![neuron()],
            CutFamily::Partition(1, PartitionStrategy::EqualSize),
            10,
        );
        // One group is big-M, which this point satisfies.
        assert!(sep
            .separate_point(&[1.0, 0.0, 0.5, 0.5], &lower, &upper)
            .is_empty());
    }

    #[test]
    fn partition_formulation_is_added_per_unstable_neuron() {
        let mut lp = LpProblem::default();
        for name in ["x0", "x1", "y", "z"] {
            lp.add_col(0.0, 0.0, 1.0, name);
        }
        let (lower, upper) = (lp.col_lower.clone(), lp.col_upper.clone());
        let summary = add_partition_formulation(
            &mut lp,
            &[neuron()],
            &lower,
            &upper,
            2,
            PartitionStrategy::EqualSize,
        );
        assert_eq!(
            summary,
            PartitionSummary {
                neurons: 1,
                cols: 4,
                rows: 12
            }
        );
        assert_eq!(lp.num_cols(), 8);
    }
}
