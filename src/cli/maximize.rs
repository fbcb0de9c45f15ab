//! `relumip maximize`.

use super::common::*;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `relumip maximize`.
#[derive(Args, Debug)]
#[command(after_help = "Example:\n  relumip maximize mnist-32-16.onnx --objective \"y3 - max_other\"")]
pub struct MaximizeArgs {
    /// The network (.onnx or .nnet).
    pub net: PathBuf,
    /// The objective: "y3", "y3 - y5" or "y3 - max_other".
    #[arg(long, allow_hyphen_values = true)]
    pub objective: String,
    #[command(flatten)]
    pub common: CommonFlags,
    #[command(flatten)]
    pub domain: DomainFlags,
    #[command(flatten)]
    pub solver: SolverFlags,
}

/// Runs `relumip maximize`.
pub fn run(_args: MaximizeArgs) -> anyhow::Result<ExitCode> {
    super::not_yet_implemented("maximize")
}
