//! Magnitude pruning: exact thresholds, exact shares, no change at 0 %.

mod common;

use relumip::nn::{Layer, Network};
use relumip::tasks::prune::{accuracy, prune, PruneRule};

fn net() -> Network {
    Network::new(vec![
        Layer::new(
            3,
            4,
            (0..12).map(|i| ((i as f64) * 0.37).sin()).collect(),
            vec![0.1, -0.2, 0.3, 0.0],
            true,
        )
        .unwrap(),
        Layer::new(
            4,
            2,
            (0..8).map(|i| ((i as f64) * 1.1).cos() * 0.5).collect(),
            vec![0.05, -0.05],
            false,
        )
        .unwrap(),
    ])
    .unwrap()
}

#[test]
fn zero_percent_leaves_outputs_bit_for_bit() {
    let n = net();
    let (p, report) = prune(&n, PruneRule::Percent(0.0)).unwrap();
    assert_eq!(report.total_pruned(), 0);
    assert_eq!(p, n);
    for x in [[0.1, 0.2, 0.3], [1.0, -1.0, 0.5], [0.0, 0.0, 0.0]] {
        let (a, b) = (n.forward(&x), p.forward(&x));
        assert!(a.iter().zip(&b).all(|(u, v)| u.to_bits() == v.to_bits()));
    }
}

#[test]
fn eps_removes_exactly_the_small_weights() {
    let n = net();
    for eps in [0.0, 0.1, 0.3, 0.5, 2.0] {
        let (p, report) = prune(&n, PruneRule::Threshold(eps)).unwrap();
        let mut expected = 0;
        for (a, b) in n.layers().iter().zip(p.layers()) {
            for (w, v) in a.weights().iter().zip(b.weights()) {
                if w.abs() <= eps {
                    assert_eq!(*v, 0.0);
                    expected += usize::from(*w != 0.0);
                } else {
                    assert_eq!(w.to_bits(), v.to_bits());
                }
            }
            assert_eq!(a.bias(), b.bias());
        }
        assert_eq!(report.total_pruned(), expected);
    }
}

#[test]
fn percent_removes_the_smallest_share() {
    let n = net();
    let (p, report) = prune(&n, PruneRule::Percent(50.0)).unwrap();
    assert_eq!(report.total_weights(), 20);
    // sin(0) = 0 is already zero: ten weights are zero afterwards, nine of them newly.
    assert_eq!(report.layers.iter().map(|l| l.zeros).sum::<usize>(), 10);
    assert_eq!(report.total_pruned(), 9);
    let kept_min = p
        .layers()
        .iter()
        .flat_map(|l| l.weights().iter())
        .filter(|w| **w != 0.0)
        .fold(f64::INFINITY, |m, w| m.min(w.abs()));
    let removed_max = n
        .layers()
        .iter()
        .zip(p.layers())
        .flat_map(|(a, b)| a.weights().iter().zip(b.weights()))
        .filter(|(_, v)| **v == 0.0)
        .fold(0.0_f64, |m, (w, _)| m.max(w.abs()));
    assert!(removed_max <= kept_min);
    let (all, r) = prune(&n, PruneRule::Percent(100.0)).unwrap();
    assert_eq!(r.total_pruned(), 19);
    assert!(all.layers().iter().all(|l| l.weights().iter().all(|w| *w == 0.0)));
}

#[test]
fn bad_rules_are_errors() {
    let n = net();
    assert!(prune(&n, PruneRule::Percent(101.0)).is_err());
    assert!(prune(&n, PruneRule::Percent(f64::NAN)).is_err());
    assert!(prune(&n, PruneRule::Threshold(-1.0)).is_err());
}

#[test]
fn accuracy_counts_argmax_hits() {
    let n = net();
    let inputs = vec![vec![0.1, 0.2, 0.3], vec![1.0, -1.0, 0.5]];
    let labels: Vec<usize> = inputs
        .iter()
        .map(|x| {
            let y = n.forward(x);
            usize::from(y[1] > y[0])
        })
        .collect();
    assert_eq!(accuracy(&n, &inputs, &labels), Some(1.0));
    let wrong: Vec<usize> = labels.iter().map(|l| 1 - l).collect();
    assert_eq!(accuracy(&n, &inputs, &wrong), Some(0.0));
    assert_eq!(accuracy(&n, &[], &[]), None);
}

/// Pruning a shared network at 0 % and writing it as ONNX gives back the same outputs bit for bit; at eps the
/// written file holds exactly the weights above eps.
#[test]
fn written_network_round_trips() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let net = relumip::nn::load_network(&shared.join("nets/mnist-32-16.onnx")).unwrap();
    let data = relumip::io::csv::read_csv_inputs(&shared.join("data/mnist/sample100.csv"), true).unwrap();
    let (same, _) = prune(&net, PruneRule::Percent(0.0)).unwrap();
    let path = dir.path().join("p0.onnx");
    relumip::nn::write_onnx(&same, &path).unwrap();
    let back = relumip::nn::load_network(&path).unwrap();
    for x in &data.rows {
        let (a, b) = (net.forward(x), back.forward(x));
        assert!(a.iter().zip(&b).all(|(u, v)| u.to_bits() == v.to_bits()));
    }
    let eps = 0.02;
    let (cut, _) = prune(&net, PruneRule::Threshold(eps)).unwrap();
    let path = dir.path().join("eps.onnx");
    relumip::nn::write_onnx(&cut, &path).unwrap();
    let back = relumip::nn::load_network(&path).unwrap();
    for (a, b) in net.layers().iter().zip(back.layers()) {
        for (w, v) in a.weights().iter().zip(b.weights()) {
            if w.abs() <= eps {
                assert_eq!(*v, 0.0);
            } else {
                assert_eq!(w.to_bits(), v.to_bits());
            }
        }
    }
}

#[test]
fn cli_prunes_and_reports_accuracy() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p.onnx");
    let run = std::process::Command::new(common::relumip_bin())
        .arg("prune")
        .arg(shared.join("nets/mnist-15-15.onnx"))
        .arg("-o")
        .arg(&out)
        .args(["--percent", "30", "--data"])
        .arg(shared.join("data/mnist/sample100.csv"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains("accuracy on 100 rows: before"), "{text}");
    assert!(out.exists());
    let both = std::process::Command::new(common::relumip_bin())
        .arg("prune")
        .arg(shared.join("nets/mnist-15-15.onnx"))
        .arg("-o")
        .arg(&out)
        .args(["--percent", "30", "--eps", "0.1"])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
}
