#include "kernels/dtype.hpp"

#include <gtest/gtest.h>

namespace gpushare::kernels {
namespace {

TEST(Dtype, NamesRoundTrip) {
  for (dtype type : {dtype::fp32, dtype::tf32, dtype::fp16, dtype::bf16, dtype::fp64}) {
    const auto parsed = parse_dtype(dtype_name(type));
    ASSERT_TRUE(parsed.has_value()) << dtype_name(type);
    EXPECT_EQ(*parsed, type);
  }
}

TEST(Dtype, UnknownNamesAreRejected) {
  EXPECT_FALSE(parse_dtype("int8").has_value());
  EXPECT_FALSE(parse_dtype("FP16").has_value());
  EXPECT_FALSE(parse_dtype("").has_value());
}

TEST(Dtype, StorageSizes) {
  EXPECT_EQ(dtype_size(dtype::fp32), 4u);
  EXPECT_EQ(dtype_size(dtype::tf32), 4u);
  EXPECT_EQ(dtype_size(dtype::fp16), 2u);
  EXPECT_EQ(dtype_size(dtype::bf16), 2u);
  EXPECT_EQ(dtype_size(dtype::fp64), 8u);
}

} // namespace
} // namespace gpushare::kernels
