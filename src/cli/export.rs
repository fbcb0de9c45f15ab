//! `relumip export`.

use super::common::*;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `relumip export`.
#[derive(Args, Debug)]
#[command(after_help = "Example:\n  relumip export instances/mnist-15-15-maximize.toml -o model.mps")]
pub struct ExportArgs {
    /// An instance file, or a network followed by a VNN-LIB file.
    #[arg(required = true, num_args = 1..=2)]
    pub inputs: Vec<PathBuf>,
    /// Where to write the model.
    #[arg(short, long)]
    pub output: PathBuf,
    #[command(flatten)]
    pub domain: DomainFlags,
    #[command(flatten)]
    pub solver: SolverFlags,
}

/// Runs `relumip export`.
pub fn run(_args: ExportArgs) -> anyhow::Result<ExitCode> {
    super::not_yet_implemented("export")
}
