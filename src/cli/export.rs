//! `relumip export`: the exact MILP the engine solves, written as MPS (or CPLEX LP for a `.lp` file).
//!
//! Every task builds its model with the task's own public model function (`tasks::*::*_model`), so the file
//! holds the same columns, bounds and formulation as the search starts from (cuts are added during the search
//! and are not in the file). A task that solves several MILPs gives one file per MILP:
//! - verify: one per region and disjunct, `OUT.r<region>.d<disjunct>.mps`; the property is `sat` when some
//!   file's maximum is `>= 0`, `unsat` when every file's maximum is `< 0`;
//! - untargeted adversarial: one per target class, `OUT.t<class>.mps`; the answer is the smallest optimum.

use super::adversarial::{margin_of, parse_norm, AdversarialArgs};
use super::common::*;
use super::compare::{parse_classes, CompareArgs};
use super::maximize::MaximizeArgs;
use super::run::reference_row;
use super::verify::{logit_norm, robustness_property, solver_options};
use super::UsageError;
use clap::{Args, Subcommand};
use relumip::error::Error;
use relumip::io::instance::{read_instance, NetworkSpec, Task, VerifyTarget};
use relumip::io::lp_format::write_lp_format;
use relumip::io::mps::{write_mps, MpsModel};
use relumip::nn::{load_network, load_network_with_box, Network};
use relumip::options::SolverOptions;
use relumip::relu::ReluModel;
use relumip::spec::{InputDomain, Norm, VnnlibProperty};
use relumip::tasks::adversarial::{adversarial_models, AdversarialSpec};
use relumip::tasks::compare::{maxdiff_model, maxout_model};
use relumip::tasks::compare_modes::{maxflip_model, mineps_model};
use relumip::tasks::compose::DiffNorm;
use relumip::tasks::maximize::{maximize_model, MaximizeObjective};
use relumip::tasks::output_shift::output_shift_network;
use relumip::tasks::verify::{region_model, set_disjunct_objective};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `relumip export`.
#[derive(Args, Debug)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_precedence_over_arg = true,
    after_help = "Examples:\n  relumip export net.onnx prop.vnnlib -o model.mps\n  \
                  relumip export instances/mnist-15-15-maximize.toml -o model.lp\n  \
                  relumip export maximize net.onnx --objective \"y3 - max_other\" --center x.csv --linf 0.03 -o model.mps\n\n\
                  A task that solves several MILPs gives one file per MILP: OUT.r<region>.d<disjunct>.mps for the\n\
                  regions and disjuncts of a VNN-LIB property, OUT.t<class>.mps per target class of an untargeted\n\
                  adversarial search. A file name ending in .lp writes CPLEX LP format."
)]
pub struct ExportArgs {
    /// An instance file, or a network followed by a VNN-LIB file (or, instead, a task with its own flags).
    #[arg(num_args = 1..=2)]
    pub inputs: Vec<PathBuf>,
    /// Where to write the model (.mps, or .lp for CPLEX LP format).
    #[arg(short, long, global = true)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub domain: DomainFlags,
    #[command(flatten)]
    pub solver: SolverFlags,
    /// A task given by the flags of its own command.
    #[command(subcommand)]
    pub task: Option<ExportTask>,
}

/// A task given as on its own command line.
#[derive(Subcommand, Debug)]
pub enum ExportTask {
    /// The MILP of `relumip maximize`.
    Maximize(Box<MaximizeArgs>),
    /// The MILPs of `relumip adversarial`.
    Adversarial(Box<AdversarialArgs>),
    /// The MILP of `relumip compare`.
    Compare(Box<CompareArgs>),
}

