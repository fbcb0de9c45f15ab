//! `compare --mode maxflip` and `--mode mineps` on tiny networks derived on paper, and against a grid.

use relumip::error::Error;
use relumip::heuristics::SplitMix64;
use relumip::log::Log;
use relumip::nn::{Layer, Network};
use relumip::options::SolverOptions;
use relumip::result::Status;
use relumip::spec::InputDomain;
use relumip::tasks::compare_modes::{count_flips, disagrees_at, maxflip, mineps, MINEPS_MARGIN};

fn options(time_limit: f64) -> SolverOptions {
    SolverOptions {
        time_limit: Some(time_limit),
        ..SolverOptions::default()
    }
}

fn unit_box() -> InputDomain {
    InputDomain::uniform(2, 0.0, 1.0).unwrap()
}

/// Hidden layer `relu(W x + b)` (3 neurons), then `y = sum h` (one output).
fn three_neurons(w: [f64; 6], b: [f64; 3]) -> Network {
    Network::new(vec![
        Layer::new(2, 3, w.to_vec(), b.to_vec(), true).unwrap(),
        Layer::new(3, 1, vec![1.0; 3], vec![0.0], false).unwrap(),
    ])
    .unwrap()
}

fn grid(n: usize) -> impl Iterator<Item = [f64; 2]> {
    (0..=n).flat_map(move |i| (0..=n).map(move |j| [i as f64 / n as f64, j as f64 / n as f64]))
}

#[test]
fn maxflip_on_paper() {
    // Neuron 0: A active iff x0 > 0.5, B iff x0 < 0.5: flips everywhere but x0 = 0.5.
    // Neuron 1: A active iff x1 > 0.5, B iff x1 > 0.8: flips iff 0.5 < x1 <= 0.8.
    // Neuron 2: A active iff x1 < 0.4, B iff x1 < 0.2: flips iff 0.2 <= x1 < 0.4 (never with neuron 1).
    // Maximum: 2 flips (even counting ties at zero either way).
    let a = three_neurons([1.0, 0.0, 0.0, 1.0, 0.0, -1.0], [-0.5, -0.5, 0.4]);
    let b = three_neurons([-1.0, 0.0, 0.0, 1.0, 0.0, -1.0], [0.5, -0.8, 0.2]);
    let r = maxflip(&a, &b, &unit_box(), &options(20.0), &Log::quiet()).unwrap();
    assert_eq!(r.report.result.status, Status::Optimal);
    assert_eq!(r.report.result.objective, Some(2.0));
    assert_eq!(r.flips, Some(2));
    let x = r.report.result.input.clone().unwrap();
    assert_eq!(count_flips(&a, &b, &x).0, 2);
    assert!(r.report.result.bound.unwrap() >= 2.0 - 1e-9);
    assert!(r.report.result.bound.unwrap() < 3.0);
    // The same network against itself: nothing flips.
    let r = maxflip(&a, &a, &unit_box(), &options(20.0), &Log::quiet()).unwrap();
    assert_eq!(r.report.result.objective, Some(0.0));
}

#[test]
fn maxflip_needs_the_same_architecture() {
    let a = three_neurons([1.0; 6], [0.0; 3]);
    let b = Network::new(vec![
        Layer::new(2, 2, vec![1.0; 4], vec![0.0; 2], true).unwrap(),
        Layer::new(2, 1, vec![1.0; 2], vec![0.0], false).unwrap(),
    ])
    .unwrap();
    let e = maxflip(&a, &b, &unit_box(), &options(5.0), &Log::quiet()).unwrap_err();
    assert!(matches!(e, Error::Options(_)), "{e:?}");
}

fn random_pair(rng: &mut SplitMix64, outputs: usize) -> (Network, Network) {
    let mut net = || {
        let w1 = (0..6).map(|_| 2.0 * rng.next_f64() - 1.0).collect();
        let b1 = (0..3).map(|_| rng.next_f64() - 0.5).collect();
        let w2 = (0..3 * outputs).map(|_| 2.0 * rng.next_f64() - 1.0).collect();
        let b2 = (0..outputs).map(|_| 0.2 * rng.next_f64() - 0.1).collect();
        Network::new(vec![
            Layer::new(2, 3, w1, b1, true).unwrap(),
            Layer::new(3, outputs, w2, b2, false).unwrap(),
        ])
        .unwrap()
    };
    (net(), net())
}

