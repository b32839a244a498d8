#include "cli/protocol_channel.hpp"

#include "common/error.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace gpushare::cli {

protocol_channel::protocol_channel(std::string who) : m_who(std::move(who)) {
  m_fd = dup(STDOUT_FILENO);
  if (m_fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    throw error(m_who + ": cannot set up the channel to the harness: " + std::strerror(errno),
                exit_code::usage);
  }
}

protocol_channel::~protocol_channel() {
  if (m_fd >= 0) {
    (void)close(m_fd);
  }
}

void protocol_channel::write_all(const std::string& text) const {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t wrote = write(m_fd, text.data() + done, text.size() - done);
    if (wrote < 0 && errno == EINTR) {
      continue;
    }
    if (wrote <= 0) {
      throw error(m_who + ": writing to the harness failed: " + std::strerror(errno),
                  exit_code::usage);
    }
    done += static_cast<std::size_t>(wrote);
  }
}

} // namespace gpushare::cli
