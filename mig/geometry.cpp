#include "mig/geometry.hpp"

#include "common/error.hpp"
#include "common/text.hpp"
#include "mig/profile_catalog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

namespace gpushare::mig {
namespace {

/// More than any board holds; a bigger repeat count is a typo, not a geometry.
constexpr long max_repeat = 64;

/// "3x2g.20gb" -> {3, "2g.20gb"}; an item without a count -> {1, item}.
std::pair<long, std::string> split_repeat(std::string_view item, std::string_view whole) {
  std::size_t digits = 0;
  while (digits < item.size() && std::isdigit(static_cast<unsigned char>(item[digits])) != 0) {
    ++digits;
  }
  // A profile name also starts with digits ("1g.10gb"); only digits followed by 'x' or '*'
  // make a repeat count.
  const std::string_view rest = trim(item.substr(digits));
  if (digits == 0 || rest.empty() ||
      (rest.front() != 'x' && rest.front() != 'X' && rest.front() != '*')) {
    return {1, std::string(item)};
  }
  const std::string_view profile = trim(rest.substr(1));
  const long count = digits > 3 ? max_repeat + 1 : std::stol(std::string(item.substr(0, digits)));
  if (count < 1 || count > max_repeat || profile.empty()) {
    throw usage_error(fmt::format("geometry '{}': '{}' must be COUNTxPROFILE with COUNT from 1 to "
                                  "{} (e.g. 2x1g.10gb)",
                                  whole, item, max_repeat));
  }
  return {count, std::string(profile)};
}

std::uint64_t mask_of(const placement& where) {
  const std::uint64_t ones =
      where.size >= 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << where.size) - 1);
  return ones << where.start;
}

/// Exhaustive placement search over memory slices. Instances are tried most constrained first
/// (fewest placements, then most slices), so dead ends show up early; identical profiles take
/// placements in increasing order, so each set of slots is tried once and not once per
/// permutation; and (instance, occupied slices, first allowed placement) states that failed are
/// remembered. With at most 64 slices and a handful of instances this is exact and instant.
class placement_search {
public:
  explicit placement_search(std::vector<const gpu_instance_profile*> order)
      : m_order(std::move(order)), m_chosen(m_order.size(), 0) {}

  /// True when the first `count` instances of the order can all be placed.
  bool place_first(std::size_t count) {
    m_count = count;
    m_failed.clear();
    return place(0, 0, 0);
  }

  [[nodiscard]] const std::vector<std::size_t>& chosen() const { return m_chosen; }

private:
  bool place(std::size_t k, std::uint64_t occupied, std::size_t first_allowed) {
    if (k == m_count) {
      return true;
    }
    const auto key = std::make_tuple(k, occupied, first_allowed);
    if (m_failed.count(key) != 0) {
      return false;
    }
    const auto& placements = m_order[k]->placements;
    for (std::size_t p = first_allowed; p < placements.size(); ++p) {
      const std::uint64_t slots = mask_of(placements[p]);
      if ((slots & occupied) != 0) {
        continue;
      }
      m_chosen[k] = p;
      const bool same_next = k + 1 < m_count && m_order[k + 1] == m_order[k];
      if (place(k + 1, occupied | slots, same_next ? p + 1 : 0)) {
        return true;
      }
    }
    m_failed.insert(key);
    return false;
  }

  std::vector<const gpu_instance_profile*> m_order;
  std::vector<std::size_t> m_chosen;
  std::size_t m_count = 0;
  std::set<std::tuple<std::size_t, std::uint64_t, std::size_t>> m_failed;
};

validation_result invalid(std::string reason) {
  validation_result result;
  result.reason = std::move(reason);
  return result;
}

} // namespace

std::vector<std::string> parse_geometry(std::string_view text) {
  if (trim(text).empty()) {
    throw usage_error("empty geometry: give profiles separated by commas, e.g. "
                      "3g.40gb,2g.20gb,2x1g.10gb");
  }
  std::vector<std::string> profiles;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t comma = std::min(text.find(',', begin), text.size());
    const std::string_view item = trim(text.substr(begin, comma - begin));
    if (item.empty()) {
      throw usage_error(fmt::format("geometry '{}': empty profile between commas", text));
    }
    const auto [count, profile] = split_repeat(item, text);
    profiles.insert(profiles.end(), static_cast<std::size_t>(count), profile);
    begin = comma + 1;
  }
  return profiles;
}

