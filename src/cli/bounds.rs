//! `relumip bounds`.

use super::common::*;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `relumip bounds`.
#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  relumip bounds mnist-32-16.onnx --method symbolic --center sample.csv --label-first --linf 0.02"
)]
pub struct BoundsArgs {
    /// The network (.onnx or .nnet).
    pub net: PathBuf,
    /// naive, interval, symbolic, lp or milp.
    #[arg(long, default_value = "symbolic")]
    pub method: String,
    #[command(flatten)]
    pub common: CommonFlags,
    #[command(flatten)]
    pub domain: DomainFlags,
}

/// Runs `relumip bounds`.
pub fn run(_args: BoundsArgs) -> anyhow::Result<ExitCode> {
    super::not_yet_implemented("bounds")
}
