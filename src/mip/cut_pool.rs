//! The cuts currently in an LP: limits per round, duplicate detection, and ageing out of slack cuts.
//!
//! Cuts are offered each round with their efficacy; the pool drops duplicates (of each other and of cuts already
//! in the LP, compared by coefficients normalised to a largest magnitude of one), keeps the most efficacious
//! up to the per-round limit, and after each LP solve ages the cuts that are slack: a cut slack for more than
//! `max_age` consecutive rounds is removed from the LP so that it does not bloat.

use crate::lp::{DualSimplex, RowSpec};
use std::collections::HashSet;

/// Limits of the cutting-plane loop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CutLimits {
    /// Rounds of separation at the root.
    pub max_rounds_root: usize,
    /// Rounds of separation at a node below the root (0: cuts at the root only).
    pub max_rounds_node: usize,
    /// Cuts added per round (the most efficacious first).
    pub max_cuts_per_round: usize,
    /// A cut slack in this many consecutive rounds (or node solves) is removed.
    pub max_age: u32,
    /// The root loop stops when this many consecutive rounds each improve the bound by less than
    /// `min_improvement`.
    pub stall_rounds: usize,
    /// Smallest relative bound improvement (over `max(1, |bound|)`) that counts as progress.
    pub min_improvement: f64,
    /// A cut counts as slack when its activity is further than this from its bound (absolute).
    pub slack_tol: f64,
}

impl Default for CutLimits {
    fn default() -> Self {
        CutLimits {
            max_rounds_root: 20,
            max_rounds_node: 1,
            max_cuts_per_round: 200,
            max_age: 3,
            stall_rounds: 2,
            min_improvement: 1e-4,
            slack_tol: 1e-6,
        }
    }
}

impl CutLimits {
    /// True when going from `before` to `after` counts as progress (bounds in the direction that tightens:
    /// `sign = 1` when a larger bound is tighter, `-1` when smaller is).
    pub fn is_progress(&self, before: f64, after: f64, sign: f64) -> bool {
        if !before.is_finite() {
            return after.is_finite();
        }
        sign * (after - before) > self.min_improvement * before.abs().max(1.0)
    }
}

/// A cut in the LP: its row and its age.
#[derive(Debug, Clone)]
struct PooledCut {
    key: Vec<(usize, i64)>,
    row: usize,
    age: u32,
}

/// The cuts added to one LP.
#[derive(Debug, Clone, Default)]
pub struct CutPool {
    limits: CutLimits,
    cuts: Vec<PooledCut>,
    keys: HashSet<Vec<(usize, i64)>>,
    added_total: usize,
    removed_total: usize,
}

/// Coefficients and bounds scaled to a largest coefficient magnitude of one, quantised at `1e-9`; the bounds
/// are keyed under column `usize::MAX`.
fn normalised_key(row: &RowSpec) -> Vec<(usize, i64)> {
    let scale = row.coeffs.iter().fold(0.0f64, |m, &(_, a)| m.max(a.abs()));
    let scale = if scale > 0.0 { scale } else { 1.0 };
    let quantise = |v: f64| {
        if v.is_finite() {
            (v / scale * 1e9).round() as i64
        } else if v > 0.0 {
            i64::MAX
        } else {
            i64::MIN
        }
    };
    let mut key: Vec<(usize, i64)> = row.coeffs.iter().map(|&(c, a)| (c, quantise(a))).collect();
    key.sort_unstable();
    key.push((usize::MAX, quantise(row.lower)));
    key.push((usize::MAX, quantise(row.upper)));
    key
}

