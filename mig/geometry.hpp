#pragma once
// MIG geometries: a list of GPU instance profiles meant to coexist on one GPU, and whether
// they can, with a placement for every instance when they can.

#include "mig/mig_profile.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace gpushare::mig {

/// Where one instance of a geometry goes.
struct instance_placement {
  std::string profile; ///< the catalog's name of the profile
  placement where;
};

struct validation_result {
  bool valid = false;
  /// When valid: one placement per requested instance, in the order they were given.
  std::vector<instance_placement> placements;
  /// When not valid: which profile is over its maximum, which slices run out, or which profile
  /// has no free slot left.
  std::string reason;
};

/// Splits "3g.40gb,2g.20gb, 2x1g.10gb" into one profile name per instance ("NxPROFILE" repeats
/// a profile N times). Whitespace around items is ignored; names are not checked against a
/// board here. Throws usage_error for an empty item or a bad repeat count.
[[nodiscard]] std::vector<std::string> parse_geometry(std::string_view text);

/// Checks that `profiles` (names or IDs, one per instance) can exist together on `board`:
/// no profile over its maximum count, the compute and memory slices suffice, and a placement
/// exists that gives every instance its own memory slices. The placement search is exhaustive,
/// so "no free slot" means no order of creation could succeed. Throws usage_error for a profile
/// the board does not have.
[[nodiscard]] validation_result validate_geometry(const board_catalog& board,
                                                  const std::vector<std::string>& profiles);

/// "{0,2,4}:2", as `nvidia-smi mig -lgipp` prints a profile's placements.
[[nodiscard]] std::string format_placements(const std::vector<placement>& placements);

} // namespace gpushare::mig
