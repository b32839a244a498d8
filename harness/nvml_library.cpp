#include "harness/nvml_library.hpp"

#include <fmt/format.h>

#include <dlfcn.h>
#include <limits>
#include <map>
#include <vector>

namespace gpushare {
namespace {

// The NVML declarations used here, restated from the NVML API reference so the build does
// not need nvml.h (it is not part of every CUDA toolkit installation).
using nvml_return = int;
struct nvml_device_opaque;
using nvml_device = nvml_device_opaque*;
constexpr nvml_return nvml_success = 0;
constexpr nvml_return nvml_error_not_supported = 3;
constexpr nvml_return nvml_error_insufficient_size = 7;
constexpr unsigned nvml_device_mig_enable = 1;
constexpr int nvml_feature_enabled = 1;
constexpr unsigned nvml_system_driver_version_buffer_size = 80;
constexpr unsigned nvml_system_nvml_version_buffer_size = 80;
constexpr unsigned nvml_device_name_buffer_size = 96;
constexpr int nvml_clock_sm = 1;
constexpr int nvml_clock_mem = 2;
constexpr int nvml_temperature_gpu = 0;
constexpr unsigned long long nvml_value_not_available =
    std::numeric_limits<unsigned long long>::max();

struct nvml_utilization {
  unsigned gpu;
  unsigned memory;
};
struct nvml_memory {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
struct nvml_pci_info {
  char bus_id_legacy[16];
  unsigned domain;
  unsigned bus;
  unsigned device;
  unsigned pci_device_id;
  unsigned pci_subsystem_id;
  char bus_id[32];
};
struct nvml_process_info {
  unsigned pid;
  unsigned long long used_gpu_memory;
  unsigned gpu_instance_id;
  unsigned compute_instance_id;
};

using nvml_init_fn = nvml_return (*)();
using nvml_shutdown_fn = nvml_return (*)();
using nvml_error_string_fn = const char* (*)(nvml_return);
using nvml_string_fn = nvml_return (*)(char*, unsigned);
using nvml_handle_by_uuid_fn = nvml_return (*)(const char*, nvml_device*);
using nvml_device_string_fn = nvml_return (*)(nvml_device, char*, unsigned);
using nvml_mig_mode_fn = nvml_return (*)(nvml_device, unsigned*, unsigned*);
using nvml_unsigned_fn = nvml_return (*)(nvml_device, unsigned*);
using nvml_int_fn = nvml_return (*)(nvml_device, int*);
using nvml_two_int_fn = nvml_return (*)(nvml_device, int*, int*);
using nvml_clock_fn = nvml_return (*)(nvml_device, int, unsigned*);
using nvml_pci_fn = nvml_return (*)(nvml_device, nvml_pci_info*);
using nvml_utilization_fn = nvml_return (*)(nvml_device, nvml_utilization*);
using nvml_memory_fn = nvml_return (*)(nvml_device, nvml_memory*);
using nvml_reasons_fn = nvml_return (*)(nvml_device, unsigned long long*);
using nvml_processes_fn = nvml_return (*)(nvml_device, unsigned*, nvml_process_info*);
using nvml_parent_fn = nvml_return (*)(nvml_device, nvml_device*);
constexpr unsigned nvml_device_uuid_v2_buffer_size = 96;

std::string compute_mode_name(int mode) {
  switch (mode) {
  case 0:
    return "default";
  case 1:
    return "exclusive_thread";
  case 2:
    return "prohibited";
  case 3:
    return "exclusive_process";
  default:
    return fmt::format("unknown ({})", mode);
  }
}

} // namespace

struct nvml_library::state {
  void* handle = nullptr;
  nvml_shutdown_fn shutdown = nullptr;
  nvml_error_string_fn error_string = nullptr;
  nvml_string_fn driver_version = nullptr;
  nvml_handle_by_uuid_fn handle_by_uuid = nullptr;
  nvml_mig_mode_fn mig_mode = nullptr;
  // Queries a driver may lack (older NVML): null when the symbol is missing, and the query
  // is then recorded as an error naming the symbol instead of failing the whole library.
  nvml_device_string_fn name = nullptr;
  nvml_pci_fn pci_info = nullptr;
  nvml_int_fn compute_mode = nullptr;
  nvml_int_fn persistence_mode = nullptr;
  nvml_two_int_fn ecc_mode = nullptr;
  nvml_unsigned_fn enforced_power_limit = nullptr;
  nvml_clock_fn applications_clock = nullptr;
  nvml_clock_fn max_clock = nullptr;
  nvml_clock_fn clock = nullptr;
  nvml_unsigned_fn pcie_generation = nullptr;
  nvml_unsigned_fn pcie_width = nullptr;
  nvml_unsigned_fn pcie_max_generation = nullptr;
  nvml_unsigned_fn pcie_max_width = nullptr;
  nvml_utilization_fn utilization = nullptr;
  nvml_memory_fn memory = nullptr;
  nvml_unsigned_fn power_usage = nullptr;
  nvml_clock_fn temperature = nullptr;
  nvml_reasons_fn event_reasons = nullptr;
  nvml_processes_fn processes = nullptr;
  nvml_parent_fn parent_of_mig = nullptr;
  nvml_device_string_fn device_uuid = nullptr;
  /// Handles by uuid: the lookup walks every GPU, too slow to repeat in each sample.
  std::map<std::string, nvml_device> devices;

