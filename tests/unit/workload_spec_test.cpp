#include "common/error.hpp"
#include "harness/workload_catalog.hpp"
#include "harness/workload_spec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gpushare {
namespace {

using ::testing::HasSubstr;

std::string rejection(const std::string& text) {
  try {
    (void)parse_workload_spec(text);
  } catch (const usage_error& failure) {
    return failure.what();
  }
  ADD_FAILURE() << "'" << text << "' was accepted";
  return "";
}

TEST(WorkloadSpec, FillsDefaults) {
  const auto spec = parse_workload_spec("gemm");
  EXPECT_EQ(spec.name, "gemm");
  EXPECT_EQ(spec.get("dtype"), "fp16");
  EXPECT_EQ(spec.get_int("m"), 4096);
  EXPECT_EQ(spec.get_int("n"), 4096);
  EXPECT_EQ(spec.get_int("k"), 4096);
  EXPECT_EQ(spec.params.count("size"), 0u) << "an alias is not stored";
}

TEST(WorkloadSpec, ParsesValuesAndSuffixes) {
  const auto spec = parse_workload_spec("triad:n=64Mi,dtype=fp64");
  EXPECT_EQ(spec.get_int("n"), 64 * 1024 * 1024);
  EXPECT_EQ(spec.get("dtype"), "fp64");
  EXPECT_DOUBLE_EQ(parse_workload_spec("mixed:intensity=0.5").get_double("intensity"), 0.5);
  EXPECT_EQ(parse_workload_spec(" infer : batch = 32 , layers=2 ").get_int("batch"), 32);
}

TEST(WorkloadSpec, SizeSetsAllThreeDimensions) {
  const auto spec = parse_workload_spec("gemm:size=8192,dtype=bf16");
  EXPECT_EQ(spec.get_int("m"), 8192);
  EXPECT_EQ(spec.get_int("n"), 8192);
  EXPECT_EQ(spec.get_int("k"), 8192);
  EXPECT_THAT(rejection("gemm:size=1024,m=512"), HasSubstr("either size or m"));
}

TEST(WorkloadSpec, CanonicalFormParsesToTheSameSpec) {
  for (const auto& name : workload_names()) {
    const auto spec = parse_workload_spec(name);
    const auto again = parse_workload_spec(spec.canonical());
    EXPECT_EQ(again.name, spec.name);
    EXPECT_EQ(again.params, spec.params) << spec.canonical();
  }
  EXPECT_EQ(parse_workload_spec("spin:us=50").canonical(), "spin:blocks=1,gap_us=5,us=50");
}

TEST(WorkloadSpec, EveryCatalogKeyHasAValidDefault) {
  for (const auto& definition : workload_catalog()) {
    const auto spec = parse_workload_spec(definition.name);
    for (const auto& param : definition.params) {
      if (param.alias_of.empty()) {
        EXPECT_EQ(spec.get(param.key), param.default_value) << definition.name << "." << param.key;
      }
    }
  }
}

TEST(WorkloadSpec, RejectsWithTheOptionTheKeyAndTheAcceptedValues) {
  const auto dtype = rejection("gemm:dtype=int8");
  EXPECT_THAT(dtype, HasSubstr("--workload 'gemm:dtype=int8'"));
  EXPECT_THAT(dtype, HasSubstr("dtype must be one of fp32, tf32, fp16, bf16"));
  EXPECT_THAT(rejection("gemm:size=8"), HasSubstr("an integer in [16, 65536]"));
  EXPECT_THAT(rejection("infer:batch=33"), HasSubstr("batch must be an integer in [1, 32]"));
  EXPECT_THAT(rejection("infer:batch=0"), HasSubstr("batch"));
  EXPECT_THAT(rejection("infer:batch=-1"), HasSubstr("batch"));
  EXPECT_THAT(rejection("infer:batch=2.5"), HasSubstr("batch"));
  EXPECT_THAT(rejection("mixed:intensity=abc"), HasSubstr("a number in"));
  EXPECT_THAT(rejection("mixed:intensity=nan"), HasSubstr("a number in"));
  EXPECT_THAT(rejection("triad:dtype=fp16"), HasSubstr("one of fp32, fp64"));
}

TEST(WorkloadSpec, RejectsMalformedSpecs) {
  EXPECT_THAT(rejection(""), HasSubstr("empty workload name"));
  EXPECT_THAT(rejection("gemmm"), HasSubstr("unknown workload 'gemmm'; known workloads: gemm"));
  EXPECT_THAT(rejection("gemm:foo=1"), HasSubstr("unknown key 'foo' for gemm; accepted keys"));
  EXPECT_THAT(rejection("gemm:m"), HasSubstr("'m' is not key=value"));
  EXPECT_THAT(rejection("gemm:m=64,,n=64"), HasSubstr("empty item"));
  EXPECT_THAT(rejection("gemm:m=64,m=128"), HasSubstr("given twice"));
  EXPECT_THAT(rejection("triad:n=99999999999999999999"), HasSubstr("n must be"));
}

TEST(WorkloadSpec, FaultAndHogDefaultsAndSizes) {
  const auto fault = parse_workload_spec("fault");
  EXPECT_EQ(fault.get_int("after_ms"), 100);
  EXPECT_EQ(fault.get_int("blocks"), 1);
  EXPECT_EQ(fault.canonical(), "fault:after_ms=100,blocks=1");
  EXPECT_EQ(parse_workload_spec("fault:after_ms=0,blocks=65535").canonical(),
            "fault:after_ms=0,blocks=65535");

  const auto hog = parse_workload_spec("hog");
  EXPECT_EQ(hog.get_int("bytes"), 0) << "0 = all it can get";
  EXPECT_EQ(hog.get_int("hold_ms"), 100);
  EXPECT_EQ(hog.get_int("chunk"), 256 * 1024 * 1024);
  EXPECT_EQ(hog.canonical(), "hog:bytes=0,chunk=268435456,hold_ms=100");
  const auto sized = parse_workload_spec("hog:bytes=40Gi,chunk=1Mi,hold_ms=0");
  EXPECT_EQ(sized.get_int("bytes"), std::int64_t{40} << 30);
  EXPECT_EQ(sized.get_int("chunk"), std::int64_t{1} << 20);
  EXPECT_EQ(sized.get_int("hold_ms"), 0);
}

TEST(WorkloadSpec, FaultAndHogRejectOutOfRangeValues) {
  EXPECT_THAT(rejection("fault:after_ms=-1"), HasSubstr("after_ms must be an integer in [0, "));
  EXPECT_THAT(rejection("fault:after_ms=3600001"), HasSubstr("after_ms"));
  EXPECT_THAT(rejection("fault:after_ms=1.5"), HasSubstr("after_ms"));
  EXPECT_THAT(rejection("fault:blocks=0"), HasSubstr("blocks must be an integer in [1, 65535]"));
  EXPECT_THAT(rejection("fault:blocks=65536"), HasSubstr("blocks"));
  EXPECT_THAT(rejection("fault:bytes=1"), HasSubstr("unknown key 'bytes' for fault"));
  EXPECT_THAT(rejection("hog:chunk=1023Ki"), HasSubstr("chunk must be an integer in [1048576, "));
  EXPECT_THAT(rejection("hog:chunk=0"), HasSubstr("chunk"));
  EXPECT_THAT(rejection("hog:bytes=-1"), HasSubstr("bytes must be an integer in [0, "));
  EXPECT_THAT(rejection("hog:bytes=1Ti"), HasSubstr("bytes"));
  EXPECT_THAT(rejection("hog:bytes=99999999999999999999"), HasSubstr("bytes"));
  EXPECT_THAT(rejection("hog:hold_ms=3600001"), HasSubstr("hold_ms"));
  EXPECT_THAT(rejection("hog:after_ms=5"), HasSubstr("unknown key 'after_ms' for hog"));
}

TEST(WorkloadSpec, HelpListsEveryWorkloadAndKey) {
  const std::string help = workload_catalog_help();
  for (const auto& definition : workload_catalog()) {
    EXPECT_THAT(help, HasSubstr(definition.name));
    for (const auto& param : definition.params) {
      EXPECT_THAT(help, HasSubstr(param.key + "="));
    }
  }
}

TEST(WorkloadCatalog, HostInstrumentsAreMarked) {
  for (const auto& definition : workload_catalog()) {
    EXPECT_EQ(definition.host_only, definition.name.rfind("host-", 0) == 0) << definition.name;
  }
  EXPECT_EQ(find_workload_definition("nosuch"), nullptr);
}

} // namespace
} // namespace gpushare
