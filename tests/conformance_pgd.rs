//! PGD on the VNN-COMP 2021 MNIST-FC instances known to be `sat`: the attack must find confirmed counterexamples
//! on most of them, quickly; and it must never claim one on an `unsat` instance.

mod common;

use relumip::heuristics::{find_counterexample, PgdOptions};
use relumip::nn::load_network;
use relumip::spec::read_vnnlib;
use std::time::{Duration, Instant};

fn expected(shared: &std::path::Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(shared.join("benchmarks/vnncomp2021/expected.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0] == "mnistfc").then(|| (f[1].to_string(), f[2].to_string(), f[4].to_string()))
        })
        .collect()
}

fn attack(dir: &std::path::Path, onnx: &str, vnnlib: &str, seconds: f64) -> (bool, f64) {
    let net = load_network(&dir.join(onnx)).unwrap();
    let prop = read_vnnlib(&dir.join(vnnlib)).unwrap();
    let start = Instant::now();
    let options = PgdOptions {
        time_limit: Some(Duration::from_secs_f64(seconds)),
        ..PgdOptions::default()
    };
    let mut found = false;
    for region in &prop.regions {
        if let Some(cex) = find_counterexample(&net, &region.domain, &region.output, &options) {
            // Independent re-check: the box and the disjunct, with a fresh forward pass.
            assert!(region.domain.contains(&cex.input, 0.0));
            let y = net.forward(&cex.input);
            assert!(region.output.disjuncts[cex.disjunct]
                .iter()
                .all(|c| c.slack(&y) <= 0.0));
            found = true;
            break;
        }
    }
    (found, start.elapsed().as_secs_f64())
}

#[test]
#[ignore = "reads the MNIST-FC networks; a few seconds per instance"]
fn pgd_finds_counterexamples_on_sat_mnistfc_instances() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = shared.join("benchmarks/vnncomp2021/mnistfc");
    let (mut sat, mut found, mut total_time) = (0, 0, 0.0);
    for (k, (onnx, vnnlib, answer)) in expected(&shared).into_iter().enumerate() {
        // Every sat instance; one unsat instance in four (none may yield a counterexample).
        if !(answer == "sat" || (answer == "unsat" && k % 4 == 0)) {
            continue;
        }
        let (ok, t) = attack(&dir, &onnx, &vnnlib, 2.0);
        total_time += t;
        eprintln!("{onnx} {vnnlib} expected {answer}: found {ok} in {t:.3} s");
        assert!(
            !(ok && answer == "unsat"),
            "counterexample on an unsat instance {onnx} {vnnlib}"
        );
        if answer == "sat" {
            sat += 1;
            found += ok as usize;
        }
    }
    eprintln!("found {found} of {sat} sat instances; {total_time:.1} s in all");
    assert!(found * 10 >= sat * 6, "found only {found} of {sat}");
}
