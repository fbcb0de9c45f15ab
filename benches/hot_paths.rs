//! Hot paths outside the bounds room (see benches/bounds.rs for symbolic bounds): the forward pass and
//! interval bounds on ACAS Xu- and MNIST-FC-shaped random networks, the dual simplex from scratch and
//! re-solving after one bound change, and reading MPS text. Run: `cargo bench --bench hot_paths`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use relumip::bounds::interval_bounds;
use relumip::io::mps::{mps_string, parse_mps, MpsModel};
use relumip::lp::{DualSimplex, LpOptions, LpProblem, LpStatus, Sense};
use relumip::nn::{Layer, Network};
use std::path::Path;

/// xorshift64 uniform in [-0.5, 0.5): a fixed, dependency-free stream.
fn stream(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed.max(1);
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    }
}

fn random_net(sizes: &[usize], seed: u64) -> Network {
    let mut next = stream(seed);
    let layers = sizes
        .windows(2)
        .enumerate()
        .map(|(k, w)| {
            let scale = (6.0 / w[0] as f64).sqrt();
            let weights = (0..w[0] * w[1]).map(|_| next() * scale).collect();
            let bias = (0..w[1]).map(|_| next() * 0.1).collect();
            Layer::new(w[0], w[1], weights, bias, k + 2 < sizes.len()).expect("layer")
        })
        .collect();
    Network::new(layers).expect("network")
}

fn shapes() -> Vec<(&'static str, Vec<usize>)> {
    vec![
        ("acasxu-5x50x6", vec![5, 50, 50, 50, 50, 50, 50, 5]),
        ("mnistfc-256x2", vec![784, 256, 256, 10]),
        ("mnistfc-256x6", vec![784, 256, 256, 256, 256, 256, 256, 10]),
    ]
}

fn bench_network(c: &mut Criterion) {
    let mut group = c.benchmark_group("network");
    for (name, sizes) in shapes() {
        let net = random_net(&sizes, 7);
        let mut next = stream(11);
        let x: Vec<f64> = (0..sizes[0]).map(|_| next() + 0.5).collect();
        group.bench_function(format!("{name}/forward"), |b| {
            b.iter(|| net.forward(black_box(&x)))
        });
        let lower: Vec<f64> = x.iter().map(|v| v - 0.02).collect();
        let upper: Vec<f64> = x.iter().map(|v| v + 0.02).collect();
        group.bench_function(format!("{name}/interval_bounds"), |b| {
            b.iter(|| interval_bounds(&net, black_box(&lower), black_box(&upper)))
        });
    }
    group.finish();
}

/// max c^T x s.t. A x <= b, 0 <= x <= 10, A sparse non-negative-ish (feasible at 0, bounded by the box).
fn random_lp(rows: usize, cols: usize, per_row: usize, seed: u64) -> LpProblem {
    let mut next = stream(seed);
    let mut lp = LpProblem::new(Sense::Maximize);
    for j in 0..cols {
        lp.add_col(next() + 0.6, 0.0, 10.0, format!("x{j}"));
    }
    for i in 0..rows {
        let mut coeffs: Vec<(usize, f64)> = (0..per_row)
            .map(|_| (((next() + 0.5) * cols as f64) as usize % cols, next() + 0.7))
            .collect();
        coeffs.sort_by_key(|&(j, _)| j);
        coeffs.dedup_by_key(|&mut (j, _)| j);
        lp.add_row(
            f64::NEG_INFINITY,
            5.0 + 10.0 * (next() + 0.5),
            coeffs,
            format!("r{i}"),
        );
    }
    lp
}

fn bench_lp(c: &mut Criterion) {
    let mut group = c.benchmark_group("lp");
    group.sample_size(20);
    let lp = random_lp(300, 400, 8, 3);
    group.bench_function("random-300x400/solve", |b| {
        b.iter(|| {
            let mut simplex = DualSimplex::new(&lp, LpOptions::default()).expect("valid LP");
            assert_eq!(simplex.solve(), LpStatus::Optimal);
        })
    });
    let mut simplex = DualSimplex::new(&lp, LpOptions::default()).expect("valid LP");
    assert_eq!(simplex.solve(), LpStatus::Optimal);
    let x = simplex.col_values();
    let column = (0..x.len()).max_by(|&a, &b| x[a].total_cmp(&x[b])).unwrap_or(0);
    let half = x[column] / 2.0;
    group.bench_function("random-300x400/resolve-after-bound-change", |b| {
        b.iter(|| {
            // Down branch and back: two warm re-solves per iteration.
            simplex.set_col_bounds(column, 0.0, half);
            simplex.solve();
            simplex.set_col_bounds(column, 0.0, 10.0);
            simplex.solve()
        })
    });
    group.finish();
}

fn bench_mps(c: &mut Criterion) {
    let model = MpsModel {
        integer: vec![false; 3000],
        problem: random_lp(2000, 3000, 10, 5),
    };
    let text = mps_string(&model).expect("writable");
    let mut group = c.benchmark_group("mps");
    group.sample_size(20);
    group.bench_function("read-2000x3000", |b| {
        b.iter(|| parse_mps(black_box(&text), Path::new("bench.mps")).expect("readable"))
    });
    group.bench_function("write-2000x3000", |b| {
        b.iter(|| mps_string(black_box(&model)).expect("writable"))
    });
    group.finish();
}

criterion_group!(benches, bench_network, bench_lp, bench_mps);
criterion_main!(benches);
