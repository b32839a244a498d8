#pragma once
// Ctrl-C and SIGTERM end a run between two timed iterations rather than in the middle of one:
// the handler only sets a flag, measurement loops poll it, and the error that ends the run is
// recorded in the report like any other (exit code 130). A second signal ends the process at
// once, for a run that does not reach a check point.

#include "common/error.hpp"

namespace gpushare {

class interrupted_error : public error {
public:
  explicit interrupted_error(int signal_number);
  [[nodiscard]] int signal_number() const noexcept { return m_signal; }

private:
  int m_signal;
};

/// Installs the SIGINT and SIGTERM handlers. Throws error when sigaction fails.
void install_interrupt_handlers();
[[nodiscard]] bool interrupt_requested() noexcept;
/// Throws interrupted_error when a signal arrived since the handlers were installed.
void throw_if_interrupted();
/// Forgets a received signal (tests install, raise and clear).
void clear_interrupt() noexcept;

} // namespace gpushare
