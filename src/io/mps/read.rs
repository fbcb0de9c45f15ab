//! The MPS reader; the conventions are listed in the parent module.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::MpsModel;
use crate::error::{Error, Result};
use crate::lp::{LpProblem, Sense};

/// Magnitudes at or above this stand for infinity in `RHS`, `RANGES` and `BOUNDS`.
const INFINITY_STAND_IN: f64 = 1e30;

/// Reads an MPS file (fixed or free format, detected).
pub fn read_mps(path: &Path) -> Result<MpsModel> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    match std::str::from_utf8(&bytes) {
        Ok(text) => parse_mps(text, path),
        Err(e) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
            Err(Error::input(
                path,
                format!("line {line}"),
                "not UTF-8 text: not an MPS file",
            ))
        }
    }
}

/// Parses MPS text; `file` only names the source in errors.
pub fn parse_mps(text: &str, file: &Path) -> Result<MpsModel> {
    let free_failure = match Parser::new(Format::Free).run(text) {
        Ok(model) => return Ok(model),
        Err(failure) => failure,
    };
    let fixed_failure = match Parser::new(Format::Fixed).run(text) {
        Ok(model) => return Ok(model),
        Err(failure) => failure,
    };
    // The reading that got further into the file is the likelier intent.
    let (failure, suffix) = if fixed_failure.line > free_failure.line {
        (fixed_failure, " (read as fixed-format MPS)")
    } else {
        (free_failure, "")
    };
    Err(Error::input(
        file,
        format!("line {}", failure.line),
        format!("{}{suffix}", failure.problem),
    ))
}

/// A parse failure before the file name is attached.
struct Failure {
    line: usize,
    problem: String,
}

