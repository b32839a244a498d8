#pragma once
// What exists on a MIG-enabled GPU right now: its GPU instances (where they sit in the memory
// slices), the compute instances inside them, and the MIG devices CUDA sees, as
// `nvidia-smi mig -lgi`, `nvidia-smi mig -lci` and `nvidia-smi -L` print them. Plain values:
// recorded before a geometry is applied so the same layout can be put back afterwards.

#include "mig/mig_profile.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gpushare::mig {

struct gpu_instance {
  int gpu = 0;                    ///< GPU index
  int id = -1;                    ///< the GPU instance ID (`-gi`), chosen by the driver at creation
  int profile_id = -1;            ///< GPU instance profile ID, as `-cgi` takes it
  std::string profile;            ///< "3g.20gb" (nvidia-smi's "MIG " prefix removed)
  std::optional<placement> where; ///< "Start:Size"; old drivers may not print it
};

struct compute_instance {
  int gpu = 0;
  int gpu_instance_id = -1; ///< the parent GPU instance
  int id = -1;              ///< the compute instance ID (`-ci`), unique within its GPU instance
  int profile_id = -1;      ///< compute instance profile ID, as `-cci` takes it
  std::string profile;      ///< "1c.2g.10gb" or, for a whole-instance CI, "2g.10gb"
  /// Compute slices inside the GPU instance; printed by recent drivers only.
  std::optional<placement> where;
};

/// One line of `nvidia-smi -L` under a GPU: what CUDA_VISIBLE_DEVICES=MIG-... selects.
struct mig_device {
  int gpu = 0;
  int device_index = -1;    ///< "Device N" of `nvidia-smi -L`, the "MIG Dev" column of `nvidia-smi`
  std::string profile;      ///< "1c.2g.10gb"
  std::string uuid;         ///< "MIG-c421..." (R470+) or "MIG-GPU-<gpu uuid>/<gi>/<ci>" (R450)
  int gpu_instance_id = -1; ///< -1 until joined with the device table or the compute instances
  int compute_instance_id = -1;
};

struct mig_layout {
  int gpu = 0;
  std::string gpu_name; ///< "NVIDIA A100-SXM4-40GB"
  std::string gpu_uuid; ///< "GPU-9e4a..."
  std::vector<gpu_instance> gpu_instances;
  std::vector<compute_instance> compute_instances;
  std::vector<mig_device> devices;
};

} // namespace gpushare::mig
