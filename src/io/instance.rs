//! The instance file (TOML; schema in CLI.md): `[network]` or `[networks]`, `[domain]`, `[task]`, `[solver]`,
//! read into typed structs and validated. Errors name the file, the line when known, and the field
//! (`task.norm`); unknown fields are errors. Paths in the file are relative to the file and come back resolved.

use crate::bounds::BoundMethod;
use crate::error::{Error, Result};
use crate::options::parse_cuts;
pub use crate::options::{CutKind, Formulation};
use crate::spec::{BoundSpec, DomainSpec, Norm, ResolvedDomain};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The network(s) an instance is about.
#[derive(Debug, Clone, PartialEq)]
pub enum NetworkSpec {
    /// `[network] path = ...`.
    Single(PathBuf),
    /// `[networks] a = ..., b = ...` (for `compare`).
    Pair {
        /// The first network.
        a: PathBuf,
        /// The second network.
        b: PathBuf,
    },
}

/// What a `verify` task decides.
#[derive(Debug, Clone, PartialEq)]
pub enum VerifyTarget {
    /// A VNN-LIB property file.
    Vnnlib(PathBuf),
    /// Robustness of this class over the domain.
    Label(usize),
    /// The "maximum difference" form (`mode = "maxdiff"`): the largest distance of the logits from their
    /// value at the domain's `center` (`norm`: L1 by default, or L∞).
    MaxDiff(Option<Norm>),
}

/// How much the target class must win by (`adversarial`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MarginSpec {
    /// `y_t >= y_j + margin`.
    Additive(f64),
    /// `y_t >= ratio * y_j`.
    Ratio(f64),
}

/// The `adversarial` task's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct AdversarialTask {
    /// The reference input file (CSV).
    pub reference: PathBuf,
    /// Which row of it (0-based).
    pub row: usize,
    /// The reference CSV has a label column first.
    pub label_first: bool,
    /// The class of the reference (computed when absent).
    pub source: Option<usize>,
    /// The class to reach (absent: any other class).
    pub target: Option<usize>,
    /// The distance to minimise.
    pub norm: Norm,
    /// How much the target must win by (absent: the task's default).
    pub margin: Option<MarginSpec>,
    /// Largest change of any one feature.
    pub max_change: Option<f64>,
    /// Largest number of changed features.
    pub max_changed: Option<usize>,
    /// Smallest change of a changed feature.
    pub min_change: Option<f64>,
    /// `search = "radius"` (`Some(true)`) or `"milp"` (`Some(false)`); absent (`None`): automatic, as the
    /// command's `--search auto` (radius search for L∞ where it applies, otherwise one MILP).
    pub radius_search: Option<bool>,
}

/// The `compare` modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CompareMode {
    /// Largest output difference.
    Maxdiff,
    /// Largest output of one network where the other is small.
    Maxout,
    /// An input where the networks choose different classes.
    Maxflip,
    /// Smallest perturbation that makes them disagree.
    Mineps,
}

/// The `compare` task's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareTask {
    /// The mode.
    pub mode: CompareMode,
    /// The norm of the difference (L1 or L∞).
    pub norm: Option<Norm>,
    /// The classes involved, when the mode uses them.
    pub classes: Option<Vec<usize>>,
    /// A reference input file and row, when the mode uses one.
    pub reference: Option<(PathBuf, usize)>,
    /// The reference CSV has a label column first (skipped when reading the input).
    pub label_first: bool,
    /// `mineps`: the class A must keep (absent: A's prediction at the reference).
    pub label: Option<usize>,
    /// `mineps`: `search = "radius"` (`Some(true)`) or `"milp"` (`Some(false)`); absent (`None`): automatic,
    /// as the command's `--search auto` (radius search).
    pub radius_search: Option<bool>,
}