#[test]
fn maxflip_is_not_beaten_by_a_grid() {
    let mut rng = SplitMix64::new(7);
    for _ in 0..6 {
        let (a, b) = random_pair(&mut rng, 1);
        let r = maxflip(&a, &b, &unit_box(), &options(3.0), &Log::quiet()).unwrap();
        let best_on_grid = grid(60).map(|x| count_flips(&a, &b, &x).0).max().unwrap();
        // The bound holds whatever the status; the objective is a true count at the reported input.
        let bound = r.report.result.bound.unwrap();
        assert!(
            best_on_grid as f64 <= bound + 1e-9,
            "grid {best_on_grid} > bound {bound}"
        );
        if let (Some(obj), Some(x)) = (r.report.result.objective, &r.report.result.input) {
            assert_eq!(obj, count_flips(&a, &b, x).0 as f64);
            if r.report.result.status == Status::Optimal {
                assert!(obj >= best_on_grid as f64, "grid {best_on_grid} beats {obj}");
            }
        }
    }
}

/// Hidden `h = relu(x)` (identity on the unit box), `y0 = 0.5`, `y1 = c0 h0 + c1 h1`.
fn threshold_net(c0: f64, c1: f64) -> Network {
    Network::new(vec![
        Layer::new(2, 2, vec![1.0, 0.0, 0.0, 1.0], vec![0.0, 0.0], true).unwrap(),
        Layer::new(2, 2, vec![0.0, 0.0, c0, c1], vec![0.5, 0.0], false).unwrap(),
    ])
    .unwrap()
}

#[test]
fn mineps_on_paper() {
    // At x0 = (0.1, 0.1) A picks class 0 (0.5 > 0.2) and keeps it iff x0 + x1 < 0.5; B leaves class 0 iff
    // 2 x0 >= 0.5. The nearest such input moves x0 to 0.25: radius 0.15.
    let a = threshold_net(1.0, 1.0);
    let b = threshold_net(2.0, 0.0);
    let x0 = [0.1, 0.1];
    let r = mineps(&a, &b, &unit_box(), &x0, None, &options(20.0), &Log::quiet()).unwrap();
    assert_eq!(r.result.status, Status::Optimal);
    let obj = r.result.objective.unwrap();
    assert!((obj - 0.15).abs() < 1e-5, "radius {obj}");
    let x = r.result.input.clone().unwrap();
    assert!(disagrees_at(&a.forward(&x), &b.forward(&x), 0));
    // B equal to A: they agree everywhere.
    let r = mineps(&a, &a, &unit_box(), &x0, None, &options(20.0), &Log::quiet()).unwrap();
    assert_eq!(r.result.status, Status::Infeasible);
    assert!(r.result.input.is_none());
    // A class out of range is an error.
    assert!(mineps(&a, &b, &unit_box(), &x0, Some(5), &options(5.0), &Log::quiet()).is_err());
}

#[test]
fn mineps_is_not_beaten_by_a_grid() {
    let mut rng = SplitMix64::new(11);
    let n = 50;
    let step = 1.0 / n as f64;
    for _ in 0..6 {
        let (a, b) = random_pair(&mut rng, 3);
        let x0 = [rng.next_f64(), rng.next_f64()];
        let ya = a.forward(&x0);
        let c = (0..3).fold(0, |m, j| if ya[j] > ya[m] { j } else { m });
        let r = mineps(&a, &b, &unit_box(), &x0, None, &options(3.0), &Log::quiet()).unwrap();
        let radius = |x: &[f64]| (x[0] - x0[0]).abs().max((x[1] - x0[1]).abs());
        // Grid points where A picks c by the model's margin and B does not.
        let best_on_grid = grid(n)
            .filter(|x| {
                let (ya, yb) = (a.forward(x), b.forward(x));
                (0..3).all(|j| j == c || ya[c] - ya[j] >= MINEPS_MARGIN) && disagrees_at(&ya, &yb, c)
            })
            .map(|x| radius(&x))
            .fold(f64::INFINITY, f64::min);
        match r.result.status {
            Status::Optimal => {
                let obj = r.result.objective.unwrap();
                let x = r.result.input.clone().unwrap();
                assert!(disagrees_at(&a.forward(&x), &b.forward(&x), c));
                assert!((radius(&x) - obj).abs() < 1e-12);
                assert!(
                    obj <= best_on_grid * (1.0 + 1e-4) + 1e-6,
                    "{obj} > grid {best_on_grid}"
                );
                // No grid point does it at a radius smaller than the optimum minus the grid's resolution.
                assert!(best_on_grid >= obj - step - 1e-9 || best_on_grid.is_infinite());
            }
            Status::Infeasible => assert!(best_on_grid.is_infinite(), "grid finds {best_on_grid}"),
            _ => {
                if let Some(bound) = r.result.bound {
                    assert!(bound <= best_on_grid + 1e-6);
                }
            }
        }
    }
}

