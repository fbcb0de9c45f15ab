//! MPS files in (fixed and free format) and out (free format).
//!
//! Reading conventions, each chosen so that no file is silently read as a different model:
//! - Format: free format is tried first; if it fails, fixed format (names may hold spaces); if both fail,
//!   the error that got further into the file is reported.
//! - Comments: lines starting with `*`; after a complete record, a field starting with `$` or `*` starts
//!   a comment to the end of the line (unless it names a known row or column).
//! - `ROWS`: the first `N` row is the objective; later `N` rows are dropped with their entries.
//! - `RHS` on the objective row `v` gives the objective constant `-v` (objective = `c^T x - v`, as
//!   HiGHS, SCIP and Gurobi read Netlib's e226).
//! - `RANGES` `R` (as in CPLEX's MPS reference): `L` row `[b-|R|, b]`, `G` row `[b, b+|R|]`,
//!   `E` row `[b, b+R]` for `R > 0`, `[b+R, b]` for `R < 0`.
//! - Numbers: Fortran exponents `1.0D3` read as `1.0E3`; NaN is refused; infinities (`inf`, or magnitude
//!   `>= 1e30`) are accepted in `RHS`, `RANGES` and `BOUNDS` only.
//! - Integer columns (`MARKER INTORG`) with no `BOUNDS` entry at all get `[0, 1]`; with any entry, the
//!   continuous defaults `[0, +inf]` apply before the entries.
//! - `UP` (or `UI`) with a negative value on a column whose lower bound was not set explicitly also sets the
//!   lower bound to `-inf` (the CPLEX/HiGHS convention).
//! - Refused with the line: unknown sections (`QUADOBJ`, `SOS`, ...), semi-continuous `SC` bounds, unknown
//!   row or column names, a matrix entry or `RHS`/`RANGES`/bound given twice, several `RHS`/`RANGES`/`BOUNDS`
//!   sets, `RANGES` on the objective row, NaN and malformed numbers.
//! - Everything after `ENDATA` is ignored.

mod read;
mod write;

pub use read::{parse_mps, read_mps};
pub use write::{mps_string, write_mps};

use crate::lp::LpProblem;

/// A linear or mixed-integer program as read from (or written to) an MPS file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MpsModel {
    /// The linear program (objective, rows, column bounds, names).
    pub problem: LpProblem,
    /// Per column: must the column take an integer value?
    pub integer: Vec<bool>,
}

impl MpsModel {
    /// Number of integer columns.
    pub fn num_integers(&self) -> usize {
        self.integer.iter().filter(|&&i| i).count()
    }

    /// True when at least one column is integer.
    pub fn is_mip(&self) -> bool {
        self.integer.iter().any(|&i| i)
    }
}
