#include "mig/mig_lifecycle.hpp"

#include "common/interrupt.hpp"
#include "mig/profile_catalog.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iostream>
#include <unistd.h>

namespace gpushare::mig {
namespace {

std::string placement_text(const std::optional<placement>& where) {
  return where ? fmt::format("{}:{}", where->start, where->size) : std::string("?");
}

std::string placeholder(const std::string& profile, const std::optional<placement>& where) {
  return fmt::format("<GI of {}@{}>", profile, placement_text(where));
}

/// Recorded GPU instances in the order they are recreated. With explicit placements any order
/// works; without, nvidia-smi places each where it fits first, so the largest go first (the
/// guide's "3g.20gb must be specified first" issue on the A100).
std::vector<gpu_instance> recreation_order(std::vector<gpu_instance> instances) {
  std::stable_sort(instances.begin(), instances.end(), [](const auto& a, const auto& b) {
    const int size_a = a.where ? a.where->size : 0;
    const int size_b = b.where ? b.where->size : 0;
    return size_a > size_b;
  });
  return instances;
}

std::vector<compute_instance> compute_instances_of(const std::vector<compute_instance>& all,
                                                   int gpu_instance_id) {
  std::vector<compute_instance> found;
  for (const auto& ci : all) {
    if (ci.gpu_instance_id == gpu_instance_id) {
      found.push_back(ci);
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return found;
}

/// A GPU instance as the restore must reproduce it: profile, placement (when recorded) and the
/// profiles of its compute instances. IDs are left out: the driver assigns new ones.
std::string shape_of(const gpu_instance& gi, const std::vector<compute_instance>& cis,
                     bool with_placement) {
  std::vector<int> ci_profiles;
  for (const auto& ci : compute_instances_of(cis, gi.id)) {
    ci_profiles.push_back(ci.profile_id);
  }
  std::sort(ci_profiles.begin(), ci_profiles.end());
  return fmt::format("{}({})@{} CIs [{}]", gi.profile, gi.profile_id,
                     with_placement ? placement_text(gi.where) : std::string("any"),
                     fmt::join(ci_profiles, ","));
}

std::vector<std::string> shapes_of(const std::vector<gpu_instance>& gis,
                                   const std::vector<compute_instance>& cis, bool with_placement) {
  std::vector<std::string> shapes;
  for (const auto& gi : gis) {
    shapes.push_back(shape_of(gi, cis, with_placement));
  }
  std::sort(shapes.begin(), shapes.end());
  return shapes;
}

bool all_placed(const std::vector<gpu_instance>& gis) {
  return std::all_of(gis.begin(), gis.end(), [](const auto& gi) { return gi.where.has_value(); });
}

struct listing_now {
  std::vector<gpu_instance> gpu_instances;
  std::vector<compute_instance> compute_instances;
};

void require_instances_listed(smi_state state, int gpu) {
  if (state != smi_state::ok && state != smi_state::no_instances) {
    throw environment_error(fmt::format(
        "cannot list the MIG instances of GPU {}: nvidia-smi says {}", gpu, to_string(state)));
  }
}

listing_now list_instances(const nvidia_smi& smi, int gpu) {
  const auto gis = smi.gpu_instances(gpu);
  require_instances_listed(gis.state, gpu);
  const auto cis = smi.compute_instances(gpu);
  require_instances_listed(cis.state, gpu);
  listing_now now;
  for (const auto& gi : gis.instances) {
    if (gi.gpu == gpu) {
      now.gpu_instances.push_back(gi);
    }
  }
  for (const auto& ci : cis.instances) {
    if (ci.gpu == gpu) {
      now.compute_instances.push_back(ci);
    }
  }
  return now;
}

/// The ID nvidia-smi gave the GPU instance it just created: from its report, or, for drivers
/// that print none, the one instance of that profile (and placement) that was not there before.
int created_gpu_instance_id(const nvidia_smi& smi, int gpu, const creation_report& report,
                            const std::vector<int>& ids_before, int profile_id,
                            const std::optional<placement>& where) {
  if (report.gpu_instances.size() == 1 && report.gpu_instances.front().id) {
    return *report.gpu_instances.front().id;
  }
  const auto now = list_instances(smi, gpu);
  std::vector<int> candidates;
  for (const auto& gi : now.gpu_instances) {
    const bool old = std::find(ids_before.begin(), ids_before.end(), gi.id) != ids_before.end();
    if (!old && gi.profile_id == profile_id && (!where || !gi.where || *gi.where == *where)) {
      candidates.push_back(gi.id);
    }
  }
  if (candidates.size() != 1) {
    throw environment_error(fmt::format(
        "cannot tell which GPU instance of profile {} nvidia-smi just created on GPU {} ({} "
        "candidates)",
        profile_id, gpu, candidates.size()));
  }
  return candidates.front();
}

std::string list_of(const std::vector<std::string>& commands) {
  std::string text;
  for (const auto& command : commands) {
    text += fmt::format("\n  {}", command);
  }
  return text;
}

} // namespace

mig_restore_error::mig_restore_error(const std::string& message, std::vector<std::string> commands)
    : environment_error(message), m_commands(std::move(commands)) {}

lifecycle_plan plan_lifecycle(const nvidia_smi& smi, int gpu, const mig_layout& current,
                              const board_catalog& board, const std::vector<std::string>& geometry,
                              bool explicit_placements) {
  if (geometry.empty()) {
    throw usage_error("the MIG geometry names no GPU instance profile (e.g. 3g.40gb,4g.40gb)");
  }
  const validation_result validation = validate_geometry(board, geometry);
  if (!validation.valid) {
    throw usage_error(fmt::format("MIG geometry {} does not fit GPU {} ({}): {}",
                                  fmt::join(geometry, ","), gpu, board.model, validation.reason));
  }
  lifecycle_plan plan;
  plan.gpu = gpu;
  plan.recorded = current;
  plan.geometry = validation.placements;

  // Compute instances first: a GPU instance with a compute instance cannot be destroyed.
  for (const auto& ci : current.compute_instances) {
    plan.apply.push_back({smi.destroy_compute_instance_argv(gpu, ci.gpu_instance_id, ci.id),
                          fmt::format("destroy compute instance {} ({}) of GPU instance {}", ci.id,
                                      ci.profile, ci.gpu_instance_id)});
  }
  for (const auto& gi : current.gpu_instances) {
    plan.apply.push_back({smi.destroy_gpu_instance_argv(gpu, gi.id),
                          fmt::format("destroy GPU instance {} ({} at {})", gi.id, gi.profile,
                                      placement_text(gi.where))});
  }
  std::vector<instance_placement> order = validation.placements;
  if (!explicit_placements) {
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.where.size > b.where.size; });
  }
  for (const auto& instance : order) {
    const auto& profile = find_profile(board, instance.profile);
    plan.apply.push_back(
        {smi.create_gpu_instance_argv(
             gpu, profile.id,
             explicit_placements ? std::optional<int>(instance.where.start) : std::nullopt, true),
         fmt::format("create GPU instance {} at {}:{} with its default compute instance",
                     profile.name, instance.where.start, instance.where.size)});
  }

