#pragma once
// host-sleep, host-crash and host-hang: test instruments that never touch a GPU. Each sleeps
// on the host per iteration; host-crash then aborts and host-hang never returns after `after`
// iterations, the way a broken tenant fails. They exercise the measurement loop, the tenant
// processes, the MPS daemon and the report writers on machines without a GPU, and their
// figures are labelled host-only everywhere: never GPU results.

#include "harness/workload.hpp"

#include <cstdint>

namespace gpushare {

class host_instrument_workload final : public workload {
public:
  enum class fault { none, crash, hang };

  /// `kind` none reads the key `us`; crash and hang also read `after`.
  host_instrument_workload(const workload_spec& spec, fault kind);

  [[nodiscard]] std::string description() const override;
  [[nodiscard]] bool host_only() const override { return true; }
  void setup() override {}
  verification_result verify() override;
  void run_iteration() override;
  [[nodiscard]] double flops_per_iteration() const override { return 0; }
  [[nodiscard]] double bytes_per_iteration() const override { return 0; }

private:
  fault m_kind;
  std::int64_t m_sleep_us;
  std::int64_t m_after = 0;
  std::int64_t m_done = 0;
};

} // namespace gpushare
