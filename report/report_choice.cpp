#include "report/report_choice.hpp"

#include "common/error.hpp"
#include "report/console_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

namespace gpushare::report {

std::string isolation_of(const std::string& mode) {
  if (mode == "mig") {
    return "hardware: memory, compute, L2 and faults are separated per instance; only on "
           "MIG-capable boards (A100, A30, H100, H200, B200), at most 7 instances";
  }
  if (mode == "mps") {
    return "separate address spaces, no compute or fault isolation: a fatal fault in one "
           "client ends every client of the server";
  }
  if (mode == "timeslice") {
    return "separate contexts and address spaces, no performance isolation: tenants take "
           "turns, so each one's latency includes the others' time slices";
  }
  if (mode == "dedicated") {
    return "a whole GPU per workload";
  }
  return "";
}

std::optional<double> tenant_speed(const matrix_row& row, const matrix_cell& cell) {
  if (!cell.slowdown || *cell.slowdown <= 0) {
    return std::nullopt;
  }
  if (row.mode == "mig") {
    if (!cell.fraction_of_full_gpu) {
      return std::nullopt;
    }
    return *cell.fraction_of_full_gpu / *cell.slowdown;
  }
  if (row.mode == "timeslice" || row.mode == "mps") {
    return 1.0 / *cell.slowdown;
  }
  return std::nullopt;
}

std::vector<mechanism_choice> rank_mechanisms(const source_model& source) {
  std::vector<mechanism_choice> choices;
  for (const matrix_row& row : source.matrix) {
    for (const matrix_cell& cell : row.cells) {
      const auto speed = tenant_speed(row, cell);
      if (!speed) {
        continue;
      }
      auto found = std::find_if(choices.begin(), choices.end(), [&](const mechanism_choice& c) {
        return c.workloads == row.workloads && c.tenants == cell.tenants;
      });
      if (found == choices.end()) {
        choices.push_back({row.workloads, cell.tenants, {}, false});
        found = choices.end() - 1;
      }
      found->ranked.push_back({row.mode, *speed, cell.p99_inflation});
      found->host_only = found->host_only || cell.host_only;
    }
  }
  for (mechanism_choice& choice : choices) {
    std::stable_sort(choice.ranked.begin(), choice.ranked.end(),
                     [](const auto& a, const auto& b) { return a.speed > b.speed; });
  }
  return choices;
}

std::string describe_choice(const mechanism_choice& choice) {
  if (choice.ranked.empty()) {
    return "";
  }
  const auto& best = choice.ranked.front();
  std::string text = fmt::format("{} tenants of {}: ", choice.tenants, choice.workloads);
  text += choice.ranked.size() == 1
              ? fmt::format("only {} measured, each tenant at {} of a dedicated GPU", best.mode,
                            format_percent(best.speed))
              : fmt::format("{} wins, each tenant at {} of a dedicated GPU", best.mode,
                            format_percent(best.speed));
  for (std::size_t i = 1; i < choice.ranked.size(); ++i) {
    const auto& other = choice.ranked[i];
    text +=
        fmt::format("; {} {} ({} {} faster)", other.mode, format_percent(other.speed), best.mode,
                    other.speed > 0 ? format_ratio(best.speed / other.speed) : "n/a");
  }
  for (const auto& option : choice.ranked) {
    if (option.p99_inflation) {
      text += fmt::format("; {} inflates the infer tenant's p99 {}", option.mode,
                          format_ratio(*option.p99_inflation));
    }
  }
  text += ".";
  if (choice.host_only) {
    text += fmt::format(" ({})", host_only_label);
  }
  return text;
}

std::vector<fleet_option> plan_fleet(const source_model& source, const fleet_request& fleet) {
  std::vector<fleet_option> options;
  fleet_option dedicated;
  dedicated.mechanism = "dedicated";
  dedicated.gpus = fleet.workloads;
  dedicated.per_gpu = 1;
  dedicated.speed = 1.0;
  dedicated.basis = "one whole GPU per workload";
  options.push_back(dedicated);
  if (source.gpu_memory_bytes == 0 || fleet.memory_bytes == 0) {
    return options;
  }
  const auto fit = static_cast<int>(source.gpu_memory_bytes / fleet.memory_bytes);
  for (const char* mode : {"timeslice", "mps"}) {
    fleet_option option;
    option.mechanism = mode;
    // The measured cell with the most tenants that the GPU's memory can hold, over every
    // workload mix of this mode: nothing is extrapolated beyond what was measured.
    const matrix_row* best_row = nullptr;
    const matrix_cell* best = nullptr;
    for (const matrix_row& row : source.matrix) {
      if (row.mode != mode) {
        continue;
      }
      for (const matrix_cell& cell : row.cells) {
        if (cell.tenants <= fit && tenant_speed(row, cell) &&
            (best == nullptr || cell.tenants > best->tenants)) {
          best = &cell;
          best_row = &row;
        }
      }
    }
    if (best == nullptr) {
      option.basis = fit < 1 ? fmt::format("one workload needs more than the GPU's {}",
                                           format_bytes(source.gpu_memory_bytes))
                             : fmt::format("not measured at a tenant count whose memory fits "
                                           "({} x {} per GPU at most)",
                                           fit, format_bytes(fleet.memory_bytes));
      options.push_back(option);
      continue;
    }
    option.per_gpu = best->tenants;
    option.gpus = (fleet.workloads + best->tenants - 1) / best->tenants;
    option.speed = tenant_speed(*best_row, *best);
    option.basis = fmt::format("{} per GPU as measured ({}: slowdown {}); memory would hold {}",
                               best->tenants, best->run_key, format_ratio(*best->slowdown), fit);
    options.push_back(option);
  }
  return options;
}

fleet_request parse_fleet(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return usage_error(
        fmt::format("--fleet {}: {} (expected COUNTxSIZE, e.g. 40x8GiB)", text, why));
  };
  const auto x = text.find_first_of("xX");
  if (x == std::string::npos || x == 0) {
    throw bad("no COUNTx");
  }
  fleet_request fleet;
  fleet.text = text;
  const std::string count = text.substr(0, x);
  if (!std::all_of(count.begin(), count.end(), [](unsigned char c) { return std::isdigit(c); }) ||
      count.size() > 6 || std::stoi(count) < 1) {
    throw bad("the count must be a whole number from 1 to 999999");
  }
  fleet.workloads = std::stoi(count);
  const std::string size = text.substr(x + 1);
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(size, &used);
  } catch (const std::exception&) {
    throw bad("no size");
  }
  std::string unit = size.substr(used);
  std::transform(unit.begin(), unit.end(), unit.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::map<std::string, double> units = {{"gib", 1024.0 * 1024 * 1024},
                                               {"g", 1024.0 * 1024 * 1024},
                                               {"mib", 1024.0 * 1024},
                                               {"m", 1024.0 * 1024},
                                               {"gb", 1e9},
                                               {"mb", 1e6}};
  const auto found = units.find(unit);
  if (found == units.end() || !(value > 0) || !std::isfinite(value)) {
    throw bad("the size needs a positive number and a unit GiB, MiB, GB or MB");
  }
  fleet.memory_bytes = static_cast<std::uint64_t>(value * found->second);
  return fleet;
}

} // namespace gpushare::report
