//! `relumip run` on instance files of every verify form (vnnlib is covered elsewhere; here `label` and
//! `mode = "maxdiff"`) and `compare` `mineps` with a label-first reference; the "maximum difference" task
//! against answers derivable on paper; the shipped instances of these forms.

mod common;

use relumip::log::Log;
use relumip::nn::{write_onnx, Layer, Network};
use relumip::options::SolverOptions;
use relumip::result::Status;
use relumip::spec::InputDomain;
use relumip::tasks::compose::DiffNorm;
use relumip::tasks::output_shift::max_output_shift;
use std::path::Path;
use std::process::Command;

/// `h = relu(x)` (identity on the unit box), `y0 = h0 - h1`, `y1 = 2 h1`.
fn shift_net() -> Network {
    Network::new(vec![
        Layer::new(2, 2, vec![1.0, 0.0, 0.0, 1.0], vec![0.0, 0.0], true).unwrap(),
        Layer::new(2, 2, vec![1.0, -1.0, 0.0, 2.0], vec![0.0, 0.0], false).unwrap(),
    ])
    .unwrap()
}

/// y0 = relu(x), y1 = relu(1 - x): class 1 wins exactly where x < 0.5.
fn threshold_1d() -> Network {
    Network::new(vec![
        Layer::new(1, 2, vec![1.0, -1.0], vec![0.0, 1.0], true).unwrap(),
        Layer::new(2, 2, vec![1.0, 0.0, 0.0, 1.0], vec![0.0, 0.0], false).unwrap(),
    ])
    .unwrap()
}

/// Hidden `h = relu(x)`, `y0 = 0.5`, `y1 = c0 h0 + c1 h1` (as in tests/tasks_compare.rs).
fn threshold_net(c0: f64, c1: f64) -> Network {
    Network::new(vec![
        Layer::new(2, 2, vec![1.0, 0.0, 0.0, 1.0], vec![0.0, 0.0], true).unwrap(),
        Layer::new(2, 2, vec![0.0, 0.0, c0, c1], vec![0.5, 0.0], false).unwrap(),
    ])
    .unwrap()
}

fn options() -> SolverOptions {
    SolverOptions {
        time_limit: Some(20.0),
        ..SolverOptions::default()
    }
}

/// The L∞ ball of radius 0.2 around (0.5, 0.5).
fn ball() -> InputDomain {
    InputDomain::boxed(vec![0.3, 0.3], vec![0.7, 0.7]).unwrap()
}

#[test]
fn maximum_difference_on_paper() {
    // At x0 = (0.5, 0.5), y = (0, 1); with d = x - x0 in [-0.2, 0.2]^2 the output moves by (d0 - d1, 2 d1).
    // L1: |d0 - d1| + 2|d1| is largest at d = (-0.2, 0.2) or (0.2, -0.2): 0.4 + 0.4 = 0.8.
    // L∞: max(|d0 - d1|, 2|d1|) is 0.4 there too, and no larger anywhere.
    let net = shift_net();
    let x0 = [0.5, 0.5];
    for (norm, want) in [(DiffNorm::L1, 0.8), (DiffNorm::Linf, 0.4)] {
        let r = max_output_shift(&net, &ball(), &x0, norm, &options(), &Log::quiet()).unwrap();
        assert_eq!(r.result.status, Status::Optimal, "{norm:?}");
        let obj = r.result.objective.unwrap();
        assert!((obj - want).abs() < 1e-6, "{norm:?}: {obj}");
        assert!(r.result.bound.unwrap() >= obj - 1e-6);
        // The reported input is in the domain and reaches the reported distance by a forward pass.
        let x = r.result.input.clone().unwrap();
        assert!(x.iter().all(|v| (0.3..=0.7).contains(v)), "{x:?}");
        let y = net.forward(&x);
        assert_eq!(r.result.output.as_deref(), Some(&y[..]));
        assert_eq!(r.reference_output, vec![0.0, 1.0]);
        let d: Vec<f64> = y
            .iter()
            .zip(&r.reference_output)
            .map(|(p, q)| (p - q).abs())
            .collect();
        let measured = match norm {
            DiffNorm::L1 => d.iter().sum::<f64>(),
            DiffNorm::Linf => d.iter().fold(0.0_f64, |m, v| m.max(*v)),
        };
        assert!((measured - obj).abs() < 1e-12);
    }
    // A reference of the wrong size is an error, not a panic.
    assert!(max_output_shift(&net, &ball(), &[0.5], DiffNorm::L1, &options(), &Log::quiet()).is_err());
}

