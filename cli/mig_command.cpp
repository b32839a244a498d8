#include "cli/mig_command.hpp"

#include "common/error.hpp"
#include "mig/geometry.hpp"
#include "mig/nvidia_smi.hpp"
#include "mig/planner.hpp"
#include "mig/profile_catalog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace gpushare::cli {
namespace {

using mig::board_catalog;

/// --gpu value that reads the profile table from the GPU instead of the built-in catalog.
constexpr const char* live_gpu = "live";

/// Plain text columns, left aligned, two spaces apart: what `mig` prints is meant to be read.
class text_table {
public:
  explicit text_table(std::vector<std::string> header) { m_rows.push_back(std::move(header)); }

  void add(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }

  void print(std::ostream& out, const std::string& indent = "") const {
    std::vector<std::size_t> widths;
    for (const auto& row : m_rows) {
      widths.resize(std::max(widths.size(), row.size()), 0);
      for (std::size_t c = 0; c < row.size(); ++c) {
        widths[c] = std::max(widths[c], row[c].size());
      }
    }
    for (const auto& row : m_rows) {
      std::string line = indent;
      for (std::size_t c = 0; c < row.size(); ++c) {
        line += c + 1 == row.size() ? row[c] : fmt::format("{:<{}}  ", row[c], widths[c]);
      }
      out << line << '\n';
    }
  }

private:
  std::vector<std::vector<std::string>> m_rows;
};

std::string gib(std::uint64_t mib) {
  return mib == 0 ? "?" : fmt::format("{:.2f} GiB", static_cast<double>(mib) / 1024.0);
}

std::string id_text(int id) {
  return id < 0 ? "?" : std::to_string(id);
}

std::string start_size(const mig::placement& where) {
  return fmt::format("{}:{}", where.start, where.size);
}

const mig::gpu_instance_profile& profile_named(const board_catalog& board,
                                               const std::string& name) {
  return mig::find_profile(board, name);
}

void print_caveats(const board_catalog& board, std::ostream& out) {
  for (const auto& caveat : board.caveats) {
    out << "note: " << caveat << '\n';
  }
}

mig::nvidia_smi nvidia_smi_for(const mig_arguments& arguments) {
  mig::nvidia_smi_options options;
  options.program = arguments.nvidia_smi;
  return mig::nvidia_smi(options);
}

/// The built-in catalog's board, or with --gpu live the table the GPU itself reports, which
/// wins where a driver differs from the guide.
board_catalog board_for(const mig_arguments& arguments) {
  if (arguments.gpu != live_gpu) {
    return mig::find_board(arguments.gpu);
  }
  const mig::nvidia_smi smi = nvidia_smi_for(arguments);
  const mig::gpu_mig_mode mode = smi.mig_mode(arguments.device);
  if (const std::string problem = mig::mig_mode_problem(mode); !problem.empty()) {
    throw environment_error(fmt::format("--gpu live reads the profile table of a MIG-enabled "
                                        "GPU: {}; or name the board (--gpu MODEL)",
                                        problem));
  }
  return mig::live_catalog(smi, arguments.device, mode.name);
}

// ---- mig profiles -------------------------------------------------------------------------

int run_profiles(const mig_arguments& arguments, std::ostream& out) {
  const board_catalog board = board_for(arguments);
  out << fmt::format("{}: {} compute slices, {} memory slices\n", board.model, board.compute_slices,
                     board.memory_slices);
  if (!board.aliases.empty()) {
    std::string names;
    for (const auto& alias : board.aliases) {
      names += (names.empty() ? "" : ", ") + alias;
    }
    out << "reported as: " << names << '\n';
  }
  out << "source: " << board.source
      << (board.origin == mig::catalog_source::builtin ? " (built-in catalog)"
                                                       : " (the GPU's live table)")
      << "\n\n";
  text_table table(
      {"profile", "ID", "compute", "memory", "memory slices", "SMs", "max", "placements"});
  for (const auto& profile : board.profiles) {
    table.add(
        {profile.name, id_text(profile.id), std::to_string(profile.compute_slices),
         gib(profile.memory_mib), std::to_string(profile.memory_slices),
         profile.sm_count ? std::to_string(*profile.sm_count) : "?",
         std::to_string(profile.max_instances),
         mig::format_placements(profile.placements) + (profile.placements_inferred ? " *" : "")});
  }
  table.print(out);
  out << "\nplacements as nvidia-smi mig -lgipp prints them: {start slices}:size in memory "
         "slices; \"?\" = not documented\n";
  if (std::any_of(board.profiles.begin(), board.profiles.end(),
                  [](const auto& p) { return p.placements_inferred; })) {
    out << "* deduced from the guide's fractions and counts, not read from nvidia-smi\n";
  }
  print_caveats(board, out);
  return static_cast<int>(exit_code::success);
}

// ---- mig validate -------------------------------------------------------------------------

int run_validate(const mig_arguments& arguments, std::ostream& out) {
  const board_catalog board = board_for(arguments);
  const auto profiles = mig::parse_geometry(arguments.geometry);
  const auto result = mig::validate_geometry(board, profiles);
  std::string geometry;
  for (const auto& name : profiles) {
    geometry += (geometry.empty() ? "" : ",") + profile_named(board, name).name;
  }
  if (!result.valid) {
    out << fmt::format("{}: {} is not valid: {}\n", board.model, geometry, result.reason);
    print_caveats(board, out);
    return static_cast<int>(exit_code::check_failed);
  }
  out << fmt::format("{}: {} is valid\n\n", board.model, geometry);
  text_table table({"instance", "profile", "ID", "placement", "memory slices", "memory"});
  int compute = 0;
  int memory = 0;
  for (std::size_t i = 0; i < result.placements.size(); ++i) {
    const auto& placed = result.placements[i];
    const auto& profile = profile_named(board, placed.profile);
    compute += profile.compute_slices;
    memory += placed.where.size;
    table.add({std::to_string(i), placed.profile, id_text(profile.id), start_size(placed.where),
               fmt::format("{}-{}", placed.where.start, placed.where.start + placed.where.size - 1),
               gib(profile.memory_mib)});
  }
  table.print(out);
  out << fmt::format("\ncompute slices used: {} of {}; memory slices used: {} of {}\n", compute,
                     board.compute_slices, memory, board.memory_slices);
  out << "placement is Start:Size in memory slices, as nvidia-smi mig -lgi prints it\n";
  print_caveats(board, out);
  return static_cast<int>(exit_code::success);
}

// ---- mig plan -----------------------------------------------------------------------------

std::string geometry_of(const mig::planned_gpu& gpu) {
  std::map<std::string, int> counts;
  std::vector<std::string> order;
  for (const auto& instance : gpu.instances) {
    if (counts[instance.instance.profile]++ == 0) {
      order.push_back(instance.instance.profile);
    }
  }
  std::string text;
  for (const auto& name : order) {
    text += (text.empty() ? "" : ",") +
            (counts[name] > 1 ? fmt::format("{}x{}", counts[name], name) : name);
  }
  return text;
}

void print_sharing(const mig::plan_result& plan, std::ostream& out) {
  out << fmt::format("\n{} workloads are more than the {} instances one {} holds, so MIG alone "
                     "needs {} GPUs.\nSharing instances instead, by MPS or time-slicing inside "
                     "them:\n\n",
                     plan.workloads, plan.max_instances_per_gpu, plan.board, plan.gpus.size());
  text_table table({"layout per GPU", "instance memory", "most per instance", "GPUs, time-slicing",
                    "MPS clients per instance", "GPUs, MPS"});
  table.add({"one workload per instance (this plan)", "-", "1", std::to_string(plan.gpus.size()),
             "-", std::to_string(plan.gpus.size())});
  for (const auto& option : plan.sharing) {
    table.add({fmt::format("{}x{}, shared", option.instances_per_gpu, option.profile),
               gib(option.instance_mib), std::to_string(option.most_per_instance),
               std::to_string(option.gpus_time_slicing),
               std::to_string(option.mps_clients_per_instance), std::to_string(option.gpus_mps)});
  }
  table.print(out, "  ");
  out << "\nWhat sharing costs (packed by memory, first fit largest first; compute not counted):\n"
         "  MIG alone: every workload has its own SMs, memory, L2 and bandwidth; a fault or an\n"
         "    out-of-memory stays inside its instance.\n"
         "  time-slicing: co-located workloads take turns on the instance's SMs, so latency grows\n"
         "    with each one; address spaces are separate, but nothing caps one workload's memory.\n"
         "  MPS: co-located workloads run at once and can be capped (memory, SM share), but a\n"
         "    fatal GPU fault in one client can take down every client of the same MPS server,\n"
         "    and there is no bandwidth QoS between them; MPS on MIG allows 48 clients scaled by\n"
         "    the instance's share of the compute slices (NVIDIA MIG user guide).\n"
         "  Either way, isolation holds only between instances, not between the models inside.\n";
}

int run_plan(const mig_arguments& arguments, std::ostream& out) {
  const board_catalog board = board_for(arguments);
  std::vector<mig::workload_need> needs;
  for (const auto& text : arguments.needs) {
    needs.push_back(mig::parse_need(text));
  }
  const auto plan = mig::plan_packing(board, needs);
  out << fmt::format(
      "{}: {} workloads on {} GPUs ({})\n\n", plan.board, plan.workloads, plan.gpus.size(),
      plan.proven_fewest ? "no packing uses fewer"
                         : fmt::format("search stopped early; no packing uses fewer than {}",
                                       plan.lower_bound_gpus));
  text_table needs_table({"need", "count", "profile", "instance memory", "idle per instance"});
  for (const auto& assignment : plan.needs) {
    needs_table.add({assignment.need.size_text, std::to_string(assignment.need.count),
                     assignment.profile, gib(assignment.instance_mib),
                     gib(assignment.instance_mib - assignment.need.memory_mib)});
  }
  needs_table.print(out);

  std::uint64_t idle_total = 0;
  int unassigned_total = 0;
  for (std::size_t g = 0; g < plan.gpus.size(); ++g) {
    const auto& gpu = plan.gpus[g];
    out << fmt::format("\nGPU {}: {}\n", g, geometry_of(gpu));
    text_table table({"instance", "placement", "memory", "workload", "idle"});
    for (const auto& instance : gpu.instances) {
      std::string served;
      for (const auto index : instance.workloads) {
        served += (served.empty() ? "" : ", ") + plan.needs[index].need.size_text;
      }
      table.add({instance.instance.profile, start_size(instance.instance.where),
                 gib(instance.memory_mib), served, gib(instance.memory_mib - instance.used_mib)});
    }
    table.print(out, "  ");
    out << fmt::format("  idle: {} inside instances", gib(gpu.idle_in_instances_mib));
    if (gpu.unassigned_memory_slices > 0) {
      out << fmt::format("; {} memory slice{} unassigned (about {})", gpu.unassigned_memory_slices,
                         gpu.unassigned_memory_slices == 1 ? "" : "s",
                         gib(gpu.unassigned_mib_estimate));
    }
    out << '\n';
    idle_total += gpu.idle_in_instances_mib + gpu.unassigned_mib_estimate;
    unassigned_total += gpu.unassigned_memory_slices;
  }
  out << fmt::format("\nidle in total: {} ({} memory slices unassigned)\n", gib(idle_total),
                     unassigned_total);
  if (!plan.sharing.empty()) {
    print_sharing(plan, out);
  }
  for (const auto& note : plan.notes) {
    out << "note: " << note << '\n';
  }
  print_caveats(board, out);
  return static_cast<int>(exit_code::success);
}

// ---- mig instances ------------------------------------------------------------------------

int run_instances(const mig_arguments& arguments, std::ostream& out) {
  const mig::nvidia_smi smi = nvidia_smi_for(arguments);
  const mig::gpu_mig_mode mode = smi.mig_mode(arguments.device);
  if (const std::string problem = mig::mig_mode_problem(mode); !problem.empty()) {
    throw environment_error(problem);
  }
  const mig::mig_layout layout = mig::list_layout(smi, arguments.device);
  out << fmt::format("GPU {}: {} ({})\n", layout.gpu, layout.gpu_name, layout.gpu_uuid);
  if (layout.gpu_instances.empty()) {
    out << "no MIG instances: create some with 'nvidia-smi mig -i " << layout.gpu
        << " -cgi <profiles> -C' (check a geometry first with 'gpushare-bench mig validate')\n";
    return static_cast<int>(exit_code::success);
  }
  text_table instances({"GPU instance", "profile", "profile ID", "placement"});
  for (const auto& gi : layout.gpu_instances) {
    instances.add({std::to_string(gi.id), gi.profile, id_text(gi.profile_id),
                   gi.where ? start_size(*gi.where) : "?"});
  }
  out << '\n';
  instances.print(out);
  text_table devices(
      {"MIG device", "GPU instance", "compute instance", "profile", "CUDA_VISIBLE_DEVICES"});
  for (const auto& device : layout.devices) {
    devices.add({std::to_string(device.device_index), std::to_string(device.gpu_instance_id),
                 std::to_string(device.compute_instance_id), device.profile, device.uuid});
  }
  out << '\n';
  devices.print(out);
  return static_cast<int>(exit_code::success);
}

// ---- declaration --------------------------------------------------------------------------

/// One `mig` action: its name, help, the options it adds and what runs it. A new action (such
/// as `mig instances`) is one more entry in `mig_actions`.
struct mig_action {
  const char* name;
  const char* description;
  void (*declare)(CLI::App& action, mig_arguments& arguments);
  int (*run)(const mig_arguments& arguments, std::ostream& out);
};

void add_device_options(CLI::App& action, mig_arguments& arguments) {
  action.add_option("--device", arguments.device, "GPU index as nvidia-smi numbers them")
      ->check(CLI::Range(0, 1023))
      ->capture_default_str();
  action.add_option("--nvidia-smi", arguments.nvidia_smi, "The nvidia-smi program to run")
      ->type_name("PATH")
      ->capture_default_str();
}

void add_gpu_option(CLI::App& action, mig_arguments& arguments) {
  action
      .add_option("--gpu", arguments.gpu,
                  "Board: " + mig::known_board_names() +
                      " (case and dashes do not matter), the product name nvidia-smi "
                      "reports, e.g. \"NVIDIA A100-SXM4-40GB\", or 'live' for the table of "
                      "GPU --device itself (nvidia-smi mig -lgip/-lgipp; MIG must be enabled)")
      ->required()
      ->type_name("MODEL");
  add_device_options(action, arguments);
}

const std::vector<mig_action>& mig_actions() {
  static const std::vector<mig_action> actions{
      {"profiles",
       "Print the GPU instance profiles of a board: name, ID, compute slices, memory, SMs, "
       "how many can exist at once and where they can be placed",
       [](CLI::App& action, mig_arguments& arguments) { add_gpu_option(action, arguments); },
       run_profiles},
      {"validate",
       "Check whether a geometry fits on one GPU and print a placement per instance, or why "
       "not. Exit 0 valid, 1 not valid, 2 unknown GPU or profile",
       [](CLI::App& action, mig_arguments& arguments) {
         add_gpu_option(action, arguments);
         action
             .add_option("--geometry", arguments.geometry,
                         "Profiles separated by commas, NxPROFILE repeats one: "
                         "\"3g.40gb,2g.20gb,2x1g.10gb\" (names or IDs)")
             ->required()
             ->type_name("G");
       },
       run_validate},
      {"plan",
       "Pack workloads into the fewest GPUs of a board, one MIG instance each (the smallest "
       "profile holding its memory), print each GPU's geometry and the memory left idle, and "
       "what sharing instances by MPS or time-slicing would save",
       [](CLI::App& action, mig_arguments& arguments) {
         add_gpu_option(action, arguments);
         action
             .add_option("--need", arguments.needs,
                         "COUNT workloads needing SIZE of device memory each, e.g. 8GiB:10 "
                         "(repeatable; units GiB, G, MiB, M, GB, MB; COUNT defaults to 1)")
             ->required()
             ->allow_extra_args(false)
             ->type_name("SIZE:COUNT");
       },
       run_plan},
      {"instances",
       "List the GPU instances, compute instances and MIG devices of GPU --device with the "
       "MIG-<uuid> each tenant gets as CUDA_VISIBLE_DEVICES (runs nvidia-smi; changes nothing)",
       add_device_options, run_instances},
  };
  return actions;
}

} // namespace

