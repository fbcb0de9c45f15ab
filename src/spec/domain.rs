//! Input domains: a box, optionally intersected with an L1 ball, with optional integer features.

use crate::error::{Error, Result};

/// A norm on the input space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Norm {
    /// Sum of absolute values.
    L1,
    /// Euclidean.
    L2,
    /// Maximum absolute value.
    Linf,
    /// Number of non-zero entries.
    L0,
}

/// A ball `{x : ||x - center|| <= radius}` that is not a box (L∞ balls are folded into the box).
#[derive(Debug, Clone, PartialEq)]
pub struct Ball {
    /// The norm (L1 or L2).
    pub norm: Norm,
    /// The centre.
    pub center: Vec<f64>,
    /// The radius.
    pub radius: f64,
}

/// The set of inputs a question ranges over: a finite box, an optional ball, integrality.
#[derive(Debug, Clone, PartialEq)]
pub struct InputDomain {
    /// Lower bound per feature (finite).
    pub lower: Vec<f64>,
    /// Upper bound per feature (finite).
    pub upper: Vec<f64>,
    /// An additional L1 ball, if any.
    pub ball: Option<Ball>,
    /// Which features take integer values only.
    pub integer: Vec<bool>,
}

impl InputDomain {
    /// The box `[lower, upper]`; fails on size mismatch, non-finite or crossed bounds.
    pub fn boxed(lower: Vec<f64>, upper: Vec<f64>) -> Result<Self> {
        if lower.len() != upper.len() {
            return Err(Error::Options(format!(
                "domain has {} lower and {} upper bounds",
                lower.len(),
                upper.len()
            )));
        }
        for i in 0..lower.len() {
            if !lower[i].is_finite() || !upper[i].is_finite() {
                return Err(Error::Options(format!(
                    "domain bounds of feature {i} are not finite: [{}, {}]",
                    lower[i], upper[i]
                )));
            }
            if lower[i] > upper[i] {
                return Err(Error::Options(format!(
                    "domain of feature {i} is empty: [{}, {}]",
                    lower[i], upper[i]
                )));
            }
        }
        let n = lower.len();
        Ok(InputDomain {
            lower,
            upper,
            ball: None,
            integer: vec![false; n],
        })
    }

    /// The box `[lo, hi]^n`.
    pub fn uniform(n: usize, lo: f64, hi: f64) -> Result<Self> {
        Self::boxed(vec![lo; n], vec![hi; n])
    }

    /// Number of features.
    pub fn dim(&self) -> usize {
        self.lower.len()
    }

    /// Intersects with the L∞ ball of radius `eps` around `center`; fails if the result is empty.
    pub fn intersect_linf(mut self, center: &[f64], eps: f64) -> Result<Self> {
        self.check_center(center, eps)?;
        for i in 0..self.dim() {
            self.lower[i] = self.lower[i].max(center[i] - eps);
            self.upper[i] = self.upper[i].min(center[i] + eps);
            if self.lower[i] > self.upper[i] {
                return Err(Error::Options(format!(
                    "the L-infinity ball around the centre misses the box at feature {i}"
                )));
            }
        }
        Ok(self)
    }

    /// Intersects with the L1 ball of radius `eps` around `center` (the box is also shrunk to the ball's box).
    pub fn intersect_l1(self, center: &[f64], eps: f64) -> Result<Self> {
        let mut d = self.intersect_linf(center, eps)?;
        d.ball = Some(Ball {
            norm: Norm::L1,
            center: center.to_vec(),
            radius: eps,
        });
        Ok(d)
    }

    fn check_center(&self, center: &[f64], eps: f64) -> Result<()> {
        if center.len() != self.dim() {
            return Err(Error::Options(format!(
                "centre has {} features, the domain {}",
                center.len(),
                self.dim()
            )));
        }
        if !(eps.is_finite() && eps >= 0.0) {
            return Err(Error::Options(format!(
                "radius must be finite and >= 0, got {eps}"
            )));
        }
        if let Some(i) = center.iter().position(|c| !c.is_finite()) {
            return Err(Error::Options(format!("centre feature {i} is {}", center[i])));
        }
        Ok(())
    }

    /// Whether `x` lies in the domain within `tol`.
    pub fn contains(&self, x: &[f64], tol: f64) -> bool {
        if x.len() != self.dim() {
            return false;
        }
        let in_box = (0..x.len()).all(|i| x[i] >= self.lower[i] - tol && x[i] <= self.upper[i] + tol);
        let integral = (0..x.len()).all(|i| !self.integer[i] || (x[i] - x[i].round()).abs() <= tol);
        let in_ball = match &self.ball {
            None => true,
            Some(b) => {
                let d: Vec<f64> = x.iter().zip(&b.center).map(|(a, c)| a - c).collect();
                let norm = match b.norm {
                    Norm::L1 => d.iter().map(|v| v.abs()).sum::<f64>(),
                    Norm::L2 => d.iter().map(|v| v * v).sum::<f64>().sqrt(),
                    Norm::Linf => d.iter().fold(0.0_f64, |m, v| m.max(v.abs())),
                    Norm::L0 => d.iter().filter(|v| v.abs() > tol).count() as f64,
                };
                norm <= b.radius + tol
            }
        };
        in_box && integral && in_ball
    }

    /// Clips `x` into the box (not the ball).
    pub fn clip(&self, x: &mut [f64]) {
        for i in 0..x.len() {
            x[i] = x[i].clamp(self.lower[i], self.upper[i]);
        }
    }
}
