#include "cli/isolation_mode.hpp"

#include "cli/mig_mode.hpp"
#include "cli/sharing_modes.hpp"
#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "harness/isolation_scenarios.hpp"
#include "harness/isolation_verdict.hpp"
#include "harness/mps_daemon.hpp"
#include "harness/mps_detect.hpp"
#include "harness/private_directory.hpp"
#include "harness/sharing_experiment.hpp"
#include "harness/tenant_runner.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <regex>
#include <signal.h>
#include <thread>
#include <unistd.h>

namespace gpushare::cli {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr std::uint64_t mib = 1ULL << 20;

/// The workloads of every scenario, and how long the memory and fault scenarios run.
struct workload_set {
  bool host = false;
  std::string hog; ///< "" when the set cannot test memory
  std::string fault;
  std::vector<std::string> fault_victims;
  std::string recovery_probe;
  std::string latency_victim;
  std::string compute_victim;
  std::vector<std::string> aggressors;         ///< beside the latency victim
  std::vector<std::string> compute_aggressors; ///< beside the compute victim
  /// Memory and fault scenarios: repetitions x seconds each tenant measures after the barrier;
  /// long enough that the victims still run when the late tenant allocates or faults.
  int scenario_repetitions = 3;
  double scenario_duration_s = 2.0;
  milliseconds recovery_deadline{30000};
};

workload_set gpu_workloads() {
  workload_set set;
  set.hog = "hog";
  // The fault tenant starts once the victims are released; its context (about a second), the
  // delay kernel's check (after_ms) and its faulting first iteration (after_ms again) end
  // about 3 s into the victims' 6 s of measurement.
  set.fault = "fault:after_ms=1000";
  set.fault_victims = {"gemm:size=4096,dtype=fp16", "infer:batch=1,rate=200"};
  set.recovery_probe = "spin:us=1000";
  set.latency_victim = "infer:batch=1,rate=200";
  set.compute_victim = "gemm:size=4096,dtype=fp16";
  set.aggressors = {"gemm:size=4096,dtype=fp16", "triad"};
  // The same saturating GEMM three times: each is owed a third, and the mean slowdown over N
  // minus one is the mechanism overhead the overhead claims speak of.
  set.compute_aggressors = {"gemm:size=4096,dtype=fp16", "gemm:size=4096,dtype=fp16"};
  return set;
}

workload_set host_workloads() {
  workload_set set;
  set.host = true;
  set.fault = "host-crash:us=1000,after=100";
  set.fault_victims = {"host-sleep:us=1000", "host-sleep:us=1000"};
  set.recovery_probe = "host-sleep:us=100";
  set.latency_victim = "host-sleep:us=2000";
  set.compute_victim = "host-sleep:us=3000";
  set.aggressors = {"host-sleep:us=5000", "host-sleep:us=5000"};
  set.compute_aggressors = {"host-sleep:us=3000", "host-sleep:us=3000"};
  set.scenario_repetitions = 2;
  set.scenario_duration_s = 0.5;
  set.recovery_deadline = milliseconds(10000);
  return set;
}

bool is_mps(const std::string& mechanism) {
  return mechanism.rfind("mps", 0) == 0;
}

std::string mib_text(std::uint64_t bytes) {
  return fmt::format("{}M", bytes / mib);
}

/// What the mechanism under test needs from every tenant, and the MPS daemon of one scenario.
class mechanism_under_test {
public:
  mechanism_under_test(const run_config& config, std::string mechanism, const gpu_info* gpu,
                       std::vector<mig_instance_record> instances = {})
      : m_config(config), m_mechanism(std::move(mechanism)), m_gpu(gpu),
        m_instances(std::move(instances)) {
    if (!is_mps(m_mechanism)) {
      return;
    }
    mps_daemon_options options;
    options.control_program = config.mps_control;
    if (gpu != nullptr) {
      options.daemon_environment["CUDA_VISIBLE_DEVICES"] = gpu->uuid;
    }
    m_daemon = std::make_unique<mps_daemon>(mps_daemon::start(options));
  }
  mechanism_under_test(const mechanism_under_test&) = delete;
  mechanism_under_test& operator=(const mechanism_under_test&) = delete;
  // The daemon's own destructor stops it, and never throws, on every exit path.
  ~mechanism_under_test() = default;

