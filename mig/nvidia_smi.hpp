#pragma once
// Running nvidia-smi for MIG: every call an argument vector with `-i <gpu>` and a timeout (through
// run_process, never a shell), every mutation naming exact instance IDs, and every answer parsed
// by nvidia_smi_parser. The program is configurable so tests can put a recording stand-in in its
// place and users can point at a driver's own copy.

#include "common/error.hpp"
#include "harness/subprocess.hpp"
#include "mig/mig_layout.hpp"
#include "mig/mig_profile.hpp"
#include "mig/nvidia_smi_parser.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gpushare::mig {

struct nvidia_smi_options {
  std::string program = "nvidia-smi"; ///< a path, or a name looked up in PATH
  /// Per call. Creating a GPU instance takes seconds; a hung driver call must not hang the run.
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  /// Set for the child on top of this process's environment.
  std::map<std::string, std::string> environment;
};

/// An nvidia-smi call that did not do what was asked: it could not start, timed out, exited
/// non-zero or reported a failure. what() names the command and quotes what nvidia-smi said.
class nvidia_smi_error : public environment_error {
public:
  nvidia_smi_error(const std::string& message, std::vector<std::string> argv, std::string output,
                   bool permission_denied);
  [[nodiscard]] const std::vector<std::string>& argv() const noexcept { return m_argv; }
  /// stdout followed by stderr.
  [[nodiscard]] const std::string& output() const noexcept { return m_output; }
  [[nodiscard]] bool permission_denied() const noexcept { return m_permission_denied; }

private:
  std::vector<std::string> m_argv;
  std::string m_output;
  bool m_permission_denied;
};

struct nvidia_smi_call {
  std::vector<std::string> argv; ///< program first
  process_outcome outcome;
  [[nodiscard]] std::string text() const { return outcome.out + outcome.err; }
};

/// "nvidia-smi mig -i 0 -gi 3 -dgi": arguments joined with spaces, quoted where a shell would
/// need it, for messages and dry runs (never executed through a shell).
[[nodiscard]] std::string format_command(const std::vector<std::string>& argv);

class nvidia_smi {
public:
  explicit nvidia_smi(nvidia_smi_options options = {});

  [[nodiscard]] const std::string& program() const noexcept { return m_options.program; }

  /// Runs `program args...` with the timeout. Throws nvidia_smi_error when it cannot be started
  /// or times out; any exit status is returned to the caller.
  [[nodiscard]] nvidia_smi_call run(const std::vector<std::string>& args) const;

  // Reads. A state message (MIG disabled, no instances, ...) is returned in the listing's state;
  // any other failure throws nvidia_smi_error, unreadable output nvidia_smi_output_error.

  /// `nvidia-smi -i G --query-gpu=index,name,uuid,mig.mode.current,mig.mode.pending
  /// --format=csv,noheader`.
  [[nodiscard]] gpu_mig_mode mig_mode(int gpu) const;
  [[nodiscard]] gpu_instance_profile_listing gpu_instance_profiles(int gpu) const;
  [[nodiscard]] placement_listing gpu_instance_placements(int gpu) const;
  [[nodiscard]] gpu_instance_listing gpu_instances(int gpu) const;
  [[nodiscard]] compute_instance_listing compute_instances(int gpu) const;
  /// `nvidia-smi -i G -L`.
  [[nodiscard]] listed_gpu list_gpu(int gpu) const;
  /// The "MIG devices:" table of `nvidia-smi -i G`.
  [[nodiscard]] std::vector<mig_device_row> mig_device_table(int gpu) const;

  // Mutations. Each throws nvidia_smi_error when nvidia-smi exits non-zero or reports
  // "Unable to ..."/"Failed to ..."; permission_denied() tells a missing privilege apart.

  /// `nvidia-smi mig -i G -cgi PROFILE[:START] [-C]`.
  creation_report create_gpu_instance(int gpu, int profile_id, std::optional<int> start,
                                      bool default_compute_instance) const;
  /// `nvidia-smi mig -i G -gi GI -cci PROFILE`.
  creation_report create_compute_instance(int gpu, int gpu_instance_id, int profile_id) const;
  /// `nvidia-smi mig -i G -gi GI -ci CI -dci`.
  void destroy_compute_instance(int gpu, int gpu_instance_id, int compute_instance_id) const;
  /// `nvidia-smi mig -i G -gi GI -dgi`.
  void destroy_gpu_instance(int gpu, int gpu_instance_id) const;

  // The argument vectors of the mutations (program first), for plans and hand-run instructions.
  [[nodiscard]] std::vector<std::string> create_gpu_instance_argv(int gpu, int profile_id,
                                                                  std::optional<int> start,
                                                                  bool default_ci) const;
  [[nodiscard]] std::vector<std::string> create_compute_instance_argv(int gpu, int gpu_instance_id,
                                                                      int profile_id) const;
  [[nodiscard]] std::vector<std::string>
  destroy_compute_instance_argv(int gpu, int gpu_instance_id, int compute_instance_id) const;
  [[nodiscard]] std::vector<std::string> destroy_gpu_instance_argv(int gpu,
                                                                   int gpu_instance_id) const;

private:
  [[nodiscard]] std::string read(const std::vector<std::string>& args) const;
  creation_report mutate_and_report(const std::vector<std::string>& argv) const;

  nvidia_smi_options m_options;
};

/// "" when `mode` allows MIG instances now (current and pending both Enabled), else why not and
/// how to fix it: enabling needs root (`nvidia-smi -i N -mig 1`), an idle GPU and a GPU reset or
/// reboot before it takes effect.
[[nodiscard]] std::string mig_mode_problem(const gpu_mig_mode& mode);

/// Everything on one GPU: its GPU instances, compute instances and MIG devices (with their
/// MIG-<uuid> for CUDA_VISIBLE_DEVICES and their GI/CI IDs). Throws environment_error when MIG is
/// disabled or not supported on `gpu`, nvidia_smi_error when nvidia-smi fails.
[[nodiscard]] mig_layout list_layout(const nvidia_smi& smi, int gpu);

/// The live profile table of `gpu` (`-lgip` and `-lgipp`) as a catalog that wins over the
/// built-in one. `gpu_name` names the board in the catalog.
[[nodiscard]] board_catalog live_catalog(const nvidia_smi& smi, int gpu,
                                         const std::string& gpu_name);

} // namespace gpushare::mig
