#pragma once
// Dense symmetric linear algebra of the kernel theories through LAPACK (OpenBLAS): the
// eigensolver of the BPKR solver and the Cholesky factorisation and inverse of the shape
// renormalization solver (docs/theory.md#numerical-conventions).

#include <Eigen/Core>

namespace neurogeom::kernels::detail {

// Eigenvalues (ascending) of the symmetric `a`, which is overwritten by its eigenvectors
// (LAPACK dsyevd, divide and conquer; Eigen's solver as fallback).
Eigen::VectorXd symmetric_eigen(Eigen::MatrixXd& a);

// Lower Cholesky factor of the symmetric `a` in place (upper triangle left unspecified);
// false when a pivot is not positive or is below `relative_pivot` times the largest diagonal entry.
bool cholesky_in_place(Eigen::MatrixXd& a, double relative_pivot);

// From the lower Cholesky factor in `l`, overwrites `l` with the full symmetric inverse of L L^T.
void inverse_from_cholesky(Eigen::MatrixXd& l);

}  // namespace neurogeom::kernels::detail