/// What is exported: a task with everything resolved.
enum Job {
    Verify {
        net: PathBuf,
        vnnlib: PathBuf,
    },
    /// A property built in memory (`verify` with a label).
    Property {
        net: Network,
        prop: VnnlibProperty,
    },
    Maximize {
        net: Network,
        domain: InputDomain,
        objective: MaximizeObjective,
    },
    Adversarial {
        net: Network,
        domain: InputDomain,
        spec: AdversarialSpec,
    },
    Compare {
        a: Network,
        b: Network,
        domain: InputDomain,
        mode: String,
        norm: Option<Norm>,
        classes: Option<(usize, usize)>,
        reference: Option<(Vec<f64>, Option<usize>)>,
    },
}

/// Runs `relumip export`.
pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let Some(output) = args.output.clone() else {
        return Err(UsageError("export needs -o OUT.mps (or OUT.lp)".into()).into());
    };
    let (job, options) = match (&args.task, args.inputs.as_slice()) {
        (Some(task), _) => job_from_task(task)?,
        (None, [net, vnnlib]) => (
            Job::Verify {
                net: net.clone(),
                vnnlib: vnnlib.clone(),
            },
            solver_options(&no_limits(), &args.solver)?,
        ),
        (None, [instance]) => job_from_instance(instance, &args.solver)?,
        _ => {
            return Err(UsageError(
                "export takes an instance file, NET VNNLIB, or a task (maximize, adversarial, compare)"
                    .into(),
            )
            .into())
        }
    };
    options.validate()?;
    let models = models_of(job, &options)?;
    let single = models.len() == 1;
    for (suffix, model) in models {
        let path = if single {
            output.clone()
        } else {
            numbered(&output, &suffix)
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
    Ok(ExitCode::SUCCESS)
}

fn no_limits() -> CommonFlags {
    CommonFlags {
        time_limit: None,
        threads: None,
        node_limit: None,
        gap_rel: None,
        gap_abs: None,
        seed: None,
        quiet: true,
        log_file: None,
        json: None,
    }
}

/// The models of a job, each with its file-name suffix (`r0.d1`, `t3`; empty for a single model).
fn models_of(job: Job, options: &SolverOptions) -> anyhow::Result<Vec<(String, ReluModel)>> {
    let mut out = Vec::new();
    match job {
        Job::Verify { net, vnnlib } => {
            let net = load_network(&net)?;
            let prop = relumip::spec::read_vnnlib(&vnnlib)?;
            if prop.inputs != net.input_size() || prop.outputs != net.output_size() {
                return Err(Error::input(
                    &vnnlib,
                    "declarations",
                    "input/output sizes differ from the network's",
                )
                .into());
            }
            out = property_models(&net, &prop, options)?;
        }
        Job::Property { net, prop } => out = property_models(&net, &prop, options)?,
        Job::Maximize {
            net,
            domain,
            objective,
        } => out.push((String::new(), maximize_model(&net, &domain, &objective, options)?)),
        Job::Adversarial { net, domain, spec } => {
            if spec.norm == Norm::L2 {
                return Err(UsageError(
                    "adversarial --norm l2: the search refines an outer approximation of the squares while it \
                     runs, so no single MILP has its optimum; export l1, linf or l0"
                        .into(),
                )
                .into());
            }
            for (t, model) in adversarial_models(&net, &domain, &spec, options)? {
                out.push((format!("t{t}"), model));
            }
        }
        Job::Compare {
            a,
            b,
            domain,
            mode,
            norm,
            classes,
            reference,
        } => {
            let model = match mode.as_str() {
                "maxdiff" => {
                    let norm = match norm {
                        None | Some(Norm::Linf) => DiffNorm::Linf,
                        Some(Norm::L1) => DiffNorm::L1,
                        Some(other) => {
                            return Err(UsageError(format!(
                                "maxdiff measures outputs in l1 or linf, not {other:?}"
                            ))
                            .into())
                        }
                    };
                    maxdiff_model(&a, &b, &domain, norm, options)?
                }
                "maxout" => {
                    let Some(c) = classes else {
                        return Err(UsageError("maxout needs classes C1,C2".into()).into());
                    };
                    maxout_model(&a, &b, &domain, c, 0.0, options)?
                }
                "maxflip" => maxflip_model(&a, &b, &domain, options)?.0,
                "mineps" => {
                    let Some((x0, label)) = reference else {
                        return Err(UsageError("mineps needs a reference".into()).into());
                    };
                    mineps_model(&a, &b, &domain, &x0, label, options)?.0
                }
                other => {
                    return Err(UsageError(format!(
                        "mode: expected maxdiff, maxout, maxflip or mineps, got '{other}'"
                    ))
                    .into())
                }
            };
            out.push((String::new(), model));
        }
    }
    Ok(out)
}

/// One model per region and disjunct of a property, suffixed `r<R>.d<D>`.
fn property_models(
    net: &Network,
    prop: &VnnlibProperty,
    options: &SolverOptions,
) -> anyhow::Result<Vec<(String, ReluModel)>> {
    let mut out = Vec::new();
    for (r, region) in prop.regions.iter().enumerate() {
        let base = region_model(net, region, options)?;
        let mut first_output = 0;
        for (d, conj) in region.output.disjuncts.iter().enumerate() {
            let mut model = base.clone();
            set_disjunct_objective(&mut model, first_output, conj.len());
            first_output += conj.len();
            out.push((format!("r{r}.d{d}"), model));
        }
    }
    Ok(out)
}

/// The domain the flags give for a network file (its own box, if it states one, is the default).
fn flag_domain(net_path: &Path, n: usize, flags: &DomainFlags) -> anyhow::Result<InputDomain> {
    let loaded = load_network_with_box(net_path)?;
    Ok(flags
        .to_domain_spec()
        .resolve(n, loaded.input_box, Path::new(""))?
        .domain)
}

fn job_from_task(task: &ExportTask) -> anyhow::Result<(Job, SolverOptions)> {
    match task {
        ExportTask::Maximize(args) => {
            let net = load_network(&args.net)?;
            let objective =
                MaximizeObjective::parse(&args.objective, net.output_size(), "command line", "--objective")?;
            let domain = flag_domain(&args.net, net.input_size(), &args.domain)?;
            let options = solver_options(&args.common, &args.solver)?;
            Ok((
                Job::Maximize {
                    net,
                    domain,
                    objective,
                },
                options,
            ))
        }
        ExportTask::Adversarial(args) => {
            let net = load_network(&args.net)?;
            let csv = relumip::io::csv::read_csv_inputs(&args.reference, args.domain.label_first)?;
            csv.check_width(net.input_size())?;
            let spec = AdversarialSpec {
                reference: csv.row(args.domain.row)?.to_vec(),
                source: args.source,
                target: args.target,
                norm: parse_norm(&args.norm, "--norm")?,
                margin: margin_of(args.margin, args.ratio)?,
                max_change: args.max_change,
                max_changed: args.max_changed,
                min_change: args.min_change,
            };
            let domain = flag_domain(&args.net, net.input_size(), &args.domain)?;
            let options = solver_options(&args.common, &args.solver)?;
            Ok((Job::Adversarial { net, domain, spec }, options))
        }
        ExportTask::Compare(args) => {
            let (a, b) = (load_network(&args.net_a)?, load_network(&args.net_b)?);
            let domain = flag_domain(&args.net_a, a.input_size(), &args.domain)?;
            let reference = match &args.reference {
                Some(path) => {
                    let csv = relumip::io::csv::read_csv_inputs(path, args.domain.label_first)?;
                    csv.check_width(a.input_size())?;
                    Some((csv.row(args.domain.row)?.to_vec(), args.label))
                }
                None => None,
            };
            let job = Job::Compare {
                a,
                b,
                domain,
                mode: args.mode.clone(),
                norm: args
                    .norm
                    .as_deref()
                    .map(|n| parse_norm(n, "--norm"))
                    .transpose()?,
                classes: args.classes.as_deref().map(parse_classes).transpose()?,
                reference,
            };
            Ok((job, solver_options(&args.common, &args.solver)?))
        }
    }
}

/// The job of an instance file, its `[solver]` formulation, cuts and bounds under the command-line flags (as
/// `relumip run` merges them).
fn job_from_instance(file: &Path, flags: &SolverFlags) -> anyhow::Result<(Job, SolverOptions)> {
    let inst = read_instance(file)?;
    let s = &inst.solver;
    let mut common = no_limits();
    common.seed = s.seed;
    let mut options = solver_options(&common, flags)?;
    super::run::apply_solver_table(&mut options, flags, s);
    let place = file.display().to_string();
    let job = match (&inst.task, &inst.network) {
        (Task::Verify(VerifyTarget::Vnnlib(p)), NetworkSpec::Single(net)) => Job::Verify {
            net: net.clone(),
            vnnlib: p.clone(),
        },
        (Task::Maximize { objective }, NetworkSpec::Single(path)) => {
            let net = load_network(path)?;
            let domain = instance_domain(&inst, path, net.input_size())?;
            let objective = MaximizeObjective::parse(objective, net.output_size(), &place, "task.objective")?;
            Job::Maximize {
                net,
                domain,
                objective,
            }
        }
        (Task::Adversarial(t), NetworkSpec::Single(path)) => {
            let net = load_network(path)?;
            let domain = instance_domain(&inst, path, net.input_size())?;
            let spec = super::run::adversarial_spec(t, net.input_size())?;
            Job::Adversarial { net, domain, spec }
        }
        (Task::Compare(t), NetworkSpec::Pair { .. }) => {
            let c = super::run::prepare_compare(&inst, t)?;
            Job::Compare {
                a: c.a,
                b: c.b,
                domain: c.domain.domain,
                mode: c.mode,
                norm: t.norm,
                classes: c.classes,
                reference: c.reference,
            }
        }
        (Task::Verify(VerifyTarget::Label(label)), NetworkSpec::Single(path)) => {
            let net = load_network(path)?;
            let domain = instance_domain(&inst, path, net.input_size())?;
            let prop = robustness_property(*label, net.output_size(), domain)?;
            Job::Property { net, prop }
        }
        (Task::Verify(VerifyTarget::MaxDiff(norm)), NetworkSpec::Single(path)) => {
            // The maximum-difference form is a maximize over the network extended by |N(x) - N(x0)|.
            let net = load_network(path)?;
            let domain = instance_domain(&inst, path, net.input_size())?;
            let Some(center) = &inst.domain.center else {
                return Err(Error::input(
                    file,
                    "domain.center",
                    "mode = \"maxdiff\" needs a reference input",
                )
                .into());
            };
            let d = &inst.domain;
            let y0 = net.forward(&reference_row(center, d.row, d.label_first, net.input_size())?);
            let Some(diff_norm) = logit_norm(*norm) else {
                let other = norm.map_or_else(String::new, |n| format!("{n:?}"));
                return Err(
                    Error::input(file, "task.norm", format!("expected l1 or linf, not {other}")).into(),
                );
            };
            Job::Maximize {
                net: output_shift_network(&net, &y0, diff_norm)?,
                domain,
                objective: MaximizeObjective::Linear(vec![1.0]),
            }
        }
        (Task::Bounds { .. }, _) => {
            return Err(UsageError(format!(
                "{place}: export of bounds is not available (bounds solve one LP or MILP per neuron)"
            ))
            .into())
        }
        _ => {
            return Err(UsageError(format!(
                "{place}: this task needs [network] (or [networks] a, b for compare)"
            ))
            .into())
        }
    };
    Ok((job, options))
}

fn instance_domain(
    inst: &relumip::io::instance::Instance,
    net_path: &Path,
    n: usize,
) -> anyhow::Result<InputDomain> {
    let loaded = load_network_with_box(net_path)?;
    Ok(inst.resolve_domain(n, loaded.input_box)?.domain)
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

/// `out.mps` with suffix `r0.d1` → `out.r0.d1.mps`.
fn numbered(out: &Path, suffix: &str) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = out
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "mps".into());
    out.with_file_name(format!("{stem}.{suffix}.{ext}"))
}
