//! `relumip adversarial`.

use super::common::*;
use super::maximize::{domain_for, log_summary, task_report, write_pngs};
use super::verify::{make_log, solver_options};
use super::UsageError;
use clap::Args;
use relumip::io::csv::read_csv_inputs;
use relumip::log::Log;
use relumip::nn::Network;
use relumip::spec::{InputDomain, Norm};
use relumip::tasks::adversarial::{adversarial, AdversarialReport, AdversarialSpec, Margin};
use relumip::tasks::adversarial_radius::{adversarial_by_radius, radius_search_applies};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `relumip adversarial`.
#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  relumip adversarial mnist-32-16.onnx --reference sample.csv --row 0 --label-first --target 8 --norm l1 --ratio 1.2"
)]
pub struct AdversarialArgs {
    /// The network (.onnx or .nnet).
    pub net: PathBuf,
    /// The reference input (CSV; `--row` picks the row, `--label-first` skips a label column).
    #[arg(long)]
    pub reference: PathBuf,
    /// The source class (default: the network's choice at the reference).
    #[arg(long)]
    pub source: Option<usize>,
    /// The target class (omit: any class other than the source).
    #[arg(long)]
    pub target: Option<usize>,
    /// Distance norm: l1, linf, l0 or l2.
    #[arg(long, default_value = "l1")]
    pub norm: String,
    /// Additive margin: y_t >= y_j + M.
    #[arg(long)]
    pub margin: Option<f64>,
    /// Ratio margin: y_t >= R * y_j.
    #[arg(long)]
    pub ratio: Option<f64>,
    /// Largest change per feature.
    #[arg(long)]
    pub max_change: Option<f64>,
    /// Largest number of changed features.
    #[arg(long)]
    pub max_changed: Option<usize>,
    /// Smallest change of a changed feature (l0).
    #[arg(long)]
    pub min_change: Option<f64>,
    /// How to search: one MILP minimising the distance; radius search (L1/L∞ without max_changed,
    /// min_change or integer features: PGD's input bounds the radius from above, then verification questions
    /// over balls bisect it until the gap tolerance); or auto: radius search for L∞ where it applies, the
    /// MILP otherwise.
    #[arg(long, value_enum, default_value_t = SearchMethod::Auto)]
    pub search: SearchMethod,
    /// Write PNG images of reference, result and difference here (image-shaped inputs).
    #[arg(long, value_name = "DIR")]
    pub png_dir: Option<PathBuf>,
    /// Image shape HxW for PNG output.
    #[arg(long, value_name = "HxW")]
    pub image_shape: Option<String>,
    #[command(flatten)]
    pub common: CommonFlags,
    #[command(flatten)]
    pub domain: DomainFlags,
    #[command(flatten)]
    pub solver: SolverFlags,
}

/// Parses a norm name.
pub(super) fn parse_norm(text: &str, place: &str) -> anyhow::Result<Norm> {
    match text.to_ascii_lowercase().as_str() {
        "l1" => Ok(Norm::L1),
        "l2" => Ok(Norm::L2),
        "linf" => Ok(Norm::Linf),
        "l0" => Ok(Norm::L0),
        other => Err(UsageError(format!("{place}: expected l1, l2, linf or l0, got '{other}'")).into()),
    }
}

/// The margin from `--margin`/`--ratio` (default: additive 0, i.e. the target wins or ties).
pub(super) fn margin_of(margin: Option<f64>, ratio: Option<f64>) -> anyhow::Result<Margin> {
    match (margin, ratio) {
        (Some(_), Some(_)) => Err(UsageError("give --margin or --ratio, not both".into()).into()),
        (Some(m), None) => Ok(Margin::Additive(m)),
        (None, Some(r)) => Ok(Margin::Ratio(r)),
        (None, None) => Ok(Margin::Additive(0.0)),
    }
}

