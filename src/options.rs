//! Typed options with defaults and validation: what the command line's solver flags and an instance
//! file's `[solver]` table map onto.

use crate::bounds::BoundMethod;
use crate::error::{Error, Result};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// How each unstable ReLU is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Formulation {
    /// One binary with big-M rows on the best known bounds.
    #[default]
    BigM,
    /// The P-split partition formulation with this many groups (Tsay et al. 2021).
    Partition(usize),
}

impl std::str::FromStr for Formulation {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        if s == "bigm" {
            return Ok(Formulation::BigM);
        }
        if let Some(n) = s.strip_prefix("partition:") {
            return match n.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(Formulation::Partition(n)),
                _ => Err(Error::Options(format!(
                    "formulation '{s}': partition:N needs N >= 1"
                ))),
            };
        }
        Err(Error::Options(format!(
            "unknown formulation '{s}' (expected bigm or partition:N)"
        )))
    }
}

/// A family of cuts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutKind {
    /// Ideal single-neuron cuts (Anderson et al. 2020).
    Ideal,
    /// Cuts from the partition formulation.
    Partition,
}

/// Parses `"ideal,partition"` or `"none"`.
pub fn parse_cuts(s: &str) -> Result<Vec<CutKind>> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part {
            "none" => {}
            "ideal" => out.push(CutKind::Ideal),
            "partition" => out.push(CutKind::Partition),
            other => {
                return Err(Error::Options(format!(
                    "unknown cut family '{other}' (expected ideal, partition or none)"
                )))
            }
        }
    }
    Ok(out)
}

/// Where cuts are separated below the root (issue 6; the root always separates when cut families are on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CutTree {
    /// At the root only.
    Off,
    /// Also at tree nodes, as global cuts (input boxes from the root's bounds, valid everywhere): the default,
    /// which won most often in the cut benchmark (`examples/cut_table.rs`, README).
    #[default]
    Global,
    /// Also at tree nodes, as local cuts from the node's tightened bounds where they differ from the root's
    /// (valid in the node's subtree, used for the node's own re-solve only) and global cuts elsewhere.
    Local,
}

impl std::str::FromStr for CutTree {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "off" | "root" => Ok(CutTree::Off),
            "global" => Ok(CutTree::Global),
            "local" => Ok(CutTree::Local),
            other => Err(Error::Options(format!(
                "unknown tree cut mode '{other}' (expected off, global or local)"
            ))),
        }
    }
}

/// Which branching rule a ReLU model uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Branching {
    /// Input splits for networks with few inputs, activation splits (BaBSR-like score) otherwise.
    #[default]
    Auto,
    /// Activation splits scored BaBSR-like.
    Babsr,
    /// Activation splits scored by the LP point's distance from the ReLU graph.
    Violation,
    /// Input splits only (activation splits when no input range is left to split).
    Input,
    /// Generic pseudo-cost branching on fractional binaries.
    Pseudocost,
}

impl std::str::FromStr for Branching {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "auto" => Ok(Branching::Auto),
            "babsr" => Ok(Branching::Babsr),
            "violation" => Ok(Branching::Violation),
            "input" => Ok(Branching::Input),
            "pseudocost" => Ok(Branching::Pseudocost),
            other => Err(Error::Options(format!(
                "unknown branching '{other}' (expected auto, babsr, violation, input or pseudocost)"
            ))),
        }
    }
}

