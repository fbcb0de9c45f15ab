//! Reading and writing files: MPS, instance TOML, result JSON, VNN-COMP results, PNG, peer solver logs.

pub mod csv;
pub mod instance;
pub mod lp_format;
pub mod mps;
pub mod peer_log;
pub mod png;
pub mod report;
