#include "harness/nvml_library.hpp"

#include <fmt/format.h>

#include <dlfcn.h>

namespace gpushare {
namespace {

// The few NVML declarations used here, restated from the NVML API reference so the build
// does not need nvml.h (it is not part of every CUDA toolkit installation).
using nvml_return = int;
struct nvml_device_opaque;
using nvml_device = nvml_device_opaque*;
constexpr nvml_return nvml_success = 0;
constexpr nvml_return nvml_error_not_supported = 3;
constexpr unsigned nvml_device_mig_enable = 1;
constexpr unsigned nvml_system_driver_version_buffer_size = 80;

using nvml_init_fn = nvml_return (*)();
using nvml_shutdown_fn = nvml_return (*)();
using nvml_error_string_fn = const char* (*)(nvml_return);
using nvml_driver_version_fn = nvml_return (*)(char*, unsigned);
using nvml_handle_by_uuid_fn = nvml_return (*)(const char*, nvml_device*);
using nvml_mig_mode_fn = nvml_return (*)(nvml_device, unsigned*, unsigned*);

} // namespace

struct nvml_library::state {
  void* handle = nullptr;
  nvml_shutdown_fn shutdown = nullptr;
  nvml_error_string_fn error_string = nullptr;
  nvml_driver_version_fn driver_version = nullptr;
  nvml_handle_by_uuid_fn handle_by_uuid = nullptr;
  nvml_mig_mode_fn mig_mode = nullptr;

  [[nodiscard]] std::string describe(nvml_return status) const {
    return fmt::format("{} (NVML error {})", error_string(status), status);
  }
};

nvml_library::nvml_library(std::unique_ptr<state> loaded, std::string error)
    : m_state(std::move(loaded)), m_error(std::move(error)) {}

nvml_library::nvml_library(nvml_library&& other) noexcept = default;
nvml_library& nvml_library::operator=(nvml_library&& other) noexcept = default;

nvml_library::~nvml_library() {
  if (m_state) {
    m_state->shutdown();
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
                                    path, why != nullptr ? why : "unknown reason"));
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
  auto init = reinterpret_cast<nvml_init_fn>(resolve("nvmlInit_v2"));
  loaded->shutdown = reinterpret_cast<nvml_shutdown_fn>(resolve("nvmlShutdown"));
  loaded->error_string = reinterpret_cast<nvml_error_string_fn>(resolve("nvmlErrorString"));
  loaded->driver_version =
      reinterpret_cast<nvml_driver_version_fn>(resolve("nvmlSystemGetDriverVersion"));
  loaded->handle_by_uuid =
      reinterpret_cast<nvml_handle_by_uuid_fn>(resolve("nvmlDeviceGetHandleByUUID"));
  loaded->mig_mode = reinterpret_cast<nvml_mig_mode_fn>(resolve("nvmlDeviceGetMigMode"));
  if (!missing.empty()) {
    dlclose(handle);
    return nvml_library(nullptr, fmt::format("NVML is unavailable: {} lacks the symbol {}; the "
                                             "driver's NVML is too old or the file is not NVML",
                                             path, missing));
  }
  const nvml_return status = init();
  if (status != nvml_success) {
    std::string message =
        fmt::format("NVML is unavailable: nvmlInit_v2 failed: {}", loaded->describe(status));
    dlclose(handle);
    return nvml_library(nullptr, std::move(message));
  }
  return nvml_library(std::move(loaded), "");
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

mig_query nvml_library::mig_mode(const std::string& gpu_uuid) const {
  mig_query query;
  if (!m_state) {
    query.error = m_error;
    return query;
  }
  nvml_device device = nullptr;
  nvml_return status = m_state->handle_by_uuid(gpu_uuid.c_str(), &device);
  if (status != nvml_success) {
    query.error =
        "nvmlDeviceGetHandleByUUID(" + gpu_uuid + ") failed: " + m_state->describe(status);
    return query;
  }
  unsigned current = 0;
  unsigned pending = 0;
  status = m_state->mig_mode(device, &current, &pending);
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

} // namespace gpushare
