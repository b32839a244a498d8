#pragma once
// Small text helpers every parser of user input and tool output needs.

#include <string_view>

namespace gpushare {

/// `text` without leading and trailing spaces, tabs, carriage returns and newlines.
[[nodiscard]] inline std::string_view trim(std::string_view text) {
  constexpr std::string_view blanks = " \t\r\n";
  const auto first = text.find_first_not_of(blanks);
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(blanks) - first + 1);
}

} // namespace gpushare