/// Solves, prints the human summary, writes PNGs and JSON: shared by the command and `relumip run`.
pub(super) fn solve_and_report(
    net: &Network,
    domain: &InputDomain,
    spec: &AdversarialSpec,
    options: &relumip::options::SolverOptions,
    log: &Log,
    png: (Option<&std::path::Path>, Option<&str>),
    json: Option<&str>,
    search: SearchMethod,
) -> anyhow::Result<()> {
    let search = match search {
        SearchMethod::Auto if spec.norm == Norm::Linf && radius_search_applies(domain, spec) => {
            SearchMethod::Radius
        }
        SearchMethod::Auto => SearchMethod::Milp,
        other => other,
    };
    let report = match search {
        SearchMethod::Milp | SearchMethod::Auto => adversarial(net, domain, spec, options, log)?,
        SearchMethod::Radius => {
            if !radius_search_applies(domain, spec) {
                return Err(UsageError(
                    "--search radius answers l1/linf without --max-changed, --min-change or --integer".into(),
                )
                .into());
            }
            adversarial_by_radius(net, domain, spec, options, log)?
        }
    };
    log_summary(log, &report.result);
    log_adversarial(log, &report);
    write_pngs(
        log,
        png.0,
        png.1,
        domain,
        Some(&spec.reference),
        report.result.input.as_deref(),
    )?;
    if let Some(dest) = json {
        let mut r = task_report("adversarial", &report.result);
        r.extra.insert("source".into(), report.source.into());
        r.extra
            .insert("reached".into(), serde_json::json!(report.reached));
        r.extra.insert(
            "reference_output".into(),
            serde_json::json!(report.reference_output),
        );
        r.extra.insert(
            "changed".into(),
            serde_json::json!(report
                .changed
                .iter()
                .map(|(i, d)| serde_json::json!({"feature": i, "change": d}))
                .collect::<Vec<_>>()),
        );
        r.write(dest)?;
    }
    Ok(())
}

fn log_adversarial(log: &Log, r: &AdversarialReport) {
    log.line(&format!(
        "Reference class {} (logit {:.4}); reported input reaches class {}",
        r.source,
        r.reference_output[r.source],
        r.reached.map_or("-".into(), |c| c.to_string())
    ));
    if r.result.status == relumip::result::Status::Infeasible {
        log.line(
            "No input within the settings makes the target win: the network is robust for these settings.",
        );
    }
    if !r.changed.is_empty() {
        let shown: Vec<String> = r
            .changed
            .iter()
            .take(20)
            .map(|(i, d)| format!("{i}:{d:+.4}"))
            .collect();
        log.line(&format!(
            "{} features changed: {}{}",
            r.changed.len(),
            shown.join(" "),
            if r.changed.len() > 20 { " ..." } else { "" }
        ));
    }
}

/// Runs `relumip adversarial`.
pub fn run(args: AdversarialArgs) -> anyhow::Result<ExitCode> {
    let options = solver_options(&args.common, &args.solver)?;
    let log = make_log(&args.common)?;
    let net = relumip::nn::load_network(&args.net)?;
    let csv = read_csv_inputs(&args.reference, args.domain.label_first)?;
    csv.check_width(net.input_size())?;
    let reference = csv.row(args.domain.row)?.to_vec();
    let spec = AdversarialSpec {
        reference,
        source: args.source,
        target: args.target,
        norm: parse_norm(&args.norm, "--norm")?,
        margin: margin_of(args.margin, args.ratio)?,
        max_change: args.max_change,
        max_changed: args.max_changed,
        min_change: args.min_change,
    };
    log.line(&format!(
        "relumip adversarial {} (reference row {})",
        args.net.display(),
        args.domain.row
    ));
    let domain = domain_for(&args.net, net.input_size(), &args.domain, &log)?;
    solve_and_report(
        &net,
        &domain,
        &spec,
        &options,
        &log,
        (args.png_dir.as_deref(), args.image_shape.as_deref()),
        args.common.json.as_deref(),
        args.search,
    )?;
    Ok(ExitCode::SUCCESS)
}
