//! VNN-LIB reader (the SMT-LIB subset of VNN-COMP, vnnlib.org): `declare-const X_i Real` / `Y_j Real` and
//! `assert`s built from `<=`, `>=`, `=`, `and`, `or` over linear terms (`+`, `-`, `*` and `/` by constants).
//!
//! All asserts hold together. Each is put in disjunctive normal form; asserts over inputs only multiply out
//! into input boxes, asserts over outputs only into the unsafe output set (one [`OutputProperty`] in DNF),
//! and asserts mixing both (a top-level `(or (and X-bounds Y-constraints) ...)`) pair each input part with its
//! output part. The result is one [`VnnlibRegion`] per distinct box; a box that the constraints make empty is
//! dropped (no input can be a counterexample there). Every input needs a finite lower and upper bound in every
//! case; a single inequality must constrain inputs only (one input each) or outputs only.

use super::domain::InputDomain;
use super::property::{OutputConstraint, OutputProperty, VnnlibProperty, VnnlibRegion};
use crate::error::{Error, Result};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The deepest nesting of parentheses read (recursion over deeper input could exhaust the stack).
const MAX_DEPTH: usize = 500;

/// The largest number of cases a property may multiply out to.
const MAX_CASES: usize = 100_000;

/// Reads a VNN-LIB file.
pub fn read_vnnlib(path: &Path) -> Result<VnnlibProperty> {
    let text = crate::error::read_text(path)?;
    parse_vnnlib(&text, path)
}

/// Parses VNN-LIB text; `file` names the source in error messages.
pub fn parse_vnnlib(text: &str, file: &Path) -> Result<VnnlibProperty> {
    let exprs = tokenize(text, file)?;
    Reader::new(file).read(&exprs)
}

/// An S-expression with the line where it starts.
#[derive(Debug)]
enum Sexp {
    Atom(String, usize),
    List(Vec<Sexp>, usize),
}

impl Sexp {
    fn line(&self) -> usize {
        match self {
            Sexp::Atom(_, l) | Sexp::List(_, l) => *l,
        }
    }
}

fn tokenize(text: &str, file: &Path) -> Result<Vec<Sexp>> {
    let mut stack: Vec<(Vec<Sexp>, usize)> = vec![(Vec::new(), 0)];
    let mut line = 1;
    let mut chars = text.char_indices().peekable();
    while let Some((start, ch)) = chars.next() {
        match ch {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            ';' => {
                while let Some(&(_, c)) = chars.peek() {
                    if c == '\n' {
                        break;
                    }
                    chars.next();
                }
            }
            '(' => {
                if stack.len() > MAX_DEPTH {
                    return Err(Error::input(
                        file,
                        format!("line {line}"),
                        format!("parentheses nested deeper than {MAX_DEPTH}"),
                    ));
                }
                stack.push((Vec::new(), line));
            }
            ')' => {
                if stack.len() == 1 {
                    return Err(Error::input(
                        file,
                        format!("line {line}"),
                        "unbalanced parentheses: ')' without a matching '('",
                    ));
                }
                let (items, opened) = stack.pop().unwrap_or_default();
                if let Some(top) = stack.last_mut() {
                    top.0.push(Sexp::List(items, opened));
                }
            }
            _ => {
                let mut end = start + ch.len_utf8();
                while let Some(&(i, c)) = chars.peek() {
                    if c.is_whitespace() || c == '(' || c == ')' || c == ';' {
                        break;
                    }
                    end = i + c.len_utf8();
                    chars.next();
                }
                if let Some(top) = stack.last_mut() {
                    top.0.push(Sexp::Atom(text[start..end].to_string(), line));
                }
            }
        }
    }
    if stack.len() > 1 {
        let opened = stack.last().map(|s| s.1).unwrap_or(0);
        return Err(Error::input(
            file,
            format!("line {opened}"),
            "unbalanced parentheses: '(' opened here is never closed",
        ));
    }
    Ok(stack.pop().map(|s| s.0).unwrap_or_default())
}

