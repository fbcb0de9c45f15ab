//! What an attack maximises: the best of several groups, each the worst of several affine functions of the outputs.
//!
//! `score(y) = max over groups g of min over terms k in g of (a_gk · y + b_gk)`. This one shape covers
//! - a linear objective `c · y` (one group, one term);
//! - a VNN-LIB unsafe set in DNF (a group per disjunct, a term `-(slack)` per constraint): an output is unsafe iff
//!   the score is `>= 0`;
//! - an adversarial target `t`: one group with the terms `y_t - r y_j - m` for `j != t` (additive margin `m` with
//!   `r = 1`, or ratio `r` with `m = 0`); untargeted: a group per candidate class.

use crate::spec::OutputProperty;

/// One affine function of the outputs, `sum coeff * y[index] + constant`.
#[derive(Debug, Clone, PartialEq)]
pub struct AffineTerm {
    /// Sparse coefficients `(output index, coefficient)`.
    pub coeffs: Vec<(usize, f64)>,
    /// Constant added.
    pub constant: f64,
}

impl AffineTerm {
    /// The value at outputs `y`.
    pub fn eval(&self, y: &[f64]) -> f64 {
        self.coeffs.iter().fold(self.constant, |acc, &(j, c)| {
            acc + c * y.get(j).copied().unwrap_or(f64::NAN)
        })
    }
}

/// `max_g min_k term_gk(y)`; see the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct AttackObjective {
    /// The groups; each must be non-empty.
    pub groups: Vec<Vec<AffineTerm>>,
}

/// Where the score of a point comes from: the best group and its worst term.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreAt {
    /// The score.
    pub value: f64,
    /// The group attaining the max.
    pub group: usize,
    /// The term attaining the min within that group.
    pub term: usize,
}

impl AttackObjective {
    /// Maximise `sum c[j] y[j]`.
    pub fn linear(c: &[f64]) -> Self {
        let coeffs = c
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != 0.0)
            .map(|(j, v)| (j, *v))
            .collect();
        AttackObjective {
            groups: vec![vec![AffineTerm {
                coeffs,
                constant: 0.0,
            }]],
        }
    }

    /// Reach the unsafe set: score >= 0 iff some disjunct has all its slacks <= 0.
    pub fn unsafe_set(property: &OutputProperty) -> Self {
        let groups = property
            .disjuncts
            .iter()
            .map(|conj| {
                conj.iter()
                    .map(|c| AffineTerm {
                        coeffs: c.coeffs.iter().map(|&(j, v)| (j, -v)).collect(),
                        constant: c.rhs,
                    })
                    .collect()
            })
            .collect();
        AttackObjective { groups }
    }

    /// Class `target` beats every other of `outputs` classes: terms `y_t - ratio * y_j - margin`.
    pub fn target(outputs: usize, target: usize, margin: f64, ratio: f64) -> Self {
        AttackObjective {
            groups: vec![target_group(outputs, target, margin, ratio)],
        }
    }

    /// Some class other than `source` beats every other class (one group per candidate class).
    pub fn untargeted(outputs: usize, source: usize, margin: f64, ratio: f64) -> Self {
        AttackObjective {
            groups: (0..outputs)
                .filter(|&t| t != source)
                .map(|t| target_group(outputs, t, margin, ratio))
                .collect(),
        }
    }

    /// The objective restricted to one group (for attacks that focus on one disjunct).
    pub fn only_group(&self, g: usize) -> Self {
        AttackObjective {
            groups: self.groups.get(g).cloned().into_iter().collect(),
        }
    }

    /// The score at outputs `y` and where it comes from. A group without terms scores `+inf` (an empty conjunction
    /// holds everywhere); no group at all scores `-inf`. NaN outputs score `-inf`.
    pub fn score(&self, y: &[f64]) -> ScoreAt {
        let mut best = ScoreAt {
            value: f64::NEG_INFINITY,
            group: 0,
            term: 0,
        };
        for (g, terms) in self.groups.iter().enumerate() {
            let mut worst = (f64::INFINITY, 0);
            for (k, t) in terms.iter().enumerate() {
                let v = t.eval(y);
                let v = if v.is_nan() { f64::NEG_INFINITY } else { v };
                if v < worst.0 {
                    worst = (v, k);
                }
            }
            if worst.0 > best.value || (g == 0 && best.value == f64::NEG_INFINITY) {
                best = ScoreAt {
                    value: worst.0,
                    group: g,
                    term: worst.1,
                };
            }
        }
        best
    }

    /// The gradient direction in output space (dense, `outputs` entries) used at a point with score `at`.
    /// `hinge = false`: the active term (a subgradient of the score). `hinge = true`: the sum of the active group's
    /// terms that are below `floor` (ascent on `sum min(term, floor)`), which moves several constraints at once.
    pub fn output_direction(&self, y: &[f64], at: ScoreAt, hinge: bool, floor: f64, out: &mut Vec<f64>) {
        out.clear();
        out.resize(y.len(), 0.0);
        let Some(terms) = self.groups.get(at.group) else {
            return;
        };
        let mut add = |t: &AffineTerm| {
            for &(j, c) in &t.coeffs {
                if let Some(o) = out.get_mut(j) {
                    *o += c;
                }
            }
        };
        if hinge {
            let mut any = false;
            for t in terms {
                if t.eval(y) < floor {
                    add(t);
                    any = true;
                }
            }
            if !any {
                if let Some(t) = terms.get(at.term) {
                    add(t);
                }
            }
        } else if let Some(t) = terms.get(at.term) {
            add(t);
        }
    }
}

fn target_group(outputs: usize, target: usize, margin: f64, ratio: f64) -> Vec<AffineTerm> {
    (0..outputs)
        .filter(|&j| j != target)
        .map(|j| AffineTerm {
            coeffs: vec![(target, 1.0), (j, -ratio)],
            constant: -margin,
        })
        .collect()
}