  [[nodiscard]] std::string describe(nvml_return status) const {
    return fmt::format("{} (NVML error {})", error_string(status), status);
  }

  /// The device handle, or the reason it could not be found.
  nvml_device device(const std::string& uuid, std::string& why) {
    const auto found = devices.find(uuid);
    if (found != devices.end()) {
      return found->second;
    }
    nvml_device handle_found = nullptr;
    const nvml_return status = handle_by_uuid(uuid.c_str(), &handle_found);
    if (status != nvml_success) {
      why = "nvmlDeviceGetHandleByUUID(" + uuid + ") failed: " + describe(status);
      return nullptr;
    }
    devices.emplace(uuid, handle_found);
    return handle_found;
  }
};

namespace {

/// Runs one NVML query and files its outcome: the value, "not supported", or the error.
class query_log {
public:
  query_log(nvml_error_string_fn error_string, std::vector<std::string>& unsupported,
            std::vector<std::string>& errors, unsigned* failures = nullptr)
      : m_error_string(error_string), m_unsupported(unsupported), m_errors(errors),
        m_failures(failures) {}

  /// True when `call` succeeded. A missing symbol (old NVML) counts as an error.
  template <typename Function, typename Call>
  bool run(const char* what, Function function, const Call& call) {
    if (function == nullptr) {
      fail(fmt::format("{}: not exported by this libnvidia-ml", what));
      return false;
    }
    const nvml_return status = call(function);
    if (status == nvml_success) {
      return true;
    }
    if (status == nvml_error_not_supported) {
      m_unsupported.emplace_back(what);
    } else {
      fail(fmt::format("{}: {} (NVML error {})", what, m_error_string(status), status));
    }
    return false;
  }

private:
  void fail(std::string message) {
    m_errors.push_back(std::move(message));
    if (m_failures != nullptr) {
      ++*m_failures;
    }
  }

