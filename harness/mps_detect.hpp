#pragma once
// Finds MPS daemons already running on this machine, so the tool can say so (and, later,
// refuse to touch them). It only reads /proc; it never talks to a daemon it did not start.

#include "harness/records.hpp"

#include <string>

namespace gpushare {

/// The pipe directory every MPS client and daemon defaults to when CUDA_MPS_PIPE_DIRECTORY is
/// unset.
inline constexpr const char* default_mps_pipe_directory = "/tmp/nvidia-mps";

/// Scans `proc_root` (normally "/proc") for nvidia-cuda-mps-control and nvidia-cuda-mps-server
/// processes. The process name in /proc/PID/comm is cut at 15 characters, which makes the
/// two indistinguishable, so the program name is taken from argv[0] in /proc/PID/cmdline.
/// `pipe_directory_env` is the value of CUDA_MPS_PIPE_DIRECTORY (nullptr when unset).
[[nodiscard]] mps_status detect_mps(const std::string& proc_root, const char* pipe_directory_env);

/// A new empty private directory under `parent`, for the CUDA_MPS_PIPE_DIRECTORY of a process
/// meant to run without MPS. A CUDA program joins whatever control daemon it finds at its
/// pipe directory (/tmp/nvidia-mps when unset), so a daemon someone else started would
/// silently turn time-slicing into MPS, and a deliberate fault into one that ends that
/// daemon's clients; with no daemon at its pipe directory the program runs without MPS.
[[nodiscard]] std::string make_mps_free_pipe_directory(const std::string& parent);

} // namespace gpushare
