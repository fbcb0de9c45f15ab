//! `relumip bench`.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `relumip bench`.
#[derive(Args, Debug)]
#[command(after_help = "Example:\n  relumip bench instances/ --out results --time-limit 60")]
pub struct BenchArgs {
    /// The instance set: a folder of instance/MPS files or a VNN-COMP instances.csv.
    pub set: Option<PathBuf>,
    /// Output folder for results.csv and results.md.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Folder of Gurobi/HiGHS logs matched by instance name.
    #[arg(long)]
    pub peer_logs: Option<PathBuf>,
    /// Time limit per instance in seconds.
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Read one Gurobi or HiGHS log and print it as JSON.
    #[arg(long)]
    pub read_log: Option<PathBuf>,
}

/// Runs `relumip bench`.
pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    if let Some(log) = &args.read_log {
        let summary = relumip::io::peer_log::read_peer_log(log)?;
        relumip::io::report::write_json(&summary, "-")?;
        return Ok(ExitCode::SUCCESS);
    }
    super::not_yet_implemented("bench")
}
