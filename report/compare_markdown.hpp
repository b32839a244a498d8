#pragma once
// The comparison as Markdown fit for a CI comment: the verdict first, then every metric that
// moved, and the unchanged ones folded away.

#include "report/compare.hpp"

#include <ostream>
#include <string>

namespace gpushare::report {

struct compared_file {
  std::string path;
  const report_document* document = nullptr;
};

/// When the reports measured different things: the files and the differences, nothing else.
void print_refusal_markdown(std::ostream& out, const compared_file& base, const compared_file& next,
                            const environment_comparison& environment);

void print_comparison_markdown(std::ostream& out, const compared_file& base,
                               const compared_file& next, const comparison& result,
                               const compare_settings& settings, bool forced);

} // namespace gpushare::report
