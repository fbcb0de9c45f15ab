//! `relumip verify NET --label C` with domain flags: robustness of a class over a ball, answers derivable on paper.

mod common;

use relumip::nn::{write_onnx, Layer, Network};
use std::process::Command;

/// y0 = relu(x), y1 = relu(1 - x): class 1 wins exactly where x < 0.5.
fn net() -> Network {
    Network::new(vec![
        Layer::new(1, 2, vec![1.0, -1.0], vec![0.0, 1.0], true).unwrap(),
        Layer::new(2, 2, vec![1.0, 0.0, 0.0, 1.0], vec![0.0, 0.0], false).unwrap(),
    ])
    .unwrap()
}

fn verify(label: &str, eps: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.onnx");
    write_onnx(&net(), &path).unwrap();
    let center = dir.path().join("c.csv");
    std::fs::write(&center, "0.2\n").unwrap();
    let out = Command::new(common::relumip_bin())
        .arg("verify")
        .arg(&path)
        .args([
            "--label", label, "--linf", eps, "--quiet", "--json", "-", "--center",
        ])
        .arg(&center)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["status"].as_str().unwrap().to_string()
}

#[test]
fn class_robust_inside_its_region_and_not_beyond() {
    // x in [0.1, 0.3]: class 1 always wins.
    assert_eq!(verify("1", "0.1"), "unsat");
    assert_eq!(verify("0", "0.1"), "sat");
    // x in [0, 0.6]: at x >= 0.5 class 0 reaches class 1.
    assert_eq!(verify("1", "0.4"), "sat");
}
