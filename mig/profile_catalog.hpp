#pragma once
// The built-in MIG profile catalog: for each MIG-capable board we know, the GPU instance
// profiles NVIDIA documents, so geometries can be checked and planned without a GPU.

#include "mig/mig_profile.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace gpushare::mig {

/// Every board of the built-in catalog, in the order `mig profiles` lists them.
[[nodiscard]] const std::vector<board_catalog>& builtin_boards();

/// The board for `model`: one of our keys ("A100-40GB", case-insensitive, "-", "_" and spaces
/// ignored) or a product name the driver reports ("NVIDIA A100-SXM4-40GB", also with a
/// " MIG 1g.5gb" device suffix). Throws usage_error listing the known boards.
[[nodiscard]] const board_catalog& find_board(std::string_view model);

/// The profile of `board` named `name_or_id`: "3g.20gb", "MIG 3g.20gb" (case-insensitive) or
/// the numeric ID `nvidia-smi mig -lgip` prints ("9"). Throws usage_error listing the profiles.
[[nodiscard]] const gpu_instance_profile& find_profile(const board_catalog& board,
                                                       std::string_view name_or_id);

/// The keys of every built-in board, comma separated, for messages and --help.
[[nodiscard]] std::string known_board_names();

} // namespace gpushare::mig
