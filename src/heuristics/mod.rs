//! Primal heuristics that give the tree search incumbents early.