fn relumip(args: &[&std::ffi::OsStr]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_relumip"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn cli_maxflip_and_mineps() {
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb) = (dir.path().join("a.onnx"), dir.path().join("b.onnx"));
    relumip::nn::write_onnx(&threshold_net(1.0, 1.0), &pa).unwrap();
    relumip::nn::write_onnx(&threshold_net(2.0, 0.0), &pb).unwrap();
    let reference = dir.path().join("x0.csv");
    std::fs::write(&reference, "0,0.1,0.1\n").unwrap();
    let os = |s: &str| std::ffi::OsString::from(s);
    let base = [os("compare"), pa.clone().into(), pb.clone().into()];
    let mut args: Vec<std::ffi::OsString> = base.to_vec();
    args.extend(["--mode", "mineps", "--label-first", "--json", "-", "--reference"].map(os));
    args.push(reference.clone().into());
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let (code, stdout) = relumip(&refs);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["status"], "optimal");
    assert!(
        (json["objective"].as_f64().unwrap() - 0.15).abs() < 1e-5,
        "{json}"
    );
    let mut args: Vec<std::ffi::OsString> = base.to_vec();
    args.extend(["--mode", "maxflip", "--json", "-"].map(os));
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let (code, stdout) = relumip(&refs);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // Hidden neurons are relu(x) in both networks: nothing flips.
    assert_eq!(json["flips"], 0);
    // Different architectures: a usage error.
    let pc = dir.path().join("c.onnx");
    relumip::nn::write_onnx(&three_neurons([1.0; 6], [0.0; 3]), &pc).unwrap();
    let args = [os("compare"), pa.into(), pc.into(), os("--mode"), os("maxflip")];
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    assert_eq!(relumip(&refs).0, 2);
}

/// A random dense `2 -> 5 -> 3` network.
fn random_net(rng: &mut SplitMix64) -> Network {
    let mut draw = |k: usize| -> Vec<f64> { (0..k).map(|_| 2.0 * rng.next_f64() - 1.0).collect() };
    Network::new(vec![
        Layer::new(2, 5, draw(10), draw(5), true).unwrap(),
        Layer::new(5, 3, draw(15), draw(3), false).unwrap(),
    ])
    .unwrap()
}

#[test]
fn maxdiff_linf_by_pieces_against_a_grid() {
    use relumip::tasks::compare::{maxdiff, output_distance};
    use relumip::tasks::compose::DiffNorm;
    let mut rng = SplitMix64::new(7);
    for _ in 0..4 {
        let (a, b) = (random_net(&mut rng), random_net(&mut rng));
        let r = maxdiff(&a, &b, &unit_box(), DiffNorm::Linf, &options(20.0), &Log::quiet()).unwrap();
        assert_eq!(r.result.status, Status::Optimal);
        let (obj, bound) = (r.result.objective.unwrap(), r.result.bound.unwrap());
        let x = r.result.input.clone().unwrap();
        assert_eq!(
            obj,
            output_distance(DiffNorm::Linf, &a.forward(&x), &b.forward(&x))
        );
        let best_on_grid = grid(100)
            .map(|p| output_distance(DiffNorm::Linf, &a.forward(&p), &b.forward(&p)))
            .fold(0.0_f64, f64::max);
        // The optimum is at least the grid's best, and the bound at least the optimum (within the pieces'
        // relative gap 1e-4).
        assert!(
            obj >= best_on_grid - 1e-6,
            "objective {obj} below the grid's {best_on_grid}"
        );
        assert!(
            bound >= obj && bound - obj <= 2e-4 * obj.abs().max(1.0),
            "bound {bound}, objective {obj}"
        );
    }
}