  nvml_error_string_fn m_error_string;
  std::vector<std::string>& m_unsupported;
  std::vector<std::string>& m_errors;
  unsigned* m_failures;
};

} // namespace

nvml_library::nvml_library(std::unique_ptr<state> loaded, std::string error, std::string version)
    : m_state(std::move(loaded)), m_error(std::move(error)), m_version(std::move(version)) {}

nvml_library::nvml_library(nvml_library&& other) noexcept = default;
nvml_library& nvml_library::operator=(nvml_library&& other) noexcept = default;

nvml_library::~nvml_library() {
  if (m_state) {
    // Nothing to do about a failing shutdown while tearing down; the process is leaving NVML.
    (void)m_state->shutdown();
    dlclose(m_state->handle);
  }
}

nvml_library nvml_library::open(const std::string& path) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return nvml_library(nullptr,
                        fmt::format("NVML is unavailable: {} could not be loaded ({}); it comes "
                                    "with the NVIDIA driver",
                                    path, why != nullptr ? why : "unknown reason"),
                        "");
  }
  auto loaded = std::make_unique<state>();
  loaded->handle = handle;
  std::string missing;
  const auto resolve = [&](const char* name) {
    void* symbol = dlsym(handle, name);
    if (symbol == nullptr && missing.empty()) {
      missing = name;
    }
    return symbol;
  };
  const auto optional = [&](const char* name) { return dlsym(handle, name); };
  auto init = reinterpret_cast<nvml_init_fn>(resolve("nvmlInit_v2"));
  loaded->shutdown = reinterpret_cast<nvml_shutdown_fn>(resolve("nvmlShutdown"));
  loaded->error_string = reinterpret_cast<nvml_error_string_fn>(resolve("nvmlErrorString"));
  loaded->driver_version = reinterpret_cast<nvml_string_fn>(resolve("nvmlSystemGetDriverVersion"));
  loaded->handle_by_uuid =
      reinterpret_cast<nvml_handle_by_uuid_fn>(resolve("nvmlDeviceGetHandleByUUID"));
  loaded->mig_mode = reinterpret_cast<nvml_mig_mode_fn>(resolve("nvmlDeviceGetMigMode"));
  loaded->name = reinterpret_cast<nvml_device_string_fn>(optional("nvmlDeviceGetName"));
  loaded->parent_of_mig =
      reinterpret_cast<nvml_parent_fn>(optional("nvmlDeviceGetDeviceHandleFromMigDeviceHandle"));
  loaded->device_uuid = reinterpret_cast<nvml_device_string_fn>(optional("nvmlDeviceGetUUID"));
  loaded->pci_info = reinterpret_cast<nvml_pci_fn>(optional("nvmlDeviceGetPciInfo_v3"));
  loaded->compute_mode = reinterpret_cast<nvml_int_fn>(optional("nvmlDeviceGetComputeMode"));
  loaded->persistence_mode =
      reinterpret_cast<nvml_int_fn>(optional("nvmlDeviceGetPersistenceMode"));
  loaded->ecc_mode = reinterpret_cast<nvml_two_int_fn>(optional("nvmlDeviceGetEccMode"));
  loaded->enforced_power_limit =
      reinterpret_cast<nvml_unsigned_fn>(optional("nvmlDeviceGetEnforcedPowerLimit"));
  loaded->applications_clock =
      reinterpret_cast<nvml_clock_fn>(optional("nvmlDeviceGetApplicationsClock"));
  loaded->max_clock = reinterpret_cast<nvml_clock_fn>(optional("nvmlDeviceGetMaxClockInfo"));
  loaded->clock = reinterpret_cast<nvml_clock_fn>(optional("nvmlDeviceGetClockInfo"));
  loaded->pcie_generation =
      reinterpret_cast<nvml_unsigned_fn>(optional("nvmlDeviceGetCurrPcieLinkGeneration"));
  loaded->pcie_width =
      reinterpret_cast<nvml_unsigned_fn>(optional("nvmlDeviceGetCurrPcieLinkWidth"));
  loaded->pcie_max_generation =
      reinterpret_cast<nvml_unsigned_fn>(optional("nvmlDeviceGetMaxPcieLinkGeneration"));
  loaded->pcie_max_width =
      reinterpret_cast<nvml_unsigned_fn>(optional("nvmlDeviceGetMaxPcieLinkWidth"));
  loaded->utilization =
      reinterpret_cast<nvml_utilization_fn>(optional("nvmlDeviceGetUtilizationRates"));
  loaded->memory = reinterpret_cast<nvml_memory_fn>(optional("nvmlDeviceGetMemoryInfo"));
  loaded->power_usage = reinterpret_cast<nvml_unsigned_fn>(optional("nvmlDeviceGetPowerUsage"));
  loaded->temperature = reinterpret_cast<nvml_clock_fn>(optional("nvmlDeviceGetTemperature"));
  // NVML 12.x renamed "throttle reasons" to "clocks event reasons"; the bits are the same.
  loaded->event_reasons =
      reinterpret_cast<nvml_reasons_fn>(optional("nvmlDeviceGetCurrentClocksEventReasons"));
  if (loaded->event_reasons == nullptr) {
    loaded->event_reasons =
        reinterpret_cast<nvml_reasons_fn>(optional("nvmlDeviceGetCurrentClocksThrottleReasons"));
  }
  loaded->processes =
      reinterpret_cast<nvml_processes_fn>(optional("nvmlDeviceGetComputeRunningProcesses_v3"));
  if (!missing.empty()) {
    dlclose(handle);
    return nvml_library(nullptr,
                        fmt::format("NVML is unavailable: {} lacks the symbol {}; the driver's "
                                    "NVML is too old or the file is not NVML",
                                    path, missing),
                        "");
  }
  // NVML answers its own version without nvmlInit, so a failed init still says which NVML.
  std::string version;
  if (auto nvml_version = reinterpret_cast<nvml_string_fn>(optional("nvmlSystemGetNVMLVersion"))) {
    char buffer[nvml_system_nvml_version_buffer_size] = {};
    if (nvml_version(buffer, sizeof(buffer)) == nvml_success) {
      version = buffer;
    }
  }
  const nvml_return status = init();
  if (status != nvml_success) {
    std::string message =
        fmt::format("NVML is unavailable: nvmlInit_v2 failed: {}", loaded->describe(status));
    dlclose(handle);
    return nvml_library(nullptr, std::move(message), std::move(version));
  }
  return nvml_library(std::move(loaded), "", std::move(version));
}

