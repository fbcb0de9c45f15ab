//! Readers and writers on small hand-made inputs: ONNX (round trip, Gemm attributes, MatMul+Add,
//! normalisation nodes), VNN-LIB snippets, CSV, the instance TOML and the domain description.

use prost::Message;
use relumip::io::csv::parse_csv_inputs;
use relumip::io::instance::{parse_instance, NetworkSpec, Task, VerifyTarget};
use relumip::nn::onnx_proto::*;
use relumip::nn::{decode_onnx, encode_onnx, parse_nnet, write_onnx, Layer, Network, OnnxPrecision};
use relumip::options::{parse_cuts, CutKind, Formulation};
use relumip::spec::{parse_vnnlib, BoundSpec, DomainSpec, IntegerSpec, Norm};
use std::path::Path;

fn net(layers: &[(usize, usize, bool)], seed: u64) -> Network {
    let mut state = seed;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as f64 / (1u64 << 31) as f64) - 0.5
    };
    Network::new(
        layers
            .iter()
            .map(|&(i, o, relu)| {
                let w = (0..i * o).map(|_| next()).collect();
                let b = (0..o).map(|_| next()).collect();
                Layer::new(i, o, w, b, relu).unwrap()
            })
            .collect(),
    )
    .unwrap()
}

fn to_f32(n: &Network) -> Network {
    Network::new(
        n.layers()
            .iter()
            .map(|l| {
                let w = l.weights().iter().map(|&v| v as f32 as f64).collect();
                let b = l.bias().iter().map(|&v| v as f32 as f64).collect();
                Layer::new(l.inputs(), l.outputs(), w, b, l.has_relu()).unwrap()
            })
            .collect(),
    )
    .unwrap()
}

fn f32_tensor(name: &str, dims: &[i64], values: &[f32]) -> TensorProto {
    TensorProto {
        dims: dims.to_vec(),
        data_type: data_type::FLOAT,
        name: name.into(),
        raw_data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        ..Default::default()
    }
}

fn node(op: &str, inputs: &[&str], output: &str, attrs: Vec<AttributeProto>) -> NodeProto {
    NodeProto {
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        name: format!("{op}_{output}"),
        op_type: op.into(),
        attribute: attrs,
        ..Default::default()
    }
}

fn int_attr(name: &str, v: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::INT,
        i: v,
        ..Default::default()
    }
}

fn float_attr(name: &str, v: f32) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: attribute_type::FLOAT,
        f: v,
        ..Default::default()
    }
}

fn value_info(name: &str, dims: &[i64]) -> ValueInfoProto {
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TypeProtoTensor {
                elem_type: data_type::FLOAT,
                shape: Some(TensorShapeProto {
                    dim: dims
                        .iter()
                        .map(|&d| Dimension {
                            dim_value: (d > 0).then_some(d),
                            dim_param: (d <= 0).then(|| "batch".to_string()),
                        })
                        .collect(),
                }),
            }),
        }),
    }
}

