// --mode isolation through the real binary with host-* test instruments and the real MPS
// daemon: the faulting tenant's death and its cause, what happened to every victim, the
// daemon's state, recovery and teardown, nothing left behind, and verdicts that follow the
// stated rules from the figures recorded beside them.

#include "harness/mps_daemon.hpp"
#include "harness/mps_detect.hpp"
#include "harness/tenant_runner.hpp"
#include "harness/workload_spec.hpp"
#include "leak_checked_test.hpp"
#include "run_binary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

namespace gpushare::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using json = nlohmann::json;

class IsolationCli : public leak_checked_test {
protected:
  IsolationCli() : leak_checked_test("isolation") {}
};

const json& cell_of(const json& run, const std::string& mechanism, const std::string& property) {
  for (const json& cell : run.at("isolation").at("cells")) {
    if (cell.at("mechanism") == mechanism && cell.at("property") == property) {
      return cell;
    }
  }
  throw std::runtime_error("no cell " + mechanism + "/" + property);
}

const json& with_role(const json& cell, const std::string& role, std::size_t index = 0) {
  std::size_t seen = 0;
  for (const json& tenant : cell.at("tenants")) {
    if (tenant.at("role") == role && seen++ == index) {
      return tenant;
    }
  }
  throw std::runtime_error("no " + role + " in " + cell.dump());
}

double finished_ms(const json& cell, const json& tenant) {
  return cell.at("figures")
      .at("tenant" + std::to_string(tenant.at("id").get<int>()) + "_finished_ms")
      .get<double>();
}

/// The crash came while both victims were still measuring, they finished afterwards, and the
/// crash is recorded with its signal.
void expect_victims_outlived_the_crash(const json& cell) {
  const json& fault = with_role(cell, "aggressor");
  EXPECT_EQ(fault.at("status"), "failed");
  EXPECT_THAT(fault.at("failure").get<std::string>(), HasSubstr("signal SIGABRT"));
  EXPECT_THAT(fault.at("workload").get<std::string>(), HasSubstr("host-crash"));
  const double crashed = finished_ms(cell, fault);
  for (std::size_t i = 0; i < 2; ++i) {
    const json& victim = with_role(cell, "victim", i);
    EXPECT_EQ(victim.at("status"), "ok") << victim.dump();
    EXPECT_GT(victim.at("shared").at("iterations").get<int>(), 0);
    EXPECT_GT(finished_ms(cell, victim), crashed) << "the victim was not running at the crash";
  }
  EXPECT_EQ(cell.at("verdict"), "isolated") << cell.at("evidence");
  EXPECT_EQ(cell.at("figures").at("victims_kept_running").get<int>(), 2);
  EXPECT_THAT(cell.at("flags").dump(), HasSubstr("host_instruments_only"));
}

/// Latency and compute verdicts recomputed from the figures next to them, by the stated rule.
void expect_verdicts_follow_the_rules(const json& run) {
  for (const json& cell : run.at("isolation").at("cells")) {
    const std::string verdict = cell.at("verdict");
    if (cell.at("property") == "latency" && verdict != "untested") {
      const double inflation = cell.at("figures").at("victim_p99_inflation");
      EXPECT_EQ(verdict, inflation <= 1.25  ? "isolated"
                         : inflation <= 2.0 ? "partial"
                                            : "none")
          << cell.dump();
      EXPECT_EQ(with_role(cell, "victim").at("p99_inflation").get<double>(), inflation);
    }
    if (cell.at("property") == "compute" && verdict != "untested") {
      const double share = cell.at("figures").at("victim_share_of_guarantee");
      EXPECT_EQ(verdict, share >= 0.9   ? "isolated"
                         : share >= 0.5 ? "partial"
                                        : "none")
          << cell.dump();
      EXPECT_NEAR(cell.at("figures").at("guaranteed_share").get<double>(), 1.0 / 3, 0.011);
    }
  }
}

