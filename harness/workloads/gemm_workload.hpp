#pragma once
// The `gemm` workload: one cuBLAS GEMM per iteration (compute bound).

#include "harness/records.hpp"
#include "harness/workload.hpp"
#include "kernels/cublas_handle.hpp"
#include "kernels/cuda_stream.hpp"
#include "kernels/device_buffer.hpp"
#include "kernels/gemm_reference.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace gpushare {

/// Entries of C that verify() compares with the host reference (each costs O(k) on the host).
inline constexpr std::uint64_t gemm_verify_samples = 256;

/// Spec keys: m, n, k (ints >= 1), dtype (fp32 | tf32 | fp16 | bf16). Per iteration C = A * B
/// (column-major, A m x k, B k x n) on its own non-blocking stream; 2mnk FLOP and
/// (mk + kn + mn) * sizeof(dtype) bytes.
class gemm_workload final : public workload {
public:
  /// Reads and checks the spec; touches no device (that is setup()'s job). Throws usage_error
  /// for a bad key value.
  gemm_workload(const workload_spec& spec, const workload_context& context);

  [[nodiscard]] std::string description() const override;
  [[nodiscard]] bool host_only() const override { return false; }
  void setup() override;
  verification_result verify() override;
  void run_iteration() override;
  [[nodiscard]] double flops_per_iteration() const override;
  [[nodiscard]] double bytes_per_iteration() const override;

  /// Sizes, dtype and input pattern used.
  [[nodiscard]] const kernels::gemm_problem& problem() const noexcept { return m_problem; }

private:
  void require_setup() const;
  void enqueue();

  workload_context m_context;
  kernels::gemm_problem m_problem;
  // Declaration order is destruction order reversed: buffers and the cuBLAS handle go before
  // the stream they use.
  kernels::cuda_stream m_stream;
  kernels::cublas_handle m_blas;
  kernels::device_buffer m_a;
  kernels::device_buffer m_b;
  kernels::device_buffer m_c;
};

/// The column-major indices (row + col*m) of C that verify() compares: gemm_verify_samples
/// entries from sample_indices, always including the first and the last.
[[nodiscard]] std::vector<std::uint64_t> gemm_verify_indices(const kernels::gemm_problem& problem);

/// Compares the device values `actual[i]` of C at column-major indices `indices[i]` with
/// gemm_reference_element, each within gemm_tolerance. Sizes must match (a shorter `actual`
/// fails).
[[nodiscard]] verification_result check_gemm_output(const kernels::gemm_problem& problem,
                                                    const std::vector<std::uint64_t>& indices,
                                                    const std::vector<double>& actual);

} // namespace gpushare
