#include "mig/profile_catalog.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <initializer_list>

// Where the figures come from.
//
// Names, fraction of memory and SMs, and "Number of Instances Available" (our max_instances):
//   NVIDIA Multi-Instance GPU User Guide, section "Supported MIG Profiles",
//   https://docs.nvidia.com/datacenter/tesla/mig-user-guide/supported-mig-profiles.html
//   (the r580 edition; tables "GPU Instance Profiles on A30 / A100 / H100 / H200 / B200").
// Profile IDs and placements of the A100: the same guide, section "Getting Started with MIG",
//   "List GPU Instance Profiles" (`nvidia-smi mig -lgipp` on an A100-SXM4-40GB),
//   https://docs.nvidia.com/datacenter/tesla/mig-user-guide/getting-started-with-mig.html
// The guide's tables do not print profile IDs, memory in GiB or SM counts, and draws the
// placements of the other boards only as figures; those come from `nvidia-smi mig -lgip` and
// `-lgipp` listings published for each board, named per board below. Memory is what `-lgip`
// prints in GiB (two decimals) times 1024, rounded: the same conversion a parser of the live
// listing makes. It moves by a few hundred MiB between driver releases; a live table wins.

namespace gpushare::mig {
namespace {

/// One row as the sources give it; -1 marks a figure no source we found documents.
struct row {
  const char* name;
  int id;
  int compute_slices;
  int memory_slices;
  double listed_gib; ///< the Memory column of `-lgip`
  int sm_count;
  int max_instances;
  std::initializer_list<int> starts;
  bool media_extensions = false;
};

constexpr double unknown_gib = -1;
constexpr int unknown = -1;

gpu_instance_profile make_profile(const row& r, bool placements_inferred) {
  gpu_instance_profile profile;
  profile.name = r.name;
  profile.id = r.id;
  profile.compute_slices = r.compute_slices;
  profile.memory_slices = r.memory_slices;
  profile.memory_mib =
      r.listed_gib < 0 ? 0 : static_cast<std::uint64_t>(std::llround(r.listed_gib * 1024.0));
  if (r.sm_count > 0) {
    profile.sm_count = r.sm_count;
  }
  profile.max_instances = r.max_instances;
  for (const int start : r.starts) {
    profile.placements.push_back(placement{start, r.memory_slices});
  }
  profile.media_extensions = r.media_extensions;
  profile.placements_inferred = placements_inferred;
  return profile;
}

struct board_spec {
  const char* model;
  std::initializer_list<const char*> aliases;
  int compute_slices;
  int memory_slices;
  std::uint64_t memory_mib;
  const char* source;
  bool placements_inferred;
  std::initializer_list<row> rows;
  std::initializer_list<const char*> caveats;
};

board_catalog make_board(const board_spec& spec) {
  board_catalog board;
  board.model = spec.model;
  board.aliases.assign(spec.aliases.begin(), spec.aliases.end());
  board.compute_slices = spec.compute_slices;
  board.memory_slices = spec.memory_slices;
  board.memory_mib = spec.memory_mib;
  board.source = spec.source;
  board.origin = catalog_source::builtin;
  for (const auto& r : spec.rows) {
    board.profiles.push_back(make_profile(r, spec.placements_inferred));
  }
  board.caveats.assign(spec.caveats.begin(), spec.caveats.end());
  return board;
}

constexpr const char* guide_section =
    "NVIDIA Multi-Instance GPU User Guide, \"Supported MIG Profiles\", "
    "https://docs.nvidia.com/datacenter/tesla/mig-user-guide/supported-mig-profiles.html";

std::vector<board_catalog> build_catalog() {
  std::vector<board_catalog> boards;

  // A30-24GB: guide table "GPU Instance Profiles on A30" (4 compute and 4 memory slices).
  // IDs, GiB, SMs and placements: `nvidia-smi mig -lgip` / `-lgipp` of an A30 with driver
  // 535.183.01 (4g.24gb lists 23.44 GiB there, 23.50 with the R450 driver).
  boards.push_back(make_board({
      "A30-24GB",
      {"NVIDIA A30"},
      4,
      4,
      24576,
      guide_section,
      false,
      {
          {"1g.6gb", 14, 1, 1, 5.81, 14, 4, {0, 1, 2, 3}},
          {"1g.6gb+me", 21, 1, 1, 5.81, 14, 1, {0, 1, 2, 3}, true},
          {"2g.12gb", 5, 2, 2, 11.69, 28, 2, {0, 2}},
          {"2g.12gb+me", 6, 2, 2, 11.69, 28, 1, {0, 2}, true},
          {"4g.24gb", 0, 4, 4, 23.44, 56, 1, {0}},
      },
      {},
  }));

  // A100-40GB: guide table "GPU Instance Profiles on A100" (A100-SXM4-40GB). IDs and
  // placements: the guide's own `-lgipp` example. The table gives 1g.10gb a memory fraction of
  // 1/8, but the same guide's `-lgipp` places profile 15 on {0,2,4,6}:2, i.e. two memory
  // slices, as the H100 table's 1/4 for the same profile says; we follow the placements.
  // GiB and SMs: `-lgip` of an A100-SXM4-40GB with an R525+ driver (older drivers print 9.75,
  // 19.62 and 39.50 for 2g.10gb, 3g.20gb and 7g.40gb).
  boards.push_back(make_board({
      "A100-40GB",
      {"NVIDIA A100-SXM4-40GB", "NVIDIA A100-PCIE-40GB"},
      7,
      8,
      40537,
      guide_section,
      false,
      {
          {"1g.5gb", 19, 1, 1, 4.75, 14, 7, {0, 1, 2, 3, 4, 5, 6}},
          {"1g.5gb+me", 20, 1, 1, 4.75, 14, 1, {0, 1, 2, 3, 4, 5, 6}, true},
          {"1g.10gb", 15, 1, 2, 9.62, 14, 4, {0, 2, 4, 6}},
          {"2g.10gb", 14, 2, 2, 9.62, 28, 3, {0, 2, 4}},
          {"3g.20gb", 9, 3, 4, 19.50, 42, 2, {0, 4}},
          {"4g.20gb", 5, 4, 4, 19.50, 56, 1, {0}},
          {"7g.40gb", 0, 7, 8, 39.25, 98, 1, {0}},
      },
      {},
  }));

  // A100-80GB: the guide documents it through the A100 table ("For A100-SXM4-80GB, the profile
  // names will change according to the memory proportion"), so the IDs and placements are the
  // A100-40GB ones. GiB and SMs: `-lgip` of A100-SXM4-80GB boards (several published listings
  // agree on these figures).
  boards.push_back(make_board({
      "A100-80GB",
      {"NVIDIA A100-SXM4-80GB", "NVIDIA A100 80GB PCIe"},
      7,
      8,
      81920,
      guide_section,
      false,
      {
          {"1g.10gb", 19, 1, 1, 9.50, 14, 7, {0, 1, 2, 3, 4, 5, 6}},
          {"1g.10gb+me", 20, 1, 1, 9.50, 14, 1, {0, 1, 2, 3, 4, 5, 6}, true},
          {"1g.20gb", 15, 1, 2, 19.50, 14, 4, {0, 2, 4, 6}},
          {"2g.20gb", 14, 2, 2, 19.50, 28, 3, {0, 2, 4}},
          {"3g.40gb", 9, 3, 4, 39.25, 42, 2, {0, 4}},
          {"4g.40gb", 5, 4, 4, 39.25, 56, 1, {0}},
          {"7g.80gb", 0, 7, 8, 79.00, 98, 1, {0}},
      },
      {},
  }));

  // H100-80GB SXM5: guide table "GPU Instance Profiles on H100", H100 80GB.
  // IDs, GiB, SMs and placements: `-lgip` / `-lgipp` of an "NVIDIA H100 80GB HBM3", as also
  // published at https://jbarrow.ai/field_notes/nvidia-mig/ (-lgip). The PCIe card has the same
  // profiles but fewer SMs (114 in all), so it is not an alias: `--gpu live` reads its table.
  boards.push_back(make_board({
      "H100-80GB",
      {"NVIDIA H100 80GB HBM3"},
      7,
      8,
      0,
      guide_section,
      false,
      {
          {"1g.10gb", 19, 1, 1, 9.75, 16, 7, {0, 1, 2, 3, 4, 5, 6}},
          {"1g.10gb+me", 20, 1, 1, 9.75, 16, 1, {0, 1, 2, 3, 4, 5, 6}, true},
          {"1g.20gb", 15, 1, 2, 19.62, 26, 4, {0, 2, 4, 6}},
          {"2g.20gb", 14, 2, 2, 19.62, 32, 3, {0, 2, 4}},
          {"3g.40gb", 9, 3, 4, 39.50, 60, 2, {0, 4}},
          {"4g.40gb", 5, 4, 4, 39.50, 64, 1, {0}},
          {"7g.80gb", 0, 7, 8, 79.25, 132, 1, {0}},
      },
      {},
  }));

  // H100-94GB (H100 NVL, PCIe and SXM5 94GB): guide table "GPU Instance Profiles on H100",
  // H100 94GB. IDs, GiB, SMs and placements: `-lgip` / `-lgipp` of an "NVIDIA H100 NVL",
  // https://github.com/NVIDIA/gpu-operator/pull/903 (-lgip) and an Azure NC H100 v5 VM (-lgipp).
  boards.push_back(make_board({
      "H100-94GB",
      {"NVIDIA H100 NVL"},
      7,
      8,
      95830,
      guide_section,
      false,
      {
          {"1g.12gb", 19, 1, 1, 10.75, 16, 7, {0, 1, 2, 3, 4, 5, 6}},
          {"1g.12gb+me", 20, 1, 1, 10.75, 16, 1, {0, 1, 2, 3, 4, 5, 6}, true},
          {"1g.24gb", 15, 1, 2, 21.62, 26, 4, {0, 2, 4, 6}},
          {"2g.24gb", 14, 2, 2, 21.62, 32, 3, {0, 2, 4}},
          {"3g.47gb", 9, 3, 4, 46.38, 60, 2, {0, 4}},
          {"4g.47gb", 5, 4, 4, 46.38, 64, 1, {0}},
          {"7g.94gb", 0, 7, 8, 93.12, 132, 1, {0}},
      },
      {},
  }));

  // H200-141GB (SXM5 and NVL): guide table "GPU Instance Profiles on H200". IDs, GiB and SMs:
  // `-lgip` of an H200 in https://github.com/NVIDIA/mig-parted/issues/120. No `-lgipp` listing
  // was found: the placements are deduced (same memory fractions and counts as the H100).
  boards.push_back(make_board({
      "H200-141GB",
      {"NVIDIA H200", "NVIDIA H200 NVL", "NVIDIA H200 141GB HBM3e"},
      7,
      8,
      0,
      guide_section,
      true,
      {
          {"1g.18gb", 19, 1, 1, 16.00, 16, 7, {0, 1, 2, 3, 4, 5, 6}},
          {"1g.18gb+me", 20, 1, 1, 16.00, 16, 1, {0, 1, 2, 3, 4, 5, 6}, true},
          {"1g.35gb", 15, 1, 2, 32.25, 26, 4, {0, 2, 4, 6}},
          {"2g.35gb", 14, 2, 2, 32.25, 32, 3, {0, 2, 4}},
          {"3g.71gb", 9, 3, 4, 69.50, 60, 2, {0, 4}},
          {"4g.71gb", 5, 4, 4, 69.50, 64, 1, {0}},
          {"7g.141gb", 0, 7, 8, 139.75, 132, 1, {0}},
      },
      {"placements are deduced from the guide's memory fractions and instance counts (no "
       "nvidia-smi mig -lgipp listing of an H200 was found)"},
  }));

  // B200: guide table "GPU Instance Profiles on B200". IDs, GiB and SMs of the four smallest
  // profiles: `-lgip` of a B200 in https://github.com/NVIDIA/gpu-operator/pull/1351 (1g.23gb
  // lists 20.50 GiB there and 22.00 GiB in the earlier pull/1242). The rest of that listing was
  // not available to us, so 3g.90gb, 4g.90gb and 7g.180gb have no ID, memory or SM figure here,
  // and no `-lgipp` listing was found: the placements are deduced from the guide's fractions.
  boards.push_back(make_board({
      "B200",
      {"NVIDIA B200"},
      7,
      8,
      0,
      guide_section,
      true,
      {
          {"1g.23gb", 19, 1, 1, 20.50, 18, 7, {0, 1, 2, 3, 4, 5, 6}},
          {"1g.23gb+me", 20, 1, 1, 20.50, 18, 1, {0, 1, 2, 3, 4, 5, 6}, true},
          {"1g.45gb", 15, 1, 2, 44.25, 30, 4, {0, 2, 4, 6}},
          {"2g.45gb", 14, 2, 2, 44.25, 36, 3, {0, 2, 4}},
          {"3g.90gb", unknown, 3, 4, unknown_gib, unknown, 2, {0, 4}},
          {"4g.90gb", unknown, 4, 4, unknown_gib, unknown, 1, {0}},
          {"7g.180gb", unknown, 7, 8, unknown_gib, unknown, 1, {0}},
      },
      {"placements are deduced from the guide's memory fractions and instance counts (no "
       "nvidia-smi mig -lgipp listing of a B200 was found)",
       "3g.90gb, 4g.90gb and 7g.180gb: profile ID, memory and SM count not documented in the "
       "sources used; plan leaves them out"},
  }));
  return boards;
}

/// Lower case without spaces, '-' and '_', so "a100-40gb", "A100 40GB" and "A100_40GB" agree.
std::string squeeze(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c != ' ' && c != '-' && c != '_' && c != '\t') {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

std::string lower_trimmed(std::string_view text) {
  std::string out;
  for (const char c : text) {
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  const auto first = out.find_first_not_of(" \t");
  const auto last = out.find_last_not_of(" \t");
  return first == std::string::npos ? std::string() : out.substr(first, last - first + 1);
}

/// The board part of a driver product name: a MIG device is reported as
/// "NVIDIA A100-SXM4-40GB MIG 1g.5gb", and the leading "NVIDIA" is optional.
std::string board_part(std::string_view model) {
  std::string text = lower_trimmed(model);
  const auto mig = text.find(" mig ");
  if (mig != std::string::npos) {
    text.erase(mig);
  }
  if (text.rfind("nvidia ", 0) == 0) {
    text.erase(0, 7);
  }
  return squeeze(text);
}

} // namespace

const std::vector<board_catalog>& builtin_boards() {
  static const std::vector<board_catalog> boards = build_catalog();
  return boards;
}

std::string known_board_names() {
  std::string names;
  for (const auto& board : builtin_boards()) {
    names += names.empty() ? board.model : ", " + board.model;
  }
  return names;
}

const board_catalog& find_board(std::string_view model) {
  const std::string wanted = board_part(model);
  if (!wanted.empty()) {
    for (const auto& board : builtin_boards()) {
      if (board_part(board.model) == wanted) {
        return board;
      }
      for (const auto& alias : board.aliases) {
        if (board_part(alias) == wanted) {
          return board;
        }
      }
    }
  }
  throw usage_error(fmt::format("unknown GPU '{}': known boards are {} (or the product name "
                                "nvidia-smi reports, such as \"NVIDIA A100-SXM4-40GB\")",
                                model, known_board_names()));
}

const gpu_instance_profile& find_profile(const board_catalog& board, std::string_view name_or_id) {
  std::string wanted = lower_trimmed(name_or_id);
  if (wanted.rfind("mig ", 0) == 0) {
    wanted = lower_trimmed(std::string_view(wanted).substr(4));
  }
  const bool numeric = !wanted.empty() && std::all_of(wanted.begin(), wanted.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
  for (const auto& profile : board.profiles) {
    const bool by_id = numeric && profile.id >= 0 && std::to_string(profile.id) == wanted;
    if (by_id || lower_trimmed(profile.name) == wanted) {
      return profile;
    }
  }
  std::string names;
  for (const auto& profile : board.profiles) {
    names += names.empty() ? "" : ", ";
    names += profile.id >= 0 ? fmt::format("{} (ID {})", profile.name, profile.id) : profile.name;
  }
  throw usage_error(fmt::format("unknown MIG profile '{}' for {}: its profiles are {}", name_or_id,
                                board.model, names));
}

} // namespace gpushare::mig
