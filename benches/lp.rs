//! LP engine benchmarks: LU factorisation and update, FTRAN/BTRAN, a warm re-solve after a bound change,
//! and a cold solve of every reference LP (with a per-instance table and the shifted geometric mean,
//! shift 0.01 s). Run: `cargo bench --bench lp` (set `RELUMIP_LP_BENCH_QUICK=1` to skip the big ones).

use criterion::{black_box, criterion_group, Criterion};
use relumip::io::mps::read_mps;
use relumip::linalg::{CscMatrix, LuFactor, LuOptions};
use relumip::lp::{DualSimplex, LpOptions, LpProblem, LpStatus, VarStatus};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn mps_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/benchmarks/mps");
    dir.is_dir().then_some(dir)
}

fn load(name: &str) -> Option<LpProblem> {
    read_mps(&mps_dir()?.join(name)).ok().map(|m| m.problem)
}

/// The optimal basis matrix of `problem` (structural columns and unit logicals).
fn optimal_basis(problem: &LpProblem) -> CscMatrix {
    let mut lp = DualSimplex::new(problem, LpOptions::default()).expect("valid");
    lp.solve();
    let basis = lp.basis();
    let m = problem.num_rows();
    let cols = CscMatrix::from_rows(m, problem.num_cols(), &problem.rows);
    let mut b = CscMatrix::new(m);
    for (j, s) in basis.col_status.iter().enumerate() {
        if *s == VarStatus::Basic {
            let (r, v) = cols.col(j);
            b.push_col(r.iter().copied().zip(v.iter().copied()));
        }
    }
    for (i, s) in basis.row_status.iter().enumerate() {
        if *s == VarStatus::Basic {
            b.push_col([(i, 1.0)]);
        }
    }
    b
}

fn bench_linalg(c: &mut Criterion) {
    let Some(problem) = load("25fv47.mps") else { return };
    let b = optimal_basis(&problem);
    let m = b.nrows;
    let mut group = c.benchmark_group("linalg_25fv47");
    group.sample_size(20).measurement_time(Duration::from_secs(2));
    group.bench_function("lu_factor", |bench| {
        let mut lu = LuFactor::new(LuOptions::default());
        bench.iter(|| black_box(lu.factor(&b)))
    });
    let mut lu = LuFactor::new(LuOptions::default());
    lu.factor(&b);
    let rhs: Vec<f64> = (0..m)
        .map(|i| if i % 7 == 0 { 1.0 + i as f64 * 1e-3 } else { 0.0 })
        .collect();
    group.bench_function("ftran", |bench| {
        let mut v = rhs.clone();
        bench.iter(|| {
            v.copy_from_slice(&rhs);
            lu.ftran(&mut v);
            black_box(v[0])
        })
    });
    group.bench_function("btran", |bench| {
        let mut v = rhs.clone();
        bench.iter(|| {
            v.copy_from_slice(&rhs);
            lu.btran(&mut v);
            black_box(v[0])
        })
    });
    // 50 product-form updates (replace column p by a column of the original basis), then FTRAN.
    group.bench_function("50_updates_then_ftran", |bench| {
        bench.iter(|| {
            let mut lu = LuFactor::new(LuOptions::default());
            lu.factor(&b);
            for k in 0..50 {
                let p = (k * 37) % m;
                let mut alpha = vec![0.0; m];
                let (r, v) = b.col((p + 1) % m);
                for (&i, &a) in r.iter().zip(v) {
                    alpha[i] = a + 1e-3;
                }
                alpha[p % m] += 1.0;
                lu.ftran(&mut alpha);
                if alpha[p].abs() > 1e-6 {
                    lu.update(p, &alpha);
                }
            }
            let mut v = rhs.clone();
            lu.ftran(&mut v);
            black_box(v[0])
        })
    });
    group.finish();
}

