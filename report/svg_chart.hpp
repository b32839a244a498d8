#pragma once
// A small line and scatter chart as inline SVG: axes with ticks, a legend, one colour per
// series, optional logarithmic axes. Enough for the report's figures, with no script and no
// external resource, so the HTML page renders the same offline and in a headless browser.

#include "report/report_model.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace gpushare::report {

/// `text` with &, <, >, " and ' replaced by entities: safe in XML/HTML text and attributes.
[[nodiscard]] std::string escape_xml(std::string_view text);

struct chart_spec {
  std::string title;
  std::string x_label;
  std::string y_label;
  bool log_x = false;
  bool log_y = false;
  bool lines = true;   ///< join points; false draws markers only (dashed series are always lines)
  bool markers = true; ///< a dot at every point
  int width = 640;
  int height = 360;
  std::vector<series> data;
  /// A line under the title, e.g. the host-only label; "" for none.
  std::string note;
};

/// The chart as one <svg> element. Non-finite points (and non-positive ones on a log axis)
/// are left out; a chart without any point says "no data" instead of drawing empty axes.
[[nodiscard]] std::string render_svg_chart(const chart_spec& chart);

} // namespace gpushare::report
