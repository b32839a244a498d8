#pragma once
// Renders a report_document as the versioned JSON report (schema: report/schema/
// report.schema.json) and writes it atomically, so a reader never sees a half-written file.

#include "harness/records.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace gpushare::report {

/// The whole document as the JSON report: schema_version, tool, created_at, argv, host,
/// environment, config, runs[] and errors[]. Times are microseconds unless the key names
/// another unit; a figure that is NaN or infinite becomes null, so the result always dumps
/// to valid JSON.
[[nodiscard]] nlohmann::json to_json(const report_document& document);

/// Writes the document to `path` through a temporary file in the same directory and a rename.
/// Called again after every phase, so a crash keeps every phase that finished. Throws
/// gpushare::error with the path and the system error when the file cannot be written.
void write_json_report(const report_document& document, const std::string& path);

} // namespace gpushare::report
