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
use relumip::tasks::compare_modes::{maxflip, mineps};
use relumip::tasks::compose::DiffNorm;
use relumip::tasks::radius_search::mineps_by_radius;
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
    /// Reference input for mineps (CSV; --row and --label-first from the domain flags choose and read it).
    #[arg(long)]
    pub reference: Option<PathBuf>,
    /// Class for mineps (default: A's prediction at the reference).
    #[arg(long)]
    pub label: Option<usize>,
    /// How mineps searches: one MILP minimising the radius, or radius search (verification questions over
    /// L∞ balls of doubling, then bisected, radius); auto is radius search.
    #[arg(long, value_enum, default_value_t = SearchMethod::Auto)]
    pub search: SearchMethod,
    #[command(flatten)]
    pub common: CommonFlags,
    #[command(flatten)]
    pub domain: DomainFlags,
    #[command(flatten)]
    pub solver: SolverFlags,
}

/// The reference input and class of `mineps`.
pub(super) type MinEpsReference = Option<(Vec<f64>, Option<usize>)>;

/// Solves one comparison and reports it: shared by the command and `relumip run`.
#[allow(clippy::too_many_arguments)]
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
    reference: MinEpsReference,
    search: SearchMethod,
) -> anyhow::Result<()> {
    let mut extra: Vec<(&str, serde_json::Value)> = Vec::new();
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
        "maxflip" => {
            let flip = match maxflip(a, b, domain, options, log) {
                Err(relumip::error::Error::Options(message)) => return Err(UsageError(message).into()),
                other => other?,
            };
            if let Some(note) = &flip.note {
                log.line(&format!("Warning: {note}"));
            }
            if let Some(n) = flip.flips {
                log.line(&format!(
                    "Flips by forward passes: {n} (MILP claim {}, ties at zero {})",
                    flip.milp_flips.unwrap_or(f64::NAN),
                    flip.ties.unwrap_or(0)
                ));
            }
            extra.push(("flips", serde_json::json!(flip.flips)));
            extra.push(("milp_flips", serde_json::json!(flip.milp_flips)));
            extra.push(("ties", serde_json::json!(flip.ties)));
            extra.push(("note", serde_json::json!(flip.note)));
            flip.report
        }
        "mineps" => {
            let Some((x0, label)) = reference else {
                return Err(UsageError("mineps needs --reference FILE".into()).into());
            };
            let found = match search {
                SearchMethod::Milp => mineps(a, b, domain, &x0, label, options, log),
                SearchMethod::Radius | SearchMethod::Auto => {
                    mineps_by_radius(a, b, domain, &x0, label, options, log)
                }
            };
            match found {
                Err(relumip::error::Error::Options(message)) => return Err(UsageError(message).into()),
                other => other?,
            }
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
        for (key, value) in extra {
            r.extra.insert(key.into(), value);
        }
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
    let reference = match &args.reference {
        Some(path) => {
            let csv = relumip::io::csv::read_csv_inputs(path, args.domain.label_first)?;
            csv.check_width(a.input_size())?;
            Some((csv.row(args.domain.row)?.to_vec(), args.label))
        }
        None => None,
    };
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
        reference,
        args.search,
    )?;
    Ok(ExitCode::SUCCESS)
}
