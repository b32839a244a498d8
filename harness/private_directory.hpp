#pragma once
// Fresh directories only this user can enter (0700), for the MPS daemon's pipes and logs and
// for a run's scratch files. The owner removes them on every exit path.

#include <string>
#include <vector>

namespace gpushare {

/// Creates `parent`/`prefix`XXXXXX with mode 0700 and the given subdirectories (also 0700);
/// returns its path. On failure nothing is left and environment_error says what failed.
[[nodiscard]] std::string
make_private_directory(const std::string& parent, const std::string& prefix,
                       const std::vector<std::string>& subdirectories = {});

/// A private directory removed with everything in it when this object goes away.
class scoped_private_directory {
public:
  scoped_private_directory(const std::string& parent, const std::string& prefix)
      : m_path(make_private_directory(parent, prefix)) {}
  scoped_private_directory(const scoped_private_directory&) = delete;
  scoped_private_directory& operator=(const scoped_private_directory&) = delete;
  ~scoped_private_directory();
  [[nodiscard]] const std::string& path() const noexcept { return m_path; }

private:
  std::string m_path;
};

} // namespace gpushare
