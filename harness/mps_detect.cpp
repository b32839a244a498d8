#include "harness/mps_detect.hpp"

#include "harness/private_directory.hpp"

#include <algorithm>
#include <cctype>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <memory>

namespace gpushare {
namespace {

bool is_pid(const char* name) {
  if (*name == '\0') {
    return false;
  }
  for (const char* c = name; *c != '\0'; ++c) {
    if (std::isdigit(static_cast<unsigned char>(*c)) == 0) {
      return false;
    }
  }
  return true;
}

/// argv[0] without its directory, or "" when the process is gone or a kernel thread.
std::string program_name(const std::string& proc_root, const std::string& pid) {
  std::ifstream cmdline(proc_root + "/" + pid + "/cmdline", std::ios::binary);
  if (!cmdline) {
    return "";
  }
  std::string argv0;
  std::getline(cmdline, argv0, '\0');
  const auto slash = argv0.rfind('/');
  return slash == std::string::npos ? argv0 : argv0.substr(slash + 1);
}

} // namespace

mps_status detect_mps(const std::string& proc_root, const char* pipe_directory_env) {
  mps_status status;
  status.pipe_directory = pipe_directory_env != nullptr && *pipe_directory_env != '\0'
                              ? pipe_directory_env
                              : default_mps_pipe_directory;
  std::unique_ptr<DIR, int (*)(DIR*)> directory(opendir(proc_root.c_str()), closedir);
  if (!directory) {
    return status;
  }
  while (const dirent* entry = readdir(directory.get())) {
    if (!is_pid(entry->d_name)) {
      continue;
    }
    const std::string name = program_name(proc_root, entry->d_name);
    const int pid = std::stoi(entry->d_name);
    if (name == "nvidia-cuda-mps-control") {
      status.control_pids.push_back(pid);
    } else if (name == "nvidia-cuda-mps-server") {
      status.server_pids.push_back(pid);
    }
  }
  std::sort(status.control_pids.begin(), status.control_pids.end());
  std::sort(status.server_pids.begin(), status.server_pids.end());
  status.daemon_running = !status.control_pids.empty();
  return status;
}

std::string make_mps_free_pipe_directory(const std::string& parent) {
  return make_private_directory(parent, "no-mps-");
}

} // namespace gpushare
