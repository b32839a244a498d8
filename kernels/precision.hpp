#pragma once
// Reduced-precision storage types emulated in float arithmetic: round-to-nearest-even
// conversions from float to IEEE half (fp16) and bfloat16, their bit patterns, and the unit in
// the last place of each storage type. Host references use these to round exactly as the GPU
// stores a value, so a device result can be compared with a tolerance of a few ulps instead of
// a guessed relative error.

#include "kernels/dtype.hpp"
#include "kernels/hd.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace gpushare::kernels {

/// The bits of a float (memcpy is the portable bit cast on host and device alike).
GPUSHARE_HD inline std::uint32_t float_bits(float value) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

/// The float whose bits are `bits`.
GPUSHARE_HD inline float float_from_bits(std::uint32_t bits) {
  float value = 0.0f;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

/// IEEE binary16 bits of `value`, rounded to nearest, ties to even. Values of magnitude
/// >= 65520 become infinity, magnitudes below 2^-14 become fp16 subnormals (multiples of
/// 2^-24), NaN stays a quiet NaN. Matches CUDA's __float2half_rn for every non-NaN input
/// (CUDA returns one canonical NaN; only NaN-ness is meant to agree).
GPUSHARE_HD inline std::uint16_t float_to_fp16_bits(float value) {
  const std::uint32_t bits = float_bits(value);
  const auto sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
  const std::uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u) { // NaN: keep it a NaN, quiet, with the top payload bits
    return static_cast<std::uint16_t>(sign | 0x7e00u | ((magnitude >> 13) & 0x1ffu));
  }
  if (magnitude >= 0x477ff000u) { // 65520 is the tie between 65504 and 2^16: even is 2^16 (inf)
    return static_cast<std::uint16_t>(sign | 0x7c00u);
  }
  if (magnitude < 0x38800000u) {    // below 2^-14: an fp16 subnormal, in units of 2^-24
    if (magnitude <= 0x33000000u) { // <= 2^-25: the tie at 2^-25 rounds to even, i.e. zero
      return sign;
    }
    const std::uint32_t exponent = magnitude >> 23;
    const std::uint32_t mantissa = (magnitude & 0x7fffffu) | 0x800000u;
    // value = mantissa * 2^(exponent - 150); in units of 2^-24 that is mantissa >> shift.
    const std::uint32_t shift = 126u - exponent;
    std::uint32_t result = mantissa >> shift;
    const std::uint32_t remainder = mantissa & ((1u << shift) - 1u);
    const std::uint32_t half = 1u << (shift - 1u);
    if (remainder > half || (remainder == half && (result & 1u) != 0u)) {
      ++result;
    }
    return static_cast<std::uint16_t>(sign | result);
  }
  // Normal: rebias the exponent (127 -> 15) and keep the top 10 mantissa bits. A carry out of
  // the mantissa correctly bumps the exponent.
  std::uint32_t result = (magnitude >> 13) - (112u << 10);
  const std::uint32_t remainder = magnitude & 0x1fffu;
  if (remainder > 0x1000u || (remainder == 0x1000u && (result & 1u) != 0u)) {
    ++result;
  }
  return static_cast<std::uint16_t>(sign | result);
}

/// The float value of IEEE binary16 bits (exact: every fp16 value is a float).
GPUSHARE_HD inline float fp16_bits_to_float(std::uint16_t half_bits) {
  const std::uint32_t sign = (static_cast<std::uint32_t>(half_bits) & 0x8000u) << 16;
  const std::uint32_t exponent = (half_bits >> 10) & 0x1fu;
  const std::uint32_t mantissa = half_bits & 0x3ffu;
  if (exponent == 0x1fu) { // inf or NaN
    return float_from_bits(sign | 0x7f800000u | (mantissa << 13));
  }
  if (exponent == 0u) { // zero or subnormal: mantissa * 2^-24, exact in float
    const float value = static_cast<float>(mantissa) * 5.9604644775390625e-8f;
    return sign != 0u ? -value : value;
  }
  return float_from_bits(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

/// bfloat16 bits of `value` (the top half of the float), rounded to nearest, ties to even.
/// Overflow becomes infinity through the carry; NaN stays a quiet NaN. Matches CUDA's
/// __float2bfloat16_rn for every non-NaN input.
GPUSHARE_HD inline std::uint16_t float_to_bf16_bits(float value) {
  const std::uint32_t bits = float_bits(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) {
    return static_cast<std::uint16_t>((bits >> 16) | 0x40u);
  }
  const std::uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<std::uint16_t>((bits + rounding) >> 16);
}

/// The float value of bfloat16 bits (exact).
GPUSHARE_HD inline float bf16_bits_to_float(std::uint16_t bf16_bits) {
  return float_from_bits(static_cast<std::uint32_t>(bf16_bits) << 16);
}

/// `value` rounded to the nearest fp16 (ties to even), returned as float.
GPUSHARE_HD inline float round_to_fp16(float value) {
  return fp16_bits_to_float(float_to_fp16_bits(value));
}

/// `value` rounded to the nearest bfloat16 (ties to even), returned as float.
GPUSHARE_HD inline float round_to_bf16(float value) {
  return bf16_bits_to_float(float_to_bf16_bits(value));
}

/// `value` rounded as a buffer of `type` stores it: fp16 and bf16 round, fp32 and tf32 (fp32
/// storage) keep the float. fp64 is not a float storage type and is returned unchanged.
GPUSHARE_HD inline float round_to_storage(float value, dtype type) {
  switch (type) {
  case dtype::fp16:
    return round_to_fp16(value);
  case dtype::bf16:
    return round_to_bf16(value);
  default:
    return value;
  }
}

/// Explicit significand bits (without the implicit one) that a value of `type` keeps in
/// storage: fp32/tf32 23 (tf32 is stored as fp32), fp16 10, bf16 7, fp64 52.
GPUSHARE_HD inline int storage_mantissa_bits(dtype type) {
  switch (type) {
  case dtype::fp16:
    return 10;
  case dtype::bf16:
    return 7;
  case dtype::fp64:
    return 52;
  default:
    return 23;
  }
}

/// The spacing of `type` values at `magnitude` (the ulp of the binade containing it), in the
/// same unit as `magnitude`. Below the smallest normal the subnormal spacing is returned, so the
/// result is never zero. Host only: used to derive tolerances.
inline double ulp_of(double magnitude, dtype type) {
  const int mantissa_bits = storage_mantissa_bits(type);
  int min_exponent = -126; // exponent of the smallest normal number
  if (type == dtype::fp16) {
    min_exponent = -14;
  } else if (type == dtype::fp64) {
    min_exponent = -1022;
  }
  const double abs_value = std::fabs(magnitude);
  int exponent = min_exponent;
  if (abs_value > 0.0 && std::isfinite(abs_value)) {
    exponent = std::ilogb(abs_value);
    if (exponent < min_exponent) {
      exponent = min_exponent;
    }
  }
  return std::ldexp(1.0, exponent - mantissa_bits);
}

} // namespace gpushare::kernels
