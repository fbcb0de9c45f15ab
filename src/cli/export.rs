//! `relumip export`: the exact MILP the engine solves, written as MPS (or CPLEX LP for a `.lp` file).

use super::common::*;
use super::UsageError;
use clap::Args;
use relumip::error::Error;
use relumip::io::instance::{read_instance, NetworkSpec, Task, VerifyTarget};
use relumip::io::lp_format::write_lp_format;
use relumip::io::mps::{write_mps, MpsModel};
use relumip::options::SolverOptions;
use relumip::relu::ReluModel;
use relumip::tasks::verify::{region_model, set_disjunct_objective};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `relumip export`.
#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  relumip export net.onnx prop.vnnlib -o model.mps\n\n\
                  A property with several regions or disjuncts gives one file per MILP relumip solves:\n\
                  OUT.r<region>.d<disjunct>.mps. A file name ending in .lp writes CPLEX LP format."
)]
pub struct ExportArgs {
    /// An instance file (kind = "verify" with a vnnlib), or a network followed by a VNN-LIB file.
    #[arg(required = true, num_args = 1..=2)]
    pub inputs: Vec<PathBuf>,
    /// Where to write the model.
    #[arg(short, long)]
    pub output: PathBuf,
    #[command(flatten)]
    pub domain: DomainFlags,
    #[command(flatten)]
    pub solver: SolverFlags,
}

/// Runs `relumip export`.
pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let mut options = SolverOptions::default();
    if let Some(f) = &args.solver.formulation {
        options.formulation = f.parse()?;
    }
    if let Some(b) = &args.solver.bounds {
        options.bounds = b.parse().map_err(UsageError)?;
    }
    let (net_path, vnnlib_path) = match args.inputs.as_slice() {
        [net, vnnlib] => (net.clone(), vnnlib.clone()),
        [instance] => {
            let inst = read_instance(instance)?;
            if args.solver.formulation.is_none() {
                if let Some(f) = inst.solver.formulation {
                    options.formulation = f;
                }
            }
            if args.solver.bounds.is_none() {
                if let Some(b) = inst.solver.bounds {
                    options.bounds = b;
                }
            }
            match (&inst.network, &inst.task) {
                (NetworkSpec::Single(net), Task::Verify(VerifyTarget::Vnnlib(p))) => (net.clone(), p.clone()),
                _ => {
                    return Err(UsageError(format!(
                        "{}: export of this [task] kind is not yet implemented (verify with a vnnlib is)",
                        instance.display()
                    ))
                    .into())
                }
            }
        }
        _ => return Err(UsageError("export takes an instance file, or NET VNNLIB".into()).into()),
    };
    options.validate()?;
    let net = relumip::nn::load_network(&net_path)?;
    let prop = relumip::spec::read_vnnlib(&vnnlib_path)?;
    if prop.inputs != net.input_size() || prop.outputs != net.output_size() {
        return Err(Error::input(
            &vnnlib_path,
            "declarations",
            "input/output sizes differ from the network's",
        )
        .into());
    }
    let milps: usize = prop.regions.iter().map(|r| r.output.disjuncts.len()).sum();
    for (r, region) in prop.regions.iter().enumerate() {
        let base = region_model(&net, region, &options)?;
        let mut first_output = 0;
        for (d, conj) in region.output.disjuncts.iter().enumerate() {
            let mut model = base.clone();
            set_disjunct_objective(&mut model, first_output, conj.len());
            first_output += conj.len();
            let path = if milps == 1 {
                args.output.clone()
            } else {
                numbered(&args.output, r, d)
            };
            write_model(&model, &path)?;
            println!(
                "wrote {} ({} rows, {} columns, {} binaries)",
                path.display(),
                model.mip.lp.num_rows(),
                model.mip.lp.num_cols(),
                model.mip.num_integers()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_model(model: &ReluModel, path: &Path) -> relumip::error::Result<()> {
    let mps = MpsModel {
        problem: model.mip.lp.clone(),
        integer: model.mip.integer.clone(),
    };
    if path.extension().is_some_and(|e| e == "lp") {
        write_lp_format(&mps, path)
    } else {
        write_mps(&mps, path)
    }
}

/// `out.mps` → `out.r0.d1.mps`.
fn numbered(out: &Path, region: usize, disjunct: usize) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = out
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "mps".into());
    out.with_file_name(format!("{stem}.r{region}.d{disjunct}.{ext}"))
}
