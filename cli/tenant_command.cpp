#include "cli/tenant_command.hpp"

#include "common/error.hpp"
#include "harness/tenant_protocol.hpp"
#include "harness/workload.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace gpushare::cli {
namespace {

/// The pipe to the harness. Stdout itself is pointed at stderr, so a library that prints to
/// stdout cannot corrupt the protocol.
int protocol_fd = STDOUT_FILENO;

void take_protocol_channel() {
  const int channel = dup(STDOUT_FILENO);
  if (channel < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    throw error(std::string("tenant: cannot set up the protocol channel: ") + std::strerror(errno),
                exit_code::usage);
  }
  protocol_fd = channel;
}

void write_all(const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t wrote = write(protocol_fd, text.data() + done, text.size() - done);
    if (wrote < 0 && errno == EINTR) {
      continue;
    }
    if (wrote <= 0) {
      throw error(std::string("tenant: writing to the harness failed: ") + std::strerror(errno),
                  exit_code::usage);
    }
    done += static_cast<std::size_t>(wrote);
  }
}

/// Blocks until the harness opens the barrier.
void wait_for_go() {
  std::string line;
  char c = 0;
  while (true) {
    const ssize_t got = read(STDIN_FILENO, &c, 1);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      throw error("tenant: the harness closed the barrier without releasing it", exit_code::usage);
    }
    if (c == '\n') {
      break;
    }
    line += c;
  }
  if (line != tenant_go_line) {
    throw error("tenant: expected 'go' from the harness, got '" + line + "'", exit_code::usage);
  }
}

} // namespace

int run_tenant(const tenant_arguments& arguments) {
  try {
    take_protocol_channel();
    const workload_spec spec = parse_workload_spec(arguments.workload);
    const auto work = make_workload(spec, workload_context{arguments.device});
    const workload_result result = measure_workload(*work, spec, arguments.settings, [] {
      write_all(std::string(tenant_ready_line) + "\n");
      wait_for_go();
    });
    write_all(encode_tenant_result(result));
    return static_cast<int>(exit_code::success);
  } catch (const error& failure) {
    try {
      write_all(encode_tenant_error(failure.what()));
    } catch (const error&) {
      // The harness is gone; the exit code is all that is left to say.
    }
    return static_cast<int>(failure.code());
  } catch (const std::exception& failure) {
    try {
      write_all(encode_tenant_error(failure.what()));
    } catch (const error&) {
    }
    return static_cast<int>(exit_code::usage);
  }
}

} // namespace gpushare::cli
