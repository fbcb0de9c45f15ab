//! `relumip export`: the written MPS is the model relumip solves (read back identically), and solving
//! the file with the generic tree gives the optimum of the network question, checked by enumeration.

mod common;

use relumip::io::mps::read_mps;
use relumip::log::Log;
use relumip::mip::{solve_mip, MipOptions, MipStatus};
use relumip::nn::{write_onnx, Layer, Network};
use std::process::Command;

/// y = relu(x0 + x1 - 0.5) - relu(x0 - x1), inputs in [0, 1]^2.
fn tiny_network() -> Network {
    Network::new(vec![
        Layer::new(2, 2, vec![1.0, 1.0, 1.0, -1.0], vec![-0.5, 0.0], true).unwrap(),
        Layer::new(2, 1, vec![1.0, -1.0], vec![0.0], false).unwrap(),
    ])
    .unwrap()
}

#[test]
fn exported_model_solves_to_the_networks_maximum() {
    let dir = tempfile::tempdir().unwrap();
    let net_path = dir.path().join("tiny.onnx");
    write_onnx(&tiny_network(), &net_path).unwrap();
    // Unsafe set: Y_0 >= 0.6. The export maximises the slack Y_0 - 0.6.
    let vnnlib = dir.path().join("p.vnnlib");
    std::fs::write(
        &vnnlib,
        "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n\
         (assert (>= X_0 0.0))\n(assert (<= X_0 1.0))\n(assert (>= X_1 0.0))\n(assert (<= X_1 1.0))\n\
         (assert (>= Y_0 0.6))\n",
    )
    .unwrap();
    let out = dir.path().join("model.mps");
    let status = Command::new(common::relumip_bin())
        .args(["export"])
        .arg(&net_path)
        .arg(&vnnlib)
        .arg("-o")
        .arg(&out)
        .args(["--cuts", "none"])
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let model = read_mps(&out).unwrap();
    assert!(model.problem.col_names.iter().any(|n| n.starts_with("z_1_")));
    let mip = relumip::mip::MipProblem {
        lp: model.problem,
        integer: model.integer,
    };
    let result = solve_mip(
        &mip,
        MipOptions {
            gap_rel: 0.0,
            gap_abs: 1e-9,
            ..MipOptions::default()
        },
        Log::quiet(),
    )
    .unwrap();
    assert_eq!(result.status, MipStatus::Optimal);
    // The network's maximum by a fine grid (the optimum, 0.5, lies on the grid).
    let net = tiny_network();
    let mut best = f64::NEG_INFINITY;
    for i in 0..=200 {
        for j in 0..=200 {
            let y = net.forward(&[i as f64 / 200.0, j as f64 / 200.0])[0];
            best = best.max(y);
        }
    }
    let objective = result.objective.unwrap();
    assert!(
        (objective - (best - 0.6)).abs() < 1e-6,
        "MPS optimum {objective}, grid {}",
        best - 0.6
    );
}

#[test]
fn every_shipped_network_exports_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    for net in ["breast-cancer-16-8.onnx", "digits-32-16.onnx"] {
        let net_path = common::crate_path(&format!("instances/{net}"));
        let n = relumip::nn::load_network(&net_path).unwrap();
        let mut text = String::new();
        for i in 0..n.input_size() {
            text += &format!("(declare-const X_{i} Real)\n");
        }
        for j in 0..n.output_size() {
            text += &format!("(declare-const Y_{j} Real)\n");
        }
        for i in 0..n.input_size() {
            text += &format!("(assert (>= X_{i} 0.4))\n(assert (<= X_{i} 0.45))\n");
        }
        text += "(assert (>= Y_1 Y_0))\n";
        let vnnlib = dir.path().join("p.vnnlib");
        std::fs::write(&vnnlib, text).unwrap();
        let status = Command::new(common::relumip_bin())
            .arg("export")
            .arg(&net_path)
            .arg(&vnnlib)
            .arg("-o")
            .arg(dir.path().join("m.mps"))
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{net}: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        let back = read_mps(&dir.path().join("m.mps")).unwrap();
        assert!(back.problem.num_rows() > 0, "{net}");
    }
}