void add_mig_subcommand(CLI::App& app, mig_arguments& arguments,
                        const std::function<void()>& on_selected) {
  auto* mig = app.add_subcommand(
      "mig", "MIG planning, no GPU needed: the profiles of a board, whether a geometry fits, "
             "and plans that pack workloads into the fewest GPUs; and the instances a GPU has "
             "(see 'mig --help')");
  mig->require_subcommand(0, 1);
  mig->footer("Figures come from NVIDIA's MIG user guide (\"Supported MIG Profiles\") and the "
              "nvidia-smi mig -lgip/-lgipp listings it and others publish; 'mig profiles' names "
              "what is not documented.\nExit codes: 0 done (validate: valid), 1 validate: not "
              "valid, 2 unknown GPU, profile or bad option.");
  for (const auto& action : mig_actions()) {
    auto* command = mig->add_subcommand(action.name, action.description);
    action.declare(*command, arguments);
    command->callback([&arguments, name = std::string(action.name)] { arguments.action = name; });
  }
  mig->callback([on_selected] { on_selected(); });
}

int run_mig_command(const mig_arguments& arguments, std::ostream& out) {
  for (const auto& action : mig_actions()) {
    if (arguments.action == action.name) {
      return action.run(arguments, out);
    }
  }
  std::string names;
  for (const auto& action : mig_actions()) {
    names += (names.empty() ? "" : ", ") + std::string(action.name);
  }
  throw usage_error(
      fmt::format("mig: give an action: {} (see 'gpushare-bench mig --help')", names));
}

} // namespace gpushare::cli
