//! The generic branch-and-bound tree search over the LP engine.
