#include "harness/workloads/host_fault_workload.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <thread>

namespace gpushare {

host_fault_workload::host_fault_workload(const workload_spec& spec, const workload_context&,
                                         fault kind)
    : m_kind(kind), m_after(spec.get_int("after")), m_sleep_us(spec.get_int("us")) {}

std::string host_fault_workload::description() const {
  return fmt::format("{} test instrument: sleeps {} us per iteration on the host, then {} after "
                     "{} iterations; no GPU",
                     m_kind == fault::crash ? "host-crash" : "host-hang", m_sleep_us,
                     m_kind == fault::crash ? "aborts" : "hangs", m_after);
}

verification_result host_fault_workload::verify() {
  verification_result result;
  result.passed = true;
  result.detail = "no device output to check (host-only test instrument)";
  return result;
}

void host_fault_workload::run_iteration() {
  if (m_done++ >= m_after) {
    if (m_kind == fault::crash) {
      std::abort();
    }
    while (true) {
      std::this_thread::sleep_for(std::chrono::hours(1));
    }
  }
  std::this_thread::sleep_for(std::chrono::microseconds(m_sleep_us));
}

} // namespace gpushare
