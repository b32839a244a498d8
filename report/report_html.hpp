#pragma once
// The report as one self-contained HTML page (index.html): CSS and SVG charts inline, no
// script and no external resource, so it opens offline, in a mail attachment or a CI artifact
// viewer, and renders the same in a headless browser.

#include "report/report_model.hpp"

#include <string>

namespace gpushare::report {

[[nodiscard]] std::string render_report_html(const report_model& model);

} // namespace gpushare::report
