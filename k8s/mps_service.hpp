#pragma once
// The MPS control daemon as a service on a bare-metal node: a start|stop|status script that
// drives the real nvidia-cuda-mps-control (daemon with -d, defaults through control commands,
// quit with a timeout) and a systemd unit that runs it. Only files are written here; nothing
// is started.

#include <string>
#include <vector>

namespace gpushare::k8s {

inline constexpr const char* mps_script_name = "gpushare-mps.sh";
inline constexpr const char* mps_unit_name = "nvidia-mps.service";
/// The variable that overrides, at run time, which control program the script runs.
inline constexpr const char* mps_control_variable = "GPUSHARE_MPS_CONTROL";
/// Written by the script's start into the pipe directory for the unit's PIDFile=.
inline constexpr const char* mps_pid_file_name = "gpushare-mps.pid";

/// A default pinned device memory limit for the clients of one device.
struct device_memory_limit {
  int device = 0;    ///< device index as the daemon sees it (after its CUDA_VISIBLE_DEVICES)
  std::string value; ///< "4G" or "512M", the form the control command takes
};

struct mps_service_settings {
  /// set_default_active_thread_percentage; empty leaves the daemon's default (100).
  std::string thread_percentage;
  std::vector<device_memory_limit> memory_limits;
  /// The MPS defaults, so leaving them out changes nothing for clients.
  std::string pipe_directory = "/tmp/nvidia-mps";
  std::string log_directory = "/var/log/nvidia-mps";
  std::string control_program = "nvidia-cuda-mps-control";
  /// Where the unit expects the script to be installed.
  std::string script_path = "/usr/local/sbin/gpushare-mps.sh";
  /// quit -t: servers still running after this many seconds are forced down.
  int stop_timeout_s = 30;
};

/// "4G", "512M" (device 0) or "1=2G" per item. Throws usage_error for any other form or a
/// device given twice.
[[nodiscard]] std::vector<device_memory_limit>
parse_memory_limits(const std::vector<std::string>& items);

/// Throws usage_error for a percentage outside (0, 100], a relative or unsafe path (the values
/// go into a shell script and a unit file unquoted by systemd), or a pipe directory too long
/// for the daemon's socket paths.
void check_mps_service_settings(const mps_service_settings& settings);

/// The bash script: `start` starts the daemon, applies and verifies the defaults, writes the PID
/// file; `stop` sends quit with the timeout, kills a daemon that stays, and removes the files
/// the daemon leaves in the pipe directory; `status` exits 0 when a daemon answers, 3 when not.
[[nodiscard]] std::string mps_service_script(const mps_service_settings& settings);

/// The systemd unit (Type=forking) calling the script at `script_path`.
[[nodiscard]] std::string mps_service_unit(const mps_service_settings& settings);

struct mps_service_files {
  std::string script; ///< path of the script written (mode 0755)
  std::string unit;   ///< path of the unit written (mode 0644)
};

/// Writes both files into `directory` (created if missing). Throws usage_error naming a path
/// that cannot be written.
mps_service_files write_mps_service_files(const mps_service_settings& settings,
                                          const std::string& directory);

} // namespace gpushare::k8s
