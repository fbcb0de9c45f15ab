//! `relumip verify`.

use super::common::*;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `relumip verify`.
#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  relumip verify net.onnx prop.vnnlib --time-limit 60 --vnncomp-out result.txt"
)]
pub struct VerifyArgs {
    /// The network (.onnx or .nnet).
    pub net: PathBuf,
    /// The VNN-LIB property (the unsafe set); omit and give --label for robustness over a domain.
    pub vnnlib: Option<PathBuf>,
    /// Robustness of this class over the domain.
    #[arg(long)]
    pub label: Option<usize>,
    /// Write the VNN-COMP result file here.
    #[arg(long, value_name = "PATH")]
    pub vnncomp_out: Option<PathBuf>,
    #[command(flatten)]
    pub common: CommonFlags,
    #[command(flatten)]
    pub domain: DomainFlags,
    #[command(flatten)]
    pub solver: SolverFlags,
}

/// Runs `relumip verify`.
pub fn run(_args: VerifyArgs) -> anyhow::Result<ExitCode> {
    super::not_yet_implemented("verify")
}
