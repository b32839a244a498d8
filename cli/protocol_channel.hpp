#pragma once
// The stdout pipe a child command (tenant, device worker) answers its parent on. Taking it
// points the process's own stdout at stderr, so a library that prints to stdout cannot corrupt
// the protocol.

#include <string>

namespace gpushare::cli {

class protocol_channel {
public:
  /// `who` prefixes error messages ("tenant", "device worker"). Throws error on failure.
  explicit protocol_channel(std::string who);
  protocol_channel(const protocol_channel&) = delete;
  protocol_channel& operator=(const protocol_channel&) = delete;
  ~protocol_channel();

  /// Writes all of `text`; throws error when the parent is gone.
  void write_all(const std::string& text) const;

private:
  std::string m_who;
  int m_fd = -1;
};

} // namespace gpushare::cli
