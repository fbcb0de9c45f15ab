//! Input vectors from CSV: one vector per row, comma-separated numbers, no header, optionally a class label
//! first. Blank lines are skipped; every row must have the same length and only finite numbers.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The rows of a CSV file of inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvInputs {
    file: PathBuf,
    /// The input vectors, in file order.
    pub rows: Vec<Vec<f64>>,
    /// The class label of each row, when the file was read with a label column.
    pub labels: Option<Vec<usize>>,
    /// The 1-based line of each row in the file.
    pub lines: Vec<usize>,
}

impl CsvInputs {
    /// Number of values per row (labels excluded).
    pub fn width(&self) -> usize {
        self.rows.first().map_or(0, Vec::len)
    }

    /// Fails unless every row has `n` values (e.g. the network's input size), naming the first line.
    pub fn check_width(&self, n: usize) -> Result<()> {
        if self.width() != n {
            return Err(Error::input(
                &self.file,
                format!("line {}", self.lines.first().copied().unwrap_or(1)),
                format!("the row has {} values, expected {n}", self.width()),
            ));
        }
        Ok(())
    }

    /// Row `index` (0-based), or an error naming the file when there is no such row.
    pub fn row(&self, index: usize) -> Result<&[f64]> {
        self.rows.get(index).map(Vec::as_slice).ok_or_else(|| {
            Error::input(
                &self.file,
                format!("row {index}"),
                format!("the file has {} rows (counted from 0)", self.rows.len()),
            )
        })
    }

    /// The label of row `index`, when the file has labels.
    pub fn label(&self, index: usize) -> Option<usize> {
        self.labels.as_ref().and_then(|l| l.get(index).copied())
    }
}

/// Reads a CSV file of inputs; with `label_first` the first column is an integer class label.
pub fn read_csv_inputs(path: &Path, label_first: bool) -> Result<CsvInputs> {
    let text = crate::error::read_text(path)?;
    parse_csv_inputs(&text, path, label_first)
}

/// Parses CSV text; `file` names the source in error messages.
pub fn parse_csv_inputs(text: &str, file: &Path, label_first: bool) -> Result<CsvInputs> {
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let place = format!("line {line_no}");
        let mut values = Vec::new();
        for (col, field) in line.split(',').enumerate() {
            let field = field.trim();
            let v: f64 = field.parse().map_err(|_| {
                Error::input(
                    file,
                    &place,
                    format!("column {}: '{field}' is not a number", col + 1),
                )
            })?;
            if !v.is_finite() {
                return Err(Error::input(
                    file,
                    &place,
                    format!("column {}: {field} is not a finite number", col + 1),
                ));
            }
            values.push(v);
        }
        if label_first {
            let label = values.remove(0);
            if label < 0.0 || label.fract() != 0.0 || label > u32::MAX as f64 {
                return Err(Error::input(
                    file,
                    &place,
                    format!("column 1: the label {label} is not a class number"),
                ));
            }
            labels.push(label as usize);
        }
        if let Some(first) = rows.first().map(Vec::len) {
            if values.len() != first {
                return Err(Error::input(
                    file,
                    &place,
                    format!(
                        "the row has {} values, the first row (line {}) has {first}",
                        values.len(),
                        lines[0]
                    ),
                ));
            }
        } else if values.is_empty() {
            return Err(Error::input(file, &place, "the row has a label but no values"));
        }
        rows.push(values);
        lines.push(line_no);
    }
    if rows.is_empty() {
        return Err(Error::input(file, "contents", "the file has no data rows"));
    }
    Ok(CsvInputs {
        file: file.to_path_buf(),
        rows,
        labels: label_first.then_some(labels),
        lines,
    })
}