fn model(nodes: Vec<NodeProto>, inits: Vec<TensorProto>, input: (&str, &[i64]), output: &str) -> Vec<u8> {
    ModelProto {
        ir_version: 7,
        graph: Some(GraphProto {
            node: nodes,
            initializer: inits,
            input: vec![value_info(input.0, input.1)],
            output: vec![value_info(output, &[1])],
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= tol * (1.0 + y.abs()))
}

#[test]
fn onnx_round_trip_is_exact_in_float32_and_float64() {
    let exact32 = to_f32(&net(&[(4, 6, true), (6, 3, true), (3, 2, false)], 1));
    let (bytes, precision) = encode_onnx(&exact32);
    assert_eq!(precision, OnnxPrecision::Float32);
    assert_eq!(decode_onnx(&bytes, Path::new("mem.onnx")).unwrap(), exact32);

    let full = net(&[(4, 6, true), (6, 2, false)], 2);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("full.onnx");
    assert_eq!(write_onnx(&full, &path).unwrap(), OnnxPrecision::Float64);
    assert_eq!(relumip::nn::load_network(&path).unwrap(), full);
}

#[test]
fn onnx_round_trip_of_a_network_ending_in_relu_gets_an_identity_output_layer() {
    let n = to_f32(&net(&[(3, 2, true)], 3));
    let back = decode_onnx(&encode_onnx(&n).0, Path::new("m.onnx")).unwrap();
    assert_eq!(back.layers()[0], n.layers()[0]);
    assert_eq!(back.layers().len(), 2);
    assert!(!back.layers()[1].has_relu());
    assert_eq!(back.forward(&[0.3, -0.2, 0.9]), n.forward(&[0.3, -0.2, 0.9]));
}

#[test]
fn gemm_attributes_alpha_beta_trans() {
    // Y = 2 * A * B + 0.5 * C with B stored [in, out] (transB = 0), then with A given as a column (transA = 1).
    let b: Vec<f32> = vec![1.0, 2.0, -1.0, 0.5, 3.0, -2.0]; // [3, 2]
    let c: Vec<f32> = vec![1.0, -4.0];
    let x = [0.5, -1.0, 2.0];
    let expected: Vec<f64> = (0..2)
        .map(|j| 2.0 * (0..3).map(|i| x[i] * b[i * 2 + j] as f64).sum::<f64>() + 0.5 * c[j] as f64)
        .collect();
    let gemm = |trans_a: i64| {
        node(
            "Gemm",
            &["x", "B", "C"],
            "y",
            vec![
                float_attr("alpha", 2.0),
                float_attr("beta", 0.5),
                int_attr("transA", trans_a),
                int_attr("transB", 0),
            ],
        )
    };
    let inits = || vec![f32_tensor("B", &[3, 2], &b), f32_tensor("C", &[2], &c)];
    let row = model(vec![gemm(0)], inits(), ("x", &[1, 3]), "y");
    let n = decode_onnx(&row, Path::new("g.onnx")).unwrap();
    assert!(close(&n.forward(&x), &expected, 1e-12));
    let column = model(vec![gemm(1)], inits(), ("x", &[3, 1]), "y");
    let n = decode_onnx(&column, Path::new("g.onnx")).unwrap();
    assert!(close(&n.forward(&x), &expected, 1e-12));
}

#[test]
fn normalisation_matmul_add_relu_chain_with_shape_nodes() {
    // ((x - mean) / std) flattened, MatMul W1 + b1, Relu, Reshape, MatMul W2, Add b2: as MATLAB/VNN-COMP write it.
    let mean: Vec<f32> = vec![0.5, -1.0];
    let std: Vec<f32> = vec![2.0, 4.0];
    let w1: Vec<f32> = vec![1.0, -1.0, 0.5, 2.0, 0.0, 1.0]; // [2, 3]
    let b1: Vec<f32> = vec![0.1, -0.2, 0.3];
    let w2: Vec<f32> = vec![1.0, 2.0, -3.0]; // [3, 1]
    let b2: Vec<f32> = vec![0.25];
    let shape = TensorProto {
        dims: vec![2],
        data_type: data_type::INT64,
        name: "shape".into(),
        int64_data: vec![1, -1],
        ..Default::default()
    };
    let nodes = vec![
        node("Sub", &["x", "mean"], "s", vec![]),
        node("Div", &["s", "std"], "d", vec![]),
        node("Flatten", &["d"], "f", vec![int_attr("axis", 1)]),
        node("MatMul", &["f", "W1"], "m1", vec![]),
        node("Add", &["m1", "b1"], "a1", vec![]),
        node("Relu", &["a1"], "r1", vec![]),
        node("Identity", &["r1"], "i1", vec![]),
        node("Reshape", &["i1", "shape"], "rs", vec![]),
        node("MatMul", &["rs", "W2"], "m2", vec![]),
        node("Add", &["b2", "m2"], "y", vec![]),
    ];
    let inits = vec![
        f32_tensor("mean", &[1, 1, 2], &mean),
        f32_tensor("std", &[2], &std),
        f32_tensor("W1", &[2, 3], &w1),
        f32_tensor("b1", &[3], &b1),
        f32_tensor("W2", &[3, 1], &w2),
        f32_tensor("b2", &[1], &b2),
        shape,
    ];
    let bytes = model(nodes, inits, ("x", &[0, 1, 2]), "y");
    let n = decode_onnx(&bytes, Path::new("chain.onnx")).unwrap();
    assert_eq!(n.layers().len(), 2);
    let x = [1.5, 3.0];
    let u: Vec<f64> = (0..2).map(|i| (x[i] - mean[i] as f64) / std[i] as f64).collect();
    let h: Vec<f64> = (0..3)
        .map(|j| (u[0] * w1[j] as f64 + u[1] * w1[3 + j] as f64 + b1[j] as f64).max(0.0))
        .collect();
    let y = (0..3).map(|j| h[j] * w2[j] as f64).sum::<f64>() + b2[0] as f64;
    assert!(close(&n.forward(&x), &[y], 1e-12));
}

#[test]
fn initializers_as_float_data_double_data_and_constant_nodes() {
    let w = TensorProto {
        dims: vec![2, 2],
        data_type: data_type::DOUBLE,
        name: "W".into(),
        double_data: vec![1.0, 2.0, 3.0, 4.0],
        ..Default::default()
    };
    let b = TensorProto {
        dims: vec![2],
        data_type: data_type::FLOAT,
        name: "b".into(),
        float_data: vec![0.5, -0.5],
        ..Default::default()
    };
    let scale = AttributeProto {
        name: "value".into(),
        r#type: attribute_type::TENSOR,
        t: Some(f32_tensor("", &[], &[3.0])),
        ..Default::default()
    };
    let nodes = vec![
        node("Constant", &[], "k", vec![scale]),
        node("Mul", &["x", "k"], "xm", vec![]),
        node("Gemm", &["xm", "W", "b"], "y", vec![int_attr("transB", 1)]),
    ];
    let n = decode_onnx(
        &model(nodes, vec![w, b], ("x", &[1, 2]), "y"),
        Path::new("c.onnx"),
    )
    .unwrap();
    // y = W (3x) + b with W = [[1, 2], [3, 4]] as [out, in].
    assert!(close(
        &n.forward(&[1.0, -1.0]),
        &[3.0 * (1.0 - 2.0) + 0.5, 3.0 * (3.0 - 4.0) - 0.5],
        1e-15
    ));
}

#[test]
fn unsupported_operator_names_node_and_operator() {
    let nodes = vec![node("Conv", &["x", "W"], "y", vec![])];
    let bytes = model(
        nodes,
        vec![f32_tensor("W", &[1, 1, 1, 1], &[1.0])],
        ("x", &[1, 1, 2, 2]),
        "y",
    );
    let e = decode_onnx(&bytes, Path::new("conv.onnx"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("conv.onnx") && e.contains("Conv_y") && e.contains("unsupported operator Conv"),
        "{e}"
    );
}

#[test]
fn nan_weight_and_truncated_file_are_errors() {
    let nodes = vec![node("Gemm", &["x", "W"], "y", vec![int_attr("transB", 1)])];
    let bytes = model(
        nodes,
        vec![f32_tensor("W", &[1, 2], &[1.0, f32::NAN])],
        ("x", &[1, 2]),
        "y",
    );
    let e = decode_onnx(&bytes, Path::new("nan.onnx"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("initializer 'W'") && e.contains("NaN"), "{e}");
    let good = encode_onnx(&net(&[(3, 2, false)], 4)).0;
    let e = decode_onnx(&good[..good.len() / 2], Path::new("cut.onnx"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("cut.onnx"), "{e}");
}

#[test]
fn nnet_missing_row_and_bad_number_name_the_line() {
    let text = "// c\n1,2,1,2,\n2,1,\n0,\n0,0,\n1,1,\n0,0,0,\n1,1,1,\n1.0,2.0,\n0.5,\n";
    let n = parse_nnet(text, Path::new("t.nnet")).unwrap();
    assert_eq!(n.normalised().forward(&[1.0, 1.0]), vec![3.5]);
    let e = parse_nnet(&text.replace("1.0,2.0,\n", ""), Path::new("t.nnet"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("t.nnet") && e.contains("line 9"), "{e}");
    let e = parse_nnet(&text.replace("2.0", "2.x"), Path::new("t.nnet"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 9") && e.contains("'2.x' is not a number"), "{e}");
}

const HEADER: &str = "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n";

#[test]
fn vnnlib_bounds_and_linear_output_terms() {
    let text = format!(
        "; comment\n{HEADER}(assert (<= X_0 1e-1))\n(assert (>= X_0 -2.5E-1))\n(assert (<= (* 2 X_1) 1))\n\
         (assert (>= X_1 (- 0.5)))\n(assert (<= (+ Y_0 (* -3 Y_1)) (- Y_1 1.5)))\n"
    );
    let p = parse_vnnlib(&text, Path::new("p.vnnlib")).unwrap();
    assert_eq!((p.inputs, p.outputs, p.regions.len()), (2, 2, 1));
    let r = &p.regions[0];
    assert_eq!(r.domain.lower, vec![-0.25, -0.5]);
    assert_eq!(r.domain.upper, vec![0.1, 0.5]);
    // y0 - 3 y1 <= y1 - 1.5  <=>  y0 - 4 y1 <= -1.5
    assert_eq!(r.output.disjuncts.len(), 1);
    let c = &r.output.disjuncts[0][0];
    assert_eq!(c.coeffs, vec![(0, 1.0), (1, -4.0)]);
    assert_eq!(c.rhs, -1.5);
}

#[test]
fn vnnlib_disjunction_of_boxes_and_mixed_cases() {
    let text = format!(
        "{HEADER}(assert (or (and (>= X_0 0) (<= X_0 1) (>= X_1 0) (<= X_1 1) (>= Y_0 Y_1))\n\
                             (and (>= X_0 2) (<= X_0 3) (>= X_1 0) (<= X_1 1) (>= Y_1 Y_0))))\n"
    );
    let p = parse_vnnlib(&text, Path::new("m.vnnlib")).unwrap();
    assert_eq!(p.regions.len(), 2);
    assert_eq!(p.regions[1].domain.lower, vec![2.0, 0.0]);
    // (>= Y_1 Y_0): y0 - y1 <= 0
    assert_eq!(
        p.regions[1].output.disjuncts,
        vec![vec![relumip::spec::OutputConstraint {
            coeffs: vec![(0, 1.0), (1, -1.0)],
            rhs: 0.0
        }]]
    );
    // Input-only disjunction times output-only disjunction: 2 boxes, each with both output cases.
    let text = format!(
        "{HEADER}(assert (or (and (>= X_0 0) (<= X_0 1)) (and (>= X_0 2) (<= X_0 3))))\n\
         (assert (and (>= X_1 0) (<= X_1 1)))\n(assert (or (<= Y_0 0) (and (<= Y_1 0) (>= Y_1 -1))))\n"
    );
    let p = parse_vnnlib(&text, Path::new("m.vnnlib")).unwrap();
    assert_eq!(p.regions.len(), 2);
    assert!(p.regions.iter().all(|r| r.output.disjuncts.len() == 2));
    assert_eq!(p.regions[0].output.disjuncts[1].len(), 2);
}

#[test]
fn vnnlib_errors_name_line_and_problem() {
    let cases = [
        (
            format!("{HEADER}(assert (<= X_0 1))\n(assert (>= X_0 0))\n(assert (<= X_7 1))\n"),
            "line 7",
            "unknown variable 'X_7'",
        ),
        (
            format!("{HEADER}(assert (<= X_0 1)\n"),
            "line 5",
            "unbalanced parentheses",
        ),
        (
            format!("{HEADER}(assert (<= X_0 1)))\n"),
            "line 5",
            "unbalanced parentheses",
        ),
        (
            format!("{HEADER}(assert (<= (* X_0 X_1) 1))\n"),
            "line 5",
            "nonlinear",
        ),
        (
            format!("{HEADER}(assert (<= X_0 1))\n(assert (>= X_0 0))\n(assert (<= X_1 1))\n"),
            "line 2",
            "X_1 has no lower bound",
        ),
        (
            format!("{HEADER}(assert (<= X_0 1e999))\n"),
            "line 5",
            "not a finite number",
        ),
        (
            format!("{HEADER}(assert (<= (+ X_0 Y_0) 1))\n"),
            "line 5",
            "mixing inputs",
        ),
    ];
    for (text, line, problem) in cases {
        let e = parse_vnnlib(&text, Path::new("bad.vnnlib"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("bad.vnnlib") && e.contains(line) && e.contains(problem),
            "{e}"
        );
    }
}

#[test]
fn csv_rows_labels_and_errors() {
    let c = parse_csv_inputs("3, 0.5,1e-2\n\n7,1,2\n", Path::new("x.csv"), true).unwrap();
    assert_eq!(c.rows, vec![vec![0.5, 0.01], vec![1.0, 2.0]]);
    assert_eq!(c.labels, Some(vec![3, 7]));
    assert_eq!(c.lines, vec![1, 3]);
    let cases = [
        ("1,2\n3\n", "line 2", "the row has 1 values"),
        ("1,NaN\n", "line 1", "not a finite"),
        ("1,inf\n", "line 1", "not a finite"),
        ("1,abc\n", "line 1", "'abc' is not a number"),
        ("\n\n", "contents", "no data rows"),
    ];
    for (text, place, problem) in cases {
        let e = parse_csv_inputs(text, Path::new("x.csv"), false)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("x.csv") && e.contains(place) && e.contains(problem),
            "{e}"
        );
    }
    let e = parse_csv_inputs("2.5,1\n", Path::new("x.csv"), true)
        .unwrap_err()
        .to_string();
    assert!(e.contains("label"), "{e}");
}

#[test]
fn instance_file_reads_into_typed_fields() {
    let text = r#"
[network]
path = "nets/a.onnx"

[domain]
lower = 0.0
upper = [1, 2, 3]
integer = [0, 2]

[task]
kind = "verify"
vnnlib = "p.vnnlib"

[solver]
time_limit = 60
threads = 2
formulation = "partition:4"
cuts = ["ideal", "partition"]
bounds = "lp"
"#;
    let inst = parse_instance(text, Path::new("dir/inst.toml")).unwrap();
    assert_eq!(inst.network, NetworkSpec::Single("dir/nets/a.onnx".into()));
    assert_eq!(
        inst.task,
        Task::Verify(VerifyTarget::Vnnlib("dir/p.vnnlib".into()))
    );
    assert_eq!(inst.domain.upper, Some(BoundSpec::List(vec![1.0, 2.0, 3.0])));
    assert_eq!(inst.domain.integer, Some(IntegerSpec::Indices(vec![0, 2])));
    assert_eq!(inst.solver.formulation, Some(Formulation::Partition(4)));
    assert_eq!(inst.solver.cuts, Some(vec![CutKind::Ideal, CutKind::Partition]));
    assert_eq!(inst.solver.bounds, Some(relumip::bounds::BoundMethod::Lp));
    let d = inst.resolve_domain(3, None).unwrap().domain;
    assert_eq!(
        (d.lower, d.upper, d.integer),
        (vec![0.0; 3], vec![1.0, 2.0, 3.0], vec![true, false, true])
    );
}

#[test]
fn instance_errors_name_the_field() {
    let base = "[network]\npath = \"a.onnx\"\n[task]\nkind = \"adversarial\"\nreference = \"r.csv\"\n";
    let cases = [
        (
            format!("{base}norm = \"l3\"\n"),
            "line 6 (task.norm)",
            "unknown variant `l3`",
        ),
        (
            format!("{base}norm = \"l1\"\nmargin = \"big\"\n"),
            "line 7 (task.margin)",
            "invalid type",
        ),
        (
            format!("{base}norm = \"l1\"\nmarjin = 1\n"),
            "line 7 (task.marjin)",
            "unknown field",
        ),
        (
            format!("{base}norm = \"l1\"\nmode = \"maxdiff\"\n"),
            "task.mode",
            "does not apply",
        ),
        (format!("{base}\n"), "task.norm", "adversarial needs norm"),
        (
            format!("{base}norm = \"l1\"\n[solver]\nthreads = -1\n"),
            "line 8 (solver.threads)",
            "invalid value",
        ),
        (
            "[task]\nkind = \"bounds\"\n".to_string(),
            "network",
            "missing [network]",
        ),
    ];
    for (text, place, problem) in cases {
        let e = parse_instance(&text, Path::new("i.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("i.toml") && e.contains(place) && e.contains(problem),
            "{e}"
        );
        assert_eq!(e.lines().count(), 1, "{e}");
    }
}

#[test]
fn domain_spec_defaults_balls_and_notes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.csv"), "5,0.5,0.9\n1,0.1,0.2\n").unwrap();
    let nothing = DomainSpec::default().resolve(2, None, dir.path()).unwrap();
    assert_eq!(
        (nothing.domain.lower.clone(), nothing.domain.upper.clone()),
        (vec![0.0; 2], vec![1.0; 2])
    );
    assert!(nothing.note.contains("[0, 1]"));
    let file_box = DomainSpec::default()
        .resolve(2, Some((vec![-1.0; 2], vec![2.0; 2])), dir.path())
        .unwrap();
    assert_eq!(file_box.domain.lower, vec![-1.0; 2]);
    let ball = DomainSpec {
        center: Some("c.csv".into()),
        row: 1,
        label_first: true,
        linf: Some(0.15),
        upper: Some(BoundSpec::Value(0.3)),
        ..Default::default()
    };
    let d = ball.resolve(2, None, dir.path()).unwrap().domain;
    assert!(close(&d.lower, &[0.0, 0.05], 1e-12) && close(&d.upper, &[0.25, 0.3], 1e-12));
    let l1 = DomainSpec {
        center: Some("c.csv".into()),
        label_first: true,
        l1: Some(2.0),
        ..Default::default()
    };
    let d = l1.resolve(2, None, dir.path()).unwrap().domain;
    assert_eq!(d.ball.map(|b| b.norm), Some(Norm::L1));
    // With no box given, the ball is taken within [0, 1] (the default box).
    assert!(close(&d.lower, &[0.0, 0.0], 1e-12) && close(&d.upper, &[1.0, 1.0], 1e-12));
    let no_center = DomainSpec {
        linf: Some(0.1),
        ..Default::default()
    };
    assert!(no_center.resolve(2, None, dir.path()).is_err());
    let wide = DomainSpec {
        lower: Some(BoundSpec::List(vec![0.0; 3])),
        ..Default::default()
    };
    assert!(wide
        .resolve(2, None, dir.path())
        .unwrap_err()
        .to_string()
        .contains("3 values"));
}

#[test]
fn bound_flags_parse_numbers_lists_and_files() {
    assert_eq!(BoundSpec::from_flag("-0.5"), BoundSpec::Value(-0.5));
    assert_eq!(BoundSpec::from_flag("0,1.5"), BoundSpec::List(vec![0.0, 1.5]));
    assert_eq!(BoundSpec::from_flag("low.csv"), BoundSpec::File("low.csv".into()));
}

#[test]
fn pytorch_view_pattern_dropout_and_batch_norm() {
    // x.view(x.size(0), -1) as older exporters write it, then Gemm, BatchNormalization, Dropout, Relu, Gemm.
    let i64_tensor = |name: &str, dims: &[i64], v: &[i64]| TensorProto {
        dims: dims.to_vec(),
        data_type: data_type::INT64,
        name: name.into(),
        int64_data: v.to_vec(),
        ..Default::default()
    };
    let w1: Vec<f32> = vec![1.0, 0.0, -1.0, 2.0, 0.5, 0.5, 1.0, -1.0]; // [2, 4], transB = 1
    let w2: Vec<f32> = vec![1.0, -2.0]; // [1, 2]
    let (gamma, beta, mean, var) = ([2.0f32, 0.5], [0.1f32, -0.1], [0.5f32, -0.5], [3.0f32, 0.25]);
    let eps = 1e-3f32;
    let nodes = vec![
        node("Shape", &["x"], "shape", vec![]),
        node("Gather", &["shape", "zero"], "batch", vec![int_attr("axis", 0)]),
        node(
            "Unsqueeze",
            &["batch"],
            "batch1",
            vec![AttributeProto {
                name: "axes".into(),
                r#type: attribute_type::INTS,
                ints: vec![0],
                ..Default::default()
            }],
        ),
        node(
            "Concat",
            &["batch1", "minus_one"],
            "target",
            vec![int_attr("axis", 0)],
        ),
        node("Reshape", &["x", "target"], "flat", vec![]),
        node("Gemm", &["flat", "W1"], "z", vec![int_attr("transB", 1)]),
        node(
            "BatchNormalization",
            &["z", "gamma", "beta", "mean", "var"],
            "bn",
            vec![float_attr("epsilon", eps)],
        ),
        node("Dropout", &["bn"], "dr", vec![]),
        node("Relu", &["dr"], "h", vec![]),
        node("Gemm", &["h", "W2"], "y", vec![int_attr("transB", 1)]),
    ];
    let inits = vec![
        i64_tensor("zero", &[], &[0]),
        i64_tensor("minus_one", &[1], &[-1]),
        f32_tensor("W1", &[2, 4], &w1),
        f32_tensor("W2", &[1, 2], &w2),
        f32_tensor("gamma", &[2], &gamma),
        f32_tensor("beta", &[2], &beta),
        f32_tensor("mean", &[2], &mean),
        f32_tensor("var", &[2], &var),
    ];
    let n = decode_onnx(
        &model(nodes, inits, ("x", &[1, 1, 2, 2]), "y"),
        Path::new("view.onnx"),
    )
    .unwrap();
    let x = [0.3, -0.7, 1.1, 0.2];
    let h: Vec<f64> = (0..2)
        .map(|j| {
            let z: f64 = (0..4).map(|i| w1[j * 4 + i] as f64 * x[i]).sum();
            let bn =
                (z - mean[j] as f64) / (var[j] as f64 + eps as f64).sqrt() * gamma[j] as f64 + beta[j] as f64;
            bn.max(0.0)
        })
        .collect();
    let y = h[0] * w2[0] as f64 + h[1] * w2[1] as f64;
    assert!(close(&n.forward(&x), &[y], 1e-12), "{:?} vs {y}", n.forward(&x));
}

#[test]
fn solver_choices_parse_from_command_line_text() {
    assert_eq!("bigm".parse::<Formulation>().ok(), Some(Formulation::BigM));
    assert_eq!(
        "partition:2".parse::<Formulation>().ok(),
        Some(Formulation::Partition(2))
    );
    assert!("partition".parse::<Formulation>().is_err());
    assert_eq!(
        parse_cuts("ideal,partition").ok(),
        Some(vec![CutKind::Ideal, CutKind::Partition])
    );
    assert_eq!(parse_cuts("none").ok(), Some(vec![]));
    assert!(parse_cuts("gomory").unwrap_err().to_string().contains("gomory"));
}

#[test]
fn instance_search_is_automatic_unless_named() {
    let base = "[network]\npath = \"a.onnx\"\n[task]\nkind = \"adversarial\"\nreference = \"r.csv\"\nnorm = \"linf\"\n";
    let search_of = |extra: &str| match parse_instance(&format!("{base}{extra}"), Path::new("i.toml"))
        .unwrap()
        .task
    {
        Task::Adversarial(t) => t.radius_search,
        other => panic!("not adversarial: {other:?}"),
    };
    assert_eq!(search_of(""), None);
    assert_eq!(search_of("search = \"milp\"\n"), Some(false));
    assert_eq!(search_of("search = \"radius\"\n"), Some(true));
}
