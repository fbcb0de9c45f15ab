//! `maximize`: the input in the domain that maximises a linear function of the outputs, or the margin of one
//! class over the best other class (feature visualisation).
//!
//! `y3 - max_other` is modelled exactly without binaries: maximising `y3 - t` subject to `t >= y_j` for every
//! `j != 3` drives `t` down to `max_j y_j` at every optimum, so the MILP optimum is the true one.

use crate::error::{Error, Result};

/// What to maximise, over the outputs `y` of the network.
#[derive(Debug, Clone, PartialEq)]
pub enum MaximizeObjective {
    /// `sum c[j] y[j]` (one coefficient per output).
    Linear(Vec<f64>),
    /// `y[class] - max over j != class of y[j]`.
    MarginOverOthers {
        /// The class whose margin is maximised.
        class: usize,
    },
}

impl MaximizeObjective {
    /// Parses `"y3"`, `"y3 - y5"`, `"2*y1 + 0.5 y4 - y0"` or `"y3 - max_other"` for a network with `outputs`
    /// outputs. `file` and `place` name where the text came from, for the error message.
    pub fn parse(text: &str, outputs: usize, file: &str, place: &str) -> Result<Self> {
        let bad = |problem: String| Error::input(file, place, format!("{problem} in objective '{text}'"));
        let mut coeffs = vec![0.0; outputs];
        let mut max_other = false;
        let mut y_terms = 0;
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            return Err(bad("nothing to maximise".into()));
        }
        // Split into signed terms: a '+' or '-' starts a new term unless it follows '*' or an exponent 'e'.
        let mut terms: Vec<String> = Vec::new();
        let mut current = String::new();
        for ch in compact.chars() {
            let prev = current.chars().last();
            if (ch == '+' || ch == '-')
                && !current.is_empty()
                && !matches!(prev, Some('*' | 'e' | 'E' | '+' | '-'))
            {
                terms.push(std::mem::take(&mut current));
            }
            current.push(ch);
        }
        terms.push(current);
        for term in &terms {
            let (sign, body) = match term.strip_prefix('-') {
                Some(rest) => (-1.0, rest),
                None => (1.0, term.strip_prefix('+').unwrap_or(term)),
            };
            if body == "max_other" {
                if sign > 0.0 || max_other {
                    return Err(bad("max_other may appear once, subtracted".into()));
                }
                max_other = true;
                continue;
            }
            let (number, atom) = match body.find('y') {
                Some(pos) => (&body[..pos], &body[pos..]),
                None => return Err(bad(format!("term '{term}' names no output (write y0, y1, ...)"))),
            };
            let number = number.strip_suffix('*').unwrap_or(number);
            let c = if number.is_empty() {
                1.0
            } else {
                number
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| bad(format!("'{number}' is not a number")))?
            };
            let index: usize = atom[1..]
                .parse()
                .map_err(|_| bad(format!("'{atom}' is not an output name like y3")))?;
            if index >= outputs {
                return Err(bad(format!(
                    "the network has outputs y0..y{}",
                    outputs.saturating_sub(1)
                )));
            }
            coeffs[index] += sign * c;
            y_terms += 1;
        }
        if max_other {
            let ones: Vec<usize> = (0..outputs).filter(|&j| coeffs[j] != 0.0).collect();
            if y_terms != 1 || ones.len() != 1 || coeffs[ones[0]] != 1.0 {
                return Err(bad(
                    "max_other goes with exactly one output, as in 'y3 - max_other'".into(),
                ));
            }
            if outputs < 2 {
                return Err(bad("max_other needs at least two outputs".into()));
            }
            return Ok(MaximizeObjective::MarginOverOthers { class: ones[0] });
        }
        Ok(MaximizeObjective::Linear(coeffs))
    }

    /// The objective's value at outputs `y`.
    pub fn value(&self, y: &[f64]) -> f64 {
        match self {
            MaximizeObjective::Linear(c) => c.iter().zip(y).map(|(a, b)| a * b).sum(),
            MaximizeObjective::MarginOverOthers { class } => {
                let other = y
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| j != class)
                    .fold(f64::NEG_INFINITY, |m, (_, v)| m.max(*v));
                y[*class] - other
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str) -> Result<MaximizeObjective> {
        MaximizeObjective::parse(t, 10, "command line", "--objective")
    }

    #[test]
    fn objectives_parse() {
        let mut c = vec![0.0; 10];
        c[3] = 1.0;
        assert_eq!(parse("y3").unwrap(), MaximizeObjective::Linear(c.clone()));
        c[5] = -1.0;
        assert_eq!(parse("y3 - y5").unwrap(), MaximizeObjective::Linear(c.clone()));
        let mut d = vec![0.0; 10];
        d[1] = 2.0;
        d[4] = 0.5;
        d[0] = -1e-1;
        assert_eq!(
            parse("2*y1 + 0.5 y4 - 1e-1*y0").unwrap(),
            MaximizeObjective::Linear(d)
        );
        assert_eq!(
            parse(" y7 - max_other").unwrap(),
            MaximizeObjective::MarginOverOthers { class: 7 }
        );
        for bad in [
            "",
            "y10",
            "x3",
            "y3 + max_other",
            "2y3 - max_other",
            "y1 + y2 - max_other",
            "a*y3",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let e = parse("y12").unwrap_err().to_string();
        assert!(e.contains("--objective") && e.contains("y0..y9"), "{e}");
    }

    #[test]
    fn margin_value() {
        let o = MaximizeObjective::MarginOverOthers { class: 1 };
        assert_eq!(o.value(&[1.0, 3.0, 2.5]), 0.5);
    }
}