std::optional<std::string> nvml_library::driver_version(std::string* why) const {
  if (!m_state) {
    if (why != nullptr) {
      *why = m_error;
    }
    return std::nullopt;
  }
  char buffer[nvml_system_driver_version_buffer_size] = {};
  const nvml_return status = m_state->driver_version(buffer, sizeof(buffer));
  if (status != nvml_success) {
    if (why != nullptr) {
      *why = "nvmlSystemGetDriverVersion failed: " + m_state->describe(status);
    }
    return std::nullopt;
  }
  return std::string(buffer);
}

nvml_identity nvml_library::identify(const std::string& cuda_uuid) const {
  nvml_identity identity;
  if (!m_state) {
    identity.error = m_error;
    return identity;
  }
  const auto dash = cuda_uuid.find('-');
  const std::string hex = dash == std::string::npos ? cuda_uuid : cuda_uuid.substr(dash + 1);
  std::string as_gpu;
  if (m_state->device("GPU-" + hex, as_gpu) != nullptr) {
    identity.uuid = "GPU-" + hex;
    identity.gpu_uuid = identity.uuid;
    return identity;
  }
  std::string as_mig;
  const nvml_device instance = m_state->device("MIG-" + hex, as_mig);
  if (instance == nullptr) {
    identity.error = fmt::format("NVML knows the device neither as a GPU ({}) nor as a MIG "
                                 "instance ({})",
                                 as_gpu, as_mig);
    return identity;
  }
  identity.uuid = "MIG-" + hex;
  if (m_state->parent_of_mig == nullptr || m_state->device_uuid == nullptr) {
    identity.error = "this NVML cannot name a MIG instance's GPU "
                     "(nvmlDeviceGetDeviceHandleFromMigDeviceHandle or nvmlDeviceGetUUID missing)";
    return identity;
  }
  nvml_device parent = nullptr;
  nvml_return status = m_state->parent_of_mig(instance, &parent);
  if (status != nvml_success) {
    identity.error =
        "nvmlDeviceGetDeviceHandleFromMigDeviceHandle failed: " + m_state->describe(status);
    return identity;
  }
  char parent_uuid[nvml_device_uuid_v2_buffer_size] = {};
  status = m_state->device_uuid(parent, parent_uuid, sizeof(parent_uuid));
  if (status != nvml_success) {
    identity.error =
        "nvmlDeviceGetUUID of the MIG instance's GPU failed: " + m_state->describe(status);
    return identity;
  }
  identity.gpu_uuid = parent_uuid;
  return identity;
}

mig_query nvml_library::mig_mode(const std::string& gpu_uuid) const {
  mig_query query;
  if (!m_state) {
    query.error = m_error;
    return query;
  }
  nvml_device device = m_state->device(gpu_uuid, query.error);
  if (device == nullptr) {
    return query;
  }
  unsigned current = 0;
  unsigned pending = 0;
  const nvml_return status = m_state->mig_mode(device, &current, &pending);
  if (status == nvml_error_not_supported) {
    query.not_supported = true;
  } else if (status != nvml_success) {
    query.error = "nvmlDeviceGetMigMode failed: " + m_state->describe(status);
  } else {
    query.mode =
        mig_mode_state{current == nvml_device_mig_enable, pending == nvml_device_mig_enable};
  }
  return query;
}

