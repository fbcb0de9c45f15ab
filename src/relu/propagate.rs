//! Bounds of every pre-activation over an input box with some activations fixed: interval arithmetic,
//! or forward symbolic intervals (lower and upper linear functions of the input per neuron, relaxed
//! through unstable ReLUs by parallel lines; Wang et al., "Efficient formal safety analysis of neural
//! networks" (Neurify), NeurIPS 2018).

use crate::nn::Network;

/// A neuron's activation as a node fixes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixedPhase {
    /// Not fixed.
    Free,
    /// Fixed active: `z >= 0`, `h = z`.
    Active,
    /// Fixed inactive: `z <= 0`, `h = 0`.
    Inactive,
}

/// Slack by which a fixed phase may be contradicted before the node is declared infeasible
/// (guards against rounding in the bounds; a wrongly pruned node would be a wrong answer).
const CONTRADICTION_TOL: f64 = 1e-7;

/// Per-layer pre-activation bounds `(lower, upper)`.
pub type LayerBounds = (Vec<Vec<f64>>, Vec<Vec<f64>>);

/// Propagates the box `[lo, hi]` through `net` with `phases[layer][j]` fixed (layers without ReLU
/// ignore them); each layer's bounds are intersected with `clip` (known valid bounds at this node).
/// Returns `None` when the fixed phases contradict the bounds (the node is infeasible).
pub fn propagate_with_phases(
    net: &Network,
    lo: &[f64],
    hi: &[f64],
    phases: &[Vec<FixedPhase>],
    clip: &LayerBounds,
    symbolic: bool,
) -> Option<LayerBounds> {
    let n = lo.len();
    // Symbolic: coefficients over the inputs plus a constant (last entry), for lower and upper.
    // The inputs' own equations (identities) are never built: the first layer's equations are its
    // weight rows (the same numbers the composition would give, at O(n) instead of O(n^2) per neuron).
    let mut eq_lo: Vec<Vec<f64>> = Vec::new();
    let mut eq_hi: Vec<Vec<f64>> = Vec::new();
    // Which of the previous layer's equations are identically zero (inactive neurons).
    let mut eq_zero: Vec<bool> = Vec::new();
    let mut val_lo = lo.to_vec();
    let mut val_hi = hi.to_vec();
    let mut out_lo = Vec::with_capacity(net.layers().len());
    let mut out_hi = Vec::with_capacity(net.layers().len());
    for (k, layer) in net.layers().iter().enumerate() {
        let m = layer.outputs();
        let mut zl = vec![0.0; m];
        let mut zu = vec![0.0; m];
        let mut new_lo_eq = Vec::new();
        let mut new_hi_eq = Vec::new();
        for j in 0..m {
            let row = layer.row(j);
            let b = layer.bias()[j];
            // Interval bounds always (cheap, and sometimes tighter than the symbolic ones).
            let (mut il, mut iu) = (b, b);
            for (i, &w) in row.iter().enumerate() {
                if w > 0.0 {
                    il += w * val_lo[i];
                    iu += w * val_hi[i];
                } else if w < 0.0 {
                    il += w * val_hi[i];
                    iu += w * val_lo[i];
                }
            }
            if symbolic && k == 0 {
                let mut e = Vec::with_capacity(n + 1);
                e.extend(row.iter().map(|&w| if w == 0.0 { 0.0 } else { w }));
                e.push(b);
                il = il.max(concrete_min(&e, lo, hi));
                iu = iu.min(concrete_max(&e, lo, hi));
                new_lo_eq.push(e.clone());
                new_hi_eq.push(e);
            } else if symbolic {
                let mut el = vec![0.0; n + 1];
                let mut eu = vec![0.0; n + 1];
                el[n] = b;
                eu[n] = b;
                for (i, &w) in row.iter().enumerate() {
                    // Inactive neurons' equations are zero: nothing to add.
                    if w == 0.0 || eq_zero[i] {
                        continue;
                    }
                    let (src_l, src_u) = if w > 0.0 {
                        (&eq_lo[i], &eq_hi[i])
                    } else {
                        (&eq_hi[i], &eq_lo[i])
                    };
                    for (e, s) in el.iter_mut().zip(src_l.iter()) {
                        *e += w * s;
                    }
                    for (e, s) in eu.iter_mut().zip(src_u.iter()) {
                        *e += w * s;
                    }
                }
                il = il.max(concrete_min(&el, lo, hi));
                iu = iu.min(concrete_max(&eu, lo, hi));
                new_lo_eq.push(el);
                new_hi_eq.push(eu);
            }
            if let (Some(cl), Some(cu)) = (
                clip.0.get(k).and_then(|v| v.get(j)),
                clip.1.get(k).and_then(|v| v.get(j)),
            ) {
                il = il.max(*cl);
                iu = iu.min(*cu);
            }
            if layer.has_relu() {
                match phases
                    .get(k)
                    .and_then(|p| p.get(j))
                    .copied()
                    .unwrap_or(FixedPhase::Free)
                {
                    FixedPhase::Active => {
                        if iu < -CONTRADICTION_TOL {
                            return None;
                        }
                        il = il.max(0.0);
                        iu = iu.max(il);
                    }
                    FixedPhase::Inactive => {
                        if il > CONTRADICTION_TOL {
                            return None;
                        }
                        iu = iu.min(0.0);
                        il = il.min(iu);
                    }
                    FixedPhase::Free => {}
                }
            }
            if il > iu + CONTRADICTION_TOL * (1.0 + il.abs()) {
                return None;
            }
            zl[j] = il;
            zu[j] = iu.max(il);
        }
        // Post-activation values and equations.
        let phase_of = |j: usize| {
            phases
                .get(k)
                .and_then(|p| p.get(j))
                .copied()
                .unwrap_or(FixedPhase::Free)
        };
        val_lo = Vec::with_capacity(m);
        val_hi = Vec::with_capacity(m);
        let mut zero_next = vec![false; m];
        for j in 0..m {
            if !layer.has_relu() {
                val_lo.push(zl[j]);
                val_hi.push(zu[j]);
                continue;
            }
            let (l, u) = (zl[j], zu[j]);
            val_lo.push(l.max(0.0));
            val_hi.push(u.max(0.0));
            if !symbolic {
                continue;
            }
            let inactive = u <= 0.0 || phase_of(j) == FixedPhase::Inactive;
            let active = l >= 0.0 || phase_of(j) == FixedPhase::Active;
            if inactive {
                new_lo_eq[j].iter_mut().for_each(|v| *v = 0.0);
                new_hi_eq[j].iter_mut().for_each(|v| *v = 0.0);
                zero_next[j] = true;
            } else if !active {
                // h <= u (z - l) / (u - l) applied to the upper equation; h >= slope * z on the lower one.
                let slope = u / (u - l);
                for v in new_hi_eq[j].iter_mut() {
                    *v *= slope;
                }
                new_hi_eq[j][n] -= slope * l;
                let lower_slope = if u >= -l { slope } else { 0.0 };
                for v in new_lo_eq[j].iter_mut() {
                    *v *= lower_slope;
                }
            }
        }
        if symbolic {
            eq_lo = new_lo_eq;
            eq_hi = new_hi_eq;
            eq_zero = zero_next;
        }
        out_lo.push(zl);
        out_hi.push(zu);
    }
    Some((out_lo, out_hi))
}

/// `min over the box of e·x + e[n]`.
fn concrete_min(e: &[f64], lo: &[f64], hi: &[f64]) -> f64 {
    let n = lo.len();
    let mut s = e[n];
    for i in 0..n {
        s += if e[i] > 0.0 { e[i] * lo[i] } else { e[i] * hi[i] };
    }
    s
}

/// `max over the box of e·x + e[n]`.
fn concrete_max(e: &[f64], lo: &[f64], hi: &[f64]) -> f64 {
    let n = lo.len();
    let mut s = e[n];
    for i in 0..n {
        s += if e[i] > 0.0 { e[i] * hi[i] } else { e[i] * lo[i] };
    }
    s
}
