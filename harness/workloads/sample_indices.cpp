#include "harness/workloads/sample_indices.hpp"

#include "kernels/pattern.hpp"

#include <algorithm>

namespace gpushare {

std::vector<std::uint64_t> sample_indices(std::uint64_t total, std::uint64_t max_count) {
  std::vector<std::uint64_t> indices;
  if (total == 0 || max_count == 0) {
    return indices;
  }
  if (total <= max_count) {
    indices.resize(total);
    for (std::uint64_t i = 0; i < total; ++i) {
      indices[i] = i;
    }
    return indices;
  }
  indices.reserve(max_count);
  indices.push_back(0);
  if (max_count > 1) {
    indices.push_back(total - 1);
  }
  constexpr std::uint32_t seed = 0x5a3b1e;
  for (std::uint64_t i = indices.size(); i < max_count; ++i) {
    // Two hashes give 64 bits, so totals beyond 2^32 are covered evenly.
    const std::uint64_t high = kernels::pattern_hash(i, seed);
    const std::uint64_t low = kernels::pattern_hash(i, seed + 1);
    indices.push_back(((high << 32) | low) % total);
  }
  std::sort(indices.begin(), indices.end());
  return indices;
}

} // namespace gpushare
