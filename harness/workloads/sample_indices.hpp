#pragma once
// Deterministic choice of which output elements a verification compares.

#include <cstdint>
#include <vector>

namespace gpushare {

/// Indices in [0, total) to compare: all of them when total <= max_count, otherwise
/// max_count indices that always include the first and the last element and otherwise come
/// from a fixed hash, so every run checks the same elements. Sorted ascending; may contain a
/// repeat when max_count is close to total. Empty when total or max_count is 0.
[[nodiscard]] std::vector<std::uint64_t> sample_indices(std::uint64_t total,
                                                        std::uint64_t max_count);

} // namespace gpushare
