#pragma once
// The time-slice probe: what the spin traces of tenants sharing one GPU say about the time
// slice the driver gives each context and about the time a context switch takes. NVIDIA does
// not document either; the spin kernel's block 0 records when it ran (kernels/spin.hpp), and
// since %globaltimer is one clock for the whole GPU, the traces of different tenants can be laid
// side by side.
//
// - quantum: the length of every run segment with a gap on both sides. The first and last
//   segment of each kernel are cut short by the kernel's own start and end, so they are left
//   out.
// - switch gap: for each gap of tenant A (A switched out inside a kernel) in which another
//   traced tenant starts running, the time from A's last reading to that tenant's first.
// - alternation: how many of all gaps another traced tenant filled. Without any (the tenants
//   ran concurrently, as under MPS, or fewer than two were traced) the figures stay empty and
//   the note says why: nothing is estimated from segments that do not show a time slice.

#include "harness/records.hpp"

#include <vector>

namespace gpushare {

/// The spin trace one tenant recorded in a shared phase.
struct traced_tenant {
  int id = 0;
  run_segment_trace trace;
};

/// Analyses the traces of the tenants of one shared phase (any order, any count). When a
/// trace lost segments (dropped > 0), only gaps that end before the earliest such trace's last
/// kept segment are counted, since later ones could not show who ran in them.
[[nodiscard]] timeslice_probe_result analyze_timeslice(const std::vector<traced_tenant>& tenants);

/// The tenants whose shared-phase result carries a spin trace, with their traces.
[[nodiscard]] std::vector<traced_tenant>
shared_spin_traces(const std::vector<tenant_record>& tenants);

} // namespace gpushare
