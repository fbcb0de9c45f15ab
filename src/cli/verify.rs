//! `relumip verify`.

use super::common::*;
use super::UsageError;
use clap::Args;
use relumip::io::report::ResultReport;
use relumip::log::Log;
use relumip::options::{parse_cuts, Branching, SolverOptions};
use relumip::result::Status;
use relumip::spec::{InputDomain, Norm, OutputConstraint, OutputProperty, VnnlibProperty, VnnlibRegion};
use relumip::tasks::compose::DiffNorm;
use relumip::tasks::output_shift::max_output_shift;
use relumip::tasks::verify::{verify_property, VerifyReport};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Arguments of `relumip verify`.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  relumip verify net.onnx prop.vnnlib --time-limit 60 --vnncomp-out result.txt\n  relumip verify mnist-32-16.onnx --label 7 --center mnist-sample10.csv --label-first --linf 0.02\n  relumip verify mnist-32-16.onnx --maxdiff --center mnist-sample10.csv --label-first --linf 0.02"
)]
pub struct VerifyArgs {
    /// The network (.onnx or .nnet).
    pub net: PathBuf,
    /// The VNN-LIB property (the unsafe set); omit and give --label for robustness over a domain.
    pub vnnlib: Option<PathBuf>,
    /// Robustness of this class over the domain.
    #[arg(long)]
    pub label: Option<usize>,
    /// The "maximum difference" form: maximise how far the logits move from their value at the reference
    /// (--center, with --linf/--l1 or a box) over the domain.
    #[arg(long)]
    pub maxdiff: bool,
    /// Distance of the logits for --maxdiff: l1 (default) or linf.
    #[arg(long)]
    pub norm: Option<String>,
    /// Write the VNN-COMP result file here.
    #[arg(long, value_name = "PATH")]
    pub vnncomp_out: Option<PathBuf>,
    /// Branching rule: auto, babsr, violation, input or pseudocost.
    #[arg(long, value_name = "RULE")]
    pub branching: Option<String>,
    /// Node bound propagation: forward (symbolic intervals) or crown (also CROWN back-substitution).
    #[arg(long, value_name = "METHOD")]
    pub node_bounds: Option<String>,
    #[command(flatten)]
    pub common: CommonFlags,
    #[command(flatten)]
    pub domain: DomainFlags,
    #[command(flatten)]
    pub solver: SolverFlags,
}

/// Solver options from the common and solver flags (Ctrl-C raises the interrupt flag).
pub(super) fn solver_options(common: &CommonFlags, solver: &SolverFlags) -> anyhow::Result<SolverOptions> {
    let mut o = SolverOptions {
        time_limit: common.time_limit,
        node_limit: common.node_limit,
        ..SolverOptions::default()
    };
    if let Some(t) = common.threads {
        o.threads = t;
    }
    if let Some(g) = common.gap_rel {
        o.gap_rel = g;
    }
    if let Some(g) = common.gap_abs {
        o.gap_abs = g;
    }
    if let Some(s) = common.seed {
        o.seed = s;
    }
    if let Some(f) = &solver.formulation {
        o.formulation = f.parse()?;
    }
    if let Some(t) = &solver.cut_tree {
        o.cut_tree = t.parse()?;
    }
    if let Some(c) = &solver.cuts {
        o.cuts = parse_cuts(c)?;
    }
    if let Some(b) = &solver.bounds {
        o.bounds = b.parse().map_err(UsageError)?;
        o.auto_bounds = false;
    }
    let flag = Arc::new(AtomicBool::new(false));
    let handler_flag = flag.clone();
    // A second handler cannot be installed (e.g. in tests running several commands): then no Ctrl-C.
    if ctrlc::set_handler(move || handler_flag.store(true, Ordering::Relaxed)).is_ok() {
        o.interrupt = Some(flag);
    }
    o.validate()?;
    Ok(o)
}

