#pragma once
// The telemetry counters and the DCGM exporter field each one corresponds to, so a report's
// timeline lines up with the dashboards users already chart from dcgm-exporter (field names
// as in dcgm-exporter's etc/default-counters.csv; units as DCGM reports them).

#include "harness/records.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace gpushare {

struct telemetry_field {
  const char* dcgm_name;
  const char* unit;
  std::optional<double> telemetry_sample::*value;
  telemetry_stat gpu_phase_telemetry::*stat;
};

inline constexpr std::array<telemetry_field, 7> telemetry_fields{{
    {"DCGM_FI_DEV_GPU_UTIL", "%", &telemetry_sample::gpu_util_pct,
     &gpu_phase_telemetry::gpu_util_pct},
    {"DCGM_FI_DEV_MEM_COPY_UTIL", "%", &telemetry_sample::mem_copy_util_pct,
     &gpu_phase_telemetry::mem_copy_util_pct},
    {"DCGM_FI_DEV_FB_USED", "MiB", &telemetry_sample::fb_used_mib,
     &gpu_phase_telemetry::fb_used_mib},
    {"DCGM_FI_DEV_POWER_USAGE", "W", &telemetry_sample::power_w, &gpu_phase_telemetry::power_w},
    {"DCGM_FI_DEV_SM_CLOCK", "MHz", &telemetry_sample::sm_clock_mhz,
     &gpu_phase_telemetry::sm_clock_mhz},
    {"DCGM_FI_DEV_MEM_CLOCK", "MHz", &telemetry_sample::mem_clock_mhz,
     &gpu_phase_telemetry::mem_clock_mhz},
    {"DCGM_FI_DEV_GPU_TEMP", "C", &telemetry_sample::gpu_temp_c, &gpu_phase_telemetry::gpu_temp_c},
}};

/// The bitmask's DCGM name; its bits are decoded by clocks_event_reason_names.
inline constexpr const char* clocks_event_reasons_dcgm_name = "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS";

/// NVML's clocks event (formerly "throttle") reason bits, from the NVML API reference.
namespace clocks_event_reason {
inline constexpr std::uint64_t gpu_idle = 0x1;
inline constexpr std::uint64_t applications_clocks_setting = 0x2;
inline constexpr std::uint64_t sw_power_cap = 0x4;
inline constexpr std::uint64_t hw_slowdown = 0x8;
inline constexpr std::uint64_t sync_boost = 0x10;
inline constexpr std::uint64_t sw_thermal_slowdown = 0x20;
inline constexpr std::uint64_t hw_thermal_slowdown = 0x40;
inline constexpr std::uint64_t hw_power_brake_slowdown = 0x80;
inline constexpr std::uint64_t display_clock_setting = 0x100;
/// Reasons that mean the GPU ran slower than it would have: power, thermal, hardware
/// slowdown. Idle, application clocks, sync boost and display clocks are settings or
/// idleness, not a loss the run suffered.
inline constexpr std::uint64_t throttling = sw_power_cap | hw_slowdown | sw_thermal_slowdown |
                                            hw_thermal_slowdown | hw_power_brake_slowdown;
} // namespace clocks_event_reason

/// Names of the bits set in `reasons`, lowest bit first; an unknown bit is "bit_N".
[[nodiscard]] std::vector<std::string> clocks_event_reason_names(std::uint64_t reasons);

} // namespace gpushare
