#pragma once
// Applying a MIG geometry for the length of a measurement and putting the GPU back as it was.
//
// The GPU's layout is recorded first (GPU instances with their placements, compute instances
// with their profiles); then its compute instances and GPU instances are destroyed, the geometry
// is created (each GPU instance with its default compute instance), the body runs, and the
// recorded layout is recreated at its recorded placements. The restore runs on every way out:
// normal return, an exception from the body or from a creation step, and SIGINT/SIGTERM (which
// the steps notice through throw_if_interrupted()). An error on its way out is never replaced:
// a restore that fails then is reported through the warning sink and restore_failure(), with
// the commands to run by hand. Every mutating call names the GPU (`-i`) and exact instance IDs.

#include "common/error.hpp"
#include "mig/geometry.hpp"
#include "mig/mig_layout.hpp"
#include "mig/mig_profile.hpp"
#include "mig/nvidia_smi.hpp"

#include <functional>
#include <string>
#include <vector>

namespace gpushare::mig {

struct lifecycle_options {
  int gpu = 0;
  /// GPU instance profiles to create, names ("3g.40gb") or IDs, one entry per instance.
  std::vector<std::string> geometry;
  /// Create every GPU instance at an explicit placement (`-cgi ID:START`), the one the geometry
  /// search chose or the recorded one. Off: nvidia-smi picks (larger profiles are created first)
  /// and a restore may land elsewhere, which the verification then reports.
  bool explicit_placements = true;
  /// Checked before anything is destroyed when not running as root: without read access to it
  /// nvidia-smi cannot create instances. "" skips the check (tests with a stand-in).
  std::string config_capability = "/proc/driver/nvidia/capabilities/mig/config";
  /// Where a restore failure is reported while another error is on its way out. Empty: stderr.
  std::function<void(const std::string&)> warn;
};

/// One command of a plan. argv is exact except where an ID is only known once nvidia-smi has
/// created the instance; that argument then reads "<GI of PROFILE@START:SIZE>".
struct planned_command {
  std::vector<std::string> argv;
  std::string purpose;
};

struct lifecycle_plan {
  int gpu = 0;
  mig_layout recorded;                      ///< what is there now and will be put back
  std::vector<instance_placement> geometry; ///< where each requested instance goes
  std::vector<planned_command> apply;       ///< destroy the recorded layout, create the geometry
  std::vector<planned_command> restore;     ///< destroy the geometry, recreate the recorded layout
};

/// The commands a run would issue, computed without running anything. Throws usage_error when
/// the geometry does not fit `board`.
[[nodiscard]] lifecycle_plan plan_lifecycle(const nvidia_smi& smi, int gpu,
                                            const mig_layout& current, const board_catalog& board,
                                            const std::vector<std::string>& geometry,
                                            bool explicit_placements);

/// The recorded layout could not be put back. what() says why and lists the commands to run by
/// hand (as root); commands() holds them one per entry.
class mig_restore_error : public environment_error {
public:
  mig_restore_error(const std::string& message, std::vector<std::string> commands);
  [[nodiscard]] const std::vector<std::string>& commands() const noexcept { return m_commands; }

private:
  std::vector<std::string> m_commands;
};

class mig_lifecycle {
public:
  mig_lifecycle(const nvidia_smi& smi, lifecycle_options options);
  mig_lifecycle(const mig_lifecycle&) = delete;
  mig_lifecycle& operator=(const mig_lifecycle&) = delete;

  /// Checks MIG mode, reads the live profile table and the current layout (read-only nvidia-smi
  /// calls, nothing is changed) and returns the plan run() would follow.
  [[nodiscard]] lifecycle_plan dry_run() const;

  /// Applies the geometry, calls `body` with the resulting layout (its MIG devices carry the
  /// MIG-<uuid> for CUDA_VISIBLE_DEVICES), then restores the recorded layout. Throws
  /// environment_error when MIG is not enabled or instances may not be changed (before anything
  /// is touched), usage_error when the geometry does not fit, nvidia_smi_error for a failed
  /// step, interrupted_error on SIGINT/SIGTERM, whatever `body` throws, and mig_restore_error
  /// when everything else succeeded but the restore did not.
  void run(const std::function<void(const mig_layout&)>& body);

  /// Why the last restore that ran behind another error failed; "" when it did not fail.
  [[nodiscard]] const std::string& restore_failure() const noexcept { return m_restore_failure; }

private:
  struct prepared {
    board_catalog board;
    validation_result validation;
    mig_layout recorded;
  };
  [[nodiscard]] prepared prepare(bool check_permission) const;
  void mutate(const std::function<void()>& step);
  void restore(const mig_layout& recorded) const;
  void restore_behind_error(const mig_layout& recorded) noexcept;

  const nvidia_smi& m_smi;
  lifecycle_options m_options;
  int m_attempted = 0; ///< mutations tried since the layout was recorded
  int m_succeeded = 0;
  std::string m_restore_failure;
};

} // namespace gpushare::mig
