//! `relumip compare`.

use super::common::*;
use super::maximize::{domain_for, log_summary, task_report};
use super::verify::{make_log, solver_options};
use super::UsageError;
use clap::Args;
use relumip::log::Log;
use relumip::nn::Network;
use relumip::options::SolverOptions;
use relumip::spec::{InputDomain, Norm};
use relumip::tasks::compare::{maxdiff, maxout, CompareReport};
use relumip::tasks::compose::DiffNorm;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `relumip compare`.
#[derive(Args, Debug)]
#[command(after_help = "Example:\n  relumip compare mnist-32-16.onnx pruned.onnx --mode maxdiff --norm linf")]
pub struct CompareArgs {
    /// The first network.
    pub net_a: PathBuf,
    /// The second network.
    pub net_b: PathBuf,
    /// maxdiff, maxout, maxflip or mineps.
    #[arg(long)]
    pub mode: String,
    /// Output norm for maxdiff: l1 or linf.
    #[arg(long)]
    pub norm: Option<String>,
    /// Classes C1,C2 for maxout.
    #[arg(long)]
    pub classes: Option<String>,
    /// Reference input for mineps (CSV).
    #[arg(long)]
    pub reference: Option<PathBuf>,
    #[command(flatten)]
    pub common: CommonFlags,
    #[command(flatten)]
    pub domain: DomainFlags,
    #[command(flatten)]
    pub solver: SolverFlags,
}

/// Solves one comparison and reports it: shared by the command and `relumip run`.
pub(super) fn solve_and_report(
    a: &Network,
    b: &Network,
    domain: &InputDomain,
    mode: &str,
    norm: Option<Norm>,
    classes: Option<(usize, usize)>,
    options: &SolverOptions,
    log: &Log,
    json: Option<&str>,
) -> anyhow::Result<()> {
    let report: CompareReport = match mode {
        "maxdiff" => {
            let norm = match norm {
                None | Some(Norm::Linf) => DiffNorm::Linf,
                Some(Norm::L1) => DiffNorm::L1,
                Some(other) => {
                    return Err(
                        UsageError(format!("maxdiff measures outputs in l1 or linf, not {other:?}")).into(),
                    )
                }
            };
            maxdiff(a, b, domain, norm, options, log)?
        }
        "maxout" => {
            let Some(c) = classes else {
                return Err(UsageError("maxout needs --classes C1,C2".into()).into());
            };
            maxout(a, b, domain, c, 0.0, options, log)?
        }
        "maxflip" | "mineps" => {
            return Err(UsageError(format!("compare --mode {mode} is not yet implemented")).into());
        }
        other => {
            return Err(UsageError(format!(
                "--mode: expected maxdiff, maxout, maxflip or mineps, got '{other}'"
            ))
            .into())
        }
    };
    log_summary(log, &report.result);
    if let (Some(ya), Some(yb)) = (&report.output_a, &report.output_b) {
        log.line(&format!("A's outputs: {ya:.4?}"));
        log.line(&format!("B's outputs: {yb:.4?}"));
    }
    if let Some(dest) = json {
        let mut r = task_report("compare", &report.result);
        r.extra.insert("mode".into(), mode.into());
        r.extra
            .insert("output_a".into(), serde_json::json!(report.output_a));
        r.extra
            .insert("output_b".into(), serde_json::json!(report.output_b));
        r.write(dest)?;
    }
    Ok(())
}

/// Parses `C1,C2`.
pub(super) fn parse_classes(text: &str) -> anyhow::Result<(usize, usize)> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    match parts.as_slice() {
        [p, q] => match (p.parse(), q.parse()) {
            (Ok(c1), Ok(c2)) => Ok((c1, c2)),
            _ => Err(UsageError(format!(
                "--classes: expected two class numbers C1,C2, got '{text}'"
            ))
            .into()),
        },
        _ => Err(UsageError(format!("--classes: expected C1,C2, got '{text}'")).into()),
    }
}

/// Runs `relumip compare`.
pub fn run(args: CompareArgs) -> anyhow::Result<ExitCode> {
    let options = solver_options(&args.common, &args.solver)?;
    let log = make_log(&args.common)?;
    let a = relumip::nn::load_network(&args.net_a)?;
    let b = relumip::nn::load_network(&args.net_b)?;
    if a.input_size() != b.input_size() {
        return Err(UsageError(format!(
            "the networks take {} and {} inputs",
            a.input_size(),
            b.input_size()
        ))
        .into());
    }
    let norm = args
        .norm
        .as_deref()
        .map(|n| super::adversarial::parse_norm(n, "--norm"))
        .transpose()?;
    let classes = args.classes.as_deref().map(parse_classes).transpose()?;
    log.line(&format!(
        "relumip compare {} {} --mode {}",
        args.net_a.display(),
        args.net_b.display(),
        args.mode
    ));
    let domain = domain_for(&args.net_a, a.input_size(), &args.domain, &log)?;
    solve_and_report(
        &a,
        &b,
        &domain,
        &args.mode,
        norm,
        classes,
        &options,
        &log,
        args.common.json.as_deref(),
    )?;
    Ok(ExitCode::SUCCESS)
}
