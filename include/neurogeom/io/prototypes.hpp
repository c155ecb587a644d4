#pragma once
/// \file
/// Reader of the zero-shot inputs (docs/fewshot.md, "Zero-shot learning"): the other
/// modality's prototypes of the training and novel classes, from one .npz archive.

#include <string>

#include "neurogeom/fewshot/zeroshot.hpp"

namespace neurogeom::io {

/// Reads the zero-shot prototypes from a .npz archive with arrays train_source (K_train x d),
/// train_target (K_train x N), novel_source (K_novel x d) and optionally novel_labels
/// (K_novel integers). Throws InvalidArgument naming the file and the array on a missing
/// array, an unknown array name, a wrong rank or non-integer labels.
fewshot::ZeroshotPrototypes read_zeroshot_prototypes(const std::string& path);

}  // namespace neurogeom::io
