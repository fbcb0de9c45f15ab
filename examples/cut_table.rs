//! Benchmark of formulations and cuts (issue "Cuts and formulations"): root bound, final bound/gap or time, and
//! nodes for bigm, bigm+ideal (root only, root + tree global cuts, root + tree
//! local cuts), partition:2 and partition:4 on MNIST max-output and L-inf robustness instances.
//!
//! `cargo run --release --example cut_table -- [TIME_LIMIT_S] [FILTER] [CONFIGS]` (from the crate root,
//! `../shared` beside it; FILTER keeps instances whose name contains it, CONFIGS is a comma-separated list of
//! config labels, e.g. `"bigm+ideal root,bigm+ideal tree"`). Prints one markdown row per run.

use relumip::log::Log;
use relumip::lp::Sense;
use relumip::nn::{load_network, Network};
use relumip::options::{Branching, CutKind, CutTree, Formulation, SolverOptions};
use relumip::solver::{build_model, solve_model, SolveSetup};
use relumip::spec::{read_vnnlib, InputDomain};
use std::path::{Path, PathBuf};

/// One optimisation instance: a network, an input box, and an objective over the outputs.
struct Instance {
    name: String,
    net: Network,
    domain: InputDomain,
    /// `(output, coefficient)` terms.
    objective: Vec<(usize, f64)>,
    sense: Sense,
}

fn first_mnist_image(shared: &Path) -> (usize, Vec<f64>) {
    let text = std::fs::read_to_string(shared.join("data/mnist/sample100.csv")).expect("sample100.csv");
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .expect("a sample");
    let mut values = line
        .split(',')
        .map(|v| v.trim().parse::<f64>().expect("a number"));
    let label = values.next().expect("a label") as usize;
    (label, values.collect())
}

fn argmax_other(y: &[f64], label: usize) -> usize {
    (0..y.len())
        .filter(|&k| k != label)
        .max_by(|&a, &b| y[a].total_cmp(&y[b]))
        .unwrap_or(0)
}

/// Max-output (maximise the runner-up logit) and robustness (minimise label minus runner-up) over a box.
fn instances_for(
    name: &str,
    net: Network,
    domain: InputDomain,
    centre: &[f64],
    label: usize,
) -> Vec<Instance> {
    let y = net.forward(centre);
    let other = argmax_other(&y, label);
    vec![
        Instance {
            name: format!("{name} max y{other}"),
            net: net.clone(),
            domain: domain.clone(),
            objective: vec![(other, 1.0)],
            sense: Sense::Maximize,
        },
        Instance {
            name: format!("{name} margin y{label}-y{other}"),
            net,
            domain,
            objective: vec![(label, 1.0), (other, -1.0)],
            sense: Sense::Minimize,
        },
    ]
}

fn instances(shared: &Path) -> Vec<Instance> {
    let (label, image) = first_mnist_image(shared);
    let mut out = Vec::new();
    for (file, eps) in [
        ("mnist-15-15.onnx", 0.06),
        ("mnist-32-16.onnx", 0.03),
        ("mnist-50-50-50-l1.onnx", 0.03),
    ] {
        let net = load_network(&shared.join("nets").join(file)).expect("network");
        let domain = InputDomain::uniform(784, 0.0, 1.0)
            .unwrap()
            .intersect_linf(&image, eps)
            .unwrap();
        out.extend(instances_for(
            &format!("{file} eps {eps}"),
            net,
            domain,
            &image,
            label,
        ));
    }
    let dir = shared.join("benchmarks/vnncomp2021/mnistfc");
    let net = load_network(&dir.join("mnist-net_256x2.onnx")).expect("256x2");
    // The VNN-COMP property's box (its centre is the image; the label is the network's class there).
    {
        let prop = "prop_0_0.03.vnnlib";
        let property = read_vnnlib(&dir.join(prop)).expect("vnnlib");
        let domain = property.regions[0].domain.clone();
        let centre: Vec<f64> = domain
            .lower
            .iter()
            .zip(&domain.upper)
            .map(|(l, u)| 0.5 * (l + u))
            .collect();
        let y = net.forward(&centre);
        let label = (0..y.len()).max_by(|&a, &b| y[a].total_cmp(&y[b])).unwrap_or(0);
        out.extend(instances_for(
            &format!("256x2 {prop}"),
            net.clone(),
            domain,
            &centre,
            label,
        ));
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let time_limit: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20.0);
    let filter = args.get(2).cloned().unwrap_or_default();
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let configs: [(&str, Formulation, Vec<CutKind>, CutTree); 6] = [
        ("bigm", Formulation::BigM, vec![], CutTree::Off),
        (
            "bigm+ideal root",
            Formulation::BigM,
            vec![CutKind::Ideal],
            CutTree::Off,
        ),
        (
            "bigm+ideal tree",
            Formulation::BigM,
            vec![CutKind::Ideal],
            CutTree::Global,
        ),
        (
            "bigm+ideal local",
            Formulation::BigM,
            vec![CutKind::Ideal],
            CutTree::Local,
        ),
        ("partition:2", Formulation::Partition(2), vec![], CutTree::Off),
        ("partition:4", Formulation::Partition(4), vec![], CutTree::Off),
    ];
    let only: Vec<String> = args
        .get(3)
        .map(|s| s.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    println!("| instance | config | unstable | rows | root bound | status | objective | bound | gap | time s | nodes | cuts |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for inst in instances(&shared)
        .into_iter()
        .filter(|i| i.name.contains(&filter))
    {
        for (label, formulation, cuts, tree) in &configs {
            if !only.is_empty() && !only.iter().any(|o| o == label) {
                continue;
            }
            let options = SolverOptions {
                formulation: *formulation,
                cuts: cuts.clone(),
                cut_tree: *tree,
                time_limit: Some(time_limit),
                branching: Branching::Auto,
                ..SolverOptions::default()
            };
            let start = std::time::Instant::now();
            let mut model = match build_model(&inst.net, &inst.domain, &options) {
                Ok(m) => m,
                Err(e) => {
                    println!("| {} | {label} | build failed: {e} |", inst.name);
                    continue;
                }
            };
            let terms: Vec<(usize, f64)> = inst
                .objective
                .iter()
                .filter_map(|&(k, c)| model.output_col(k).map(|col| (col, c)))
                .collect();
            model.set_objective(inst.sense, &terms, 0.0);
            let result = solve_model(&model, &options, SolveSetup::default(), &Log::quiet());
            let elapsed = start.elapsed().as_secs_f64();
            match result {
                Ok(r) => println!(
                    "| {} | {label} | {} | {} | {} | {:?} | {} | {:.5} | {} | {:.1} | {} | {} |",
                    inst.name,
                    model.unstable_count(),
                    model.mip.lp.num_rows(),
                    r.stats.root_bound.map_or("-".into(), |b| format!("{b:.5}")),
                    r.status,
                    r.objective.map_or("-".into(), |o| format!("{o:.5}")),
                    r.bound,
                    r.gap().map_or("-".into(), |g| format!("{g:.2e}")),
                    elapsed,
                    r.stats.nodes,
                    r.stats.cuts_added
                ),
                Err(e) => println!("| {} | {label} | solve failed: {e} |", inst.name),
            }
        }
    }
}
