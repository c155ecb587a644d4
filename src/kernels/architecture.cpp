#include "neurogeom/kernels/architecture.hpp"

#include <cmath>

#include <fmt/format.h>

#include "neurogeom/core/error.hpp"
#include "neurogeom/core/rng.hpp"

namespace neurogeom::kernels {

void validate_architecture(int depth, const std::vector<int>& widths, double prior_variance) {
  NEUROGEOM_THROW_IF_NOT(depth >= 0, fmt::format("depth must be >= 0, got {}", depth));
  NEUROGEOM_THROW_IF_NOT(!widths.empty() || depth == 0, "widths must not be empty");
  NEUROGEOM_THROW_IF_NOT(widths.size() <= 1 || static_cast<int>(widths.size()) == depth,
                         fmt::format("widths must have 1 or depth = {} entries, got {}", depth, widths.size()));
  for (int w : widths) NEUROGEOM_THROW_IF_NOT(w >= 1, fmt::format("widths must be >= 1, got {}", w));
  NEUROGEOM_THROW_IF_NOT(std::isfinite(prior_variance) && prior_variance > 0,
                         fmt::format("prior_variance must be > 0, got {}", prior_variance));
}

void NetworkOptions::validate_network() const {
  // conv has one hidden layer of `channels` units; its widths field is not used.
  validate_architecture(architecture == Architecture::conv ? 1 : depth,
                        architecture == Architecture::conv ? std::vector<int>{channels} : widths, prior_variance);
  if (architecture == Architecture::gated) {
    NEUROGEOM_THROW_IF_NOT(gates >= 1, fmt::format("gates must be >= 1, got {}", gates));
    NEUROGEOM_THROW_IF_NOT(std::isfinite(gate_bias), fmt::format("gate_bias must be finite, got {}", gate_bias));
    NEUROGEOM_THROW_IF_NOT(activation == Activation::linear,
                           fmt::format("architecture gated is a deep linear network: activation must be linear, got {}",
                                       enum_name(activation)));
  }
  if (architecture == Architecture::conv) {
    NEUROGEOM_THROW_IF_NOT(depth == 1, fmt::format("architecture conv has one hidden layer: depth must be 1, got {}", depth));
    NEUROGEOM_THROW_IF_NOT(channels >= 1, fmt::format("channels must be >= 1, got {}", channels));
    NEUROGEOM_THROW_IF_NOT(patch_size >= 1, fmt::format("patch_size must be >= 1, got {}", patch_size));
    NEUROGEOM_THROW_IF_NOT(image_side >= 0, fmt::format("image_side must be >= 0 (0 = sqrt(N_0)), got {}", image_side));
  }
}

std::vector<int> NetworkOptions::layer_widths() const {
  if (architecture == Architecture::conv) return {channels};
  if (depth == 0) return {};
  if (widths.size() == 1) return std::vector<int>(static_cast<std::size_t>(depth), widths[0]);
  return widths;
}

RowMatrixXd half_space_gates(const Eigen::Ref<const RowMatrixXd>& x, int gates, std::uint64_t seed, double bias) {
  NEUROGEOM_THROW_IF_NOT(gates >= 1, fmt::format("gates must be >= 1, got {}", gates));
  const Eigen::Index n0 = x.cols();
  // docs/theory.md#gated-networks: g_m(x) = Theta(v_m.x/sqrt(N_0) + b), v_m ~ N(0, I); v is filled
  // gate by gate so that M gates are the first M of any larger set.
  Rng rng = Rng::for_item(seed, Stream::gate, 0);
  Eigen::MatrixXd v(n0, gates);
  for (int m = 0; m < gates; ++m)
    for (Eigen::Index i = 0; i < n0; ++i) v(i, m) = rng.normal();
  const Eigen::MatrixXd h = (x * v) / std::sqrt(static_cast<double>(n0));
  RowMatrixXd g(x.rows(), gates);
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    for (int m = 0; m < gates; ++m) g(r, m) = h(r, m) + bias > 0 ? 1.0 : 0.0;
  return g;
}

Gates resolve_gates(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const RowMatrixXd>& x_test,
                    const NetworkOptions& options, const Gates& given) {
  if (given.train.size() == 0 && given.test.size() == 0)
    return {half_space_gates(x_train, options.gates, options.gate_seed, options.gate_bias),
            half_space_gates(x_test, options.gates, options.gate_seed, options.gate_bias)};
  NEUROGEOM_THROW_IF_NOT(given.train.rows() == x_train.rows(),
                         fmt::format("gate_matrix has {} rows but there are {} training points", given.train.rows(),
                                     x_train.rows()));
  NEUROGEOM_THROW_IF_NOT(given.test.rows() == x_test.rows(),
                         fmt::format("test_gate_matrix has {} rows but there are {} test points (give both gate matrices)",
                                     given.test.rows(), x_test.rows()));
  NEUROGEOM_THROW_IF_NOT(given.train.cols() >= 1 && given.test.cols() == given.train.cols(),
                         fmt::format("gate_matrix and test_gate_matrix must have the same number M >= 1 of columns, got {} and {}",
                                     given.train.cols(), given.test.cols()));
  NEUROGEOM_THROW_IF_NOT(given.train.allFinite() && given.test.allFinite(), "gate matrices must be finite");
  return given;
}

int resolved_image_side(const NetworkOptions& options, Eigen::Index input_dim) {
  int side = options.image_side;
  if (side == 0) {
    side = static_cast<int>(std::llround(std::sqrt(static_cast<double>(input_dim))));
    NEUROGEOM_THROW_IF_NOT(static_cast<Eigen::Index>(side) * side == input_dim,
                           fmt::format("architecture conv needs square images: N_0 = {} is not a square (set image_side)",
                                       input_dim));
  }
  NEUROGEOM_THROW_IF_NOT(static_cast<Eigen::Index>(side) * side == input_dim,
                         fmt::format("image_side {} gives {} pixels but the inputs have N_0 = {}", side,
                                     static_cast<long long>(side) * side, input_dim));
  NEUROGEOM_THROW_IF_NOT(side % options.patch_size == 0,
                         fmt::format("patch_size {} must divide image_side {}", options.patch_size, side));
  return side;
}

std::vector<RowMatrixXd> image_patches(const Eigen::Ref<const RowMatrixXd>& x, int image_side, int patch_size) {
  NEUROGEOM_THROW_IF_NOT(patch_size >= 1 && image_side % patch_size == 0 &&
                             x.cols() == static_cast<Eigen::Index>(image_side) * image_side,
                         fmt::format("image_patches: {} pixels, image side {}, patch size {}", x.cols(), image_side, patch_size));
  const int per_side = image_side / patch_size;
  const int area = patch_size * patch_size;
  std::vector<RowMatrixXd> patches(static_cast<std::size_t>(per_side * per_side), RowMatrixXd(x.rows(), area));
  for (int pr = 0; pr < per_side; ++pr)
    for (int pc = 0; pc < per_side; ++pc) {
      RowMatrixXd& patch = patches[static_cast<std::size_t>(pr * per_side + pc)];
      for (int r = 0; r < patch_size; ++r)
        for (int c = 0; c < patch_size; ++c)
          patch.col(r * patch_size + c) = x.col(static_cast<Eigen::Index>(pr * patch_size + r) * image_side + pc * patch_size + c);
    }
  return patches;
}

}  // namespace neurogeom::kernels
