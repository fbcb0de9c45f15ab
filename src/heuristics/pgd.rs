//! Projected gradient ascent from several starts (Madry et al., "Towards deep learning models resistant to
//! adversarial attacks", ICLR 2018), maximising an [`AttackObjective`] over an [`InputDomain`].
//!
//! Each start runs steepest-ascent steps in the domain's geometry (sign steps scaled to the box, sparse sign
//! steps for an L1 ball, normalised steps for an L2 ball), projects back exactly, and halves its step and returns
//! to its best point when most of the last five steps brought no progress. Integer features are rounded on the candidate points
//! that are scored (the ascent itself moves continuously). Every point returned lies in the domain (checked
//! with tolerance 0) and its score comes from [`Network::forward`].

use super::gradient::GradientWorkspace;
use super::objective::AttackObjective;
use super::projection::{project, round_integer_features};
use super::rng::SplitMix64;
use crate::nn::Network;
use crate::spec::{InputDomain, Norm, OutputProperty};
use std::time::{Duration, Instant};

/// A predicate on the outputs that ends the attack when it holds (e.g. "the output is unsafe").
pub type Goal<'a> = &'a dyn Fn(&[f64]) -> bool;

/// Budget and schedule of an attack.
#[derive(Debug, Clone, PartialEq)]
pub struct PgdOptions {
    /// Number of starts on the whole objective (centre, gradient corner, then random points and corners).
    pub restarts: usize,
    /// Extra starts from the centre, one per group, when the objective has several groups.
    pub per_group_restarts: bool,
    /// Gradient steps per start.
    pub iterations: usize,
    /// First step, as a fraction of each feature's box width (or of the ball radius).
    pub initial_step: f64,
    /// Seed of the random starts.
    pub seed: u64,
    /// Wall-clock budget for the whole attack.
    pub time_limit: Option<Duration>,
    /// Stop as soon as a point scores at least this.
    pub stop_at: Option<f64>,
}

impl Default for PgdOptions {
    fn default() -> Self {
        PgdOptions {
            restarts: 8,
            per_group_restarts: true,
            iterations: 100,
            initial_step: 0.25,
            seed: 0,
            time_limit: None,
            stop_at: None,
        }
    }
}

/// The best point an attack found.
#[derive(Debug, Clone, PartialEq)]
pub struct AttackResult {
    /// The input (in the domain, integer features integral).
    pub input: Vec<f64>,
    /// `Network::forward(input)`.
    pub output: Vec<f64>,
    /// The objective's score at `output`.
    pub score: f64,
    /// Whether the caller's goal predicate holds at `output`.
    pub goal_reached: bool,
    /// Forward passes spent.
    pub forward_passes: usize,
}

/// A confirmed counterexample to a VNN-LIB property: the outputs satisfy every constraint of one disjunct.
#[derive(Debug, Clone, PartialEq)]
pub struct Counterexample {
    /// The input (in the domain).
    pub input: Vec<f64>,
    /// `Network::forward(input)`.
    pub output: Vec<f64>,
    /// The disjunct whose constraints all hold (slack <= 0, no tolerance).
    pub disjunct: usize,
}

/// Maximises a linear function `c · y` of the outputs over the domain.
pub fn maximize_linear(
    net: &Network,
    domain: &InputDomain,
    c: &[f64],
    options: &PgdOptions,
) -> Option<AttackResult> {
    pgd_attack(net, domain, &AttackObjective::linear(c), options, &[], None)
}

/// Searches for an input in `domain` whose outputs lie in the unsafe set `property`. A result is returned only
/// after a plain forward pass confirms it: some disjunct has every slack `<= 0` (tolerance 0) and the input lies
/// in the domain (tolerance 0).
pub fn find_counterexample(
    net: &Network,
    domain: &InputDomain,
    property: &OutputProperty,
    options: &PgdOptions,
) -> Option<Counterexample> {
    let objective = AttackObjective::unsafe_set(property);
    let goal = |y: &[f64]| property.satisfied_by(y, 0.0).is_some();
    let found = pgd_attack(net, domain, &objective, options, &[], Some(&goal))?;
    confirm_counterexample(net, domain, property, &found.input)
}

/// Re-checks a candidate counterexample with a plain forward pass (tolerance 0 on the domain and the slacks).
pub fn confirm_counterexample(
    net: &Network,
    domain: &InputDomain,
    property: &OutputProperty,
    input: &[f64],
) -> Option<Counterexample> {
    if input.len() != net.input_size() || !domain.contains(input, 0.0) {
        return None;
    }
    let output = net.forward(input);
    let disjunct = property.satisfied_by(&output, 0.0)?;
    Some(Counterexample {
        input: input.to_vec(),
        output,
        disjunct,
    })
}

