//! Bad input through the real binary: exit code 2 and a one-line message naming the file and the place.
//! Then random bytes and strings into every parser: an error or a value, never a panic.

mod common;

use proptest::prelude::*;
use prost::Message;
use relumip::nn::onnx_proto::*;
use relumip::nn::{encode_onnx, Layer, Network};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `relumip ARGS` and checks: exit code 2, one line on standard error containing every `needle`.
fn fails_with(args: &[&str], needles: &[&str]) {
    let out = Command::new(common::relumip_bin()).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "relumip {args:?}: {stderr}");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "relumip {args:?}: not one line: {stderr}"
    );
    for n in needles {
        assert!(
            stderr.contains(n),
            "relumip {args:?}: '{n}' missing from: {stderr}"
        );
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let p: PathBuf = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

fn small_net() -> Network {
    Network::new(vec![
        Layer::new(
            2,
            3,
            vec![1.0, -1.0, 0.5, 2.0, 0.0, 1.0],
            vec![0.0, 0.5, -0.5],
            true,
        )
        .unwrap(),
        Layer::new(3, 2, vec![1.0, 1.0, 1.0, -1.0, 0.5, 0.25], vec![0.0, 1.0], false).unwrap(),
    ])
    .unwrap()
}

fn one_node_model(op: &str, init: TensorProto) -> Vec<u8> {
    let info = |name: &str, dims: &[i64]| ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TypeProtoTensor {
                elem_type: data_type::FLOAT,
                shape: Some(TensorShapeProto {
                    dim: dims
                        .iter()
                        .map(|&d| Dimension {
                            dim_value: Some(d),
                            dim_param: None,
                        })
                        .collect(),
                }),
            }),
        }),
    };
    ModelProto {
        ir_version: 8,
        graph: Some(GraphProto {
            node: vec![NodeProto {
                input: vec!["x".into(), init.name.clone()],
                output: vec!["y".into()],
                name: "layer1".into(),
                op_type: op.into(),
                attribute: vec![AttributeProto {
                    name: "transB".into(),
                    r#type: attribute_type::INT,
                    i: 1,
                    ..Default::default()
                }],
                ..Default::default()
            }],
            initializer: vec![init],
            input: vec![info("x", &[1, 2])],
            output: vec![info("y", &[1, 1])],
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

fn weights(values: &[f32]) -> TensorProto {
    TensorProto {
        dims: vec![1, values.len() as i64],
        data_type: data_type::FLOAT,
        name: "W".into(),
        float_data: values.to_vec(),
        ..Default::default()
    }
}

#[test]
fn bad_networks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = encode_onnx(&small_net()).0;
    let truncated = write(d, "truncated.onnx", &good[..good.len() - 7]);
    fails_with(
        &["info", &truncated],
        &["truncated.onnx", "protobuf data", "not a valid ONNX model"],
    );
    let garbage = write(d, "garbage.onnx", b"\xff\xff\xff\xff not onnx at all");
    fails_with(&["info", &garbage], &["garbage.onnx", "protobuf data"]);
    let conv = write(d, "conv.onnx", one_node_model("Conv", weights(&[1.0, 2.0])));
    fails_with(
        &["info", &conv],
        &["conv.onnx", "node 'layer1' (Conv)", "unsupported operator Conv"],
    );
    let nan = write(d, "nan.onnx", one_node_model("Gemm", weights(&[1.0, f32::NAN])));
    fails_with(
        &["info", &nan],
        &["nan.onnx", "initializer 'W'", "element 1 is NaN"],
    );
    let inf = write(
        d,
        "inf.onnx",
        one_node_model("Gemm", weights(&[f32::INFINITY, 1.0])),
    );
    fails_with(
        &["eval", &inf, "--input", "x.csv"],
        &["inf.onnx", "initializer 'W'", "inf"],
    );
    let missing = d.join("missing.onnx").to_string_lossy().into_owned();
    fails_with(&["info", &missing], &["missing.onnx", "No such file"]);
    fails_with(
        &["info", &write(d, "net.txt", "x")],
        &["net.txt", "unknown network format"],
    );

    let nnet = "// tiny\n1,2,1,2,\n2,1,\n0,\n0,0,\n1,1,\n0,0,0,\n1,1,1,\n1.0,2.0,\n0.5,\n";
    let missing_row = write(d, "missing_row.nnet", nnet.replace("1.0,2.0,\n", ""));
    fails_with(
        &["info", &missing_row],
        &["missing_row.nnet", "line 9", "expected 2 values"],
    );
    let nan_weight = write(d, "nan.nnet", nnet.replace("2.0", "nan"));
    fails_with(&["info", &nan_weight], &["nan.nnet", "line 9", "not finite"]);
}

#[test]
fn bad_properties_instances_and_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let decl = "(declare-const X_0 Real)\n(declare-const Y_0 Real)\n";
    let unknown = write(
        d,
        "unknown.vnnlib",
        format!("{decl}(assert (<= X_0 1))\n(assert (>= X_1 0))\n"),
    );
    fails_with(
        &["info", &unknown],
        &["unknown.vnnlib", "line 4", "unknown variable 'X_1'"],
    );
    let open = write(
        d,
        "open.vnnlib",
        format!("{decl}(assert (<= X_0 1)\n(assert (>= X_0 0))\n"),
    );
    fails_with(
        &["info", &open],
        &["open.vnnlib", "line 3", "unbalanced parentheses"],
    );
    let unbounded = write(d, "unbounded.vnnlib", format!("{decl}(assert (<= X_0 1))\n"));
    fails_with(
        &["info", &unbounded],
        &["unbounded.vnnlib", "line 1", "no lower bound"],
    );

    let toml = write(
        d,
        "wrong.toml",
        "[network]\npath = \"a.onnx\"\n[task]\nkind = \"bounds\"\nmethod = 3\n",
    );
    fails_with(
        &["info", &toml],
        &["wrong.toml", "line 5 (task.method)", "invalid type"],
    );

    let net = write(d, "net.onnx", encode_onnx(&small_net()).0);
    let short = write(d, "short.csv", "0.1,0.2\n0.3\n");
    fails_with(
        &["eval", &net, "--input", &short],
        &["short.csv", "line 2", "1 values"],
    );
    let wide = write(d, "wide.csv", "0.1,0.2,0.3\n");
    fails_with(
        &["eval", &net, "--input", &wide],
        &["wide.csv", "line 1", "expected 2"],
    );
    let nan = write(d, "nan.csv", "0.1,0.2\n0.3,NaN\n");
    fails_with(
        &["eval", &net, "--input", &nan],
        &["nan.csv", "line 2", "column 2", "not a finite number"],
    );
    let inf = write(d, "inf.csv", "-inf,0.2\n");
    fails_with(
        &["eval", &net, "--input", &inf],
        &["inf.csv", "line 1", "not a finite number"],
    );
    let empty = write(d, "empty.csv", "");
    fails_with(&["eval", &net, "--input", &empty], &["empty.csv", "no data rows"]);
    let nofile = d.join("none.csv").to_string_lossy().into_owned();
    fails_with(&["eval", &net, "--input", &nofile], &["none.csv"]);
}

#[test]
fn eval_prints_one_line_per_row_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let net = write(d, "net.onnx", encode_onnx(&small_net()).0);
    let input = write(d, "x.csv", "4,0.5,-1\n2,1,2\n");
    let out = Command::new(common::relumip_bin())
        .args(["eval", &net, "--input", &input, "--label-first", "--json", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected: Vec<Vec<f64>> = [[0.5, -1.0], [1.0, 2.0]]
        .iter()
        .map(|x| small_net().forward(x))
        .collect();
    assert_eq!(json["outputs"], serde_json::json!(expected));
    let lines = String::from_utf8_lossy(&out.stderr).lines().count();
    assert_eq!(lines, 2);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn onnx_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = relumip::nn::decode_onnx(&bytes, Path::new("fuzz.onnx"));
    }

    #[test]
    fn onnx_reader_survives_corrupted_models(cut in 0usize..200, flips in proptest::collection::vec((0usize..200, any::<u8>()), 0..6)) {
        let mut bytes = encode_onnx(&small_net()).0;
        for (at, v) in flips {
            let n = bytes.len();
            bytes[at % n] = v;
        }
        bytes.truncate(bytes.len().saturating_sub(cut % 20));
        let _ = relumip::nn::decode_onnx(&bytes, Path::new("fuzz.onnx"));
    }

    #[test]
    fn text_readers_never_panic(text in "[-0-9a-zX_Y(). ;,=\\[\\]\"\n<>+*/e]{0,300}") {
        let _ = relumip::nn::parse_nnet(&text, Path::new("fuzz.nnet"));
        let _ = relumip::spec::parse_vnnlib(&text, Path::new("fuzz.vnnlib"));
        let _ = relumip::io::csv::parse_csv_inputs(&text, Path::new("fuzz.csv"), true);
        let _ = relumip::io::csv::parse_csv_inputs(&text, Path::new("fuzz.csv"), false);
        let _ = relumip::io::instance::parse_instance(&text, Path::new("fuzz.toml"));
    }

    #[test]
    fn vnnlib_reader_on_shuffled_tokens(tokens in proptest::collection::vec(prop_oneof![
        Just("("), Just(")"), Just("assert"), Just("declare-const"), Just("X_0"), Just("Y_0"), Just("X_1"),
        Just("Real"), Just("<="), Just(">="), Just("and"), Just("or"), Just("+"), Just("-"), Just("*"),
        Just("1.5"), Just("-2e3"), Just("\n"), Just("; c\n"),
    ], 0..80)) {
        let text = tokens.join(" ");
        let _ = relumip::spec::parse_vnnlib(&text, Path::new("fuzz.vnnlib"));
    }

    #[test]
    fn nnet_reader_on_number_soup(lines in proptest::collection::vec("[-0-9.,e]{0,20}", 0..20)) {
        let text = format!("2,2,1,2,\n2,2,1,\n{}", lines.join("\n"));
        let _ = relumip::nn::parse_nnet(&text, Path::new("fuzz.nnet"));
    }
}
