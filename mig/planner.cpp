#include "mig/planner.hpp"

#include "common/error.hpp"
#include "common/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <numeric>
#include <stdexcept>
#include <tuple>

namespace gpushare::mig {
namespace {

/// Clients one MPS server accepts on a whole GPU; on top of MIG the limit shrinks in proportion
/// to the compute instance (MIG user guide, "MIG with CUDA MPS" and the concurrency table).
constexpr int mps_max_clients = 48;
/// Beyond this the packing below stops being instant; no MIG plan of interest is this large.
constexpr int max_workloads = 10000;
/// Calls of the exact search before it settles for the best packing found so far.
constexpr std::size_t search_budget = 2'000'000;
/// The exact search recurses once per GPU; larger plans keep the greedy packing.
constexpr std::size_t max_searched_gpus = 256;

using demand = std::vector<int>;

std::string lower(std::string_view text) {
  std::string out;
  for (const char c : text) {
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

std::string gib(std::uint64_t mib) {
  return fmt::format("{:.2f} GiB", static_cast<double>(mib) / 1024.0);
}

[[noreturn]] void bad_need(std::string_view text) {
  throw usage_error(fmt::format("--need {}: expected SIZE:COUNT such as 8GiB:10 or 512MiB:3 "
                                "(units GiB, G, MiB, M, GB, MB; COUNT from 1 to {})",
                                text, max_workloads));
}

bool plannable(const gpu_instance_profile& profile) {
  return !profile.media_extensions && profile.memory_mib > 0 && !profile.placements.empty() &&
         profile.max_instances > 0;
}

bool all_zero(const demand& d) {
  return std::all_of(d.begin(), d.end(), [](int v) { return v == 0; });
}

/// Bin packing by first fit on sizes sorted largest first: a bin is an instance of
/// `capacity_mib` holding at most `max_items` workloads. Returns the bins' item counts.
std::vector<int> first_fit_decreasing(std::vector<std::uint64_t> sizes, std::uint64_t capacity_mib,
                                      int max_items) {
  std::sort(sizes.rbegin(), sizes.rend());
  std::vector<std::uint64_t> used;
  std::vector<int> items;
  for (const auto size : sizes) {
    std::size_t bin = 0;
    while (bin < used.size() && (used[bin] + size > capacity_mib || items[bin] >= max_items)) {
      ++bin;
    }
    if (bin == used.size()) {
      used.push_back(0);
      items.push_back(0);
    }
    used[bin] += size;
    ++items[bin];
  }
  return items;
}

int ceil_div(long long a, long long b) {
  return static_cast<int>((a + b - 1) / b);
}

/// Fewest GPUs for a demand of instances per profile type: an exact search over the board's
/// maximal geometries (those no further instance of a demanded type fits into; any packing can
/// be grown into one made of them, so nothing is lost by looking at these only).
class gpu_packer {
public:
  gpu_packer(std::vector<demand> configs, std::vector<int> memory_slices,
             std::vector<int> compute_slices, std::vector<int> max_instances,
             const board_catalog& board)
      : m_configs(std::move(configs)), m_memory(std::move(memory_slices)),
        m_compute(std::move(compute_slices)), m_max(std::move(max_instances)),
        m_board_memory(board.memory_slices), m_board_compute(board.compute_slices) {
    for (const auto& config : m_configs) {
      m_most_instances =
          std::max(m_most_instances, std::accumulate(config.begin(), config.end(), 0));
    }
  }

  /// No packing of `d` uses fewer GPUs: by memory slices, compute slices, each profile's
  /// maximum count and the most instances any geometry holds.
  [[nodiscard]] int lower_bound(const demand& d) const {
    long long memory = 0;
    long long compute = 0;
    long long instances = 0;
    int bound = 0;
    for (std::size_t t = 0; t < d.size(); ++t) {
      memory += static_cast<long long>(d[t]) * m_memory[t];
      compute += static_cast<long long>(d[t]) * m_compute[t];
      instances += d[t];
      bound = std::max(bound, ceil_div(d[t], m_max[t]));
    }
    bound = std::max(bound, ceil_div(memory, m_board_memory));
    bound = std::max(bound, ceil_div(compute, m_board_compute));
    return std::max(bound, ceil_div(instances, m_most_instances));
  }

  /// Each step takes the geometry that serves the most demanded memory slices.
  [[nodiscard]] std::vector<std::size_t> greedy(demand d) const {
    std::vector<std::size_t> chosen;
    while (!all_zero(d)) {
      std::size_t best = 0;
      std::pair<long long, long long> best_score{-1, -1};
      for (std::size_t c = 0; c < m_configs.size(); ++c) {
        std::pair<long long, long long> score{0, 0};
        for (std::size_t t = 0; t < d.size(); ++t) {
          const int served = std::min(m_configs[c][t], d[t]);
          score.first += static_cast<long long>(served) * m_memory[t];
          score.second += served;
        }
        if (score > best_score) {
          best_score = score;
          best = c;
        }
      }
      chosen.push_back(best);
      d = after(d, m_configs[best]);
    }
    return chosen;
  }

  /// Looks for a packing into `gpus` GPUs; fills `chosen` when found. `exhausted()` tells a
  /// "no" that ran out of budget from a proof.
  bool pack(const demand& d, int gpus, std::vector<std::size_t>& chosen) {
    if (all_zero(d)) {
      return true;
    }
    if (gpus == 0 || lower_bound(d) > gpus) {
      return false;
    }
    const auto known = m_infeasible.find(d);
    if (known != m_infeasible.end() && known->second >= gpus) {
      return false;
    }
    if (++m_nodes > search_budget) {
      m_exhausted = true;
      return false;
    }
    // Some GPU serves the first demanded type, and GPUs are interchangeable: branching on the
    // geometries that contain it covers every packing once up to order.
    const auto first = static_cast<std::size_t>(
        std::find_if(d.begin(), d.end(), [](int v) { return v > 0; }) - d.begin());
    for (std::size_t c = 0; c < m_configs.size(); ++c) {
      if (m_configs[c][first] == 0) {
        continue;
      }
      chosen.push_back(c);
      if (pack(after(d, m_configs[c]), gpus - 1, chosen)) {
        return true;
      }
      chosen.pop_back();
      if (m_exhausted) {
        return false;
      }
    }
    auto& bound = m_infeasible[d];
    bound = std::max(bound, gpus);
    return false;
  }

  [[nodiscard]] bool exhausted() const { return m_exhausted; }
  [[nodiscard]] const demand& config(std::size_t index) const { return m_configs[index]; }

  static demand after(const demand& d, const demand& served) {
    demand rest(d.size());
    for (std::size_t t = 0; t < d.size(); ++t) {
      rest[t] = std::max(0, d[t] - served[t]);
    }
    return rest;
  }

private:
  std::vector<demand> m_configs;
  std::vector<int> m_memory;
  std::vector<int> m_compute;
  std::vector<int> m_max;
  int m_board_memory;
  int m_board_compute;
  int m_most_instances = 1;
  std::map<demand, int> m_infeasible; ///< demand -> most GPUs it is known not to fit in
  std::size_t m_nodes = 0;
  bool m_exhausted = false;
};

std::vector<std::string> names_of(const std::vector<const gpu_instance_profile*>& types,
                                  const demand& counts) {
  std::vector<std::string> names;
  for (std::size_t t = 0; t < types.size(); ++t) {
    names.insert(names.end(), static_cast<std::size_t>(counts[t]), types[t]->name);
  }
  return names;
}

/// Every geometry of the demanded types that validates and cannot take one more instance.
std::vector<demand> maximal_geometries(const board_catalog& board,
                                       const std::vector<const gpu_instance_profile*>& types) {
  std::map<demand, bool> valid_cache;
  const auto valid = [&](const demand& counts) {
    const auto cached = valid_cache.find(counts);
    if (cached != valid_cache.end()) {
      return cached->second;
    }
    const bool ok = validate_geometry(board, names_of(types, counts)).valid;
    valid_cache.emplace(counts, ok);
    return ok;
  };
  // Valid geometries are closed under removing instances, so growing only valid ones in
  // canonical (non-decreasing type) order reaches all of them.
  std::vector<demand> all;
  demand counts(types.size(), 0);
  std::function<void(std::size_t)> grow = [&](std::size_t from) {
    for (std::size_t t = from; t < types.size(); ++t) {
      ++counts[t];
      if (valid(counts)) {
        all.push_back(counts);
        grow(t);
      }
      --counts[t];
    }
  };
  grow(0);
  std::vector<demand> maximal;
  for (auto& config : all) {
    bool grows = false;
    for (std::size_t t = 0; t < types.size() && !grows; ++t) {
      ++config[t];
      grows = valid(config);
      --config[t];
    }
    if (!grows) {
      maximal.push_back(config);
    }
  }
  return maximal;
}

std::uint64_t estimate_slice_mib(const board_catalog& board) {
  for (const auto& profile : board.profiles) {
    if (profile.memory_slices == board.memory_slices && profile.memory_mib > 0) {
      return profile.memory_mib / static_cast<std::uint64_t>(board.memory_slices);
    }
  }
  std::uint64_t smallest = 0;
  for (const auto& profile : board.profiles) {
    if (profile.memory_slices == 1 && profile.memory_mib > 0 &&
        (smallest == 0 || profile.memory_mib < smallest)) {
      smallest = profile.memory_mib;
    }
  }
  return smallest;
}

/// The most instances of `profile` one GPU holds, as validate_geometry confirms.
int instances_per_gpu(const board_catalog& board, const gpu_instance_profile& profile) {
  for (int count = profile.max_instances; count > 0; --count) {
    if (validate_geometry(board,
                          std::vector<std::string>(static_cast<std::size_t>(count), profile.name))
            .valid) {
      return count;
    }
  }
  return 0;
}

sharing_option sharing_with(const board_catalog& board, const gpu_instance_profile& profile,
                            const std::vector<std::uint64_t>& sizes) {
  sharing_option option;
  option.profile = profile.name;
  option.instances_per_gpu = instances_per_gpu(board, profile);
  option.instance_mib = profile.memory_mib;
  option.mps_clients_per_instance =
      std::max(1, mps_max_clients * profile.compute_slices / board.compute_slices);
  const auto shared = first_fit_decreasing(sizes, profile.memory_mib, max_workloads);
  const auto with_mps =
      first_fit_decreasing(sizes, profile.memory_mib, option.mps_clients_per_instance);
  const int per_gpu = std::max(1, option.instances_per_gpu);
  option.gpus_time_slicing = ceil_div(static_cast<long long>(shared.size()), per_gpu);
  option.gpus_mps = ceil_div(static_cast<long long>(with_mps.size()), per_gpu);
  option.most_per_instance = shared.empty() ? 0 : *std::max_element(shared.begin(), shared.end());
  return option;
}

} // namespace

workload_need parse_need(std::string_view text) {
  const std::string_view whole = trim(text);
  const auto colon = whole.rfind(':');
  const std::string_view size = trim(whole.substr(0, colon));
  workload_need need;
  if (colon != std::string_view::npos) {
    const std::string_view count = trim(whole.substr(colon + 1));
    if (count.empty() || count.size() > 6 || !std::all_of(count.begin(), count.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c)) != 0;
        })) {
      bad_need(text);
    }
    need.count = std::stoi(std::string(count));
    if (need.count < 1 || need.count > max_workloads) {
      bad_need(text);
    }
  }
  std::size_t number_end = 0;
  bool point = false;
  while (number_end < size.size() &&
         (std::isdigit(static_cast<unsigned char>(size[number_end])) != 0 ||
          (size[number_end] == '.' && !point))) {
    point = point || size[number_end] == '.';
    ++number_end;
  }
  const std::string number(size.substr(0, number_end));
  const std::string unit = lower(trim(size.substr(number_end)));
  static const std::map<std::string, double> mib_per_unit{
      {"gib", 1024.0}, {"g", 1024.0},           {"mib", 1.0},
      {"m", 1.0},      {"gb", 1e9 / 1048576.0}, {"mb", 1e6 / 1048576.0},
  };
  const auto factor = mib_per_unit.find(unit);
  if (number.empty() || number == "." || factor == mib_per_unit.end()) {
    bad_need(text);
  }
  const double mib = std::ceil(std::strtod(number.c_str(), nullptr) * factor->second);
  if (!(mib >= 1.0) || mib > 1e12) {
    bad_need(text);
  }
  need.memory_mib = static_cast<std::uint64_t>(mib);
  need.size_text = std::string(size);
  return need;
}