nvml_gpu_record nvml_library::describe_gpu(const std::string& gpu_uuid) const {
  nvml_gpu_record gpu;
  if (!m_state) {
    gpu.errors.push_back(m_error);
    return gpu;
  }
  std::string why;
  nvml_device device = m_state->device(gpu_uuid, why);
  if (device == nullptr) {
    gpu.errors.push_back(why);
    return gpu;
  }
  query_log log(m_state->error_string, gpu.unsupported, gpu.errors);
  char name[nvml_device_name_buffer_size] = {};
  if (log.run("nvmlDeviceGetName", m_state->name,
              [&](auto get) { return get(device, name, sizeof(name)); })) {
    gpu.name = name;
  }
  nvml_pci_info pci{};
  if (log.run("nvmlDeviceGetPciInfo_v3", m_state->pci_info,
              [&](auto get) { return get(device, &pci); })) {
    gpu.pci_bus_id = pci.bus_id;
  }
  const mig_query mig = mig_mode(gpu_uuid);
  if (mig.mode) {
    gpu.mig_current = mig.mode->current_enabled;
    gpu.mig_pending = mig.mode->pending_enabled;
  } else if (mig.not_supported) {
    gpu.unsupported.emplace_back("nvmlDeviceGetMigMode");
  } else {
    gpu.errors.push_back(mig.error);
  }
  int mode = 0;
  if (log.run("nvmlDeviceGetComputeMode", m_state->compute_mode,
              [&](auto get) { return get(device, &mode); })) {
    gpu.compute_mode = compute_mode_name(mode);
  }
  int persistence = 0;
  if (log.run("nvmlDeviceGetPersistenceMode", m_state->persistence_mode,
              [&](auto get) { return get(device, &persistence); })) {
    gpu.persistence_mode = persistence == nvml_feature_enabled;
  }
  int ecc_current = 0;
  int ecc_pending = 0;
  if (log.run("nvmlDeviceGetEccMode", m_state->ecc_mode,
              [&](auto get) { return get(device, &ecc_current, &ecc_pending); })) {
    gpu.ecc_current = ecc_current == nvml_feature_enabled;
    gpu.ecc_pending = ecc_pending == nvml_feature_enabled;
  }
  unsigned milliwatts = 0;
  if (log.run("nvmlDeviceGetEnforcedPowerLimit", m_state->enforced_power_limit,
              [&](auto get) { return get(device, &milliwatts); })) {
    gpu.power_limit_w = milliwatts / 1000.0;
  }
  const auto clock = [&](const char* what, nvml_clock_fn function, int type,
                         std::optional<int>& into) {
    unsigned mhz = 0;
    if (log.run(what, function, [&](auto get) { return get(device, type, &mhz); })) {
      into = static_cast<int>(mhz);
    }
  };
  clock("nvmlDeviceGetApplicationsClock(SM)", m_state->applications_clock, nvml_clock_sm,
        gpu.applications_sm_clock_mhz);
  clock("nvmlDeviceGetApplicationsClock(MEM)", m_state->applications_clock, nvml_clock_mem,
        gpu.applications_memory_clock_mhz);
  clock("nvmlDeviceGetMaxClockInfo(SM)", m_state->max_clock, nvml_clock_sm, gpu.max_sm_clock_mhz);
  clock("nvmlDeviceGetMaxClockInfo(MEM)", m_state->max_clock, nvml_clock_mem,
        gpu.max_memory_clock_mhz);
  const auto link = [&](const char* what, nvml_unsigned_fn function, std::optional<int>& into) {
    unsigned value = 0;
    if (log.run(what, function, [&](auto get) { return get(device, &value); })) {
      into = static_cast<int>(value);
    }
  };
  link("nvmlDeviceGetCurrPcieLinkGeneration", m_state->pcie_generation, gpu.pcie_generation);
  link("nvmlDeviceGetCurrPcieLinkWidth", m_state->pcie_width, gpu.pcie_width);
  link("nvmlDeviceGetMaxPcieLinkGeneration", m_state->pcie_max_generation, gpu.pcie_max_generation);
  link("nvmlDeviceGetMaxPcieLinkWidth", m_state->pcie_max_width, gpu.pcie_max_width);
  return gpu;
}

