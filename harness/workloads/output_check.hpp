#pragma once
// Element-by-element comparison of a device output with its host reference, summarised as a
// verification_result.

#include "harness/records.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace gpushare {

/// Accumulates comparisons of one output. Keeps the first mismatch (for the detail line), the
/// largest absolute error and the largest tolerance used. A NaN or infinite error is a
/// mismatch whatever the tolerance.
class output_check {
public:
  /// `output_name` names the buffer in messages, e.g. "C"; `index_label` turns an element
  /// index into a location written after the name (default "[index]"); it is only called for
  /// the first mismatch, so it may be slow.
  explicit output_check(std::string output_name,
                        std::function<std::string(std::uint64_t)> index_label = {});

  /// Compares one element: passes when |actual - expected| <= tolerance.
  void compare(std::uint64_t index, double expected, double actual, double tolerance);

  /// Elements compared so far.
  [[nodiscard]] std::uint64_t elements_checked() const noexcept { return m_checked; }
  /// Elements outside their tolerance so far.
  [[nodiscard]] std::uint64_t mismatches() const noexcept { return m_mismatches; }

  /// The summary: checked, passed (no mismatch and at least one element compared),
  /// elements_checked, max_abs_error (infinity when an error was NaN or infinite), tolerance
  /// (the largest used), and a detail line that names the first mismatch (index, expected,
  /// actual) or, on success, says how the check was done (`method`, e.g. "256 sampled
  /// entries").
  [[nodiscard]] verification_result result(const std::string& method) const;

private:
  std::string m_output_name;
  std::function<std::string(std::uint64_t)> m_index_label;
  std::uint64_t m_checked = 0;
  std::uint64_t m_mismatches = 0;
  double m_max_abs_error = 0.0;
  double m_max_tolerance = 0.0;
  std::string m_first_mismatch;
};

} // namespace gpushare
