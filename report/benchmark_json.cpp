#include "report/benchmark_json.hpp"

#include "report/json_fields.hpp"
#include "report/json_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string_view>

namespace gpushare::report {
namespace {

using nlohmann::json;

// The library's own keys of a benchmark object (1.5 to 1.9); any other numeric key is a
// counter. Complexity fits (cpu_coefficient, big_o, rms) never reach the counters because
// those entries are left out whole.
constexpr std::array<std::string_view, 19> library_keys = {"name",
                                                           "family_index",
                                                           "per_family_instance_index",
                                                           "run_name",
                                                           "run_type",
                                                           "repetitions",
                                                           "repetition_index",
                                                           "threads",
                                                           "aggregate_name",
                                                           "aggregate_unit",
                                                           "error_occurred",
                                                           "error_message",
                                                           "skipped",
                                                           "skip_message",
                                                           "iterations",
                                                           "real_time",
                                                           "cpu_time",
                                                           "time_unit",
                                                           "label"};

const json& object_value(const json& value, const std::string& where) {
  if (!value.is_object()) {
    throw json_field_error(where, expected("an object", value));
  }
  return value;
}

std::string optional_string(const json& object, const std::string& key, const std::string& path) {
  const json* value = optional_member(object, key, path);
  return value ? string_value(*value, child(path, key)) : "";
}

bool bool_value(const json& value, const std::string& where) {
  if (!value.is_boolean()) {
    throw json_field_error(where, expected("true or false", value));
  }
  return value.get<bool>();
}

double number_value(const json& value, const std::string& where) {
  if (!value.is_number()) {
    throw json_field_error(where, expected("a number", value));
  }
  return value.get<double>();
}

double read_number(const json& object, const std::string& key, const std::string& path) {
  return number_value(member(object, key, path), child(path, key));
}

// get<int>() would silently turn 2.5 into 2; a count that is not an integer means the file
// is not what the library wrote.
std::int64_t integer_value(const json& value, const std::string& where, std::int64_t lowest) {
  if (value.is_number_integer() && !value.is_number_unsigned()) {
    const auto number = value.get<std::int64_t>();
    if (number >= lowest) {
      return number;
    }
    throw json_field_error(where, fmt::format("{} is out of range", value.dump()));
  }
  if (value.is_number_unsigned()) {
    const auto number = value.get<std::uint64_t>();
    if (number <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return static_cast<std::int64_t>(number);
    }
    throw json_field_error(where, fmt::format("{} is out of range", value.dump()));
  }
  throw json_field_error(where, expected("an integer", value));
}

int read_int(const json& object, const std::string& key, const std::string& path,
             std::int64_t lowest) {
  const std::int64_t number = integer_value(member(object, key, path), child(path, key), lowest);
  if (number > std::numeric_limits<int>::max()) {
    throw json_field_error(child(path, key), fmt::format("{} is out of range", number));
  }
  return static_cast<int>(number);
}

benchmark_context context_from_json(const json& value, const std::string& path) {
  object_value(value, path);
  benchmark_context context;
  context.date = read_string(value, "date", path);
  context.host_name = read_string(value, "host_name", path);
  context.executable = optional_string(value, "executable", path);
  context.num_cpus = read_int(value, "num_cpus", path, 1);
  context.mhz_per_cpu = read_number(value, "mhz_per_cpu", path);
  if (const json* scaling = optional_member(value, "cpu_scaling_enabled", path)) {
    context.cpu_scaling_enabled = bool_value(*scaling, child(path, "cpu_scaling_enabled"));
  }
  context.library_build_type = read_string(value, "library_build_type", path);
  context.library_version = optional_string(value, "library_version", path);
  return context;
}

bool is_complexity_fit(const json& value) {
  return value.contains("big_o") || value.contains("rms");
}

benchmark_entry entry_from_json(const json& value, const std::string& path) {
  object_value(value, path);
  benchmark_entry entry;
  entry.name = read_string(value, "name", path);
  // run_name arrived in 1.5; before it the name had no aggregate suffix to strip.
  entry.run_name = optional_string(value, "run_name", path);
  if (entry.run_name.empty()) {
    entry.run_name = entry.name;
  }
  const std::string run_type = read_string(value, "run_type", path);
  if (run_type != "iteration" && run_type != "aggregate") {
    throw json_field_error(
        child(path, "run_type"),
        fmt::format("expected \"iteration\" or \"aggregate\", got \"{}\"", run_type));
  }
  entry.aggregate = run_type == "aggregate";
  entry.repetitions = read_int(value, "repetitions", path, 0);
  if (!entry.aggregate) {
    entry.repetition_index = read_int(value, "repetition_index", path, 0);
  } else {
    entry.aggregate_name = read_string(value, "aggregate_name", path);
    if (const json* unit = optional_member(value, "aggregate_unit", path)) {
      entry.aggregate_unit = string_value(*unit, child(path, "aggregate_unit"));
    }
  }
  entry.threads = read_int(value, "threads", path, 1);
  for (const auto& [flag, message] :
       {std::pair{"error_occurred", "error_message"}, std::pair{"skipped", "skip_message"}}) {
    if (const json* set = optional_member(value, flag, path)) {
      if (bool_value(*set, child(path, flag))) {
        entry.error = read_string(value, message, path);
        if (entry.error.empty()) {
          entry.error = flag;
        }
      }
    }
  }
  entry.iterations = integer_value(member(value, "iterations", path), child(path, "iterations"), 0);
  entry.real_time = read_number(value, "real_time", path);
  entry.cpu_time = read_number(value, "cpu_time", path);
  entry.time_unit = read_string(value, "time_unit", path);
  if (entry.time_unit != "ns" && entry.time_unit != "us" && entry.time_unit != "ms" &&
      entry.time_unit != "s") {
    throw json_field_error(child(path, "time_unit"),
                           fmt::format("expected ns, us, ms or s, got \"{}\"", entry.time_unit));
  }
  entry.label = optional_string(value, "label", path);
  for (const auto& [key, field] : value.items()) {
    const bool own = std::find(library_keys.begin(), library_keys.end(), key) != library_keys.end();
    if (!own && field.is_number()) {
      entry.counters.emplace_back(key, field.get<double>());
    }
  }
  return entry;
}

} // namespace

bool is_benchmark_json(const json& value) {
  return value.is_object() && !value.contains("schema_version") &&
         (value.contains("context") || value.contains("benchmarks"));
}

benchmark_file benchmark_file_from_json(const json& value) {
  if (!value.is_object()) {
    throw json_field_error("(top level)", expected("an object", value));
  }
  benchmark_file file;
  file.context = context_from_json(member(value, "context", ""), "context");
  const json& benchmarks = member(value, "benchmarks", "");
  if (!benchmarks.is_array()) {
    throw json_field_error("benchmarks", expected("an array", benchmarks));
  }
  for (std::size_t i = 0; i < benchmarks.size(); ++i) {
    if (benchmarks[i].is_object() && is_complexity_fit(benchmarks[i])) {
      continue;
    }
    file.benchmarks.push_back(entry_from_json(benchmarks[i], fmt::format("benchmarks[{}]", i)));
  }
  return file;
}

} // namespace gpushare::report