fn bench_resolve(c: &mut Criterion) {
    let Some(problem) = load("stair.mps") else { return };
    let mut lp = DualSimplex::new(&problem, LpOptions::default()).expect("valid");
    assert_eq!(lp.solve(), LpStatus::Optimal);
    let x = lp.col_values();
    let basis = lp.basis();
    let j = (0..problem.num_cols())
        .filter(|&j| basis.col_status[j] == VarStatus::Basic && x[j] > problem.col_lower[j] + 1e-3)
        .nth(3)
        .expect("a basic column");
    let (lo, hi) = (problem.col_lower[j], problem.col_upper[j]);
    let mut group = c.benchmark_group("resolve_stair");
    group.sample_size(20).measurement_time(Duration::from_secs(3));
    group.bench_function("tighten_bound_resolve_and_back", |bench| {
        bench.iter(|| {
            lp.set_col_bounds(j, lo, lo + 0.5 * (x[j] - lo));
            let s1 = lp.solve();
            lp.set_col_bounds(j, lo, hi);
            let s2 = lp.solve();
            black_box((s1, s2))
        })
    });
    group.finish();
}

/// Cold solves of every reference LP: a table of times and the shifted geometric mean.
fn reference_table() {
    let Some(dir) = mps_dir() else { return };
    let quick = std::env::var("RELUMIP_LP_BENCH_QUICK").is_ok();
    let Ok(text) = std::fs::read_to_string(dir.join("reference.csv")) else {
        return;
    };
    let mut log_sum = 0.0;
    let mut count = 0;
    println!(
        "{:<18} {:>8} {:>10} {:>10}  status",
        "instance", "iters", "seconds", "highs_s"
    );
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() < 9 || f[1] != "LP" {
            continue;
        }
        if quick
            && [
                "25fv47.mps",
                "80bau3b.mps",
                "greenbea.mps",
                "cplex1.mps",
                "perold.mps",
            ]
            .contains(&f[0])
        {
            continue;
        }
        let Ok(model) = read_mps(&dir.join(f[0])) else {
            continue;
        };
        let mut best = f64::INFINITY;
        let mut result = (LpStatus::NumericalTrouble, 0);
        for _ in 0..3 {
            let mut lp = DualSimplex::new(&model.problem, LpOptions::default()).expect("valid");
            let t = Instant::now();
            let status = lp.solve();
            best = best.min(t.elapsed().as_secs_f64());
            result = (status, lp.last_iterations());
            if best > 1.0 {
                break;
            }
        }
        log_sum += (best + 0.01).ln();
        count += 1;
        println!(
            "{:<18} {:>8} {:>10.4} {:>10}  {:?}",
            f[0], result.1, best, f[8], result.0
        );
    }
    if count > 0 {
        println!(
            "shifted geometric mean (shift 0.01 s) over {count} LPs: {:.4} s",
            (log_sum / count as f64).exp() - 0.01
        );
    }
}

criterion_group!(benches, bench_linalg, bench_resolve);

/// `RELUMIP_LP_BENCH_FILES=a.mps,b.mps`: cold-solve just these files (LP relaxation) and print
/// iterations, seconds and iterations per second; for profiling.
fn files_table(list: &str) {
    for name in list.split(',') {
        let Ok(model) = read_mps(std::path::Path::new(name)) else {
            println!("{name}: unreadable");
            continue;
        };
        let mut lp = DualSimplex::new(&model.problem, LpOptions::default()).expect("valid");
        let t = Instant::now();
        let status = lp.solve();
        let secs = t.elapsed().as_secs_f64();
        let iters = lp.last_iterations();
        println!(
            "{name}: {status:?} obj {:.9e} iters {iters} {secs:.4} s {:.0} it/s",
            lp.objective_value(),
            iters as f64 / secs
        );
    }
}

fn main() {
    if let Ok(list) = std::env::var("RELUMIP_LP_BENCH_FILES") {
        files_table(&list);
        return;
    }
    benches();
    reference_table();
    Criterion::default().configure_from_args().final_summary();
}
