//! Primal heuristics that give the tree search incumbents early.

pub mod forward;
pub mod region_lp;

pub use forward::ForwardPass;
pub use region_lp::RegionLp;

pub mod gradient;
pub mod objective;
pub mod pgd;
pub mod pgd_heuristic;
pub mod projection;
pub mod rng;

pub use gradient::{output_gradient, GradientWorkspace};
pub use objective::{AffineTerm, AttackObjective, ScoreAt};
pub use pgd::{
    confirm_counterexample, find_counterexample, maximize_linear, pgd_attack, AttackResult, Counterexample,
    Goal, PgdOptions,
};
pub use pgd_heuristic::Pgd;
pub use projection::{project, round_integer_features};
pub use rng::SplitMix64;
