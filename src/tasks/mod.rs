//! The applications: verify, maximize, adversarial, compare and prune.

pub mod adversarial;
pub mod compare;
pub mod compare_modes;
pub mod compose;
pub mod maximize;
pub mod outcome;
pub mod output_shift;
pub mod prune;
pub mod verify;