  // The geometry's instances get IDs only when created; their default compute instance is 0.
  for (const auto& instance : order) {
    const auto gi = placeholder(instance.profile, instance.where);
    plan.restore.push_back(
        {{smi.program(), "mig", "-i", std::to_string(gpu), "-gi", gi, "-ci", "0", "-dci"},
         fmt::format("destroy the compute instance of the {} created above", instance.profile)});
  }
  for (const auto& instance : order) {
    const auto gi = placeholder(instance.profile, instance.where);
    plan.restore.push_back({{smi.program(), "mig", "-i", std::to_string(gpu), "-gi", gi, "-dgi"},
                            fmt::format("destroy the {} created above", instance.profile)});
  }
  for (const auto& gi : recreation_order(current.gpu_instances)) {
    const bool placed = explicit_placements && gi.where;
    plan.restore.push_back({smi.create_gpu_instance_argv(
                                gpu, gi.profile_id,
                                placed ? std::optional<int>(gi.where->start) : std::nullopt, false),
                            fmt::format("recreate GPU instance {} ({} at {})", gi.id, gi.profile,
                                        placement_text(gi.where))});
    for (const auto& ci : compute_instances_of(current.compute_instances, gi.id)) {
      auto argv = smi.create_compute_instance_argv(gpu, 0, ci.profile_id);
      argv.at(5) = placeholder(gi.profile, gi.where);
      plan.restore.push_back(
          {std::move(argv),
           fmt::format("recreate compute instance {} ({}) in it", ci.id, ci.profile)});
    }
  }
  return plan;
}

mig_lifecycle::mig_lifecycle(const nvidia_smi& smi, lifecycle_options options)
    : m_smi(smi), m_options(std::move(options)) {}

mig_lifecycle::prepared mig_lifecycle::prepare(bool check_permission) const {
  const int gpu = m_options.gpu;
  const gpu_mig_mode mode = m_smi.mig_mode(gpu);
  if (const std::string problem = mig_mode_problem(mode); !problem.empty()) {
    throw environment_error(problem);
  }
  const std::string& capability = m_options.config_capability;
  // Without the capability every mutation fails; better to say so before destroying anything.
  if (check_permission && !capability.empty() && ::geteuid() != 0 &&
      ::access(capability.c_str(), F_OK) == 0 && ::access(capability.c_str(), R_OK) != 0) {
    throw environment_error(fmt::format(
        "not allowed to change the MIG instances of GPU {}: run as root, or have root grant this "
        "user read access to {} (NVIDIA MIG user guide, \"Device Nodes and Capabilities\")",
        gpu, capability));
  }
  prepared ready;
  ready.board = live_catalog(m_smi, gpu, mode.name);
  if (m_options.geometry.empty()) {
    throw usage_error("the MIG geometry names no GPU instance profile (e.g. 3g.40gb,4g.40gb)");
  }
  ready.validation = validate_geometry(ready.board, m_options.geometry);
  if (!ready.validation.valid) {
    throw usage_error(fmt::format("MIG geometry {} does not fit GPU {} ({}): {}",
                                  fmt::join(m_options.geometry, ","), gpu, mode.name,
                                  ready.validation.reason));
  }
  ready.recorded = list_layout(m_smi, gpu);
  return ready;
}

lifecycle_plan mig_lifecycle::dry_run() const {
  const prepared ready = prepare(false);
  return plan_lifecycle(m_smi, m_options.gpu, ready.recorded, ready.board, m_options.geometry,
                        m_options.explicit_placements);
}

void mig_lifecycle::mutate(const std::function<void()>& step) {
  ++m_attempted;
  try {
    step();
  } catch (const nvidia_smi_error& failure) {
    // Refused for lack of privilege before anything changed: there is nothing to put back.
    if (failure.permission_denied() && m_succeeded == 0) {
      m_attempted = 0;
    }
    throw;
  }
  ++m_succeeded;
}

void mig_lifecycle::run(const std::function<void(const mig_layout&)>& body) {
  const int gpu = m_options.gpu;
  m_restore_failure.clear();
  m_attempted = 0;
  m_succeeded = 0;
  const prepared ready = prepare(true);
  throw_if_interrupted();

  // From the first mutation on, leaving this scope by an exception restores the recorded layout
  // from the destructor; the exception itself continues unchanged.
  struct restore_guard {
    mig_lifecycle& self;
    const mig_layout& recorded;
    bool armed = true;
    ~restore_guard() {
      if (armed && self.m_attempted > 0) {
        self.restore_behind_error(recorded);
      }
    }
  } guard{*this, ready.recorded};

  for (const auto& ci : ready.recorded.compute_instances) {
    mutate([&] { m_smi.destroy_compute_instance(gpu, ci.gpu_instance_id, ci.id); });
    throw_if_interrupted();
  }
  for (const auto& gi : ready.recorded.gpu_instances) {
    mutate([&] { m_smi.destroy_gpu_instance(gpu, gi.id); });
    throw_if_interrupted();
  }
  std::vector<instance_placement> order = ready.validation.placements;
  if (!m_options.explicit_placements) {
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.where.size > b.where.size; });
  }
  for (const auto& instance : order) {
    const auto& profile = find_profile(ready.board, instance.profile);
    const std::optional<int> start =
        m_options.explicit_placements ? std::optional<int>(instance.where.start) : std::nullopt;
    mutate([&] { (void)m_smi.create_gpu_instance(gpu, profile.id, start, true); });
    throw_if_interrupted();
  }

  const mig_layout applied = list_layout(m_smi, gpu);
  std::vector<gpu_instance> wanted;
  for (const auto& instance : ready.validation.placements) {
    gpu_instance gi;
    gi.profile_id = find_profile(ready.board, instance.profile).id;
    gi.profile = find_profile(ready.board, instance.profile).name;
    gi.where = instance.where;
    wanted.push_back(gi);
  }
  auto shape_without_cis = [](const std::vector<gpu_instance>& gis, bool placed) {
    return shapes_of(gis, {}, placed);
  };
  if (shape_without_cis(applied.gpu_instances, m_options.explicit_placements) !=
          shape_without_cis(wanted, m_options.explicit_placements) ||
      applied.compute_instances.size() != wanted.size()) {
    throw environment_error(fmt::format(
        "GPU {} does not hold the requested geometry after creating it: wanted {}, found {}", gpu,
        fmt::join(shape_without_cis(wanted, m_options.explicit_placements), "; "),
        fmt::join(shapes_of(applied.gpu_instances, applied.compute_instances,
                            m_options.explicit_placements),
                  "; ")));
  }
  throw_if_interrupted();
  body(applied);

  guard.armed = false;
  restore(ready.recorded);
}

