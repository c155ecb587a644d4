#pragma once
/// \file
/// The network families shared by the kernel theory and the Langevin sampler: fully connected
/// (docs/theory.md#network-and-conventions), globally gated deep linear
/// (docs/theory.md#gated-networks) and one-hidden-layer convolutional
/// (docs/theory.md#convolutional-networks); their gates and image patches.

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "neurogeom/core/describe.hpp"
#include "neurogeom/core/linalg.hpp"
#include "neurogeom/kernels/nngp.hpp"

namespace neurogeom::kernels {

/// Network family.
enum class Architecture {
  fully_connected,  ///< h_{l+1} = W_{l+1} phi(h_l) / sqrt(N_l), scalar readout (docs/theory.md#network-and-conventions)
  gated,            ///< globally gated deep linear network (docs/theory.md#gated-networks)
  conv,             ///< one hidden convolutional layer with shared filters and a dense readout (docs/theory.md#convolutional-networks)
};
BOOST_DESCRIBE_ENUM(Architecture, fully_connected, gated, conv)

/// The network whose posterior the theory describes and the sampler samples: one field list
/// shared by TheoryOptions and LangevinOptions.
struct NetworkOptions {
  /// Network family: fully_connected, gated (docs/theory.md#gated-networks) or conv (docs/theory.md#convolutional-networks).
  Architecture architecture = Architecture::fully_connected;
  /// Hidden nonlinearity phi: linear, relu or erf (which of them each architecture and solver accepts is checked by validate()).
  Activation activation = Activation::linear;
  /// Number of hidden layers L >= 0 (conv: exactly 1).
  int depth = 1;
  /// Hidden widths N_1..N_L, each >= 1: one entry (used for every layer) or L entries (conv: ignored, see channels).
  std::vector<int> widths = {100};
  /// Prior variance sigma^2 > 0 of every weight, readout included (the precision is lambda = 1/sigma^2).
  double prior_variance = 1.0;
  /// gated: number M >= 1 of half-space gates Theta(v_m.x/sqrt(N_0) + gate_bias) with v_m ~ N(0, I) drawn from gate_seed; ignored when gate matrices are given.
  int gates = 4;
  /// gated: seed of the gate vectors v_m (stream gate).
  std::uint64_t gate_seed = 0;
  /// gated: offset b of the half-space gates (b = 0: every gate is open on half of the inputs).
  double gate_bias = 0.0;
  /// gated: the readout is gated too, f = (M N_L)^{-1/2} sum_m g_m(x) a_m.x_L; false: f = a.x_L/sqrt(N_L).
  bool gated_readout = true;
  /// conv: side of the square input images; 0 = sqrt(N_0), which must then be an integer.
  int image_side = 0;
  /// conv: side of the square non-overlapping patches (stride = patch_size), dividing image_side.
  int patch_size = 7;
  /// conv: number of channels N_c >= 1 (filters shared by every patch; the hidden width of the convolutional layer).
  int channels = 100;

  /// Checks the fields shared by every architecture; throws InvalidArgument naming the field and value.
  void validate_network() const;
  /// The L hidden widths, with a single entry broadcast to every layer (conv: {channels}).
  std::vector<int> layer_widths() const;
};
BOOST_DESCRIBE_STRUCT(NetworkOptions, (), (architecture, activation, depth, widths, prior_variance, gates, gate_seed, gate_bias, gated_readout, image_side, patch_size, channels))

/// Checks a fully connected architecture: depth L >= 0, widths with 1 or L entries each >= 1
/// (non-empty when L > 0), prior variance sigma^2 > 0 and finite; throws InvalidArgument
/// naming the field and value.
void validate_architecture(int depth, const std::vector<int>& widths, double prior_variance);

/// Gate values g_m(x) of a gated network on the training and test inputs (rows = points,
/// columns = gates). Empty matrices mean "half-space gates from NetworkOptions".
struct Gates {
  RowMatrixXd train;  ///< P x M
  RowMatrixXd test;   ///< n_test x M
};

/// Half-space gates Theta(v_m.x/sqrt(N_0) + bias), m = 1..M, on the rows of `x`, with
/// v_m ~ N(0, I_{N_0}) drawn from Rng::for_item(seed, Stream::gate, 0) (docs/theory.md#gated-networks).
/// The same (seed, N_0, M) gives the same gates on any point set.
RowMatrixXd half_space_gates(const Eigen::Ref<const RowMatrixXd>& x, int gates, std::uint64_t seed, double bias);

/// The gates of `options` for this task: `given` when its matrices are non-empty (checked:
/// P x M and n_test x M with the same M, finite), else half-space gates on both point sets.
Gates resolve_gates(const Eigen::Ref<const RowMatrixXd>& x_train, const Eigen::Ref<const RowMatrixXd>& x_test,
                    const NetworkOptions& options, const Gates& given);

/// The image side of `options` for inputs of `input_dim` pixels (image_side, or sqrt(input_dim));
/// throws InvalidArgument when the image is not square or patch_size does not divide the side.
int resolved_image_side(const NetworkOptions& options, Eigen::Index input_dim);

/// Non-overlapping patch_size x patch_size patches of the square images in the rows of `x`
/// (pixels row-major): element i is the n x patch_size^2 matrix of patch i, patches and the
/// pixels inside a patch in row-major order (docs/theory.md#convolutional-networks).
std::vector<RowMatrixXd> image_patches(const Eigen::Ref<const RowMatrixXd>& x, int image_side, int patch_size);

}  // namespace neurogeom::kernels
