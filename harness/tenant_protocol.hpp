#pragma once
// The line protocol between the harness and a tenant process.
//
//   tenant -> harness (its stdout):
//     ready                     set up, verified and warmed up; waiting for the barrier
//     result-begin              then one line per field of the workload result ...
//     result-end
//     error <message>           the tenant failed; the message is one line
//   harness -> tenant (its stdin):
//     go                        the barrier: start timing now
//
// Everything is text so a failing tenant can be read in a terminal; numbers that must
// survive exactly (histogram moments) are written with 17 significant digits. A spin tenant's
// run segments follow the histogram as `spin_trace <gap_ns> <dropped> <count>` and then
// `segment <start_ns> <end_ns> <after_gap> <before_gap>` lines, `count` of them. A hog tenant's
// held memory is one line, `memory_hold <requested> <target> <held> <chunk> <free_before>
// <allocation error>`, the error last because it is free text (empty when there was none).

#include "harness/records.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gpushare {

inline constexpr const char* tenant_ready_line = "ready";
inline constexpr const char* tenant_go_line = "go";

/// The result block (result-begin ... result-end), newline-terminated lines.
[[nodiscard]] std::string encode_tenant_result(const workload_result& result);
/// "error <message>" with newlines in the message replaced by spaces.
[[nodiscard]] std::string encode_tenant_error(const std::string& message);

struct tenant_message {
  enum class kind { ready, result, error };
  kind what = kind::ready;
  workload_result result; ///< for kind::result; summaries recomputed from the samples
  std::string error;      ///< for kind::error
};

/// Turns the bytes a tenant writes into messages. Throws std::runtime_error on a line that
/// is not part of the protocol (the tenant is then treated as failed).
class tenant_message_reader {
public:
  explicit tenant_message_reader(double noise_threshold) : m_noise_threshold(noise_threshold) {}
  void feed(std::string_view bytes);
  /// The next complete message, if any.
  [[nodiscard]] std::optional<tenant_message> next();

private:
  [[nodiscard]] std::optional<std::string> next_line();
  void parse_result_line(const std::string& line);

  double m_noise_threshold;
  std::string m_buffer;
  bool m_in_result = false;
  workload_result m_result;
  histogram_state m_histogram;
  std::size_t m_segments_announced = 0;
};

} // namespace gpushare
