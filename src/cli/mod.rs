//! Clap commands mapping flags onto options and tasks; nothing else lives here.

mod adversarial;
mod bench;
mod bounds;
mod common;
mod compare;
mod eval;
mod export;
mod info;
mod maximize;
mod prune;
mod run;
mod solve;
mod verify;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// A usage problem (exit code 2): a flag combination that makes no sense, or a command not yet available.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

#[derive(Parser)]
#[command(
    name = "relumip",
    version,
    about = "A MILP solver specialised for trained ReLU networks",
    long_about = "relumip answers questions about trained ReLU networks (ONNX or .nnet) with its own \
                  dual simplex and branch-and-bound: verification, adversarial examples, maximisation, \
                  network comparison, activation bounds and pruning.\n\n\
                  Example: relumip run instances/mnist-15-15-maximize.toml"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Solve an instance file (TOML): the main job.
    Run(run::RunArgs),
    /// Decide a VNN-LIB property (sat = counterexample) or robustness of a class over a domain.
    Verify(verify::VerifyArgs),
    /// Find the input in the domain that maximises a linear function of the outputs.
    Maximize(maximize::MaximizeArgs),
    /// Find the smallest change to an input that makes the network choose a target class.
    Adversarial(adversarial::AdversarialArgs),
    /// Compare two networks on one input domain.
    Compare(compare::CompareArgs),
    /// Pre-activation bounds of every neuron.
    Bounds(bounds::BoundsArgs),
    /// Zero small weights and write the pruned network as ONNX.
    Prune(prune::PruneArgs),
    /// Solve an LP or MILP from an MPS file.
    Solve(solve::SolveArgs),
    /// Write the exact MILP the engine would solve, as MPS.
    Export(export::ExportArgs),
    /// Forward pass: one output line per input row.
    Eval(eval::EvalArgs),
    /// Layers, sizes, parameter counts, input/output shape.
    Info(info::InfoArgs),
    /// Run an instance set and compare with peer solver logs, or read one log.
    Bench(bench::BenchArgs),
}

/// Parses the command line and runs the command.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(a) => run::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Maximize(a) => maximize::run(a),
        Command::Adversarial(a) => adversarial::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Bounds(a) => bounds::run(a),
        Command::Prune(a) => prune::run(a),
        Command::Solve(a) => solve::run(a),
        Command::Export(a) => export::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Info(a) => info::run(a),
        Command::Bench(a) => bench::run(a),
    }
}
