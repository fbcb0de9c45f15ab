//! `relumip verify`.

use super::common::*;
use super::UsageError;
use clap::Args;
use relumip::log::Log;
use relumip::options::{parse_cuts, Branching, SolverOptions};
use relumip::result::Status;
use relumip::spec::{InputDomain, OutputConstraint, OutputProperty, VnnlibProperty, VnnlibRegion};
use relumip::tasks::verify::{verify_property, VerifyReport};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Arguments of `relumip verify`.
#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  relumip verify net.onnx prop.vnnlib --time-limit 60 --vnncomp-out result.txt"
)]
pub struct VerifyArgs {
    /// The network (.onnx or .nnet).
    pub net: PathBuf,
    /// The VNN-LIB property (the unsafe set); omit and give --label for robustness over a domain.
    pub vnnlib: Option<PathBuf>,
    /// Robustness of this class over the domain.
    #[arg(long)]
    pub label: Option<usize>,
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
    if let Some(c) = &solver.cuts {
        o.cuts = parse_cuts(c)?;
    }
    if let Some(b) = &solver.bounds {
        o.bounds = b.parse().map_err(UsageError)?;
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

/// Writes `text` to `dest` (`-` = standard output).
pub(super) fn write_out(dest: &str, text: &str) -> anyhow::Result<()> {
    if dest == "-" {
        println!("{text}");
    } else {
        std::fs::write(dest, format!("{text}\n")).map_err(|e| relumip::error::Error::io(dest, e))?;
    }
    Ok(())
}

/// The result JSON of CLI.md for a verification report.
pub(super) fn report_json(r: &VerifyReport) -> serde_json::Value {
    let solution = r.counterexample.as_ref().map(|c| {
        serde_json::json!({"input": c.input, "output": c.output, "region": c.region, "disjunct": c.disjunct})
    });
    serde_json::json!({
        "command": "verify",
        "status": r.status.as_str(),
        "objective": null,
        "bound": null,
        "gap": null,
        "time_s": r.time_s,
        "nodes": r.nodes,
        "lp_iterations": r.lp_iterations,
        "solution": solution,
        "stats": {
            "root_bound": r.root_bound,
            "cuts_added": r.cuts_added,
            "unstable_neurons": r.unstable_neurons,
            "binaries": r.binaries,
            "rows": r.rows,
            "columns": r.columns,
            "incumbents": r.incumbents.iter().map(|(t, o, s)| serde_json::json!({"time_s": t, "objective": o, "source": s})).collect::<Vec<_>>(),
        }
    })
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

fn check_sizes(
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
    let prop = match (&args.vnnlib, args.label) {
        (Some(vnnlib), None) => {
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
        (None, Some(label)) => {
            let domain = super::maximize::domain_for(&args.net, net.input_size(), &args.domain, &log)?;
            log.line(&format!(
                "relumip verify {}: is class {label} chosen everywhere in the domain?",
                args.net.display()
            ));
            robustness_property(label, net.output_size(), domain)?
        }
        _ => {
            return Err(UsageError(
                "verify takes either a VNN-LIB file or --label C (with domain flags)".into(),
            )
            .into())
        }
    };
    let report = verify_property(&net, &prop, &options, &log)?;
    log.line(&format!(
        "Result: {} in {}",
        report.status,
        log.time(report.time_s)
    ));
    if let Some(c) = &report.counterexample {
        log.line(&format!("Counterexample input: {:?}", c.input));
        log.line(&format!("Output: {:?}", c.output));
    }
    if let Some(p) = &args.vnncomp_out {
        std::fs::write(p, vnncomp_text(&report) + "\n").map_err(|e| relumip::error::Error::io(p, e))?;
    }
    if let Some(dest) = &args.common.json {
        write_out(dest, &serde_json::to_string_pretty(&report_json(&report))?)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Robustness of class `label` over `domain` as an unsafe set: some other output reaches the label's
/// (`y_j >= y_label`; a tie counts as not robust).
fn robustness_property(label: usize, outputs: usize, domain: InputDomain) -> anyhow::Result<VnnlibProperty> {
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