telemetry_reading nvml_library::read(const std::string& gpu_uuid) {
  telemetry_reading reading;
  if (!m_state) {
    reading.failed_reads = 1;
    reading.first_error = m_error;
    return reading;
  }
  std::string why;
  nvml_device device = m_state->device(gpu_uuid, why);
  if (device == nullptr) {
    reading.failed_reads = 1;
    reading.first_error = why;
    return reading;
  }
  // Unsupported counters are expected (a MIG-enabled GPU has no utilisation) and leave their
  // value empty; the sampler only counts real failures.
  std::vector<std::string> unsupported;
  std::vector<std::string> errors;
  query_log log(m_state->error_string, unsupported, errors, &reading.failed_reads);
  telemetry_sample& counters = reading.counters;
  nvml_utilization utilization{};
  if (log.run("nvmlDeviceGetUtilizationRates", m_state->utilization,
              [&](auto get) { return get(device, &utilization); })) {
    counters.gpu_util_pct = utilization.gpu;
    counters.mem_copy_util_pct = utilization.memory;
  }
  nvml_memory memory{};
  if (log.run("nvmlDeviceGetMemoryInfo", m_state->memory,
              [&](auto get) { return get(device, &memory); })) {
    counters.fb_used_mib = static_cast<double>(memory.used) / (1024.0 * 1024.0);
  }
  unsigned milliwatts = 0;
  if (log.run("nvmlDeviceGetPowerUsage", m_state->power_usage,
              [&](auto get) { return get(device, &milliwatts); })) {
    counters.power_w = milliwatts / 1000.0;
  }
  unsigned mhz = 0;
  if (log.run("nvmlDeviceGetClockInfo(SM)", m_state->clock,
              [&](auto get) { return get(device, nvml_clock_sm, &mhz); })) {
    counters.sm_clock_mhz = mhz;
  }
  if (log.run("nvmlDeviceGetClockInfo(MEM)", m_state->clock,
              [&](auto get) { return get(device, nvml_clock_mem, &mhz); })) {
    counters.mem_clock_mhz = mhz;
  }
  unsigned celsius = 0;
  if (log.run("nvmlDeviceGetTemperature", m_state->temperature,
              [&](auto get) { return get(device, nvml_temperature_gpu, &celsius); })) {
    counters.gpu_temp_c = celsius;
  }
  unsigned long long reasons = 0;
  if (log.run("nvmlDeviceGetCurrentClocksEventReasons", m_state->event_reasons,
              [&](auto get) { return get(device, &reasons); })) {
    counters.clocks_event_reasons = reasons;
  }
  // The process count can grow between the two calls; one retry with room to spare.
  std::vector<nvml_process_info> processes(32);
  for (int attempt = 0; attempt < 2; ++attempt) {
    unsigned count = static_cast<unsigned>(processes.size());
    nvml_return status = nvml_success;
    if (m_state->processes == nullptr) {
      break; // per-process memory is a bonus; an old NVML without _v3 simply has none
    }
    status = m_state->processes(device, &count, processes.data());
    if (status == nvml_error_insufficient_size && attempt == 0) {
      processes.resize(count + 8);
      continue;
    }
    if (status == nvml_success) {
      for (unsigned i = 0; i < count && i < processes.size(); ++i) {
        // Without permission to see other users' processes NVML gives "not available".
        if (processes[i].used_gpu_memory != nvml_value_not_available) {
          reading.process_memory_bytes.emplace_back(processes[i].pid, processes[i].used_gpu_memory);
        }
      }
    } else if (status != nvml_error_not_supported) {
      errors.push_back("nvmlDeviceGetComputeRunningProcesses_v3: " + m_state->describe(status));
      ++reading.failed_reads;
    }
    break;
  }
  if (!errors.empty()) {
    reading.first_error = errors.front();
  }
  return reading;
}

} // namespace gpushare
