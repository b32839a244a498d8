// The harness and its tenants speak this protocol through pipes; a result must arrive whole.

#include "harness/sharing_experiment.hpp"
#include "harness/tenant_protocol.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

namespace gpushare {
namespace {

workload_result sample_result() {
  workload_result result;
  result.workload = "host-sleep:us=200";
  result.description = "a description\nwith a newline";
  result.host_only = true;
  result.verification.checked = true;
  result.verification.passed = true;
  result.verification.elements_checked = 96;
  result.verification.max_abs_error = 0.125;
  result.verification.tolerance = 1.0 / 3.0;
  result.verification.detail = "96 outputs";
  result.flops_per_iteration = 2.0 * 4096 * 4096 * 4096;
  result.bytes_per_iteration = 3.0 * 33554432;
  result.iterations = 6;
  result.first_iteration_start_ns = 123456789012345ull;
  result.repetition_iteration_time_us = {201.5, 203.25, 1.0 / 7.0};
  result.repetition_throughput_per_s = {4962.78, 4920.1, 7.0};
  for (std::uint64_t value : {200100ull, 200900ull, 201000ull, 5000000ull, 7ull, 3000ull}) {
    result.histogram.record(value);
  }
  return result;
}

TEST(TenantProtocol, ResultRoundTripsExactly) {
  const workload_result sent = sample_result();
  tenant_message_reader reader(0.05);
  const std::string wire = encode_tenant_result(sent);
  // Arrives in pieces, as pipes deliver it.
  for (std::size_t i = 0; i < wire.size(); i += 7) {
    reader.feed(std::string_view(wire).substr(i, 7));
  }
  const auto message = reader.next();
  ASSERT_TRUE(message.has_value());
  ASSERT_EQ(message->what, tenant_message::kind::result);
  const workload_result& got = message->result;
  EXPECT_EQ(got.workload, sent.workload);
  EXPECT_EQ(got.description, "a description with a newline");
  EXPECT_TRUE(got.host_only);
  EXPECT_EQ(got.verification.elements_checked, 96u);
  EXPECT_EQ(got.verification.tolerance, sent.verification.tolerance);
  EXPECT_EQ(got.verification.detail, "96 outputs");
  EXPECT_EQ(got.flops_per_iteration, sent.flops_per_iteration);
  EXPECT_EQ(got.iterations, 6u);
  EXPECT_EQ(got.first_iteration_start_ns, sent.first_iteration_start_ns);
  EXPECT_EQ(got.repetition_iteration_time_us, sent.repetition_iteration_time_us);
  EXPECT_EQ(got.repetition_throughput_per_s, sent.repetition_throughput_per_s);
  EXPECT_EQ(got.histogram.count(), sent.histogram.count());
  EXPECT_EQ(got.histogram.mean_ns(), sent.histogram.mean_ns());
  EXPECT_EQ(got.histogram.value_at_percentile(99), sent.histogram.value_at_percentile(99));
  EXPECT_EQ(got.latency_us.p50, summarize_latency(sent.histogram).p50);
  EXPECT_EQ(got.iteration_time_us.count, 3u);
  EXPECT_EQ(got.iteration_time_us.median, 201.5);
  EXPECT_FALSE(reader.next().has_value());
}

TEST(TenantProtocol, SpinTraceRoundTripsExactly) {
  workload_result sent = sample_result();
  run_segment_trace trace;
  trace.gap_threshold_ns = 5000;
  trace.dropped = 3;
  trace.segments = {{18'446'744'073'709'000'000ull, 18'446'744'073'709'002'000ull, false, true},
                    {18'446'744'073'709'040'000ull, 18'446'744'073'709'041'000ull, true, false}};
  sent.spin_trace = trace;
  tenant_message_reader reader(0.05);
  reader.feed(encode_tenant_result(sent));
  // A result without a trace right after it: the trace must not carry over.
  reader.feed(encode_tenant_result(sample_result()));
  const auto message = reader.next();
  ASSERT_TRUE(message.has_value());
  ASSERT_TRUE(message->result.spin_trace.has_value());
  const run_segment_trace& got = *message->result.spin_trace;
  EXPECT_EQ(got.gap_threshold_ns, 5000u);
  EXPECT_EQ(got.dropped, 3u);
  ASSERT_EQ(got.segments.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(got.segments[i].start_ns, trace.segments[i].start_ns) << i;
    EXPECT_EQ(got.segments[i].end_ns, trace.segments[i].end_ns) << i;
    EXPECT_EQ(got.segments[i].after_gap, trace.segments[i].after_gap) << i;
    EXPECT_EQ(got.segments[i].before_gap, trace.segments[i].before_gap) << i;
  }
  EXPECT_EQ(message->result.iterations, 6u) << "the rest of the result is still read";
  const auto plain = reader.next();
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain->result.spin_trace.has_value());
}

TEST(TenantProtocol, MalformedSpinTraceIsRejected) {
  const auto rejects = [](const std::string& lines) {
    tenant_message_reader reader(0.05);
    reader.feed("result-begin\n" + lines + "result-end\n");
    EXPECT_THROW((void)reader.next(), std::runtime_error) << lines;
  };
  rejects("spin_trace 5000 0 1\nsegment 10 20 x 1\n");
  rejects("spin_trace 5000 0\n");
  rejects("segment 10 20 0 1\n");                      // no spin_trace line before it
  rejects("spin_trace 5000 0 2\nsegment 10 20 0 1\n"); // a segment lost on the way
  rejects("spin_trace 5000 0 0\nspin_trace 5000 0 0\n");
  tenant_message_reader reader(0.05);
  reader.feed("result-begin\nspin_trace 5000 0 1\nsegment 10 20 0 0\nresult-end\n");
  const auto accepted = reader.next();
  ASSERT_TRUE(accepted.has_value());
  ASSERT_TRUE(accepted->result.spin_trace.has_value());
  EXPECT_EQ(accepted->result.spin_trace->segments.size(), 1u);
}

TEST(TenantProtocol, MemoryHoldRoundTripsExactly) {
  workload_result sent = sample_result();
  memory_hold_record hold;
  hold.bytes_requested = 0;
  hold.bytes_target = 80'530'636'800ull;
  hold.bytes_held = 75'161'927'680ull;
  hold.chunk_bytes = 268'435'456ull;
  hold.free_bytes_before = 84'767'014'912ull;
  hold.allocation_error = "chunk 281 of 300 failed:\nout of memory";
  sent.memory_hold = hold;
  tenant_message_reader reader(0.05);
  reader.feed(encode_tenant_result(sent));
  // The next result has no hold of its own, and one whose allocation went through has no error.
  reader.feed(encode_tenant_result(sample_result()));
  workload_result complete = sample_result();
  complete.memory_hold =
      memory_hold_record{1ull << 30, 1ull << 30, 1ull << 30, 1ull << 28, 1ull << 34, ""};
  reader.feed(encode_tenant_result(complete));

  const auto message = reader.next();
  ASSERT_TRUE(message.has_value());
  ASSERT_TRUE(message->result.memory_hold.has_value());
  const memory_hold_record& got = *message->result.memory_hold;
  EXPECT_EQ(got.bytes_requested, 0u);
  EXPECT_EQ(got.bytes_target, hold.bytes_target);
  EXPECT_EQ(got.bytes_held, hold.bytes_held);
  EXPECT_EQ(got.chunk_bytes, hold.chunk_bytes);
  EXPECT_EQ(got.free_bytes_before, hold.free_bytes_before);
  EXPECT_EQ(got.allocation_error, "chunk 281 of 300 failed: out of memory");
  EXPECT_EQ(message->result.iterations, 6u) << "the rest of the result is still read";

  const auto plain = reader.next();
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain->result.memory_hold.has_value());

