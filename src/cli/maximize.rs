//! `relumip maximize`.

use super::common::*;
use super::verify::{make_log, solver_options};
use clap::Args;
use relumip::io::report::{relative_gap, ResultReport};
use relumip::log::{fmt_value, Log};
use relumip::nn::load_network_with_box;
use relumip::spec::InputDomain;
use relumip::tasks::maximize::{maximize, MaximizeObjective};
use relumip::tasks::outcome::TaskResult;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `relumip maximize`.
#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  relumip maximize mnist-32-16.onnx --objective \"y3 - max_other\" --png-dir out"
)]
pub struct MaximizeArgs {
    /// The network (.onnx or .nnet).
    pub net: PathBuf,
    /// The objective: "y3", "y3 - y5" or "y3 - max_other".
    #[arg(long, allow_hyphen_values = true)]
    pub objective: String,
    /// Write a PNG picture of the maximising input here (image-shaped inputs).
    #[arg(long, value_name = "DIR")]
    pub png_dir: Option<PathBuf>,
    /// Image shape HxW for PNG output (default: 28x28 for 784 inputs, 8x8 for 64).
    #[arg(long, value_name = "HxW")]
    pub image_shape: Option<String>,
    #[command(flatten)]
    pub common: CommonFlags,
    #[command(flatten)]
    pub domain: DomainFlags,
    #[command(flatten)]
    pub solver: SolverFlags,
}

/// The result JSON of CLI.md for a task result (objective and bound in the user's sense).
pub(super) fn task_report(command: &str, r: &TaskResult) -> ResultReport {
    ResultReport::from_task(command, r)
}

/// The human summary lines shared by the tasks.
pub(super) fn log_summary(log: &Log, r: &TaskResult) {
    let opt = |v: Option<f64>| v.map_or("-".to_string(), fmt_value);
    log.line(&format!(
        "Result: {}  objective {}  bound {}  gap {}  in {} ({} nodes, {} LP iterations)",
        r.status,
        opt(r.objective),
        opt(r.bound),
        relative_gap(r.objective, r.bound).map_or("-".into(), |g| format!("{:.2}%", 100.0 * g)),
        log.time(r.time_s),
        r.nodes,
        r.lp_iterations
    ));
    if let Some(y) = &r.output {
        let shown: Vec<String> = y.iter().map(|v| format!("{v:.4}")).collect();
        log.line(&format!("Output at the reported input: [{}]", shown.join(", ")));
    }
}

/// Writes PNG pictures when asked for (or silently skips non-image inputs when no shape was given).
pub(super) fn write_pngs(
    log: &Log,
    dir: Option<&Path>,
    shape: Option<&str>,
    domain: &InputDomain,
    reference: Option<&[f64]>,
    result: Option<&[f64]>,
) -> anyhow::Result<()> {
    let (Some(dir), Some(x)) = (dir, result) else {
        return Ok(());
    };
    let Some(hw) = relumip::io::png::image_shape(x.len(), shape)? else {
        log.line(&format!(
            "No PNG: {} features is not an image shape (give --image-shape HxW)",
            x.len()
        ));
        return Ok(());
    };
    let lo = domain
        .lower
        .iter()
        .cloned()
        .fold(f64::INFINITY, f64::min)
        .min(0.0);
    let hi = domain
        .upper
        .iter()
        .cloned()
        .fold(f64::NEG_INFINITY, f64::max)
        .max(lo + 1e-12);
    for p in relumip::io::png::write_comparison(dir, reference, x, hw, lo, hi)? {
        log.line(&format!("Wrote {}", p.display()));
    }
    Ok(())
}

/// The domain the flags give for a network file (its own box, if it states one, is the default).
pub(super) fn domain_for(
    net_path: &Path,
    n: usize,
    flags: &DomainFlags,
    log: &Log,
) -> anyhow::Result<InputDomain> {
    let loaded = load_network_with_box(net_path)?;
    let resolved = flags
        .to_domain_spec()
        .resolve(n, loaded.input_box, Path::new(""))?;
    log.line(&format!("Domain: {}", resolved.note));
    Ok(resolved.domain)
}

/// Runs `relumip maximize`.
pub fn run(args: MaximizeArgs) -> anyhow::Result<ExitCode> {
    let options = solver_options(&args.common, &args.solver)?;
    let log = make_log(&args.common)?;
    let net = relumip::nn::load_network(&args.net)?;
    let objective =
        MaximizeObjective::parse(&args.objective, net.output_size(), "command line", "--objective")?;
    log.line(&format!(
        "relumip maximize {} --objective \"{}\"",
        args.net.display(),
        args.objective
    ));
    let domain = domain_for(&args.net, net.input_size(), &args.domain, &log)?;
    let result = maximize(&net, &domain, &objective, &options, &log)?;
    log_summary(&log, &result);
    write_pngs(
        &log,
        args.png_dir.as_deref(),
        args.image_shape.as_deref(),
        &domain,
        None,
        result.input.as_deref(),
    )?;
    if let Some(dest) = &args.common.json {
        task_report("maximize", &result).write(dest)?;
    }
    Ok(ExitCode::SUCCESS)
}
