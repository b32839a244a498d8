#pragma once
// A mig-parted config (NVIDIA/mig-parted, `version: v1`, `mig-configs`): the MIG layout that
// `nvidia-mig-parted apply` creates on a node, or that the GPU Operator's MIG manager applies
// when the node is labelled nvidia.com/mig.config=NAME. Always with `all-disabled` beside it,
// so the way back is in the same file.

#include <map>
#include <string>
#include <vector>

namespace gpushare::k8s {

/// The config turning MIG off, which mig-parted's own example configs also carry.
inline constexpr const char* mig_disabled_config_name = "all-disabled";

/// GPUs of a node (by index) that get the same layout.
struct mig_parted_group {
  std::vector<int> devices;
  std::map<std::string, int> mig_devices;
};

struct mig_parted_settings {
  std::string config_name;
  /// GPU instance profile as nvidia-smi names it -> instances of it on every GPU.
  std::map<std::string, int> mig_devices;
  /// Instead of one layout for every GPU: a layout per group of GPU indices (a plan that cuts
  /// the node's GPUs differently).
  std::vector<mig_parted_group> groups;
  /// Lines put in front of the document as YAML comments.
  std::vector<std::string> notes;
};

/// One count per distinct profile of a geometry given one profile per instance.
[[nodiscard]] std::map<std::string, int> count_profiles(const std::vector<std::string>& profiles);

/// "gpushare-2x2g.20gb-3g.40gb": a name that says what the layout is and fits the 63
/// characters of a label value ('+' of "+me" profiles becomes '.', as mig-parted's own names
/// do); "gpushare-custom" when that would be too long.
[[nodiscard]] std::string default_mig_config_name(const std::map<std::string, int>& mig_devices);

/// Throws usage_error when `name` cannot be the value of the nvidia.com/mig.config label, or
/// is the all-disabled config this file also holds.
void check_mig_config_name(const std::string& name);

[[nodiscard]] std::string mig_parted_config_yaml(const mig_parted_settings& settings);

/// A geometry checked against the built-in profile catalog.
struct checked_geometry {
  std::string board;                      ///< the catalog's key, e.g. "A100-80GB"
  std::map<std::string, int> mig_devices; ///< canonical profile names and their counts
  std::string placements;                 ///< "3g.40gb@4 2g.20gb@0 ...", where each one fits
};

/// Parses `geometry` ("3g.40gb,2g.20gb,2x1g.10gb"), finds `gpu` in the catalog and validates the
/// layout. An unknown GPU or profile throws usage_error (exit 2); a layout that does not fit
/// throws check_error (exit 1) with the catalog's reason.
[[nodiscard]] checked_geometry check_geometry(const std::string& gpu, const std::string& geometry);

/// The layouts of a packing plan (`mig plan`) as mig-parted groups: GPU i of the node gets the
/// plan's GPU i, and GPUs with the same layout share one entry.
[[nodiscard]] std::vector<mig_parted_group> groups_from_plan(const std::string& gpu,
                                                             const std::vector<std::string>& needs,
                                                             std::vector<std::string>& notes);

} // namespace gpushare::k8s
