//! Sparse vectors and matrices, the basis LU factorisation and its updates.
