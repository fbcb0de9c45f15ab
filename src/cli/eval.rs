//! `relumip eval`.

use clap::Args;
use relumip::error::Error;
use relumip::io::csv::read_csv_inputs;
use relumip::nn::load_network_with_box;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `relumip eval`.
#[derive(Args, Debug)]
#[command(
    after_help = "Prints one line of comma-separated outputs per input row (full f64 precision).\n\
A .nnet network takes normalised inputs and gives normalised outputs (as the ACAS Xu ONNX files do);\n\
with --raw it takes raw inputs, clips them into the header's box and scales the outputs back.\n\n\
Example:\n  relumip eval mnist-32-16.onnx --input sample.csv --label-first"
)]
pub struct EvalArgs {
    /// The network (.onnx or .nnet).
    pub net: PathBuf,
    /// Inputs (CSV, one input per row, no header).
    #[arg(long)]
    pub input: PathBuf,
    /// The first CSV column is a class label and is skipped.
    #[arg(long)]
    pub label_first: bool,
    /// For .nnet files: raw inputs and outputs, with the file's normalisation.
    #[arg(long)]
    pub raw: bool,
    /// Write {"outputs": [...]} as JSON ('-' = standard output; the lines then go to standard error).
    #[arg(long)]
    pub json: Option<String>,
}

/// Runs `relumip eval`.
pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let loaded = load_network_with_box(&args.net)?;
    let inputs = read_csv_inputs(&args.input, args.label_first)?;
    inputs.check_width(loaded.network.input_size())?;
    let outputs: Vec<Vec<f64>> = match (&loaded.nnet, args.raw) {
        (_, false) => inputs.rows.iter().map(|x| loaded.network.forward(x)).collect(),
        (Some(nnet), true) => inputs
            .rows
            .iter()
            .map(|x| nnet.scale_output(&nnet.normalised().forward(&nnet.normalise_input(x))))
            .collect(),
        (None, true) => {
            return Err(super::UsageError(format!(
                "{}: --raw applies to .nnet files only",
                args.net.display()
            ))
            .into())
        }
    };
    let text: String = outputs
        .iter()
        .map(|y| y.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",") + "\n")
        .collect();
    let json = || serde_json::json!({ "outputs": outputs }).to_string() + "\n";
    match args.json.as_deref() {
        Some("-") => {
            std::io::stderr().write_all(text.as_bytes())?;
            std::io::stdout().write_all(json().as_bytes())?;
        }
        Some(path) => {
            std::fs::write(path, json()).map_err(|e| Error::io(path, e))?;
            std::io::stdout().write_all(text.as_bytes())?;
        }
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}
