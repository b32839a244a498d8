// compare: the metrics a report flattens into, the verdict rules (noise is never a
// regression), environment differences, and the Markdown a CI comment shows. The documents are
// built here with written figures, not measured ones.

#include "report/compare.hpp"
#include "report/compare_markdown.hpp"
#include "report/metrics.hpp"
#include "sample_records.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace gpushare::report {
namespace {

using ::testing::HasSubstr;

constexpr const char* gemm = "gemm:dtype=fp16,k=4096,m=4096,n=4096";

/// A result whose throughput median is `per_s` with an interval `spread` either side.
workload_result result_at(double per_s, double spread = 0.01) {
  workload_result result;
  result.workload = gemm;
  result.throughput_per_s = test::summary_of(per_s, per_s * (1 - spread), per_s * (1 + spread));
  result.latency_us.count = 100;
  result.latency_us.p50 = 1e6 / per_s;
  result.latency_us.p99 = 1.2e6 / per_s;
  return result;
}

run_record tenant_run(const std::string& mode, int tenants, double solo_per_s,
                      double shared_per_s) {
  run_record run;
  run.mode = mode;
  for (int i = 0; i < tenants; ++i) {
    tenant_record tenant;
    tenant.id = i;
    tenant.workload = gemm;
    tenant.status = "ok";
    tenant.solo = result_at(solo_per_s);
    tenant.shared = result_at(shared_per_s);
    tenant.slowdown = solo_per_s / shared_per_s;
    run.tenants.push_back(tenant);
  }
  run.aggregate.throughput_ratio = tenants * shared_per_s / (tenants * solo_per_s);
  run.aggregate.start_skew_us = 40;
  return run;
}

report_document document_with(std::vector<run_record> runs) {
  report_document document;
  document.tool.version = "0.1.0";
  document.environment = test::h100_environment();
  document.runs = std::move(runs);
  return document;
}

const metric_delta* find_delta(const comparison& result, const std::string& name) {
  const auto found = std::find_if(result.deltas.begin(), result.deltas.end(),
                                  [&](const metric_delta& delta) { return delta.name == name; });
  return found == result.deltas.end() ? nullptr : &*found;
}

TEST(Metrics, RunKeysNameTheModeAndWorkloadsAndNumberRepeats) {
  run_record streams;
  streams.mode = "streams";
  run_record mixed = tenant_run("mps", 3, 100, 50);
  mixed.tenants[0].workload = "infer:batch=1";
  const std::vector<std::string> keys = run_keys(
      {tenant_run("timeslice", 2, 100, 50), mixed, tenant_run("timeslice", 2, 100, 50), streams});
  EXPECT_EQ(keys[0], std::string("timeslice(2x ") + gemm + ")");
  EXPECT_EQ(keys[1], std::string("mps(infer:batch=1; 2x ") + gemm + ")");
  EXPECT_EQ(keys[2], std::string("timeslice(2x ") + gemm + ")#2");
  EXPECT_EQ(keys[3], "streams");
}

TEST(Metrics, OnlyFinishedRunsAndFiniteFiguresBecomeMetrics) {
  run_record failed = tenant_run("mps", 2, 100, 50);
  failed.status = run_status::failed;
  run_record ok = tenant_run("timeslice", 2, 100, 50);
  ok.tenants[1].slowdown = std::nan("");
  const std::vector<metric> metrics = extract_metrics(document_with({failed, ok}));
  const std::string key = std::string("timeslice(2x ") + gemm + ")";
  const auto named = [&](const std::string& name) {
    return std::find_if(metrics.begin(), metrics.end(),
                        [&](const metric& figure) { return figure.name == name; });
  };
  const auto solo = named(key + "/tenant0/solo/throughput_per_s");
  ASSERT_NE(solo, metrics.end());
  EXPECT_DOUBLE_EQ(solo->value, 100);
  EXPECT_DOUBLE_EQ(*solo->low, 99);
  EXPECT_TRUE(solo->higher_is_better);
  const auto slowdown = named(key + "/tenant0/slowdown");
  ASSERT_NE(slowdown, metrics.end());
  EXPECT_FALSE(slowdown->higher_is_better);
  EXPECT_FALSE(slowdown->low.has_value());
  EXPECT_EQ(named(key + "/tenant1/slowdown"), metrics.end()) << "NaN is no figure";
  for (const metric& figure : metrics) {
    EXPECT_EQ(figure.name.rfind("mps", 0), std::string::npos) << figure.name;
  }
}

TEST(Metrics, IsolationFiguresAreNamedByMechanismPropertyAndFigure) {
  report_document document;
  document.runs = {test::make_isolation_run()};
  const std::vector<metric> metrics = extract_metrics(document);
  const auto find = [&](const std::string& name) -> const metric* {
    const auto found = std::find_if(metrics.begin(), metrics.end(),
                                    [&](const metric& figure) { return figure.name == name; });
    return found == metrics.end() ? nullptr : &*found;
  };
  const metric* held = find("isolation/mps/memory/hog_held_bytes");
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(held->value, 76'235'669'504.0);
  EXPECT_EQ(held->unit, "B");
  const metric* inflation = find("isolation/mps-limited/latency/victim_p99_inflation");
  ASSERT_NE(inflation, nullptr);
  EXPECT_EQ(inflation->value, 3.25);
  EXPECT_EQ(inflation->unit, "x");
  EXPECT_FALSE(inflation->higher_is_better);
  EXPECT_FALSE(inflation->low) << "a single figure has no interval";
  const metric* recovery = find("isolation/mps/fault/recovery_ms");
  ASSERT_NE(recovery, nullptr);
  EXPECT_EQ(recovery->unit, "ms");
  EXPECT_EQ(std::count_if(metrics.begin(), metrics.end(),
                          [](const metric& figure) {
                            return figure.name == "isolation/mps/fault/recovery_ms";
                          }),
            1)
      << "the daemon's recovery_ms is the figure's, not a second metric";
  // Only measured figures: 1 + 2 + 1 + 1 + 0 + 1 over the six cells (victim_allocation_failed
  // and victim_slowdown are no figure the harness measures; the untested cell gives none),
  // and the verdicts of the five measured cells.
  EXPECT_EQ(metrics.size(), 11u);
  const metric* fault_verdict = find("isolation/mps/fault/verdict");
  ASSERT_NE(fault_verdict, nullptr);
  EXPECT_EQ(fault_verdict->level, "none");
  EXPECT_EQ(fault_verdict->value, 0.0);
  EXPECT_TRUE(fault_verdict->exact) << "a fault verdict records what happened to the victim";
  const metric* latency_verdict = find("isolation/mps-limited/latency/verdict");
  ASSERT_NE(latency_verdict, nullptr);
  EXPECT_EQ(latency_verdict->level, "partial");
  EXPECT_EQ(latency_verdict->value, 1.0);
  EXPECT_FALSE(latency_verdict->exact) << "judged on a figure without an interval";
  ASSERT_NE(find("isolation/mig/memory/verdict"), nullptr);
  EXPECT_EQ(find("isolation/mig/memory/verdict")->value, 2.0);
  EXPECT_EQ(find("isolation/mig/compute/verdict"), nullptr) << "untested is no verdict to hold";

  // A fault cell whose figures lack recovery_ms still gives the daemon's; a cell measured twice
  // in one run is numbered like repeated runs; a non-finite figure is left out.
  isolation_result& isolation = *document.runs[0].isolation;
  isolation.cells[1].figures.erase("recovery_ms");
  isolation.cells[0].figures["victim_allocation_failed"] = std::nan("");
  isolation.cells.push_back(isolation.cells[2]);
  const std::vector<metric> again = extract_metrics(document);
  const auto names = [](const std::vector<metric>& list) {
    std::vector<std::string> out;
    for (const metric& figure : list) {
      out.push_back(figure.name);
    }
    return out;
  };
  EXPECT_THAT(names(again), ::testing::Contains("isolation/mps/fault/recovery_ms"));
  EXPECT_THAT(names(again),
              ::testing::Contains("isolation/mps-limited/latency#2/victim_p99_inflation"));
  EXPECT_THAT(names(again),
              ::testing::Not(::testing::Contains("isolation/mps/memory/victim_allocation_failed")));
}

TEST(Compare, IsolationFigureChangesAreNeverRegressions) {
  report_document base;
  base.runs = {test::make_isolation_run()};
  report_document next = base;
  next.runs[0].isolation->cells[2].figures["victim_p99_inflation"] = 9.0;
  const comparison result = compare_reports(base, next, {});
  EXPECT_EQ(result.regressions, 0);
  const auto moved =
      std::find_if(result.deltas.begin(), result.deltas.end(), [](const metric_delta& delta) {
        return delta.name == "isolation/mps-limited/latency/victim_p99_inflation";
      });
  ASSERT_NE(moved, result.deltas.end());
  EXPECT_EQ(moved->outcome, verdict::unclear);
}

TEST(Compare, AnIsolationVerdictThatRecordsWhatHappenedIsARegressionWhenItDrops) {
  report_document base;
  base.runs = {test::make_isolation_run()};
  report_document next = base;
  isolation_result& cells = *next.runs[0].isolation;
  cells.cells[3].verdict = "none";     // mig memory: isolated -> none
  cells.cells[1].verdict = "isolated"; // mps fault: none -> isolated
  cells.cells[2].verdict = "none";     // mps-limited latency: partial -> none
  const comparison result = compare_reports(base, next, {});
  const auto outcome = [&](const std::string& name) {
    const auto found = std::find_if(result.deltas.begin(), result.deltas.end(),
                                    [&](const metric_delta& delta) { return delta.name == name; });
    EXPECT_NE(found, result.deltas.end()) << name;
    return found == result.deltas.end() ? verdict::same : found->outcome;
  };
  EXPECT_EQ(outcome("isolation/mig/memory/verdict"), verdict::slower);
  EXPECT_EQ(outcome("isolation/mps/fault/verdict"), verdict::faster);
  EXPECT_EQ(outcome("isolation/mps-limited/latency/verdict"), verdict::unclear);
  EXPECT_EQ(outcome("isolation/mps/memory/verdict"), verdict::same);
  EXPECT_EQ(result.regressions, 1) << "only the memory cell that lost its isolation";
  const auto moved =
      std::find_if(result.deltas.begin(), result.deltas.end(), [](const metric_delta& delta) {
        return delta.name == "isolation/mig/memory/verdict";
      });
  ASSERT_NE(moved, result.deltas.end());
  EXPECT_FALSE(moved->delta) << "a verdict moves by no amount";

  std::ostringstream markdown;
  const compared_file base_file{"base.json", &base};
  const compared_file next_file{"new.json", &next};
  print_comparison_markdown(markdown, base_file, next_file, result, {}, false);
  EXPECT_THAT(markdown.str(), ::testing::HasSubstr("| `isolation/mig/memory/verdict` | isolated | "
                                                   "none | - | **less isolated** |"));
  EXPECT_THAT(markdown.str(), ::testing::HasSubstr("| none | isolated | - | more isolated |"));
  EXPECT_THAT(markdown.str(), ::testing::HasSubstr("**1 regression**"));

  // Back again, the other way round: the gate is symmetric.
  const comparison back = compare_reports(next, base, {});
  EXPECT_EQ(back.regressions, 1) << "the mps fault cell losing its isolation";
}

TEST(Compare, VerdictRules) {
  metric base{"x", "1/s", true, 100, 98, 102, false};
  metric within = base;
  within.value = 104;
  EXPECT_EQ(judge(base, within, 0.05), verdict::same);
  metric noisy_drop = base;
  noisy_drop.value = 90;
  noisy_drop.low = 80;
  noisy_drop.high = 99; // overlaps [98, 102]: noise, not a regression
  EXPECT_EQ(judge(base, noisy_drop, 0.05), verdict::unclear);
  metric clear_drop = base;
  clear_drop.value = 90;
  clear_drop.low = 89;
  clear_drop.high = 91;
  EXPECT_EQ(judge(base, clear_drop, 0.05), verdict::slower);
  EXPECT_EQ(judge(clear_drop, base, 0.05), verdict::faster);
  // Lower is better for a time: a 20 % shorter time is faster.
  metric time{"t", "us", false, 100, 99, 101, false};
  metric shorter{"t", "us", false, 80, 79, 81, false};
  EXPECT_EQ(judge(time, shorter, 0.05), verdict::faster);
  EXPECT_EQ(judge(shorter, time, 0.05), verdict::slower);
  EXPECT_EQ(judge(time, shorter, 0.25), verdict::same);
}

TEST(Compare, AFigureWithoutAnIntervalIsNeverARegression) {
  // A latency percentile or the start skew: beyond the threshold it is only unclear.
  metric skew{"start_skew_us", "us", false, 40, std::nullopt, std::nullopt, false};
  metric doubled = skew;
  doubled.value = 80;
  EXPECT_EQ(judge(skew, doubled, 0.05), verdict::unclear);
  doubled.value = 41;
  EXPECT_EQ(judge(skew, doubled, 0.05), verdict::same);
}

TEST(Compare, PlainFractionsChangeByTheirAbsoluteDifference) {
  // Overhead 0.02 -> 0.03 is +50 % relative but one point absolute: the same at 5 %.
  metric overhead{"mechanism_overhead", "", false, 0.02, std::nullopt, std::nullopt, false};
  metric next = overhead;
  next.value = 0.03;
  EXPECT_NEAR(*change_of(overhead, next), 0.01, 1e-12);
  EXPECT_EQ(judge(overhead, next, 0.05), verdict::same);
  next.value = 0.20;
  EXPECT_EQ(judge(overhead, next, 0.05), verdict::unclear) << "no interval";
  // A zero base has no relative change; the verdict comes from the intervals.
  metric zero{"x", "us", false, 0, 0, 0, false};
  metric some{"x", "us", false, 5, 4, 6, false};
  EXPECT_FALSE(change_of(zero, some).has_value());
  EXPECT_EQ(judge(zero, some, 0.05), verdict::slower);
}

TEST(Metrics, DerivedRatiosCarryTheIntervalsOfWhatTheyDivide) {
  run_record run = tenant_run("timeslice", 2, 100, 50);
  for (tenant_record& tenant : run.tenants) {
    tenant.solo->iteration_time_us = test::summary_of(10'000, 9'900, 10'100);
    tenant.shared->iteration_time_us = test::summary_of(20'000, 19'800, 20'200);
    tenant.slowdown = 2.0;
  }
  const std::vector<metric> metrics = extract_metrics(document_with({run}));
  const auto slowdown = std::find_if(metrics.begin(), metrics.end(), [](const metric& figure) {
    return figure.name.find("/tenant0/slowdown") != std::string::npos;
  });
  ASSERT_NE(slowdown, metrics.end());
  EXPECT_NEAR(*slowdown->low, 19'800.0 / 10'100, 1e-12);
  EXPECT_NEAR(*slowdown->high, 20'200.0 / 9'900, 1e-12);
  const auto ratio = std::find_if(metrics.begin(), metrics.end(), [](const metric& figure) {
    return figure.name.find("/throughput_ratio") != std::string::npos;
  });
  ASSERT_NE(ratio, metrics.end());
  EXPECT_NEAR(*ratio->low, (2 * 49.5) / (2 * 101.0), 1e-12);
  EXPECT_NEAR(*ratio->high, (2 * 50.5) / (2 * 99.0), 1e-12);
}

TEST(Compare, RegressionImprovementAndNoiseAcrossReports) {
  const report_document base = document_with({tenant_run("timeslice", 2, 100, 50)});
  report_document next = base;
  next.runs[0].tenants[0].solo = result_at(80);        // clearly slower
  next.runs[0].tenants[1].solo = result_at(130);       // clearly faster
  next.runs[0].tenants[0].shared = result_at(45, 0.2); // wide interval: unclear
  compare_settings settings;
  const comparison result = compare_reports(base, next, settings);
  const std::string key = std::string("timeslice(2x ") + gemm + ")";
  EXPECT_EQ(find_delta(result, key + "/tenant0/solo/throughput_per_s")->outcome, verdict::slower);
  EXPECT_NEAR(*find_delta(result, key + "/tenant0/solo/throughput_per_s")->delta, -0.2, 1e-12);
  EXPECT_EQ(find_delta(result, key + "/tenant1/solo/throughput_per_s")->outcome, verdict::faster);
  EXPECT_EQ(find_delta(result, key + "/tenant0/shared/throughput_per_s")->outcome,
            verdict::unclear);
  EXPECT_EQ(find_delta(result, key + "/start_skew_us")->outcome, verdict::same);
  // Solo throughput and its p50/p99 moved by 20 %: the latencies regress with it.
  EXPECT_GE(result.regressions, 1);
  EXPECT_TRUE(result.environment.refusing.empty());
}

TEST(Compare, IdenticalReportsHaveNoRegressionAndEveryMetricTheSame) {
  const report_document base = document_with({tenant_run("mps", 4, 100, 25)});
  const comparison result = compare_reports(base, base, compare_settings{});
  EXPECT_EQ(result.regressions, 0);
  ASSERT_FALSE(result.deltas.empty());
  for (const metric_delta& delta : result.deltas) {
    EXPECT_EQ(delta.outcome, verdict::same) << delta.name;
  }
}

TEST(Compare, MetricGlobsSelectAndUnmatchedRunsAreListed) {
  const report_document base = document_with({tenant_run("timeslice", 2, 100, 50)});
  const report_document next =
      document_with({tenant_run("timeslice", 2, 100, 50), tenant_run("mps", 2, 100, 60)});
  compare_settings settings;
  settings.metrics = {"*/solo/throughput_per_s"};
  const comparison result = compare_reports(base, next, settings);
  ASSERT_EQ(result.deltas.size(), 4u) << "2 tenants x 2 runs, solo throughput only";
  EXPECT_EQ(result.compared, 2);
  EXPECT_EQ(result.deltas[2].outcome, verdict::only_in_new);
  EXPECT_THAT(result.deltas[2].name, HasSubstr("mps("));
  EXPECT_EQ(result.regressions, 0) << "a new run is no regression";
  // A run that vanished (skipped, failed, renamed) is: nothing of it was compared.
  const comparison reverse = compare_reports(next, base, settings);
  EXPECT_EQ(reverse.deltas[2].outcome, verdict::only_in_base);
  EXPECT_EQ(reverse.regressions, 2);
  settings.allow_missing = true;
  EXPECT_EQ(compare_reports(next, base, settings).regressions, 0);
}

TEST(Compare, DifferentGpusDriversAndSettingsAreListed) {
  report_document base = document_with({tenant_run("timeslice", 2, 100, 50)});
  base.environment.gpus[0].nvml = nvml_gpu_record{};
  base.environment.gpus[0].nvml->power_limit_w = 700;
  report_document next = base;
  next.environment.gpus[0].name = "NVIDIA A100-SXM4-80GB";
  next.environment.driver_release = "575.57.08";
  next.environment.gpus[0].nvml->power_limit_w = 500;
  next.config.duration_s = 2.0;
  next.environment.cuda_runtime_version = 13010;
  const environment_comparison differences = environment_differences(base, next);
  const auto mentions = [](const std::vector<std::string>& lines, const std::string& text) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) {
      return line.find(text) != std::string::npos;
    });
  };
  EXPECT_TRUE(mentions(differences.refusing,
                       "GPU name: " + base.environment.gpus[0].name + " -> NVIDIA A100-SXM4-80GB"));
  EXPECT_TRUE(mentions(differences.refusing, "GPU power limit [W]: 700 -> 500"));
  EXPECT_TRUE(mentions(differences.refusing, "duration per repetition [s]"));
  EXPECT_EQ(differences.refusing.size(), 3u);
  // A new driver or toolkit is what a regression gate must judge, not refuse.
  EXPECT_TRUE(mentions(differences.noted,
                       "driver release: " + base.environment.driver_release + " -> 575.57.08"));
  EXPECT_TRUE(mentions(differences.noted, "CUDA runtime version"));
  EXPECT_EQ(differences.noted.size(), 2u);
}

TEST(Compare, AMigModeOneReportCouldNotReadIsNotedNotRefused) {
  report_document base = document_with({tenant_run("timeslice", 2, 100, 50)});
  base.environment.gpus[0].mig_mode = "unknown"; // an older report on a MIG instance
  report_document next = base;
  next.environment.gpus[0].mig_mode = "enabled";
  environment_comparison differences = environment_differences(base, next);
  EXPECT_TRUE(differences.refusing.empty());
  ASSERT_EQ(differences.noted.size(), 1u);
  EXPECT_EQ(differences.noted[0], "GPU MIG mode: unknown -> enabled");
  base.environment.gpus[0].mig_mode = "disabled"; // known on both sides: another GPU setting
  differences = environment_differences(base, next);
  ASSERT_EQ(differences.refusing.size(), 1u);
  EXPECT_EQ(differences.refusing[0], "GPU MIG mode: disabled -> enabled");
}

TEST(Compare, OnlyTheGpuEachReportMeasuredIsCompared) {
  report_document base = document_with({tenant_run("timeslice", 2, 100, 50)});
  base.environment.gpus.push_back(base.environment.gpus[0]);
  base.environment.gpus[1].name = "NVIDIA L4";
  report_document next = base;
  next.environment.gpus[1].name = "NVIDIA T4"; // another GPU of the host, not measured
  EXPECT_TRUE(environment_differences(base, next).refusing.empty());
  next.config.device = 1;
  EXPECT_FALSE(environment_differences(base, next).refusing.empty());
}

TEST(CompareMarkdown, VerdictFirstMovedMetricsThenTheSameFolded) {
  const report_document base = document_with({tenant_run("timeslice", 2, 100, 50)});
  report_document next = base;
  next.runs[0].tenants[0].solo = result_at(80);
  const comparison result = compare_reports(base, next, compare_settings{});
  std::ostringstream out;
  print_comparison_markdown(out, {"base.json", &base}, {"new.json", &next}, result,
                            compare_settings{}, false);
  const std::string text = out.str();
  EXPECT_THAT(text, HasSubstr("**" + std::to_string(result.regressions) + " regression"));
  EXPECT_THAT(text, HasSubstr("`base.json`: gpushare-bench 0.1.0"));
  EXPECT_THAT(text, HasSubstr("/tenant0/solo/throughput_per_s` | 100 1/s [99.0, 101] | 80.0 1/s "
                              "[79.2, 80.8] | -20.0 % | **slower** |"));
  EXPECT_THAT(text, HasSubstr("<details><summary>"));
  EXPECT_LT(text.find("**slower**"), text.find("<details>"));
  EXPECT_EQ(text.find("The reports differ"), std::string::npos);
}

} // namespace
} // namespace gpushare::report