/// Projected gradient ascent on `objective` from `starts` (each projected first) and then the default starts.
/// Stops early when `goal` holds at a scored point's outputs, when `options.stop_at` is reached, or at the
/// time limit. Returns `None` when the sizes disagree or no scored point lies in the domain.
pub fn pgd_attack(
    net: &Network,
    domain: &InputDomain,
    objective: &AttackObjective,
    options: &PgdOptions,
    starts: &[Vec<f64>],
    goal: Option<Goal<'_>>,
) -> Option<AttackResult> {
    let n = net.input_size();
    if domain.dim() != n || n == 0 {
        return None;
    }
    let mut run = Run {
        net,
        domain,
        options,
        goal,
        ws: GradientWorkspace::new(net),
        rng: SplitMix64::new(options.seed),
        deadline: options.time_limit.map(|t| Instant::now() + t),
        has_integer: domain.integer.iter().any(|&b| b),
        best: None,
        forward_passes: 0,
        done: false,
    };
    for s in starts {
        if s.len() == n {
            run.ascend(objective, s.clone(), false);
        }
    }
    let centre = run.centre();
    for r in 0..options.restarts {
        if run.done {
            break;
        }
        let x0 = match r {
            0 => centre.clone(),
            1 => run.gradient_corner(objective, &centre),
            r if r % 2 == 0 => run.random_point(),
            _ => run.random_corner(),
        };
        run.ascend(objective, x0, r % 2 == 1);
    }
    if options.per_group_restarts && objective.groups.len() > 1 {
        for g in 0..objective.groups.len() {
            if run.done {
                break;
            }
            run.ascend(&objective.only_group(g), centre.clone(), false);
        }
    }
    let forward_passes = run.forward_passes;
    let (input, _) = run.best?;
    // The reported score comes from the plain forward pass and the full objective.
    let output = net.forward(&input);
    let score = objective.score(&output).value;
    let goal_reached = goal.is_some_and(|g| g(&output));
    Some(AttackResult {
        input,
        output,
        score,
        goal_reached,
        forward_passes,
    })
}

/// Steps between step-size checks.
const CHECKPOINT: usize = 5;

/// The state of one attack across its starts.
struct Run<'a> {
    net: &'a Network,
    domain: &'a InputDomain,
    options: &'a PgdOptions,
    goal: Option<Goal<'a>>,
    ws: GradientWorkspace,
    rng: SplitMix64,
    deadline: Option<Instant>,
    has_integer: bool,
    /// Best feasible point and its (goal reached, score).
    best: Option<(Vec<f64>, (bool, f64))>,
    forward_passes: usize,
    done: bool,
}

