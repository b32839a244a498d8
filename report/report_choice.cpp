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

std::vector<latency_choice> latency_choices(const source_model& source,
                                            std::optional<double> bound_ms) {
  std::vector<latency_choice> choices;
  for (const matrix_row& row : source.matrix) {
    for (const matrix_cell& cell : row.cells) {
      if (!cell.infer_p99_us && cell.infer_failure.empty()) {
        continue;
      }
      auto found = std::find_if(choices.begin(), choices.end(), [&](const latency_choice& c) {
        return c.workloads == row.workloads && c.tenants == cell.tenants;
      });
      if (found == choices.end()) {
        latency_choice choice;
        choice.workloads = row.workloads;
        choice.tenants = cell.tenants;
        if (bound_ms) {
          choice.bound_us = *bound_ms * 1000.0;
        }
        choices.push_back(std::move(choice));
        found = choices.end() - 1;
      }
      latency_choice::option option;
      option.mode = row.mode;
      option.failure = cell.infer_p99_us ? std::string() : cell.infer_failure;
      option.p99_us = cell.infer_p99_us.value_or(0.0);
      option.solo_p99_us = cell.infer_solo_p99_us;
      option.p99_inflation = cell.p99_inflation;
      if (found->bound_us) {
        option.within_bound = option.failure.empty() && option.p99_us <= *found->bound_us;
      }
      found->ranked.push_back(option);
      found->host_only = found->host_only || cell.host_only;
    }
  }
  for (latency_choice& choice : choices) {
    // A mechanism under which the latency tenant did not finish ranks last, whatever its p99.
    std::stable_sort(choice.ranked.begin(), choice.ranked.end(), [](const auto& a, const auto& b) {
      if (a.failure.empty() != b.failure.empty()) {
        return a.failure.empty();
      }
      return a.p99_us < b.p99_us;
    });
  }
  return choices;
}

std::string describe_latency(const latency_choice& choice) {
  if (choice.ranked.empty()) {
    return "";
  }
  std::string text = fmt::format("{} tenants of {}: ", choice.tenants, choice.workloads);
  if (choice.bound_us) {
    const double bound = *choice.bound_us;
    text +=
        fmt::format("p99 of the infer tenant against the {} bound: ", format_duration_us(bound));
    bool any_within = false;
    for (std::size_t i = 0; i < choice.ranked.size(); ++i) {
      const auto& option = choice.ranked[i];
      if (!option.failure.empty()) {
        text += fmt::format("{}{}: the infer tenant did not finish ({})", i == 0 ? "" : "; ",
                            option.mode, option.failure);
        continue;
      }
      text += fmt::format("{}{} {}, ", i == 0 ? "" : "; ", option.mode,
                          format_duration_us(option.p99_us));
      if (option.within_bound.value_or(false)) {
        any_within = true;
        text += "within";
      } else {
        text += fmt::format("exceeds it ({} the bound)",
                            bound > 0 ? format_ratio(option.p99_us / bound) : "n/a");
      }
      // Sharing cannot be blamed for a bound the tenant misses on a GPU of its own.
      if (option.solo_p99_us && *option.solo_p99_us > bound) {
        text += fmt::format(", and already {} alone", format_duration_us(*option.solo_p99_us));
      }
    }
    if (!any_within) {
      text += "; no mechanism measured here keeps it within the bound";
    }
  } else {
    const auto& best = choice.ranked.front();
    if (!best.failure.empty()) {
      text += fmt::format("the infer tenant did not finish under {} ({})", best.mode, best.failure);
      for (std::size_t i = 1; i < choice.ranked.size(); ++i) {
        text += fmt::format("; nor under {} ({})", choice.ranked[i].mode, choice.ranked[i].failure);
      }
    } else if (choice.ranked.size() == 1) {
      text += fmt::format("only {} measured, p99 of the infer tenant {}", best.mode,
                          format_duration_us(best.p99_us));
      if (best.p99_inflation) {
        text += fmt::format(" ({} its p99 alone)", format_ratio(*best.p99_inflation));
      }
    } else {
      text += fmt::format("{} gives the infer tenant the lowest p99, {}", best.mode,
                          format_duration_us(best.p99_us));
      for (std::size_t i = 1; i < choice.ranked.size(); ++i) {
        const auto& other = choice.ranked[i];
        if (!other.failure.empty()) {
          text +=
              fmt::format("; {}: the infer tenant did not finish ({})", other.mode, other.failure);
          continue;
        }
        text += fmt::format("; {} {} ({} higher)", other.mode, format_duration_us(other.p99_us),
                            best.p99_us > 0 ? format_ratio(other.p99_us / best.p99_us) : "n/a");
      }
    }
  }
  text += ".";
  if (choice.host_only) {
    text += fmt::format(" ({})", host_only_label);
  }
  return text;
}

