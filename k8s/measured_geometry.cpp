#include "k8s/measured_geometry.hpp"

#include "common/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <regex>

namespace gpushare::k8s {

std::vector<std::string> measured_mig_geometry(const nlohmann::json& report,
                                               const std::string& source) {
  const auto runs = report.find("runs");
  if (runs == report.end() || !runs->is_array()) {
    throw usage_error(fmt::format("{}: runs is missing or not an array (not a gpushare-bench "
                                  "report, or a damaged one)",
                                  source));
  }
  for (std::size_t i = runs->size(); i-- > 0;) {
    const nlohmann::json& run = (*runs)[i];
    if (run.value("mode", "") != "mig" || run.value("status", "") != "ok") {
      continue;
    }
    const auto mig = run.find("mig");
    if (mig == run.end() || !mig->contains("geometry") || !(*mig)["geometry"].is_array()) {
      throw usage_error(
          fmt::format("{}: runs[{}].mig.geometry is missing or not an array", source, i));
    }
    std::vector<std::string> profiles;
    for (const auto& profile : (*mig)["geometry"]) {
      if (!profile.is_string()) {
        throw usage_error(fmt::format("{}: runs[{}].mig.geometry holds a non-string", source, i));
      }
      profiles.push_back(profile.get<std::string>());
    }
    // "1c.2g.10gb": a compute instance sharing its GPU instance; the configs this tool emits
    // give every GPU instance its one default compute instance.
    static const std::regex compute_instance_profile("[0-9]+c\\..*");
    for (const auto& profile : profiles) {
      if (std::regex_match(profile, compute_instance_profile)) {
        throw check_error(fmt::format(
            "{}: runs[{}] measured compute instance {} ({}) sharing a GPU instance; the configs "
            "this tool emits give every GPU instance one compute instance, so give --geometry "
            "instead",
            source, i, profile, fmt::join(profiles, ",")));
      }
    }
    if (profiles.empty()) {
      throw check_error(fmt::format("{}: runs[{}] measured no MIG instance", source, i));
    }
    return profiles;
  }
  throw check_error(fmt::format("{}: no mig run finished ok, so there is no measured geometry; "
                                "run --mode mig first or give --geometry",
                                source));
}

} // namespace gpushare::k8s
