//! `relumip maximize`.

use super::common::*;
use super::verify::{make_log, solver_options};
use clap::Args;
use relumip::io::report::{relative_gap, Incumbent, ResultReport, Solution, Stats};
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
    let mut report = ResultReport::new(command, r.status);
    report.objective = r.objective;
    report.bound = r.bound;
    report.gap = relative_gap(r.objective, r.bound);
    report.time_s = r.time_s;
    report.nodes = r.nodes;
    report.lp_iterations = r.lp_iterations;
    report.solution = match (&r.input, &r.output) {
        (Some(input), Some(output)) => Some(Solution {
            input: input.clone(),
            output: output.clone(),
        }),
        _ => None,
    };
    report.stats = Stats {
        root_bound: r.root_bound,
        cuts_added: r.cuts_added,
        unstable_neurons: r.unstable_neurons as u64,
        binaries: r.binaries as u64,
        rows: r.rows as u64,
        columns: r.columns as u64,
        incumbents: r
            .incumbents
            .iter()
            .map(|(t, o, s)| Incumbent {
                time_s: *t,
                objective: *o,
                source: s.clone(),
            })
            .collect(),
    };
    report
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

/// `relumip run` for the kinds `maximize`, `adversarial` and `compare`: the instance file read by
/// `io::instance`, its `[solver]` table under the command-line flags.
pub(super) fn run_instance(
    file: &Path,
    common: &CommonFlags,
    solver: &SolverFlags,
) -> anyhow::Result<ExitCode> {
    use relumip::io::instance::{read_instance, NetworkSpec, Task};
    let inst = read_instance(file)?;
    let mut common = common.clone();
    let mut solver = solver.clone();
    let s = &inst.solver;
    common.time_limit = common.time_limit.or(s.time_limit);
    common.threads = common.threads.or(s.threads);
    common.node_limit = common.node_limit.or(s.node_limit);
    common.gap_rel = common.gap_rel.or(s.gap_rel);
    common.gap_abs = common.gap_abs.or(s.gap_abs);
    common.seed = common.seed.or(s.seed);
    if solver.formulation.is_none() {
        solver.formulation = s.formulation.map(|f| match f {
            relumip::io::instance::Formulation::BigM => "bigm".to_string(),
            relumip::io::instance::Formulation::Partition(n) => format!("partition:{n}"),
        });
    }
    if solver.cuts.is_none() {
        solver.cuts = s.cuts.as_ref().map(|c| {
            let names: Vec<&str> = c
                .iter()
                .map(|k| match k {
                    relumip::io::instance::CutKind::Ideal => "ideal",
                    relumip::io::instance::CutKind::Partition => "partition",
                })
                .collect();
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(",")
            }
        });
    }
    let mut options = solver_options(&common, &solver)?;
    if solver.bounds.is_none() {
        if let Some(b) = s.bounds {
            options.bounds = b;
        }
    }
    let log = make_log(&common)?;
    log.line(&format!("relumip run {}", file.display()));
    let json = common.json.as_deref();
    match (&inst.task, &inst.network) {
        (Task::Maximize { objective }, NetworkSpec::Single(path)) => {
            let net = relumip::nn::load_network(path)?;
            let loaded = load_network_with_box(path)?;
            let resolved = inst.resolve_domain(net.input_size(), loaded.input_box)?;
            log.line(&format!("Domain: {}", resolved.note));
            let objective = MaximizeObjective::parse(
                objective,
                net.output_size(),
                &file.display().to_string(),
                "task.objective",
            )?;
            let result = maximize(&net, &resolved.domain, &objective, &options, &log)?;
            log_summary(&log, &result);
            if let Some(dest) = json {
                task_report("maximize", &result).write(dest)?;
            }
        }
        (Task::Adversarial(t), NetworkSpec::Single(path)) => {
            let net = relumip::nn::load_network(path)?;
            let loaded = load_network_with_box(path)?;
            let resolved = inst.resolve_domain(net.input_size(), loaded.input_box)?;
            log.line(&format!("Domain: {}", resolved.note));
            let csv = relumip::io::csv::read_csv_inputs(&t.reference, t.label_first)?;
            csv.check_width(net.input_size())?;
            let margin = match t.margin {
                Some(relumip::io::instance::MarginSpec::Additive(m)) => {
                    relumip::tasks::adversarial::Margin::Additive(m)
                }
                Some(relumip::io::instance::MarginSpec::Ratio(r)) => {
                    relumip::tasks::adversarial::Margin::Ratio(r)
                }
                None => relumip::tasks::adversarial::Margin::Additive(0.0),
            };
            let spec = relumip::tasks::adversarial::AdversarialSpec {
                reference: csv.row(t.row)?.to_vec(),
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
            )?;
        }
        (Task::Compare(t), NetworkSpec::Pair { a, b }) => {
            let (na, nb) = (relumip::nn::load_network(a)?, relumip::nn::load_network(b)?);
            let resolved = inst.resolve_domain(na.input_size(), None)?;
            log.line(&format!("Domain: {}", resolved.note));
            let mode = format!("{:?}", t.mode).to_ascii_lowercase();
            let classes = match t.classes.as_deref() {
                Some([c1, c2]) => Some((*c1, *c2)),
                Some(_) => {
                    return Err(super::UsageError(format!(
                        "{}: task.classes: expected [C1, C2]",
                        file.display()
                    ))
                    .into())
                }
                None => None,
            };
            // mineps's reference (the instance keeps no label_first for compare: read as plain rows).
            let reference = match &t.reference {
                Some((path, row)) => {
                    let csv = relumip::io::csv::read_csv_inputs(path, false)?;
                    csv.check_width(na.input_size())?;
                    Some((csv.row(*row)?.to_vec(), None))
                }
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
            )?;
        }
        _ => {
            return Err(super::UsageError(format!(
                "{}: this task needs [network] (or [networks] a, b for compare)",
                file.display()
            ))
            .into())
        }
    }
    Ok(ExitCode::SUCCESS)
}
