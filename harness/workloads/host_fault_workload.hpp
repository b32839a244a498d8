#pragma once
// host-crash and host-hang: test instruments that never touch a GPU. They behave like
// host-sleep for `after` iterations and then fail the way a broken tenant does (an abort, or
// a call that never returns), so crash and timeout handling is tested through the real
// tenant path on any machine.

#include "harness/workload.hpp"

#include <cstdint>

namespace gpushare {

class host_fault_workload final : public workload {
public:
  enum class fault { crash, hang };

  host_fault_workload(const workload_spec& spec, const workload_context& context, fault kind);

  [[nodiscard]] std::string description() const override;
  [[nodiscard]] bool host_only() const override { return true; }
  void setup() override {}
  verification_result verify() override;
  void run_iteration() override;
  [[nodiscard]] double flops_per_iteration() const override { return 0; }
  [[nodiscard]] double bytes_per_iteration() const override { return 0; }

private:
  fault m_kind;
  std::int64_t m_after;
  std::int64_t m_sleep_us;
  std::int64_t m_done = 0;
};

} // namespace gpushare
