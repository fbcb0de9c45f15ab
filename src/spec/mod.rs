//! What the user asks about: the input domain and output properties (and the VNN-LIB reader).

mod domain;
mod domain_spec;
mod property;
mod vnnlib;

pub use domain::{Ball, InputDomain, Norm};
pub use domain_spec::{BoundSpec, DomainSpec, IntegerSpec, NeighbourhoodSpec, ResolvedDomain};
pub use property::{OutputConstraint, OutputProperty, VnnlibProperty, VnnlibRegion};
pub use vnnlib::{parse_vnnlib, read_vnnlib};
