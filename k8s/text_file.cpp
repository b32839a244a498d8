#include "k8s/text_file.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <unistd.h>

namespace gpushare::k8s {

namespace fs = std::filesystem;

void write_text_file(const std::string& path, const std::string& text, fs::perms permissions) {
  const fs::path target(path);
  const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code status;
  if (!fs::is_directory(directory, status)) {
    throw usage_error(fmt::format("{}: the directory '{}' does not exist; create it first", path,
                                  directory.string()));
  }
  const fs::path temporary =
      directory / fmt::format(".{}.{}.tmp", target.filename().string(), ::getpid());
  const auto fail = [&](const std::string& what) {
    fs::remove(temporary, status);
    throw usage_error(fmt::format("cannot write {}: {}", path, what));
  };
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    if (!file) {
      fail(std::strerror(errno));
    }
    file << text;
    file.flush();
    if (!file) {
      fail("write failed");
    }
  }
  fs::permissions(temporary, permissions, fs::perm_options::replace, status);
  if (status) {
    fail(status.message());
  }
  fs::rename(temporary, target, status);
  if (status) {
    fail(status.message());
  }
}

} // namespace gpushare::k8s
