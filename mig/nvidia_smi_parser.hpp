#pragma once
// Reading what nvidia-smi prints about MIG. The formats are tables meant for people, so every
// parser is strict: a line it does not understand is an error naming the command and the line,
// never a silently skipped row (a skipped GPU instance would be destroyed and not restored).
// Messages such as "No MIG-enabled devices found." are states of the GPU, not parse errors.
//
// Formats as recorded in tests/fixtures/nvidia-smi/ (drivers R450 to R580).

#include "common/error.hpp"
#include "mig/mig_layout.hpp"
#include "mig/mig_profile.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gpushare::mig {

/// An nvidia-smi output we cannot read; what() names the command, the line number and the line.
class nvidia_smi_output_error : public environment_error {
public:
  using environment_error::environment_error;
};

/// What a listing says about the GPU besides its rows.
enum class smi_state {
  ok,                ///< a table (possibly empty) was printed
  mig_disabled,      ///< "No MIG-enabled devices found."
  mig_unsupported,   ///< "No MIG-supported devices found."
  no_instances,      ///< "No GPU instances found: Not Found" / "No compute instances found: ..."
  permission_denied, ///< "... Insufficient Permissions"
};

[[nodiscard]] const char* to_string(smi_state state);

/// The state a message line stands for; ok when the line is no known state message.
[[nodiscard]] smi_state classify_message(std::string_view line);

/// One profile of `nvidia-smi mig -lgip` (two table lines per profile on current drivers).
struct gpu_instance_profile_row {
  int gpu = 0;
  std::string name; ///< "1g.10gb+me" ("MIG " prefix removed)
  int id = -1;
  int free = 0;  ///< instances that can still be created now
  int total = 0; ///< instances of this profile a GPU can hold at most
  double memory_gib = 0;
  std::string p2p; ///< "No" on every board we know
  int sm = 0;
  int dec = 0;
  int enc = 0;
  std::optional<int> ce; ///< the second line: CE, JPEG, OFA
  std::optional<int> jpeg;
  std::optional<int> ofa;
};

struct gpu_instance_profile_listing {
  smi_state state = smi_state::ok;
  std::vector<gpu_instance_profile_row> profiles;
};

/// One line of `nvidia-smi mig -lgipp`: "GPU  0 Profile ID 19 Placements: {0,1,2,3,4,5,6}:1".
struct profile_placements {
  int gpu = 0;
  int profile_id = -1;
  std::vector<placement> placements;
};

struct placement_listing {
  smi_state state = smi_state::ok;
  std::vector<profile_placements> profiles;
};

struct gpu_instance_listing {
  smi_state state = smi_state::ok;
  std::vector<gpu_instance> instances;
};

struct compute_instance_listing {
  smi_state state = smi_state::ok;
  std::vector<compute_instance> instances;
};

/// One GPU of `nvidia-smi -L` with the MIG devices listed under it.
struct listed_gpu {
  int index = -1;
  std::string name; ///< "NVIDIA A100-SXM4-40GB" (R470 and older print "A100-SXM4-40GB")
  std::string uuid;
  std::vector<mig_device> devices;
};

enum class mig_mode_value { enabled, disabled, not_supported };

/// One line of `nvidia-smi --query-gpu=index,name,uuid,mig.mode.current,mig.mode.pending
/// --format=csv,noheader`.
struct gpu_mig_mode {
  int index = -1;
  std::string name;
  std::string uuid;
  mig_mode_value current = mig_mode_value::not_supported;
  mig_mode_value pending = mig_mode_value::not_supported;
};

/// A row of the "MIG devices:" table of plain `nvidia-smi`: which GPU/compute instance pair is
/// MIG device N (the "Device N" of `nvidia-smi -L`).
struct mig_device_row {
  int gpu = 0;
  int gpu_instance_id = -1;
  int compute_instance_id = -1;
  int device_index = -1;
};

/// What `nvidia-smi mig -cgi ... [-C]` or `-cci` reported. Drivers before R470 print no instance
/// IDs ("Successfully created GPU instance on GPU  0 using profile ID  9"): id is empty then.
struct created_gpu_instance {
  int gpu = 0;
  std::optional<int> id;
  std::string profile; ///< empty when the driver printed only the profile ID
  int profile_id = -1;
};
struct created_compute_instance {
  int gpu = 0;
  int gpu_instance_id = -1;
  std::optional<int> id;
  std::string profile;
  int profile_id = -1;
};
struct creation_report {
  std::vector<created_gpu_instance> gpu_instances;
  std::vector<created_compute_instance> compute_instances;
  /// "Unable to create ..." / "Failed to create ..." lines, verbatim.
  std::vector<std::string> failures;
  /// Lines that are none of the above (kept for error messages, not an error by themselves:
  /// the lifecycle lists the instances afterwards anyway).
  std::vector<std::string> other;
};

[[nodiscard]] gpu_instance_profile_listing parse_gpu_instance_profiles(std::string_view text);
[[nodiscard]] placement_listing parse_gpu_instance_placements(std::string_view text);
[[nodiscard]] gpu_instance_listing parse_gpu_instances(std::string_view text);
[[nodiscard]] compute_instance_listing parse_compute_instances(std::string_view text);
/// `nvidia-smi -L`. "No devices were found" gives an empty list.
[[nodiscard]] std::vector<listed_gpu> parse_gpu_list(std::string_view text);
[[nodiscard]] std::vector<gpu_mig_mode> parse_mig_mode_query(std::string_view text);
/// The "MIG devices:" section of plain `nvidia-smi`; empty when there is none.
[[nodiscard]] std::vector<mig_device_row> parse_mig_device_table(std::string_view text);
[[nodiscard]] creation_report parse_creation_output(std::string_view text);

/// The live profile table of one GPU as a board catalog (origin nvidia_smi), so it can replace
/// the built-in one: profiles from `-lgip`, placements from `-lgipp`. Throws
/// nvidia_smi_output_error when `gpu` has no profile in `profiles`.
[[nodiscard]] board_catalog to_board_catalog(const gpu_instance_profile_listing& profiles,
                                             const placement_listing& placements, int gpu,
                                             const std::string& gpu_name);

} // namespace gpushare::mig
