//! `relumip info`.

use clap::Args;
use relumip::io::instance::read_instance;
use relumip::nn::{read_nnet, read_onnx_model, Network};
use relumip::spec::read_vnnlib;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `relumip info`.
#[derive(Args, Debug)]
#[command(
    after_help = "Also checks and describes a VNN-LIB property (.vnnlib) or an instance file (.toml).\n\n\
Examples:\n  relumip info mnist-32-16.onnx\n  relumip info prop_1.vnnlib\n  relumip info instance.toml"
)]
pub struct InfoArgs {
    /// The network (.onnx or .nnet), property (.vnnlib) or instance file (.toml).
    pub net: PathBuf,
}

/// Runs `relumip info`.
pub fn run(args: InfoArgs) -> anyhow::Result<ExitCode> {
    let ext = args
        .net
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let mut out = String::new();
    if ext == "vnnlib" {
        describe_property(&mut out, &args.net)?;
    } else if ext == "toml" {
        let inst = read_instance(&args.net)?;
        writeln!(out, "instance: {}", inst.file.display())?;
        writeln!(out, "network: {:?}", inst.network)?;
        writeln!(out, "domain: {:?}", inst.domain)?;
        writeln!(out, "task: {:?}", inst.task)?;
        writeln!(out, "solver: {:?}", inst.solver)?;
    } else if ext == "nnet" {
        let nnet = read_nnet(&args.net)?;
        describe(&mut out, &args.net, "nnet", nnet.normalised());
        let (lo, hi) = nnet.raw_box();
        let (mean, range) = (nnet.input_mean(), nnet.input_range());
        writeln!(
            out,
            "normalisation (inputs clipped to [min, max], then (x - mean) / range):"
        )?;
        writeln!(
            out,
            "  {:>5} {:>14} {:>14} {:>14} {:>14}",
            "input", "min", "max", "mean", "range"
        )?;
        for i in 0..lo.len() {
            writeln!(
                out,
                "  {i:>5} {:>14} {:>14} {:>14} {:>14}",
                lo[i], hi[i], mean[i], range[i]
            )?;
        }
        let (out_mean, out_range) = nnet.output_scaling();
        writeln!(out, "output scaling: y * {out_range} + {out_mean}")?;
        writeln!(
            out,
            "relumip reads this network without its normalisation (normalised inputs and outputs)"
        )?;
    } else {
        // load through the ONNX reader (other extensions get its error message via load_network's rules)
        if ext != "onnx" {
            relumip::nn::load_network(&args.net)?;
        }
        let model = read_onnx_model(&args.net)?;
        describe(&mut out, &args.net, "onnx", &model.network);
        writeln!(out, "input:  '{}' shape {:?}", model.input.0, model.input.1)?;
        writeln!(out, "output: '{}' shape {:?}", model.output.0, model.output.1)?;
        if !model.producer.is_empty() || model.opset > 0 {
            writeln!(out, "producer: {} (opset {})", model.producer, model.opset)?;
        }
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

fn describe(out: &mut String, path: &Path, format: &str, net: &Network) {
    let layers = net.layers();
    let weights: usize = layers.iter().map(|l| l.weights().len()).sum();
    let biases: usize = layers.iter().map(|l| l.bias().len()).sum();
    let zeros: usize = layers
        .iter()
        .map(|l| l.weights().iter().filter(|&&w| w == 0.0).count())
        .sum();
    let sizes: Vec<String> = std::iter::once(net.input_size())
        .chain(layers.iter().map(|l| l.outputs()))
        .map(|n| n.to_string())
        .collect();
    let _ = writeln!(out, "network: {} ({format})", path.display());
    let _ = writeln!(out, "architecture: {}", sizes.join("-"));
    let _ = writeln!(
        out,
        "inputs: {}, outputs: {}",
        net.input_size(),
        net.output_size()
    );
    let _ = writeln!(
        out,
        "  {:>5} {:>7} {:>7} {:>10} {:>10} {:>8}",
        "layer", "inputs", "outputs", "activation", "weights", "biases"
    );
    for (k, l) in layers.iter().enumerate() {
        let act = if l.has_relu() { "relu" } else { "linear" };
        let _ = writeln!(
            out,
            "  {:>5} {:>7} {:>7} {:>10} {:>10} {:>8}",
            k + 1,
            l.inputs(),
            l.outputs(),
            act,
            l.weights().len(),
            l.bias().len()
        );
    }
    let _ = writeln!(
        out,
        "parameters: {} ({weights} weights, {zeros} of them zero; {biases} biases)",
        weights + biases
    );
    let _ = writeln!(out, "relu neurons: {}", net.relu_count());
}

fn describe_property(out: &mut String, path: &Path) -> anyhow::Result<()> {
    let p = read_vnnlib(path)?;
    writeln!(out, "property: {} (vnnlib)", path.display())?;
    writeln!(
        out,
        "inputs: {}, outputs: {}, regions: {}",
        p.inputs,
        p.outputs,
        p.regions.len()
    )?;
    for (k, r) in p.regions.iter().enumerate() {
        let cases = r.output.disjuncts.len();
        let constraints: usize = r.output.disjuncts.iter().map(Vec::len).sum();
        writeln!(
            out,
            "region {k}: unsafe if one of {cases} case(s) holds ({constraints} output constraint(s) in all)"
        )?;
        if r.domain.dim() <= 10 {
            for i in 0..r.domain.dim() {
                writeln!(out, "  X_{i} in [{}, {}]", r.domain.lower[i], r.domain.upper[i])?;
            }
        } else {
            let width = (0..r.domain.dim()).map(|i| r.domain.upper[i] - r.domain.lower[i]);
            let widest = width.fold(0.0_f64, f64::max);
            writeln!(out, "  {} inputs, widest range {widest}", r.domain.dim())?;
        }
    }
    Ok(())
}
