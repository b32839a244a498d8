#pragma once
// What a MIG-capable board offers: its GPU instance profiles, how many of each can exist and
// where each may be placed. Filled from the built-in catalog (NVIDIA's MIG user guide) or, on a
// real GPU, from the live table (`nvidia-smi mig -lgip` / `-lgipp`, or NVML), which wins.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gpushare::mig {

/// Where an instance may start and how much of the board it covers, in the board's memory
/// slices (0..memory_slices-1), as `nvidia-smi mig -lgipp` prints "{start}:size".
struct placement {
  int start = 0;
  int size = 0;
  friend bool operator==(const placement& a, const placement& b) {
    return a.start == b.start && a.size == b.size;
  }
};

struct gpu_instance_profile {
  std::string name;             ///< as nvidia-smi prints it: "1g.10gb", "1g.10gb+me", "1g.20gb"
  int id = -1;                  ///< the "ID" column of `nvidia-smi mig -lgip`
  int compute_slices = 0;       ///< the N of "Ng"
  int memory_slices = 0;        ///< size of every placement, in memory slices
  std::uint64_t memory_mib = 0; ///< instance memory as nvidia-smi reports it (0 = unknown)
  std::optional<int> sm_count;  ///< where documented or read from the GPU
  int max_instances = 0;        ///< how many of this profile can exist at once on one GPU
  std::vector<placement> placements;
  bool media_extensions = false; ///< a "+me" profile (the board's decoders/JPEG/OFA)
  /// The placements were deduced from the guide's memory fractions and instance counts because
  /// no `-lgipp` listing for this board was found; a live table replaces them.
  bool placements_inferred = false;
};

enum class catalog_source { builtin, nvidia_smi, nvml };

struct board_catalog {
  std::string model;                ///< our key: "A100-40GB", "H100-80GB", ...
  std::vector<std::string> aliases; ///< product names the driver reports for this board
  int compute_slices = 7;
  int memory_slices = 8;
  std::uint64_t memory_mib = 0;
  std::string source; ///< document and section the figures come from
  catalog_source origin = catalog_source::builtin;
  std::vector<gpu_instance_profile> profiles;
  /// Figures the source leaves open (unknown IDs, memory or SM counts, deduced placements),
  /// one sentence each, so every table built from this catalog can say what it does not know.
  std::vector<std::string> caveats;
};

} // namespace gpushare::mig