plan_result plan_packing(const board_catalog& board, const std::vector<workload_need>& needs) {
  if (needs.empty()) {
    throw usage_error("plan: give at least one --need SIZE:COUNT");
  }
  plan_result result;
  result.board = board.model;
  result.slice_mib_estimate = estimate_slice_mib(board);

  std::vector<const gpu_instance_profile*> usable;
  std::string undocumented;
  for (const auto& profile : board.profiles) {
    if (plannable(profile)) {
      usable.push_back(&profile);
      result.max_instances_per_gpu = std::max(result.max_instances_per_gpu, profile.max_instances);
    } else if (!profile.media_extensions) {
      undocumented += (undocumented.empty() ? "" : ", ") + profile.name;
    }
  }
  if (!undocumented.empty()) {
    result.notes.push_back(
        fmt::format("left out, no documented memory size or placement: {}", undocumented));
  }
  result.notes.push_back("+me profiles are left out: the same memory as their plain twin, at "
                         "most one per GPU, and media engines these workloads do not ask for");
  if (usable.empty()) {
    throw usage_error(
        fmt::format("{}: no profile has a documented memory size to plan with", board.model));
  }

  int total = 0;
  for (const auto& need : needs) {
    total += need.count;
    if (total > max_workloads) {
      throw usage_error(fmt::format("plan: more than {} workloads", max_workloads));
    }
    const gpu_instance_profile* best = nullptr;
    for (const auto* profile : usable) {
      if (profile->memory_mib < need.memory_mib) {
        continue;
      }
      if (best == nullptr ||
          std::make_tuple(profile->memory_mib, profile->memory_slices, profile->compute_slices) <
              std::make_tuple(best->memory_mib, best->memory_slices, best->compute_slices)) {
        best = profile;
      }
    }
    if (best == nullptr) {
      const auto* biggest =
          *std::max_element(usable.begin(), usable.end(), [](const auto* a, const auto* b) {
            return a->memory_mib < b->memory_mib;
          });
      throw usage_error(fmt::format(
          "--need {}:{}: {} is more than the biggest {} profile, {} ({}){}", need.size_text,
          need.count, need.size_text, board.model, biggest->name, gib(biggest->memory_mib),
          undocumented.empty()
              ? ""
              : fmt::format("; no memory size is documented for {}", undocumented)));
    }
    result.needs.push_back(need_assignment{need, best->name, best->memory_mib});
  }
  result.workloads = total;

  // Profile types in demand, biggest first: the search branches on the first one.
  std::vector<const gpu_instance_profile*> types;
  for (const auto& assignment : result.needs) {
    const auto* profile =
        &*std::find_if(board.profiles.begin(), board.profiles.end(),
                       [&](const gpu_instance_profile& p) { return p.name == assignment.profile; });
    if (std::find(types.begin(), types.end(), profile) == types.end()) {
      types.push_back(profile);
    }
  }
  std::sort(types.begin(), types.end(), [](const auto* a, const auto* b) {
    return std::make_tuple(-a->memory_slices, -a->compute_slices, a->name) <
           std::make_tuple(-b->memory_slices, -b->compute_slices, b->name);
  });
  const auto type_of = [&](const std::string& name) {
    return static_cast<std::size_t>(
        std::find_if(types.begin(), types.end(), [&](const auto* p) { return p->name == name; }) -
        types.begin());
  };
  demand wanted(types.size(), 0);
  // Per type, the workloads (need indices) it serves, largest need first.
  std::vector<std::vector<std::size_t>> queue(types.size());
  for (std::size_t n = 0; n < result.needs.size(); ++n) {
    const auto t = type_of(result.needs[n].profile);
    wanted[t] += result.needs[n].need.count;
    queue[t].insert(queue[t].end(), static_cast<std::size_t>(result.needs[n].need.count), n);
  }
  for (auto& q : queue) {
    std::stable_sort(q.begin(), q.end(), [&](std::size_t a, std::size_t b) {
      return result.needs[a].need.memory_mib > result.needs[b].need.memory_mib;
    });
  }

  std::vector<int> memory_slices;
  std::vector<int> compute_slices;
  std::vector<int> max_instances;
  for (const auto* type : types) {
    memory_slices.push_back(type->memory_slices);
    compute_slices.push_back(type->compute_slices);
    max_instances.push_back(type->max_instances);
  }
  gpu_packer packer(maximal_geometries(board, types), memory_slices, compute_slices, max_instances,
                    board);
  auto chosen = packer.greedy(wanted);
  result.lower_bound_gpus = packer.lower_bound(wanted);
  result.proven_fewest = static_cast<int>(chosen.size()) == result.lower_bound_gpus;
  if (!result.proven_fewest && chosen.size() <= max_searched_gpus) {
    bool found = false;
    for (int gpus = result.lower_bound_gpus; gpus < static_cast<int>(chosen.size()); ++gpus) {
      std::vector<std::size_t> attempt;
      if (packer.pack(wanted, gpus, attempt)) {
        chosen = attempt;
        found = true;
        break;
      }
      if (packer.exhausted()) {
        break;
      }
    }
    result.proven_fewest = found || !packer.exhausted();
    if (result.proven_fewest) {
      result.lower_bound_gpus = static_cast<int>(chosen.size());
    }
  }

  // Each GPU keeps only the instances its workloads use; fewer instances stay valid.
  demand left = wanted;
  std::vector<std::size_t> next(types.size(), 0);
  for (const auto index : chosen) {
    const auto& config = packer.config(index);
    demand used(types.size(), 0);
    for (std::size_t t = 0; t < types.size(); ++t) {
      used[t] = std::min(config[t], left[t]);
      left[t] -= used[t];
    }
    const auto names = names_of(types, used);
    const auto checked = validate_geometry(board, names);
    if (!checked.valid) {
      throw std::logic_error("plan produced an invalid geometry: " + checked.reason);
    }
    planned_gpu gpu;
    int covered = 0;
    for (const auto& placed : checked.placements) {
      const auto t = type_of(placed.profile);
      planned_instance instance;
      instance.instance = placed;
      instance.memory_mib = types[t]->memory_mib;
      const std::size_t workload = queue[t][next[t]++];
      instance.workloads.push_back(workload);
      instance.used_mib = result.needs[workload].need.memory_mib;
      gpu.idle_in_instances_mib += instance.memory_mib - instance.used_mib;
      covered += placed.where.size;
      gpu.instances.push_back(instance);
    }
    std::sort(gpu.instances.begin(), gpu.instances.end(), [](const auto& a, const auto& b) {
      return a.instance.where.start < b.instance.where.start;
    });
    gpu.unassigned_memory_slices = board.memory_slices - covered;
    gpu.unassigned_mib_estimate =
        static_cast<std::uint64_t>(gpu.unassigned_memory_slices) * result.slice_mib_estimate;
    result.gpus.push_back(std::move(gpu));
  }

  if (result.workloads > result.max_instances_per_gpu) {
    std::vector<std::uint64_t> sizes;
    std::uint64_t largest = 0;
    for (const auto& assignment : result.needs) {
      sizes.insert(sizes.end(), static_cast<std::size_t>(assignment.need.count),
                   assignment.need.memory_mib);
      largest = std::max(largest, assignment.need.memory_mib);
    }
    // Smallest instance that holds the largest need, many per GPU; and the one whole-GPU
    // instance, every workload of a GPU in it.
    const gpu_instance_profile* small = nullptr;
    const gpu_instance_profile* whole = nullptr;
    for (const auto* profile : usable) {
      if (profile->memory_mib >= largest &&
          (small == nullptr || std::make_tuple(profile->memory_mib, profile->compute_slices) <
                                   std::make_tuple(small->memory_mib, small->compute_slices))) {
        small = profile;
      }
      if (whole == nullptr || profile->memory_mib > whole->memory_mib) {
        whole = profile;
      }
    }
    result.sharing.push_back(sharing_with(board, *small, sizes));
    if (whole != small) {
      result.sharing.push_back(sharing_with(board, *whole, sizes));
    }
  }
  return result;
}

} // namespace gpushare::mig
