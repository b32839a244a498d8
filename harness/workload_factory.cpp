#include "common/error.hpp"
#include "harness/workload.hpp"
#include "harness/workloads/fault_workload.hpp"
#include "harness/workloads/gemm_workload.hpp"
#include "harness/workloads/hog_workload.hpp"
#include "harness/workloads/host_instrument_workload.hpp"
#include "harness/workloads/infer_workload.hpp"
#include "harness/workloads/mixed_workload.hpp"
#include "harness/workloads/spin_workload.hpp"
#include "harness/workloads/triad_workload.hpp"

namespace gpushare {

std::unique_ptr<workload> make_workload(const workload_spec& spec,
                                        const workload_context& context) {
  if (spec.name == "gemm") {
    return std::make_unique<gemm_workload>(spec, context);
  }
  if (spec.name == "triad") {
    return std::make_unique<triad_workload>(spec, context);
  }
  if (spec.name == "mixed") {
    return std::make_unique<mixed_workload>(spec, context);
  }
  if (spec.name == "spin") {
    return std::make_unique<spin_workload>(spec, context);
  }
  if (spec.name == "infer") {
    return std::make_unique<infer_workload>(spec, context);
  }
  if (spec.name == "fault") {
    return std::make_unique<fault_workload>(spec, context);
  }
  if (spec.name == "hog") {
    return std::make_unique<hog_workload>(spec, context);
  }
  if (spec.name == "host-sleep") {
    return std::make_unique<host_instrument_workload>(spec, host_instrument_workload::fault::none);
  }
  if (spec.name == "host-crash") {
    return std::make_unique<host_instrument_workload>(spec, host_instrument_workload::fault::crash);
  }
  if (spec.name == "host-hang") {
    return std::make_unique<host_instrument_workload>(spec, host_instrument_workload::fault::hang);
  }
  throw usage_error("unknown workload '" + spec.name + "'");
}

} // namespace gpushare
