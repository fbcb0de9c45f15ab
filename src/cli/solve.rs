//! `relumip solve`.

use super::common::*;
use clap::Args;
use relumip::bench::{solve_model, summary_lines, ModelSolveOptions};
use relumip::error::Error;
use relumip::io::mps::read_mps;
use relumip::log::Log;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

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
pub fn run(args: SolveArgs) -> anyhow::Result<ExitCode> {
    let common = &args.common;
    if common.threads == Some(0) {
        return Err(Error::Options("threads must be at least 1".into()).into());
    }
    let log = log_for(common)?;
    let model = read_mps(&args.model)?;
    let lp = &model.problem;
    log.line(&format!(
        "{}: {} rows, {} columns ({} integer), {} non-zeros",
        args.model.display(),
        lp.num_rows(),
        lp.num_cols(),
        model.num_integers(),
        lp.num_nonzeros()
    ));
    let interrupt = Arc::new(AtomicBool::new(false));
    let flag = interrupt.clone();
    // Only one handler per process; if one is already set, Ctrl-C keeps its default behaviour.
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    let options = ModelSolveOptions {
        time_limit: common.time_limit,
        node_limit: common.node_limit,
        gap_rel: common.gap_rel,
        gap_abs: common.gap_abs,
        interrupt: Some(interrupt),
        threads: common.threads,
    };
    let report = solve_model(&model, &options, &log)?;
    for line in summary_lines(&report) {
        log.line(&line);
    }
    if let Some(dest) = &common.json {
        report.write(dest)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The log the common flags ask for: standard output (standard error when the JSON goes to standard
/// output), nothing with `--quiet`, plus `--log-file`.
fn log_for(common: &CommonFlags) -> anyhow::Result<Log> {
    let mut log = if common.quiet {
        Log::quiet()
    } else if common.json.as_deref() == Some("-") {
        Log::stderr()
    } else {
        Log::stdout()
    };
    if let Some(path) = &common.log_file {
        let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
        log = log.with_sink(Box::new(file));
    }
    Ok(log)
}
