#include "cli/suite.hpp"

#include "cli/isolation_mode.hpp"
#include "cli/options.hpp"
#include "common/error.hpp"
#include "common/text.hpp"
#include "harness/workload_spec.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace gpushare::cli {
namespace {

struct located_error {
  std::string source;
  int line = 0;
  [[nodiscard]] usage_error at(const std::string& field, const std::string& why) const {
    return usage_error(fmt::format("suite {}:{}: field '{}': {}", source, line, field, why));
  }
};

long long parse_integer(const located_error& where, const std::string& key,
                        const std::string& value, long long min, long long max) {
  char* end = nullptr;
  errno = 0;
  const long long number = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno != 0 || number < min || number > max) {
    throw where.at(key, fmt::format("must be an integer in [{}, {}], got '{}'", min, max, value));
  }
  return number;
}

double parse_real(const located_error& where, const std::string& key, const std::string& value,
                  double min, double max) {
  char* end = nullptr;
  errno = 0;
  const double number = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || errno != 0 || !(number >= min && number <= max)) {
    throw where.at(key, fmt::format("must be a number in [{}, {}], got '{}'", min, max, value));
  }
  return number;
}

std::vector<std::string> split_list(const std::string& value) {
  std::vector<std::string> items;
  std::stringstream in(value);
  for (std::string item; std::getline(in, item, ',');) {
    items.emplace_back(trim(item));
  }
  return items;
}

/// Applies one `key = value` to a run's settings. Global and [run] keys are the same, except
/// that `name` is global and `mode`, `tenants` and `workload` belong to runs.
void apply(run_config& config, const located_error& where, const std::string& key,
           const std::string& value, bool in_run) {
  if (key == "repetitions") {
    config.repetitions = static_cast<int>(parse_integer(where, key, value, 1, 1000));
  } else if (key == "max-repetitions") {
    config.max_repetitions = static_cast<int>(parse_integer(where, key, value, 1, 1000));
  } else if (key == "max-noise") {
    config.noise_threshold = parse_real(where, key, value, 0, 1);
  } else if (key == "warmup") {
    config.warmup_iterations = static_cast<int>(parse_integer(where, key, value, 0, 100000));
  } else if (key == "duration") {
    config.duration_s = parse_real(where, key, value, 0.001, 3600);
    config.iterations.reset();
  } else if (key == "iterations") {
    config.iterations =
        static_cast<std::uint64_t>(parse_integer(where, key, value, 1, 1'000'000'000));
    config.duration_s.reset();
  } else if (key == "mps-thread-pct") {
    config.mps_thread_pct = split_list(value);
  } else if (key == "mps-mem-limit") {
    config.mps_mem_limit = split_list(value);
  } else if (key == "mps-priority") {
    config.mps_priority = split_list(value);
  } else if (key == "isolation-mechanisms") {
    config.isolation_mechanisms = split_list(value);
    for (const std::string& mechanism : config.isolation_mechanisms) {
      const auto& known = isolation_mechanism_names();
      if (std::find(known.begin(), known.end(), mechanism) == known.end()) {
        throw where.at(key, "unknown mechanism '" + mechanism +
                                "' (known: timeslice, mps, mps-limited, mig)");
      }
    }
  } else if (key == "isolation-workloads") {
    if (value != "gpu" && value != "host") {
      throw where.at(key, "must be gpu or host, got '" + value + "'");
    }
    config.isolation_workloads = value;
  } else if (in_run && key == "mode") {
    static const std::vector<std::string> modes{"calibrate", "streams", "timeslice",
                                                "mps",       "mig",     "isolation"};
    if (std::find(modes.begin(), modes.end(), value) == modes.end()) {
      throw where.at(key,
                     "must be one of calibrate, streams, timeslice, mps, mig, isolation, got '" +
                         value + "'");
    }
    config.mode = value;
  } else if (in_run && key == "tenants") {
    config.tenants = static_cast<int>(parse_integer(where, key, value, 1, 64));
  } else if (in_run && key == "workload") {
    try {
      config.workloads.push_back(parse_workload_spec(value).canonical());
    } catch (const usage_error& failure) {
      throw where.at(key, failure.what());
    }
  } else if (!in_run && key == "name") {
    // Informational: reports record the suite's source.
  } else {
    throw where.at(key, in_run ? "unknown in a [run] section (accepted: mode, tenants, workload, "
                                 "repetitions, max-repetitions, max-noise, warmup, duration, "
                                 "iterations, mps-thread-pct, mps-mem-limit, mps-priority)"
                               : "unknown before the first [run] (accepted: name, repetitions, "
                                 "max-repetitions, max-noise, warmup, duration, iterations, "
                                 "mps-thread-pct, mps-mem-limit, mps-priority)");
  }
}

} // namespace

std::string read_suite_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    throw usage_error(fmt::format("--suite {}: cannot read it: {}", path, std::strerror(errno)));
  }
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::vector<run_config> expand_suite(std::string_view text, const std::string& source,
                                     const run_config& base) {
  run_config globals = base;
  globals.workloads.clear();
  globals.tenants = 0;
  std::vector<run_config> runs;
  std::vector<int> run_lines;
  std::istringstream in{std::string(text)};
  located_error where{source, 0};
  bool in_run = false;
  for (std::string raw; std::getline(in, raw);) {
    ++where.line;
    const std::string line(trim(std::string_view(raw).substr(0, raw.find('#'))));
    if (line.empty()) {
      continue;
    }
    if (line == "[run]") {
      runs.push_back(globals);
      runs.back().mode.clear();
      run_lines.push_back(where.line);
      in_run = true;
      continue;
    }
    const auto equals = line.find('=');
    if (equals == std::string::npos) {
      throw usage_error(fmt::format("suite {}:{}: expected 'key = value' or '[run]', got '{}'",
                                    source, where.line, line));
    }
    const std::string key(trim(std::string_view(line).substr(0, equals)));
    const std::string value(trim(std::string_view(line).substr(equals + 1)));
    apply(in_run ? runs.back() : globals, where, key, value, in_run);
  }
  if (runs.empty()) {
    throw usage_error(fmt::format("suite {}: no [run] section, so nothing to measure", source));
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const located_error run_start{source, run_lines[i]};
    if (runs[i].mode.empty()) {
      throw run_start.at("mode", "every [run] needs one");
    }
    if (!takes_workloads(runs[i].mode) && !runs[i].workloads.empty()) {
      throw run_start.at("workload", "--mode " + runs[i].mode + " takes no workload");
    }
    if (runs[i].mode == "mig") {
      // Suite-wide MPS settings are meant for the mps runs; MIG instances take none.
      runs[i].mps_thread_pct.clear();
      runs[i].mps_mem_limit.clear();
      runs[i].mps_priority.clear();
      runs[i].mps_use_existing = false;
    }
    if (runs[i].mode == "isolation") {
      // --mps-use-existing is for the mps runs: the isolation scenarios fault tenants on
      // purpose and must never do so among another daemon's clients, so theirs keep off it
      // (and its MPS columns are left untested, as for any daemon the tool did not start).
      runs[i].mps_use_existing = false;
    }
    try {
      resolve_tenants(runs[i]);
    } catch (const usage_error& failure) {
      throw run_start.at("tenants", failure.what());
    }
  }
  return runs;
}

} // namespace gpushare::cli
