#pragma once
/// \file
/// Numerical outcome of an analysis: part of every result, never an exception.

#include <string>

namespace neurogeom {

/// What a solver or estimator concluded. `converged` is the only fully successful value.
enum class Status {
  converged,               ///< every sub-problem met its tolerance
  max_iterations_reached,  ///< an iterative solver stopped at its iteration cap
  ill_conditioned,         ///< a matrix was singular or not positive definite to working precision
  bracketed_only,          ///< a root or threshold was bracketed but not refined to tolerance
  not_applicable,          ///< the quantity is undefined for this input (documented per analysis)
};

/// snake_case name of a status, as written in JSON and tables.
inline std::string to_string(Status status) {
  switch (status) {
    case Status::converged: return "converged";
    case Status::max_iterations_reached: return "max_iterations_reached";
    case Status::ill_conditioned: return "ill_conditioned";
    case Status::bracketed_only: return "bracketed_only";
    case Status::not_applicable: return "not_applicable";
  }
  return "unknown";
}

/// The worse of two statuses: any failure dominates `converged`; the first failure wins.
inline Status combine(Status a, Status b) { return a == Status::converged ? b : a; }

}  // namespace neurogeom
