#include "harness/workload_catalog.hpp"

#include <algorithm>

namespace gpushare {
namespace {

param_definition integer_param(std::string key, std::int64_t min, std::int64_t max,
                               std::int64_t default_value, std::string help) {
  param_definition param;
  param.key = std::move(key);
  param.kind = param_kind::integer;
  param.min_integer = min;
  param.max_integer = max;
  param.default_value = std::to_string(default_value);
  param.help = std::move(help);
  return param;
}

param_definition real_param(std::string key, double min, double max, std::string default_value,
                            std::string help) {
  param_definition param;
  param.key = std::move(key);
  param.kind = param_kind::real;
  param.min_real = min;
  param.max_real = max;
  param.default_value = std::move(default_value);
  param.help = std::move(help);
  return param;
}

param_definition choice_param(std::string key, std::vector<std::string> choices,
                              std::string default_value, std::string help) {
  param_definition param;
  param.key = std::move(key);
  param.kind = param_kind::choice;
  param.choices = std::move(choices);
  param.default_value = std::move(default_value);
  param.help = std::move(help);
  return param;
}

param_definition alias_param(param_definition target_shape, std::vector<std::string> targets) {
  target_shape.default_value.clear();
  target_shape.alias_of = std::move(targets);
  return target_shape;
}

/// Open-loop arrivals: requests per second of a Poisson process, 0 for closed loop.
param_definition rate_param() {
  return real_param("rate", 0, 1e6, "0",
                    "open-loop Poisson arrivals per second, latency from the scheduled arrival "
                    "(0 = closed loop: the next request starts when the last one finished)");
}

/// host-crash and host-hang: host-sleep until `after` iterations, then the fault.
workload_definition faulty_instrument(std::string name, const std::string& then,
                                      const std::string& before_what) {
  return {std::move(name),
          "test instrument, no GPU: sleeps like host-sleep, then " + then,
          true,
          {integer_param("after", 0, 1'000'000'000, 3,
                         "iterations (warm-up included) before " + before_what),
           integer_param("us", 0, 10'000'000, 1000, "sleep per iteration [us]")}};
}

constexpr std::int64_t max_elements = std::int64_t{1} << 31;

std::vector<workload_definition> build_catalog() {
  std::vector<workload_definition> catalog;
  // Defaults are sized so one iteration keeps a datacenter GPU busy for roughly a millisecond
  // or more: long enough that launch overhead does not dominate, short enough for many
  // iterations per repetition.
  catalog.push_back(
      {"gemm",
       "cuBLAS matrix multiply C = A * B (compute bound); FLOP = 2*m*n*k",
       false,
       {integer_param("m", 16, 65536, 4096, "rows of A and C"),
        integer_param("n", 16, 65536, 4096, "columns of B and C"),
        integer_param("k", 16, 65536, 4096, "inner dimension"),
        alias_param(integer_param("size", 16, 65536, 0, "sets m = n = k"), {"m", "n", "k"}),
        choice_param("dtype", {"fp32", "tf32", "fp16", "bf16"}, "fp16",
                     "element type; accumulation is fp32")}});
  catalog.push_back(
      {"triad",
       "STREAM triad a[i] = b[i] + s*c[i] (memory bound); bytes = 3*n*size",
       false,
       {integer_param("n", 1024, max_elements, std::int64_t{1} << 25, "elements per array"),
        choice_param("dtype", {"fp32", "fp64"}, "fp32", "element type")}});
  catalog.push_back(
      {"mixed",
       "tunable arithmetic intensity: each element goes through a chain of fused multiply-adds",
       false,
       {integer_param("n", 1024, max_elements, std::int64_t{1} << 24, "elements"),
        real_param("intensity", 0.25, 8192, "16", "FLOP per byte of memory traffic")}});
  catalog.push_back({"spin",
                     "busy-waits on the GPU's global timer; for time-slice and switch costs",
                     false,
                     {integer_param("us", 1, 10'000'000, 1000, "wait per iteration [us]"),
                      integer_param("blocks", 1, 65535, 1, "thread blocks that each wait"),
                      integer_param("gap_us", 3, 1'000'000, 5,
                                    "timer jump that means block 0 was switched out (ends a "
                                    "run segment of the time-slice probe) [us]")}});
  catalog.push_back(
      {"infer",
       "one decode step of a small model: a chain of small GEMMs, each followed by bias + ReLU",
       false,
       {integer_param("batch", 1, 32, 8, "requests per step"),
        integer_param("hidden", 64, 16384, 1024, "hidden size (weights are hidden x hidden)"),
        integer_param("layers", 1, 64, 4, "GEMM + elementwise pairs per step"),
        choice_param("dtype", {"fp16", "bf16", "fp32"}, "fp16", "storage type"), rate_param()}});
  // The isolation experiments' tenants: one fails on purpose, one takes memory from the others.
  catalog.push_back(
      {"fault",
       "DELIBERATE FAULT: waits on the GPU's global timer, then writes to an unmapped address "
       "(an intended illegal memory access that ends the tenant and its CUDA context; for the "
       "fault-isolation experiment)",
       false,
       {integer_param("after_ms", 0, 3'600'000, 100, "wait before the faulting write [ms]"),
        integer_param("blocks", 1, 65535, 1, "thread blocks that each wait, then write")}});
  catalog.push_back(
      {"hog",
       "allocates device memory in chunks, sets every byte and holds it; iterations are holding "
       "periods on the host, not GPU work (for the memory-isolation experiment)",
       false,
       {integer_param("bytes", 0, std::int64_t{1} << 50, 0,
                      "bytes to hold; 0 = all it can get: free memory minus the larger of "
                      "256 MiB and 5 %, stopping at the first chunk that fails"),
        integer_param("hold_ms", 0, 3'600'000, 100, "holding period per iteration [ms]"),
        integer_param("chunk", std::int64_t{1} << 20, std::int64_t{1} << 40,
                      std::int64_t{256} << 20,
                      "allocation granularity [bytes]: a memory limit stops the hog at a chunk "
                      "boundary")}});
  catalog.push_back(
      {"host-sleep",
       "test instrument, no GPU: sleeps on the host each iteration",
       true,
       {integer_param("us", 0, 10'000'000, 1000, "sleep per iteration [us]"), rate_param()}});
  catalog.push_back(faulty_instrument("host-crash", "aborts (SIGABRT)", "the crash"));
  catalog.push_back(faulty_instrument("host-hang", "never returns", "it hangs"));
  return catalog;
}

} // namespace

const std::vector<workload_definition>& workload_catalog() {
  static const std::vector<workload_definition> catalog = build_catalog();
  return catalog;
}

const workload_definition* find_workload_definition(const std::string& name) {
  const auto& catalog = workload_catalog();
  const auto found = std::find_if(catalog.begin(), catalog.end(),
                                  [&](const workload_definition& d) { return d.name == name; });
  return found == catalog.end() ? nullptr : &*found;
}

} // namespace gpushare
