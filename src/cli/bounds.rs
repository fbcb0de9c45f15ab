//! `relumip bounds`.

use super::common::*;
use super::UsageError;
use clap::Args;
use relumip::bounds::{compute_bounds_timed, BoundMethod, BoundsOptions, BoundsRun};
use relumip::error::Error;
use relumip::nn::{load_network_with_box, Network};
use relumip::spec::InputDomain;
use std::io::Write;
use std::path::{Path, PathBuf};
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
    /// Time limit in seconds for one neuron's LP or MILP (lp and milp methods).
    #[arg(long, value_name = "SECONDS")]
    pub neuron_time_limit: Option<f64>,
    #[command(flatten)]
    pub common: CommonFlags,
    #[command(flatten)]
    pub domain: DomainFlags,
}

/// Runs `relumip bounds`.
pub fn run(args: BoundsArgs) -> anyhow::Result<ExitCode> {
    let method: BoundMethod = args.method.parse().map_err(UsageError)?;
    let loaded = load_network_with_box(&args.net)?;
    let net = loaded.network;
    let resolved = args
        .domain
        .to_domain_spec()
        .resolve(net.input_size(), loaded.input_box, Path::new(""))?;
    let options = BoundsOptions {
        threads: args.common.threads,
        time_limit: args.common.time_limit,
        neuron_time_limit: args.neuron_time_limit,
    };
    compute_and_report(
        &net,
        &resolved.domain,
        &resolved.note,
        method,
        &options,
        &args.common,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Computes the bounds and writes the table (unless quiet) and the JSON: shared by `relumip bounds` and
/// `relumip run` with `kind = "bounds"`.
pub(super) fn compute_and_report(
    net: &Network,
    domain: &InputDomain,
    described: &str,
    method: BoundMethod,
    options: &BoundsOptions,
    common: &CommonFlags,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let run = compute_bounds_timed(net, domain, method, options)?;
    let seconds = started.elapsed().as_secs_f64();
    let to_stdout = common.json.as_deref() == Some("-");
    if !common.quiet {
        let table = render_table(net, method, described, &run, seconds);
        if to_stdout {
            eprint!("{table}");
        } else {
            print!("{table}");
        }
    }
    if let Some(target) = &common.json {
        let json = render_json(method, &run, seconds);
        if target == "-" {
            println!("{json}");
        } else {
            let mut file = std::fs::File::create(target).map_err(|e| Error::io(target, e))?;
            writeln!(file, "{json}").map_err(|e| Error::io(target, e))?;
        }
    }
    Ok(())
}

/// The per-layer table.
fn render_table(net: &Network, method: BoundMethod, domain: &str, run: &BoundsRun, seconds: f64) -> String {
    let b = &run.bounds;
    let mut s = format!(
        "bounds: method {method}, {} inputs, domain {domain}\n{:>5} {:>7} {:>7} {:>8} {:>8} {:>12} {:>12} {:>9}\n",
        net.input_size(),
        "layer",
        "neurons",
        "active",
        "inactive",
        "unstable",
        "mean_width",
        "max_width",
        "time_s"
    );
    for k in 0..b.num_layers() {
        let kind = if net.layers()[k].has_relu() {
            ""
        } else {
            " (output)"
        };
        s += &format!(
            "{:>5} {:>7} {:>7} {:>8} {:>8} {:>12.6} {:>12.6} {:>9.4}{kind}\n",
            k,
            b.lower[k].len(),
            b.stable_active_in(k),
            b.stable_inactive_in(k),
            b.unstable_in(k),
            b.mean_width_in(k),
            b.max_width_in(k),
            run.layer_seconds.get(k).copied().unwrap_or(0.0),
        );
    }
    let unstable: usize = (0..b.num_layers())
        .filter(|&k| net.layers()[k].has_relu())
        .map(|k| b.unstable_in(k))
        .sum();
    s += &format!(
        "unstable ReLU neurons: {unstable} of {}; time {seconds:.4} s\n",
        net.relu_count()
    );
    s
}

/// `{"method": ..., "time_s": ..., "layers": [{"lower": [...], "upper": [...]}, ...]}`.
fn render_json(method: BoundMethod, run: &BoundsRun, seconds: f64) -> String {
    let layers: Vec<serde_json::Value> = run
        .bounds
        .lower
        .iter()
        .zip(&run.bounds.upper)
        .map(|(l, u)| serde_json::json!({ "lower": l, "upper": u }))
        .collect();
    serde_json::json!({
        "method": method.name(),
        "time_s": seconds,
        "layer_time_s": run.layer_seconds,
        "layers": layers,
    })
    .to_string()
}
