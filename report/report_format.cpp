#include "report/report_format.hpp"

#include "report/console_table.hpp"

#include <cmath>

namespace gpushare::report {
namespace {

constexpr const char* absent = "-";

} // namespace

std::string text_ratio(const std::optional<double>& value) {
  return value ? format_ratio(*value) : absent;
}

std::string text_percent(const std::optional<double>& value) {
  return value ? format_percent(*value) : absent;
}

std::string text_plain(const std::optional<double>& value) {
  return value ? format_significant(*value, 3) : absent;
}

std::string text_duration(const std::optional<double>& microseconds) {
  return microseconds ? format_duration_us(*microseconds) : absent;
}

std::string text_slowdown(const matrix_cell& cell) {
  if (!cell.slowdown) {
    return absent;
  }
  std::string text = format_ratio(*cell.slowdown);
  if (cell.slowdown_low && cell.slowdown_high && *cell.slowdown_low != *cell.slowdown_high) {
    text +=
        " [" + format_ratio(*cell.slowdown_low) + ", " + format_ratio(*cell.slowdown_high) + "]";
  }
  return text;
}

std::string text_isolation(const isolation_entry* cell) {
  if (cell == nullptr) {
    return absent;
  }
  std::string text = cell->verdict;
  if (cell->key_figure) {
    text += ", " + cell->key_text;
  }
  if (cell->host_only) {
    text += std::string(" (") + host_only_label + ")";
  }
  return text;
}

std::string text_flags(const std::vector<std::string>& flags) {
  std::string text;
  for (const std::string& flag : flags) {
    text += text.empty() ? "" : ", ";
    text += flag == "host_only" ? std::string(host_only_label) : flag;
  }
  return text;
}

} // namespace gpushare::report
