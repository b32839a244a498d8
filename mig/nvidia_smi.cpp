#include "mig/nvidia_smi.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string_view>

namespace gpushare::mig {
namespace {

std::string gpu_arg(int gpu) {
  return std::to_string(gpu);
}

/// Where a missing privilege is explained to the user: the MIG user guide's "Device Nodes and
/// Capabilities" lets root grant instance management through this file.
constexpr const char* config_capability = "/proc/driver/nvidia/capabilities/mig/config";

std::string permission_hint() {
  return fmt::format("creating and destroying MIG instances needs root, or read access to {} "
                     "granted to this user",
                     config_capability);
}

/// True when `predicate` holds for any line of `text`.
template <typename Predicate> bool any_line(const std::string& text, Predicate predicate) {
  for (std::size_t at = 0; at < text.size();) {
    const auto end = text.find('\n', at);
    if (predicate(std::string_view(text).substr(
            at, end == std::string::npos ? std::string_view::npos : end - at))) {
      return true;
    }
    if (end == std::string::npos) {
      break;
    }
    at = end + 1;
  }
  return false;
}

bool reports_failure(const std::string& text) {
  return any_line(text, [](std::string_view line) {
    const auto first = line.find_first_not_of(" \t");
    return first != std::string_view::npos && (line.substr(first).rfind("Unable to ", 0) == 0 ||
                                               line.substr(first).rfind("Failed to ", 0) == 0);
  });
}

bool has_permission_message(const std::string& text) {
  return any_line(text, [](std::string_view line) {
    return classify_message(line) == smi_state::permission_denied;
  });
}

/// Any line of `text` that is a state message.
bool has_state_message(const std::string& text) {
  return any_line(text,
                  [](std::string_view line) { return classify_message(line) != smi_state::ok; });
}

std::string quoted_output(const std::string& text) {
  std::string flat;
  for (const char c : text) {
    flat += c == '\n' ? ' ' : c;
  }
  while (!flat.empty() && flat.back() == ' ') {
    flat.pop_back();
  }
  return flat.empty() ? "no output" : fmt::format("'{}'", flat);
}

/// The listing states that stop discovery, as an error saying what to do.
void require_listable(smi_state state, int gpu, const char* what) {
  switch (state) {
  case smi_state::ok:
  case smi_state::no_instances:
    return;
  case smi_state::mig_disabled:
    throw environment_error(fmt::format(
        "cannot list the {} of GPU {}: MIG mode is not enabled on it (enable it as root with "
        "`nvidia-smi -i {} -mig 1`; it takes effect after a GPU reset or reboot)",
        what, gpu, gpu));
  case smi_state::mig_unsupported:
    throw environment_error(
        fmt::format("cannot list the {} of GPU {}: it does not support MIG", what, gpu));
  case smi_state::permission_denied:
    throw environment_error(fmt::format(
        "cannot list the {} of GPU {}: nvidia-smi reports Insufficient Permissions", what, gpu));
  }
}

} // namespace

nvidia_smi_error::nvidia_smi_error(const std::string& message, std::vector<std::string> argv,
                                   std::string output, bool permission_denied)
    : environment_error(message), m_argv(std::move(argv)), m_output(std::move(output)),
      m_permission_denied(permission_denied) {}

std::string format_command(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) {
    if (!line.empty()) {
      line += ' ';
    }
    const bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
             std::string_view("_./:=,+-@%").find(c) != std::string_view::npos;
    });
    if (plain) {
      line += arg;
    } else {
      line += '\'';
      for (const char c : arg) {
        line += c == '\'' ? std::string("'\\''") : std::string(1, c);
      }
      line += '\'';
    }
  }
  return line;
}

nvidia_smi::nvidia_smi(nvidia_smi_options options) : m_options(std::move(options)) {}

nvidia_smi_call nvidia_smi::run(const std::vector<std::string>& args) const {
  nvidia_smi_call call;
  call.argv.push_back(m_options.program);
  call.argv.insert(call.argv.end(), args.begin(), args.end());
  try {
    call.outcome = run_process({call.argv, m_options.environment, ""}, m_options.timeout);
  } catch (const environment_error& failure) {
    throw nvidia_smi_error(
        fmt::format("{} (is the NVIDIA driver installed? --nvidia-smi names another program)",
                    failure.what()),
        call.argv, "", false);
  }
  if (call.outcome.timed_out) {
    throw nvidia_smi_error(fmt::format("`{}` did not finish within {} s and was killed",
                                       format_command(call.argv),
                                       std::chrono::duration<double>(m_options.timeout).count()),
                           call.argv, call.text(), false);
  }
  return call;
}

std::string nvidia_smi::read(const std::vector<std::string>& args) const {
  const nvidia_smi_call call = run(args);
  const std::string text = call.text();
  // nvidia-smi exits non-zero for "No GPU instances found" and friends; those are answers.
  if (call.outcome.exit_code != 0 && !has_state_message(text)) {
    throw nvidia_smi_error(fmt::format("`{}` failed ({}): {}", format_command(call.argv),
                                       call.outcome.exit_code >= 0
                                           ? fmt::format("exit code {}", call.outcome.exit_code)
                                           : fmt::format("signal {}", call.outcome.signal),
                                       quoted_output(text)),
                           call.argv, text, has_permission_message(text));
  }
  return text;
}

