//! Branching on fractional integer columns, for generic MILPs: most fractional, and pseudo-costs
//! (Achterberg, Koch, Martin, "Branching rules revisited", 2005) initialised by fractionality.

use super::node::BoundChange;
use super::plugins::{BranchRule, Child, NodeView};
use super::problem::INTEGRALITY_TOL;
use crate::lp::DualSimplex;

/// The two children of a split of column `col` at fractional value `v`: `x <= floor(v)` and `x >= ceil(v)`.
pub fn split_column(col: usize, v: f64, bound: f64) -> Vec<Child> {
    vec![
        Child {
            changes: vec![BoundChange::upper(col, v.floor())],
            bound,
        },
        Child {
            changes: vec![BoundChange::lower(col, v.ceil())],
            bound,
        },
    ]
}

/// Fractional integer columns of the node's LP solution: `(column, value, fractionality)`.
pub fn fractional_columns(view: &NodeView) -> Vec<(usize, f64, f64)> {
    let mut out = Vec::new();
    for (j, &int) in view.problem.integer.iter().enumerate() {
        if int {
            let v = view.x[j];
            let f = v - v.floor();
            if f > INTEGRALITY_TOL && f < 1.0 - INTEGRALITY_TOL {
                out.push((j, v, f));
            }
        }
    }
    out
}

/// Branches on the integer column whose value is closest to one half (lowest index on ties).
#[derive(Debug, Clone, Default)]
pub struct MostFractional;

impl BranchRule for MostFractional {
    fn name(&self) -> &str {
        "most fractional"
    }
    fn branch(&mut self, view: &NodeView, _lp: &mut DualSimplex) -> Option<Vec<Child>> {
        let mut best: Option<(f64, usize, f64)> = None;
        for (j, v, f) in fractional_columns(view) {
            let score = f.min(1.0 - f);
            if best.is_none_or(|(s, _, _)| score > s + 1e-12) {
                best = Some((score, j, v));
            }
        }
        best.map(|(_, j, v)| split_column(j, v, view.lp_value))
    }
}

/// Pseudo-cost branching: the product score of the estimated gains of both children, estimates learned
/// from the observed LP gains per unit of fractionality; columns without history use the average.
#[derive(Debug, Clone, Default)]
pub struct Pseudocost {
    /// `(sum of gains per unit, count)` for down and up branches per column.
    down: Vec<(f64, u32)>,
    up: Vec<(f64, u32)>,
    last_frac: Vec<f64>,
}

impl Pseudocost {
    fn ensure(&mut self, n: usize) {
        if self.down.len() < n {
            self.down.resize(n, (0.0, 0));
            self.up.resize(n, (0.0, 0));
            self.last_frac.resize(n, 0.5);
        }
    }
    fn average(costs: &[(f64, u32)]) -> f64 {
        let (s, c) = costs
            .iter()
            .filter(|p| p.1 > 0)
            .fold((0.0, 0u32), |(s, c), p| (s + p.0 / p.1 as f64, c + 1));
        if c == 0 {
            1.0
        } else {
            s / c as f64
        }
    }
}

impl BranchRule for Pseudocost {
    fn name(&self) -> &str {
        "pseudocost"
    }
    fn branch(&mut self, view: &NodeView, _lp: &mut DualSimplex) -> Option<Vec<Child>> {
        self.ensure(view.problem.integer.len());
        let (avg_d, avg_u) = (Self::average(&self.down), Self::average(&self.up));
        let mut best: Option<(f64, usize, f64)> = None;
        for (j, v, f) in fractional_columns(view) {
            let pd = if self.down[j].1 > 0 {
                self.down[j].0 / self.down[j].1 as f64
            } else {
                avg_d
            };
            let pu = if self.up[j].1 > 0 {
                self.up[j].0 / self.up[j].1 as f64
            } else {
                avg_u
            };
            let score = (f * pd).max(1e-6) * ((1.0 - f) * pu).max(1e-6);
            if best.is_none_or(|(s, _, _)| score > s * (1.0 + 1e-9)) {
                best = Some((score, j, v));
            }
        }
        let (_, j, v) = best?;
        self.last_frac[j] = v - v.floor();
        Some(split_column(j, v, view.lp_value))
    }
    fn observe(&mut self, branched: (usize, bool), gain: f64) {
        let (j, up) = branched;
        self.ensure(j + 1);
        if !gain.is_finite() {
            return;
        }
        let f = self.last_frac[j];
        let unit = if up { 1.0 - f } else { f }.max(1e-6);
        let entry = if up { &mut self.up[j] } else { &mut self.down[j] };
        entry.0 += gain.max(0.0) / unit;
        entry.1 += 1;
    }
}
