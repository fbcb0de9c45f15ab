//! `relumip compare`.

use super::common::*;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `relumip compare`.
#[derive(Args, Debug)]
#[command(after_help = "Example:\n  relumip compare mnist-32-16.onnx pruned.onnx --mode maxdiff --norm linf")]
pub struct CompareArgs {
    /// The first network.
    pub net_a: PathBuf,
    /// The second network.
    pub net_b: PathBuf,
    /// maxdiff, maxout, maxflip or mineps.
    #[arg(long)]
    pub mode: String,
    /// Output norm for maxdiff: l1 or linf.
    #[arg(long)]
    pub norm: Option<String>,
    /// Classes C1,C2 for maxout.
    #[arg(long)]
    pub classes: Option<String>,
    /// Reference input for mineps (CSV).
    #[arg(long)]
    pub reference: Option<PathBuf>,
    #[command(flatten)]
    pub common: CommonFlags,
    #[command(flatten)]
    pub domain: DomainFlags,
    #[command(flatten)]
    pub solver: SolverFlags,
}

/// Runs `relumip compare`.
pub fn run(_args: CompareArgs) -> anyhow::Result<ExitCode> {
    super::not_yet_implemented("compare")
}
