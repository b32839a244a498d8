#pragma once
// Captures what this machine has: host, NVIDIA driver, CUDA versions, every GPU, MPS daemons.
// Used by `probe`, by the start-up gate of every measuring mode, and recorded in each report.

#include "harness/nvml_library.hpp"
#include "harness/records.hpp"

#include <string>

namespace gpushare {

struct environment_options {
  std::string cuda_driver_library = "libcuda.so.1"; ///< tests point this elsewhere
  std::string nvml_library = "libnvidia-ml.so.1";
  std::string proc_root = "/proc";
};

/// Never throws for a missing driver or GPU: it sets cuda_available = false and says why in
/// unavailable_reason (one sentence that ends with what to do).
[[nodiscard]] environment_info capture_environment(const environment_options& options = {});

[[nodiscard]] host_info capture_host();

/// Formats 16 raw uuid bytes as nvidia-smi prints them: GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
[[nodiscard]] std::string format_gpu_uuid(const unsigned char (&bytes)[16]);

/// Fills what NVML knows of `gpu` (CUDA's view of one device): which device NVML calls it
/// (on a MIG-enabled GPU CUDA may run on a MIG instance: its uuid becomes "MIG-..." and the
/// GPU's goes into mig_parent_uuid), the GPU's NVML record and its MIG mode.
void describe_with_nvml(gpu_info& gpu, const nvml_library& nvml);

/// Throws environment_error with unavailable_reason when no CUDA device can be used, and
/// usage_error when `device` is not one of the devices found.
void require_cuda_device(const environment_info& environment, int device);

} // namespace gpushare
