//! `relumip adversarial`.

use super::common::*;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `relumip adversarial`.
#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  relumip adversarial mnist-32-16.onnx --reference sample.csv --row 0 --label-first --target 8 --norm l1 --ratio 1.2"
)]
pub struct AdversarialArgs {
    /// The network (.onnx or .nnet).
    pub net: PathBuf,
    /// The reference input (CSV).
    #[arg(long)]
    pub reference: PathBuf,
    /// Which row of the reference CSV (0-based).
    #[arg(long, default_value_t = 0)]
    pub row: usize,
    /// The first CSV column is a class label and is skipped.
    #[arg(long)]
    pub label_first: bool,
    /// The source class (default: the network's choice at the reference).
    #[arg(long)]
    pub source: Option<usize>,
    /// The target class (omit: any class other than the source).
    #[arg(long)]
    pub target: Option<usize>,
    /// Distance norm: l1, linf, l0 or l2.
    #[arg(long, default_value = "l1")]
    pub norm: String,
    /// Additive margin: y_t >= y_j + M.
    #[arg(long)]
    pub margin: Option<f64>,
    /// Ratio margin: y_t >= R * y_j.
    #[arg(long)]
    pub ratio: Option<f64>,
    /// Largest change per feature.
    #[arg(long)]
    pub max_change: Option<f64>,
    /// Largest number of changed features.
    #[arg(long)]
    pub max_changed: Option<usize>,
    /// Smallest change of a changed feature (l0).
    #[arg(long)]
    pub min_change: Option<f64>,
    /// Write PNG images of reference, result and difference here (image-shaped inputs).
    #[arg(long, value_name = "DIR")]
    pub png_dir: Option<PathBuf>,
    /// Image shape HxW for PNG output.
    #[arg(long, value_name = "HxW")]
    pub image_shape: Option<String>,
    #[command(flatten)]
    pub common: CommonFlags,
    #[command(flatten)]
    pub domain: DomainFlags,
    #[command(flatten)]
    pub solver: SolverFlags,
}

/// Runs `relumip adversarial`.
pub fn run(_args: AdversarialArgs) -> anyhow::Result<ExitCode> {
    super::not_yet_implemented("adversarial")
}
