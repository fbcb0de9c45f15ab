//! `relumip solve`.

use super::common::*;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `relumip solve`.
#[derive(Args, Debug)]
#[command(after_help = "Example:\n  relumip solve afiro.mps --json -")]
pub struct SolveArgs {
    /// The model (MPS, fixed or free format).
    pub model: PathBuf,
    #[command(flatten)]
    pub common: CommonFlags,
}

/// Runs `relumip solve`.
pub fn run(_args: SolveArgs) -> anyhow::Result<ExitCode> {
    super::not_yet_implemented("solve")
}
