#pragma once
// Element types the workloads accept on the command line.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gpushare::kernels {

enum class dtype {
  fp32, ///< IEEE single
  tf32, ///< stored as fp32, multiplied on tensor cores with a 10-bit mantissa (GEMM only)
  fp16, ///< IEEE half
  bf16, ///< bfloat16
  fp64, ///< IEEE double (triad only)
};

[[nodiscard]] std::string_view dtype_name(dtype type);
[[nodiscard]] std::optional<dtype> parse_dtype(std::string_view name);
/// Bytes one element occupies in device memory (tf32 is stored as fp32).
[[nodiscard]] std::size_t dtype_size(dtype type);

} // namespace gpushare::kernels
