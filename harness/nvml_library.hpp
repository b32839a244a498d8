#pragma once
// NVML loaded at run time with dlopen, so the tool starts on machines without an NVIDIA
// driver and says why telemetry is missing instead of failing to load.

#include <memory>
#include <optional>
#include <string>

namespace gpushare {

/// MIG mode as NVML reports it; pending differs from current until the GPU is reset.
struct mig_mode_state {
  bool current_enabled = false;
  bool pending_enabled = false;
};

/// Result of asking for a GPU's MIG mode: the mode, or that the GPU has no MIG, or an error.
struct mig_query {
  std::optional<mig_mode_state> mode;
  bool not_supported = false; ///< the GPU has no MIG (NVML_ERROR_NOT_SUPPORTED)
  std::string error;          ///< why the query failed otherwise
};

class nvml_library {
public:
  /// The library the driver installs; tests pass other paths.
  static constexpr const char* default_path = "libnvidia-ml.so.1";

  /// Loads the library, resolves the symbols and calls nvmlInit_v2. Never throws: on failure
  /// the returned object is not usable and error() says what failed.
  static nvml_library open(const std::string& path = default_path);

  nvml_library(nvml_library&& other) noexcept;
  nvml_library& operator=(nvml_library&& other) noexcept;
  nvml_library(const nvml_library&) = delete;
  nvml_library& operator=(const nvml_library&) = delete;
  ~nvml_library(); ///< nvmlShutdown and dlclose

  [[nodiscard]] bool usable() const noexcept { return m_state != nullptr; }
  [[nodiscard]] const std::string& error() const noexcept { return m_error; }

  /// Driver release, e.g. "580.95.05"; nullopt with the reason in *why on failure.
  [[nodiscard]] std::optional<std::string> driver_version(std::string* why = nullptr) const;
  /// MIG mode of the GPU with this uuid ("GPU-...").
  [[nodiscard]] mig_query mig_mode(const std::string& gpu_uuid) const;

private:
  struct state;
  nvml_library(std::unique_ptr<state> loaded, std::string error);
  std::unique_ptr<state> m_state;
  std::string m_error;
};

} // namespace gpushare