  const auto whole = reader.next();
  ASSERT_TRUE(whole.has_value());
  ASSERT_TRUE(whole->result.memory_hold.has_value());
  EXPECT_EQ(whole->result.memory_hold->bytes_held, 1ull << 30);
  EXPECT_EQ(whole->result.memory_hold->free_bytes_before, 1ull << 34);
  EXPECT_EQ(whole->result.memory_hold->allocation_error, "");
}

TEST(TenantProtocol, MalformedMemoryHoldIsRejected) {
  const auto rejects = [](const std::string& lines) {
    tenant_message_reader reader(0.05);
    reader.feed("result-begin\n" + lines + "result-end\n");
    EXPECT_THROW((void)reader.next(), std::runtime_error) << lines;
  };
  rejects("memory_hold 1 2 3 4\n");        // a field missing
  rejects("memory_hold 1 2 x 4 5 oops\n"); // not a number
  rejects("memory_hold 1 2 3 4 5\nmemory_hold 1 2 3 4 5\n");
}

TEST(TenantProtocol, ReadyAndErrorLines) {
  tenant_message_reader reader(0.05);
  reader.feed("ready\n");
  reader.feed(encode_tenant_error("cudaMalloc failed:\nout of memory"));
  const auto ready = reader.next();
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->what, tenant_message::kind::ready);
  const auto failed = reader.next();
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->what, tenant_message::kind::error);
  EXPECT_EQ(failed->error, "cudaMalloc failed: out of memory");
  reader.feed("rea");
  EXPECT_FALSE(reader.next().has_value()) << "half a line is not a message";
}

