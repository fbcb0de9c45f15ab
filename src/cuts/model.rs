//! The cut families and the partition formulation plugged into a [`ReluModel`] and the tree search.

use super::partition::{ModelBuilder, PartitionStrategy};
use super::separators::{add_partition_formulation, CutFamily, CutNeuron, NeuronSeparator, PartitionSummary};
use crate::lp::RowSpec;
use crate::mip::{NodeView, Separator, TreeCut};
use crate::options::CutTree;
use crate::relu::ReluModel;

/// Every unstable neuron of the model with its input columns (stable-inactive inputs, constant 0, are left
/// out; zero weights too).
pub fn cut_neurons(model: &ReluModel) -> Vec<CutNeuron> {
    let mut out = Vec::new();
    for (k, layer) in model.neurons.iter().enumerate() {
        let weights = &model.network.layers()[k];
        let prev: Vec<Option<usize>> = if k == 0 {
            model.input_cols.iter().map(|&c| Some(c)).collect()
        } else {
            model.neurons[k - 1].iter().map(|n| n.value).collect()
        };
        for (j, neuron) in layer.iter().enumerate() {
            let (Some(y_col), Some(z_col)) = (neuron.value, neuron.binary) else {
                continue;
            };
            let (input_cols, ws): (Vec<usize>, Vec<f64>) = weights
                .row(j)
                .iter()
                .zip(&prev)
                .filter_map(|(&w, &c)| c.filter(|_| w != 0.0).map(|c| (c, w)))
                .unzip();
            out.push(CutNeuron {
                input_cols,
                weights: ws,
                bias: weights.bias()[j],
                y_col,
                z_col,
                name: format!("{}_{j}", k + 1),
            });
        }
    }
    out
}

impl ModelBuilder for ReluModel {
    fn add_col(&mut self, lower: f64, upper: f64, name: String) -> usize {
        self.add_column(0.0, lower, upper, false, name)
    }
    fn add_row(&mut self, lower: f64, upper: f64, coeffs: Vec<(usize, f64)>, name: String) -> usize {
        ReluModel::add_row(self, lower, upper, coeffs, name)
    }
}

/// The `formulation = "partition:N"` hook: adds the P-split formulation with `groups` groups of every
/// unstable neuron beside its big-M rows, with input boxes from the model's root column bounds. Call it right
/// after building the model, before a task adds its columns and rows; the new columns sit after the network's
/// and [`ReluModel::complete`] fills them in for candidate points.
pub fn add_partition_formulation_to_model(
    model: &mut ReluModel,
    groups: usize,
    strategy: PartitionStrategy,
) -> PartitionSummary {
    let neurons = cut_neurons(model);
    let (lower, upper) = (model.mip.lp.col_lower.clone(), model.mip.lp.col_upper.clone());
    let summary = add_partition_formulation(model, &neurons, &lower, &upper, groups, strategy);
    model.mip.integer.resize(model.mip.lp.num_cols(), false);
    summary
}

/// When a [`NeuronSeparator`] also runs below the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeSchedule {
    /// Deepest node depth separated at (0: root only).
    pub max_depth: u32,
    /// Separate at one node in this many (by the count of explored nodes).
    pub every: u64,
    /// Below the root, cut neurons whose input box the node tightened over the node's box (local cuts).
    pub local: bool,
}

impl Default for TreeSchedule {
    fn default() -> Self {
        TreeSchedule {
            max_depth: 0,
            every: 1,
            local: false,
        }
    }
}

impl TreeSchedule {
    /// The schedule of a tree cut mode: at every node, or at the root only.
    pub fn from_mode(mode: CutTree) -> Self {
        match mode {
            CutTree::Off => TreeSchedule::default(),
            CutTree::Global | CutTree::Local => TreeSchedule {
                max_depth: u32::MAX,
                every: 1,
                local: mode == CutTree::Local,
            },
        }
    }
}

/// A cut family as a search plug-in. At the root the cuts use the node's (propagated) column bounds, which
/// hold for every feasible point; the separator keeps them, and below the root its global cuts use them (the
/// tightest bounds valid everywhere) while its local cuts use the node's own (propagated) bounds.
pub struct NeuronCuts {
    inner: NeuronSeparator,
    name: String,
    schedule: TreeSchedule,
    /// The root node's column bounds, once seen.
    root_bounds: Option<(Vec<f64>, Vec<f64>)>,
}

impl NeuronCuts {
    /// Ideal cuts (Anderson et al.) over every unstable neuron of `model`, at most `max_cuts` per round.
    pub fn ideal(model: &ReluModel, max_cuts: usize) -> Self {
        NeuronCuts {
            inner: NeuronSeparator::new(cut_neurons(model), CutFamily::Ideal, max_cuts),
            name: "ideal cuts".into(),
            schedule: TreeSchedule::default(),
            root_bounds: None,
        }
    }

    /// Partition cuts (the P-split projection, Tsay et al.) with `groups` groups.
    pub fn partition(model: &ReluModel, groups: usize, strategy: PartitionStrategy, max_cuts: usize) -> Self {
        NeuronCuts {
            inner: NeuronSeparator::new(
                cut_neurons(model),
                CutFamily::Partition(groups, strategy),
                max_cuts,
            ),
            name: format!("partition:{groups} cuts"),
            schedule: TreeSchedule::default(),
            root_bounds: None,
        }
    }

    /// Also separates below the root on this schedule.
    pub fn with_tree_schedule(mut self, schedule: TreeSchedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// Also separates below the root as the tree cut mode says.
    pub fn with_tree(self, mode: CutTree) -> Self {
        self.with_tree_schedule(TreeSchedule::from_mode(mode))
    }

    /// Column bounds valid for the whole model: the root node's when seen, else the model's.
    fn global_bounds<'a>(&'a self, view: &NodeView<'a>) -> (&'a [f64], &'a [f64]) {
        match &self.root_bounds {
            Some((lo, hi)) if lo.len() == view.col_lower.len() => (lo, hi),
            _ => (&view.problem.lp.col_lower, &view.problem.lp.col_upper),
        }
    }
}

impl Separator for NeuronCuts {
    fn name(&self) -> &str {
        &self.name
    }

    fn separate(&mut self, view: &NodeView) -> Vec<RowSpec> {
        if view.x.is_empty() {
            return Vec::new();
        }
        if view.depth == 0 {
            self.root_bounds = Some((view.col_lower.to_vec(), view.col_upper.to_vec()));
        }
        let (lower, upper) = self.global_bounds(view);
        self.inner
            .separate_point(view.x, lower, upper)
            .into_iter()
            .map(|(row, _)| row)
            .collect()
    }

    fn in_tree(&self, view: &NodeView) -> bool {
        view.depth <= self.schedule.max_depth && view.explored.is_multiple_of(self.schedule.every.max(1))
    }

    fn separate_tree(&mut self, view: &NodeView, allow_local: bool) -> Vec<TreeCut> {
        if view.x.is_empty() {
            return Vec::new();
        }
        let global = self.global_bounds(view);
        let local = (allow_local && self.schedule.local).then_some((view.col_lower, view.col_upper));
        self.inner
            .separate_node(view.x, global, local)
            .into_iter()
            .map(|(row, efficacy, local)| TreeCut { row, efficacy, local })
            .collect()
    }
}
