//! `relumip bounds`.

use super::common::*;
use super::UsageError;
use clap::Args;
use relumip::bounds::{compute_bounds_timed, BoundMethod, BoundsOptions, BoundsRun};
use relumip::error::Error;
use relumip::nn::Network;
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
    let net = load_network(&args.net)?;
    let (domain, described) = domain_from_flags(&args.domain, net.input_size())?;
    let options = BoundsOptions {
        threads: args.common.threads,
        time_limit: args.common.time_limit,
        neuron_time_limit: args.neuron_time_limit,
    };
    let started = std::time::Instant::now();
    let run = compute_bounds_timed(&net, &domain, method, &options)?;
    let seconds = started.elapsed().as_secs_f64();
    let to_stdout = args.common.json.as_deref() == Some("-");
    if !args.common.quiet {
        let table = render_table(&net, method, &described, &run, seconds);
        if to_stdout {
            eprint!("{table}");
        } else {
            print!("{table}");
        }
    }
    if let Some(target) = &args.common.json {
        let json = render_json(method, &run, seconds);
        if target == "-" {
            println!("{json}");
        } else {
            let mut file = std::fs::File::create(target).map_err(|e| Error::io(target, e))?;
            writeln!(file, "{json}").map_err(|e| Error::io(target, e))?;
        }
    }
    Ok(ExitCode::SUCCESS)
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

/// The network file. (Until the formats room's reader is on main, nothing can be read.)
fn load_network(path: &Path) -> relumip::error::Result<Network> {
    Err(Error::Unsupported(format!(
        "{}: reading networks is not available in this build yet",
        path.display()
    )))
}

/// The input domain from the flags (CLI.md): the box `--lower`/`--upper` (default [0, 1]), intersected with an
/// L∞ or L1 ball around `--center`; also returns a one-line description for the log.
fn domain_from_flags(flags: &DomainFlags, n: usize) -> relumip::error::Result<(InputDomain, String)> {
    let lower = match &flags.lower {
        Some(v) => vector_flag(v, n, "--lower")?,
        None => vec![0.0; n],
    };
    let upper = match &flags.upper {
        Some(v) => vector_flag(v, n, "--upper")?,
        None => vec![1.0; n],
    };
    let mut described = match (&flags.lower, &flags.upper) {
        (None, None) => "[0, 1] per input".to_string(),
        _ => "the given box".to_string(),
    };
    let mut domain = InputDomain::boxed(lower, upper)?;
    if flags.linf.is_some() || flags.l1.is_some() {
        let Some(path) = &flags.center else {
            return Err(Error::input(
                "command line",
                "--linf/--l1",
                "a ball needs --center FILE",
            ));
        };
        let center = csv_row(path, flags.row, flags.label_first, n)?;
        if let Some(eps) = flags.linf {
            domain = domain.intersect_linf(&center, eps)?;
            described += &format!(" ∩ L∞ ball {eps} around {} row {}", path.display(), flags.row);
        }
        if let Some(eps) = flags.l1 {
            domain = domain.intersect_l1(&center, eps)?;
            described += &format!(" ∩ L1 ball {eps} around {} row {}", path.display(), flags.row);
        }
    }
    if flags.integer {
        domain.integer = vec![true; n];
        described += ", integer";
    }
    Ok((domain, described))
}

/// A number for every feature, or a CSV file with one row.
fn vector_flag(value: &str, n: usize, flag: &str) -> relumip::error::Result<Vec<f64>> {
    if let Ok(v) = value.trim().parse::<f64>() {
        return Ok(vec![v; n]);
    }
    csv_row(Path::new(value), 0, false, n).map_err(|e| match e {
        Error::Io { .. } => Error::input(
            "command line",
            flag,
            format!("'{value}' is neither a number nor a readable file"),
        ),
        other => other,
    })
}

/// Row `row` (0-based, blank lines skipped) of a CSV file of numbers, without its label when `label_first`.
fn csv_row(path: &Path, row: usize, label_first: bool, n: usize) -> relumip::error::Result<Vec<f64>> {
    let text = relumip::error::read_text(path)?;
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let Some(&(line_no, line)) = lines.get(row) else {
        return Err(Error::input(
            path,
            format!("row {row}"),
            format!("the file has only {} rows", lines.len()),
        ));
    };
    let mut values = Vec::new();
    for (col, cell) in line.split(',').enumerate().skip(usize::from(label_first)) {
        let v: f64 = cell.trim().parse().map_err(|_| {
            Error::input(
                path,
                format!("line {}, column {}", line_no + 1, col + 1),
                format!("'{}' is not a number", cell.trim()),
            )
        })?;
        values.push(v);
    }
    if values.len() != n {
        return Err(Error::input(
            path,
            format!("line {}", line_no + 1),
            format!("{} values, the network has {n} inputs", values.len()),
        ));
    }
    Ok(values)
}
