#pragma once
// Bootstrap intervals of the geometry (docs/geometry.md#bootstrap-intervals), called by
// compute_geometry when options.bootstrap > 0 with the point estimates already in `result`.

#include "neurogeom/data/dataset.hpp"
#include "neurogeom/data/recordings.hpp"
#include "neurogeom/manifold/geometry.hpp"

namespace neurogeom::manifold {

/// Fills every *_interval of `result` by resampling points within each class.
void bootstrap_geometry(const data::ManifoldDataset& dataset, const GeometryOptions& options, GeometryResult& result);

/// Fills every *_interval of `result` by resampling stimuli within each class of the recordings.
void bootstrap_recordings_geometry(const data::Recordings& recordings, const GeometryOptions& options,
                                   GeometryResult& result);

}  // namespace neurogeom::manifold
