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

/// The neighbourhood domain: per-pixel ranges around a reference image from a mean filter.
impl InputDomain {
    /// The neighbourhood of an image `center` (row-major, `width` pixels per row, values usually in [0, 1])
    /// intersected with the box [0, 1]; see [`InputDomain::intersect_neighbourhood`].
    pub fn neighbourhood(
        center: &[f64],
        size: usize,
        padding: usize,
        eps: f64,
        width: usize,
    ) -> Result<Self> {
        Self::uniform(center.len(), 0.0, 1.0)?.intersect_neighbourhood(center, size, padding, eps, width)
    }

    /// Intersects the box with the neighbourhood of the image `center` (row-major, `width` pixels per row).
    ///
    /// With `m = size`, the mean filter at pixel `(r, c)` averages the `(2m+1) x (2m+1)` window of cells
    /// `(r + dr, c + dc)`, `|dr|, |dc| <= m`, over the image surrounded by `padding` rings of zero pixels:
    /// a window cell inside the image counts with its value, one in the padding counts as 0, one beyond the
    /// padding is left out of both the sum and the count. So with `padding >= m` this is the usual zero-padded
    /// mean filter (always `(2m+1)^2` cells) and with `padding = 0` it averages only the pixels inside the image.
    /// Feature `i` with value `x_i` and filter mean `f_i` then ranges over
    /// `[lo - eps |lo|, hi + eps |hi|]` with `lo = min(x_i, f_i)`, `hi = max(x_i, f_i)` (for non-negative values:
    /// `[lo (1 - eps), hi (1 + eps)]`), intersected with the current box. The reference image is always inside.
    pub fn intersect_neighbourhood(
        mut self,
        center: &[f64],
        size: usize,
        padding: usize,
        eps: f64,
        width: usize,
    ) -> Result<Self> {
        self.check_center(center, eps)?;
        if width == 0 || !center.len().is_multiple_of(width) {
            return Err(Error::Options(format!(
                "neighbourhood: width {width} does not divide the {} features into image rows",
                center.len()
            )));
        }
        let height = center.len() / width;
        let (m, p) = (size as i64, padding as i64);
        let (h, w) = (height as i64, width as i64);
        for r in 0..h {
            for c in 0..w {
                let (mut sum, mut count) = (0.0, 0usize);
                for rr in r - m..=r + m {
                    for cc in c - m..=c + m {
                        let inside = (0..h).contains(&rr) && (0..w).contains(&cc);
                        let in_padding = (-p..h + p).contains(&rr) && (-p..w + p).contains(&cc);
                        if inside {
                            sum += center[(rr * w + cc) as usize];
                        }
                        if in_padding {
                            count += 1;
                        }
                    }
                }
                let i = (r * w + c) as usize;
                let mean = sum / count as f64;
                let lo = center[i].min(mean);
                let hi = center[i].max(mean);
                self.lower[i] = self.lower[i].max(lo - eps * lo.abs());
                self.upper[i] = self.upper[i].min(hi + eps * hi.abs());
                if self.lower[i] > self.upper[i] {
                    return Err(Error::Options(format!(
                        "the neighbourhood misses the box at feature {i} (row {r}, column {c})"
                    )));
                }
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod neighbourhood_tests {
    use super::*;

    #[test]
    fn neighbourhood_of_a_3x3_image() {
        // A single bright pixel in the middle of a 3x3 image.
        let mut img = vec![0.0; 9];
        img[4] = 0.9;
        let d = InputDomain::neighbourhood(&img, 1, 1, 0.1, 3).unwrap();
        // Centre: its 3x3 window is the whole image, mean 0.1: range [0.1 * 0.9, 0.9 * 1.1] = [0.09, 0.99].
        assert!((d.lower[4] - 0.09).abs() < 1e-12 && (d.upper[4] - 0.99).abs() < 1e-12);
        // Corner: window of 9 cells (5 in the padding count as zeros), sum 0.9: mean 0.1, pixel 0.
        assert!((d.lower[0] - 0.0).abs() < 1e-12 && (d.upper[0] - 0.11).abs() < 1e-12);
        // Without padding the corner averages its 4 image pixels: mean 0.225.
        let d0 = InputDomain::neighbourhood(&img, 1, 0, 0.0, 3).unwrap();
        assert!((d0.upper[0] - 0.225).abs() < 1e-12);
        // Clipped to [0, 1].
        let d2 = InputDomain::neighbourhood(&img, 0, 0, 0.5, 3).unwrap();
        assert_eq!(d2.upper[4], 1.0);
        assert!(d2.contains(&img, 0.0));
    }

    #[test]
    fn neighbourhood_rejects_bad_width() {
        assert!(InputDomain::neighbourhood(&[0.0; 10], 1, 1, 0.1, 3).is_err());
        assert!(InputDomain::neighbourhood(&[0.0; 9], 1, 1, 0.1, 0).is_err());
        assert!(InputDomain::neighbourhood(&[0.0; 9], 1, 1, -0.1, 3).is_err());
    }
}