/// A variable: input `X_i` or output `Y_j`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Var {
    X(usize),
    Y(usize),
}

/// A linear term `sum coeff * var + constant`.
#[derive(Debug, Clone, Default)]
struct Linear {
    coeffs: BTreeMap<Var, f64>,
    constant: f64,
}

impl Linear {
    fn add(mut self, other: &Linear, factor: f64) -> Linear {
        for (v, c) in &other.coeffs {
            *self.coeffs.entry(*v).or_insert(0.0) += factor * c;
        }
        self.constant += factor * other.constant;
        self
    }

    fn scaled(mut self, factor: f64) -> Linear {
        self.coeffs.values_mut().for_each(|c| *c *= factor);
        self.constant *= factor;
        self
    }

    fn as_constant(&self) -> Option<f64> {
        self.coeffs.values().all(|&c| c == 0.0).then_some(self.constant)
    }
}

/// `sum coeffs <= rhs`, from the line it was written on.
#[derive(Debug, Clone)]
struct Inequality {
    coeffs: Vec<(Var, f64)>,
    rhs: f64,
    line: usize,
}

/// A comparison: constant true or false, or an inequality on variables.
enum Truth {
    True,
    False,
    Holds(Inequality),
}

/// A disjunction of conjunctions.
type Dnf = Vec<Vec<Inequality>>;

struct Reader<'f> {
    file: &'f Path,
    /// Declared variables with their declaration lines.
    declared: HashMap<String, (Var, usize)>,
}

impl<'f> Reader<'f> {
    fn new(file: &'f Path) -> Self {
        Reader {
            file,
            declared: HashMap::new(),
        }
    }

    fn err(&self, line: usize, problem: impl Into<String>) -> Error {
        Error::input(self.file, format!("line {line}"), problem)
    }

    fn read(mut self, exprs: &[Sexp]) -> Result<VnnlibProperty> {
        // Declarations first, wherever they are, so that an unknown variable is one never declared.
        let mut asserts = Vec::new();
        for e in exprs {
            let Sexp::List(items, line) = e else {
                return Err(self.err(e.line(), "expected a command in parentheses"));
            };
            match items.first() {
                Some(Sexp::Atom(cmd, _)) if cmd == "declare-const" => self.declare(items, *line)?,
                Some(Sexp::Atom(cmd, _)) if cmd == "assert" => match items.as_slice() {
                    [_, formula] => asserts.push(formula),
                    _ => return Err(self.err(*line, "assert takes one formula")),
                },
                Some(Sexp::Atom(cmd, _))
                    if matches!(
                        cmd.as_str(),
                        "check-sat" | "get-model" | "set-logic" | "set-info" | "exit"
                    ) => {}
                Some(Sexp::Atom(cmd, _)) => {
                    return Err(self.err(*line, format!("unsupported command '{cmd}'")))
                }
                _ => return Err(self.err(*line, "expected a command name")),
            }
        }
        let (inputs, outputs) = self.dimensions()?;
        let mut input_dnf: Dnf = vec![Vec::new()];
        let mut output_dnf: Dnf = vec![Vec::new()];
        let mut mixed_dnf: Dnf = vec![Vec::new()];
        for formula in asserts {
            let dnf = self.formula(formula)?;
            let has = |pred: fn(&Var) -> bool| {
                dnf.iter()
                    .flatten()
                    .any(|q| q.coeffs.iter().any(|(v, _)| pred(v)))
            };
            let (has_x, has_y) = (has(|v| matches!(v, Var::X(_))), has(|v| matches!(v, Var::Y(_))));
            let target = match (has_x, has_y) {
                (true, true) => &mut mixed_dnf,
                (true, false) => &mut input_dnf,
                _ => &mut output_dnf,
            };
            *target = self.product(std::mem::take(target), dnf, formula.line())?;
        }
        let mut regions: Vec<VnnlibRegion> = Vec::new();
        let mut region_of_box: HashMap<Vec<u64>, usize> = HashMap::new();
        for mixed in &mixed_dnf {
            let (mixed_x, mixed_y): (Vec<_>, Vec<_>) = mixed
                .iter()
                .cloned()
                .partition(|q| matches!(q.coeffs.first(), Some((Var::X(_), _))));
            for case in &input_dnf {
                let Some((lower, upper)) = self.input_box(case.iter().chain(&mixed_x), inputs)? else {
                    continue;
                };
                let disjuncts: Vec<Vec<OutputConstraint>> = output_dnf
                    .iter()
                    .map(|conj| conj.iter().chain(&mixed_y).map(output_constraint).collect())
                    .collect();
                let key: Vec<u64> = lower.iter().chain(&upper).map(|v| v.to_bits()).collect();
                match region_of_box.get(&key) {
                    Some(&r) => regions[r].output.disjuncts.extend(disjuncts),
                    None => {
                        region_of_box.insert(key, regions.len());
                        let domain = InputDomain::boxed(lower, upper)
                            .map_err(|e| self.err(mixed.first().map_or(1, |q| q.line), e.to_string()))?;
                        regions.push(VnnlibRegion {
                            domain,
                            output: OutputProperty { disjuncts },
                        });
                    }
                }
            }
        }
        Ok(VnnlibProperty {
            inputs,
            outputs,
            regions,
        })
    }

