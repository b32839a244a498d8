#include "kernels/dtype.hpp"

namespace gpushare::kernels {

std::string_view dtype_name(dtype type) {
  switch (type) {
  case dtype::fp32:
    return "fp32";
  case dtype::tf32:
    return "tf32";
  case dtype::fp16:
    return "fp16";
  case dtype::bf16:
    return "bf16";
  case dtype::fp64:
    return "fp64";
  }
  return "unknown";
}

std::optional<dtype> parse_dtype(std::string_view name) {
  for (dtype type : {dtype::fp32, dtype::tf32, dtype::fp16, dtype::bf16, dtype::fp64}) {
    if (dtype_name(type) == name) {
      return type;
    }
  }
  return std::nullopt;
}

std::size_t dtype_size(dtype type) {
  switch (type) {
  case dtype::fp32:
  case dtype::tf32:
    return 4;
  case dtype::fp16:
  case dtype::bf16:
    return 2;
  case dtype::fp64:
    return 8;
  }
  return 0;
}

} // namespace gpushare::kernels