/// Runs `relumip run FILE --json -` and returns the exit code, the JSON (when any) and standard error.
fn run(file: &Path) -> (i32, Option<serde_json::Value>, String) {
    let out = Command::new(common::relumip_bin())
        .arg("run")
        .arg(file)
        .args(["--quiet", "--json", "-", "--threads", "1"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).ok(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write_instance(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn verify_instances_label_and_maxdiff() {
    let dir = tempfile::tempdir().unwrap();
    write_onnx(&threshold_1d(), &dir.path().join("t.onnx")).unwrap();
    write_onnx(&shift_net(), &dir.path().join("s.onnx")).unwrap();
    std::fs::write(dir.path().join("c.csv"), "7,0.2\n").unwrap();
    std::fs::write(dir.path().join("c2.csv"), "3,0.5,0.5\n").unwrap();
    let label = |class: usize, eps: f64| {
        format!(
            "[network]\npath = \"t.onnx\"\n[domain]\ncenter = \"c.csv\"\nlabel_first = true\nlinf = {eps}\n\
             [task]\nkind = \"verify\"\nlabel = {class}\n"
        )
    };
    // x in [0.1, 0.3]: class 1 always wins; class 0 never does; x in [0, 0.6] reaches class 0's region.
    for (class, eps, want) in [(1, 0.1, "unsat"), (0, 0.1, "sat"), (1, 0.4, "sat")] {
        let f = write_instance(dir.path(), "v.toml", &label(class, eps));
        let (code, json, err) = run(&f);
        assert_eq!(code, 0, "{err}");
        let json = json.unwrap();
        assert_eq!(json["status"], want, "class {class} eps {eps}");
        assert_eq!(json["command"], "verify");
        if want == "sat" {
            // The counterexample is the network's own output at the reported input.
            let x = json["solution"]["input"][0].as_f64().unwrap();
            let y = threshold_1d().forward(&[x]);
            assert_eq!(json["solution"]["output"][0].as_f64().unwrap(), y[0]);
            assert!(y[1 - class] >= y[class]);
        } else {
            assert!(json["solution"].is_null());
        }
    }
    let f = write_instance(dir.path(), "v.toml", &label(2, 0.1));
    let (code, _, err) = run(&f);
    assert_eq!(code, 2);
    assert!(err.contains("v.toml") && err.contains("task.label"), "{err}");
    // The maximum difference, L1 (the default) and L∞, as derived in `maximum_difference_on_paper`.
    for (norm, want) in [("", 0.8), ("norm = \"linf\"\n", 0.4)] {
        let text = format!(
            "[network]\npath = \"s.onnx\"\n[domain]\ncenter = \"c2.csv\"\nlabel_first = true\nlinf = 0.2\n\
             [task]\nkind = \"verify\"\nmode = \"maxdiff\"\n{norm}"
        );
        let f = write_instance(dir.path(), "m.toml", &text);
        let (code, json, err) = run(&f);
        assert_eq!(code, 0, "{err}");
        let json = json.unwrap();
        assert_eq!(json["status"], "optimal");
        assert_eq!(json["mode"], "maxdiff");
        assert!(
            (json["objective"].as_f64().unwrap() - want).abs() < 1e-6,
            "{json}"
        );
        assert_eq!(json["reference_output"], serde_json::json!([0.0, 1.0]));
    }
    // Errors name the file, the line and the field.
    let bad = [
        ("mode = \"maxflip\"\n", "task.mode"),
        ("mode = \"maxdiff\"\nnorm = \"l2\"\n", "task.norm"),
        ("label = 1\nnorm = \"l1\"\n", "task.norm"),
        ("mode = \"maxdiff\"\nlabel = 1\n", "task.vnnlib"),
    ];
    for (task, field) in bad {
        let text = format!("[network]\npath = \"s.onnx\"\n[task]\nkind = \"verify\"\n{task}");
        let f = write_instance(dir.path(), "bad.toml", &text);
        let (code, _, err) = run(&f);
        assert_eq!(code, 2, "{task}");
        assert!(err.contains("bad.toml") && err.contains(field), "{task}: {err}");
    }
    // maxdiff without a centre: which reference? An error naming [domain] center.
    let text = "[network]\npath = \"s.onnx\"\n[task]\nkind = \"verify\"\nmode = \"maxdiff\"\n";
    let (code, _, err) = run(&write_instance(dir.path(), "nc.toml", text));
    assert_eq!(code, 2);
    assert!(err.contains("domain.center"), "{err}");
}

#[test]
fn mineps_instance_with_a_label_first_reference() {
    // As tests/tasks_compare.rs's mineps_on_paper: from (0.1, 0.1) the nearest input where A keeps class 0 and
    // B leaves it is at radius 0.15. The reference file has a label column, which must be skipped.
    let dir = tempfile::tempdir().unwrap();
    write_onnx(&threshold_net(1.0, 1.0), &dir.path().join("a.onnx")).unwrap();
    write_onnx(&threshold_net(2.0, 0.0), &dir.path().join("b.onnx")).unwrap();
    std::fs::write(dir.path().join("x0.csv"), "1,0.9,0.9\n0,0.1,0.1\n").unwrap();
    let text = |extra: &str| {
        format!(
            "[networks]\na = \"a.onnx\"\nb = \"b.onnx\"\n[task]\nkind = \"compare\"\nmode = \"mineps\"\n\
             reference = \"x0.csv\"\nrow = 1\nlabel_first = true\n{extra}"
        )
    };
    let (code, json, err) = run(&write_instance(dir.path(), "e.toml", &text("")));
    assert_eq!(code, 0, "{err}");
    let json = json.unwrap();
    assert_eq!(json["status"], "optimal");
    assert!(
        (json["objective"].as_f64().unwrap() - 0.15).abs() < 1e-5,
        "{json}"
    );
    let x: Vec<f64> = serde_json::from_value(json["solution"]["input"].clone()).unwrap();
    let r = (x[0] - 0.1).abs().max((x[1] - 0.1).abs());
    assert!((r - json["objective"].as_f64().unwrap()).abs() < 1e-12);
    // label = 0 is A's prediction anyway; label on another mode is an error.
    let (code, json, _) = run(&write_instance(dir.path(), "e.toml", &text("label = 0\n")));
    assert_eq!(code, 0);
    assert_eq!(json.unwrap()["status"], "optimal");
    let bad = text("label = 0\n").replace("mineps", "maxdiff");
    let (code, _, err) = run(&write_instance(dir.path(), "e.toml", &bad));
    assert_eq!(code, 2);
    assert!(err.contains("task.label"), "{err}");
}

#[test]
fn shipped_instances_of_the_verify_forms() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("instances");
    let (code, json, err) = run(&root.join("digits-verify-label.toml"));
    assert_eq!(code, 0, "{err}");
    let json = json.unwrap();
    assert!(
        ["unsat", "sat"].contains(&json["status"].as_str().unwrap()),
        "{json}"
    );
    let (code, json, err) = run(&root.join("digits-verify-maxdiff.toml"));
    assert_eq!(code, 0, "{err}");
    let json = json.unwrap();
    // Optimal in seconds; under heavy load the time limit may cut it, and then the bound still holds.
    let obj = json["objective"].as_f64().unwrap();
    assert!(json["bound"].as_f64().unwrap() >= obj - 1e-6);
    // The distance is recomputed from the reported output and the reference output.
    let y: Vec<f64> = serde_json::from_value(json["solution"]["output"].clone()).unwrap();
    let y0: Vec<f64> = serde_json::from_value(json["reference_output"].clone()).unwrap();
    let l1: f64 = y.iter().zip(&y0).map(|(p, q)| (p - q).abs()).sum();
    assert!((l1 - obj).abs() < 1e-9, "{l1} vs {obj}");
    // mineps by radius search: the reported input makes the networks disagree, within the reported radius.
    let (code, json, err) = run(&root.join("digits-compare-mineps.toml"));
    assert_eq!(code, 0, "{err}");
    let json = json.unwrap();
    let obj = json["objective"].as_f64().unwrap();
    assert!(json["bound"].as_f64().unwrap() <= obj);
    let ya: Vec<f64> = serde_json::from_value(json["output_a"].clone()).unwrap();
    let yb: Vec<f64> = serde_json::from_value(json["output_b"].clone()).unwrap();
    let c = (0..ya.len()).fold(0, |m, j| if ya[j] > ya[m] { j } else { m });
    assert!(relumip::tasks::compare_modes::disagrees_at(&ya, &yb, c));
    let x: Vec<f64> = serde_json::from_value(json["solution"]["input"].clone()).unwrap();
    let text = std::fs::read_to_string(root.join("digits-sample5.csv")).unwrap();
    let x0: Vec<f64> = text
        .lines()
        .next()
        .unwrap()
        .split(',')
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    let r = x
        .iter()
        .zip(&x0)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0_f64, f64::max);
    assert!((r - obj).abs() < 1e-12, "{r} vs {obj}");
}

#[test]
fn radius_search_agrees_with_the_paper_and_the_milp() {
    use relumip::spec::Norm;
    use relumip::tasks::adversarial::{adversarial, check, AdversarialSpec, Margin};
    use relumip::tasks::adversarial_radius::adversarial_by_radius;
    use relumip::tasks::compare_modes::disagrees_at;
    use relumip::tasks::radius_search::mineps_by_radius;
    // mineps as in mineps_on_paper: radius 0.15 from (0.1, 0.1).
    let (a, b) = (threshold_net(1.0, 1.0), threshold_net(2.0, 0.0));
    let unit = InputDomain::boxed(vec![0.0, 0.0], vec![1.0, 1.0]).unwrap();
    let r = mineps_by_radius(&a, &b, &unit, &[0.1, 0.1], None, &options(), &Log::quiet()).unwrap();
    assert_eq!(r.result.status, Status::Optimal);
    let (obj, bound) = (r.result.objective.unwrap(), r.result.bound.unwrap());
    assert!(
        (obj - 0.15).abs() < 1e-4 && bound <= 0.15 + 1e-9 && bound <= obj,
        "{obj} {bound}"
    );
    let x = r.result.input.clone().unwrap();
    assert!(disagrees_at(&a.forward(&x), &b.forward(&x), 0));
    // Equal networks never disagree: infeasible, proven at the largest radius.
    let r = mineps_by_radius(&a, &a, &unit, &[0.1, 0.1], None, &options(), &Log::quiet()).unwrap();
    assert_eq!(r.result.status, Status::Infeasible);
    // Adversarial on threshold_1d (class 1 wins below 0.5): from 0.2, class 0 wins by margin 0.1 from
    // x >= 0.55, i.e. distance 0.35 (L1 = L∞ in one dimension). Both searches agree.
    let net = threshold_1d();
    let dom = InputDomain::boxed(vec![0.0], vec![1.0]).unwrap();
    for norm in [Norm::L1, Norm::Linf] {
        let spec = AdversarialSpec {
            reference: vec![0.2],
            source: None,
            target: Some(0),
            norm,
            margin: Margin::Additive(0.1),
            max_change: None,
            max_changed: None,
            min_change: None,
        };
        let radius = adversarial_by_radius(&net, &dom, &spec, &options(), &Log::quiet()).unwrap();
        let milp = adversarial(&net, &dom, &spec, &options(), &Log::quiet()).unwrap();
        assert_eq!(radius.result.status, Status::Optimal);
        let d = radius.result.objective.unwrap();
        assert!((d - 0.35).abs() < 1e-4, "{d}");
        assert!((d - milp.result.objective.unwrap()).abs() < 1e-4);
        let x = radius.result.input.clone().unwrap();
        assert_eq!(check(&net, &dom, &spec, 1, &x), Ok(0));
        assert_eq!(radius.reached, Some(0));
        // With a cap of 0.3 per feature no such input exists.
        let capped = AdversarialSpec {
            max_change: Some(0.3),
            ..spec.clone()
        };
        let r = adversarial_by_radius(&net, &dom, &capped, &options(), &Log::quiet()).unwrap();
        assert_eq!(r.result.status, Status::Infeasible);
        assert!(r.result.input.is_none());
    }
}

#[test]
fn bounds_instances_match_the_bounds_command_and_the_paper() {
    let dir = tempfile::tempdir().unwrap();
    write_onnx(&threshold_1d(), &dir.path().join("t.onnx")).unwrap();
    std::fs::write(dir.path().join("c.csv"), "7,0.2\n").unwrap();
    // x in [0.1, 0.3]: the hidden pre-activations are x and 1 - x, the outputs relu of them.
    let text = "[network]\npath = \"t.onnx\"\n[domain]\ncenter = \"c.csv\"\nlabel_first = true\nlinf = 0.1\n\
                [task]\nkind = \"bounds\"\nmethod = \"lp\"\n";
    let (code, json, err) = run(&write_instance(dir.path(), "b.toml", text));
    assert_eq!(code, 0, "{err}");
    let json = json.unwrap();
    assert_eq!(json["method"], "lp");
    let layer = |k: usize, side: &str| -> Vec<f64> {
        serde_json::from_value(json["layers"][k][side].clone()).unwrap()
    };
    let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(p, q)| (p - q).abs() < 1e-9);
    assert!(close(&layer(0, "lower"), &[0.1, 0.7]), "{json}");
    assert!(close(&layer(0, "upper"), &[0.3, 0.9]), "{json}");
    assert!(close(&layer(1, "lower"), &[0.1, 0.7]), "{json}");
    assert!(close(&layer(1, "upper"), &[0.3, 0.9]), "{json}");
    // The shipped instance gives what `relumip bounds` gives with the same flags.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("instances");
    let (code, json, err) = run(&root.join("digits-bounds-lp.toml"));
    assert_eq!(code, 0, "{err}");
    let out = Command::new(common::relumip_bin())
        .current_dir(&root)
        .args([
            "bounds",
            "digits-32-16.onnx",
            "--method",
            "lp",
            "--lower",
            "0",
            "--upper",
            "1",
        ])
        .args([
            "--center",
            "digits-sample5.csv",
            "--label-first",
            "--linf",
            "0.05",
        ])
        .args(["--quiet", "--json", "-", "--threads", "1"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let direct: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let flat = |v: &serde_json::Value| -> Vec<f64> {
        let layers = v["layers"].as_array().unwrap();
        let sides = layers.iter().flat_map(|l| [&l["lower"], &l["upper"]]);
        sides
            .flat_map(|s| s.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()))
            .collect()
    };
    let (ours, theirs) = (flat(&json.unwrap()), flat(&direct));
    assert_eq!(ours.len(), theirs.len());
    // Same LPs; only the order of floating-point sums may differ.
    assert!(ours
        .iter()
        .zip(&theirs)
        .all(|(a, b)| (a - b).abs() <= 1e-9 * (1.0 + b.abs())));
}