    fn declare(&mut self, items: &[Sexp], line: usize) -> Result<()> {
        let [_, Sexp::Atom(name, _), Sexp::Atom(sort, _)] = items else {
            return Err(self.err(line, "expected (declare-const NAME Real)"));
        };
        if sort != "Real" {
            return Err(self.err(
                line,
                format!("variable '{name}' has sort '{sort}', only Real is supported"),
            ));
        }
        let index = |prefix: &str| name.strip_prefix(prefix).and_then(|s| s.parse::<usize>().ok());
        let var = match (index("X_"), index("Y_")) {
            (Some(i), _) => Var::X(i),
            (_, Some(j)) => Var::Y(j),
            _ => {
                return Err(self.err(
                    line,
                    format!("variable '{name}': inputs must be named X_i and outputs Y_j"),
                ))
            }
        };
        if let Some((_, first)) = self.declared.get(name) {
            return Err(self.err(
                line,
                format!("'{name}' is declared twice (first on line {first})"),
            ));
        }
        self.declared.insert(name.clone(), (var, line));
        Ok(())
    }

    /// Numbers of inputs and outputs; the indices must run 0, 1, 2, ... without gaps.
    fn dimensions(&self) -> Result<(usize, usize)> {
        let mut count = [0usize; 2];
        let mut last = [(0usize, 0usize); 2];
        for (var, line) in self.declared.values() {
            let (k, i) = match var {
                Var::X(i) => (0, *i),
                Var::Y(j) => (1, *j),
            };
            count[k] += 1;
            if i >= last[k].0 {
                last[k] = (i, *line);
            }
        }
        for (k, name) in ["X", "Y"].iter().enumerate() {
            if count[k] > 0 && last[k].0 + 1 != count[k] {
                return Err(self.err(
                    last[k].1,
                    format!(
                        "{name}_{} is declared but only {} {name} variables are",
                        last[k].0, count[k]
                    ),
                ));
            }
        }
        if count[0] == 0 {
            return Err(Error::input(
                self.file,
                "declarations",
                "no input variable X_0 is declared",
            ));
        }
        Ok((count[0], count[1]))
    }

