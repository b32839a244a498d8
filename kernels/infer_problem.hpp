#pragma once
// The `infer` workload's problem: the shape of one decode step of a small model. For each of
// `layers` layers, Y = W_l X ([hidden x hidden] x [hidden x batch], fp32 accumulation), then
// Y = relu(Y + b_l) elementwise. Storage is fp16, bf16 or fp32; every intermediate is stored
// (rounded) in that type, as a real model's activations are.
//
// Input pattern (all matrices column-major):
//   W_l[row, col] = pattern_value(l*hidden^2 + row + col*hidden, seed_weights, weight_scale)
//   b_l[row]      = pattern_value(l*hidden + row, seed_bias)
//   X[row, col]   = pattern_value(row + col*hidden, seed_input)
// weight_scale = 2^-ceil(log2(hidden)/2), so weight_scale^2 * hidden <= 1: with pseudo-random
// signs the mean square of W x is at most 0.625 times that of x, the bias adds O(1) and the
// ReLU halves it, so activations settle at O(1) for any depth instead of growing or vanishing.

#include "kernels/dtype.hpp"

#include <cstddef>
#include <cstdint>

namespace gpushare::kernels {

/// Sizes, storage type and input pattern of one decode step.
struct infer_problem {
  dtype type = dtype::fp16;
  int batch = 1;
  int hidden = 1;
  int layers = 1;
  std::uint32_t seed_weights = 0x3e1u;
  std::uint32_t seed_bias = 0xb1a5u;
  std::uint32_t seed_input = 0x1e9u;
  float weight_scale = 1.0f; ///< power of two, see the top of this file
};

/// The problem the infer workload runs. Throws usage_error for a dtype other than fp16, bf16
/// or fp32, or a non-positive size.
[[nodiscard]] infer_problem make_infer_problem(dtype type, int batch, int hidden, int layers);

/// Elements of all weight matrices together (layers * hidden^2).
[[nodiscard]] std::size_t infer_weight_elements(const infer_problem& problem);
/// Elements of all bias vectors together (layers * hidden).
[[nodiscard]] std::size_t infer_bias_elements(const infer_problem& problem);
/// Elements of one activation matrix (hidden * batch).
[[nodiscard]] std::size_t infer_activation_elements(const infer_problem& problem);

/// W_l[row, col], exactly as the device holds it.
[[nodiscard]] float infer_weight_value(const infer_problem& problem, int layer, int row, int col);
/// b_l[row], exactly as the device holds it.
[[nodiscard]] float infer_bias_value(const infer_problem& problem, int layer, int row);
/// X[row, col] (the step's input), exactly as the device holds it.
[[nodiscard]] float infer_input_value(const infer_problem& problem, int row, int col);

/// FLOP of one step: per layer 2*hidden^2*batch for the GEMM plus hidden*batch bias adds (the
/// ReLU compare is not counted).
[[nodiscard]] double infer_flops(const infer_problem& problem);
/// Bytes one step moves at minimum: per layer the GEMM's W and X read and Y written, plus the
/// elementwise pass (Y read and written, bias read), each element of the storage type's size.
[[nodiscard]] double infer_bytes(const infer_problem& problem);

} // namespace gpushare::kernels
