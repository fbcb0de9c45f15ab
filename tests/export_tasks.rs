//! Export round trips for every task kind: `relumip solve` on the exported file(s) gives the optimum that
//! `relumip run` (or the task's command) finds, on each instance file of `instances/` and on random small
//! networks.

mod common;

use relumip::nn::{write_onnx, Layer, Network};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs relumip with `args` and `--quiet --json -`, returning the result JSON.
fn json_of(args: &[&str]) -> Value {
    let out = Command::new(common::relumip_bin())
        .args(args)
        .args(["--quiet", "--json", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "relumip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Exports with `args` (then `-o OUT`) and returns the files written (one per MILP).
fn export(args: &[&str], out: &Path) -> Vec<PathBuf> {
    let status = Command::new(common::relumip_bin())
        .arg("export")
        .args(args)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "export {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let stem = out.file_stem().unwrap().to_string_lossy().to_string();
    let mut files: Vec<PathBuf> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            name == format!("{stem}.mps") || (name.starts_with(&format!("{stem}.")) && name.ends_with(".mps"))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "export {args:?} wrote nothing");
    files
}

/// The optimum over the exported files: the best of the solved ones (`minimize` picks the side), `None` when
/// every file is infeasible.
fn solved_optimum(files: &[PathBuf], minimize: bool) -> Option<f64> {
    let mut best: Option<f64> = None;
    for f in files {
        let r = json_of(&["solve", f.to_str().unwrap()]);
        match r["status"].as_str().unwrap() {
            "infeasible" => continue,
            "optimal" => {}
            other => panic!("{}: status {other}", f.display()),
        }
        let v = r["objective"].as_f64().unwrap();
        best = Some(match best {
            None => v,
            Some(b) if minimize => b.min(v),
            Some(b) => b.max(v),
        });
    }
    best
}

fn assert_same(task: &str, run: &Value, exported: Option<f64>) {
    match (run["status"].as_str().unwrap(), exported) {
        ("optimal", Some(v)) => {
            let o = run["objective"].as_f64().unwrap();
            // The adversarial model asks for the margin plus 1e-6 (MARGIN_SAFETY): allow that much more.
            assert!(
                (o - v).abs() <= 1e-5 * o.abs().max(1.0),
                "{task}: run {o}, exported files {v}"
            );
        }
        ("infeasible", None) => {}
        (status, v) => panic!("{task}: run says {status}, exported files give {v:?}"),
    }
}

#[test]
fn every_instance_file_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    for (name, minimize) in [
        ("mnist-15-15-maximize", false),
        ("breast-cancer-adversarial", true),
        ("digits-compare-maxdiff", false),
        ("digits-verify-maxdiff", false),
    ] {
        let file = common::crate_path(&format!("instances/{name}.toml"));
        let file = file.to_str().unwrap();
        let files = export(&[file], &dir.path().join(format!("{name}.mps")));
        let run = json_of(&["run", file]);
        assert_same(name, &run, solved_optimum(&files, minimize));
    }
    // verify: one MILP per other class, each maximising its slack; unsat when every maximum is < 0.
    let file = common::crate_path("instances/digits-verify-label.toml");
    let file = file.to_str().unwrap();
    let files = export(&[file], &dir.path().join("label.mps"));
    assert_eq!(files.len(), 9);
    let most = solved_optimum(&files, false).unwrap();
    let answer = if most >= 0.0 { "sat" } else { "unsat" };
    assert_eq!(json_of(&["run", file])["status"], answer, "largest slack {most}");
}

/// A random dense ReLU network (xorshift, fixed seed) with `sizes` = inputs, hidden..., outputs.
fn random_network(seed: u64, sizes: &[usize]) -> Network {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let mut layers = Vec::new();
    for k in 0..sizes.len() - 1 {
        let (n, m) = (sizes[k], sizes[k + 1]);
        let weights: Vec<f64> = (0..n * m).map(|_| next()).collect();
        let bias: Vec<f64> = (0..m).map(|_| 0.3 * next()).collect();
        layers.push(Layer::new(n, m, weights, bias, k + 2 < sizes.len()).unwrap());
    }
    Network::new(layers).unwrap()
}

#[test]
fn random_networks_round_trip_for_every_task() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("x0.csv"), "0.5,0.4,0.6\n").unwrap();
    let x0 = d.join("x0.csv");
    let x0 = x0.to_str().unwrap();
    for seed in 1..=2u64 {
        let a = d.join(format!("a{seed}.onnx"));
        let b = d.join(format!("b{seed}.onnx"));
        write_onnx(&random_network(seed, &[3, 6, 5, 3]), &a).unwrap();
        write_onnx(&random_network(seed + 100, &[3, 6, 5, 3]), &b).unwrap();
        let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
        let box_flags = ["--lower", "0", "--upper", "1", "--cuts", "none"];

        let mut args = vec!["maximize", a, "--objective", "y0 - max_other"];
        args.extend(box_flags);
        let files = export(&args, &d.join(format!("max{seed}.mps")));
        assert_same(
            &format!("maximize {seed}"),
            &json_of(&args),
            solved_optimum(&files, false),
        );

        let mut args = vec!["adversarial", a, "--reference", x0, "--norm", "linf"];
        args.extend(box_flags);
        let files = export(&args, &d.join(format!("adv{seed}.mps")));
        let untargeted = json_of(&args);
        assert_same(
            &format!("adversarial {seed}"),
            &untargeted,
            solved_optimum(&files, true),
        );

        let target = ((untargeted["source"].as_u64().unwrap() + 1) % 3).to_string();
        let mut args = vec![
            "adversarial",
            a,
            "--reference",
            x0,
            "--norm",
            "l1",
            "--target",
            &target,
        ];
        args.extend(box_flags);
        let files = export(&args, &d.join(format!("advt{seed}.mps")));
        assert_same(
            &format!("adversarial l1 {seed}"),
            &json_of(&args),
            solved_optimum(&files, true),
        );

        for mode in ["maxdiff", "maxout"] {
            let mut args = vec!["compare", a, b, "--mode", mode, "--classes", "0,1"];
            args.extend(box_flags);
            let files = export(&args, &d.join(format!("{mode}{seed}.mps")));
            assert_same(
                &format!("{mode} {seed}"),
                &json_of(&args),
                solved_optimum(&files, false),
            );
        }
    }
}
