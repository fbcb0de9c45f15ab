//! `maximize`: the input in the domain that maximises a linear function of the outputs, or the margin of one
//! class over the best other class (feature visualisation).
//!
//! `y3 - max_other` is modelled exactly without binaries: maximising `y3 - t` subject to `t >= y_j` for every
//! `j != 3` drives `t` down to `max_j y_j` at every optimum, so the MILP optimum is the true one.

use super::outcome::{snap_input, TaskResult};
use crate::error::{Error, Result};
use crate::heuristics::{pgd_attack, AttackObjective, PgdOptions};
use crate::log::{fmt_value, Log};
use crate::lp::Sense;
use crate::mip::CandidateCheck;
use crate::nn::Network;
use crate::options::SolverOptions;
use crate::solver::{build_model, log_model_stats, solve_model, SolveSetup};
use crate::spec::InputDomain;
use std::sync::Arc;
use std::time::{Duration, Instant};

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

impl MaximizeObjective {
    /// The same objective as an attack objective (for the PGD warm start).
    pub fn attack_objective(&self, outputs: usize) -> AttackObjective {
        match self {
            MaximizeObjective::Linear(c) => AttackObjective::linear(c),
            MaximizeObjective::MarginOverOthers { class } => {
                AttackObjective::target(outputs, *class, 0.0, 1.0)
            }
        }
    }
}

/// Seconds of PGD before the search: 5% of the time limit, at most one second.
pub fn warm_start_budget(options: &SolverOptions) -> Duration {
    Duration::from_secs_f64(options.time_limit.map_or(1.0, |t| (0.05 * t).min(1.0)))
}

/// The MILP [`maximize`] solves: the network's encoding over `domain` with the objective (and, for
/// `y_c - max_other`, the column `max_other` with its rows). `relumip export` writes it.
pub fn maximize_model(
    net: &Network,
    domain: &InputDomain,
    objective: &MaximizeObjective,
    options: &SolverOptions,
) -> Result<crate::relu::ReluModel> {
    let outputs = net.output_size();
    if let MaximizeObjective::Linear(c) = objective {
        if c.len() != outputs {
            return Err(Error::Options(format!(
                "objective has {} coefficients for {outputs} outputs",
                c.len()
            )));
        }
    }
    let mut model = build_model(net, domain, options)?;
    let out_col = |j: usize| model.output_col(j);
    let mut terms: Vec<(usize, f64)> = Vec::new();
    match objective {
        MaximizeObjective::Linear(c) => {
            terms.extend(
                (0..outputs)
                    .filter(|&j| c[j] != 0.0)
                    .filter_map(|j| out_col(j).map(|col| (col, c[j]))),
            );
        }
        MaximizeObjective::MarginOverOthers { class } => {
            let class_col = out_col(*class);
            let others: Vec<Option<usize>> = (0..outputs).filter(|j| j != class).map(out_col).collect();
            // t >= y_j for every other class; maximising y_class - t makes t the max (see the module docs).
            let t = model.add_column(0.0, f64::NEG_INFINITY, f64::INFINITY, false, "max_other");
            for (k, col) in others.into_iter().enumerate() {
                let coeffs = match col {
                    Some(c) => vec![(t, 1.0), (c, -1.0)],
                    None => vec![(t, 1.0)],
                };
                model.add_row(0.0, f64::INFINITY, coeffs, format!("max_other_ge_{k}"));
            }
            if let Some(c) = class_col {
                terms.push((c, 1.0));
            }
            terms.push((t, -1.0));
        }
    }
    model.set_objective(Sense::Maximize, &terms, 0.0);
    Ok(model)
}

/// Maximises `objective` over `domain`: a PGD warm start, then the MILP. The reported input lies in the domain
/// exactly and its objective comes from a forward pass of `net`.
pub fn maximize(
    net: &Network,
    domain: &InputDomain,
    objective: &MaximizeObjective,
    options: &SolverOptions,
    log: &Log,
) -> Result<TaskResult> {
    options.validate()?;
    let start = Instant::now();
    let outputs = net.output_size();
    if let MaximizeObjective::Linear(c) = objective {
        if c.len() != outputs {
            return Err(Error::Options(format!(
                "objective has {} coefficients for {outputs} outputs",
                c.len()
            )));
        }
    }
    let pgd = PgdOptions {
        seed: options.seed,
        time_limit: Some(warm_start_budget(options)),
        ..PgdOptions::default()
    };
    let warm = pgd_attack(net, domain, &objective.attack_objective(outputs), &pgd, &[], None);
    if let Some(w) = &warm {
        log.line(&format!(
            "PGD warm start: objective {}",
            fmt_value(objective.value(&w.output))
        ));
    }
    let model = maximize_model(net, domain, objective, options)?;
    log_model_stats(&model, log);
    let check = {
        let (net, domain, cols, objective) = (
            net.clone(),
            domain.clone(),
            model.input_cols.clone(),
            objective.clone(),
        );
        let check: CandidateCheck = Arc::new(move |point: &[f64]| {
            let x = snap_input(&cols, &domain, point)?;
            Some(objective.value(&net.forward(&x)))
        });
        check
    };
    let setup = SolveSetup {
        check: Some(check),
        start_inputs: warm
            .iter()
            .map(|w| (w.input.clone(), "pgd".to_string()))
            .collect(),
        attack: Some(objective.attack_objective(outputs)),
        ..SolveSetup::default()
    };
    let result = solve_model(&model, options, setup, log)?;
    let mut report = TaskResult::from_search(&model, &result);
    if let Some(x) = result
        .solution
        .as_ref()
        .and_then(|p| snap_input(&model.input_cols, domain, p))
    {
        let y = net.forward(&x);
        report.objective = Some(objective.value(&y));
        report.input = Some(x);
        report.output = Some(y);
    }
    report.time_s = start.elapsed().as_secs_f64();
    Ok(report)
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
