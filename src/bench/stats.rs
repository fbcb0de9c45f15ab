//! Summary statistics of a benchmark: the shifted geometric mean of times.

/// Shifted geometric mean `exp(mean(ln(t + shift))) - shift` (Achterberg's thesis, §A.3): damps the
/// weight of very short times. `None` for an empty list.
pub fn shifted_geometric_mean(times: &[f64], shift: f64) -> Option<f64> {
    if times.is_empty() {
        return None;
    }
    let mean_log = times.iter().map(|&t| (t.max(0.0) + shift).ln()).sum::<f64>() / times.len() as f64;
    Some(mean_log.exp() - shift)
}

/// The time an instance counts with: the time taken when solved within the limit, else the limit
/// (unsolved instances count at the limit; without a limit, at the time taken).
pub fn counted_time(solved: bool, time_s: Option<f64>, limit: Option<f64>) -> f64 {
    match (solved, time_s, limit) {
        (true, Some(t), Some(l)) if t <= l => t,
        (true, Some(t), None) => t,
        (_, _, Some(l)) => l,
        (_, Some(t), None) => t,
        (_, None, None) => 0.0,
    }
}
