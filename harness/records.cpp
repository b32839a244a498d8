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

} // namespace gpushare
