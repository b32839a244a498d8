#include "cli/tenant_command.hpp"

#include "cli/protocol_channel.hpp"
#include "common/error.hpp"
#include "harness/tenant_protocol.hpp"
#include "harness/workload.hpp"

#include <cerrno>
#include <cstring>
#include <optional>
#include <unistd.h>

namespace gpushare::cli {
namespace {

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
  std::optional<protocol_channel> channel;
  const auto say = [&channel](const std::string& text) {
    if (channel) {
      channel->write_all(text);
    }
  };
  try {
    channel.emplace("tenant");
    const workload_spec spec = parse_workload_spec(arguments.workload);
    const auto work = make_workload(spec, workload_context{arguments.device});
    const workload_result result = measure_workload(*work, spec, arguments.settings, [&] {
      say(std::string(tenant_ready_line) + "\n");
      wait_for_go();
    });
    say(encode_tenant_result(result));
    return static_cast<int>(exit_code::success);
  } catch (const error& failure) {
    try {
      say(encode_tenant_error(failure.what()));
    } catch (const error&) {
      // The harness is gone; the exit code is all that is left to say.
    }
    return static_cast<int>(failure.code());
  } catch (const std::exception& failure) {
    try {
      say(encode_tenant_error(failure.what()));
    } catch (const error&) {
    }
    return static_cast<int>(exit_code::usage);
  }
}

} // namespace gpushare::cli
