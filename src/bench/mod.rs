//! Running instance sets, result tables and shifted geometric means.