gpu_mig_mode nvidia_smi::mig_mode(int gpu) const {
  const auto gpus = parse_mig_mode_query(
      read({"-i", gpu_arg(gpu), "--query-gpu=index,name,uuid,mig.mode.current,mig.mode.pending",
            "--format=csv,noheader"}));
  const auto found =
      std::find_if(gpus.begin(), gpus.end(), [gpu](const auto& g) { return g.index == gpu; });
  if (found == gpus.end()) {
    throw nvidia_smi_output_error(
        fmt::format("`nvidia-smi -i {} --query-gpu=...` did not report GPU {}", gpu, gpu));
  }
  return *found;
}

gpu_instance_profile_listing nvidia_smi::gpu_instance_profiles(int gpu) const {
  return parse_gpu_instance_profiles(read({"mig", "-i", gpu_arg(gpu), "-lgip"}));
}

placement_listing nvidia_smi::gpu_instance_placements(int gpu) const {
  return parse_gpu_instance_placements(read({"mig", "-i", gpu_arg(gpu), "-lgipp"}));
}

gpu_instance_listing nvidia_smi::gpu_instances(int gpu) const {
  return parse_gpu_instances(read({"mig", "-i", gpu_arg(gpu), "-lgi"}));
}

compute_instance_listing nvidia_smi::compute_instances(int gpu) const {
  return parse_compute_instances(read({"mig", "-i", gpu_arg(gpu), "-lci"}));
}

listed_gpu nvidia_smi::list_gpu(int gpu) const {
  const auto gpus = parse_gpu_list(read({"-i", gpu_arg(gpu), "-L"}));
  const auto found =
      std::find_if(gpus.begin(), gpus.end(), [gpu](const auto& g) { return g.index == gpu; });
  if (found == gpus.end()) {
    throw nvidia_smi_output_error(
        fmt::format("`nvidia-smi -i {} -L` did not list GPU {}", gpu, gpu));
  }
  return *found;
}

std::vector<mig_device_row> nvidia_smi::mig_device_table(int gpu) const {
  return parse_mig_device_table(read({"-i", gpu_arg(gpu)}));
}

std::vector<std::string> nvidia_smi::create_gpu_instance_argv(int gpu, int profile_id,
                                                              std::optional<int> start,
                                                              bool default_ci) const {
  // "PROFILE:START" is nvidia-smi's placement specifier for -cgi (see the fixtures' README).
  std::vector<std::string> argv{m_options.program,
                                "mig",
                                "-i",
                                gpu_arg(gpu),
                                "-cgi",
                                start ? fmt::format("{}:{}", profile_id, *start)
                                      : std::to_string(profile_id)};
  if (default_ci) {
    argv.emplace_back("-C");
  }
  return argv;
}

std::vector<std::string> nvidia_smi::create_compute_instance_argv(int gpu, int gpu_instance_id,
                                                                  int profile_id) const {
  return {m_options.program,
          "mig",
          "-i",
          gpu_arg(gpu),
          "-gi",
          std::to_string(gpu_instance_id),
          "-cci",
          std::to_string(profile_id)};
}

std::vector<std::string> nvidia_smi::destroy_compute_instance_argv(int gpu, int gpu_instance_id,
                                                                   int compute_instance_id) const {
  return {m_options.program,
          "mig",
          "-i",
          gpu_arg(gpu),
          "-gi",
          std::to_string(gpu_instance_id),
          "-ci",
          std::to_string(compute_instance_id),
          "-dci"};
}

std::vector<std::string> nvidia_smi::destroy_gpu_instance_argv(int gpu, int gpu_instance_id) const {
  return {
      m_options.program, "mig", "-i", gpu_arg(gpu), "-gi", std::to_string(gpu_instance_id), "-dgi"};
}

creation_report nvidia_smi::mutate_and_report(const std::vector<std::string>& argv) const {
  const nvidia_smi_call call = run({argv.begin() + 1, argv.end()});
  const std::string text = call.text();
  if (call.outcome.exit_code != 0 || reports_failure(text)) {
    const bool denied = has_permission_message(text);
    throw nvidia_smi_error(
        fmt::format("`{}` failed (exit code {}): {}{}", format_command(call.argv),
                    call.outcome.exit_code, quoted_output(text),
                    denied ? fmt::format("; {}", permission_hint()) : std::string()),
        call.argv, text, denied);
  }
  return parse_creation_output(text);
}

creation_report nvidia_smi::create_gpu_instance(int gpu, int profile_id, std::optional<int> start,
                                                bool default_compute_instance) const {
  return mutate_and_report(
      create_gpu_instance_argv(gpu, profile_id, start, default_compute_instance));
}