    fn formula(&self, f: &Sexp) -> Result<Dnf> {
        let (items, line) = match f {
            Sexp::List(items, line) => (items, *line),
            Sexp::Atom(a, line) => return Err(self.err(*line, format!("expected a formula, found '{a}'"))),
        };
        let (op, args) = match items.split_first() {
            Some((Sexp::Atom(op, _), args)) => (op.as_str(), args),
            _ => return Err(self.err(line, "expected an operator")),
        };
        match op {
            "and" => args.iter().try_fold(vec![Vec::new()], |acc, a| {
                self.product(acc, self.formula(a)?, line)
            }),
            "or" => {
                let mut out = Vec::new();
                for a in args {
                    out.extend(self.formula(a)?);
                    if out.len() > MAX_CASES {
                        return Err(self.err(line, format!("the property has more than {MAX_CASES} cases")));
                    }
                }
                Ok(out)
            }
            "<=" | ">=" | "=" => {
                if args.len() < 2 {
                    return Err(self.err(line, format!("'{op}' needs two terms")));
                }
                let terms = args.iter().map(|a| self.term(a)).collect::<Result<Vec<_>>>()?;
                let mut conj = Vec::new();
                for pair in terms.windows(2) {
                    let (a, b) = (&pair[0], &pair[1]);
                    let mut sides = Vec::new();
                    if op != ">=" {
                        sides.push(a.clone().add(b, -1.0));
                    }
                    if op != "<=" {
                        sides.push(b.clone().add(a, -1.0));
                    }
                    for lin in sides {
                        match self.inequality(lin, line)? {
                            Truth::True => {}
                            // A false comparison: this formula has no case at all.
                            Truth::False => return Ok(Vec::new()),
                            Truth::Holds(q) => conj.push(q),
                        }
                    }
                }
                Ok(vec![conj])
            }
            other => Err(self.err(line, format!("unsupported operator '{other}' in a formula"))),
        }
    }

    /// `lin <= 0` as an inequality, or its truth value when it has no variable.
    fn inequality(&self, lin: Linear, line: usize) -> Result<Truth> {
        let coeffs: Vec<(Var, f64)> = lin.coeffs.into_iter().filter(|(_, c)| *c != 0.0).collect();
        // 0 - c rather than -c: a zero right-hand side stays +0.0 (prints as 0, not -0).
        let rhs = 0.0 - lin.constant;
        if !rhs.is_finite() || coeffs.iter().any(|(_, c)| !c.is_finite()) {
            return Err(self.err(line, "a coefficient overflows"));
        }
        if coeffs.is_empty() {
            return Ok(if 0.0 <= rhs { Truth::True } else { Truth::False });
        }
        let x = coeffs.iter().filter(|(v, _)| matches!(v, Var::X(_))).count();
        if x > 0 && x < coeffs.len() {
            return Err(self.err(
                line,
                "a constraint mixing inputs X and outputs Y is not supported",
            ));
        }
        if x > 1 {
            return Err(self.err(
                line,
                "a constraint over several inputs is not supported (only bounds)",
            ));
        }
        Ok(Truth::Holds(Inequality { coeffs, rhs, line }))
    }

    fn term(&self, t: &Sexp) -> Result<Linear> {
        match t {
            Sexp::Atom(a, line) => self.atom(a, *line),
            Sexp::List(items, line) => {
                let (op, args) = match items.split_first() {
                    Some((Sexp::Atom(op, _), args)) if !args.is_empty() => (op.as_str(), args),
                    _ => return Err(self.err(*line, "expected (operator term ...)")),
                };
                let terms = args.iter().map(|a| self.term(a)).collect::<Result<Vec<_>>>()?;
                match op {
                    "+" => Ok(terms.iter().fold(Linear::default(), |acc, t| acc.add(t, 1.0))),
                    "-" if terms.len() == 1 => Ok(terms[0].clone().scaled(-1.0)),
                    "-" => Ok(terms[1..]
                        .iter()
                        .fold(terms[0].clone(), |acc, t| acc.add(t, -1.0))),
                    "*" => {
                        let mut result: Option<Linear> = None;
                        let mut factor = 1.0;
                        for t in terms {
                            match t.as_constant() {
                                Some(c) => factor *= c,
                                None if result.is_none() => result = Some(t),
                                None => return Err(self.err(*line, "nonlinear term: a product of variables")),
                            }
                        }
                        Ok(result
                            .unwrap_or(Linear {
                                coeffs: BTreeMap::new(),
                                constant: 1.0,
                            })
                            .scaled(factor))
                    }
                    "/" if terms.len() == 2 => match terms[1].as_constant() {
                        Some(c) if c != 0.0 => Ok(terms[0].clone().scaled(1.0 / c)),
                        Some(_) => Err(self.err(*line, "division by zero")),
                        None => Err(self.err(*line, "nonlinear term: division by a variable")),
                    },
                    other => Err(self.err(*line, format!("unsupported operator '{other}' in a term"))),
                }
            }
        }
    }