std::string format_placements(const std::vector<placement>& placements) {
  if (placements.empty()) {
    return "none";
  }
  const bool one_size = std::all_of(placements.begin(), placements.end(), [&](const placement& p) {
    return p.size == placements.front().size;
  });
  std::string text;
  if (one_size) {
    for (const auto& p : placements) {
      text += fmt::format("{}{}", text.empty() ? "{" : ",", p.start);
    }
    return text + fmt::format("}}:{}", placements.front().size);
  }
  for (const auto& p : placements) {
    text += fmt::format("{}{{{}}}:{}", text.empty() ? "" : ",", p.start, p.size);
  }
  return text;
}

validation_result validate_geometry(const board_catalog& board,
                                    const std::vector<std::string>& profiles) {
  if (profiles.empty()) {
    return invalid("the geometry has no instances");
  }
  if (board.memory_slices > 64) {
    throw usage_error(fmt::format("{}: {} memory slices is more than the placement search "
                                  "handles (64)",
                                  board.model, board.memory_slices));
  }
  std::vector<const gpu_instance_profile*> requested;
  for (const auto& name : profiles) {
    requested.push_back(&find_profile(board, name));
  }

  // Counts and totals first: they give the clearest reason when they fail.
  std::map<std::string, int> counts;
  int compute = 0;
  int memory = 0;
  for (const auto* profile : requested) {
    ++counts[profile->name];
    compute += profile->compute_slices;
    memory += profile->memory_slices;
  }
  for (const auto* profile : requested) {
    const int count = counts[profile->name];
    if (count > profile->max_instances) {
      return invalid(fmt::format("{} x {} requested, but at most {} can exist at once on {}", count,
                                 profile->name, profile->max_instances, board.model));
    }
  }
  if (compute > board.compute_slices) {
    return invalid(fmt::format("the instances need {} compute slices; {} has {}", compute,
                               board.model, board.compute_slices));
  }
  if (memory > board.memory_slices) {
    return invalid(fmt::format("the instances need {} memory slices; {} has {}", memory,
                               board.model, board.memory_slices));
  }

  std::vector<std::size_t> order(requested.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& pa = *requested[a];
    const auto& pb = *requested[b];
    return std::make_tuple(pa.placements.size(), -pa.memory_slices, pa.name) <
           std::make_tuple(pb.placements.size(), -pb.memory_slices, pb.name);
  });
  std::vector<const gpu_instance_profile*> ordered;
  for (const auto index : order) {
    ordered.push_back(requested[index]);
  }

  placement_search search(ordered);
  if (search.place_first(ordered.size())) {
    validation_result result;
    result.valid = true;
    result.placements.resize(requested.size());
    for (std::size_t k = 0; k < ordered.size(); ++k) {
      const auto& profile = *ordered[k];
      result.placements[order[k]] =
          instance_placement{profile.name, profile.placements[search.chosen()[k]]};
    }
    return result;
  }

  // Name the instance that cannot be added: the first one in search order after the longest
  // prefix that still fits. The search is exhaustive, so this holds for any creation order.
  std::size_t placeable = 0;
  while (placeable + 1 < ordered.size() && search.place_first(placeable + 1)) {
    ++placeable;
  }
  const auto& stuck = *ordered[placeable];
  std::string before;
  for (std::size_t k = 0; k < placeable; ++k) {
    before += (before.empty() ? "" : ", ") + ordered[k]->name;
  }
  if (before.empty()) {
    return invalid(fmt::format("{} has no placement that fits on {} (placements {})", stuck.name,
                               board.model, format_placements(stuck.placements)));
  }
  return invalid(fmt::format("no free slot left for {} (placements {}): in every arrangement of "
                             "{} its memory slices are taken",
                             stuck.name, format_placements(stuck.placements), before));
}

} // namespace gpushare::mig
