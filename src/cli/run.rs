//! `relumip run`.

use super::common::*;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `relumip run`.
#[derive(Args, Debug)]
#[command(after_help = "Example:\n  relumip run instances/mnist-15-15-maximize.toml")]
pub struct RunArgs {
    /// The instance file (TOML).
    pub instance: PathBuf,
    #[command(flatten)]
    pub common: CommonFlags,
    #[command(flatten)]
    pub solver: SolverFlags,
}

/// Runs `relumip run`.
pub fn run(_args: RunArgs) -> anyhow::Result<ExitCode> {
    super::not_yet_implemented("run")
}
