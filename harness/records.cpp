#include "harness/records.hpp"

namespace gpushare {

const char* to_string(run_status status) {
  switch (status) {
  case run_status::ok:
    return "ok";
  case run_status::skipped:
    return "skipped";
  case run_status::failed:
    return "failed";
  }
  return "unknown";
}

std::optional<run_status> run_status_from_string(std::string_view text) {
  // Derived from to_string so a new status cannot be written without being readable.
  for (const run_status status : {run_status::ok, run_status::skipped, run_status::failed}) {
    if (text == to_string(status)) {
      return status;
    }
  }
  return std::nullopt;
}

} // namespace gpushare
