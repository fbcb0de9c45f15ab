//! `relumip run`: an instance file, read and validated by `io::instance` (errors name the file, the line and
//! the field), its `[solver]` table under the command-line flags, handed to the task it names.

use super::common::*;
use super::maximize::{log_summary, task_report};
use super::verify::{
    check_sizes, make_log, report_verification, robustness_property, solve_output_shift, solver_options,
};
use clap::Args;
use relumip::error::Error;
use relumip::io::instance::{
    read_instance, AdversarialTask, CompareTask, Instance, MarginSpec, NetworkSpec, SolverSpec, Task,
    VerifyTarget,
};
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
    apply_solver_table(&mut options, &args.solver, s);
    options.validate()?;
    Ok((common, options))
}

/// The `[solver]` table's engine choices where no flag gave them (shared with `relumip export`).
pub(super) fn apply_solver_table(options: &mut SolverOptions, flags: &SolverFlags, s: &SolverSpec) {
    if flags.formulation.is_none() {
        if let Some(f) = s.formulation {
            options.formulation = f;
        }
    }
    if flags.cuts.is_none() {
        if let Some(c) = &s.cuts {
            options.cuts = c.clone();
        }
    }
    if flags.bounds.is_none() {
        if let Some(b) = s.bounds {
            options.bounds = b;
            options.auto_bounds = false;
        }
    }
}

/// The adversarial specification of an instance file's task, its reference row read and checked.
pub(super) fn adversarial_spec(t: &AdversarialTask, inputs: usize) -> anyhow::Result<AdversarialSpec> {
    Ok(AdversarialSpec {
        reference: reference_row(&t.reference, t.row, t.label_first, inputs)?,
        source: t.source,
        target: t.target,
        norm: t.norm,
        margin: instance_margin(t.margin),
        max_change: t.max_change,
        max_changed: t.max_changed,
        min_change: t.min_change,
    })
}

/// A compare task of an instance file, read and checked: both networks, the domain and the mode's arguments.
pub(super) struct PreparedCompare {
    pub a: Network,
    pub b: Network,
    pub domain: ResolvedDomain,
    pub mode: String,
    pub classes: Option<(usize, usize)>,
    pub reference: Option<(Vec<f64>, Option<usize>)>,
}

/// Reads and checks a compare task (the networks must take the same inputs).
pub(super) fn prepare_compare(inst: &Instance, t: &CompareTask) -> anyhow::Result<PreparedCompare> {
    let file = &inst.file;
    let NetworkSpec::Pair { a, b } = &inst.network else {
        return Err(Error::input(file, "network", "compare takes [networks] a and b").into());
    };
    let (na, nb) = (load_network(a)?, load_network(b)?);
    if na.input_size() != nb.input_size() {
        let problem = format!(
            "the networks take {} and {} inputs",
            na.input_size(),
            nb.input_size()
        );
        return Err(Error::input(file, "networks", problem).into());
    }
    let domain = inst.resolve_domain(na.input_size(), None)?;
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
    Ok(PreparedCompare {
        a: na,
        b: nb,
        domain,
        mode: format!("{:?}", t.mode).to_ascii_lowercase(),
        classes,
        reference,
    })
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
fn instance_margin(margin: Option<MarginSpec>) -> Margin {
    match margin {
        Some(MarginSpec::Additive(m)) => Margin::Additive(m),
        Some(MarginSpec::Ratio(r)) => Margin::Ratio(r),
        None => Margin::Additive(0.0),
    }
}

fn search_method(radius: Option<bool>) -> SearchMethod {
    match radius {
        None => SearchMethod::Auto,
        Some(true) => SearchMethod::Radius,
        Some(false) => SearchMethod::Milp,
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
            let spec = adversarial_spec(t, net.input_size())?;
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
            let c = prepare_compare(&inst, t)?;
            log.line(&format!("Domain: {}", c.domain.note));
            super::compare::solve_and_report(
                &c.a,
                &c.b,
                &c.domain.domain,
                &c.mode,
                t.norm,
                c.classes,
                &options,
                &log,
                json,
                c.reference,
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
