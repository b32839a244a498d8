#include "harness/workloads/host_instrument_workload.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <thread>

namespace gpushare {

host_instrument_workload::host_instrument_workload(const workload_spec& spec, fault kind)
    : m_kind(kind), m_sleep_us(spec.get_int("us")),
      m_after(kind == fault::none ? 0 : spec.get_int("after")) {}

std::string host_instrument_workload::description() const {
  switch (m_kind) {
  case fault::none:
    return fmt::format("host-sleep test instrument: sleeps {} us on the host per iteration, no GPU",
                       m_sleep_us);
  case fault::crash:
  case fault::hang:
    break;
  }
  return fmt::format("{} test instrument: sleeps {} us per iteration on the host, then {} after "
                     "{} iterations; no GPU",
                     m_kind == fault::crash ? "host-crash" : "host-hang", m_sleep_us,
                     m_kind == fault::crash ? "aborts" : "hangs", m_after);
}

verification_result host_instrument_workload::verify() {
  verification_result result;
  result.checked = false;
  result.passed = true;
  result.detail = "no device output to check (host-only test instrument)";
  return result;
}

void host_instrument_workload::run_iteration() {
  if (m_kind != fault::none && m_done++ >= m_after) {
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
