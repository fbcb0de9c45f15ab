//! `relumip bench`.

use clap::Args;
use relumip::bench::{
    discover, read_expected, run_bench, summarise, write_tables, BenchInstance, BenchOptions,
    InstanceOutcome, InstanceSource,
};
use relumip::error::Error;
use relumip::io::report::ResultReport;
use relumip::log::Log;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `relumip bench`.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  relumip bench instances/ --out results --time-limit 60\n  \
    relumip bench ../shared/benchmarks/mps --out lp-results --time-limit 10 --shift 0.01\n  \
    relumip bench --read-log bell5.gurobi.log"
)]
pub struct BenchArgs {
    /// The instance set: a folder of instance/MPS files or a VNN-COMP instances.csv.
    pub set: Option<PathBuf>,
    /// Output folder for results.csv and results.md.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Folder of Gurobi/HiGHS logs matched by instance name (NAME.gurobi.log, NAME.highs.log).
    #[arg(long)]
    pub peer_logs: Option<PathBuf>,
    /// Time limit per instance in seconds.
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Read one Gurobi or HiGHS log and print it as JSON.
    #[arg(long)]
    pub read_log: Option<PathBuf>,
    /// Shift of the geometric mean time in seconds (0.01 suits LPs).
    #[arg(long, default_value_t = 1.0)]
    pub shift: f64,
    /// Expected answers (CSV with file/name or onnx+vnnlib, and expected/status[, objective]); by default
    /// reference.csv or expected.csv beside the set or one folder up.
    #[arg(long, value_name = "CSV")]
    pub expected: Option<PathBuf>,
    /// Print no progress lines.
    #[arg(long)]
    pub quiet: bool,
}

/// Runs `relumip bench`.
pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    if let Some(log) = &args.read_log {
        let summary = relumip::io::peer_log::read_peer_log(log)?;
        relumip::io::report::write_json(&summary, "-")?;
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(set), Some(out)) = (&args.set, &args.out) else {
        return Err(
            super::UsageError("relumip bench needs SET and --out DIR (or --read-log LOG)".into()).into(),
        );
    };
    if !(args.shift >= 0.0 && args.shift.is_finite()) {
        return Err(Error::Options(format!("--shift {} must be a non-negative number", args.shift)).into());
    }
    if args.time_limit.is_some_and(|t| t.is_nan() || t <= 0.0) {
        return Err(Error::Options("--time-limit must be positive".into()).into());
    }
    let log = if args.quiet { Log::quiet() } else { Log::stdout() };
    let instances = discover(set)?;
    let expected_file = args.expected.clone().or_else(|| default_expected(set));
    let expected = match &expected_file {
        Some(path) => {
            log.line(&format!("expected answers from {}", path.display()));
            read_expected(path)?
        }
        None => Default::default(),
    };
    let options = BenchOptions {
        time_limit: args.time_limit,
        shift_s: args.shift,
        peer_logs: args.peer_logs.clone(),
        expected,
        runner: Some(Box::new(run_in_child)),
    };
    let results = run_bench(&instances, &options, &log)?;
    write_tables(&results, out)?;
    for line in summarise(&results) {
        let sgm = line.sgm_time_s.map_or("-".to_string(), |t| format!("{t:.4}"));
        let ratio = line
            .relumip_ratio
            .map_or(String::new(), |r| format!(", relumip/{} {r:.2}", line.solver));
        let both = line.relumip_ratio_both_solved.map_or(String::new(), |r| {
            format!(" ({r:.2} over the {} both solved)", line.both_solved)
        });
        log.line(&format!(
            "{}: {}/{} solved, {} wrong, shifted geometric mean {sgm} s{ratio}{both}",
            line.solver, line.solved, line.instances, line.wrong
        ));
    }
    log.line(&format!("wrote {}/results.csv and results.md", out.display()));
    Ok(ExitCode::SUCCESS)
}

/// Runs an instance file (`relumip run`) or a VNN-COMP line (`relumip verify`) in a child process of this
/// executable, exactly as the user would, and reads its `--json` result; a crash of the child becomes an
/// error row instead of ending the benchmark.
fn run_in_child(instance: &BenchInstance, limit: Option<f64>) -> relumip::error::Result<InstanceOutcome> {
    let exe = std::env::current_exe().map_err(|e| Error::Unsupported(format!("own executable: {e}")))?;
    let mut command = std::process::Command::new(exe);
    match &instance.source {
        InstanceSource::InstanceFile(file) => command.arg("run").arg(file),
        InstanceSource::VnnComp {
            network, property, ..
        } => command.arg("verify").arg(network).arg(property),
        InstanceSource::Mps(file) => command.arg("solve").arg(file),
    };
    command.args(["--quiet", "--json", "-"]);
    if let Some(l) = limit {
        command.arg("--time-limit").arg(l.to_string());
    }
    let output = command
        .output()
        .map_err(|e| Error::Unsupported(format!("cannot start relumip: {e}")))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: ResultReport = serde_json::from_str(&stdout).map_err(|_| {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().last().unwrap_or("no message").to_string();
        Error::Unsupported(format!("relumip exited with {}: {last}", output.status))
    })?;
    // Which way the objective goes (decides which side a bound may not cross); verify has none.
    let mode = report.extra.get("mode").and_then(|m| m.as_str()).unwrap_or("");
    let minimize = match report.command.as_str() {
        "adversarial" => Some(true),
        "compare" => Some(mode == "mineps"),
        "maximize" => Some(false),
        _ => None,
    };
    Ok(InstanceOutcome { report, minimize })
}

/// `reference.csv` or `expected.csv` in the set's folder or the one above.
fn default_expected(set: &Path) -> Option<PathBuf> {
    let folder = if set.is_dir() {
        set.to_path_buf()
    } else {
        set.parent()?.to_path_buf()
    };
    let candidates = [
        folder.clone(),
        folder.parent().map(Path::to_path_buf).unwrap_or_default(),
    ];
    candidates
        .iter()
        .flat_map(|f| [f.join("reference.csv"), f.join("expected.csv")])
        .find(|p| p.is_file())
}