impl Run<'_> {
    fn centre(&self) -> Vec<f64> {
        let mut x = match &self.domain.ball {
            Some(b) => b.center.clone(),
            None => (0..self.domain.dim())
                .map(|i| 0.5 * (self.domain.lower[i] + self.domain.upper[i]))
                .collect(),
        };
        project(self.domain, &mut x);
        x
    }

    fn random_point(&mut self) -> Vec<f64> {
        let d = self.domain;
        (0..d.dim())
            .map(|i| d.lower[i] + self.rng.next_f64() * (d.upper[i] - d.lower[i]))
            .collect()
    }

    fn random_corner(&mut self) -> Vec<f64> {
        let d = self.domain;
        (0..d.dim())
            .map(|i| {
                if self.rng.next_bool() {
                    d.upper[i]
                } else {
                    d.lower[i]
                }
            })
            .collect()
    }

    /// The corner (projected) that the gradient at `x` points to: one full fast-gradient-sign step.
    fn gradient_corner(&mut self, objective: &AttackObjective, x: &[f64]) -> Vec<f64> {
        let y = self.ws.forward(self.net, x).to_vec();
        self.forward_passes += 1;
        let at = objective.score(&y);
        let mut dir = Vec::new();
        objective.output_direction(&y, at, false, 0.0, &mut dir);
        let mut grad = Vec::new();
        self.ws.backward(self.net, &dir, &mut grad);
        let d = self.domain;
        (0..d.dim())
            .map(|i| {
                if grad[i] > 0.0 {
                    d.upper[i]
                } else if grad[i] < 0.0 {
                    d.lower[i]
                } else {
                    x[i]
                }
            })
            .collect()
    }

    fn out_of_time(&mut self) -> bool {
        if let Some(t) = self.deadline {
            if Instant::now() >= t {
                self.done = true;
            }
        }
        self.done
    }

    /// Scores a candidate point (rounded if the domain has integer features) and keeps it if best.
    /// Returns the score of the continuous point `x` for the step-size schedule.
    fn score_point(&mut self, objective: &AttackObjective, x: &[f64]) -> f64 {
        let y = self.ws.forward(self.net, x);
        self.forward_passes += 1;
        let continuous = objective.score(y).value;
        if self.has_integer {
            let mut r = x.to_vec();
            if round_integer_features(self.domain, &mut r) {
                let y = self.ws.forward(self.net, &r).to_vec();
                self.forward_passes += 1;
                self.offer(objective, r, &y);
            }
            // Leave the workspace at x for the gradient.
            self.ws.forward(self.net, x);
        } else if self.domain.contains(x, 0.0) {
            let y = y.to_vec();
            self.offer(objective, x.to_vec(), &y);
        }
        continuous
    }

    fn offer(&mut self, objective: &AttackObjective, x: Vec<f64>, y: &[f64]) {
        let score = objective.score(y).value;
        // The workspace sums in another order than `Network::forward`: a goal is only claimed on the latter.
        let reached = self.goal.is_some_and(|g| g(y) && g(&self.net.forward(&x)));
        let key = (reached, score);
        let better = match &self.best {
            None => true,
            Some((_, (r, s))) => (reached && !r) || (reached == *r && score > *s),
        };
        if better {
            self.best = Some((x, key));
        }
        if reached || self.options.stop_at.is_some_and(|t| score >= t) {
            self.done = true;
        }
    }

    /// One start: gradient ascent from `x` (projected first).
    fn ascend(&mut self, objective: &AttackObjective, mut x: Vec<f64>, hinge: bool) {
        let d = self.domain;
        project(d, &mut x);
        let n = x.len();
        let mut step = self.options.initial_step;
        let mut run_best = (f64::NEG_INFINITY, x.clone());
        let mut improvements = 0;
        let mut dir = Vec::new();
        let mut grad = Vec::new();
        for it in 0..self.options.iterations.max(1) {
            if self.done || self.out_of_time() {
                return;
            }
            let value = self.score_point(objective, &x);
            if self.done {
                return;
            }
            if value > run_best.0 {
                run_best = (value, x.clone());
                improvements += 1;
            }
            // Step-size schedule after Croce and Hein's APGD (ICML 2020): when fewer than 3 of the last
            // CHECKPOINT steps improved, halve the step and restart from the best point of this start.
            if it > 0 && it % CHECKPOINT == 0 {
                if improvements < 3 {
                    step *= 0.5;
                    x.copy_from_slice(&run_best.1);
                    if step < 1e-9 {
                        break;
                    }
                }
                improvements = 0;
            }
            let y = self.ws.outputs().to_vec();
            let at = objective.score(&y);
            objective.output_direction(&y, at, hinge, 0.0, &mut dir);
            self.ws.backward(self.net, &dir, &mut grad);
            if grad.iter().all(|g| *g == 0.0) {
                // Flat region: a random sign direction keeps the search moving.
                for g in grad.iter_mut() {
                    *g = if self.rng.next_bool() { 1.0 } else { -1.0 };
                }
            }
            match d.ball.as_ref().map(|b| (b.norm, b.radius)) {
                Some((Norm::L1, r)) => sparse_sign_step(d, &mut x, &grad, step * r),
                Some((Norm::L2, r)) => {
                    let norm = grad.iter().map(|g| g * g).sum::<f64>().sqrt();
                    if norm > 0.0 {
                        for i in 0..n {
                            x[i] += step * r * grad[i] / norm;
                        }
                    }
                }
                _ => {
                    for i in 0..n {
                        x[i] += step * (d.upper[i] - d.lower[i]) * sign(grad[i]);
                    }
                }
            }
            project(d, &mut x);
        }
        if !self.done && !self.out_of_time() {
            self.score_point(objective, &x);
        }
    }
}

/// A steepest-ascent step for the L1 geometry: move the largest-gradient coordinates (about 5% of them, those not
/// blocked by the box) by sign, with total L1 length `length`.
fn sparse_sign_step(domain: &InputDomain, x: &mut [f64], grad: &[f64], length: f64) {
    let mut movable: Vec<usize> = (0..x.len())
        .filter(|&i| (grad[i] > 0.0 && x[i] < domain.upper[i]) || (grad[i] < 0.0 && x[i] > domain.lower[i]))
        .collect();
    if movable.is_empty() {
        return;
    }
    let k = (x.len() / 20).clamp(1, movable.len());
    movable.select_nth_unstable_by(k - 1, |&a, &b| grad[b].abs().total_cmp(&grad[a].abs()));
    for &i in &movable[..k] {
        x[i] += grad[i].signum() * length / k as f64;
    }
}

/// -1, 0 or 1.
fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}