type Parsed<T> = std::result::Result<T, Failure>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Free,
    Fixed,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Section {
    Start,
    Name,
    ObjSense,
    Rows,
    Columns,
    Rhs,
    Ranges,
    Bounds,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Equal,
    Less,
    Greater,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RowRef {
    Objective,
    Dropped,
    Constraint(usize),
}

struct Parser {
    format: Format,
    line: usize,
    section: Section,
    seen: Vec<Section>,
    sense: Option<Sense>,
    objective_name: Option<String>,
    row_index: HashMap<String, RowRef>,
    row_names: Vec<String>,
    row_kind: Vec<RowKind>,
    col_index: HashMap<String, usize>,
    col_names: Vec<String>,
    cost: Vec<f64>,
    integer: Vec<bool>,
    in_integer_block: bool,
    entries: Vec<Vec<(usize, f64)>>,
    entry_seen: HashSet<(usize, usize)>,
    cost_seen: Vec<bool>,
    last_col: Option<usize>,
    rhs: Vec<Option<f64>>,
    objective_rhs: Option<f64>,
    range: Vec<Option<f64>>,
    rhs_set: Option<String>,
    range_set: Option<String>,
    bound_set: Option<String>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    lower_given: Vec<bool>,
    upper_given: Vec<bool>,
}

impl Parser {
    fn new(format: Format) -> Self {
        Parser {
            format,
            line: 0,
            section: Section::Start,
            seen: Vec::new(),
            sense: None,
            objective_name: None,
            row_index: HashMap::new(),
            row_names: Vec::new(),
            row_kind: Vec::new(),
            col_index: HashMap::new(),
            col_names: Vec::new(),
            cost: Vec::new(),
            integer: Vec::new(),
            in_integer_block: false,
            entries: Vec::new(),
            entry_seen: HashSet::new(),
            cost_seen: Vec::new(),
            last_col: None,
            rhs: Vec::new(),
            objective_rhs: None,
            range: Vec::new(),
            rhs_set: None,
            range_set: None,
            bound_set: None,
            lower: Vec::new(),
            upper: Vec::new(),
            lower_given: Vec::new(),
            upper_given: Vec::new(),
        }
    }

    fn fail<T>(&self, problem: impl Into<String>) -> Parsed<T> {
        Err(Failure {
            line: self.line,
            problem: problem.into(),
        })
    }

    fn run(mut self, text: &str) -> Parsed<MpsModel> {
        let mut ended = false;
        for (index, raw) in text.lines().enumerate() {
            self.line = index + 1;
            let line = raw.trim_end();
            if line.trim_start().is_empty() || line.starts_with('*') {
                continue;
            }
            if line.starts_with(|c: char| !c.is_whitespace()) {
                if self.header(line)? {
                    ended = true;
                    break;
                }
            } else {
                self.record(line)?;
            }
        }
        if !ended {
            self.line += 1;
            return self.fail("the file ends without ENDATA (truncated?)");
        }
        self.finish()
    }

    /// Handles a section header; true at `ENDATA`.
    fn header(&mut self, line: &str) -> Parsed<bool> {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let keyword = tokens[0];
        let section = match keyword {
            "ENDATA" => return Ok(true),
            "NAME" => Section::Name,
            "OBJSENSE" => Section::ObjSense,
            "ROWS" => Section::Rows,
            "COLUMNS" => Section::Columns,
            "RHS" => Section::Rhs,
            "RANGES" => Section::Ranges,
            "BOUNDS" => Section::Bounds,
            "QUADOBJ" | "QMATRIX" | "QSECTION" | "QCMATRIX" => {
                return self.fail(format!(
                    "section {keyword}: quadratic terms are not supported (relumip solves linear and mixed-integer linear programs)"
                ))
            }
            "SOS" | "INDICATORS" | "GENCONS" | "PWLOBJ" | "CSECTION" | "OBJSENCE" | "OBJNAME" => {
                return self.fail(format!("section {keyword} is not supported"))
            }
            _ => {
                return self.fail(format!(
                    "unknown section `{keyword}` (expected NAME, OBJSENSE, ROWS, COLUMNS, RHS, RANGES, BOUNDS or ENDATA; data lines start with a space)"
                ))
            }
        };
        if self.seen.contains(&section) {
            return self.fail(format!("section {keyword} appears twice"));
        }
        let needs_rows = matches!(section, Section::Columns);
        let needs_columns = matches!(section, Section::Rhs | Section::Ranges | Section::Bounds);
        if needs_rows && !self.seen.contains(&Section::Rows) {
            return self.fail("COLUMNS before ROWS");
        }
        if needs_columns && !self.seen.contains(&Section::Columns) {
            return self.fail(format!("{keyword} before COLUMNS"));
        }
        if section == Section::Rows && self.seen.contains(&Section::Columns) {
            return self.fail("ROWS after COLUMNS");
        }
        // A MARKER INTORG block left open ends with COLUMNS (HiGHS reads infeasible-mip1.mps so too).
        self.in_integer_block = false;
        self.seen.push(section);
        self.section = section;
        if section == Section::ObjSense && tokens.len() > 1 {
            if tokens.len() > 2 {
                return self.fail("OBJSENSE takes one word (MIN or MAX)");
            }
            self.set_sense(tokens[1])?;
            self.section = Section::Start;
        }
        Ok(false)
    }

    fn set_sense(&mut self, word: &str) -> Parsed<()> {
        if self.sense.is_some() {
            return self.fail("OBJSENSE given twice");
        }
        self.sense = Some(match word.to_ascii_uppercase().as_str() {
            "MIN" | "MINIMIZE" | "MINIMISE" => Sense::Minimize,
            "MAX" | "MAXIMIZE" | "MAXIMISE" => Sense::Maximize,
            _ => return self.fail(format!("OBJSENSE `{word}`: expected MIN or MAX")),
        });
        Ok(())
    }

    fn tokens<'a>(&self, line: &'a str) -> Parsed<Vec<&'a str>> {
        match self.format {
            Format::Free => Ok(line.split_whitespace().collect()),
            Format::Fixed => self.fixed_fields(line),
        }
    }

    /// Fixed-format fields: columns 2-3, 5-12, 15-22, 25-36, 40-47, 50-61 (1-based); the fourth field may
    /// run on to column 39 and the sixth to the end of the line.
    fn fixed_fields<'a>(&self, line: &'a str) -> Parsed<Vec<&'a str>> {
        let offsets: Vec<usize> = line.char_indices().map(|(i, _)| i).chain([line.len()]).collect();
        let chars = offsets.len() - 1;
        let slice = |from: usize, to: usize| -> &'a str {
            let from = from.min(chars);
            let to = to.min(chars);
            &line[offsets[from]..offsets[to]]
        };
        for (from, to) in [(0, 1), (3, 4), (12, 14), (22, 24)] {
            if !slice(from, to).trim().is_empty() {
                return self.fail("text outside the fixed-format fields");
            }
        }
        let fields = [(1, 3), (4, 12), (14, 22), (24, 39), (39, 47), (47, usize::MAX)];
        let mut tokens: Vec<&str> = fields.iter().map(|&(a, b)| slice(a, b).trim()).collect();
        // Fields 2 and later may be blank (e.g. an RHS set name); keep the order, drop the blanks.
        let first = tokens.remove(0);
        let mut out = Vec::new();
        if !first.is_empty() {
            out.push(first);
        }
        out.extend(tokens.into_iter().filter(|t| !t.is_empty()));
        Ok(out)
    }

    fn record(&mut self, line: &str) -> Parsed<()> {
        let tokens = self.tokens(line)?;
        match self.section {
            Section::Start => self.fail("data line before any section"),
            Section::Name => self.fail("unexpected data line after NAME"),
            Section::ObjSense => {
                let tokens = strip_comment(tokens, |i| i == 1, |_| false);
                if tokens.len() != 1 {
                    return self.fail("OBJSENSE takes one word (MIN or MAX)");
                }
                self.set_sense(tokens[0])
            }
            Section::Rows => self.row_record(tokens),
            Section::Columns => self.column_record(tokens),
            Section::Rhs => self.rhs_record(tokens, false),
            Section::Ranges => self.rhs_record(tokens, true),
            Section::Bounds => self.bound_record(tokens),
        }
    }

    fn row_record(&mut self, tokens: Vec<&str>) -> Parsed<()> {
        let tokens = strip_comment(tokens, |i| i == 2, |_| false);
        if tokens.len() != 2 {
            return self.fail("a ROWS line has a type (N, E, L, G) and a name");
        }
        let name = tokens[1];
        if self.row_index.contains_key(name) {
            return self.fail(format!("row `{name}` defined twice"));
        }
        let kind = match tokens[0].to_ascii_uppercase().as_str() {
            "N" => {
                let reference = if self.objective_name.is_none() {
                    self.objective_name = Some(name.to_string());
                    RowRef::Objective
                } else {
                    RowRef::Dropped
                };
                self.row_index.insert(name.to_string(), reference);
                return Ok(());
            }
            "E" => RowKind::Equal,
            "L" => RowKind::Less,
            "G" => RowKind::Greater,
            other => return self.fail(format!("row type `{other}`: expected N, E, L or G")),
        };
        let index = self.row_names.len();
        self.row_index.insert(name.to_string(), RowRef::Constraint(index));
        self.row_names.push(name.to_string());
        self.row_kind.push(kind);
        self.rhs.push(None);
        self.range.push(None);
        self.entries.push(Vec::new());
        Ok(())
    }

    fn column_record(&mut self, tokens: Vec<&str>) -> Parsed<()> {
        if tokens.len() == 3 && unquote(tokens[1]).eq_ignore_ascii_case("MARKER") {
            return match unquote(tokens[2]).to_ascii_uppercase().as_str() {
                "INTORG" if !self.in_integer_block => {
                    self.in_integer_block = true;
                    Ok(())
                }
                "INTEND" if self.in_integer_block => {
                    self.in_integer_block = false;
                    Ok(())
                }
                other => self.fail(format!("unexpected MARKER `{other}`")),
            };
        }
        let rows = &self.row_index;
        let tokens = strip_comment(tokens, |i| i == 3 || i == 5, |t| rows.contains_key(t));
        if tokens.len() != 3 && tokens.len() != 5 {
            return self.fail("a COLUMNS line has a column name and one or two (row, value) pairs");
        }
        let col = self.column(tokens[0])?;
        for pair in tokens[1..].chunks(2) {
            let value = self.finite_number(pair[1])?;
            match self.row_ref(pair[0])? {
                RowRef::Dropped => {}
                RowRef::Objective => {
                    if std::mem::replace(&mut self.cost_seen[col], true) {
                        return self.fail(format!("objective entry of column `{}` given twice", tokens[0]));
                    }
                    self.cost[col] = value;
                }
                RowRef::Constraint(row) => {
                    if !self.entry_seen.insert((row, col)) {
                        return self.fail(format!("entry (`{}`, `{}`) given twice", tokens[0], pair[0]));
                    }
                    if value != 0.0 {
                        self.entries[row].push((col, value));
                    }
                }
            }
        }
        Ok(())
    }

    /// The index of a column in COLUMNS, created on first sight.
    fn column(&mut self, name: &str) -> Parsed<usize> {
        if self.last_col.map(|c| self.col_names[c] == name) == Some(true) {
            return Ok(self.last_col.unwrap_or(0));
        }
        if let Some(&col) = self.col_index.get(name) {
            if self.integer[col] != self.in_integer_block {
                return self.fail(format!(
                    "column `{name}` appears both inside and outside a MARKER INTORG block"
                ));
            }
            self.last_col = Some(col);
            return Ok(col);
        }
        let col = self.col_names.len();
        self.col_index.insert(name.to_string(), col);
        self.col_names.push(name.to_string());
        self.cost.push(0.0);
        self.cost_seen.push(false);
        self.integer.push(self.in_integer_block);
        self.lower.push(0.0);
        self.upper.push(f64::INFINITY);
        self.lower_given.push(false);
        self.upper_given.push(false);
        self.last_col = Some(col);
        Ok(col)
    }

    fn row_ref(&self, name: &str) -> Parsed<RowRef> {
        match self.row_index.get(name) {
            Some(&r) => Ok(r),
            None => self.fail(format!("unknown row `{name}`")),
        }
    }

    /// The set name of an RHS/RANGES/BOUNDS line: all lines must use the same one.
    fn check_set(&self, slot: &Option<String>, name: &str, what: &str) -> Parsed<Option<String>> {
        match slot {
            None => Ok(Some(name.to_string())),
            Some(first) if first == name => Ok(None),
            Some(first) => self.fail(format!(
                "a second {what} set `{name}` (the first was `{first}`): several sets are not supported"
            )),
        }
    }

    fn rhs_record(&mut self, tokens: Vec<&str>, ranges: bool) -> Parsed<()> {
        let what = if ranges { "RANGES" } else { "RHS" };
        let rows = &self.row_index;
        let tokens = strip_comment(tokens, |i| i >= 2, |t| rows.contains_key(t));
        // Odd count: a set name first; even count: the set name is left out.
        let pairs = match tokens.len() {
            2 | 4 => &tokens[..],
            3 | 5 => {
                let slot = if ranges { &self.range_set } else { &self.rhs_set };
                if let Some(first) = self.check_set(slot, tokens[0], what)? {
                    if ranges {
                        self.range_set = Some(first);
                    } else {
                        self.rhs_set = Some(first);
                    }
                }
                &tokens[1..]
            }
            _ => {
                return self.fail(format!(
                    "an {what} line has an optional set name and one or two (row, value) pairs"
                ))
            }
        };
        for pair in pairs.chunks(2) {
            let value = self.bound_number(pair[1])?;
            let row = self.row_ref(pair[0])?;
            match (row, ranges) {
                (RowRef::Dropped, _) => {}
                (RowRef::Objective, true) => return self.fail("RANGES entry on the objective row"),
                (RowRef::Objective, false) => {
                    if self.objective_rhs.replace(value).is_some() {
                        return self.fail("RHS of the objective row given twice");
                    }
                    if value.is_infinite() {
                        return self.fail("infinite RHS on the objective row");
                    }
                }
                (RowRef::Constraint(i), _) => {
                    let slot = if ranges {
                        &mut self.range[i]
                    } else {
                        &mut self.rhs[i]
                    };
                    if slot.replace(value).is_some() {
                        return self.fail(format!("{what} of row `{}` given twice", pair[0]));
                    }
                }
            }
        }
        Ok(())
    }

    fn bound_record(&mut self, tokens: Vec<&str>) -> Parsed<()> {
        let cols = &self.col_index;
        let tokens = strip_comment(tokens, |i| i >= 2, |t| cols.contains_key(t));
        if tokens.is_empty() {
            return self.fail("empty BOUNDS line");
        }
        let kind = tokens[0].to_ascii_uppercase();
        let takes_value = match kind.as_str() {
            "UP" | "LO" | "FX" | "LI" | "UI" => true,
            "FR" | "MI" | "PL" | "BV" => false,
            "SC" => return self.fail("semi-continuous bounds (SC) are not supported"),
            other => {
                return self.fail(format!(
                    "bound type `{other}`: expected UP, LO, FX, FR, MI, PL, BV, LI or UI"
                ))
            }
        };
        // Which tokens are set, column and value: by count and, where ambiguous, by known column names.
        let (set, col_name, value) = match (tokens.len(), takes_value) {
            (4, _) => (Some(tokens[1]), tokens[2], Some(tokens[3])),
            (3, true) => (None, tokens[1], Some(tokens[2])),
            (3, false) if !cols.contains_key(tokens[2]) && cols.contains_key(tokens[1]) => {
                (None, tokens[1], Some(tokens[2]))
            }
            (3, false) => (Some(tokens[1]), tokens[2], None),
            (2, false) => (None, tokens[1], None),
            _ => {
                return self.fail(format!(
                    "a {kind} bound line has a type, an optional set name, a column{}",
                    if takes_value { " and a value" } else { "" }
                ))
            }
        };
        if let Some(set) = set {
            if let Some(first) = self.check_set(&self.bound_set, set, "BOUNDS")? {
                self.bound_set = Some(first);
            }
        }
        let Some(&col) = self.col_index.get(col_name) else {
            return self.fail(format!("unknown column `{col_name}`"));
        };
        let value = match value {
            Some(v) => self.bound_number(v)?,
            None => 0.0,
        };
        let (lower, upper) = match kind.as_str() {
            "UP" | "UI" => {
                // A negative upper bound with no lower bound given frees the lower bound; a later LO
                // may still set it, so it is not marked as given.
                if value < 0.0 && !self.lower_given[col] {
                    self.lower[col] = f64::NEG_INFINITY;
                }
                (None, Some(value))
            }
            "LO" | "LI" => (Some(value), None),
            "FX" => (Some(value), Some(value)),
            "FR" => (Some(f64::NEG_INFINITY), Some(f64::INFINITY)),
            "MI" => (Some(f64::NEG_INFINITY), None),
            "PL" => (None, Some(f64::INFINITY)),
            _ => (Some(0.0), Some(1.0)), // BV
        };
        if matches!(kind.as_str(), "BV" | "LI" | "UI") {
            self.integer[col] = true;
        }
        if let Some(lower) = lower {
            if std::mem::replace(&mut self.lower_given[col], true) {
                return self.fail(format!("lower bound of column `{col_name}` given twice"));
            }
            self.lower[col] = lower;
        }
        if let Some(upper) = upper {
            if std::mem::replace(&mut self.upper_given[col], true) {
                return self.fail(format!("upper bound of column `{col_name}` given twice"));
            }
            self.upper[col] = upper;
        }
        Ok(())
    }

    fn number(&self, token: &str) -> Parsed<f64> {
        match parse_number(token) {
            Some(v) if v.is_nan() => self.fail(format!("`{token}` is not a number (NaN)")),
            Some(v) => Ok(v),
            None => self.fail(format!("`{token}` is not a number")),
        }
    }

    /// A matrix or objective coefficient: finite.
    fn finite_number(&self, token: &str) -> Parsed<f64> {
        let v = self.number(token)?;
        if !v.is_finite() || v.abs() >= INFINITY_STAND_IN {
            return self.fail(format!("coefficient `{token}` is infinite"));
        }
        Ok(v)
    }

    /// An RHS, range or bound value: magnitudes `>= 1e30` are infinite.
    fn bound_number(&self, token: &str) -> Parsed<f64> {
        let v = self.number(token)?;
        Ok(if v >= INFINITY_STAND_IN {
            f64::INFINITY
        } else if v <= -INFINITY_STAND_IN {
            f64::NEG_INFINITY
        } else {
            v
        })
    }

    fn finish(mut self) -> Parsed<MpsModel> {
        if self.section == Section::ObjSense && self.sense.is_none() {
            return self.fail("OBJSENSE section without MIN or MAX");
        }
        let mut problem = LpProblem::new(self.sense.unwrap_or_default());
        problem.objective_offset = -self.objective_rhs.unwrap_or(0.0);
        for col in 0..self.col_names.len() {
            // MPS convention: an integer column with no bound entry at all is binary.
            let unbounded_integer = self.integer[col] && !self.lower_given[col] && !self.upper_given[col];
            let upper = if unbounded_integer { 1.0 } else { self.upper[col] };
            problem.add_col(
                self.cost[col],
                self.lower[col],
                upper,
                std::mem::take(&mut self.col_names[col]),
            );
        }
        for (i, mut coeffs) in self.entries.into_iter().enumerate() {
            coeffs.sort_by_key(|&(j, _)| j);
            let b = self.rhs[i].unwrap_or(0.0);
            let (lower, upper) = row_bounds(self.row_kind[i], b, self.range[i]);
            problem.add_row(lower, upper, coeffs, std::mem::take(&mut self.row_names[i]));
        }
        Ok(MpsModel {
            problem,
            integer: self.integer,
        })
    }
}

