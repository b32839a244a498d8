#pragma once
// Typed, range-checked reads of a workload spec's keys for the GPU workloads.

#include "harness/workload_spec.hpp"
#include "kernels/dtype.hpp"

#include <cstdint>
#include <initializer_list>
#include <string>

namespace gpushare {

/// spec.get_int(key) as an int in [min_value, max_value]. Throws usage_error naming the spec
/// and the key otherwise (the parser validates keys, but sizes must also fit the int that
/// cuBLAS and the launch functions take).
[[nodiscard]] int spec_int(const workload_spec& spec, const std::string& key, int min_value,
                           int max_value);

/// spec.get_int(key) as a count in [min_value, max_value]. Throws usage_error otherwise.
[[nodiscard]] std::uint64_t spec_count(const workload_spec& spec, const std::string& key,
                                       std::uint64_t min_value, std::uint64_t max_value);

/// spec.get(key) parsed as a dtype that must be one of `allowed`. Throws usage_error naming the
/// accepted names otherwise.
[[nodiscard]] kernels::dtype spec_dtype(const workload_spec& spec, const std::string& key,
                                        std::initializer_list<kernels::dtype> allowed);

} // namespace gpushare
