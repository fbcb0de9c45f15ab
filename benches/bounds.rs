//! Interval and symbolic bounds on MNIST-sized networks (the shared ONNX networks when they can be read,
//! else random networks of the same shapes), over an L∞ ball of 0.02 around a fixed image.

use criterion::{criterion_group, criterion_main, Criterion};
use relumip::bounds::{compute_bounds, propagate, BoundMethod, BoundsOptions};
use relumip::nn::{Layer, Network};
use relumip::spec::InputDomain;

fn random_net(sizes: &[usize], seed: u64) -> Network {
    let mut state = seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let layers = sizes
        .windows(2)
        .enumerate()
        .map(|(k, w)| {
            let scale = (6.0 / w[0] as f64).sqrt();
            let weights = (0..w[0] * w[1]).map(|_| next() * scale).collect();
            let bias = (0..w[1]).map(|_| next() * 0.1).collect();
            Layer::new(w[0], w[1], weights, bias, k + 2 < sizes.len()).unwrap()
        })
        .collect();
    Network::new(layers).unwrap()
}

/// The shared MNIST networks and a held-out image when `../shared` is there, else random stand-ins.
fn networks() -> (Vec<(String, Network)>, Vec<f64>) {
    let shared = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let files = [
        ("mnist-50-50-50-l1", "nets/mnist-50-50-50-l1.onnx"),
        (
            "mnistfc-256x4",
            "benchmarks/vnncomp2021/mnistfc/mnist-net_256x4.onnx",
        ),
    ];
    let image = relumip::io::csv::read_csv_inputs(&shared.join("data/mnist/sample100.csv"), true)
        .ok()
        .and_then(|csv| csv.rows.first().cloned());
    let loaded: Option<Vec<(String, Network)>> = files
        .iter()
        .map(|(name, file)| {
            relumip::nn::load_network(&shared.join(file))
                .ok()
                .map(|n| (name.to_string(), n))
        })
        .collect();
    match (loaded, image) {
        (Some(nets), Some(image)) => (nets, image),
        _ => {
            eprintln!("../shared not found: benchmarking random networks of the same shapes");
            let image = (0..784).map(|i| ((i * 37) % 101) as f64 / 100.0).collect();
            let nets = vec![
                ("random-50x3".to_string(), random_net(&[784, 50, 50, 50, 10], 3)),
                (
                    "random-256x4".to_string(),
                    random_net(&[784, 256, 256, 256, 256, 10], 4),
                ),
            ];
            (nets, image)
        }
    }
}

fn bench_bounds(c: &mut Criterion) {
    let (nets, image) = networks();
    let domain = InputDomain::uniform(784, 0.0, 1.0)
        .unwrap()
        .intersect_linf(&image, 0.02)
        .unwrap();
    let mut group = c.benchmark_group("bounds");
    group.sample_size(10);
    for (name, net) in &nets {
        for method in [BoundMethod::Interval, BoundMethod::Symbolic] {
            group.bench_function(format!("{name}/propagate/{method}"), |b| {
                b.iter(|| propagate(net, &domain, method, &[]).unwrap())
            });
        }
        let options = BoundsOptions {
            threads: Some(1),
            ..BoundsOptions::default()
        };
        group.bench_function(format!("{name}/compute/symbolic/1-thread"), |b| {
            b.iter(|| compute_bounds(net, &domain, BoundMethod::Symbolic, &options).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench_bounds);
criterion_main!(benches);
