#pragma once
// Short human-readable quantities for workload descriptions.

#include <string>

namespace gpushare {

/// FLOP with an SI prefix and one decimal, e.g. "137.4 GFLOP", "2.1 MFLOP", "512 FLOP".
[[nodiscard]] std::string format_flop(double flop);

/// Bytes with an SI (decimal) prefix and one decimal, e.g. "805.3 MB", "4.0 kB", "12 B".
[[nodiscard]] std::string format_bytes(double bytes);

} // namespace gpushare
