#include "harness/workloads/host_sleep_workload.hpp"

#include <fmt/format.h>

#include <chrono>
#include <thread>

namespace gpushare {

host_sleep_workload::host_sleep_workload(const workload_spec& spec, const workload_context&)
    : m_sleep_us(spec.get_int("us")) {}

std::string host_sleep_workload::description() const {
  return fmt::format("host-sleep test instrument: sleeps {} us on the host per iteration, no GPU",
                     m_sleep_us);
}

verification_result host_sleep_workload::verify() {
  verification_result result;
  result.checked = false;
  result.passed = true;
  result.detail = "no device output to check (host-only test instrument)";
  return result;
}

void host_sleep_workload::run_iteration() {
  std::this_thread::sleep_for(std::chrono::microseconds(m_sleep_us));
}

} // namespace gpushare
