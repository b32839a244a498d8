#include "harness/workloads/spec_values.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

namespace gpushare {

int spec_int(const workload_spec& spec, const std::string& key, int min_value, int max_value) {
  const std::int64_t value = spec.get_int(key);
  if (value < min_value || value > max_value) {
    throw usage_error(fmt::format("workload {}: {}={} is out of range [{}, {}]", spec.name, key,
                                  value, min_value, max_value));
  }
  return static_cast<int>(value);
}

std::uint64_t spec_count(const workload_spec& spec, const std::string& key, std::uint64_t min_value,
                         std::uint64_t max_value) {
  const std::int64_t value = spec.get_int(key);
  if (value < 0 || static_cast<std::uint64_t>(value) < min_value ||
      static_cast<std::uint64_t>(value) > max_value) {
    throw usage_error(fmt::format("workload {}: {}={} is out of range [{}, {}]", spec.name, key,
                                  value, min_value, max_value));
  }
  return static_cast<std::uint64_t>(value);
}

kernels::dtype spec_dtype(const workload_spec& spec, const std::string& key,
                          std::initializer_list<kernels::dtype> allowed) {
  const std::string& name = spec.get(key);
  const auto parsed = kernels::parse_dtype(name);
  std::string accepted;
  for (kernels::dtype type : allowed) {
    if (parsed && *parsed == type) {
      return type;
    }
    accepted += (accepted.empty() ? "" : "|") + std::string(kernels::dtype_name(type));
  }
  throw usage_error(
      fmt::format("workload {}: {}={} is not accepted (use {})", spec.name, key, name, accepted));
}

} // namespace gpushare
