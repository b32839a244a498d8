#include "harness/private_directory.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>

namespace gpushare {

namespace fs = std::filesystem;

std::string make_private_directory(const std::string& parent, const std::string& prefix,
                                   const std::vector<std::string>& subdirectories) {
  std::string pattern = (fs::path(parent) / (prefix + "XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw environment_error(
        fmt::format("cannot create a private directory in {}: {}", parent, std::strerror(errno)));
  }
  // mkdtemp already uses 0700; chmod again so a permissive umask cannot matter.
  if (chmod(pattern.c_str(), 0700) != 0) {
    const std::string why = std::strerror(errno);
    fs::remove_all(pattern);
    throw environment_error(fmt::format("chmod 0700 {} failed: {}", pattern, why));
  }
  for (const auto& sub : subdirectories) {
    if (mkdir((fs::path(pattern) / sub).c_str(), 0700) != 0) {
      const std::string why = std::strerror(errno);
      fs::remove_all(pattern);
      throw environment_error(fmt::format("mkdir {}/{} failed: {}", pattern, sub, why));
    }
  }
  return pattern;
}

scoped_private_directory::~scoped_private_directory() {
  std::error_code ignored;
  fs::remove_all(m_path, ignored);
}

} // namespace gpushare
