//! `LayerPropagator`: at every node, bounds propagated through the network with the node's input box and
//! fixed activations; tighter bounds fix binaries and tighten post-activation columns, contradictions and
//! dominated objective bounds prune the node without an LP.

use super::model::{NeuronColumns, ReluModel, Stability};
use super::propagate::{propagate_with_phases, FixedPhase, LayerBounds};
use crate::bounds::{BoundMethod, NeuronBounds, Phase, Propagator as BoundsPropagator};
use crate::mip::{BoundChange, LocalRow, NodeView, Propagation, Propagator};
use crate::nn::Network;
use crate::spec::InputDomain;

/// Smallest tightening worth recording as a bound change.
const MIN_TIGHTENING: f64 = 1e-9;

/// The node propagator of a [`ReluModel`].
#[derive(Debug, Clone)]
pub struct LayerPropagator {
    network: Network,
    input_cols: Vec<usize>,
    cols: Vec<Vec<NeuronColumns>>,
    relu: Vec<bool>,
    root: LayerBounds,
    task_rows_from: usize,
    symbolic: bool,
    crown: bool,
    domain: InputDomain,
    /// Rebuild the big-M rows of unstable neurons on the node's tighter bounds (`Propagator::local_rows`).
    local_big_m: bool,
    /// The pre-activation bounds of the last node propagated (when it was found feasible).
    last: Option<LayerBounds>,
    /// Nodes at which propagation ran.
    pub calls: u64,
}

impl LayerPropagator {
    /// A propagator for the model; `symbolic` picks forward symbolic intervals over plain intervals.
    pub fn new(model: &ReluModel, symbolic: bool) -> Self {
        Self::with_crown(model, symbolic, false)
    }

    /// Like [`LayerPropagator::new`]; with `crown`, the forward bounds are further tightened by CROWN
    /// back-substitution under the node's phases (`bounds::Propagator`).
    pub fn with_crown(model: &ReluModel, symbolic: bool, crown: bool) -> Self {
        LayerPropagator {
            network: model.network.clone(),
            input_cols: model.input_cols.clone(),
            cols: model.neurons.clone(),
            relu: model.network.layers().iter().map(|l| l.has_relu()).collect(),
            root: (model.bounds.lower.clone(), model.bounds.upper.clone()),
            task_rows_from: model.network_rows,
            symbolic,
            crown,
            domain: model.domain.clone(),
            local_big_m: false,
            last: None,
            calls: 0,
        }
    }

    /// Whether the big-M rows are rebuilt on each node's bounds or stay the root's (the default).
    pub fn with_local_big_m(mut self, on: bool) -> Self {
        self.local_big_m = on;
        self
    }

    /// The node's fixed phases, read from its binary columns' bounds.
    fn phases(&self, lower: &[f64], upper: &[f64]) -> Vec<Vec<FixedPhase>> {
        self.cols
            .iter()
            .map(|layer| {
                layer
                    .iter()
                    .map(|n| match (n.stability, n.binary) {
                        (Stability::Active, _) => FixedPhase::Active,
                        (Stability::Inactive, _) => FixedPhase::Inactive,
                        (Stability::Unstable, Some(a)) if lower[a] >= 0.5 => FixedPhase::Active,
                        (Stability::Unstable, Some(a)) if upper[a] <= 0.5 => FixedPhase::Inactive,
                        _ => FixedPhase::Free,
                    })
                    .collect()
            })
            .collect()
    }

    /// Known bounds at the node: the root's, tightened by the node's value columns where the column
    /// equals the pre-activation (linear neurons and active-fixed ones) or bounds it from above.
    fn clip(&self, lower: &[f64], upper: &[f64], phases: &[Vec<FixedPhase>]) -> LayerBounds {
        let mut clip = self.root.clone();
        for (k, layer) in self.cols.iter().enumerate() {
            for (j, n) in layer.iter().enumerate() {
                let Some(c) = n.value else { continue };
                if !self.relu[k] || phases[k][j] == FixedPhase::Active {
                    clip.0[k][j] = clip.0[k][j].max(lower[c]);
                }
                // h >= z, so z <= upper(h).
                clip.1[k][j] = clip.1[k][j].min(upper[c]);
            }
        }
        clip
    }

    /// Bound changes implied by new pre-activation bounds.
    fn changes_from(&self, bounds: &LayerBounds, lower: &[f64], upper: &[f64], out: &mut Vec<BoundChange>) {
        for (k, layer) in self.cols.iter().enumerate() {
            for (j, n) in layer.iter().enumerate() {
                let (val, bin) = (n.value, n.binary);
                let (l, u) = (bounds.0[k][j], bounds.1[k][j]);
                let (vl, vu) = if self.relu[k] {
                    (l.max(0.0), u.max(0.0))
                } else {
                    (l, u)
                };
                if let Some(c) = val {
                    push_tightening(out, c, vl, vu, lower, upper);
                }
                if let Some(a) = bin {
                    if l > 0.0 && lower[a] < 1.0 {
                        out.push(BoundChange::fix(a, 1.0));
                    } else if u < 0.0 && upper[a] > 0.0 {
                        out.push(BoundChange::fix(a, 0.0));
                    }
                }
            }
        }
    }
}

