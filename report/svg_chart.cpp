#include "report/svg_chart.hpp"

#include "report/console_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace gpushare::report {
namespace {

// Distinguishable for the common forms of colour blindness (Okabe and Ito).
constexpr std::array<const char*, 8> palette = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                "#E69F00", "#56B4E9", "#000000", "#F0E442"};

struct axis {
  double low = 0;
  double high = 1;
  bool log = false;

  [[nodiscard]] double fraction(double value) const {
    if (log) {
      return (std::log10(value) - std::log10(low)) / (std::log10(high) - std::log10(low));
    }
    return (value - low) / (high - low);
  }
};

bool usable(double value, bool log) {
  return std::isfinite(value) && (!log || value > 0);
}

axis make_axis(double low, double high, bool log) {
  axis result;
  result.log = log;
  if (log) {
    result.low = std::pow(10.0, std::floor(std::log10(low)));
    result.high = std::pow(10.0, std::ceil(std::log10(high)));
    if (result.high <= result.low) {
      result.high = result.low * 10;
    }
    return result;
  }
  if (high <= low) {
    const double pad = low == 0 ? 1 : std::abs(low) * 0.1;
    low -= pad;
    high += pad;
  }
  // Charts of ratios and fractions read best from zero, unless the data sits far above it.
  if (low > 0 && low < (high - low)) {
    low = 0;
  }
  const double step = std::pow(10.0, std::floor(std::log10((high - low) / 4)));
  result.low = std::floor(low / step) * step;
  result.high = std::ceil(high / step) * step;
  return result;
}

std::vector<double> ticks_of(const axis& scale) {
  std::vector<double> ticks;
  if (scale.log) {
    for (double value = scale.low; value <= scale.high * 1.0001; value *= 10) {
      ticks.push_back(value);
    }
    return ticks;
  }
  const double span = scale.high - scale.low;
  double step = std::pow(10.0, std::floor(std::log10(span)));
  while (span / step < 4) {
    step /= 2;
  }
  while (span / step > 8) {
    step *= 2;
  }
  for (double value = std::ceil(scale.low / step) * step; value <= scale.high + step * 1e-6;
       value += step) {
    ticks.push_back(std::abs(value) < step * 1e-9 ? 0.0 : value);
  }
  return ticks;
}

std::string tick_label(double value) {
  const double magnitude = std::abs(value);
  if (magnitude >= 1e6 || (magnitude > 0 && magnitude < 1e-3)) {
    return fmt::format("{:.0e}", value);
  }
  return format_significant(value, 3);
}

} // namespace

std::string escape_xml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string render_svg_chart(const chart_spec& chart) {
  double x_low = std::numeric_limits<double>::infinity();
  double x_high = -x_low;
  double y_low = x_low;
  double y_high = -x_low;
  for (const series& line : chart.data) {
    for (const xy_point& point : line.points) {
      if (usable(point.x, chart.log_x) && usable(point.y, chart.log_y)) {
        x_low = std::min(x_low, point.x);
        x_high = std::max(x_high, point.x);
        y_low = std::min(y_low, point.y);
        y_high = std::max(y_high, point.y);
      }
    }
  }
  // Legends are long (run keys, GPU names): widen the chart rather than clip them.
  std::size_t longest = 0;
  for (const series& line : chart.data) {
    longest = std::max(longest, line.name.size() + (line.host_only ? 45 : 0));
  }
  const int width = std::min(1200, std::max(chart.width, 130 + static_cast<int>(longest) * 6));
  const int height = chart.height;
  const int legend_rows = static_cast<int>(chart.data.size());
  const double left = 70;
  const double right = 20;
  const double top = chart.note.empty() ? 36 : 52;
  const double bottom = 48 + 16.0 * legend_rows;
  const double plot_w = width - left - right;
  const double plot_h = height - top - bottom;

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"{2}\">\n"
      "<rect x=\"0\" y=\"0\" width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>\n"
      "<text x=\"{3}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{2}</text>\n",
      width, height, escape_xml(chart.title), left);
  if (!chart.note.empty()) {
    svg += fmt::format("<text x=\"{}\" y=\"38\" font-size=\"12\" fill=\"#a04000\">{}</text>\n",
                       left, escape_xml(chart.note));
  }
  if (!std::isfinite(x_low)) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"13\" fill=\"#666\">no data</text>\n",
                       left, top + plot_h / 2);
    svg += "</svg>\n";
    return svg;
  }
  const axis x_axis = make_axis(x_low, x_high, chart.log_x);
  const axis y_axis = make_axis(y_low, y_high, chart.log_y);
  const auto px = [&](double x) { return left + x_axis.fraction(x) * plot_w; };
  const auto py = [&](double y) { return top + (1 - y_axis.fraction(y)) * plot_h; };

  svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                     "fill=\"#fafafa\" stroke=\"#888\"/>\n",
                     left, top, plot_w, plot_h);
  for (const double tick : ticks_of(x_axis)) {
    const double x = px(tick);
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
                       "stroke=\"#ddd\"/><text x=\"{0:.1f}\" y=\"{3:.1f}\" font-size=\"11\" "
                       "text-anchor=\"middle\">{4}</text>\n",
                       x, top, top + plot_h, top + plot_h + 14, escape_xml(tick_label(tick)));
  }
  for (const double tick : ticks_of(y_axis)) {
    const double y = py(tick);
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" "
                       "stroke=\"#ddd\"/><text x=\"{3:.1f}\" y=\"{4:.1f}\" font-size=\"11\" "
                       "text-anchor=\"end\">{5}</text>\n",
                       left, y, left + plot_w, left - 6, y + 4, escape_xml(tick_label(tick)));
  }
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"12\" "
                     "text-anchor=\"middle\">{}</text>\n",
                     left + plot_w / 2, top + plot_h + 32, escape_xml(chart.x_label));
  svg += fmt::format("<text x=\"14\" y=\"{0:.1f}\" font-size=\"12\" text-anchor=\"middle\" "
                     "transform=\"rotate(-90 14 {0:.1f})\">{1}</text>\n",
                     top + plot_h / 2, escape_xml(chart.y_label));

  for (std::size_t i = 0; i < chart.data.size(); ++i) {
    const series& line = chart.data[i];
    const char* colour = palette[i % palette.size()];
    std::string path;
    for (const xy_point& point : line.points) {
      if (!usable(point.x, chart.log_x) || !usable(point.y, chart.log_y)) {
        continue;
      }
      path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "" : " ", px(point.x), py(point.y));
    }
    if ((chart.lines || line.dashed) && !path.empty()) {
      svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{} "
                         "points=\"{}\"/>\n",
                         colour, line.dashed ? " stroke-dasharray=\"6 4\"" : "", path);
    }
    if (chart.markers && !line.dashed) {
      for (const xy_point& point : line.points) {
        if (usable(point.x, chart.log_x) && usable(point.y, chart.log_y)) {
          svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\"/>\n",
                             px(point.x), py(point.y), colour);
        }
      }
    }
    const double legend_y = top + plot_h + 48 + 16.0 * static_cast<double>(i);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" "
        "stroke=\"{3}\" stroke-width=\"3\"{4}/><text x=\"{5:.1f}\" "
        "y=\"{6:.1f}\" font-size=\"11\">{7}</text>\n",
        left, legend_y - 4, left + 24, colour, line.dashed ? " stroke-dasharray=\"6 4\"" : "",
        left + 30, legend_y,
        escape_xml(line.host_only ? line.name + " (" + host_only_label + ")" : line.name));
  }
  svg += "</svg>\n";
  return svg;
}

} // namespace gpushare::report