/// Row bounds from the row type, right-hand side `b` and optional range `r` (CPLEX MPS conventions).
fn row_bounds(kind: RowKind, b: f64, range: Option<f64>) -> (f64, f64) {
    match (kind, range) {
        (RowKind::Equal, None) => (b, b),
        (RowKind::Less, None) => (f64::NEG_INFINITY, b),
        (RowKind::Greater, None) => (b, f64::INFINITY),
        (RowKind::Less, Some(r)) => (b - r.abs(), b),
        (RowKind::Greater, Some(r)) => (b, b + r.abs()),
        (RowKind::Equal, Some(r)) if r >= 0.0 => (b, b + r),
        (RowKind::Equal, Some(r)) => (b + r, b),
    }
}

/// Drops a trailing comment: the first token from position 1 on that starts with `$` or `*`, stands where
/// the record is complete (`complete(i)`), and is not a known name.
fn strip_comment(
    mut tokens: Vec<&str>,
    complete: impl Fn(usize) -> bool,
    is_name: impl Fn(&str) -> bool,
) -> Vec<&str> {
    let cut = (1..tokens.len()).find(|&i| {
        let t = tokens[i];
        (t.starts_with('$') || t.starts_with('*')) && complete(i) && !is_name(t)
    });
    if let Some(i) = cut {
        tokens.truncate(i);
    }
    tokens
}

fn unquote(token: &str) -> &str {
    token.trim_matches('\'').trim_matches('"')
}

/// Parses a number, reading Fortran's `D` exponent (`1.0D3`) as `E`.
pub(crate) fn parse_number(token: &str) -> Option<f64> {
    if let Ok(v) = token.parse::<f64>() {
        return Some(v);
    }
    let position = token.find(['d', 'D'])?;
    let (mantissa, exponent) = (&token[..position], &token[position + 1..]);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = mantissa.trim_start_matches(['+', '-']).split_once('.').map_or(
        digits(mantissa.trim_start_matches(['+', '-'])),
        |(a, b)| {
            (digits(a) || a.is_empty()) && (digits(b) || b.is_empty()) && !(a.is_empty() && b.is_empty())
        },
    );
    let exponent_ok = digits(exponent.trim_start_matches(['+', '-']));
    if mantissa_ok && exponent_ok {
        format!("{mantissa}e{exponent}").parse().ok()
    } else {
        None
    }
}