/// The question an instance asks.
#[derive(Debug, Clone, PartialEq)]
pub enum Task {
    /// Decide a property.
    Verify(VerifyTarget),
    /// Maximise a function of the outputs, as written (`"y3"`, `"y3 - y5"`, `"y3 - max_other"`).
    Maximize {
        /// The objective text.
        objective: String,
    },
    /// The smallest change that makes the network choose a target class.
    Adversarial(AdversarialTask),
    /// Compare two networks.
    Compare(CompareTask),
    /// Pre-activation bounds.
    Bounds {
        /// The method (default: symbolic).
        method: BoundMethod,
    },
}

/// `[solver]`: limits and engine choices; absent fields take the solver's defaults.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SolverSpec {
    /// Wall-clock limit in seconds.
    pub time_limit: Option<f64>,
    /// Threads.
    pub threads: Option<usize>,
    /// Node limit.
    pub node_limit: Option<u64>,
    /// Relative gap at which to stop.
    pub gap_rel: Option<f64>,
    /// Absolute gap at which to stop.
    pub gap_abs: Option<f64>,
    /// Random seed.
    pub seed: Option<u64>,
    /// ReLU formulation (`"bigm"`, `"partition:N"`).
    #[serde(default, deserialize_with = "formulation_field")]
    pub formulation: Option<Formulation>,
    /// Cut families (a list of `"ideal"`, `"partition"`, or one string `"ideal,partition"` / `"none"`;
    /// empty: none).
    #[serde(default, deserialize_with = "cuts_field")]
    pub cuts: Option<Vec<CutKind>>,
    /// Bound method at the root.
    pub bounds: Option<BoundMethod>,
}

/// `[solver] formulation`, read with the command line's parser ([`Formulation`]'s `FromStr`).
fn formulation_field<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Formulation>, D::Error> {
    let text = String::deserialize(d)?;
    text.parse()
        .map(Some)
        .map_err(|e: Error| serde::de::Error::custom(options_problem(e)))
}

/// `[solver] cuts`: a list of names or one comma-separated string, read with [`parse_cuts`].
fn cuts_field<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<Vec<CutKind>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Cuts {
        List(Vec<String>),
        Text(String),
    }
    let text = match Cuts::deserialize(d)? {
        Cuts::List(names) => {
            if names.iter().any(|n| n.trim().is_empty() || n.contains(',')) {
                return Err(serde::de::Error::custom(
                    "expected cut names like \"ideal\", one per list entry",
                ));
            }
            names.join(",")
        }
        Cuts::Text(t) => t,
    };
    parse_cuts(&text)
        .map(Some)
        .map_err(|e| serde::de::Error::custom(options_problem(e)))
}

/// The problem text of an options error, without the enum's prefix.
fn options_problem(e: Error) -> String {
    match e {
        Error::Options(p) => p,
        other => other.to_string(),
    }
}

/// A validated instance file, with paths resolved relative to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// The instance file.
    pub file: PathBuf,
    /// The network(s).
    pub network: NetworkSpec,
    /// The input domain (its file paths resolved).
    pub domain: DomainSpec,
    /// The question.
    pub task: Task,
    /// Solver settings.
    pub solver: SolverSpec,
}

