//! Flag groups shared by several commands (CLI.md: common, domain and solver flags).
#![allow(dead_code)]

use clap::Args;
use std::path::PathBuf;

/// Limits, logging and output flags shared by every solving command.
#[derive(Args, Debug, Clone)]
pub struct CommonFlags {
    /// Wall-clock time limit in seconds.
    #[arg(long, value_name = "SECONDS")]
    pub time_limit: Option<f64>,
    /// Number of threads.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Maximum number of branch-and-bound nodes.
    #[arg(long, value_name = "N")]
    pub node_limit: Option<u64>,
    /// Relative optimality gap at which to stop.
    #[arg(long, value_name = "G")]
    pub gap_rel: Option<f64>,
    /// Absolute optimality gap at which to stop.
    #[arg(long, value_name = "G")]
    pub gap_abs: Option<f64>,
    /// Random seed (heuristics).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Print no log.
    #[arg(long)]
    pub quiet: bool,
    /// Also write the log to this file.
    #[arg(long, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// Write the result as JSON ('-' = standard output; the log then goes to standard error).
    #[arg(long, value_name = "PATH")]
    pub json: Option<String>,
}

/// The input domain, as in the instance file's `[domain]`.
#[derive(Args, Debug, Clone, Default)]
pub struct DomainFlags {
    /// Lower bound: a number for every feature, or a CSV file with one row.
    #[arg(long, value_name = "V|FILE", allow_hyphen_values = true)]
    pub lower: Option<String>,
    /// Upper bound: a number for every feature, or a CSV file with one row.
    #[arg(long, value_name = "V|FILE", allow_hyphen_values = true)]
    pub upper: Option<String>,
    /// A reference input (CSV, one input per row).
    #[arg(long, value_name = "FILE")]
    pub center: Option<PathBuf>,
    /// Which row of the reference CSV (0-based).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub row: usize,
    /// The first CSV column is a class label and is skipped.
    #[arg(long)]
    pub label_first: bool,
    /// Radius of an L-infinity ball around the centre.
    #[arg(long, value_name = "E")]
    pub linf: Option<f64>,
    /// Radius of an L1 ball around the centre.
    #[arg(long, value_name = "E")]
    pub l1: Option<f64>,
    /// All features take integer values.
    #[arg(long)]
    pub integer: bool,
}

impl DomainFlags {
    /// The domain these flags describe, in the form the instance file's `[domain]` also takes
    /// (`--lower`/`--upper`: a number, comma-separated numbers, or a CSV file; `--integer`: every feature).
    /// Resolve it with `DomainSpec::resolve(n, default_box, Path::new(""))`: paths are as the user typed them.
    pub fn to_domain_spec(&self) -> relumip::spec::DomainSpec {
        use relumip::spec::{BoundSpec, DomainSpec, IntegerSpec};
        DomainSpec {
            lower: self.lower.as_deref().map(BoundSpec::from_flag),
            upper: self.upper.as_deref().map(BoundSpec::from_flag),
            center: self.center.clone(),
            row: self.row,
            label_first: self.label_first,
            linf: self.linf,
            l1: self.l1,
            neighbourhood: None,
            integer: self.integer.then_some(IntegerSpec::All(true)),
        }
    }
}

/// Formulation, cuts and bound method, as in the instance file's `[solver]`.
#[derive(Args, Debug, Clone, Default)]
pub struct SolverFlags {
    /// ReLU formulation: bigm or partition:N.
    #[arg(long, value_name = "F")]
    pub formulation: Option<String>,
    /// Cut families: ideal,partition or none.
    #[arg(long, value_name = "LIST")]
    pub cuts: Option<String>,
    /// Bound method at the root: naive, interval, symbolic, lp or milp.
    #[arg(long, value_name = "M")]
    pub bounds: Option<String>,
    /// Cuts in the tree: off (root only), global (default) or local.
    #[arg(long, value_name = "MODE")]
    pub cut_tree: Option<String>,
}

/// How a smallest-distance task (`adversarial` L1/L∞, `compare --mode mineps`) searches.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchMethod {
    /// One MILP that minimises the distance.
    #[default]
    Milp,
    /// Verification questions over balls of doubling, then bisected, radius (tighter neuron bounds).
    Radius,
    /// The faster where it applies: radius search for L∞ (`adversarial` without per-feature budgets or integer
    /// features, and `compare --mode mineps`), one MILP otherwise.
    Auto,
}