/// The log the flags ask for: standard output, or standard error when the JSON goes to standard output;
/// nothing with `--quiet`; also the `--log-file`.
pub(super) fn make_log(common: &CommonFlags) -> anyhow::Result<Log> {
    let mut log = if common.quiet {
        Log::quiet()
    } else if common.json.as_deref() == Some("-") {
        Log::stderr()
    } else {
        Log::stdout()
    };
    if let Some(p) = &common.log_file {
        let f = std::fs::File::create(p).map_err(|e| relumip::error::Error::io(p, e))?;
        log = log.with_sink(Box::new(f));
    }
    Ok(log)
}

/// The human summary, the VNN-COMP result file and the result JSON of a verification: shared by the command
/// and `relumip run`.
pub(super) fn report_verification(
    log: &Log,
    report: &VerifyReport,
    vnncomp_out: Option<&Path>,
    json: Option<&str>,
) -> anyhow::Result<()> {
    log.line(&format!(
        "Result: {} in {}",
        report.status,
        log.time(report.time_s)
    ));
    if let Some(c) = &report.counterexample {
        log.line(&format!("Counterexample input: {:?}", c.input));
        log.line(&format!("Output: {:?}", c.output));
    }
    if let Some(p) = vnncomp_out {
        std::fs::write(p, vnncomp_text(report) + "\n").map_err(|e| relumip::error::Error::io(p, e))?;
    }
    if let Some(dest) = json {
        ResultReport::from_verify("verify", report).write(dest)?;
    }
    Ok(())
}

/// The "maximum difference" form: the largest distance of the logits from the reference's over the domain,
/// reported like the optimisation tasks (objective = distance found, bound = proven upper bound), with the
/// reference output as `reference_output` and `mode: "maxdiff"` in the JSON.
/// The distance of the maximum-difference form: L1 (the default) or L∞ over the logits; `None` for other norms.
pub(super) fn logit_norm(norm: Option<Norm>) -> Option<DiffNorm> {
    match norm {
        None | Some(Norm::L1) => Some(DiffNorm::L1),
        Some(Norm::Linf) => Some(DiffNorm::Linf),
        Some(_) => None,
    }
}

pub(super) fn solve_output_shift(
    net: &relumip::nn::Network,
    domain: &InputDomain,
    reference: &[f64],
    norm: Option<Norm>,
    options: &SolverOptions,
    log: &Log,
    json: Option<&str>,
) -> anyhow::Result<()> {
    let Some(diff_norm) = logit_norm(norm) else {
        let other = norm.map_or_else(String::new, |n| format!("{n:?}"));
        return Err(UsageError(format!(
            "the maximum difference measures logits in l1 or linf, not {other}"
        ))
        .into());
    };
    log.line(&format!(
        "Maximum difference: how far can the logits move from the reference's ({:?} distance)?",
        diff_norm
    ));
    let shift = max_output_shift(net, domain, reference, diff_norm, options, log)?;
    super::maximize::log_summary(log, &shift.result);
    log.line(&format!("Reference output: {:.4?}", shift.reference_output));
    if let Some(dest) = json {
        let mut r = ResultReport::from_task("verify", &shift.result);
        r.extra.insert("mode".into(), "maxdiff".into());
        r.extra.insert(
            "norm".into(),
            if diff_norm == DiffNorm::L1 { "l1" } else { "linf" }.into(),
        );
        r.extra.insert(
            "reference_output".into(),
            serde_json::json!(shift.reference_output),
        );
        r.write(dest)?;
    }
    Ok(())
}

/// The VNN-COMP result file's text.
pub fn vnncomp_text(r: &VerifyReport) -> String {
    match (&r.status, &r.counterexample) {
        (Status::Sat, Some(c)) => {
            let mut s = String::from("sat\n(");
            let mut parts: Vec<String> = c
                .input
                .iter()
                .enumerate()
                .map(|(i, v)| format!("(X_{i} {v:e})"))
                .collect();
            parts.extend(c.output.iter().enumerate().map(|(j, v)| format!("(Y_{j} {v:e})")));
            s.push_str(&parts.join("\n "));
            s.push(')');
            s
        }
        (Status::Unsat, _) => "unsat".into(),
        (Status::TimeLimit, _) => "timeout".into(),
        _ => "unknown".into(),
    }
}

