//! The encoding of a ReLU network into a MILP and its network-aware plug-ins.
