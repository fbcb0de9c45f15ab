//! Reading and writing files: MPS, instance TOML, result JSON, VNN-COMP results, PNG, peer solver logs.

pub mod mps;
pub mod report;
