#include "k8s/mps_service.hpp"

#include "common/error.hpp"
#include "harness/mps_daemon.hpp"
#include "k8s/text_file.hpp"
#include "k8s/yaml_text.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>

namespace gpushare::k8s {
namespace {

namespace fs = std::filesystem;

/// Characters that need no quoting in a shell word or a systemd unit value; anything else in
/// a path is refused rather than escaped, so the files stay readable and the same in both.
bool is_plain_path(const std::string& path) {
  static const std::regex form("[A-Za-z0-9._/+-]+");
  return std::regex_match(path, form);
}

void check_path(const char* option, const std::string& path, bool must_be_absolute) {
  if (!is_plain_path(path)) {
    throw usage_error(fmt::format("{} '{}': only letters, digits and . _ / + - are accepted in "
                                  "paths written into the script and the unit",
                                  option, path));
  }
  if (must_be_absolute && path.front() != '/') {
    throw usage_error(fmt::format("{} {}: must be an absolute path (systemd and the daemon do "
                                  "not run in this directory)",
                                  option, path));
  }
}

std::string shell_words(const std::vector<device_memory_limit>& limits) {
  std::string words;
  for (const auto& limit : limits) {
    words += fmt::format("{}'{}={}'", words.empty() ? "" : " ", limit.device, limit.value);
  }
  return words;
}

std::string describe_defaults(const mps_service_settings& settings) {
  std::string text = settings.thread_percentage.empty()
                         ? std::string("active threads: the daemon's default (100%)")
                         : fmt::format("active threads {}%", settings.thread_percentage);
  for (const auto& limit : settings.memory_limits) {
    text += fmt::format(", pinned memory {} on device {}", limit.value, limit.device);
  }
  return text;
}

// The part of the script that does not depend on the settings. Kept as one text so it reads
// as the script it is.
constexpr const char* script_body = R"SH(
readonly start_timeout_s=10
readonly command_timeout_s=10
readonly pid_file="${pipe_dir}/gpushare-mps.pid"

# The daemon, the front end and every client find each other through these.
export CUDA_MPS_PIPE_DIRECTORY="${pipe_dir}"
export CUDA_MPS_LOG_DIRECTORY="${log_dir}"

say() {
  printf 'gpushare-mps: %s\n' "$*" >&2
}

# One command through the front end; the answer on stdout. Fails when no daemon answers.
mps_command() {
  timeout "${command_timeout_s}" "${control}" <<<"$1"
}

answers() {
  mps_command get_server_list >/dev/null 2>&1
}

# PIDs of the control daemons serving this pipe directory. The front end has the same program
# name, so only a process started with -d or -f counts; /proc/PID/comm is cut at 15
# characters, so argv[0] decides.
daemon_pids() {
  local proc entry
  local name="${control##*/}"
  local -a args environment
  for proc in /proc/[0-9]*; do
    { mapfile -d '' -t args <"${proc}/cmdline"; } 2>/dev/null || continue
    ((${#args[@]} >= 2)) || continue
    [[ ${args[0]##*/} == "${name}" ]] || continue
    [[ ${args[1]} == -d || ${args[1]} == -f ]] || continue
    { mapfile -d '' -t environment <"${proc}/environ"; } 2>/dev/null || continue
    for entry in "${environment[@]}"; do
      if [[ ${entry} == "CUDA_MPS_PIPE_DIRECTORY=${pipe_dir}" ]]; then
        printf '%s\n' "${proc#/proc/}"
        break
      fi
    done
  done
}

# Waits up to $1 seconds for every daemon of this pipe directory to be gone.
wait_gone() {
  local tenths=$(($1 * 10))
  while [[ -n $(daemon_pids) ]]; do
    ((tenths-- > 0)) || return 1
    sleep 0.1
  done
}

to_mib() {
  case $1 in
    *G) printf '%s\n' "$((${1%G} * 1024))" ;;
    *M) printf '%s\n' "${1%M}" ;;
    *) printf 'unknown\n' ;;
  esac
}

# The daemon answers with its current value, and exits 0, even when it rejects a value, so
# every setting is read back.
apply_defaults() {
  local answer limit device value
  if [[ -n ${thread_percentage} ]]; then
    mps_command "set_default_active_thread_percentage ${thread_percentage}" >/dev/null || return 1
    answer=$(mps_command get_default_active_thread_percentage) || return 1
    if ! awk -v got="${answer}" -v want="${thread_percentage}" \
      'BEGIN { exit !(got + 0 == want + 0) }'; then
      say "the daemon did not take active thread percentage ${thread_percentage} (it answers '${answer}')"
      return 1
    fi
  fi
  for limit in "${memory_limits[@]}"; do
    device=${limit%%=*}
    value=${limit#*=}
    mps_command "set_default_device_pinned_mem_limit ${device} ${value}" >/dev/null || return 1
    answer=$(mps_command "get_default_device_pinned_mem_limit ${device}") || return 1
    if [[ $(to_mib "${answer}") != "$(to_mib "${value}")" ]]; then
      say "the daemon did not take pinned memory limit ${value} for device ${device} (it answers '${answer}')"
      return 1
    fi
  done
}

# What quit leaves behind: the daemon removes neither its sockets nor its lock.
remove_leftovers() {
  local name
  for name in control control_lock control_privileged log nvidia-cuda-mps-control.pid \
    gpushare-mps.pid; do
    rm -f -- "${pipe_dir}/${name}"
  done
}

stop_daemon() {
  local -a pids
  if answers; then
    # quit -t forces servers down after the timeout; the front end returns once the daemon
    # has exited (non-zero when servers had to be forced, which is still a stop).
    timeout "$((stop_timeout_s + command_timeout_s))" "${control}" <<<"quit -t ${stop_timeout_s}" \
      >/dev/null 2>&1 || true
  fi
  if ! wait_gone 5; then
    mapfile -t pids < <(daemon_pids)
    say "the control daemon (pid ${pids[*]}) did not exit on quit; terminating it"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    if ! wait_gone 5; then
      mapfile -t pids < <(daemon_pids)
      kill -KILL "${pids[@]}" 2>/dev/null || true
      if ! wait_gone 5; then
        say "the control daemon (pid ${pids[*]}) is still running"
        return 1
      fi
    fi
  fi
  remove_leftovers
  say "stopped (pipe directory ${pipe_dir})"
}

start_daemon() {
  local -a pids
  if answers; then
    say "a control daemon already answers in ${pipe_dir}; not starting another"
    return 0
  fi
  if ! command -v "${control}" >/dev/null 2>&1; then
    say "cannot run ${control}: not found (install NVIDIA's MPS, or set GPUSHARE_MPS_CONTROL to the program)"
    return 2
  fi
  mkdir -p -- "${pipe_dir}" "${log_dir}"
  # -d detaches once the daemon is set up; what it says goes to control.log.
  if ! "${control}" -d </dev/null; then
    say "${control} -d failed; see ${log_dir}/control.log"
    return 1
  fi
  local tenths=$((start_timeout_s * 10))
  until answers; do
    if ((tenths-- <= 0)); then
      say "the control daemon did not answer within ${start_timeout_s} s; see ${log_dir}/control.log"
      stop_daemon || true
      return 1
    fi
    sleep 0.1
  done
  if ! apply_defaults; then
    stop_daemon || true
    return 1
  fi
  mapfile -t pids < <(daemon_pids)
  if ((${#pids[@]} > 0)); then
    printf '%s\n' "${pids[0]}" >"${pid_file}"
  fi
  say "started (pid ${pids[*]:-unknown}, pipe directory ${pipe_dir}, logs in ${log_dir})"
}

show_status() {
  local servers
  if ! answers; then
    printf 'not running: no control daemon answers in %s\n' "${pipe_dir}"
    return 3
  fi
  servers=$(mps_command get_server_list) || servers=unknown
  local -a pids
  mapfile -t pids < <(daemon_pids)
  printf 'running: control daemon pid %s, pipe directory %s\n' "${pids[*]:-unknown}" "${pipe_dir}"
  printf 'servers: %s\n' "${servers:-none}"
  printf 'default active thread percentage: %s\n' \
    "$(mps_command get_default_active_thread_percentage || echo unknown)"
  local limit
  for limit in "${memory_limits[@]}"; do
    printf 'default pinned memory limit, device %s: %s\n' "${limit%%=*}" \
      "$(mps_command "get_default_device_pinned_mem_limit ${limit%%=*}" || echo unknown)"
  done
}

case "${1:-}" in
  start) start_daemon ;;
  stop) stop_daemon ;;
  status) show_status ;;
  *)
    printf 'usage: %s start|stop|status\n' "${0##*/}" >&2
    exit 2
    ;;
esac
)SH";

} // namespace

std::vector<device_memory_limit> parse_memory_limits(const std::vector<std::string>& items) {
  static const std::regex form("(([0-9]{1,4})=)?([1-9][0-9]{0,6}[MG])");
  std::vector<device_memory_limit> limits;
  std::set<int> devices;
  for (const auto& item : items) {
    std::smatch parts;
    if (!std::regex_match(item, parts, form)) {
      throw usage_error(fmt::format("--mem-limit {}: must be a size like 4G or 512M, optionally "
                                    "for one device: 1=4G",
                                    item));
    }
    const int device = parts[2].matched ? std::atoi(parts[2].str().c_str()) : 0;
    if (!devices.insert(device).second) {
      throw usage_error(
          fmt::format("--mem-limit {}: device {} was given a limit twice", item, device));
    }
    limits.push_back({device, parts[3].str()});
  }
  return limits;
}

void check_mps_service_settings(const mps_service_settings& settings) {
  if (!settings.thread_percentage.empty()) {
    static const std::regex number("[0-9]{1,3}(\\.[0-9]+)?");
    const bool valid = std::regex_match(settings.thread_percentage, number) &&
                       std::strtod(settings.thread_percentage.c_str(), nullptr) > 0 &&
                       std::strtod(settings.thread_percentage.c_str(), nullptr) <= 100;
    if (!valid) {
      // The daemon's own range: it rejects anything outside (0.0, 100.0].
      throw usage_error(fmt::format("--thread-pct {}: must be a number above 0 and at most 100",
                                    settings.thread_percentage));
    }
  }
  check_path("--pipe-dir", settings.pipe_directory, true);
  check_path("--log-dir", settings.log_directory, true);
  check_path("--script-path", settings.script_path, true);
  check_path("--control", settings.control_program, false);
  const std::size_t pipe_length =
      fs::path(settings.pipe_directory).lexically_normal().string().size();
  if (pipe_length > max_mps_pipe_directory_length) {
    throw usage_error(fmt::format("--pipe-dir {}: {} characters, more than the {} the daemon's "
                                  "socket paths allow",
                                  settings.pipe_directory, pipe_length,
                                  max_mps_pipe_directory_length));
  }
  if (settings.stop_timeout_s < 1 || settings.stop_timeout_s > 3600) {
    throw usage_error(
        fmt::format("--stop-timeout {}: must be 1 to 3600 seconds", settings.stop_timeout_s));
  }
}

std::string mps_service_script(const mps_service_settings& settings) {
  check_mps_service_settings(settings);
  std::string head = "#!/usr/bin/env bash\n";
  head += comment_block(
      {fmt::format("The CUDA MPS control daemon as a service: {} start|stop|status. Written by "
                   "gpushare-bench k8s mps-service; defaults for new MPS servers: {}.",
                   mps_script_name, describe_defaults(settings)),
       fmt::format("CUDA_MPS_PIPE_DIRECTORY, CUDA_MPS_LOG_DIRECTORY, {} and "
                   "GPUSHARE_MPS_STOP_TIMEOUT override the values below. Clients reach the "
                   "daemon with the same CUDA_MPS_PIPE_DIRECTORY and must not set "
                   "CUDA_VISIBLE_DEVICES.",
                   mps_control_variable)});
  head += "set -euo pipefail\n\n";
  head += fmt::format("pipe_dir=${{CUDA_MPS_PIPE_DIRECTORY:-'{}'}}\n", settings.pipe_directory);
  head += fmt::format("log_dir=${{CUDA_MPS_LOG_DIRECTORY:-'{}'}}\n", settings.log_directory);
  head += fmt::format("control=${{{}:-'{}'}}\n", mps_control_variable, settings.control_program);
  head +=
      fmt::format("stop_timeout_s=${{GPUSHARE_MPS_STOP_TIMEOUT:-{}}}\n", settings.stop_timeout_s);
  head += fmt::format("thread_percentage='{}'\n", settings.thread_percentage);
  head += fmt::format("memory_limits=({})\n", shell_words(settings.memory_limits));
  return head + script_body;
}

std::string mps_service_unit(const mps_service_settings& settings) {
  check_mps_service_settings(settings);
  const std::string header = comment_block(
      {fmt::format("Written by gpushare-bench k8s mps-service. Install as /etc/systemd/system/{} "
                   "with the script at {}, then: systemctl daemon-reload && systemctl enable "
                   "--now {}",
                   mps_unit_name, settings.script_path, mps_unit_name),
       fmt::format("Defaults for new MPS servers: {}.", describe_defaults(settings))});
  return header + fmt::format("[Unit]\n"
                              "Description=NVIDIA CUDA MPS control daemon\n"
                              "Documentation=man:nvidia-cuda-mps-control(1)\n"
                              "After=nvidia-persistenced.service\n"
                              "\n"
                              "[Service]\n"
                              "Type=forking\n"
                              "Environment=CUDA_MPS_PIPE_DIRECTORY={pipe}\n"
                              "Environment=CUDA_MPS_LOG_DIRECTORY={log}\n"
                              "Environment={control_variable}={control}\n"
                              "Environment=GPUSHARE_MPS_STOP_TIMEOUT={stop}\n"
                              "PIDFile={pipe}/{pid_file}\n"
                              "ExecStart={script} start\n"
                              "ExecStop={script} stop\n"
                              "TimeoutStartSec=60\n"
                              // The script's stop takes at most the quit timeout plus 10 s for the
                              // front end and 15 s for terminating a daemon that stayed.
                              "TimeoutStopSec={stop_limit}\n"
                              "Restart=on-failure\n"
                              "\n"
                              "[Install]\n"
                              "WantedBy=multi-user.target\n",
                              fmt::arg("script", settings.script_path),
                              fmt::arg("pipe", settings.pipe_directory),
                              fmt::arg("log", settings.log_directory),
                              fmt::arg("control_variable", mps_control_variable),
                              fmt::arg("control", settings.control_program),
                              fmt::arg("stop", settings.stop_timeout_s),
                              fmt::arg("pid_file", mps_pid_file_name),
                              fmt::arg("stop_limit", settings.stop_timeout_s + 30));
}

mps_service_files write_mps_service_files(const mps_service_settings& settings,
                                          const std::string& directory) {
  const std::string script = mps_service_script(settings);
  const std::string unit = mps_service_unit(settings);
  std::error_code status;
  fs::create_directories(directory, status);
  if (status) {
    throw usage_error(
        fmt::format("-o {}: cannot create the directory: {}", directory, status.message()));
  }
  mps_service_files files{(fs::path(directory) / mps_script_name).string(),
                          (fs::path(directory) / mps_unit_name).string()};
  using fs::perms;
  write_text_file(files.script, script,
                  perms::owner_all | perms::group_read | perms::group_exec | perms::others_read |
                      perms::others_exec);
  write_text_file(files.unit, unit);
  return files;
}

} // namespace gpushare::k8s
