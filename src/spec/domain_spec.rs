//! The input domain as the user describes it, shared by the command-line flags and the instance file's
//! `[domain]`; [`DomainSpec::resolve`] turns it into an [`InputDomain`].
//!
//! All given parts are intersected: the box (`lower`/`upper`), an L∞ or L1 ball around `center`, and the
//! neighbourhood of `center`. The box comes from `lower`/`upper` when given (a missing side from the default
//! box); with neither, from the box the network or property file states (`default_box`); with none of those
//! either, a ball or neighbourhood stands alone (a neighbourhood keeps its [0, 1] box); and with nothing at all
//! the domain is [0, 1] for every input. The returned note says which.

use super::domain::InputDomain;
use crate::error::{Error, Result};
use crate::io::csv::read_csv_inputs;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A bound for every feature: one number, one number per feature, or a CSV file whose first row holds them.
#[derive(Debug, Clone, PartialEq)]
pub enum BoundSpec {
    /// The same value for every feature.
    Value(f64),
    /// One value per feature.
    List(Vec<f64>),
    /// A CSV file; its first row holds one value per feature.
    File(PathBuf),
}

impl BoundSpec {
    /// From a command-line value: a number, comma-separated numbers, or else a file name.
    pub fn from_flag(text: &str) -> BoundSpec {
        let parts: Option<Vec<f64>> = text.split(',').map(|p| p.trim().parse::<f64>().ok()).collect();
        match parts {
            Some(v) if v.len() == 1 => BoundSpec::Value(v[0]),
            Some(v) => BoundSpec::List(v),
            None => BoundSpec::File(PathBuf::from(text)),
        }
    }

    fn values(&self, n: usize, base_dir: &Path, what: &str) -> Result<Vec<f64>> {
        let values = match self {
            BoundSpec::Value(v) => vec![*v; n],
            BoundSpec::List(v) => v.clone(),
            BoundSpec::File(p) => {
                let path = base_dir.join(p);
                let csv = read_csv_inputs(&path, false)?;
                csv.check_width(n)?;
                csv.rows[0].clone()
            }
        };
        if values.len() != n {
            return Err(Error::Options(format!(
                "domain.{what} has {} values, the network has {n} inputs",
                values.len()
            )));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(Error::Options(format!(
                "domain.{what}: value {i} is {}",
                values[i]
            )));
        }
        Ok(values)
    }
}

