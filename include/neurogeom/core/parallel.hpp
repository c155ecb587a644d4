#pragma once
/// \file
/// Outer-loop parallelism (STYLE.md, "Threading"). Work items write into slots indexed by
/// item, so results never depend on the thread count or the completion order. BLAS is
/// kept single-threaded so the two levels neither oversubscribe cores nor reorder sums.

#include <cstddef>
#include <functional>

namespace neurogeom {

/// Number of workers to use for `requested` threads: 0 means hardware concurrency.
int resolve_num_threads(int requested);

/// Calls body(i) for i in [0, count) on up to `num_threads` workers (0 = all cores).
/// A worker's exception cancels the items not yet started and the first exception is
/// rethrown on the calling thread.
void parallel_for(std::size_t count, int num_threads, const std::function<void(std::size_t)>& body);

/// Forces the BLAS backend (OpenBLAS) to one thread. Called once by every analysis entry
/// point; cheap and idempotent.
void use_single_threaded_blas();

}  // namespace neurogeom
