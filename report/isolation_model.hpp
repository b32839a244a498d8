#pragma once
// The isolation matrix as `gpushare-bench report` shows it, computed from the --mode isolation
// runs of one report file: one row per mechanism, one column per property, each cell with its
// verdict and key figure; every cell's evidence; and the documented claims with whether each
// holds on the card. The writers only format what is held here (see report_model.hpp).

#include "harness/records.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gpushare::report {

/// One measured property of one mechanism.
struct isolation_entry {
  std::string run_key; ///< metrics.hpp's run identity
  std::string mechanism;
  std::string property;
  std::string verdict; ///< isolated | partial | none | untested
  std::string rule;
  std::string evidence;
  std::optional<std::string> key_figure; ///< the name of isolation_figures.hpp's key figure
  std::optional<double> key_value;
  std::string key_text; ///< "victim_p99_inflation 3.25x"; "-" without a figure
  std::map<std::string, double> figures;
  std::vector<std::string> flags; ///< the cell's own, host_instruments_only included
  /// Its processes were host-* test instruments: the verdict is no GPU result.
  bool host_only = false;
  /// One line per process: role, id, workload, status, slowdown and p99 inflation, failure.
  std::vector<std::string> tenants;
  std::optional<double> recovery_ms; ///< MPS fault scenarios: the first new client after it
  /// MPS fault scenarios: the recovery, the daemon's server states and the cleanup, one
  /// sentence each ("MPS recovery: ...", "MPS server state: ...", "MPS cleanup: ...").
  std::vector<std::string> mps_fault;
};

/// A documented claim next to what the card showed.
struct isolation_claim_row {
  std::string run_key;
  std::string mechanism;
  std::string property;
  std::string claim;
  std::string source;
  std::string holds; ///< yes | no | untested
  std::string basis;
};

struct isolation_section {
  std::vector<isolation_entry> cells; ///< in report order
  /// Rows: timeslice, mps, mps-limited, mig as far as measured, then others in report order.
  std::vector<std::string> mechanisms;
  /// Columns: memory, fault, latency, compute, then any other property in report order.
  std::vector<std::string> properties;
  std::vector<isolation_claim_row> claims;

  [[nodiscard]] bool empty() const noexcept { return cells.empty() && claims.empty(); }
  /// The first cell of that mechanism and property (a later run's is in `cells` too); null
  /// when none was measured.
  [[nodiscard]] const isolation_entry* at(const std::string& mechanism,
                                          const std::string& property) const;
};

/// The isolation section of the runs that finished ok; `keys` are their run_keys().
[[nodiscard]] isolation_section build_isolation_section(const std::vector<run_record>& runs,
                                                        const std::vector<std::string>& keys);

} // namespace gpushare::report
