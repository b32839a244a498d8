#include "harness/environment.hpp"

#include "common/error.hpp"
#include "harness/mps_detect.hpp"
#include "harness/nvml_library.hpp"

#include <cuda_runtime_api.h>

#include <fmt/format.h>

#include <cstdlib>
#include <dlfcn.h>
#include <fstream>
#include <sys/utsname.h>
#include <thread>
#include <unistd.h>

namespace gpushare {
namespace {

constexpr const char* what_to_do =
    "install the NVIDIA driver and check that nvidia-smi lists a GPU, or run on a machine "
    "with one";

/// The CUDA runtime would report a missing driver as "driver version is insufficient", which
/// misleads; loading the driver library first tells the two cases apart.
std::string driver_library_problem(const std::string& library) {
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return fmt::format("no NVIDIA driver found ({} could not be loaded: {})", library,
                       why != nullptr ? why : "unknown reason");
  }
  dlclose(handle);
  return "";
}

std::string compute_mode_name(int mode) {
  switch (mode) {
  case cudaComputeModeDefault:
    return "default";
  case cudaComputeModeExclusiveProcess:
    return "exclusive_process";
  case cudaComputeModeProhibited:
    return "prohibited";
  default:
    return "unknown";
  }
}

int device_attribute(cudaDeviceAttr attribute, int device) {
  int value = 0;
  // Attributes that an old driver does not know are reported as 0 rather than failing probe.
  if (cudaDeviceGetAttribute(&value, attribute, device) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  return value;
}

gpu_info describe_gpu(int device, const cudaDeviceProp& properties) {
  gpu_info gpu;
  gpu.index = device;
  gpu.name = properties.name;
  unsigned char uuid[16];
  for (int i = 0; i < 16; ++i) {
    uuid[i] = static_cast<unsigned char>(properties.uuid.bytes[i]);
  }
  gpu.uuid = format_gpu_uuid(uuid);
  gpu.pci_bus_id = fmt::format("{:08X}:{:02X}:{:02X}.0", properties.pciDomainID,
                               properties.pciBusID, properties.pciDeviceID);
  gpu.compute_capability_major = properties.major;
  gpu.compute_capability_minor = properties.minor;
  gpu.sm_count = properties.multiProcessorCount;
  gpu.memory_bytes = properties.totalGlobalMem;
  gpu.async_engine_count = properties.asyncEngineCount;
  gpu.l2_cache_bytes = properties.l2CacheSize;
  gpu.compute_mode = compute_mode_name(device_attribute(cudaDevAttrComputeMode, device));
  gpu.sm_clock_max_mhz = device_attribute(cudaDevAttrClockRate, device) / 1000;
  gpu.memory_clock_max_mhz = device_attribute(cudaDevAttrMemoryClockRate, device) / 1000;
  return gpu;
}

std::string read_cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        return line.substr(line.find_first_not_of(' ', colon + 1));
      }
    }
  }
  return "";
}

} // namespace

std::string format_gpu_uuid(const unsigned char (&b)[16]) {
  return fmt::format("GPU-{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-"
                     "{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
                     b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                     b[12], b[13], b[14], b[15]);
}

host_info capture_host() {
  host_info host;
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) == 0) {
    host.hostname = name;
  }
  utsname system{};
  if (uname(&system) == 0) {
    host.os = fmt::format("{} {} {}", system.sysname, system.release, system.machine);
  }
  host.cpu_model = read_cpu_model();
  host.cpu_count = std::thread::hardware_concurrency();
  return host;
}