/// Every option of a solve, with defaults.
#[derive(Debug, Clone)]
pub struct SolverOptions {
    /// Wall-clock limit in seconds.
    pub time_limit: Option<f64>,
    /// Threads: 1 (the default) runs the sequential, deterministic tree search; N > 1 runs N workers over
    /// one shared node queue after the root (same optimum within the gaps, node counts vary from run to
    /// run) and also parallelises the bound computations.
    pub threads: usize,
    /// `verify`'s activation-split search uses β-CROWN on networks with at least this many ReLU neurons and
    /// the former CROWN search (then the MILP) on smaller ones (default
    /// [`crate::tasks::verify::BETA_MIN_RELU_NEURONS`]; see there why).
    pub beta_crown_min_relu_neurons: usize,
    /// Node limit.
    pub node_limit: Option<u64>,
    /// Relative gap (default 1e-4).
    pub gap_rel: f64,
    /// Absolute gap (default 1e-6).
    pub gap_abs: f64,
    /// Seed of the randomised heuristics.
    pub seed: u64,
    /// Bound method at the root.
    pub bounds: BoundMethod,
    /// When true (the default) and `bounds` is the default symbolic method, the model is built on LP bounds
    /// instead wherever their predicted cost is small (see `solver::root_bound_method`): tighter big-M
    /// coefficients, on mnist-32-16 maximize y0 a 20 s gap of 35% against 14.5%. The command line clears it
    /// when the user names `--bounds`.
    pub auto_bounds: bool,
    /// ReLU formulation.
    pub formulation: Formulation,
    /// Cut families (default: ideal cuts, which won most often in the cut benchmark, issue 6).
    pub cuts: Vec<CutKind>,
    /// Whether the cut families also separate below the root.
    pub cut_tree: CutTree,
    /// Branching rule.
    pub branching: Branching,
    /// Propagate with symbolic bounds at every node (else interval arithmetic).
    pub node_symbolic: bool,
    /// Also tighten node bounds by CROWN back-substitution (costlier, tighter; the default: it wins on
    /// ACAS Xu, 1_1 prop 3 unsat in 4.3 CPU-s against a time-out at 8 CPU-s without).
    pub node_crown: bool,
    /// Rebuild the big-M rows of each node's LP on the node's propagated pre-activation bounds (row
    /// coefficients changed in place for the node, see `mip::LocalRow`); else they keep the root's bounds.
    /// Off by default: on mnist-32-16 maximize (300-400 nodes, y0/y3/y7) it raised the LP iterations per node
    /// by 1.3-2x (a coefficient change breaks the warm start's dual feasibility) and ended with a worse bound
    /// at equal node counts (the branching choices change; e.g. y3: 118.7 against 113.3).
    pub node_big_m: bool,
    /// Verification first runs a bound-only branch-and-bound (CROWN/α-CROWN bounds, no LP at any node) on
    /// each disjunct and leaves to the MILP only what it cannot decide (with the `auto` branching only).
    pub bound_only_bab: bool,
    /// The open-node memory cap in MiB (the search turns depth-first near it).
    pub memory_cap_mib: usize,
    /// Seconds between progress lines.
    pub log_interval_s: f64,
    /// Raised by Ctrl-C.
    pub interrupt: Option<Arc<AtomicBool>>,
}

impl Default for SolverOptions {
    fn default() -> Self {
        SolverOptions {
            time_limit: None,
            threads: 1,
            beta_crown_min_relu_neurons: crate::tasks::verify::BETA_MIN_RELU_NEURONS,
            node_limit: None,
            gap_rel: 1e-4,
            gap_abs: 1e-6,
            seed: 0,
            bounds: BoundMethod::Symbolic,
            auto_bounds: true,
            formulation: Formulation::BigM,
            cuts: vec![CutKind::Ideal],
            cut_tree: CutTree::default(),
            branching: Branching::Auto,
            node_symbolic: true,
            node_crown: true,
            node_big_m: false,
            bound_only_bab: true,
            memory_cap_mib: 2048,
            log_interval_s: 5.0,
            interrupt: None,
        }
    }
}

impl SolverOptions {
    /// Checks ranges.
    pub fn validate(&self) -> Result<()> {
        if let Some(t) = self.time_limit {
            if t.is_nan() || t < 0.0 {
                return Err(Error::Options(format!("time limit must be >= 0, got {t}")));
            }
        }
        if self.threads == 0 {
            return Err(Error::Options("threads must be at least 1".into()));
        }
        if !(self.gap_rel >= 0.0 && self.gap_abs >= 0.0) {
            return Err(Error::Options("gaps must be >= 0".into()));
        }
        Ok(())
    }
}
