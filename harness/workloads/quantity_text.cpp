#include "harness/workloads/quantity_text.hpp"

#include <fmt/format.h>

namespace gpushare {
namespace {

std::string with_prefix(double value, const char* unit) {
  static constexpr struct {
    double factor;
    const char* prefix;
  } prefixes[] = {{1e15, "P"}, {1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
  for (const auto& entry : prefixes) {
    if (value >= entry.factor) {
      return fmt::format("{:.1f} {}{}", value / entry.factor, entry.prefix, unit);
    }
  }
  return fmt::format("{:.0f} {}", value, unit);
}

} // namespace

std::string format_flop(double flop) {
  return with_prefix(flop, "FLOP");
}

std::string format_bytes(double bytes) {
  return with_prefix(bytes, "B");
}

} // namespace gpushare
