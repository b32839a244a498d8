#include "report/atomic_file.hpp"

#include "common/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace gpushare::report {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& step, int error_number) {
  throw error("cannot write '" + path + "': " + step + ": " + std::strerror(error_number),
              exit_code::usage);
}

/// Directory part of `path` ("." for a bare file name, "/" for a file in the root).
std::string directory_of(const std::string& path) {
  const std::string::size_type slash = path.find_last_of('/');
  if (slash == std::string::npos) {
    return ".";
  }
  if (slash == 0) {
    return "/";
  }
  return path.substr(0, slash);
}

std::string file_name_of(const std::string& path) {
  const std::string::size_type slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// Closes and removes the temporary file unless released; keeps every failure path of the
/// writer from leaking a stray ".tmp" file next to the report.
class temporary_file {
public:
  temporary_file(int fd, std::string path) : m_fd(fd), m_path(std::move(path)) {}
  temporary_file(const temporary_file&) = delete;
  temporary_file& operator=(const temporary_file&) = delete;
  ~temporary_file() {
    if (m_fd >= 0) {
      // Already failing: the first error is the one reported, so this result is not.
      static_cast<void>(::close(m_fd));
    }
    if (!m_path.empty()) {
      static_cast<void>(::unlink(m_path.c_str()));
    }
  }

  [[nodiscard]] int fd() const noexcept { return m_fd; }
  [[nodiscard]] const std::string& path() const noexcept { return m_path; }

  /// Closes the descriptor; returns 0 or the errno of close().
  int close() noexcept {
    const int fd = m_fd;
    m_fd = -1;
    // Retrying close() after EINTR is wrong on Linux (the descriptor is already released).
    return ::close(fd) == 0 ? 0 : errno;
  }

  /// The file has been renamed into place; it is no longer ours to remove.
  void release() noexcept { m_path.clear(); }

private:
  int m_fd;
  std::string m_path;
};

void write_all(int fd, std::string_view contents, const std::string& path,
               const std::string& temp_path) {
  const char* data = contents.data();
  std::size_t left = contents.size();
  while (left > 0) {
    const ssize_t written = ::write(fd, data, left);
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int saved = errno;
      fail(path, "write to " + temp_path, saved);
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
}

void sync_directory(const std::string& directory, const std::string& path) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    const int saved = errno;
    fail(path, "open directory " + directory + " to sync the rename", saved);
  }
  // Some file systems cannot sync a directory and say so with EINVAL; the data is already
  // in place then, so that is not a failure of the write.
  if (::fsync(fd) != 0 && errno != EINVAL) {
    const int saved = errno;
    static_cast<void>(::close(fd));
    fail(path, "fsync directory " + directory, saved);
  }
  if (::close(fd) != 0) {
    const int saved = errno;
    fail(path, "close directory " + directory, saved);
  }
}

} // namespace

void write_file_atomically(const std::string& path, std::string_view contents) {
  if (path.empty()) {
    throw error("cannot write a file with an empty path", exit_code::usage);
  }
  const std::string directory = directory_of(path);
  struct stat directory_status {};
  if (::stat(directory.c_str(), &directory_status) != 0) {
    const int saved = errno;
    if (saved == ENOENT) {
      throw error("cannot write '" + path + "': directory '" + directory +
                      "' does not exist (create it first)",
                  exit_code::usage);
    }
    fail(path, "stat directory " + directory, saved);
  }
  if (!S_ISDIR(directory_status.st_mode)) {
    throw error("cannot write '" + path + "': '" + directory + "' is not a directory",
                exit_code::usage);
  }

  mode_t mode = 0644;
  struct stat target_status {};
  if (::stat(path.c_str(), &target_status) == 0) {
    mode = target_status.st_mode & 07777;
  } else if (const int saved = errno; saved != ENOENT) {
    fail(path, "stat", saved);
  }

  // Hidden name in the same directory; mkostemp picks a unique suffix so concurrent writers
  // never share a temporary file. O_CLOEXEC keeps it out of the tenant processes the tool
  // forks while a report is being written.
  std::string temp_template = directory + "/." + file_name_of(path) + ".tmp-XXXXXX";
  std::vector<char> buffer(temp_template.begin(), temp_template.end());
  buffer.push_back('\0');
  const int fd = ::mkostemp(buffer.data(), O_CLOEXEC);
  if (fd < 0) {
    const int saved = errno;
    fail(path, "create temporary file " + temp_template, saved);
  }
  temporary_file temp(fd, std::string(buffer.data()));

  if (::fchmod(temp.fd(), mode) != 0) {
    const int saved = errno;
    fail(path, "chmod " + temp.path(), saved);
  }
  write_all(temp.fd(), contents, path, temp.path());
  if (::fsync(temp.fd()) != 0) {
    const int saved = errno;
    fail(path, "fsync " + temp.path(), saved);
  }
  if (const int close_error = temp.close(); close_error != 0) {
    fail(path, "close " + temp.path(), close_error);
  }
  if (::rename(temp.path().c_str(), path.c_str()) != 0) {
    const int saved = errno;
    fail(path, "rename " + temp.path() + " into place", saved);
  }
  temp.release();
  sync_directory(directory, path);
}

} // namespace gpushare::report
