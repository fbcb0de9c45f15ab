//! # relumip
//!
//! A mixed-integer linear programming solver specialised for trained ReLU
//! networks: a sparse bounded dual simplex, a branch-and-bound that branches on
//! neuron activation states, bound propagation, cuts and primal heuristics, all
//! in one engine with no external solver.
//!
//! ```
//! use relumip::nn::{Layer, Network};
//!
//! // y = relu(x0 - x1) + 0.5
//! let net = Network::new(vec![
//!     Layer::new(2, 1, vec![1.0, -1.0], vec![0.0], true).unwrap(),
//!     Layer::new(1, 1, vec![1.0], vec![0.5], false).unwrap(),
//! ])
//! .unwrap();
//! assert_eq!(net.forward(&[2.0, 0.5]), vec![2.0]);
//! assert_eq!(net.forward(&[0.0, 1.0]), vec![0.5]);
//! ```
#![deny(missing_docs)]

pub mod bench;
pub mod bounds;
pub mod cuts;
pub mod error;
pub mod heuristics;
pub mod io;
pub mod linalg;
pub mod log;
pub mod lp;
pub mod mip;
pub mod nn;
pub mod options;
pub mod relu;
pub mod result;
pub mod solver;
pub mod spec;
pub mod tasks;