creation_report nvidia_smi::create_compute_instance(int gpu, int gpu_instance_id,
                                                    int profile_id) const {
  return mutate_and_report(create_compute_instance_argv(gpu, gpu_instance_id, profile_id));
}

void nvidia_smi::destroy_compute_instance(int gpu, int gpu_instance_id,
                                          int compute_instance_id) const {
  (void)mutate_and_report(destroy_compute_instance_argv(gpu, gpu_instance_id, compute_instance_id));
}

void nvidia_smi::destroy_gpu_instance(int gpu, int gpu_instance_id) const {
  (void)mutate_and_report(destroy_gpu_instance_argv(gpu, gpu_instance_id));
}

std::string mig_mode_problem(const gpu_mig_mode& mode) {
  const int gpu = mode.index;
  const std::string enable = fmt::format(
      "enable it as root with `nvidia-smi -i {} -mig 1` after draining the GPU (no process or "
      "service such as nvidia-persistenced or DCGM may hold it); the change takes effect after a "
      "GPU reset (`nvidia-smi -i {} -r`) or a reboot",
      gpu, gpu);
  if (mode.current == mig_mode_value::not_supported) {
    return fmt::format("GPU {} ({}) does not support MIG (mig.mode.current is [N/A])", gpu,
                       mode.name);
  }
  if (mode.current == mig_mode_value::disabled && mode.pending == mig_mode_value::enabled) {
    return fmt::format("MIG mode on GPU {} ({}) is pending: it was enabled but takes effect only "
                       "after a GPU reset (`nvidia-smi -i {} -r`, as root, with the GPU idle) or "
                       "a reboot",
                       gpu, mode.name, gpu);
  }
  if (mode.current == mig_mode_value::disabled) {
    return fmt::format("MIG mode is disabled on GPU {} ({}): {}", gpu, mode.name, enable);
  }
  if (mode.pending == mig_mode_value::disabled) {
    return fmt::format("MIG mode on GPU {} ({}) is about to be disabled (pending a GPU reset); "
                       "re-enable it with `nvidia-smi -i {} -mig 1` or finish the reset first",
                       gpu, mode.name, gpu);
  }
  return {};
}

mig_layout list_layout(const nvidia_smi& smi, int gpu) {
  const gpu_instance_listing gis = smi.gpu_instances(gpu);
  require_listable(gis.state, gpu, "GPU instances");
  const compute_instance_listing cis = smi.compute_instances(gpu);
  require_listable(cis.state, gpu, "compute instances");
  const listed_gpu listed = smi.list_gpu(gpu);

  mig_layout layout;
  layout.gpu = gpu;
  layout.gpu_name = listed.name;
  layout.gpu_uuid = listed.uuid;
  for (const auto& instance : gis.instances) {
    if (instance.gpu == gpu) {
      layout.gpu_instances.push_back(instance);
    }
  }
  for (const auto& instance : cis.instances) {
    if (instance.gpu == gpu) {
      layout.compute_instances.push_back(instance);
    }
  }
  layout.devices = listed.devices;

  const bool ids_known = std::all_of(layout.devices.begin(), layout.devices.end(),
                                     [](const auto& d) { return d.gpu_instance_id >= 0; });
  if (!ids_known) {
    // R470+ UUIDs carry no IDs; plain `nvidia-smi` pairs each "MIG Dev" with its GI and CI.
    for (const auto& row : smi.mig_device_table(gpu)) {
      for (auto& device : layout.devices) {
        if (row.gpu == gpu && row.device_index == device.device_index) {
          device.gpu_instance_id = row.gpu_instance_id;
          device.compute_instance_id = row.compute_instance_id;
        }
      }
    }
  }
  // The device table must agree with -lci: same instance, same profile. A mismatch means the
  // two listings were taken across a change and the pairing cannot be trusted.
  for (auto& device : layout.devices) {
    if (device.gpu_instance_id < 0) {
      continue;
    }
    const auto ci = std::find_if(
        layout.compute_instances.begin(), layout.compute_instances.end(), [&](const auto& c) {
          return c.gpu_instance_id == device.gpu_instance_id && c.id == device.compute_instance_id;
        });
    if (ci == layout.compute_instances.end() || ci->profile != device.profile) {
      throw nvidia_smi_output_error(fmt::format(
          "MIG device {} ({}, {}) of GPU {} matches no compute instance of `nvidia-smi mig -lci`",
          device.device_index, device.profile, device.uuid, gpu));
    }
  }
  return layout;
}

board_catalog live_catalog(const nvidia_smi& smi, int gpu, const std::string& gpu_name) {
  const auto profiles = smi.gpu_instance_profiles(gpu);
  require_listable(profiles.state, gpu, "GPU instance profiles");
  const auto placements = smi.gpu_instance_placements(gpu);
  require_listable(placements.state, gpu, "GPU instance placements");
  return to_board_catalog(profiles, placements, gpu, gpu_name);
}

} // namespace gpushare::mig