TEST_F(IsolationCli, HostInstrumentsThroughTimesliceAndTheRealMpsDaemon) {
  const std::string path = report_path("isolation.json");
  const auto run = run_gpushare({"--mode", "isolation", "--isolation-workloads", "host",
                                 "--isolation-mechanisms", "timeslice,mps,mig", "--duration", "0.1",
                                 "--repetitions", "2", "--quiet", "--json", path});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json report = load(path);
  ASSERT_EQ(report.at("runs").size(), 1u);
  const json& isolation = report.at("runs")[0];
  EXPECT_EQ(isolation.at("mode"), "isolation");
  EXPECT_THAT(isolation.at("flags").dump(), HasSubstr("host_instruments_only"));
  ASSERT_EQ(isolation.at("isolation").at("cells").size(), 12u);

  expect_victims_outlived_the_crash(cell_of(isolation, "timeslice", "fault"));
  EXPECT_FALSE(cell_of(isolation, "timeslice", "fault").contains("mps_fault"));

  const json& mps_fault = cell_of(isolation, "mps", "fault");
  expect_victims_outlived_the_crash(mps_fault);
  const json& daemon = mps_fault.at("mps_fault");
  // Host tenants never reach a GPU, so no server was ever started; the daemon answered both
  // when the fault tenant died (while the victims still ran) and after everyone had exited.
  EXPECT_EQ(daemon.at("server_states"),
            json::array({"when the fault tenant died: no MPS server running",
                         "once every tenant had exited: no MPS server running"}));
  EXPECT_EQ(daemon.at("recovery_attempts"), 1);
  EXPECT_GE(daemon.at("recovery_ms").get<double>(), 0.0);
  EXPECT_EQ(mps_fault.at("figures").at("recovery_ms"), daemon.at("recovery_ms"));
  EXPECT_THAT(daemon.at("cleanup").get<std::string>(), HasSubstr("daemon torn down (quit)"));
  EXPECT_THAT(daemon.at("cleanup").get<std::string>(), HasSubstr("no daemon process left"));
  EXPECT_THAT(daemon.at("cleanup").get<std::string>(), HasSubstr("private directory removed"));
  // Every MPS tenant was given the daemon's pipe directory.
  for (const json& tenant : mps_fault.at("tenants")) {
    EXPECT_TRUE(tenant.at("environment").contains("CUDA_MPS_PIPE_DIRECTORY")) << tenant.dump();
  }

  for (const char* mechanism : {"timeslice", "mps"}) {
    const json& memory = cell_of(isolation, mechanism, "memory");
    EXPECT_EQ(memory.at("verdict"), "untested");
    EXPECT_THAT(memory.at("evidence").get<std::string>(), HasSubstr("hold no device memory"));
    EXPECT_EQ(with_role(cell_of(isolation, mechanism, "latency"), "victim").at("status"), "ok");
    EXPECT_EQ(cell_of(isolation, mechanism, "compute").at("tenants").size(), 3u);
  }
  for (const char* property : {"memory", "fault", "latency", "compute"}) {
    const json& mig = cell_of(isolation, "mig", property);
    EXPECT_EQ(mig.at("verdict"), "untested");
    EXPECT_THAT(mig.at("evidence").get<std::string>(), HasSubstr("need a GPU"));
  }
  expect_verdicts_follow_the_rules(isolation);

  // Test instruments never confirm or refute what the articles say about GPUs.
  const json& claims = isolation.at("isolation").at("claims");
  EXPECT_GE(claims.size(), 15u);
  for (const json& claim : claims) {
    EXPECT_EQ(claim.at("holds"), "untested") << claim.dump();
  }
  EXPECT_TRUE(detect_mps("/proc", nullptr).control_pids.empty()) << "an MPS daemon survived";
  EXPECT_TRUE(report.at("errors").empty()) << report.at("errors").dump();
}