fn push_tightening(out: &mut Vec<BoundChange>, col: usize, l: f64, u: f64, lower: &[f64], upper: &[f64]) {
    let tol = MIN_TIGHTENING * (1.0 + l.abs().max(u.abs()));
    let new_l = if l > lower[col] + tol {
        l
    } else {
        f64::NEG_INFINITY
    };
    let new_u = if u < upper[col] - tol { u } else { f64::INFINITY };
    if new_l.is_finite() || new_u.is_finite() {
        out.push(BoundChange {
            col,
            lower: new_l,
            upper: new_u,
        });
    }
}

/// One pass of activity-based bound tightening over rows `from..`; returns false when a row cannot be met.
fn propagate_rows(
    view: &NodeView,
    from: usize,
    lower: &mut [f64],
    upper: &mut [f64],
    out: &mut Vec<BoundChange>,
) -> bool {
    let lp = &view.problem.lp;
    for i in from..lp.num_rows() {
        let row = &lp.rows[i];
        let (mut amin, mut amax) = (0.0, 0.0);
        for &(j, a) in row {
            if a > 0.0 {
                amin += a * lower[j];
                amax += a * upper[j];
            } else {
                amin += a * upper[j];
                amax += a * lower[j];
            }
        }
        let tol = 1e-7 * (1.0 + amin.abs().max(amax.abs()).min(1e12));
        if amin > lp.row_upper[i] + tol || amax < lp.row_lower[i] - tol {
            return false;
        }
        if !(amin.is_finite() || amax.is_finite()) {
            continue;
        }
        for &(j, a) in row {
            if a == 0.0 {
                // An explicit zero says nothing about column j (dividing by it would).
                continue;
            }
            // Residual activity without column j.
            let (own_min, own_max) = if a > 0.0 {
                (a * lower[j], a * upper[j])
            } else {
                (a * upper[j], a * lower[j])
            };
            let (rmin, rmax) = (amin - own_min, amax - own_max);
            let (mut nl, mut nu) = (lower[j], upper[j]);
            if rmin.is_finite() && lp.row_upper[i].is_finite() {
                // a x_j <= row_upper - rmin
                let lim = (lp.row_upper[i] - rmin) / a;
                if a > 0.0 {
                    nu = nu.min(lim)
                } else {
                    nl = nl.max(lim)
                }
            }
            if rmax.is_finite() && lp.row_lower[i].is_finite() {
                let lim = (lp.row_lower[i] - rmax) / a;
                if a > 0.0 {
                    nl = nl.max(lim)
                } else {
                    nu = nu.min(lim)
                }
            }
            if view.problem.integer[j] {
                nl = (nl - 1e-6).ceil();
                nu = (nu + 1e-6).floor();
            }
            // Relax by a little so rounding never removes a feasible point.
            let slack = 1e-9 * (1.0 + nl.abs().max(nu.abs()).min(1e12));
            if nl > lower[j] + 1e-7 || nu < upper[j] - 1e-7 {
                let (l2, u2) = (
                    if nl > lower[j] + 1e-7 {
                        nl - slack
                    } else {
                        f64::NEG_INFINITY
                    },
                    if nu < upper[j] - 1e-7 {
                        nu + slack
                    } else {
                        f64::INFINITY
                    },
                );
                out.push(BoundChange {
                    col: j,
                    lower: l2,
                    upper: u2,
                });
                lower[j] = lower[j].max(l2);
                upper[j] = upper[j].min(u2);
                if lower[j] > upper[j] + 1e-7 {
                    return false;
                }
            }
        }
    }
    true
}

impl Propagator for LayerPropagator {
    fn name(&self) -> &str {
        "layer propagation"
    }

