//! `relumip run`: an instance file, read and validated by `io::instance` (errors name the file, the line and
//! the field), its `[solver]` table under the command-line flags, handed to the task it names.

use super::common::*;
use super::maximize::{log_summary, task_report};
use super::verify::{
    check_sizes, make_log, report_verification, robustness_property, solve_output_shift, solver_options,
};
use clap::Args;
use relumip::error::Error;
use relumip::io::instance::{read_instance, Instance, MarginSpec, NetworkSpec, Task, VerifyTarget};
use relumip::log::Log;
use relumip::nn::{load_network, load_network_with_box, Network};
use relumip::options::SolverOptions;
use relumip::spec::ResolvedDomain;
use relumip::tasks::adversarial::{AdversarialSpec, Margin};
use relumip::tasks::maximize::{maximize, MaximizeObjective};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `relumip run`.
#[derive(Args, Debug)]
#[command(after_help = "Example:\n  relumip run instances/mnist-15-15-maximize.toml")]
pub struct RunArgs {
    /// The instance file (TOML).
    pub instance: PathBuf,
    #[command(flatten)]
    pub common: CommonFlags,
    #[command(flatten)]
    pub solver: SolverFlags,
}

/// The solver options of an instance: the command-line flags first, then the file's `[solver]` table.
fn instance_options(inst: &Instance, args: &RunArgs) -> anyhow::Result<(CommonFlags, SolverOptions)> {
    let s = &inst.solver;
    let mut common = args.common.clone();
    common.time_limit = common.time_limit.or(s.time_limit);
    common.threads = common.threads.or(s.threads);
    common.node_limit = common.node_limit.or(s.node_limit);
    common.gap_rel = common.gap_rel.or(s.gap_rel);
    common.gap_abs = common.gap_abs.or(s.gap_abs);
    common.seed = common.seed.or(s.seed);
    let mut options = solver_options(&common, &args.solver)?;
    if args.solver.formulation.is_none() {
        if let Some(f) = s.formulation {
            options.formulation = f;
        }
    }
    if args.solver.cuts.is_none() {
        if let Some(c) = &s.cuts {
            options.cuts = c.clone();
        }
    }
    if args.solver.bounds.is_none() {
        if let Some(b) = s.bounds {
            options.bounds = b;
        }
    }
    options.validate()?;
    Ok((common, options))
}

/// The one network of a single-network task.
fn single(inst: &Instance) -> anyhow::Result<&Path> {
    match &inst.network {
        NetworkSpec::Single(p) => Ok(p),
        NetworkSpec::Pair { .. } => {
            Err(Error::input(&inst.file, "network", "this task takes one [network]").into())
        }
    }
}

/// The network and the instance's domain for it (the network file's own box is the default).
fn network_and_domain(inst: &Instance, log: &Log) -> anyhow::Result<(Network, ResolvedDomain)> {
    let path = single(inst)?;
    // `load_network` folds a .nnet file's normalisation; its header's box comes from `load_network_with_box`.
    let net = load_network(path)?;
    let loaded = load_network_with_box(path)?;
    let resolved = inst.resolve_domain(net.input_size(), loaded.input_box)?;
    log.line(&format!("Domain: {}", resolved.note));
    Ok((net, resolved))
}

/// Row `row` of a reference CSV, checked against the network's input size.
pub(super) fn reference_row(
    path: &Path,
    row: usize,
    label_first: bool,
    inputs: usize,
) -> anyhow::Result<Vec<f64>> {
    let csv = relumip::io::csv::read_csv_inputs(path, label_first)?;
    csv.check_width(inputs)?;
    Ok(csv.row(row)?.to_vec())
}

/// The margin of an instance file's adversarial task (none: additive 0).
pub(super) fn instance_margin(margin: Option<MarginSpec>) -> Margin {
    match margin {
        Some(MarginSpec::Additive(m)) => Margin::Additive(m),
        Some(MarginSpec::Ratio(r)) => Margin::Ratio(r),
        None => Margin::Additive(0.0),
    }
}

fn search_method(radius: bool) -> SearchMethod {
    if radius {
        SearchMethod::Radius
    } else {
        SearchMethod::Milp
    }
}

