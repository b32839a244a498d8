#include "report/report_input.hpp"

#include "common/error.hpp"
#include "report/json_reader.hpp"

#include <fmt/format.h>

namespace gpushare::report {

report_input read_report_input(const std::string& path) {
  const nlohmann::json value = read_json_file(path);
  if (!is_benchmark_json(value)) {
    return {path, report_from_file_json(value, path)};
  }
  try {
    return {path, benchmark_file_from_json(value)};
  } catch (const json_field_error& failure) {
    // Said because the file was taken for benchmark output by its shape alone: a damaged
    // report that lost its schema_version would otherwise get a puzzling message.
    throw usage_error(
        fmt::format("{}: {} (read as Google Benchmark output: no schema_version, has {})", path,
                    failure.what(), value.contains("context") ? "context" : "benchmarks"));
  }
}

} // namespace gpushare::report
