//! The generic branch-and-bound tree search over the LP engine.
//!
//! A [`Search`] processes [`Node`]s (bound changes relative to the root, a warm-start basis, a bound) in
//! the order a [`NodeSelector`] picks, and calls the plug-ins a model supplies: [`Propagator`]s before
//! the LP, [`Separator`]s at the root and, where they ask, in the tree (`tree_cuts`), [`Heuristic`]s, and a [`BranchRule`]. Every candidate solution
//! passes the [`Incumbent`] checkpoint. Knows nothing of neurons.

mod branching;
mod cut_pool;
mod diving;
mod incumbent;
mod local_rows;
mod node;
mod plugins;
mod problem;
mod queue;
mod result;
mod row_propagation;
mod search;
mod tree_cuts;

pub use branching::{fractional_columns, split_column, MostFractional, Pseudocost};
pub use cut_pool::{CutLimits, CutPool};
pub use diving::{Diving, Locks};
pub use incumbent::{CandidateCheck, Incumbent, IncumbentRecord};
pub use local_rows::{LocalRow, LocalRows};
pub use node::{BoundChange, Node};
pub use plugins::{
    BranchRule, Child, Heuristic, NodeView, Propagation, Propagator, Separator, SharedBranchRule, TreeCut,
};
pub use problem::{MipProblem, FEASIBILITY_TOL, INTEGRALITY_TOL};
pub use queue::{BestBound, BestBoundDiving, DepthFirst, NodeQueue, NodeSelector};
pub use result::{relative_gap, MipResult, MipStats, MipStatus};
pub use row_propagation::RowPropagator;
pub use search::{solve_mip, MipOptions, PluginFactory, Plugins, Search};
pub use tree_cuts::{remove_rows_everywhere, NodeLp, TreeCutLimits, TreeCutStats, TreeCuts};
