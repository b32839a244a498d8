#include "k8s/mig_parted_config.hpp"

#include "common/error.hpp"
#include "k8s/kubernetes_names.hpp"
#include "k8s/yaml_text.hpp"
#include "mig/geometry.hpp"
#include "mig/planner.hpp"
#include "mig/profile_catalog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <yaml-cpp/yaml.h>

namespace gpushare::k8s {

std::map<std::string, int> count_profiles(const std::vector<std::string>& profiles) {
  std::map<std::string, int> counts;
  for (const auto& profile : profiles) {
    ++counts[profile];
  }
  return counts;
}

std::string default_mig_config_name(const std::map<std::string, int>& mig_devices) {
  std::string name = "gpushare";
  for (const auto& [profile, count] : mig_devices) {
    name += '-';
    if (count > 1) {
      name += std::to_string(count) + "x";
    }
    for (const char c : profile) {
      name += c == '+' ? '.' : c;
    }
  }
  return is_label_value(name) ? name : "gpushare-custom";
}

void check_mig_config_name(const std::string& name) {
  if (name.empty() || !is_label_value(name)) {
    throw usage_error(fmt::format("--name {}: the GPU Operator selects a config by the label "
                                  "nvidia.com/mig.config=NAME, so NAME must be a label value: at "
                                  "most 63 letters, digits, '-', '_' and '.', starting and "
                                  "ending with a letter or digit",
                                  name));
  }
  if (name == mig_disabled_config_name) {
    throw usage_error(fmt::format("--name {}: that config is already in the file and turns MIG "
                                  "off; choose another name",
                                  name));
  }
}

std::string mig_parted_config_yaml(const mig_parted_settings& settings) {
  check_mig_config_name(settings.config_name);
  if (settings.mig_devices.empty() && settings.groups.empty()) {
    throw usage_error("--geometry: no MIG devices given");
  }
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "version" << YAML::Value << "v1";
  out << YAML::Key << "mig-configs" << YAML::Value << YAML::BeginMap;

  out << YAML::Key << mig_disabled_config_name << YAML::Value << YAML::BeginSeq;
  out << YAML::BeginMap;
  out << YAML::Key << "devices" << YAML::Value << "all";
  out << YAML::Key << "mig-enabled" << YAML::Value << false;
  out << YAML::EndMap;
  out << YAML::EndSeq;

  out << YAML::Key << settings.config_name << YAML::Value << YAML::BeginSeq;
  const auto emit_entry = [&out](const std::vector<int>* devices,
                                 const std::map<std::string, int>& mig_devices) {
    out << YAML::BeginMap;
    if (devices == nullptr) {
      out << YAML::Key << "devices" << YAML::Value << "all";
    } else {
      out << YAML::Key << "devices" << YAML::Value << YAML::Flow << *devices;
    }
    out << YAML::Key << "mig-enabled" << YAML::Value << true;
    out << YAML::Key << "mig-devices" << YAML::Value << YAML::BeginMap;
    for (const auto& [profile, count] : mig_devices) {
      if (count < 1) {
        throw usage_error(fmt::format("--geometry: {} instances of {}", count, profile));
      }
      // Quoted as in mig-parted's examples: a profile name is a string, never a number.
      out << YAML::Key << YAML::DoubleQuoted << profile << YAML::Value << count;
    }
    out << YAML::EndMap;
    out << YAML::EndMap;
  };
  if (settings.groups.empty()) {
    emit_entry(nullptr, settings.mig_devices);
  }
  for (const auto& group : settings.groups) {
    emit_entry(&group.devices, group.mig_devices);
  }
  out << YAML::EndSeq;

  out << YAML::EndMap;
  out << YAML::EndMap;

  std::vector<std::string> header{
      fmt::format("mig-parted config: '{}' gives {}, '{}' turns MIG off again.",
                  settings.config_name,
                  settings.groups.empty() ? "every GPU of the node this MIG layout"
                                          : "the node's GPUs these MIG layouts",
                  mig_disabled_config_name),
      fmt::format("Apply: nvidia-mig-parted apply -f FILE -c {0}; with the GPU Operator, label "
                  "the node nvidia.com/mig.config={0}.",
                  settings.config_name),
      settings.groups.empty()
          ? "devices: all means every GPU of the node; use it on nodes whose GPUs are all the "
            "same model."
          : "devices lists the GPU indices of the node each layout is for."};
  header.insert(header.end(), settings.notes.begin(), settings.notes.end());
  return comment_block(header) + emitted_text(out);
}

checked_geometry check_geometry(const std::string& gpu, const std::string& geometry) {
  const mig::board_catalog& board = mig::find_board(gpu);
  const std::vector<std::string> requested = mig::parse_geometry(geometry);
  if (requested.empty()) {
    throw usage_error("--geometry: no MIG devices given");
  }
  std::vector<std::string> canonical;
  canonical.reserve(requested.size());
  for (const auto& profile : requested) {
    canonical.push_back(mig::find_profile(board, profile).name);
  }
  const mig::validation_result result = mig::validate_geometry(board, canonical);
  if (!result.valid) {
    throw check_error(
        fmt::format("--geometry {} does not fit a {}: {}", geometry, board.model, result.reason));
  }
  checked_geometry checked{board.model, count_profiles(canonical), ""};
  for (const auto& instance : result.placements) {
    checked.placements += fmt::format("{}{}@{}", checked.placements.empty() ? "" : " ",
                                      instance.profile, instance.where.start);
  }
  return checked;
}

std::vector<mig_parted_group> groups_from_plan(const std::string& gpu,
                                               const std::vector<std::string>& needs,
                                               std::vector<std::string>& notes) {
  const mig::board_catalog& board = mig::find_board(gpu);
  std::vector<mig::workload_need> parsed;
  for (const auto& need : needs) {
    parsed.push_back(mig::parse_need(need));
  }
  const mig::plan_result plan = mig::plan_packing(board, parsed);
  std::vector<mig_parted_group> groups;
  for (std::size_t index = 0; index < plan.gpus.size(); ++index) {
    std::vector<std::string> profiles;
    for (const auto& instance : plan.gpus[index].instances) {
      profiles.push_back(instance.instance.profile);
    }
    const std::map<std::string, int> layout = count_profiles(profiles);
    auto same = std::find_if(groups.begin(), groups.end(),
                             [&layout](const auto& group) { return group.mig_devices == layout; });
    if (same == groups.end()) {
      groups.push_back({{static_cast<int>(index)}, layout});
    } else {
      same->devices.push_back(static_cast<int>(index));
    }
  }
  notes.push_back(fmt::format("Planned for {} workloads on {} GPUs of a {} node (see "
                              "'gpushare-bench mig plan'); every layout was checked against the "
                              "built-in profile catalog.",
                              plan.workloads, plan.gpus.size(), board.model));
  return groups;
}

} // namespace gpushare::k8s
