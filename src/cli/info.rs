//! `relumip info`.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `relumip info`.
#[derive(Args, Debug)]
#[command(after_help = "Example:\n  relumip info mnist-32-16.onnx")]
pub struct InfoArgs {
    /// The network (.onnx or .nnet).
    pub net: PathBuf,
}

/// Runs `relumip info`.
pub fn run(_args: InfoArgs) -> anyhow::Result<ExitCode> {
    super::not_yet_implemented("info")
}
