//! `relumip run`.

use super::common::*;
use super::verify::{make_log, report_json, solver_options, vnncomp_text, write_out};
use super::UsageError;
use clap::Args;
use relumip::error::Error;
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

fn field<'a>(doc: &'a toml::Value, file: &Path, table: &str, key: &str) -> anyhow::Result<&'a toml::Value> {
    doc.get(table)
        .and_then(|t| t.get(key))
        .ok_or_else(|| Error::input(file, format!("[{table}]"), format!("missing '{key}'")).into())
}

fn string<'a>(doc: &'a toml::Value, file: &Path, table: &str, key: &str) -> anyhow::Result<&'a str> {
    field(doc, file, table, key)?
        .as_str()
        .ok_or_else(|| Error::input(file, format!("[{table}] {key}"), "expected a string").into())
}

/// Command-line solver flags override the file's `[solver]` table.
fn merged_flags(doc: &toml::Value, args: &RunArgs) -> (CommonFlags, SolverFlags) {
    let mut common = args.common.clone();
    let mut solver = args.solver.clone();
    if let Some(s) = doc.get("solver") {
        let num = |k: &str| {
            s.get(k)
                .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
        };
        common.time_limit = common.time_limit.or(num("time_limit"));
        common.threads = common.threads.or(num("threads").map(|t| t.max(1.0) as usize));
        common.gap_rel = common.gap_rel.or(num("gap_rel"));
        common.gap_abs = common.gap_abs.or(num("gap_abs"));
        solver.formulation = solver
            .formulation
            .or(s.get("formulation").and_then(|v| v.as_str()).map(String::from));
        solver.bounds = solver
            .bounds
            .or(s.get("bounds").and_then(|v| v.as_str()).map(String::from));
        if solver.cuts.is_none() {
            solver.cuts = match s.get("cuts") {
                Some(toml::Value::Array(a)) => {
                    Some(a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(","))
                }
                Some(toml::Value::String(c)) => Some(c.clone()),
                _ => None,
            };
        }
    }
    (common, solver)
}

/// Runs `relumip run`.
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let file = &args.instance;
    let text = relumip::error::read_text(file)?;
    let doc: toml::Value = toml::from_str(&text).map_err(|e| {
        let place = e
            .span()
            .map(|s| format!("byte {}", s.start))
            .unwrap_or_else(|| "file".into());
        Error::input(file, place, e.message().to_string())
    })?;
    let dir = file.parent().unwrap_or(Path::new("."));
    let kind = string(&doc, file, "task", "kind")?;
    match kind {
        "verify" => {
            let net_path = dir.join(string(&doc, file, "network", "path")?);
            let vnnlib = dir.join(string(&doc, file, "task", "vnnlib").map_err(|_| {
                UsageError(format!(
                    "{}: [task]: verify instances need 'vnnlib' (label = ... is not yet implemented)",
                    file.display()
                ))
            })?);
            let (common, solver) = merged_flags(&doc, &args);
            let options = solver_options(&common, &solver)?;
            let log = make_log(&common)?;
            let net = relumip::nn::load_network(&net_path)?;
            let prop = relumip::spec::read_vnnlib(&vnnlib)?;
            if prop.inputs != net.input_size() || prop.outputs != net.output_size() {
                return Err(Error::input(
                    &vnnlib,
                    "declarations",
                    "input/output sizes differ from the network's",
                )
                .into());
            }
            let report = relumip::tasks::verify::verify_property(&net, &prop, &options, &log)?;
            log.line(&format!(
                "Result: {} in {}",
                report.status,
                log.time(report.time_s)
            ));
            log.line(&vnncomp_text(&report));
            if let Some(dest) = &common.json {
                write_out(dest, &serde_json::to_string_pretty(&report_json(&report))?)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        "maximize" | "adversarial" | "compare" => {
            super::maximize::run_instance(file, &args.common, &args.solver)
        }
        other => Err(UsageError(format!(
            "{}: [task] kind '{other}' is not yet implemented by 'relumip run'",
            file.display()
        ))
        .into()),
    }
}
