#include "harness/workloads/output_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace gpushare {

output_check::output_check(std::string output_name,
                           std::function<std::string(std::uint64_t)> index_label)
    : m_output_name(std::move(output_name)), m_index_label(std::move(index_label)) {}

void output_check::compare(std::uint64_t index, double expected, double actual, double tolerance) {
  ++m_checked;
  m_max_tolerance = std::max(m_max_tolerance, tolerance);
  double error = std::fabs(actual - expected);
  if (!std::isfinite(error)) {
    error = std::numeric_limits<double>::infinity();
  }
  m_max_abs_error = std::max(m_max_abs_error, error);
  // Written so that a NaN error fails: the comparison is false for NaN.
  if (error <= tolerance) {
    return;
  }
  ++m_mismatches;
  if (m_mismatches == 1) {
    const std::string location = m_index_label ? m_index_label(index) : fmt::format("[{}]", index);
    m_first_mismatch = fmt::format(
        "{}{}: expected {:.9g}, got {:.9g} (|error| {:.3g} > tolerance {:.3g})", m_output_name,
        location, expected, actual, std::fabs(actual - expected), tolerance);
  }
}

verification_result output_check::result(const std::string& method) const {
  verification_result result;
  result.checked = true;
  result.passed = m_checked > 0 && m_mismatches == 0;
  result.elements_checked = m_checked;
  result.max_abs_error = m_max_abs_error;
  result.tolerance = m_max_tolerance;
  if (m_checked == 0) {
    result.detail = fmt::format("{}: nothing was compared ({})", m_output_name, method);
  } else if (m_mismatches == 0) {
    result.detail = fmt::format("{}: all {} compared elements within tolerance ({})", m_output_name,
                                m_checked, method);
  } else {
    result.detail = fmt::format("{}; {} of {} compared elements outside tolerance ({})",
                                m_first_mismatch, m_mismatches, m_checked, method);
  }
  return result;
}

} // namespace gpushare
