//! The instances of a benchmark set: a folder of MPS files or instance files, or a VNN-COMP instances.csv.

use std::path::{Path, PathBuf};

use super::expected::stem;
use crate::error::{Error, Result};

/// What one instance is.
#[derive(Debug, Clone, PartialEq)]
pub enum InstanceSource {
    /// An LP or MILP in an MPS file.
    Mps(PathBuf),
    /// A relumip instance file (TOML).
    InstanceFile(PathBuf),
    /// A VNN-COMP line: network, property and the competition's timeout.
    VnnComp {
        /// The network (ONNX).
        network: PathBuf,
        /// The property (VNN-LIB).
        property: PathBuf,
        /// The competition's time limit in seconds.
        timeout_s: Option<f64>,
    },
}

/// One instance of a benchmark set.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchInstance {
    /// Its name: the file stem, or `NETSTEM__PROPSTEM` for VNN-COMP lines (peer logs are matched on it).
    pub name: String,
    /// Where it comes from.
    pub source: InstanceSource,
}

/// The instances of `set`: a folder (its `.mps` files and `.toml` instance files, sorted by name) or a
/// VNN-COMP CSV (`onnx,vnnlib,timeout` per line, paths relative to the CSV's folder).
pub fn discover(set: &Path) -> Result<Vec<BenchInstance>> {
    if set.is_dir() {
        let entries = std::fs::read_dir(set).map_err(|e| Error::io(set, e))?;
        let mut paths = Vec::new();
        for entry in entries {
            paths.push(entry.map_err(|e| Error::io(set, e))?.path());
        }
        paths.sort();
        let mut out = Vec::new();
        for path in paths {
            let extension = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            let source = match extension.as_deref() {
                Some("mps") => InstanceSource::Mps(path.clone()),
                Some("toml") => InstanceSource::InstanceFile(path.clone()),
                _ => continue,
            };
            let name = stem(&path.to_string_lossy());
            out.push(BenchInstance { name, source });
        }
        if out.is_empty() {
            return Err(Error::input(set, "folder", "no .mps or .toml instance files"));
        }
        return Ok(out);
    }
    if set.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
        return read_instances_csv(set);
    }
    Err(Error::input(
        set,
        "set",
        "expected a folder of .mps/.toml files or a VNN-COMP instances.csv",
    ))
}

fn read_instances_csv(path: &Path) -> Result<Vec<BenchInstance>> {
    let text = crate::error::read_text(path)?;
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if line.trim().is_empty()
            || (index == 0 && fields.first().is_some_and(|f| f.eq_ignore_ascii_case("onnx")))
        {
            continue;
        }
        if fields.len() < 2 {
            return Err(Error::input(
                path,
                format!("line {}", index + 1),
                "expected ONNX,VNNLIB[,TIMEOUT]",
            ));
        }
        let timeout_s = match fields.get(2) {
            Some(t) if !t.is_empty() => Some(t.parse::<f64>().map_err(|_| {
                Error::input(
                    path,
                    format!("line {}", index + 1),
                    format!("timeout `{t}` is not a number"),
                )
            })?),
            _ => None,
        };
        out.push(BenchInstance {
            name: format!("{}__{}", stem(fields[0]), stem(fields[1])),
            source: InstanceSource::VnnComp {
                network: folder.join(fields[0]),
                property: folder.join(fields[1]),
                timeout_s,
            },
        });
    }
    if out.is_empty() {
        return Err(Error::input(path, "line 1", "no instances"));
    }
    Ok(out)
}
