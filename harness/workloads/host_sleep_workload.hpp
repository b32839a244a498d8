#pragma once
// host-sleep: a test instrument that never touches a GPU. It exercises the measurement loop,
// the tenant protocol and the report writers on machines without one; its figures are labelled
// host-only everywhere and are never presented as GPU results.

#include "harness/workload.hpp"

#include <cstdint>

namespace gpushare {

class host_sleep_workload final : public workload {
public:
  host_sleep_workload(const workload_spec& spec, const workload_context& context);

  [[nodiscard]] std::string description() const override;
  [[nodiscard]] bool host_only() const override { return true; }
  void setup() override {}
  verification_result verify() override;
  void run_iteration() override;
  [[nodiscard]] double flops_per_iteration() const override { return 0; }
  [[nodiscard]] double bytes_per_iteration() const override { return 0; }

private:
  std::int64_t m_sleep_us;
};

} // namespace gpushare
