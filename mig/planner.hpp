#pragma once
// Packing workloads onto MIG instances: each workload gets an instance with at least the
// memory it needs, on the fewest GPUs of one board, and what sharing instances would save
// when there are more workloads than one GPU has instances.

#include "mig/geometry.hpp"
#include "mig/mig_profile.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gpushare::mig {

/// `count` workloads that each need `memory_mib` of device memory.
struct workload_need {
  std::uint64_t memory_mib = 0;
  int count = 1;
  std::string size_text; ///< the size as given ("8GiB"), for output
};

/// Parses "SIZE:COUNT" ("8GiB:10", "512MiB:3", "1.5G"; COUNT defaults to 1). Units: GiB/G and
/// MiB/M (binary), GB and MB (decimal), case-insensitive. Throws usage_error.
[[nodiscard]] workload_need parse_need(std::string_view text);

/// The instance one need is given: the smallest profile whose memory holds it.
struct need_assignment {
  workload_need need;
  std::string profile;
  std::uint64_t instance_mib = 0;
};

/// One instance of a planned GPU and the workloads it serves (indices into plan_result::needs).
struct planned_instance {
  instance_placement instance;
  std::uint64_t memory_mib = 0;
  std::vector<std::size_t> workloads;
  std::uint64_t used_mib = 0; ///< the sum of the needs of its workloads
};

struct planned_gpu {
  std::vector<planned_instance> instances;
  std::uint64_t idle_in_instances_mib = 0; ///< instance memory minus the needs it serves
  int unassigned_memory_slices = 0;        ///< memory slices no instance covers
  std::uint64_t unassigned_mib_estimate = 0;
};

/// What serving the same workloads costs when several share one instance (MPS or
/// time-slicing inside a MIG instance), instead of one instance each.
struct sharing_option {
  std::string profile;       ///< the instance every GPU is cut into
  int instances_per_gpu = 0; ///< how many of it one GPU holds
  std::uint64_t instance_mib = 0;
  int mps_clients_per_instance = 0; ///< MPS's 48 clients, scaled by the instance's compute share
  int gpus_time_slicing = 0;        ///< packed by memory only
  int gpus_mps = 0;                 ///< packed by memory and the MPS client limit
  int most_per_instance = 0;        ///< workloads on the fullest instance (time-slicing)
};

struct plan_result {
  std::string board;
  std::vector<need_assignment> needs;
  std::vector<planned_gpu> gpus;
  int workloads = 0;
  int lower_bound_gpus = 0;             ///< no packing can use fewer GPUs than this
  bool proven_fewest = false;           ///< the search showed no packing uses fewer GPUs
  int max_instances_per_gpu = 0;        ///< the most instances any valid geometry of the board has
  std::uint64_t slice_mib_estimate = 0; ///< memory of one memory slice, for unassigned slices
  std::vector<sharing_option> sharing;  ///< filled when workloads > max_instances_per_gpu
  std::vector<std::string> notes;       ///< profiles left out and why
};

/// Gives every workload of `needs` its own instance (the smallest profile that holds its
/// memory) and packs the instances into the fewest GPUs of `board`. Every GPU's geometry is
/// checked by validate_geometry. Throws usage_error when a need exceeds every profile.
[[nodiscard]] plan_result plan_packing(const board_catalog& board,
                                       const std::vector<workload_need>& needs);

} // namespace gpushare::mig
