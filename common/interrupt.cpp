#include "common/interrupt.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace gpushare {
namespace {

volatile std::sig_atomic_t received_signal = 0;

extern "C" void on_interrupt(int signal_number) {
  received_signal = signal_number;
  // The next signal gets the default action, so a run stuck outside a check point can still
  // be stopped.
  std::signal(signal_number, SIG_DFL);
}

} // namespace

interrupted_error::interrupted_error(int signal_number)
    : error(fmt::format("interrupted by {}; the report keeps every phase that finished",
                        signal_number == SIGTERM ? "SIGTERM" : "SIGINT"),
            exit_code::interrupted),
      m_signal(signal_number) {}

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0; // no SA_RESTART: a blocking wait returns and the loop sees the flag
  for (const int signal_number : {SIGINT, SIGTERM}) {
    if (sigaction(signal_number, &action, nullptr) != 0) {
      throw error(fmt::format("sigaction({}) failed: {}", signal_number, std::strerror(errno)),
                  exit_code::usage);
    }
  }
}

bool interrupt_requested() noexcept {
  return received_signal != 0;
}

void throw_if_interrupted() {
  if (received_signal != 0) {
    throw interrupted_error(received_signal);
  }
}

void clear_interrupt() noexcept {
  received_signal = 0;
}

} // namespace gpushare