/// The property's declared sizes against the network's.
pub(super) fn check_sizes(
    net_path: &Path,
    net: &relumip::nn::Network,
    prop: &relumip::spec::VnnlibProperty,
    vnnlib: &Path,
) -> anyhow::Result<()> {
    if prop.inputs != net.input_size() || prop.outputs != net.output_size() {
        return Err(relumip::error::Error::input(
            vnnlib,
            "declarations",
            format!(
                "the property declares {} inputs and {} outputs; the network {} has {} and {}",
                prop.inputs,
                prop.outputs,
                net_path.display(),
                net.input_size(),
                net.output_size()
            ),
        )
        .into());
    }
    Ok(())
}

/// Runs `relumip verify`.
pub fn run(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let mut options = solver_options(&args.common, &args.solver)?;
    if let Some(b) = &args.branching {
        options.branching = b.parse::<Branching>()?;
    }
    match args.node_bounds.as_deref() {
        None => {}
        Some("forward") => options.node_crown = false,
        Some("crown") => options.node_crown = true,
        Some(other) => {
            return Err(UsageError(format!(
                "--node-bounds: unknown method '{other}' (expected forward or crown)"
            ))
            .into())
        }
    }
    let log = make_log(&args.common)?;
    let net = relumip::nn::load_network(&args.net)?;
    let prop = match (&args.vnnlib, args.label, args.maxdiff) {
        (Some(vnnlib), None, false) => {
            let prop = relumip::spec::read_vnnlib(vnnlib)?;
            check_sizes(&args.net, &net, &prop, vnnlib)?;
            log.line(&format!(
                "relumip verify {} {} ({} region(s))",
                args.net.display(),
                vnnlib.display(),
                prop.regions.len()
            ));
            prop
        }
        (None, Some(label), false) => {
            let domain = super::maximize::domain_for(&args.net, net.input_size(), &args.domain, &log)?;
            log.line(&format!(
                "relumip verify {}: is class {label} chosen everywhere in the domain?",
                args.net.display()
            ));
            robustness_property(label, net.output_size(), domain)?
        }
        (None, None, true) => {
            let Some(center) = &args.domain.center else {
                return Err(UsageError(
                    "verify --maxdiff measures from a reference input: give --center FILE (and --linf or --l1)"
                        .into(),
                )
                .into());
            };
            let csv = relumip::io::csv::read_csv_inputs(center, args.domain.label_first)?;
            csv.check_width(net.input_size())?;
            let reference = csv.row(args.domain.row)?.to_vec();
            let domain = super::maximize::domain_for(&args.net, net.input_size(), &args.domain, &log)?;
            let norm = args
                .norm
                .as_deref()
                .map(|n| super::adversarial::parse_norm(n, "--norm"))
                .transpose()?;
            solve_output_shift(
                &net,
                &domain,
                &reference,
                norm,
                &options,
                &log,
                args.common.json.as_deref(),
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {
            return Err(UsageError(
                "verify takes a VNN-LIB file, or --label C, or --maxdiff (each with domain flags)".into(),
            )
            .into())
        }
    };
    if args.norm.is_some() {
        return Err(UsageError("--norm goes with --maxdiff".into()).into());
    }
    let report = verify_property(&net, &prop, &options, &log)?;
    report_verification(
        &log,
        &report,
        args.vnncomp_out.as_deref(),
        args.common.json.as_deref(),
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Robustness of class `label` over `domain` as an unsafe set: some other output reaches the label's
/// (`y_j >= y_label`; a tie counts as not robust).
pub(super) fn robustness_property(
    label: usize,
    outputs: usize,
    domain: InputDomain,
) -> anyhow::Result<VnnlibProperty> {
    if label >= outputs {
        return Err(UsageError(format!("--label {label}: the network has {outputs} outputs")).into());
    }
    let disjuncts = (0..outputs)
        .filter(|&j| j != label)
        .map(|j| {
            vec![OutputConstraint {
                coeffs: vec![(label, 1.0), (j, -1.0)],
                rhs: 0.0,
            }]
        })
        .collect();
    Ok(VnnlibProperty {
        inputs: domain.dim(),
        outputs,
        regions: vec![VnnlibRegion {
            domain,
            output: OutputProperty { disjuncts },
        }],
    })
}