  /// The device ordinal tenants use: a private daemon shows its clients its one GPU as 0, and
  /// a MIG tenant sees only its instance.
  [[nodiscard]] int device() const {
    return m_daemon || !m_instances.empty() ? 0 : m_config.device;
  }

  /// The environment of a tenant of `role`, with the per-client limits of mps-limited: `share`
  /// of the device memory and of the SMs. Under mig the aggressors run on the first instance
  /// and the victims on the second.
  [[nodiscard]] std::map<std::string, std::string> environment(double share,
                                                               const std::string& role) const {
    std::map<std::string, std::string> environment;
    if (m_daemon) {
      environment = m_daemon->client_environment();
    }
    if (!m_instances.empty()) {
      environment["CUDA_VISIBLE_DEVICES"] = m_instances.at(role == "victim" ? 1 : 0).uuid;
    }
    if (m_mechanism == "mps-limited") {
      environment["CUDA_MPS_ACTIVE_THREAD_PERCENTAGE"] =
          std::to_string(std::max(1, static_cast<int>(100 * share)));
      if (m_gpu != nullptr && m_gpu->memory_bytes > 0) {
        environment["CUDA_MPS_PINNED_DEVICE_MEM_LIMIT"] =
            "0=" + mib_text(static_cast<std::uint64_t>(share * double(m_gpu->memory_bytes)));
      }
    }
    return environment;
  }

  /// On a GPU, a check that the released tenants really are clients of the daemon: one that
  /// could not reach it runs without MPS and the cell would describe time-slicing.
  [[nodiscard]] released_hook client_check(std::vector<std::string>& problems) const {
    if (!m_daemon || m_gpu == nullptr) {
      return {};
    }
    return [this, &problems](const std::vector<pid_t>& tenants) {
      try {
        for (const pid_t pid : mps_non_clients(m_config.mps_control, m_daemon->pipe_directory(),
                                               tenants, milliseconds(5000))) {
          problems.push_back(
              fmt::format("tenant process {} did not run through the MPS server", pid));
        }
      } catch (const error& failure) {
        problems.push_back("could not check the MPS clients: " + std::string(failure.what()));
      }
    };
  }

  [[nodiscard]] mps_daemon* daemon() const { return m_daemon.get(); }

  /// What an MPS client must not inherit from the harness: its own device selection (the
  /// daemon's CUDA_VISIBLE_DEVICES picks the GPU and shows it as device 0).
  [[nodiscard]] std::vector<std::string> unset_environment() const {
    return m_daemon ? std::vector<std::string>{"CUDA_VISIBLE_DEVICES"} : std::vector<std::string>{};
  }

