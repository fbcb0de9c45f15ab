//! `relumip eval`.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `relumip eval`.
#[derive(Args, Debug)]
#[command(after_help = "Example:\n  relumip eval mnist-32-16.onnx --input sample.csv --label-first")]
pub struct EvalArgs {
    /// The network (.onnx or .nnet).
    pub net: PathBuf,
    /// Inputs (CSV, one input per row, no header).
    #[arg(long)]
    pub input: PathBuf,
    /// The first CSV column is a class label and is skipped.
    #[arg(long)]
    pub label_first: bool,
    /// Write {"outputs": [...]} as JSON ('-' = standard output).
    #[arg(long)]
    pub json: Option<String>,
}

/// Runs `relumip eval`.
pub fn run(_args: EvalArgs) -> anyhow::Result<ExitCode> {
    super::not_yet_implemented("eval")
}
