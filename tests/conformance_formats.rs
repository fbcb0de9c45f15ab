//! Formats against ../shared: the 45 ACAS Xu networks in ONNX and .nnet agree, every benchmark network loads,
//! every VNN-LIB file parses with its network's dimensions, and `relumip eval` reproduces onnxruntime.
//!
//! Tolerances are relative to the size of the output vector, `|a - b| <= tol * max(1, ||b||_inf)`: outputs near
//! zero come from cancellation, where an element-wise relative error says nothing about the reader.

mod common;

use relumip::nn::{load_network, read_nnet, read_onnx, Network};
use relumip::spec::read_vnnlib;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A small deterministic generator (xorshift64*), uniform in [0, 1).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545F4914F6CDD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn max_scaled_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(1.0_f64, |m, v| m.max(v.abs()));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / scale)
        .fold(0.0, f64::max)
}

/// The ONNX files hold exactly the float32 roundings of the .nnet weights (checked bit for bit below), so the
/// outputs differ by that rounding (6e-8 relative per weight) carried through seven layers: below 1e-7 on 99.9%
/// of inputs, below 1e-6 on all but a handful, at most 1.5e-6 (network 1_2) in 450,000 samples measured.
/// Hence: every output within 2e-6, and at most 0.1% of inputs beyond 1e-6.
const ACAS_TOL: f64 = 2e-6;

#[test]
fn acasxu_onnx_and_nnet_agree_on_1000_inputs_each() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let bench = shared.join("benchmarks");
    let mut rng = Rng(0x5EED_ACA5);
    let mut compared = 0;
    let mut beyond_1e6 = 0;
    for i in 1..=5 {
        for j in 1..=9 {
            let name = format!("ACASXU_run2a_{i}_{j}_batch_2000");
            let onnx = read_onnx(&bench.join(format!("vnncomp2021/acasxu/{name}.onnx"))).unwrap();
            let nnet = read_nnet(&bench.join(format!("acasxu-nnet/{name}.nnet"))).unwrap();
            let raw_net = nnet.with_normalisation().unwrap();
            let (_, out_range) = nnet.output_scaling();
            for (a, b) in onnx.layers().iter().zip(nnet.normalised().layers()) {
                let rounded = |v: &[f64]| v.iter().map(|&w| w as f32 as f64).collect::<Vec<_>>();
                assert_eq!(a.weights(), rounded(b.weights()).as_slice(), "{name}: weights");
                assert_eq!(a.bias(), rounded(b.bias()).as_slice(), "{name}: biases");
            }
            let (lo, hi) = nnet.normalised_box();
            let (mean, range) = (nnet.input_mean(), nnet.input_range());
            for _ in 0..1000 {
                // A normalised input inside the header's box, so .nnet tools would not clip it.
                let x: Vec<f64> = (0..5).map(|k| lo[k] + (hi[k] - lo[k]) * rng.next()).collect();
                let y_onnx = onnx.forward(&x);
                let y_nnet = nnet.normalised().forward(&x);
                let d = max_scaled_diff(&y_nnet, &y_onnx);
                assert!(
                    d <= ACAS_TOL,
                    "{name}: normalised outputs differ by {d:e} at {x:?}"
                );
                beyond_1e6 += usize::from(d > 1e-6);

                // Raw input in, raw output out: equals the ONNX output on the normalised input, scaled back.
                // The tolerance is the one above carried through the output scaling y * range + mean.
                let raw: Vec<f64> = (0..5).map(|k| x[k] * range[k] + mean[k]).collect();
                let back = nnet.normalise_input(&raw);
                assert!(
                    max_scaled_diff(&back, &x) <= 1e-12,
                    "{name}: clipping changed an inside input"
                );
                let y_raw = raw_net.forward(&raw);
                let y_expected = nnet.scale_output(&y_onnx);
                let scale = y_onnx.iter().fold(1.0_f64, |m, v| m.max(v.abs()));
                for k in 0..5 {
                    let diff = (y_raw[k] - y_expected[k]).abs();
                    assert!(
                        diff <= ACAS_TOL * out_range * scale,
                        "{name}: raw output {k} differs by {diff:e} at {raw:?}"
                    );
                }
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 45_000);
    assert!(
        beyond_1e6 <= 45,
        "{beyond_1e6} of 45,000 inputs differ by more than 1e-6"
    );
}

fn onnx_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "onnx"))
        .collect();
    files.sort();
    files
}