TEST_F(IsolationCli, AForeignDaemonLeavesTheMpsColumnsUntestedAndIsNotTouched) {
  mps_daemon_options options;
  options.parent_directory = m_dir.string();
  mps_daemon theirs = mps_daemon::start(options);
  const std::string path = report_path("foreign.json");
  const auto run = run_gpushare({"--mode", "isolation", "--isolation-workloads", "host",
                                 "--isolation-mechanisms", "mps,mps-limited", "--duration", "0.05",
                                 "--repetitions", "2", "--quiet", "--json", path});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const json report = load(path);
  for (const json& cell : report.at("runs")[0].at("isolation").at("cells")) {
    EXPECT_EQ(cell.at("verdict"), "untested");
    EXPECT_THAT(cell.at("evidence").get<std::string>(),
                HasSubstr("pid " + std::to_string(theirs.pid())));
    EXPECT_TRUE(cell.at("tenants").empty());
  }
  EXPECT_TRUE(theirs.running()) << "the tool touched a daemon it did not start";
  EXPECT_EQ(theirs.command("get_default_active_thread_percentage"), "100.0");
  theirs.stop();
}

TEST_F(IsolationCli, RefusesWhatItCannotHonour) {
  const auto workload = run_gpushare({"--mode", "isolation", "--isolation-workloads", "host",
                                      "--workload", "host-sleep", "--quiet"});
  EXPECT_EQ(workload.exit_code, 2);
  EXPECT_THAT(workload.err, HasSubstr("chooses the workload of every scenario itself"));
  const auto existing = run_gpushare(
      {"--mode", "isolation", "--isolation-workloads", "host", "--mps-use-existing", "--quiet"});
  EXPECT_EQ(existing.exit_code, 2);
  EXPECT_THAT(existing.err, HasSubstr("only through daemons it starts"));
  const auto mechanism =
      run_gpushare({"--mode", "isolation", "--isolation-mechanisms", "hami", "--quiet"});
  EXPECT_EQ(mechanism.exit_code, 2);
  EXPECT_THAT(mechanism.err, HasSubstr("hami"));
  // The GPU workloads need a GPU: without one the run stops before any tenant starts.
  const auto gpu = run_gpushare({"--mode", "isolation", "--quiet"});
  EXPECT_EQ(gpu.exit_code, 2);
  EXPECT_EQ(lines_of(gpu.err).size(), 1u) << gpu.err;
}

TEST(TenantPhase, ATenantJoiningAfterTheBarrierStartsOnceTheOthersWereReleased) {
  const std::string scratch =
      (fs::temp_directory_path() / ("gpushare-join-test-" + std::to_string(getpid()))).string();
  fs::create_directories(scratch);
  tenant_launch launch;
  launch.program = GPUSHARE_BINARY_PATH;
  launch.scratch_directory = scratch;
  launch.settings.repetitions = 2;
  launch.settings.duration_s = 0.3;
  launch.timeout = std::chrono::milliseconds(30000);
  const std::vector<tenant_plan> tenants{{0, parse_workload_spec("host-sleep:us=1000"), {}, false},
                                         {1, parse_workload_spec("host-sleep:us=1000"), {}, true},
                                         {2, parse_workload_spec("host-sleep:us=1000"), {}, false}};
  std::vector<std::vector<pid_t>> released;
  std::vector<int> finished;
  const std::vector<tenant_outcome> outcomes = run_tenant_phase(
      tenants, launch, [&](const std::vector<pid_t>& pids) { released.push_back(pids); },
      [&](int id) { finished.push_back(id); });
  ASSERT_EQ(outcomes.size(), 3u);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    EXPECT_EQ(outcomes[i].id, static_cast<int>(i)) << "outcomes are in the order of the plan";
    EXPECT_EQ(outcomes[i].status, "ok") << outcomes[i].failure;
    ASSERT_TRUE(outcomes[i].result);
  }
  ASSERT_EQ(released.size(), 2u) << "the barrier, then the joiner on its own";
  EXPECT_EQ(released[0].size(), 2u) << "only the barrier's tenants are released together";
  EXPECT_EQ(released[1].size(), 1u);
  // Each tenant is reported once as it finishes, the late joiner last.
  ASSERT_EQ(finished.size(), 3u);
  EXPECT_EQ(finished.back(), 1);
  // Started after the others' measurement began, it measures later and finishes later.
  EXPECT_GT(outcomes[1].result->first_iteration_start_ns,
            outcomes[0].result->first_iteration_start_ns);
  EXPECT_GT(outcomes[1].finished_ms, outcomes[0].finished_ms);
  fs::remove_all(scratch);
}