/// Runs `relumip run`.
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let file = &args.instance;
    let inst = read_instance(file)?;
    let (common, options) = instance_options(&inst, &args)?;
    let log = make_log(&common)?;
    log.line(&format!("relumip run {}", file.display()));
    let json = common.json.as_deref();
    let name = file.display().to_string();
    match &inst.task {
        Task::Verify(VerifyTarget::Vnnlib(vnnlib)) => {
            let net_path = single(&inst)?;
            let net = load_network(net_path)?;
            let prop = relumip::spec::read_vnnlib(vnnlib)?;
            check_sizes(net_path, &net, &prop, vnnlib)?;
            let report = relumip::tasks::verify::verify_property(&net, &prop, &options, &log)?;
            report_verification(&log, &report, None, json)?;
        }
        Task::Verify(VerifyTarget::Label(label)) => {
            let (net, resolved) = network_and_domain(&inst, &log)?;
            if *label >= net.output_size() {
                return Err(Error::input(
                    file,
                    "task.label",
                    format!("the network has {} outputs", net.output_size()),
                )
                .into());
            }
            log.line(&format!("Is class {label} chosen everywhere in the domain?"));
            let prop = robustness_property(*label, net.output_size(), resolved.domain)?;
            let report = relumip::tasks::verify::verify_property(&net, &prop, &options, &log)?;
            report_verification(&log, &report, None, json)?;
        }
        Task::Verify(VerifyTarget::MaxDiff(norm)) => {
            let (net, resolved) = network_and_domain(&inst, &log)?;
            let Some(center) = &inst.domain.center else {
                return Err(Error::input(
                    file,
                    "domain.center",
                    "mode = \"maxdiff\" measures from a reference input: give [domain] center (and linf or l1)",
                )
                .into());
            };
            let d = &inst.domain;
            let reference = reference_row(center, d.row, d.label_first, net.input_size())?;
            solve_output_shift(&net, &resolved.domain, &reference, *norm, &options, &log, json)?;
        }
        Task::Maximize { objective } => {
            let (net, resolved) = network_and_domain(&inst, &log)?;
            let objective = MaximizeObjective::parse(objective, net.output_size(), &name, "task.objective")?;
            let result = maximize(&net, &resolved.domain, &objective, &options, &log)?;
            log_summary(&log, &result);
            if let Some(dest) = json {
                task_report("maximize", &result).write(dest)?;
            }
        }
        Task::Adversarial(t) => {
            let (net, resolved) = network_and_domain(&inst, &log)?;
            let margin = instance_margin(t.margin);
            let spec = AdversarialSpec {
                reference: reference_row(&t.reference, t.row, t.label_first, net.input_size())?,
                source: t.source,
                target: t.target,
                norm: t.norm,
                margin,
                max_change: t.max_change,
                max_changed: t.max_changed,
                min_change: t.min_change,
            };
            super::adversarial::solve_and_report(
                &net,
                &resolved.domain,
                &spec,
                &options,
                &log,
                (None, None),
                json,
                search_method(t.radius_search),
            )?;
        }
        Task::Compare(t) => {
            let NetworkSpec::Pair { a, b } = &inst.network else {
                return Err(Error::input(file, "network", "compare takes [networks] a and b").into());
            };
            let (na, nb) = (load_network(a)?, load_network(b)?);
            if na.input_size() != nb.input_size() {
                return Err(Error::input(
                    file,
                    "networks",
                    format!(
                        "the networks take {} and {} inputs",
                        na.input_size(),
                        nb.input_size()
                    ),
                )
                .into());
            }
            let resolved = inst.resolve_domain(na.input_size(), None)?;
            log.line(&format!("Domain: {}", resolved.note));
            let mode = format!("{:?}", t.mode).to_ascii_lowercase();
            let classes = match t.classes.as_deref() {
                Some([c1, c2]) => Some((*c1, *c2)),
                Some(_) => return Err(Error::input(file, "task.classes", "expected [C1, C2]").into()),
                None => None,
            };
            let reference = match &t.reference {
                Some((path, row)) => Some((
                    reference_row(path, *row, t.label_first, na.input_size())?,
                    t.label,
                )),
                None => None,
            };
            super::compare::solve_and_report(
                &na,
                &nb,
                &resolved.domain,
                &mode,
                t.norm,
                classes,
                &options,
                &log,
                json,
                reference,
                search_method(t.radius_search),
            )?;
        }
        Task::Bounds { method } => {
            let (net, resolved) = network_and_domain(&inst, &log)?;
            let bounds_options = relumip::bounds::BoundsOptions {
                threads: common.threads,
                time_limit: common.time_limit,
                neuron_time_limit: None,
            };
            super::bounds::compute_and_report(
                &net,
                &resolved.domain,
                &resolved.note,
                *method,
                &bounds_options,
                &common,
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