impl Instance {
    /// The input domain for a network with `n_inputs` inputs (see [`DomainSpec::resolve`]); errors name the file.
    pub fn resolve_domain(
        &self,
        n_inputs: usize,
        default_box: Option<(Vec<f64>, Vec<f64>)>,
    ) -> Result<ResolvedDomain> {
        self.domain
            .resolve(n_inputs, default_box, Path::new(""))
            .map_err(|e| match e {
                Error::Options(p) | Error::Unsupported(p) => Error::input(&self.file, "domain", p),
                other => other,
            })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstance {
    network: Option<RawNetwork>,
    networks: Option<RawNetworks>,
    #[serde(default)]
    domain: DomainSpec,
    task: RawTask,
    #[serde(default)]
    solver: SolverSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNetwork {
    path: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNetworks {
    a: PathBuf,
    b: PathBuf,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
enum TaskKind {
    Verify,
    Maximize,
    Adversarial,
    Compare,
    Bounds,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTask {
    kind: TaskKind,
    vnnlib: Option<PathBuf>,
    label: Option<usize>,
    objective: Option<String>,
    reference: Option<PathBuf>,
    row: Option<usize>,
    label_first: Option<bool>,
    source: Option<usize>,
    target: Option<usize>,
    norm: Option<Norm>,
    margin: Option<f64>,
    ratio: Option<f64>,
    max_change: Option<f64>,
    max_changed: Option<usize>,
    min_change: Option<f64>,
    mode: Option<String>,
    classes: Option<Vec<usize>>,
    method: Option<BoundMethod>,
    search: Option<String>,
}

/// Reads and validates an instance file.
pub fn read_instance(path: &Path) -> Result<Instance> {
    let text = crate::error::read_text(path)?;
    parse_instance(&text, path)
}

/// Parses and validates instance text; `file` names the source and its folder anchors relative paths.
pub fn parse_instance(text: &str, file: &Path) -> Result<Instance> {
    let raw: RawInstance = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    let base = file.parent().unwrap_or(Path::new(""));
    let field = |name: &str, problem: String| Error::input(file, name, problem);
    let network = match (raw.network, raw.networks) {
        (Some(n), None) => NetworkSpec::Single(base.join(n.path)),
        (None, Some(n)) => NetworkSpec::Pair {
            a: base.join(n.a),
            b: base.join(n.b),
        },
        (Some(_), Some(_)) => return Err(field("network", "give [network] or [networks], not both".into())),
        (None, None) => {
            return Err(field(
                "network",
                "missing [network] (or [networks] for compare)".into(),
            ))
        }
    };
    if matches!(network, NetworkSpec::Pair { .. }) != (raw.task.kind == TaskKind::Compare) {
        return Err(field(
            "network",
            "compare takes [networks] a and b; every other task one [network]".into(),
        ));
    }
    let task = task(raw.task, base).map_err(|(name, problem)| field(&format!("task.{name}"), problem))?;
    validate_solver(&raw.solver).map_err(|(name, problem)| field(&format!("solver.{name}"), problem))?;
    let mut domain = raw.domain;
    for bound in [&mut domain.lower, &mut domain.upper].into_iter().flatten() {
        if let BoundSpec::File(p) = bound {
            *p = base.join(&*p);
        }
    }
    if let Some(c) = &mut domain.center {
        *c = base.join(&*c);
    }
    Ok(Instance {
        file: file.to_path_buf(),
        network,
        domain,
        task,
        solver: raw.solver,
    })
}

type FieldResult<T> = std::result::Result<T, (&'static str, String)>;

fn task(t: RawTask, base: &Path) -> FieldResult<Task> {
    let kind = t.kind;
    // Fields that belong to other kinds are errors, so that a typo'd kind does not silently ignore them.
    let allowed: &[&str] = match kind {
        TaskKind::Verify => &["vnnlib", "label", "mode", "norm"],
        TaskKind::Maximize => &["objective"],
        TaskKind::Adversarial => &[
            "reference",
            "row",
            "label_first",
            "source",
            "target",
            "norm",
            "margin",
            "ratio",
            "max_change",
            "max_changed",
            "min_change",
            "search",
        ],
        TaskKind::Compare => &[
            "mode",
            "norm",
            "classes",
            "reference",
            "row",
            "label_first",
            "label",
            "search",
        ],
        TaskKind::Bounds => &["method"],
    };
    let present = [
        ("vnnlib", t.vnnlib.is_some()),
        ("label", t.label.is_some()),
        ("objective", t.objective.is_some()),
        ("reference", t.reference.is_some()),
        ("row", t.row.is_some()),
        ("label_first", t.label_first.is_some()),
        ("source", t.source.is_some()),
        ("target", t.target.is_some()),
        ("norm", t.norm.is_some()),
        ("margin", t.margin.is_some()),
        ("ratio", t.ratio.is_some()),
        ("max_change", t.max_change.is_some()),
        ("max_changed", t.max_changed.is_some()),
        ("min_change", t.min_change.is_some()),
        ("mode", t.mode.is_some()),
        ("classes", t.classes.is_some()),
        ("method", t.method.is_some()),
        ("search", t.search.is_some()),
    ];
    if let Some((name, _)) = present.iter().find(|(name, set)| *set && !allowed.contains(name)) {
        return Err((name, format!("does not apply to kind = \"{}\"", kind_name(kind))));
    }
    if kind == TaskKind::Verify && t.norm.is_some() && t.mode.is_none() {
        return Err(("norm", "goes with mode = \"maxdiff\"".into()));
    }
    let radius_search = match t.search.as_deref() {
        None => None,
        Some("milp") => Some(false),
        Some("radius") => Some(true),
        Some(other) => {
            return Err((
                "search",
                format!("expected \"milp\" or \"radius\", got \"{other}\""),
            ))
        }
    };
    let positive = |name: &'static str, v: Option<f64>| -> FieldResult<Option<f64>> {
        match v {
            Some(x) if !(x.is_finite() && x > 0.0) => {
                Err((name, format!("expected a positive number, got {x}")))
            }
            _ => Ok(v),
        }
    };
    Ok(match kind {
        TaskKind::Verify => match (t.vnnlib, t.label, t.mode.as_deref()) {
            (_, _, Some(m)) if m != "maxdiff" => {
                return Err(("mode", format!("verify's only mode is \"maxdiff\", got \"{m}\"")))
            }
            (Some(p), None, None) => Task::Verify(VerifyTarget::Vnnlib(base.join(p))),
            (None, Some(l), None) => Task::Verify(VerifyTarget::Label(l)),
            (None, None, Some(_)) => Task::Verify(VerifyTarget::MaxDiff(l1_or_linf(t.norm, "verify")?)),
            (None, None, None) => {
                return Err((
                    "vnnlib",
                    "verify needs vnnlib = \"FILE\", label = CLASS or mode = \"maxdiff\"".into(),
                ))
            }
            _ => {
                return Err((
                    "vnnlib",
                    "give one of vnnlib, label and mode = \"maxdiff\"".into(),
                ))
            }
        },
        TaskKind::Maximize => match t.objective {
            Some(o) if !o.trim().is_empty() => Task::Maximize { objective: o },
            _ => {
                return Err((
                    "objective",
                    "maximize needs objective = \"y3\" (or \"y3 - y5\", ...)".into(),
                ))
            }
        },
        TaskKind::Adversarial => {
            let margin = match (t.margin, t.ratio) {
                (Some(_), Some(_)) => return Err(("margin", "give margin or ratio, not both".into())),
                (Some(m), None) if m.is_finite() => Some(MarginSpec::Additive(m)),
                (None, Some(r)) if r.is_finite() && r > 0.0 => Some(MarginSpec::Ratio(r)),
                (Some(m), None) => return Err(("margin", format!("expected a finite number, got {m}"))),
                (None, Some(r)) => return Err(("ratio", format!("expected a positive number, got {r}"))),
                (None, None) => None,
            };
            AdversarialTask {
                reference: base.join(
                    t.reference
                        .ok_or(("reference", "adversarial needs reference = \"FILE\"".into()))?,
                ),
                row: t.row.unwrap_or(0),
                label_first: t.label_first.unwrap_or(false),
                source: t.source,
                target: t.target,
                norm: t.norm.ok_or((
                    "norm",
                    "adversarial needs norm = \"l1\" | \"linf\" | \"l0\" | \"l2\"".into(),
                ))?,
                margin,
                max_change: positive("max_change", t.max_change)?,
                max_changed: t.max_changed,
                min_change: positive("min_change", t.min_change)?,
                radius_search,
            }
            .into()
        }
        TaskKind::Compare => {
            let norm = l1_or_linf(t.norm, "compare")?;
            let row = t.row.unwrap_or(0);
            let mode = match t.mode.as_deref() {
                Some("maxdiff") => CompareMode::Maxdiff,
                Some("maxout") => CompareMode::Maxout,
                Some("maxflip") => CompareMode::Maxflip,
                Some("mineps") => CompareMode::Mineps,
                other => {
                    let got = other.map_or(String::new(), |m| format!(", got \"{m}\""));
                    return Err((
                        "mode",
                        format!(
                            "compare needs mode = \"maxdiff\" | \"maxout\" | \"maxflip\" | \"mineps\"{got}"
                        ),
                    ));
                }
            };
            if t.label.is_some() && mode != CompareMode::Mineps {
                return Err(("label", "applies to mode = \"mineps\" only".into()));
            }
            if radius_search == Some(true) && mode != CompareMode::Mineps {
                return Err(("search", "radius search applies to mode = \"mineps\" only".into()));
            }
            Task::Compare(CompareTask {
                mode,
                norm,
                classes: t.classes,
                reference: t.reference.map(|p| (base.join(p), row)),
                label_first: t.label_first.unwrap_or(false),
                label: t.label,
                radius_search,
            })
        }
        TaskKind::Bounds => Task::Bounds {
            method: t.method.unwrap_or(BoundMethod::Symbolic),
        },
    })
}

impl From<AdversarialTask> for Task {
    fn from(a: AdversarialTask) -> Task {
        Task::Adversarial(a)
    }
}

fn validate_solver(s: &SolverSpec) -> FieldResult<()> {
    if let Some(t) = s.time_limit {
        if t.is_nan() || t <= 0.0 {
            return Err((
                "time_limit",
                format!("expected a positive number of seconds, got {t}"),
            ));
        }
    }
    if s.threads == Some(0) {
        return Err(("threads", "expected at least 1".into()));
    }
    for (name, g) in [("gap_rel", s.gap_rel), ("gap_abs", s.gap_abs)] {
        if let Some(g) = g {
            if !(g.is_finite() && g >= 0.0) {
                return Err((name, format!("expected a number >= 0, got {g}")));
            }
        }
    }
    Ok(())
}

/// A norm of output differences: L1 or L∞ only.
fn l1_or_linf(norm: Option<Norm>, kind: &str) -> FieldResult<Option<Norm>> {
    match norm {
        Some(n) if !matches!(n, Norm::L1 | Norm::Linf) => Err((
            "norm",
            format!("expected one of l1, linf for {kind}, got \"{}\"", norm_name(n)),
        )),
        _ => Ok(norm),
    }
}

fn kind_name(k: TaskKind) -> &'static str {
    match k {
        TaskKind::Verify => "verify",
        TaskKind::Maximize => "maximize",
        TaskKind::Adversarial => "adversarial",
        TaskKind::Compare => "compare",
        TaskKind::Bounds => "bounds",
    }
}

fn norm_name(n: Norm) -> &'static str {
    match n {
        Norm::L1 => "l1",
        Norm::L2 => "l2",
        Norm::Linf => "linf",
        Norm::L0 => "l0",
    }
}

/// A TOML or schema error as one line: the line number and the dotted key (from the table header above the
/// offending line and the key on it), then the problem.
fn toml_error(file: &Path, text: &str, e: &toml::de::Error) -> Error {
    let mut problem = e.message().trim().replace('\n', "; ");
    // The toml crate's wording for a non-string where an enum name belongs.
    if problem == "wanted string or table" {
        problem = "invalid type: expected a name in quotes".into();
    }
    let Some(span) = e.span() else {
        return Error::input(file, "contents", problem);
    };
    let start = span.start.min(text.len());
    let line_no = text[..start].matches('\n').count() + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or("").trim();
    let table = text
        .lines()
        .take(line_no)
        .filter_map(|l| {
            let l = l.trim();
            l.strip_prefix('[')
                .and_then(|r| r.split(']').next())
                .map(|h| h.trim_matches('[').trim().to_string())
        })
        .last();
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    let path = match (table, key) {
        (Some(t), Some(k)) => format!("{t}.{k}"),
        (Some(t), None) => t,
        (None, Some(k)) => k,
        (None, None) => String::new(),
    };
    let place = if path.is_empty() {
        format!("line {line_no}")
    } else {
        format!("line {line_no} ({path})")
    };
    Error::input(file, place, problem)
}