  /// Stops the daemon and says how, and that neither its processes (the control daemon and the
  /// servers it started) nor its directory is left.
  std::string tear_down() {
    if (!m_daemon) {
      return "";
    }
    std::vector<int> servers;
    try {
      servers = parse_mps_pid_list(m_daemon->command("get_server_list"));
    } catch (const error&) {
      // A daemon that no longer answers has no server list to give; stop() still ends it.
    }
    const pid_t pid = m_daemon->pid();
    const std::string directory = m_daemon->directory();
    const std::string how = m_daemon->stop();
    // A server exits after its control daemon; give it a moment before calling it left over.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::vector<int> left;
    do {
      left.clear();
      for (const int server : servers) {
        if (kill(server, 0) == 0) {
          left.push_back(server);
        }
      }
      if (!left.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    } while (!left.empty() && std::chrono::steady_clock::now() < give_up);
    const bool control_left = pid > 0 && kill(pid, 0) == 0;
    const bool directory_left = fs::exists(directory);
    std::string processes = "no daemon process left";
    if (control_left || !left.empty()) {
      std::vector<int> all = left;
      if (control_left) {
        all.insert(all.begin(), pid);
      }
      processes = fmt::format("process(es) {} still exist", fmt::join(all, ", "));
    }
    return fmt::format("daemon torn down ({}); {}; {}", how, processes,
                       directory_left ? "its directory is still there"
                                      : "its private directory removed");
  }

private:
  const run_config& m_config;
  std::string m_mechanism;
  const gpu_info* m_gpu;
  std::vector<mig_instance_record> m_instances;
  std::unique_ptr<mps_daemon> m_daemon;
};

/// The memory a MIG profile names ("3g.40gb" -> 40 GB, as the profile rounds it); 0 when the
/// name carries none.
std::uint64_t profile_memory_bytes(const std::string& profile) {
  static const std::regex size(R"(([0-9]+)gb)");
  std::smatch match;
  if (!std::regex_search(profile, match, size)) {
    return 0;
  }
  return std::stoull(match[1].str()) * 1'000'000'000ULL;
}

tenant_launch scenario_launch(const run_config& config, const workload_set& set,
                              const std::string& scratch, int device) {
  tenant_launch launch = tenant_launch_for(config, scratch);
  launch.device = device;
  launch.settings.iterations.reset();
  launch.settings.duration_s = set.scenario_duration_s;
  launch.settings.repetitions = set.scenario_repetitions;
  launch.settings.max_repetitions = 0;
  launch.timeout = milliseconds(static_cast<long long>(
      1000.0 * config.tenant_timeout_s.value_or(60.0 + 4.0 * set.scenario_repetitions *
                                                           set.scenario_duration_s)));
  return launch;
}

isolation_cell new_cell(const std::string& mechanism, const std::string& property,
                        const workload_set& set) {
  isolation_cell cell;
  cell.mechanism = mechanism;
  cell.property = property;
  if (set.host) {
    cell.flags.push_back("host_instruments_only");
  }
  return cell;
}

/// A cell of this run that could not be measured, flagged like its measured neighbours.
isolation_cell untested_here(const std::string& mechanism, const std::string& property,
                             const workload_set& set, const std::string& why) {
  isolation_cell cell = untested_cell(mechanism, property, why);
  cell.flags = new_cell(mechanism, property, set).flags;
  return cell;
}

/// A cell whose tenants did not all go through the daemon says so instead of a verdict.
void invalidate_if(isolation_cell& cell, const std::vector<std::string>& problems) {
  if (problems.empty()) {
    return;
  }
  cell.verdict = "untested";
  cell.evidence = fmt::format("{}; nothing about MPS was measured", fmt::join(problems, "; "));
  cell.flags.push_back("invalid");
}

isolation_cell memory_cell(const run_config& config, const std::string& mechanism,
                           const workload_set& set, const gpu_info* gpu,
                           const std::vector<mig_instance_record>& instances,
                           const std::string& scratch) {
  if (set.hog.empty() || gpu == nullptr || gpu->memory_bytes == 0) {
    return untested_here(
        mechanism, "memory", set,
        "host-* test instruments hold no device memory: memory isolation needs a GPU");
  }
  isolation_cell cell = new_cell(mechanism, "memory", set);
  // Each of the two tenants gets 40 % of the card (mps-limited: as its pinned-memory limit): the
  // 20 % left over covers the contexts, the MPS server and the driver's own reservations, so a
  // victim that fails really met the hog. The victim asks for 90 % of its share, since its own
  // context counts against a limit too. On MIG each has an instance of its own: the victim asks
  // for 70 % of the size its profile names and the hog is held to its instance's size.
  const double share = 0.4;
  const auto share_bytes = static_cast<std::uint64_t>(share * double(gpu->memory_bytes));
  const std::uint64_t victim_memory =
      instances.empty()
          ? share_bytes * 9 / 10
          : static_cast<std::uint64_t>(0.7 * double(profile_memory_bytes(instances.at(1).profile)));
  const std::uint64_t hog_share =
      instances.empty() ? share_bytes : profile_memory_bytes(instances.at(0).profile);
  const std::uint64_t promised = victim_memory / mib * mib;
  if (promised == 0 || hog_share == 0) {
    return untested_here(mechanism, "memory", set,
                         "a MIG profile names no memory size to promise a share of");
  }
  mechanism_under_test under_test(config, mechanism, gpu, instances);
  std::vector<std::string> problems;
  run_scenario_phase(
      cell,
      {{"aggressor", parse_workload_spec(set.hog), under_test.environment(share, "aggressor"),
        false, under_test.unset_environment()},
       {"victim", parse_workload_spec(fmt::format("hog:bytes={}", promised)),
        under_test.environment(share, "victim"), true, under_test.unset_environment()}},
      scenario_launch(config, set, scratch, under_test.device()),
      under_test.client_check(problems));
  judge_memory(cell, promised, hog_share);
  invalidate_if(cell, problems);
  if (under_test.daemon() != nullptr) {
    cell.evidence += "; " + under_test.tear_down();
  }
  return cell;
}

isolation_cell fault_cell(const run_config& config, const std::string& mechanism,
                          const workload_set& set, const gpu_info* gpu,
                          const std::vector<mig_instance_record>& instances,
                          const std::string& scratch) {
  isolation_cell cell = new_cell(mechanism, "fault", set);
  mechanism_under_test under_test(config, mechanism, gpu, instances);
  const double share = 1.0 / static_cast<double>(set.fault_victims.size() + 1);
  std::vector<scenario_tenant> tenants;
  for (const std::string& victim : set.fault_victims) {
    tenants.push_back({"victim", parse_workload_spec(victim),
                       under_test.environment(share, "victim"), false,
                       under_test.unset_environment()});
  }
  // No warm-up: the faulting iteration comes after the harness released it (and checked that it
  // is a client of the daemon), not before.
  tenants.push_back({"aggressor", parse_workload_spec(set.fault),
                     under_test.environment(share, "aggressor"), true,
                     under_test.unset_environment(), 0});
  const int fault_id = static_cast<int>(tenants.size()) - 1;
  const tenant_launch launch = scenario_launch(config, set, scratch, under_test.device());
  std::vector<std::string> problems;
  mps_fault_record record;
  const auto read_states = [&](const std::string& when) {
    try {
      for (const std::string& state : mps_server_states(
               config.mps_control, under_test.daemon()->pipe_directory(), milliseconds(5000))) {
        record.server_states.push_back(when + ": " + state);
      }
    } catch (const error& unreadable) {
      record.server_states.push_back(when + ": server list not readable: " + unreadable.what());
    }
  };
  // The moment the fault tenant is gone, while the clients it took down may still be exiting:
  // the only time the server can be seen in its fault state.
  const finished_hook on_finished = [&](int id) {
    if (id == fault_id && under_test.daemon() != nullptr) {
      read_states("when the fault tenant died");
    }
  };
  run_scenario_phase(cell, tenants, launch, under_test.client_check(problems), on_finished);
  const auto phase_end = std::chrono::steady_clock::now();
  judge_fault(cell);
  invalidate_if(cell, problems);

  if (mps_daemon* daemon = under_test.daemon()) {
    read_states("once every tenant had exited");
    tenant_launch probe_launch = launch;
    probe_launch.settings.duration_s.reset();
    probe_launch.settings.iterations = 2;
    probe_launch.settings.repetitions = 2;
    probe_launch.settings.warmup_iterations = 1;
    probe_launch.timeout = std::min(probe_launch.timeout, set.recovery_deadline);
    const tenant_plan probe{
        static_cast<int>(tenants.size()), parse_workload_spec(set.recovery_probe),
        under_test.environment(share, "victim"), false, under_test.unset_environment()};
    const recovery_result recovery =
        measure_recovery(probe, probe_launch, phase_end, set.recovery_deadline, milliseconds(200));
    record.recovery_ms = recovery.ms;
    record.recovery_attempts = recovery.attempts;
    record.recovery_failures = recovery.failures;
    if (recovery.ms) {
      cell.figures["recovery_ms"] = *recovery.ms;
    }
    record.log_tail = daemon->log_tail(30);
    record.cleanup = under_test.tear_down();
    cell.evidence += fmt::format(
        "; MPS server {}; {}", fmt::join(record.server_states, ", "),
        recovery.ms ? fmt::format("a new client ran {:.0f} ms after the last tenant exited "
                                  "({} attempt(s))",
                                  *recovery.ms, recovery.attempts)
                    : fmt::format("no new client ran within {} ms ({} attempts: {})",
                                  set.recovery_deadline.count(), recovery.attempts,
                                  fmt::join(recovery.failures, "; ")));
    cell.mps_fault = std::move(record);
  }
  return cell;
}

/// The latency and compute scenarios are sharing runs: each tenant alone, then all together.
run_record sharing_run(const run_config& config, const std::string& mechanism,
                       const std::vector<std::string>& workloads, const gpu_info* gpu) {
  run_config step = config;
  step.mode = is_mps(mechanism) ? "mps" : "timeslice";
  step.workloads.clear();
  for (const std::string& workload : workloads) {
    step.workloads.push_back(parse_workload_spec(workload).canonical());
  }
  step.tenants = static_cast<int>(workloads.size());
  step.mps_thread_pct.clear();
  step.mps_mem_limit.clear();
  step.mps_priority.clear();
  if (mechanism == "mps-limited") {
    const double share = 1.0 / static_cast<double>(workloads.size());
    step.mps_thread_pct = {std::to_string(static_cast<int>(100 * share))};
    if (gpu != nullptr && gpu->memory_bytes > 0) {
      step.mps_mem_limit = {
          mib_text(static_cast<std::uint64_t>(0.9 * share * double(gpu->memory_bytes)))};
    }
  }
  if (step.duration_s == std::nullopt && step.iterations == std::nullopt) {
    step.duration_s = 1.0;
  }
  return measure_sharing(step, step.mode, gpu);
}

/// Under mig: the victim alone on its instance, then beside the aggressors on the other one.
run_record mig_sharing_run(const run_config& config, const std::vector<std::string>& workloads,
                           const std::vector<mig_instance_record>& instances) {
  const scoped_private_directory scratch(fs::temp_directory_path().string(), "gpushare-run-");
  sharing_plan plan;
  plan.mode = "mig";
  plan.launch = tenant_launch_for(config, scratch.path());
  plan.launch.device = 0;
  if (!plan.launch.settings.duration_s && !plan.launch.settings.iterations) {
    plan.launch.settings.duration_s = 1.0;
  }
  for (std::size_t i = 0; i < workloads.size(); ++i) {
    plan.tenants.push_back({static_cast<int>(i),
                            parse_workload_spec(workloads[i]),
                            {{"CUDA_VISIBLE_DEVICES", instances.at(i == 0 ? 1 : 0).uuid}}});
  }
  return run_sharing_experiment(plan);
}

isolation_cell sharing_cell(const run_config& config, const std::string& mechanism,
                            const std::string& property, const workload_set& set,
                            const gpu_info* gpu,
                            const std::vector<mig_instance_record>& instances) {
  const std::string& victim = property == "latency" ? set.latency_victim : set.compute_victim;
  const std::vector<std::string>& aggressors =
      property == "latency" ? set.aggressors : set.compute_aggressors;
  std::vector<std::string> workloads{victim};
  workloads.insert(workloads.end(), aggressors.begin(), aggressors.end());
  run_record run = mechanism == "mig" ? mig_sharing_run(config, workloads, instances)
                                      : sharing_run(config, mechanism, workloads, gpu);
  isolation_cell cell = new_cell(mechanism, property, set);
  for (tenant_record& tenant : run.tenants) {
    tenant.role = tenant.id == 0 ? "victim" : "aggressor";
    cell.tenants.push_back(std::move(tenant));
  }
  if (property == "latency") {
    judge_latency(cell);
  } else {
    if (mechanism == "mig") {
      // Its own instance is all a MIG victim is promised, and its solo phase ran there: what
      // the neighbours cost it is its slowdown.
      const tenant_record& measured = cell.tenants.front();
      judge_compute(cell, 1.0,
                    measured.slowdown ? std::optional<double>(*measured.slowdown - 1.0)
                                      : std::nullopt);
    } else {
      const double guaranteed = mechanism == "mps-limited"
                                    ? static_cast<int>(100.0 / double(workloads.size())) / 100.0
                                    : 1.0 / static_cast<double>(workloads.size());
      judge_compute(cell, guaranteed, run.aggregate.mechanism_overhead);
    }
  }
  if (run.status == run_status::failed) {
    // The sharing run's own checks (every tenant an MPS client) failed: no verdict stands.
    cell.verdict = "untested";
    cell.evidence = run.reason;
    cell.flags.push_back("invalid");
  }
  return cell;
}

/// Runs one scenario; a failure that is not an interruption becomes an untested cell.
template <typename Scenario>
isolation_cell guarded(const std::string& mechanism, const std::string& property,
                       const workload_set& set, Scenario&& scenario) {
  try {
    throw_if_interrupted();
    return scenario();
  } catch (const interrupted_error&) {
    throw;
  } catch (const error& failure) {
    return untested_here(mechanism, property, set, failure.what());
  }
}

/// Why `program` cannot be started ("" when it can).
std::string missing_program(const std::string& program) {
  if (find_program(program)) {
    return "";
  }
  return program.find('/') != std::string::npos
             ? fmt::format("{} is not an executable program", program)
             : fmt::format("{} was not found in PATH: install the NVIDIA MPS control daemon "
                           "(Debian: nvidia-cuda-mps) or pass --mps-control PATH",
                           program);
}

/// Why a mechanism cannot be measured here at all ("" when it can); for mig, the instances
/// its tenants run on.
std::string unavailable_reason(const run_config& config, const std::string& mechanism,
                               const workload_set& set, const gpu_info* gpu,
                               std::vector<mig_instance_record>& instances) {
  if (mechanism == "mig") {
    if (set.host || gpu == nullptr) {
      return "MIG instances need a GPU";
    }
    try {
      instances = existing_mig_instances(config, comparable_gpu_uuid(*gpu));
    } catch (const error& unavailable) {
      return fmt::format("{} (the isolation mode measures the instances that exist and never "
                         "creates any)",
                         unavailable.what());
    }
    if (instances.size() < 2) {
      return fmt::format("GPU {} has {} MIG instance(s): the mig column needs two, one for the "
                         "aggressors and one for the victim",
                         config.device, instances.size());
    }
    // Compute instances of one GPU instance share its memory and memory bandwidth: the
    // aggressors and the victim must sit in different GPU instances, or the column would blame
    // MIG for what the two sides share by construction.
    if (!separate_gpu_instances_first(instances)) {
      return fmt::format("GPU {}'s {} MIG devices are not known to sit in two GPU instances "
                         "(compute instances of one GPU instance share its memory): the mig "
                         "column needs two GPU instances",
                         config.device, instances.size());
    }
    return "";
  }
  if (is_mps(mechanism)) {
    if (config.mps_use_existing) {
      return "--mps-use-existing: the isolation mode faults MPS clients on purpose and only does "
             "so through daemons it starts";
    }
    if (const std::string missing = missing_program(config.mps_control); !missing.empty()) {
      return missing;
    }
    const mps_status existing = detect_mps("/proc", std::getenv("CUDA_MPS_PIPE_DIRECTORY"));
    if (existing.daemon_running) {
      return fmt::format("an MPS control daemon the tool did not start is running (pid {}); the "
                         "isolation mode faults MPS clients on purpose and only does so through "
                         "daemons it starts: stop that daemon to measure this column",
                         fmt::join(existing.control_pids, ", "));
    }
  }
  return "";
}

} // namespace

const std::vector<std::string>& isolation_mechanism_names() {
  static const std::vector<std::string> names{"timeslice", "mps", "mps-limited", "mig"};
  return names;
}

const std::vector<std::string>& isolation_workload_sets() {
  static const std::vector<std::string> names{"gpu", "host"};
  return names;
}

run_record measure_isolation(const run_config& config, const gpu_info* gpu) {
  const auto start = std::chrono::steady_clock::now();
  const workload_set set =
      config.isolation_workloads == "host" ? host_workloads() : gpu_workloads();
  const std::vector<std::string> mechanisms = config.isolation_mechanisms.empty()
                                                  ? isolation_mechanism_names()
                                                  : config.isolation_mechanisms;
  const scoped_private_directory scratch(fs::temp_directory_path().string(), "gpushare-run-");

  run_record run;
  run.mode = "isolation";
  run.params = {{"mechanisms", fmt::format("{}", fmt::join(mechanisms, ","))},
                {"workloads", set.host ? "host" : "gpu"}};
  isolation_result result;
  for (const std::string& mechanism : mechanisms) {
    std::vector<mig_instance_record> instances;
    if (const std::string why = unavailable_reason(config, mechanism, set, gpu, instances);
        !why.empty()) {
      for (const char* property : {"memory", "fault", "latency", "compute"}) {
        result.cells.push_back(untested_here(mechanism, property, set, why));
      }
      continue;
    }
    result.cells.push_back(guarded(mechanism, "memory", set, [&] {
      return memory_cell(config, mechanism, set, gpu, instances, scratch.path());
    }));
    result.cells.push_back(guarded(mechanism, "fault", set, [&] {
      return fault_cell(config, mechanism, set, gpu, instances, scratch.path());
    }));
    for (const char* property : {"latency", "compute"}) {
      result.cells.push_back(guarded(mechanism, property, set, [&] {
        return sharing_cell(config, mechanism, property, set, gpu, instances);
      }));
    }
  }
  result.claims = check_claims(result.cells);
  run.isolation = std::move(result);
  if (set.host) {
    run.flags.push_back("host_instruments_only");
  }
  run.wall_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

} // namespace gpushare::cli
