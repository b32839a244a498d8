#include "harness/telemetry_fields.hpp"

namespace gpushare {

std::vector<std::string> clocks_event_reason_names(std::uint64_t reasons) {
  static constexpr const char* names[] = {"gpu_idle",
                                          "applications_clocks_setting",
                                          "sw_power_cap",
                                          "hw_slowdown",
                                          "sync_boost",
                                          "sw_thermal_slowdown",
                                          "hw_thermal_slowdown",
                                          "hw_power_brake_slowdown",
                                          "display_clock_setting"};
  std::vector<std::string> out;
  for (unsigned bit = 0; bit < 64; ++bit) {
    if ((reasons & (std::uint64_t{1} << bit)) == 0) {
      continue;
    }
    out.emplace_back(bit < std::size(names) ? std::string(names[bit])
                                            : "bit_" + std::to_string(bit));
  }
  return out;
}

} // namespace gpushare
