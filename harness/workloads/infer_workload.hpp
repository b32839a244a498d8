#pragma once
// The `infer` workload: one decode step of a small model per iteration (latency sensitive).

#include "harness/records.hpp"
#include "harness/workload.hpp"
#include "kernels/cublas_handle.hpp"
#include "kernels/cuda_stream.hpp"
#include "kernels/device_buffer.hpp"
#include "kernels/infer.hpp"
#include "kernels/infer_problem.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace gpushare {

/// Spec keys: batch, hidden, layers (ints >= 1), dtype (fp16 | bf16 | fp32). Per iteration
/// `layers` times Y = W_l X (cuBLAS) then Y = relu(Y + b_l), on its own non-blocking stream
/// (see kernels/infer_problem.hpp); FLOP and bytes per infer_flops and infer_bytes.
class infer_workload final : public workload {
public:
  /// Reads and checks the spec; touches no device. Throws usage_error for a bad key value.
  infer_workload(const workload_spec& spec, const workload_context& context);

  [[nodiscard]] std::string description() const override;
  [[nodiscard]] bool host_only() const override { return false; }
  void setup() override;
  verification_result verify() override;
  void run_iteration() override;
  [[nodiscard]] double flops_per_iteration() const override;
  [[nodiscard]] double bytes_per_iteration() const override;

  /// Sizes, dtype and input pattern used.
  [[nodiscard]] const kernels::infer_problem& problem() const noexcept { return m_problem; }

private:
  void require_setup() const;
  [[nodiscard]] kernels::infer_buffers buffers() const;

  workload_context m_context;
  kernels::infer_problem m_problem;
  kernels::cuda_stream m_stream;
  kernels::cublas_handle m_blas;
  kernels::device_buffer m_weights;
  kernels::device_buffer m_bias;
  kernels::device_buffer m_input;
  kernels::device_buffer m_activations[2];
};

/// Host work verify() may spend on the reference (weight values generated plus multiply-adds):
/// about a second on one core, so even the largest catalog sizes verify before timing starts.
inline constexpr double infer_verify_work_budget = 268435456.0; // 2^28

/// The part of `problem` that verify() checks: the first layers whose weights fit half the
/// budget (all layers at the catalog's default sizes, at least one). Layer l's weights and bias
/// sit at the same offsets whatever the layer count, so running the first layers on the full
/// problem's buffers is exactly the computation the reference repeats.
[[nodiscard]] kernels::infer_problem
infer_verification_problem(const kernels::infer_problem& problem);

/// Output indices (row + col*hidden, column-major) that verify() compares for a problem from
/// infer_verification_problem: every element of the leading batch columns that fit what is
/// left of the budget after generating the weights (all columns at default sizes, at least one).
[[nodiscard]] std::vector<std::uint64_t>
infer_verify_indices(const kernels::infer_problem& problem);

/// Compares the device values `actual[i]` of output element indices[i] (row + col*hidden) with
/// infer_reference, within infer_tolerance. A shorter `actual` fails.
[[nodiscard]] verification_result check_infer_output(const kernels::infer_problem& problem,
                                                     const std::vector<std::uint64_t>& indices,
                                                     const std::vector<double>& actual);

} // namespace gpushare