TEST(TenantProtocol, ForeignOutputIsRejected) {
  tenant_message_reader reader(0.05);
  reader.feed("hello from a library that prints to stdout\n");
  EXPECT_THROW((void)reader.next(), std::runtime_error);
  tenant_message_reader inside(0.05);
  inside.feed("result-begin\nrepetition abc def\n");
  EXPECT_THROW((void)inside.next(), std::runtime_error);
}

tenant_record measured_tenant(int id, double solo_throughput, double shared_throughput,
                              std::uint64_t start_ns) {
  tenant_record tenant;
  tenant.id = id;
  tenant.status = "ok";
  workload_result solo;
  solo.iterations = 10;
  solo.throughput_per_s.median = solo_throughput;
  workload_result shared = solo;
  shared.throughput_per_s.median = shared_throughput;
  shared.first_iteration_start_ns = start_ns;
  tenant.solo = solo;
  tenant.shared = shared;
  tenant.slowdown = solo_throughput / shared_throughput;
  return tenant;
}

TEST(SharingAggregate, FiguresFollowTheSpecDefinitions) {
  // Two saturating tenants that each get half the GPU: perfect sharing.
  const aggregate_figures even = aggregate_tenants(
      {measured_tenant(0, 100, 50, 1'000'000), measured_tenant(1, 100, 50, 1'250'000)});
  EXPECT_DOUBLE_EQ(*even.throughput_ratio, 0.5);
  EXPECT_DOUBLE_EQ(*even.fairness, 1.0);
  EXPECT_DOUBLE_EQ(*even.mechanism_overhead, 0.0);
  EXPECT_DOUBLE_EQ(*even.start_skew_us, 250.0);

  // One tenant starved: unfair, and the mean slowdown (2.5 + 1.25) / 2 over 2 tenants costs.
  const aggregate_figures uneven =
      aggregate_tenants({measured_tenant(0, 100, 40, 0), measured_tenant(1, 100, 80, 0)});
  EXPECT_DOUBLE_EQ(*uneven.fairness, (0.4 + 0.8) * (0.4 + 0.8) / (2 * (0.16 + 0.64)));
  EXPECT_DOUBLE_EQ(*uneven.mechanism_overhead, (2.5 + 1.25) / 2 / 2 - 1);
  EXPECT_DOUBLE_EQ(*uneven.throughput_ratio, 120.0 / 200.0);
}

TEST(SharingAggregate, FailedTenantsAreLeftOut) {
  tenant_record failed = measured_tenant(1, 100, 10, 99'000'000);
  failed.status = "failed";
  const aggregate_figures figures = aggregate_tenants({measured_tenant(0, 100, 50, 0), failed});
  EXPECT_DOUBLE_EQ(*figures.throughput_ratio, 0.5);
  EXPECT_DOUBLE_EQ(*figures.start_skew_us, 0.0);
  EXPECT_FALSE(aggregate_tenants({failed}).throughput_ratio.has_value());
}

} // namespace
} // namespace gpushare
