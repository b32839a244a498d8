#pragma once
// NVML loaded at run time with dlopen, so the tool starts on machines without an NVIDIA
// driver and says why telemetry is missing instead of failing to load.

#include "harness/records.hpp"
#include "harness/telemetry_source.hpp"

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

/// What NVML calls a CUDA device. CUDA gives 16 bytes of uuid; on a MIG-enabled GPU they may
/// name the MIG instance CUDA runs on rather than the GPU, and only NVML can tell which.
struct nvml_identity {
  std::string uuid;     ///< "GPU-..." or "MIG-..."; "" when NVML knows neither
  std::string gpu_uuid; ///< the whole GPU's: `uuid` itself, or the MIG instance's parent
  std::string error;    ///< why the device or its parent was not found; "" otherwise
};

class nvml_library final : public telemetry_source {
public:
  /// The library the driver installs; tests pass other paths.
  static constexpr const char* default_path = "libnvidia-ml.so.1";

  /// Loads the library, resolves the symbols and calls nvmlInit_v2. Never throws: on failure
  /// the returned object is not usable and error() says what failed.
  static nvml_library open(const std::string& path = default_path);

  nvml_library(nvml_library&& other) noexcept;
  nvml_library& operator=(nvml_library&& other) noexcept;
  ~nvml_library() override; ///< nvmlShutdown and dlclose

  [[nodiscard]] bool usable() const noexcept { return m_state != nullptr; }
  [[nodiscard]] const std::string& error() const noexcept { return m_error; }
  /// NVML's own version (e.g. "12.535.261.03"); it answers even when nvmlInit fails, so a
  /// report says which library refused. "" when the library could not be loaded.
  [[nodiscard]] const std::string& version() const noexcept { return m_version; }

  /// Driver release, e.g. "580.95.05"; nullopt with the reason in *why on failure.
  [[nodiscard]] std::optional<std::string> driver_version(std::string* why = nullptr) const;
  /// Looks the CUDA device up as a GPU ("GPU-" and the hex of its uuid), then as a MIG instance
  /// ("MIG-"), and finds a MIG instance's parent GPU. `cuda_uuid` is CUDA's uuid written
  /// either way (format_gpu_uuid writes "GPU-").
  [[nodiscard]] nvml_identity identify(const std::string& cuda_uuid) const;
  /// MIG mode of the GPU with this uuid ("GPU-...").
  [[nodiscard]] mig_query mig_mode(const std::string& gpu_uuid) const;
  /// Name, PCI, modes, power limit, clocks and PCIe link of the GPU with this uuid.
  [[nodiscard]] nvml_gpu_record describe_gpu(const std::string& gpu_uuid) const;

  /// Utilisation, memory, power, clocks, temperature, clocks event reasons and per-process
  /// memory, read now.
  [[nodiscard]] telemetry_reading read(const std::string& gpu_uuid) override;

private:
  struct state;
  nvml_library(std::unique_ptr<state> loaded, std::string error, std::string version);
  std::unique_ptr<state> m_state;
  std::string m_error;
  std::string m_version;
};

} // namespace gpushare