    fn atom(&self, a: &str, line: usize) -> Result<Linear> {
        let mut chars = a.chars();
        let first = chars.next().unwrap_or(' ');
        let second = chars.next().unwrap_or(' ');
        let numeric = first.is_ascii_digit()
            || (first == '.' && second.is_ascii_digit())
            || ((first == '-' || first == '+') && (second.is_ascii_digit() || second == '.'));
        if numeric {
            let v: f64 = a
                .parse()
                .map_err(|_| self.err(line, format!("'{a}' is not a number")))?;
            if !v.is_finite() {
                return Err(self.err(line, format!("'{a}' is not a finite number")));
            }
            return Ok(Linear {
                coeffs: BTreeMap::new(),
                constant: v,
            });
        }
        match self.declared.get(a) {
            Some((var, _)) => Ok(Linear {
                coeffs: BTreeMap::from([(*var, 1.0)]),
                constant: 0.0,
            }),
            None => Err(self.err(line, format!("unknown variable '{a}'"))),
        }
    }

    /// The conjunction of two DNFs, multiplied out.
    fn product(&self, a: Dnf, b: Dnf, line: usize) -> Result<Dnf> {
        if a.len().saturating_mul(b.len()) > MAX_CASES {
            return Err(self.err(line, format!("the property has more than {MAX_CASES} cases")));
        }
        if b.len() == 1 {
            let extra = &b[0];
            return Ok(a
                .into_iter()
                .map(|mut conj| {
                    conj.extend(extra.iter().cloned());
                    conj
                })
                .collect());
        }
        Ok(a.iter()
            .flat_map(|ca| b.iter().map(move |cb| ca.iter().chain(cb).cloned().collect()))
            .collect())
    }

    /// The box of a conjunction of input bounds; `None` when it is empty.
    fn input_box<'q>(
        &self,
        bounds: impl Iterator<Item = &'q Inequality>,
        inputs: usize,
    ) -> Result<Option<(Vec<f64>, Vec<f64>)>> {
        let mut lower = vec![f64::NEG_INFINITY; inputs];
        let mut upper = vec![f64::INFINITY; inputs];
        for q in bounds {
            let &[(Var::X(i), c)] = q.coeffs.as_slice() else {
                return Err(self.err(q.line, "expected a bound on one input"));
            };
            // + 0.0 turns a -0.0 bound into +0.0.
            let v = q.rhs / c + 0.0;
            if c > 0.0 {
                upper[i] = upper[i].min(v);
            } else {
                lower[i] = lower[i].max(v);
            }
        }
        for i in 0..inputs {
            if !lower[i].is_finite() || !upper[i].is_finite() {
                let side = if lower[i].is_finite() { "upper" } else { "lower" };
                let line = self.declared.get(&format!("X_{i}")).map_or(0, |d| d.1);
                return Err(self.err(line, format!("input X_{i} has no {side} bound (unbounded input)")));
            }
        }
        if (0..inputs).any(|i| lower[i] > upper[i]) {
            return Ok(None);
        }
        Ok(Some((lower, upper)))
    }
}

fn output_constraint(q: &Inequality) -> OutputConstraint {
    OutputConstraint {
        coeffs: q
            .coeffs
            .iter()
            .map(|(v, c)| match v {
                Var::Y(j) | Var::X(j) => (*j, *c),
            })
            .collect(),
        rhs: q.rhs,
    }
}