    fn propagate(&mut self, view: &NodeView, changes: &mut Vec<BoundChange>) -> Propagation {
        self.calls += 1;
        self.last = None;
        let (lower, upper) = (view.col_lower, view.col_upper);
        let lo: Vec<f64> = self.input_cols.iter().map(|&c| lower[c]).collect();
        let hi: Vec<f64> = self.input_cols.iter().map(|&c| upper[c]).collect();
        let phases = self.phases(lower, upper);
        let clip = self.clip(lower, upper, &phases);
        let Some(mut bounds) = propagate_with_phases(&self.network, &lo, &hi, &phases, &clip, self.symbolic)
        else {
            return Propagation::Infeasible;
        };
        if self.crown {
            let relu_phases: Vec<Vec<Phase>> = phases
                .iter()
                .zip(&self.relu)
                .filter(|(_, &r)| r)
                .map(|(p, _)| {
                    p.iter()
                        .map(|f| match f {
                            FixedPhase::Free => Phase::Free,
                            FixedPhase::Active => Phase::Active,
                            FixedPhase::Inactive => Phase::Inactive,
                        })
                        .collect()
                })
                .collect();
            let start = NeuronBounds {
                lower: bounds.0.clone(),
                upper: bounds.1.clone(),
            };
            let mut out = NeuronBounds::unbounded(&self.network);
            if !BoundsPropagator::new(&self.network).run(
                &self.domain,
                Some((&lo, &hi)),
                BoundMethod::Symbolic,
                &relu_phases,
                Some(&start),
                &mut out,
            ) {
                return Propagation::Infeasible;
            }
            bounds = (out.lower, out.upper);
        }
        let before = changes.len();
        self.changes_from(&bounds, lower, upper, changes);
        if self.local_big_m {
            self.last = Some(bounds);
        }
        let mut l = lower.to_vec();
        let mut u = upper.to_vec();
        for c in &changes[before..] {
            l[c.col] = l[c.col].max(c.lower);
            u[c.col] = u[c.col].min(c.upper);
        }
        if !propagate_rows(view, self.task_rows_from, &mut l, &mut u, changes) {
            return Propagation::Infeasible;
        }
        // The objective's minimum over the column box.
        let lp = &view.problem.lp;
        let sign = view.problem.min_sign();
        let mut bound = sign * lp.objective_offset;
        for (j, &c) in lp.cost.iter().enumerate() {
            let c = sign * c;
            if c > 0.0 {
                bound += c * l[j];
            } else if c < 0.0 {
                bound += c * u[j];
            }
        }
        Propagation::Feasible {
            bound: if bound.is_nan() { f64::NEG_INFINITY } else { bound },
        }
    }

    fn local_rows(&mut self, view: &NodeView) -> Vec<LocalRow> {
        let Some(bounds) = self.last.take() else {
            return Vec::new();
        };
        local_big_m_rows(&self.cols, &self.root, &bounds, &view.problem.lp)
    }
}

/// A pre-activation bound counts as tighter than the root's when it moved by more than this share of the
/// root's width (smaller moves would refactorise the LP for nothing).
const MIN_BIG_M_TIGHTENING: f64 = 1e-4;

/// Relative outward rounding of the node's bounds before they become coefficients.
const BIG_M_SAFETY: f64 = 1e-9;

/// The big-M rows `h - w.h_prev - l a <= b - l` and `h - u a <= 0` of every unstable neuron whose node bounds
/// `[l, u]` (valid for every feasible point of the node) are tighter than the root's `[L, U]` the model was
/// built on. Both rows stay valid for the node: with `a = 1` they read `h <= z` and `h <= u`, with `a = 0`
/// `z >= l` and `h <= 0` (Tjeng et al. 2019, the same rows with the node's bounds). The bounds are clamped to
/// `l <= 0 <= u` (a neuron the node fixes needs no tighter coefficient) and rounded outward a little.
fn local_big_m_rows(
    cols: &[Vec<NeuronColumns>],
    root: &LayerBounds,
    node: &LayerBounds,
    lp: &crate::lp::LpProblem,
) -> Vec<LocalRow> {
    let mut rows = Vec::new();
    for (k, layer) in cols.iter().enumerate() {
        for (j, n) in layer.iter().enumerate() {
            let (Stability::Unstable, Some(a)) = (n.stability, n.binary) else {
                continue;
            };
            let (root_l, root_u) = (root.0[k][j], root.1[k][j]);
            let min_move = MIN_BIG_M_TIGHTENING * (root_u - root_l);
            let l = node.0[k][j].min(0.0);
            let l = (l - BIG_M_SAFETY * (1.0 + l.abs())).max(root_l);
            let u = node.1[k][j].max(0.0);
            let u = (u + BIG_M_SAFETY * (1.0 + u.abs())).min(root_u);
            let (m0, m1) = (n.first_row + 1, n.first_row + 2);
            if m1 >= lp.num_rows() {
                continue;
            }
            if l > root_l + min_move {
                rows.push(LocalRow {
                    row: m0,
                    coeffs: vec![(a, -l)],
                    lower: lp.row_lower[m0],
                    upper: lp.row_upper[m0] + (root_l - l),
                });
            }
            if u < root_u - min_move {
                rows.push(LocalRow {
                    row: m1,
                    coeffs: vec![(a, -u)],
                    lower: lp.row_lower[m1],
                    upper: lp.row_upper[m1],
                });
            }
        }
    }
    rows
}
