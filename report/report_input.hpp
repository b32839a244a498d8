#pragma once
// A FILE of `gpushare-bench report`: a gpushare-bench report or Google Benchmark output from
// bench/, told apart by shape (benchmark_json.hpp's is_benchmark_json) so both can be given
// in one command line in any order.

#include "harness/records.hpp"
#include "report/benchmark_json.hpp"

#include <string>
#include <variant>

namespace gpushare::report {

struct report_input {
  std::string path;
  std::variant<report_document, benchmark_file> contents;
};

/// Throws usage_error (exit 2) naming the file, and for a bad field the field: "bench.json:
/// benchmarks[2].real_time: expected a number, got \"fast\" (read as Google Benchmark output)".
[[nodiscard]] report_input read_report_input(const std::string& path);

} // namespace gpushare::report