void mig_lifecycle::restore(const mig_layout& recorded) const {
  const int gpu = m_options.gpu;
  const bool placed = m_options.explicit_placements && all_placed(recorded.gpu_instances);
  std::vector<std::string> done;
  try {
    const listing_now before = list_instances(m_smi, gpu);
    for (const auto& ci : before.compute_instances) {
      m_smi.destroy_compute_instance(gpu, ci.gpu_instance_id, ci.id);
      done.push_back(
          format_command(m_smi.destroy_compute_instance_argv(gpu, ci.gpu_instance_id, ci.id)));
    }
    for (const auto& gi : before.gpu_instances) {
      m_smi.destroy_gpu_instance(gpu, gi.id);
      done.push_back(format_command(m_smi.destroy_gpu_instance_argv(gpu, gi.id)));
    }
    std::vector<int> ids_seen;
    for (const auto& gi : recreation_order(recorded.gpu_instances)) {
      const std::optional<int> start = placed ? std::optional<int>(gi.where->start) : std::nullopt;
      const creation_report report = m_smi.create_gpu_instance(gpu, gi.profile_id, start, false);
      const int new_id =
          created_gpu_instance_id(m_smi, gpu, report, ids_seen, gi.profile_id, gi.where);
      ids_seen.push_back(new_id);
      done.push_back(
          format_command(m_smi.create_gpu_instance_argv(gpu, gi.profile_id, start, false)));
      for (const auto& ci : compute_instances_of(recorded.compute_instances, gi.id)) {
        (void)m_smi.create_compute_instance(gpu, new_id, ci.profile_id);
        done.push_back(
            format_command(m_smi.create_compute_instance_argv(gpu, new_id, ci.profile_id)));
      }
    }
    const listing_now after = list_instances(m_smi, gpu);
    const auto want = shapes_of(recorded.gpu_instances, recorded.compute_instances, placed);
    const auto have = shapes_of(after.gpu_instances, after.compute_instances, placed);
    if (want != have) {
      throw environment_error(fmt::format("GPU {} now holds {} instead of {}", gpu,
                                          fmt::join(have, "; "), fmt::join(want, "; ")));
    }
  } catch (const std::exception& failure) {
    // What is left cannot be known for sure after a failure; list it if nvidia-smi still answers,
    // so the hand-run commands name exact IDs where possible.
    std::vector<std::string> commands;
    try {
      const listing_now left = list_instances(m_smi, gpu);
      for (const auto& ci : left.compute_instances) {
        commands.push_back(
            format_command(m_smi.destroy_compute_instance_argv(gpu, ci.gpu_instance_id, ci.id)));
      }
      for (const auto& gi : left.gpu_instances) {
        commands.push_back(format_command(m_smi.destroy_gpu_instance_argv(gpu, gi.id)));
      }
    } catch (const std::exception&) {
      commands.push_back(
          format_command({m_smi.program(), "mig", "-i", std::to_string(gpu), "-lci"}) +
          "   # then -dci each listed compute instance, then -dgi each GPU instance");
    }
    for (const auto& gi : recreation_order(recorded.gpu_instances)) {
      const std::optional<int> start = placed ? std::optional<int>(gi.where->start) : std::nullopt;
      commands.push_back(
          format_command(m_smi.create_gpu_instance_argv(gpu, gi.profile_id, start, false)));
      for (const auto& ci : compute_instances_of(recorded.compute_instances, gi.id)) {
        auto argv = m_smi.create_compute_instance_argv(gpu, 0, ci.profile_id);
        argv.at(5) = "<ID printed by the -cgi above>";
        commands.push_back(format_command(argv));
      }
    }
    throw mig_restore_error(
        fmt::format(
            "could not restore the MIG layout of GPU {} ({}): {}. Already done:{}\nRun "
            "by hand, as root:{}",
            gpu,
            fmt::join(shapes_of(recorded.gpu_instances, recorded.compute_instances, placed), "; "),
            failure.what(), done.empty() ? std::string(" nothing") : list_of(done),
            list_of(commands)),
        commands);
  }
}

void mig_lifecycle::restore_behind_error(const mig_layout& recorded) noexcept {
  std::string failure;
  try {
    restore(recorded);
    return;
  } catch (const std::exception& error) {
    failure = error.what();
  } catch (...) {
    failure = "could not restore the MIG layout: unknown error";
  }
  // Reporting must not end the process while another exception is in flight, hence the
  // catch-all around it.
  try {
    m_restore_failure = failure;
    if (m_options.warn) {
      m_options.warn(m_restore_failure);
    } else {
      std::cerr << "warning: " << m_restore_failure << '\n';
    }
  } catch (...) {
  }
}

} // namespace gpushare::mig
