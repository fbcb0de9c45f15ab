//! Reader of the `.nnet` text format (K. Julian, Stanford 2016; the ACAS Xu networks of Reluplex).
//!
//! Layout after the `//` comment lines, one comma-separated record per line: number of layers, input size,
//! output size, largest layer; the layer sizes; a "symmetric" flag (unused); input minimums; input maximums;
//! means (one per input, then one for the outputs); ranges (likewise); then for each layer one line of weights
//! per neuron followed by one line per bias. Tools using the format clip a raw input into [min, max], then
//! normalise `(x - mean) / range`; outputs are scaled back by `y * range_out + mean_out`.

use super::network::{Layer, Network};
use crate::error::{Error, Result};
use std::path::Path;

/// A network read from a `.nnet` file: the network on normalised values, and its normalisation.
#[derive(Debug, Clone, PartialEq)]
pub struct NnetNetwork {
    network: Network,
    input_min: Vec<f64>,
    input_max: Vec<f64>,
    input_mean: Vec<f64>,
    input_range: Vec<f64>,
    output_mean: f64,
    output_range: f64,
}

impl NnetNetwork {
    /// The network without its normalisation: it takes normalised inputs and gives normalised outputs
    /// (the form VNN-COMP's ACAS Xu ONNX files and properties use).
    pub fn normalised(&self) -> &Network {
        &self.network
    }

    /// The network with the normalisation folded in: raw inputs, raw (scaled back) outputs. It does not clip:
    /// it agrees with the `.nnet` tools for raw inputs inside [`raw_box`](Self::raw_box).
    pub fn with_normalisation(&self) -> Result<Network> {
        self.network
            .with_input_normalisation(&self.input_mean, &self.input_range)?
            .with_output_scaling(self.output_range, self.output_mean)
    }

    /// The raw input box `[min, max]` of the header.
    pub fn raw_box(&self) -> (Vec<f64>, Vec<f64>) {
        (self.input_min.clone(), self.input_max.clone())
    }

    /// The header's box in normalised coordinates: the domain of [`normalised`](Self::normalised).
    pub fn normalised_box(&self) -> (Vec<f64>, Vec<f64>) {
        let lower = self
            .input_min
            .iter()
            .enumerate()
            .map(|(i, &v)| self.normalise(i, v))
            .collect();
        let upper = self
            .input_max
            .iter()
            .enumerate()
            .map(|(i, &v)| self.normalise(i, v))
            .collect();
        (lower, upper)
    }

    /// What `.nnet` tools feed the network for a raw input: clipped into the box, then normalised.
    pub fn normalise_input(&self, raw: &[f64]) -> Vec<f64> {
        raw.iter()
            .enumerate()
            .map(|(i, &v)| self.normalise(i, v.clamp(self.input_min[i], self.input_max[i])))
            .collect()
    }

    /// Raw outputs from normalised ones: `y * range_out + mean_out`.
    pub fn scale_output(&self, y: &[f64]) -> Vec<f64> {
        y.iter()
            .map(|v| v * self.output_range + self.output_mean)
            .collect()
    }

    /// Input means (one per input).
    pub fn input_mean(&self) -> &[f64] {
        &self.input_mean
    }

    /// Input ranges (one per input).
    pub fn input_range(&self) -> &[f64] {
        &self.input_range
    }

    /// Output mean and range.
    pub fn output_scaling(&self) -> (f64, f64) {
        (self.output_mean, self.output_range)
    }

    fn normalise(&self, i: usize, v: f64) -> f64 {
        (v - self.input_mean[i]) / self.input_range[i]
    }
}

/// Reads a `.nnet` file.
pub fn read_nnet(path: &Path) -> Result<NnetNetwork> {
    let text = crate::error::read_text(path)?;
    parse_nnet(&text, path)
}