impl<'de> Deserialize<'de> for BoundSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BoundSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number, a list of numbers or a CSV file name")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<BoundSpec, E> {
                Ok(BoundSpec::Value(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<BoundSpec, E> {
                Ok(BoundSpec::Value(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<BoundSpec, E> {
                Ok(BoundSpec::Value(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<BoundSpec, E> {
                Ok(BoundSpec::File(PathBuf::from(v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<BoundSpec, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<f64>()? {
                    out.push(v);
                }
                Ok(BoundSpec::List(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// Which features are integer: all of them, or those listed (0-based).
#[derive(Debug, Clone, PartialEq)]
pub enum IntegerSpec {
    /// `true`: every feature; `false`: none.
    All(bool),
    /// These features.
    Indices(Vec<usize>),
}

impl<'de> Deserialize<'de> for IntegerSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IntegerSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("true, false or a list of feature indices")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<IntegerSpec, E> {
                Ok(IntegerSpec::All(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<IntegerSpec, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<usize>()? {
                    out.push(v);
                }
                Ok(IntegerSpec::Indices(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// Per-feature ranges from a mean filter around the centre image (see [`InputDomain::intersect_neighbourhood`]).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeighbourhoodSpec {
    /// Filter half-width `m` (window `(2m+1) x (2m+1)`).
    pub size: usize,
    /// Rings of zero padding around the image.
    pub padding: usize,
    /// Relative widening of each range.
    pub eps: f64,
    /// Image width in pixels.
    pub width: usize,
}

/// The input domain as written by the user (flags or `[domain]`); paths are relative to `base_dir` in
/// [`resolve`](Self::resolve).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainSpec {
    /// Lower bounds.
    pub lower: Option<BoundSpec>,
    /// Upper bounds.
    pub upper: Option<BoundSpec>,
    /// A reference input: a CSV file, one input per row.
    pub center: Option<PathBuf>,
    /// Which row of `center` (0-based; default 0).
    #[serde(default)]
    pub row: usize,
    /// The first column of `center` is a class label.
    #[serde(default)]
    pub label_first: bool,
    /// Radius of an L∞ ball around the centre.
    pub linf: Option<f64>,
    /// Radius of an L1 ball around the centre.
    pub l1: Option<f64>,
    /// A neighbourhood of the centre.
    pub neighbourhood: Option<NeighbourhoodSpec>,
    /// Integer features.
    pub integer: Option<IntegerSpec>,
}

/// A resolved domain and a note saying where its box came from (for the log).
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedDomain {
    /// The domain.
    pub domain: InputDomain,
    /// E.g. "box from the network file" or "no domain given: [0, 1] for every input".
    pub note: String,
}

impl DomainSpec {
    /// True when no part is given.
    pub fn is_empty(&self) -> bool {
        self.lower.is_none()
            && self.upper.is_none()
            && self.center.is_none()
            && self.linf.is_none()
            && self.l1.is_none()
            && self.neighbourhood.is_none()
            && self.integer.is_none()
    }

    /// The domain for a network with `n_inputs` inputs; `default_box` is the box the network or property file
    /// states, if any; relative paths are taken from `base_dir`.
    pub fn resolve(
        &self,
        n_inputs: usize,
        default_box: Option<(Vec<f64>, Vec<f64>)>,
        base_dir: &Path,
    ) -> Result<ResolvedDomain> {
        let n = n_inputs;
        let has_ball = self.linf.is_some() || self.l1.is_some() || self.neighbourhood.is_some();
        let center = match &self.center {
            Some(p) => {
                let path = base_dir.join(p);
                let csv = read_csv_inputs(&path, self.label_first)?;
                csv.check_width(n)?;
                Some(csv.row(self.row)?.to_vec())
            }
            None => None,
        };
        if has_ball && center.is_none() {
            return Err(Error::Options(
                "domain: linf, l1 or neighbourhood needs a center".into(),
            ));
        }
        if center.is_some() && !has_ball {
            return Err(Error::Options(
                "domain: a center needs linf, l1 or neighbourhood".into(),
            ));
        }
        if let Some((lo, hi)) = &default_box {
            if lo.len() != n || hi.len() != n {
                return Err(Error::Options(format!(
                    "the file's box has {} bounds, the network {n} inputs",
                    lo.len()
                )));
            }
        }
        let unit = (vec![0.0; n], vec![1.0; n]);
        let (bounds, note) = if self.lower.is_some() || self.upper.is_some() {
            let (fallback, from) = match &default_box {
                Some(b) => (b.clone(), "the file's box"),
                None => (unit.clone(), "[0, 1]"),
            };
            let lower = match &self.lower {
                Some(b) => b.values(n, base_dir, "lower")?,
                None => fallback.0,
            };
            let upper = match &self.upper {
                Some(b) => b.values(n, base_dir, "upper")?,
                None => fallback.1,
            };
            let note = if self.lower.is_some() && self.upper.is_some() {
                "box from lower and upper".to_string()
            } else {
                format!("box from lower/upper, the missing side from {from}")
            };
            ((lower, upper), note)
        } else if let Some(b) = default_box {
            (b, "box from the network or property file".to_string())
        } else if has_ball {
            // Every network shipped or benchmarked here takes inputs in [0, 1]; a ball reaching outside it
            // would ask about inputs no user means. Give --lower/--upper to widen it.
            (
                unit,
                "no box given: the ball or neighbourhood within [0, 1] for every input".to_string(),
            )
        } else {
            (unit, "no domain given: [0, 1] for every input".to_string())
        };
        let (lower, upper) = bounds;
        let mut note = note;
        let mut domain = InputDomain::boxed(lower, upper)?;
        if let Some(c) = &center {
            if let Some(r) = self.linf {
                domain = domain.intersect_linf(c, r)?;
                note += &format!(", within L-infinity {r} of the centre");
            }
            if let Some(r) = self.l1 {
                domain = domain.intersect_l1(c, r)?;
                note += &format!(", within L1 {r} of the centre");
            }
            if let Some(nb) = &self.neighbourhood {
                domain = domain.intersect_neighbourhood(c, nb.size, nb.padding, nb.eps, nb.width)?;
                note += &format!(", within the neighbourhood ranges (eps {}) of the centre", nb.eps);
            }
        }
        match &self.integer {
            None | Some(IntegerSpec::All(false)) => {}
            Some(IntegerSpec::All(true)) => domain.integer = vec![true; n],
            Some(IntegerSpec::Indices(idx)) => {
                for &i in idx {
                    if i >= n {
                        return Err(Error::Options(format!(
                            "domain.integer: feature {i} does not exist ({n} inputs)"
                        )));
                    }
                    domain.integer[i] = true;
                }
            }
        }
        Ok(ResolvedDomain { domain, note })
    }
}
