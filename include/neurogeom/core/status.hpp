#pragma once
/// \file
/// Numerical outcome of an analysis: part of every result, never an exception.

#include <string>

#include "neurogeom/core/describe.hpp"

namespace neurogeom {

/// What a solver or estimator concluded. `converged` is the only fully successful value.
enum class Status {
  converged,               ///< every sub-problem met its tolerance
  max_iterations_reached,  ///< an iterative solver stopped at its iteration cap
  ill_conditioned,         ///< a matrix was singular or not positive definite to working precision
  bracketed_only,          ///< a root or threshold was bracketed but not refined to tolerance
  not_applicable,          ///< the quantity is undefined for this input (documented per analysis)
};
BOOST_DESCRIBE_ENUM(Status, converged, max_iterations_reached, ill_conditioned, bracketed_only, not_applicable)

/// snake_case name of a status, as written in JSON and tables.
inline std::string to_string(Status status) { return enum_name(status); }

/// The worse of two statuses: any failure dominates `converged`; the first failure wins.
inline Status combine(Status a, Status b) { return a == Status::converged ? b : a; }

}  // namespace neurogeom