// Every tenant not given a pipe directory of its own gets the launch's empty one, so that it
// runs without MPS whatever daemon the harness's environment points at; an MPS client keeps
// its daemon's; with no such directory (--mps-use-existing) tenants inherit the harness's.
TEST(TenantPhase, ATenantWithoutAPipeDirectoryOfItsOwnGetsTheEmptyOne) {
  const fs::path scratch =
      fs::temp_directory_path() / ("gpushare-pipe-test-" + std::to_string(getpid()));
  fs::create_directories(scratch);
  // A stand-in for the tenant program: it writes down where it would look for a daemon and
  // exits without a result.
  const fs::path program = scratch / "tenant-stand-in";
  const fs::path log = scratch / "pipes.log";
  {
    std::ofstream script(program);
    script << "#!/bin/sh\nprintf '%s %s\\n' \"$3\" \"${CUDA_MPS_PIPE_DIRECTORY:--}\" >> \""
           << log.string() << "\"\nexit 1\n";
  }
  fs::permissions(program, fs::perms::owner_all);
  tenant_launch launch;
  launch.program = program.string();
  launch.scratch_directory = scratch.string();
  launch.settings.repetitions = 1;
  launch.timeout = std::chrono::milliseconds(20000);
  launch.mps_free_pipe_directory = make_mps_free_pipe_directory(scratch.string());
  const std::vector<tenant_plan> tenants{
      {0, parse_workload_spec("host-sleep:us=1"), {}},
      {1, parse_workload_spec("host-sleep:us=2"), {{"CUDA_MPS_PIPE_DIRECTORY", "/their/pipe"}}}};
  const auto read_log = [&] {
    std::map<std::string, std::string> pipes;
    std::ifstream in(log);
    std::string spec;
    std::string pipe;
    while (in >> spec >> pipe) {
      pipes[spec] = pipe;
    }
    fs::remove(log);
    return pipes;
  };

  // What this process's tenants inherit, put back however the test ends.
  struct restored_variable {
    const char* name;
    std::optional<std::string> saved;
    ~restored_variable() {
      if (saved) {
        setenv(name, saved->c_str(), 1);
      } else {
        unsetenv(name);
      }
    }
  };
  const char* before = std::getenv("CUDA_MPS_PIPE_DIRECTORY");
  const restored_variable restore{"CUDA_MPS_PIPE_DIRECTORY",
                                  before == nullptr ? std::nullopt
                                                    : std::optional<std::string>(before)};
  ASSERT_EQ(setenv("CUDA_MPS_PIPE_DIRECTORY", "/inherited/pipe", 1), 0);
  const std::vector<tenant_outcome> avoided = run_tenant_phase(tenants, launch);
  ASSERT_EQ(avoided.size(), 2u);
  std::map<std::string, std::string> pipes = read_log();
  EXPECT_EQ(pipes["host-sleep:rate=0,us=1"], launch.mps_free_pipe_directory);
  EXPECT_TRUE(fs::is_directory(launch.mps_free_pipe_directory));
  EXPECT_TRUE(fs::is_empty(launch.mps_free_pipe_directory)) << "no daemon to be found there";
  EXPECT_EQ(pipes["host-sleep:rate=0,us=2"], "/their/pipe") << "an MPS client keeps its daemon's";

  launch.mps_free_pipe_directory.clear();
  const std::vector<tenant_outcome> inherited = run_tenant_phase(tenants, launch);
  ASSERT_EQ(inherited.size(), 2u);
  pipes = read_log();
  EXPECT_EQ(pipes["host-sleep:rate=0,us=1"], "/inherited/pipe");
  EXPECT_EQ(pipes["host-sleep:rate=0,us=2"], "/their/pipe");
  fs::remove_all(scratch);
}

} // namespace
} // namespace gpushare::test