impl CutPool {
    /// An empty pool with the given limits.
    pub fn new(limits: CutLimits) -> Self {
        CutPool {
            limits,
            ..Default::default()
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &CutLimits {
        &self.limits
    }

    /// Number of cuts in the LP.
    pub fn len(&self) -> usize {
        self.cuts.len()
    }

    /// True when no cut is in the LP.
    pub fn is_empty(&self) -> bool {
        self.cuts.is_empty()
    }

    /// Cuts added and removed over the pool's life.
    pub fn totals(&self) -> (usize, usize) {
        (self.added_total, self.removed_total)
    }

    /// Of the candidates `(row, efficacy)`, the ones to add this round: no duplicates of each other or of cuts
    /// in the LP, the most efficacious first, at most `max_cuts_per_round`. Call [`CutPool::commit`] once they
    /// are in the LP.
    pub fn select(&self, mut candidates: Vec<(RowSpec, f64)>) -> Vec<RowSpec> {
        candidates.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut fresh: HashSet<Vec<(usize, i64)>> = HashSet::new();
        let mut chosen = Vec::new();
        for (row, _) in candidates {
            if chosen.len() >= self.limits.max_cuts_per_round {
                break;
            }
            let key = normalised_key(&row);
            if !self.keys.contains(&key) && fresh.insert(key) {
                chosen.push(row);
            }
        }
        chosen
    }

    /// Records that `rows` now sit in the LP as rows `first_row, first_row + 1, ...`.
    pub fn commit(&mut self, first_row: usize, rows: &[RowSpec]) {
        for (k, row) in rows.iter().enumerate() {
            let key = normalised_key(row);
            self.keys.insert(key.clone());
            self.cuts.push(PooledCut {
                key,
                row: first_row + k,
                age: 0,
            });
        }
        self.added_total += rows.len();
    }

    /// Ages the cuts given the LP's row activities and bounds after a solve: a slack cut grows one older, a
    /// tight one is young again. Returns the rows of cuts now older than `max_age`, in increasing order, and
    /// forgets them (their rows must then be removed from the LP, e.g. by [`CutPool::age_and_remove`]).
    pub fn age(&mut self, activities: &[f64], row_lower: &[f64], row_upper: &[f64]) -> Vec<usize> {
        self.grow_older(activities, row_lower, row_upper);
        self.take_expired()
    }

    /// Ages the cuts given the LP's row activities and bounds (see [`CutPool::age`]) without forgetting any;
    /// returns how many are now older than `max_age`.
    pub fn grow_older(&mut self, activities: &[f64], row_lower: &[f64], row_upper: &[f64]) -> usize {
        let tol = self.limits.slack_tol;
        for cut in &mut self.cuts {
            let r = cut.row;
            let (Some(&act), Some(&lo), Some(&hi)) = (activities.get(r), row_lower.get(r), row_upper.get(r))
            else {
                continue;
            };
            let tight = act >= hi - tol || act <= lo + tol;
            cut.age = if tight { 0 } else { cut.age.saturating_add(1) };
        }
        self.cuts.iter().filter(|c| c.age > self.limits.max_age).count()
    }

    /// The rows of the cuts older than `max_age`, in increasing order, forgotten (their rows must then be
    /// removed from the LP).
    pub fn take_expired(&mut self) -> Vec<usize> {
        let mut expired: Vec<usize> = self
            .cuts
            .iter()
            .filter(|c| c.age > self.limits.max_age)
            .map(|c| c.row)
            .collect();
        expired.sort_unstable();
        self.forget(&expired);
        expired
    }

    /// Rows of the LP that this pool holds as cuts.
    pub fn rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.cuts.iter().map(|c| c.row)
    }

    /// True when a row with these coefficients and bounds (up to scaling) is in the pool.
    pub fn contains(&self, row: &RowSpec) -> bool {
        self.keys.contains(&normalised_key(row))
    }

    /// Forgets the cuts at `removed` rows (increasing) and renumbers the others as the LP does after
    /// `remove_rows`; also to be called when someone else removes rows from the LP.
    pub fn forget(&mut self, removed: &[usize]) {
        if removed.is_empty() {
            return;
        }
        let mut kept = Vec::with_capacity(self.cuts.len());
        for mut cut in std::mem::take(&mut self.cuts) {
            if removed.binary_search(&cut.row).is_ok() {
                self.keys.remove(&cut.key);
                self.removed_total += 1;
                continue;
            }
            cut.row -= removed.partition_point(|&r| r < cut.row);
            kept.push(cut);
        }
        self.cuts = kept;
    }

    /// Adds the selected cuts to the LP and records them; returns how many were added.
    pub fn add_to_lp(&mut self, lp: &mut DualSimplex, candidates: Vec<(RowSpec, f64)>) -> usize {
        let rows = self.select(candidates);
        if rows.is_empty() {
            return 0;
        }
        let first = lp.add_rows(&rows);
        self.commit(first, &rows);
        rows.len()
    }

    /// Ages the cuts at the LP's current point and removes the expired ones from it; returns how many.
    pub fn age_and_remove(&mut self, lp: &mut DualSimplex) -> usize {
        if self.cuts.is_empty() {
            return 0;
        }
        let activities = lp.row_activities();
        let problem = lp.problem();
        let expired = self.age(&activities, &problem.row_lower, &problem.row_upper);
        if !expired.is_empty() {
            lp.remove_rows(&expired);
        }
        expired.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(coeffs: Vec<(usize, f64)>, upper: f64) -> RowSpec {
        RowSpec {
            lower: f64::NEG_INFINITY,
            upper,
            coeffs,
        }
    }

    #[test]
    fn duplicates_up_to_scaling_are_dropped() {
        let pool = CutPool::new(CutLimits::default());
        let chosen = pool.select(vec![
            (row(vec![(0, 1.0), (1, -2.0)], 3.0), 0.5),
            (row(vec![(1, -4.0), (0, 2.0)], 6.0), 0.4),
            (row(vec![(0, 1.0), (1, -2.0)], 3.5), 0.3),
        ]);
        assert_eq!(chosen.len(), 2);
    }

    #[test]
    fn slack_cuts_expire_and_the_rest_are_renumbered() {
        let mut pool = CutPool::new(CutLimits {
            max_age: 1,
            ..CutLimits::default()
        });
        let rows = vec![
            row(vec![(0, 1.0)], 1.0),
            row(vec![(1, 1.0)], 1.0),
            row(vec![(2, 1.0)], 1.0),
        ];
        pool.commit(5, &rows);
        let lower = vec![f64::NEG_INFINITY; 8];
        let upper = vec![1.0; 8];
        let activities = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0];
        assert!(pool.age(&activities, &lower, &upper).is_empty());
        assert_eq!(pool.age(&activities, &lower, &upper), vec![5, 7]);
        assert_eq!(pool.len(), 1);
        assert_eq!(pool.cuts[0].row, 5);
        // A removed cut may come back later.
        assert_eq!(pool.select(vec![(rows[0].clone(), 1.0)]).len(), 1);
    }
}
