#pragma once
// The `triad` workload: STREAM triad a = b + s*c per iteration (memory bound).

#include "harness/records.hpp"
#include "harness/workload.hpp"
#include "kernels/cuda_stream.hpp"
#include "kernels/device_buffer.hpp"
#include "kernels/dtype.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace gpushare {

/// Elements of `a` that verify() compares at most (all of them for smaller n).
inline constexpr std::uint64_t triad_verify_samples = std::uint64_t{1} << 20;

/// Spec keys: n (elements >= 1), dtype (fp32 | fp64). Per iteration a[i] = b[i] + 3*c[i] over
/// n elements on its own non-blocking stream; 2n FLOP and 3 * n * sizeof(dtype) bytes.
class triad_workload final : public workload {
public:
  /// Reads and checks the spec; touches no device. Throws usage_error for a bad key value.
  triad_workload(const workload_spec& spec, const workload_context& context);

  [[nodiscard]] std::string description() const override;
  [[nodiscard]] bool host_only() const override { return false; }
  void setup() override;
  verification_result verify() override;
  void run_iteration() override;
  [[nodiscard]] double flops_per_iteration() const override;
  [[nodiscard]] double bytes_per_iteration() const override;

  /// Element type and count.
  [[nodiscard]] kernels::dtype type() const noexcept { return m_type; }
  [[nodiscard]] std::uint64_t elements() const noexcept { return m_n; }

private:
  void require_setup() const;
  void enqueue();

  workload_context m_context;
  kernels::dtype m_type;
  std::uint64_t m_n;
  kernels::cuda_stream m_stream;
  kernels::device_buffer m_a;
  kernels::device_buffer m_b;
  kernels::device_buffer m_c;
};

/// Compares the device values `actual[i]` of a[indices[i]] (fp32 or fp64 `type`) with
/// triad_reference_value. The device computes each element with one fused multiply-add of
/// exact inputs, so the tolerance is 0. A shorter `actual` fails.
[[nodiscard]] verification_result check_triad_output(kernels::dtype type,
                                                     const std::vector<std::uint64_t>& indices,
                                                     const std::vector<double>& actual);

} // namespace gpushare