std::string latency_rule_note(std::optional<double> bound_ms) {
  if (bound_ms) {
    return fmt::format("the infer tenant's p99 in the shared phase against --latency-bound {}.",
                       format_duration_us(*bound_ms * 1000.0));
  }
  return "the infer tenant's p99 in the shared phase under each mechanism (--latency-bound MS "
         "checks it against a bound).";
}

double parse_latency_bound(const std::string& text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  // Above a day a bound is no latency bound, and near the double range it would overflow once
  // turned into microseconds.
  constexpr double longest_bound_ms = 86'400'000.0;
  if (used == 0 || used != text.size() || !std::isfinite(value) || !(value > 0) ||
      value > longest_bound_ms) {
    throw usage_error(fmt::format("--latency-bound {}: expected a positive number of milliseconds "
                                  "up to a day, e.g. 50",
                                  text));
  }
  return value;
}

namespace {

// MIG arrived with Ampere (A100, compute capability 8.0); MPS clients got their own GPU
// address space and per-GPU fault containment with Volta (7.0).
constexpr int mig_minimum_major = 8;
constexpr int isolated_mps_minimum_major = 7;

std::string mig_text(const source_model& source, bool& available) {
  const bool capability_known = source.compute_capability_major > 0;
  const std::string capability =
      fmt::format("{}.{}", source.compute_capability_major, source.compute_capability_minor);
  available = false;
  if (capability_known && source.compute_capability_major < mig_minimum_major) {
    return fmt::format("not available: MIG needs compute capability 8.0 (Ampere) or later, and "
                       "this board has {}",
                       capability);
  }
  const bool in_catalog = source.mig_board && !source.mig_board->empty();
  // The driver's answer is about this board in this machine; a vGPU or passthrough setup can
  // hide MIG from a board that has it.
  if (source.mig_mode == "unsupported") {
    return in_catalog ? fmt::format("not available here: the catalog lists {} as MIG-capable, "
                                    "but the driver reports MIG unsupported on this board",
                                    *source.mig_board)
                      : "not available: the driver reports MIG unsupported on this board";
  }
  const bool driver_knows = source.mig_mode == "enabled" || source.mig_mode == "disabled";
  if (!in_catalog && !driver_knows) {
    if (source.mig_board) {
      return "not available: the board is not in the MIG profile catalog (A30, A100, H100, "
             "H200, B200; 'gpushare-bench mig profiles' lists them)";
    }
    return "unknown: neither the catalog nor the report says whether this board has MIG";
  }
  available = true;
  std::string text =
      in_catalog ? fmt::format("available: {} in the MIG profile catalog", *source.mig_board)
                 : "available: the driver reports a MIG mode on this board, which the "
                   "built-in catalog does not list ('mig plan --gpu live' reads its "
                   "profiles from the driver)";
  if (source.mig_mode == "enabled") {
    text += "; MIG is enabled";
  } else if (source.mig_mode == "disabled") {
    text += "; MIG is off (enable it as root with 'nvidia-smi -i N -mig 1', then reset the GPU)";
  }
  return text;
}

std::string mps_text(const source_model& source) {
  if (source.compute_capability_major <= 0) {
    return "";
  }
  if (source.compute_capability_major < isolated_mps_minimum_major) {
    return fmt::format("before Volta (compute capability {}.{}): the clients share one GPU "
                       "address space and a fatal fault in any client ends the server with all "
                       "its clients; no memory protection or fault containment between tenants",
                       source.compute_capability_major, source.compute_capability_minor);
  }
  return "Volta or later: each client has its own GPU address space; a fatal fault is "
         "contained to the clients of the faulting GPU, which on one shared GPU is all of them";
}

std::string mig_column_text(const source_model& source) {
  const bool measured =
      std::any_of(source.matrix.begin(), source.matrix.end(),
                  [](const matrix_row& row) { return row.mode == "mig" && !row.cells.empty(); });
  if (measured) {
    return "measured";
  }
  if (source.mig_run_status.empty() || source.mig_run_status == "ok") {
    return "not measured: no mig run in this report";
  }
  return fmt::format("not measured: the mig run was {}: {}", source.mig_run_status,
                     source.mig_run_reason.empty() ? "no reason given" : source.mig_run_reason);
}

} // namespace

std::string gpu_model_heading(const gpu_model_choice& choice) {
  std::string text = choice.gpu_name.empty() ? "unnamed GPU" : choice.gpu_name;
  if (!choice.compute_capability.empty()) {
    text += ", compute capability " + choice.compute_capability;
  }
  return text;
}

std::optional<gpu_model_choice> gpu_model_rule(const source_model& source) {
  if (source.gpu_name.empty() && source.compute_capability_major <= 0) {
    return std::nullopt;
  }
  gpu_model_choice choice;
  choice.gpu_name = source.gpu_name;
  if (source.compute_capability_major > 0) {
    choice.compute_capability =
        fmt::format("{}.{}", source.compute_capability_major, source.compute_capability_minor);
  }
  choice.mig = mig_text(source, choice.mig_available);
  choice.mps = mps_text(source);
  choice.mig_column = mig_column_text(source);
  return choice;
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
