#pragma once
// --mode mig as the command line runs it: one tenant per MIG instance of the chosen GPU (the
// instances that exist, or a geometry applied with --mig-apply and undone afterwards), each
// measured alone on its instance and then all together. Instances are hardware partitions, so
// shared / solo should stay near 1.0: that ratio is the interference the mode reports.

#include "common/error.hpp"
#include "harness/records.hpp"
#include "harness/run_config.hpp"
#include "harness/telemetry_sampler.hpp"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace gpushare::cli {

/// MIG cannot be measured on the GPU as it is (MIG off or pending, no instances, or nvidia-smi's
/// GPU is not the one CUDA calls --device): --mode all records its mig step as skipped with
/// this reason, where any other failure fails the run.
class mig_unavailable_error : public environment_error {
public:
  using environment_error::environment_error;
};

/// One workload per instance: none -> the default workload on every instance, one -> that one
/// on every instance, as many as instances -> in order. Throws usage_error otherwise.
[[nodiscard]] std::vector<std::string> workloads_for_instances(const run_config& config,
                                                               std::size_t instances);

/// Solo throughput of `workload` on the whole GPU from the timeslice/mps runs of this report,
/// the median over the tenants that ran it; nullopt when none did.
[[nodiscard]] std::optional<double> whole_gpu_solo_throughput(const std::vector<run_record>& runs,
                                                              const std::string& workload);

/// The MIG instances that exist on GPU --device (nvidia-smi's index), for other modes that put
/// tenants on them. Throws mig_unavailable_error as measure_mig does when there are none.
[[nodiscard]] std::vector<mig_instance_record>
existing_mig_instances(const run_config& config, const std::string& cuda_gpu_uuid);

/// Moves an instance of another GPU instance than the first one's into second place, so that
/// the first two share no memory (compute instances of one GPU instance share its memory and
/// memory bandwidth). False, and `instances` unchanged, when there is no such instance or the
/// GPU instance ids are not known.
[[nodiscard]] bool separate_gpu_instances_first(std::vector<mig_instance_record>& instances);

/// Measures the instances of GPU --device (nvidia-smi's index), or with --mig-apply the
/// instances of --mig-geometry created for the run. `earlier_runs` are this report's runs so
/// far (for the fraction of the whole GPU). With --dry-run it prints the commands to `out` and
/// returns a skipped run. Throws environment_error when MIG is not usable on the GPU, no
/// instance exists or nvidia-smi cannot be run, usage_error for a bad geometry or options.
/// `cuda_gpu_uuid` is the whole GPU CUDA calls --device, when CUDA sees one with MIG off ("" when
/// not known); a MIG-enabled nvidia-smi GPU --device is then a different GPU and is refused.
[[nodiscard]] run_record measure_mig(const run_config& config, const std::string& cuda_gpu_uuid,
                                     const std::vector<run_record>& earlier_runs, std::ostream& out,
                                     const telemetry_settings& telemetry = {});

} // namespace gpushare::cli
