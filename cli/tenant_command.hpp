#pragma once
// The hidden `tenant` command: what a tenant process runs. It speaks the line protocol of
// harness/tenant_protocol.hpp on stdin/stdout; people never type it.

#include "harness/measure.hpp"

#include <string>

namespace gpushare::cli {

struct tenant_arguments {
  std::string workload;
  measure_settings settings;
  int device = 0;
};

/// Measures the workload, waiting at the barrier between warm-up and timing. Returns the exit
/// code; failures are also reported on stdout as an "error" line.
int run_tenant(const tenant_arguments& arguments);

} // namespace gpushare::cli
