//! `relumip prune`.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `relumip prune`.
#[derive(Args, Debug)]
#[command(after_help = "Example:\n  relumip prune mnist-32-16.onnx -o pruned.onnx --percent 50")]
pub struct PruneArgs {
    /// The network (.onnx or .nnet).
    pub net: PathBuf,
    /// Where to write the pruned ONNX network.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Zero every weight with |w| <= eps.
    #[arg(long)]
    pub eps: Option<f64>,
    /// Zero this percentage of the smallest-magnitude weights.
    #[arg(long)]
    pub percent: Option<f64>,
    /// Data (CSV) to report accuracy before and after.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Labels (CSV), one per data row; omit when the data has the label first.
    #[arg(long)]
    pub labels: Option<PathBuf>,
}

/// Runs `relumip prune`.
pub fn run(_args: PruneArgs) -> anyhow::Result<ExitCode> {
    super::not_yet_implemented("prune")
}