#[test]
fn mnistfc_and_project_networks_load() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let mnistfc = onnx_files(&shared.join("benchmarks/vnncomp2021/mnistfc"));
    assert_eq!(mnistfc.len(), 3);
    for path in &mnistfc {
        let net = load_network(path).unwrap();
        assert_eq!(
            (net.input_size(), net.output_size()),
            (784, 10),
            "{}",
            path.display()
        );
        assert!(net.layers()[..net.layers().len() - 1]
            .iter()
            .all(|l| l.outputs() == 256 && l.has_relu()));
    }
    let nets = onnx_files(&shared.join("nets"));
    assert!(nets.len() >= 5);
    for path in &nets {
        let net = load_network(path).unwrap();
        assert!(!net.layers().last().unwrap().has_relu(), "{}", path.display());
    }
}

/// Every .vnnlib file under `dir`, recursively.
fn vnnlib_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            vnnlib_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "vnnlib") {
            out.push(path);
        }
    }
}

#[test]
fn every_vnnlib_parses_with_its_networks_dimensions() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let bench = shared.join("benchmarks");
    let mut all = Vec::new();
    vnnlib_files(&bench, &mut all);
    assert!(all.len() >= 40);
    let mut checked = std::collections::HashSet::new();
    for set in ["acasxu", "mnistfc"] {
        let dir = bench.join("vnncomp2021").join(set);
        let listing = std::fs::read_to_string(dir.join(format!("{set}_instances.csv"))).unwrap();
        let mut nets: std::collections::HashMap<String, Network> = Default::default();
        for line in listing.lines().filter(|l| !l.trim().is_empty()) {
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            let net = nets
                .entry(fields[0].to_string())
                .or_insert_with(|| load_network(&dir.join(fields[0])).unwrap());
            let path = dir.join(fields[1]);
            let prop = read_vnnlib(&path).unwrap();
            assert_eq!(prop.inputs, net.input_size(), "{line}");
            assert_eq!(prop.outputs, net.output_size(), "{line}");
            assert!(!prop.regions.is_empty(), "{line}");
            for r in &prop.regions {
                assert_eq!(r.domain.dim(), net.input_size(), "{line}");
                assert!(!r.output.disjuncts.is_empty(), "{line}");
            }
            checked.insert(path);
        }
    }
    for path in &all {
        if !checked.contains(path) {
            let prop = read_vnnlib(path).unwrap();
            assert!(
                prop.regions.iter().all(|r| r.domain.dim() == prop.inputs),
                "{}",
                path.display()
            );
        }
    }
}

fn read_rows(path: &Path) -> Vec<Vec<f64>> {
    relumip::io::csv::read_csv_inputs(path, false).unwrap().rows
}

#[test]
fn eval_agrees_with_onnxruntime_reference_outputs() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let reference = shared.join("benchmarks/forward-reference");
    let mut names: Vec<String> = std::fs::read_dir(&reference)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".inputs.csv").map(str::to_string)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 53, "{names:?}");
    for name in names {
        let candidates = [
            shared.join(format!("benchmarks/vnncomp2021/acasxu/{name}.onnx")),
            shared.join(format!("benchmarks/vnncomp2021/mnistfc/{name}.onnx")),
            shared.join(format!("nets/{name}.onnx")),
        ];
        let net = candidates
            .iter()
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("no network for {name}"));
        let inputs = reference.join(format!("{name}.inputs.csv"));
        let out = Command::new(common::relumip_bin())
            .arg("eval")
            .arg(net)
            .arg("--input")
            .arg(&inputs)
            .args(["--json", "-"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let ours: Vec<Vec<f64>> = serde_json::from_value(json["outputs"].clone()).unwrap();
        let expected = read_rows(&reference.join(format!("{name}.outputs.csv")));
        assert_eq!(ours.len(), expected.len(), "{name}");
        for (row, (a, b)) in ours.iter().zip(&expected).enumerate() {
            let d = max_scaled_diff(a, b);
            assert!(d <= 1e-5, "{name} row {row}: differs from onnxruntime by {d:e}");
        }
    }
}
