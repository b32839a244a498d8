#pragma once
// A report document for the `report` tests: timeslice at 2 and 4 tenants, mps with an infer
// tenant, and mig, with figures written for the tests (easy to recognise, not measurements).

#include "sample_records.hpp"

#include <string>
#include <vector>

namespace gpushare::test {

inline tenant_record gemm_tenant_with(int id, double slowdown) {
  tenant_record tenant;
  tenant.id = id;
  tenant.workload = "gemm:dtype=fp16,k=4096,m=4096,n=4096";
  tenant.status = "ok";
  tenant.solo = make_gemm_result(1500);
  tenant.shared = make_gemm_result(1500 * slowdown);
  tenant.slowdown = slowdown;
  return tenant;
}

inline run_record sharing_run(const std::string& mode, const std::vector<double>& slowdowns) {
  run_record run;
  run.mode = mode;
  for (std::size_t i = 0; i < slowdowns.size(); ++i) {
    run.tenants.push_back(gemm_tenant_with(static_cast<int>(i), slowdowns[i]));
  }
  return run;
}

/// Median slowdowns: timeslice 2 tenants 1.95x [1.9, 2.0], 4 tenants 4.1x [3.8, 4.4]; mps 2
/// tenants 1.5x with an infer tenant whose p99 grew 3.25x; mig 2 instances 1.01x.
inline report_document make_sharing_document() {
  report_document document;
  document.tool.version = "0.1.0";
  document.created_at = "2025-02-03T04:05:06Z";
  document.host.hostname = "node-17";
  document.environment = h100_environment();

  run_record calibrate;
  calibrate.mode = "calibrate";
  calibrate.calibration = sample_calibration();

  run_record streams;
  streams.mode = "streams";
  streams.streams = sample_streams();

  run_record two = sharing_run("timeslice", {1.9, 2.0});
  two.aggregate.throughput_ratio = 1.02;
  two.aggregate.fairness = 0.998;
  two.aggregate.start_skew_us = 85;
  two.aggregate.mechanism_overhead = -0.025;
  run_record four = sharing_run("timeslice", {3.8, 4.2, 4.0, 4.4});
  four.aggregate.throughput_ratio = 0.976;
  four.aggregate.fairness = 0.97;
  four.aggregate.start_skew_us = 1250;
  four.aggregate.mechanism_overhead = 0.025;
  four.flags = {"throttled"};

  run_record mps = sharing_run("mps", {1.5});
  tenant_record infer;
  infer.id = 1;
  infer.workload = "infer:batch=1";
  infer.status = "ok";
  infer.solo = make_gemm_result(200);
  infer.solo->workload = "infer:batch=1";
  infer.shared = make_gemm_result(300);
  infer.shared->workload = "infer:batch=1";
  infer.slowdown = 1.5;
  infer.p99_inflation = 3.25;
  mps.tenants.push_back(infer);
  mps.aggregate.throughput_ratio = 1.33;
  mps.aggregate.fairness = 0.95;
  mps.aggregate.start_skew_us = 40;

  run_record mig = sharing_run("mig", {1.01, 1.0});
  mig.aggregate.interference = 1.01;

  document.runs = {calibrate, streams, four, two, mps, mig};
  return document;
}

/// A report whose only run has two host-sleep tenants: every figure is a test instrument's.
inline report_document make_host_only_document() {
  run_record run;
  run.mode = "timeslice";
  for (int id : {0, 1}) {
    tenant_record tenant;
    tenant.id = id;
    tenant.workload = "host-sleep:ms=2";
    tenant.status = "ok";
    tenant.solo = make_host_sleep_result();
    tenant.shared = make_host_sleep_result();
    tenant.slowdown = 1.0;
    run.tenants.push_back(tenant);
  }
  report_document document;
  document.runs = {run};
  return document;
}

} // namespace gpushare::test
