#pragma once
// The report as Markdown (report.md): the same tables as the HTML page, without charts, for
// pull requests and terminals.

#include "report/report_model.hpp"

#include <string>

namespace gpushare::report {

/// Escapes what would break a table cell or start markup: |, \, *, _, `, <, > and &.
[[nodiscard]] std::string escape_markdown(const std::string& text);

[[nodiscard]] std::string render_report_markdown(const report_model& model);

} // namespace gpushare::report
