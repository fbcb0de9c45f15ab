//! `relumip prune`.

use super::UsageError;
use clap::Args;
use relumip::error::Error;
use relumip::io::csv::read_csv_inputs;
use relumip::nn::{load_network, write_onnx, Network};
use relumip::tasks::prune::{accuracy, prune, PruneRule};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `relumip prune`.
#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  relumip prune mnist-32-16.onnx -o pruned.onnx --percent 50 --data sample100.csv"
)]
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
    /// Data (CSV) to report accuracy before and after; without --labels the first column is the label.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Labels (CSV), one per data row; omit when the data has the label first.
    #[arg(long)]
    pub labels: Option<PathBuf>,
}

/// Runs `relumip prune`.
pub fn run(args: PruneArgs) -> anyhow::Result<ExitCode> {
    let rule = match (args.eps, args.percent) {
        (Some(eps), None) => PruneRule::Threshold(eps),
        (None, Some(p)) => PruneRule::Percent(p),
        _ => return Err(UsageError("prune: give exactly one of --eps and --percent".into()).into()),
    };
    if args.labels.is_some() && args.data.is_none() {
        return Err(UsageError("prune: --labels needs --data".into()).into());
    }
    let net = load_network(&args.net)?;
    let data = match &args.data {
        Some(path) => Some(read_data(path, args.labels.as_deref(), net.input_size())?),
        None => None,
    };
    let (pruned, report) = prune(&net, rule)?;
    let precision = write_onnx(&pruned, &args.output)?;
    println!(
        "{:>5} {:>9} {:>9} {:>11}",
        "layer", "weights", "pruned", "zero_share"
    );
    for (k, l) in report.layers.iter().enumerate() {
        println!(
            "{k:>5} {:>9} {:>9} {:>10.2}%",
            l.weights,
            l.pruned,
            100.0 * l.zero_share()
        );
    }
    println!(
        "total {:>9} {:>9} {:>10.2}%",
        report.total_weights(),
        report.total_pruned(),
        100.0 * report.total_pruned() as f64 / report.total_weights().max(1) as f64
    );
    if let Some((inputs, labels)) = &data {
        let show = |n: &Network| {
            accuracy(n, inputs, labels).map_or("-".to_string(), |a| format!("{:.2}%", 100.0 * a))
        };
        println!(
            "accuracy on {} rows: before {}, after {}",
            inputs.len(),
            show(&net),
            show(&pruned)
        );
    }
    println!("wrote {} ({precision:?})", args.output.display());
    Ok(ExitCode::SUCCESS)
}

/// Inputs and labels: labels from their own file (one per row) or from the data's first column.
fn read_data(
    data: &Path,
    labels: Option<&Path>,
    n: usize,
) -> relumip::error::Result<(Vec<Vec<f64>>, Vec<usize>)> {
    match labels {
        None => {
            let csv = read_csv_inputs(data, true)?;
            csv.check_width(n)?;
            let labels = csv.labels.clone().unwrap_or_default();
            Ok((csv.rows, labels))
        }
        Some(label_path) => {
            let csv = read_csv_inputs(data, false)?;
            csv.check_width(n)?;
            let raw = read_csv_inputs(label_path, false)?;
            raw.check_width(1)?;
            let mut out = Vec::with_capacity(raw.rows.len());
            for (i, row) in raw.rows.iter().enumerate() {
                let v = row[0];
                if v < 0.0 || v.fract() != 0.0 || v > usize::MAX as f64 {
                    return Err(Error::input(
                        label_path,
                        format!("line {}", raw.lines[i]),
                        format!("label {v} is not a class number"),
                    ));
                }
                out.push(v as usize);
            }
            if out.len() != csv.rows.len() {
                return Err(Error::input(
                    label_path,
                    "whole file",
                    format!("{} labels for {} data rows", out.len(), csv.rows.len()),
                ));
            }
            Ok((csv.rows, out))
        }
    }
}