/// Parses the text of a `.nnet` file; `file` names the source in error messages.
pub fn parse_nnet(text: &str, file: &Path) -> Result<NnetNetwork> {
    let mut records = Records::new(text, file);
    let header = records.next_values("the header (layers, inputs, outputs, largest layer)", None)?;
    let counts = header
        .1
        .iter()
        .map(|&v| as_count(v, file, header.0))
        .collect::<Result<Vec<_>>>()?;
    let (layer_count, inputs, outputs) = match counts.as_slice() {
        [l, i, o, ..] if *l >= 1 => (*l, *i, *o),
        _ => {
            return Err(Error::input(
                file,
                format!("line {}", header.0),
                "expected at least one layer, the input and output sizes",
            ))
        }
    };
    let (sizes_line, sizes) = records.next_values("the layer sizes", Some(layer_count + 1))?;
    let sizes = sizes
        .iter()
        .map(|&v| as_count(v, file, sizes_line))
        .collect::<Result<Vec<_>>>()?;
    if sizes[0] != inputs || sizes[layer_count] != outputs || sizes.contains(&0) {
        return Err(Error::input(
            file,
            format!("line {sizes_line}"),
            format!(
                "layer sizes {sizes:?} disagree with {inputs} inputs and {outputs} outputs (or contain 0)"
            ),
        ));
    }
    records.next_values("the symmetric flag", None)?;
    let input_min = records.next_values("the input minimums", Some(inputs))?.1;
    let input_max = records.next_values("the input maximums", Some(inputs))?.1;
    let mean = records.next_values("the means", Some(inputs + 1))?.1;
    let (range_line, range) = records.next_values("the ranges", Some(inputs + 1))?;
    if let Some(i) = range.iter().position(|&r| r == 0.0) {
        return Err(Error::input(
            file,
            format!("line {range_line}"),
            format!("range {i} is zero"),
        ));
    }
    if let Some(i) = (0..inputs).find(|&i| input_min[i] > input_max[i]) {
        return Err(Error::input(
            file,
            "input minimums and maximums",
            format!("input {i} has min > max"),
        ));
    }
    let mut layers = Vec::new();
    for k in 0..layer_count {
        let (n_in, n_out) = (sizes[k], sizes[k + 1]);
        let mut weights = Vec::new();
        for j in 0..n_out {
            let what = format!("the weights of layer {} neuron {j}", k + 1);
            weights.extend(records.next_values(&what, Some(n_in))?.1);
        }
        let mut bias = Vec::new();
        for j in 0..n_out {
            let what = format!("the bias of layer {} neuron {j}", k + 1);
            bias.extend(records.next_values(&what, Some(1))?.1);
        }
        let relu = k + 1 < layer_count;
        let layer = Layer::new(n_in, n_out, weights, bias, relu)
            .map_err(|e| Error::input(file, format!("layer {}", k + 1), e.to_string()))?;
        layers.push(layer);
    }
    if let Some((line, _)) = records.next_line() {
        return Err(Error::input(
            file,
            format!("line {line}"),
            "unexpected data after the last layer",
        ));
    }
    let network = Network::new(layers).map_err(|e| Error::input(file, "layers", e.to_string()))?;
    Ok(NnetNetwork {
        network,
        input_min,
        input_max,
        input_mean: mean[..inputs].to_vec(),
        input_range: range[..inputs].to_vec(),
        output_mean: mean[inputs],
        output_range: range[inputs],
    })
}

fn as_count(v: f64, file: &Path, line: usize) -> Result<usize> {
    // Generous limit: it only guards against absurd headers; real sizes come with their data lines.
    if v >= 1.0 && v.fract() == 0.0 && v <= 1e7 {
        Ok(v as usize)
    } else if v == 0.0 {
        Ok(0)
    } else {
        Err(Error::input(
            file,
            format!("line {line}"),
            format!("{v} is not a valid size"),
        ))
    }
}

/// The data lines of the file (comments and blank lines skipped), with their 1-based line numbers.
struct Records<'t> {
    lines: std::iter::Enumerate<std::str::Lines<'t>>,
    file: &'t Path,
    last_line: usize,
}

impl<'t> Records<'t> {
    fn new(text: &'t str, file: &'t Path) -> Self {
        Records {
            lines: text.lines().enumerate(),
            file,
            last_line: 0,
        }
    }

    fn next_line(&mut self) -> Option<(usize, &'t str)> {
        for (i, line) in self.lines.by_ref() {
            let t = line.trim();
            if t.is_empty() || t.starts_with("//") {
                continue;
            }
            self.last_line = i + 1;
            return Some((i + 1, t));
        }
        None
    }

    /// The numbers of the next record, checking their count when `expected` is given.
    fn next_values(&mut self, what: &str, expected: Option<usize>) -> Result<(usize, Vec<f64>)> {
        let Some((line, text)) = self.next_line() else {
            return Err(Error::input(
                self.file,
                format!("end of file (after line {})", self.last_line),
                format!("missing {what}"),
            ));
        };
        let place = format!("line {line}");
        let mut values = Vec::new();
        for field in text.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            let v: f64 = field.parse().map_err(|_| {
                Error::input(
                    self.file,
                    &place,
                    format!("'{field}' is not a number (reading {what})"),
                )
            })?;
            if !v.is_finite() {
                return Err(Error::input(
                    self.file,
                    &place,
                    format!("{field} is not finite (reading {what})"),
                ));
            }
            values.push(v);
        }
        if let Some(n) = expected {
            if values.len() != n {
                return Err(Error::input(
                    self.file,
                    &place,
                    format!("expected {n} values for {what}, found {}", values.len()),
                ));
            }
        } else if values.is_empty() {
            return Err(Error::input(self.file, &place, format!("no values for {what}")));
        }
        Ok((line, values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "// a comment\n2,2,1,2,\n2,2,1,\n0,\n0,-1,\n10,1,\n5,0,2,\n10,2,4,\n\
                        1,0,\n0,1,\n0.5,\n-0.5,\n1,-1,\n0,\n";

    #[test]
    fn tiny_network_and_its_normalisation() {
        let n = parse_nnet(TINY, Path::new("tiny.nnet")).unwrap();
        assert_eq!(n.normalised().forward(&[0.5, 0.25]), vec![1.0 - 0.0]);
        let raw = [10.0, 0.0];
        let folded = n.with_normalisation().unwrap().forward(&raw);
        let expected = n.scale_output(&n.normalised().forward(&n.normalise_input(&raw)));
        assert!((folded[0] - expected[0]).abs() < 1e-12);
        assert_eq!(n.normalised_box(), (vec![-0.5, -0.5], vec![0.5, 0.5]));
    }

    #[test]
    fn missing_row_names_the_line() {
        let broken = TINY.replace("0,1,\n", "");
        let e = parse_nnet(&broken, Path::new("tiny.nnet"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("tiny.nnet") && e.contains("line"), "{e}");
    }
}
