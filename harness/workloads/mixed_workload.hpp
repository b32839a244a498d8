#pragma once
// The `mixed` workload: the tunable-intensity kernel of kernels/mixed.hpp over n floats in
// place, for roofline sweeps.

#include "harness/records.hpp"
#include "harness/workload.hpp"
#include "kernels/cuda_stream.hpp"
#include "kernels/device_buffer.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace gpushare {

/// Pattern seed of the mixed workload's initial data.
inline constexpr std::uint32_t mixed_seed = 0x313du;

/// Upper bound on the host work verify() spends: sampled elements * fma_per_element.
inline constexpr std::uint64_t mixed_verify_fma_budget = std::uint64_t{1} << 26;

/// Longest chain accepted (intensity 2^18 FLOP/byte): beyond that an iteration takes seconds
/// per element on the host reference and says nothing new about the roofline.
inline constexpr int mixed_max_fma_per_element = 1 << 20;

/// fma_per_element for an arithmetic intensity in FLOP per byte: round(intensity * 4), at
/// least 1 (each element moves 8 bytes and each FMA is 2 FLOP). Throws usage_error for a
/// negative or non-finite intensity or a chain longer than mixed_max_fma_per_element.
[[nodiscard]] int mixed_fma_for_intensity(double intensity);

/// Spec keys: n (elements >= 1), intensity (FLOP per byte). Per iteration every element goes
/// through fma_per_element dependent FMAs in place, on its own non-blocking stream; 2 * fma * n
/// FLOP and 8n bytes.
class mixed_workload final : public workload {
public:
  /// Reads and checks the spec; touches no device. Throws usage_error for a bad key value.
  mixed_workload(const workload_spec& spec, const workload_context& context);

  [[nodiscard]] std::string description() const override;
  [[nodiscard]] bool host_only() const override { return false; }
  void setup() override;
  verification_result verify() override;
  void run_iteration() override;
  [[nodiscard]] double flops_per_iteration() const override;
  [[nodiscard]] double bytes_per_iteration() const override;

  /// Element count and chain length used.
  [[nodiscard]] std::uint64_t elements() const noexcept { return m_n; }
  [[nodiscard]] int fma_per_element() const noexcept { return m_fma_per_element; }

private:
  void require_setup() const;
  void fill();
  void enqueue();

  workload_context m_context;
  std::uint64_t m_n;
  int m_fma_per_element;
  kernels::cuda_stream m_stream;
  kernels::device_buffer m_data;
};

/// Elements verify() compares: mixed_verify_fma_budget / fma_per_element, clamped to
/// [1024, 65536], all of them when n is smaller (sample_indices).
[[nodiscard]] std::vector<std::uint64_t> mixed_verify_indices(std::uint64_t n, int fma_per_element);

/// Compares the device values `actual[i]` of element indices[i] after one pass over pattern
/// input (mixed_seed) with the host's mixed_element, bit-exact (fmaf rounds identically on
/// host and device). A shorter `actual` fails.
[[nodiscard]] verification_result check_mixed_output(int fma_per_element,
                                                     const std::vector<std::uint64_t>& indices,
                                                     const std::vector<double>& actual);

} // namespace gpushare
