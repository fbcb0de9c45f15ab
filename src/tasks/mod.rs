//! The applications: verify, maximize, adversarial, compare and prune.

pub mod prune;
