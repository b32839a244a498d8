#pragma once
// The report's tables as CSV files (RFC 4180: comma-separated, CRLF line ends, fields with a
// comma, quote or line break quoted, quotes doubled), one file per table, with every number
// at full precision so a spreadsheet or script gets the figures themselves.

#include "report/report_model.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gpushare::report {

/// One field, quoted when RFC 4180 requires it.
[[nodiscard]] std::string csv_field(std::string_view text);

/// A number as the CSV files write it: the shortest text that reads back as the same double;
/// "" for an absent value.
[[nodiscard]] std::string csv_number(const std::optional<double>& value);

/// (file name, contents) of every table: matrix.csv, tenants.csv, streams.csv,
/// latency_cdf.csv, isolation.csv (one row per isolation cell, its figures as name=value pairs)
/// and isolation_claims.csv when the model has gpushare-bench reports, microbenchmarks.csv
/// (counters as "name=value;...") when it has Google Benchmark files. Each row starts with the
/// source's label so several files share a table.
[[nodiscard]] std::vector<std::pair<std::string, std::string>>
render_report_csv(const report_model& model);

} // namespace gpushare::report