environment_info capture_environment(const environment_options& options) {
  environment_info environment;
  environment.mps = detect_mps(options.proc_root, std::getenv("CUDA_MPS_PIPE_DIRECTORY"));
  (void)cudaRuntimeGetVersion(&environment.cuda_runtime_version);

  // NVML first and on its own: it needs no CUDA, and on a machine without a driver its
  // answer (the library missing, or nvmlInit failing) is what says why telemetry is absent.
  const nvml_library nvml = nvml_library::open(options.nvml_library);
  environment.nvml_status = nvml.usable() ? "ok" : nvml.error();
  environment.nvml_version = nvml.version();

  const std::string driver_problem = driver_library_problem(options.cuda_driver_library);
  if (!driver_problem.empty()) {
    environment.unavailable_reason = driver_problem + ": " + what_to_do;
    return environment;
  }
  (void)cudaDriverGetVersion(&environment.cuda_driver_version);

  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess || count == 0) {
    const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
    std::string hint;
    if (visible != nullptr) {
      hint = fmt::format(" (CUDA_VISIBLE_DEVICES is set to '{}')", visible);
    }
    environment.unavailable_reason =
        status != cudaSuccess
            ? fmt::format("no usable CUDA device: cudaGetDeviceCount failed with {} ({}){}",
                          cudaGetErrorName(status), cudaGetErrorString(status), hint)
            : fmt::format("no CUDA device found{}", hint);
    environment.unavailable_reason += std::string(": ") + what_to_do;
    (void)cudaGetLastError();
  }
  for (int device = 0; device < count; ++device) {
    cudaDeviceProp properties{};
    const cudaError_t query = cudaGetDeviceProperties(&properties, device);
    if (query != cudaSuccess) {
      environment.unavailable_reason =
          fmt::format("cudaGetDeviceProperties({}) failed with {} ({})", device,
                      cudaGetErrorName(query), cudaGetErrorString(query));
      environment.gpus.clear();
      break;
    }
    environment.gpus.push_back(describe_gpu(device, properties));
  }
  environment.cuda_available = environment.unavailable_reason.empty() && !environment.gpus.empty();

  if (nvml.usable()) {
    std::string why;
    environment.driver_release = nvml.driver_version(&why).value_or("");
    for (auto& gpu : environment.gpus) {
      describe_with_nvml(gpu, nvml);
    }
  }
  for (auto& gpu : environment.gpus) {
    if (gpu.mig_mode.empty()) {
      gpu.mig_mode = "unknown";
      gpu.mig_detail = environment.nvml_status;
    }
  }
  return environment;
}

void describe_with_nvml(gpu_info& gpu, const nvml_library& nvml) {
  // Matched by uuid: NVML and CUDA number GPUs differently (CUDA_VISIBLE_DEVICES,
  // CUDA_DEVICE_ORDER), the uuid is the same in both.
  const nvml_identity identity = nvml.identify(gpu.uuid);
  if (!identity.uuid.empty()) {
    gpu.uuid = identity.uuid;
  }
  if (identity.uuid.rfind("MIG-", 0) == 0) {
    // A MIG instance exists only on a GPU in MIG mode; the GPU is the one NVML describes.
    gpu.mig_mode = "enabled";
    gpu.mig_parent_uuid = identity.gpu_uuid;
    if (identity.gpu_uuid.empty()) {
      gpu.mig_detail = fmt::format("CUDA runs on MIG instance {}; its GPU is unknown: {}",
                                   identity.uuid, identity.error);
      return;
    }
    gpu.mig_detail =
        fmt::format("CUDA runs on MIG instance {} of {}", identity.uuid, identity.gpu_uuid);
    gpu.nvml = nvml.describe_gpu(identity.gpu_uuid);
    const mig_query mig = nvml.mig_mode(identity.gpu_uuid);
    if (mig.mode && !mig.mode->pending_enabled) {
      gpu.mig_detail += "; disable pending a GPU reset";
    }
    return;
  }
  gpu.nvml = nvml.describe_gpu(gpu.uuid);
  const mig_query mig = nvml.mig_mode(gpu.uuid);
  if (mig.not_supported) {
    gpu.mig_mode = "unsupported";
  } else if (mig.mode) {
    gpu.mig_mode = mig.mode->current_enabled ? "enabled" : "disabled";
    if (mig.mode->pending_enabled != mig.mode->current_enabled) {
      gpu.mig_detail =
          mig.mode->pending_enabled ? "enable pending a GPU reset" : "disable pending a GPU reset";
    }
  } else {
    gpu.mig_mode = "unknown";
    gpu.mig_detail = identity.error.empty() ? mig.error : identity.error;
  }
}

void require_cuda_device(const environment_info& environment, int device) {
  if (!environment.cuda_available) {
    throw environment_error(environment.unavailable_reason);
  }
  const int count = static_cast<int>(environment.gpus.size());
  if (device < 0 || device >= count) {
    throw usage_error(fmt::format("--device {}: this machine has {} CUDA device{} (valid: 0..{})",
                                  device, count, count == 1 ? "" : "s", count - 1));
  }
}

} // namespace gpushare
