#include "report/microbench_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace gpushare::report {
namespace {

struct instance {
  std::string run_name;
  std::vector<const benchmark_entry*> repetitions;
  std::vector<const benchmark_entry*> aggregates;
};

const benchmark_entry* aggregate_named(const instance& group, const std::string& name) {
  for (const benchmark_entry* entry : group.aggregates) {
    if (entry->aggregate_name == name) {
      return entry;
    }
  }
  return nullptr;
}

microbenchmark_row row_of(const benchmark_entry& entry) {
  microbenchmark_row row;
  row.name = entry.run_name;
  row.repetitions = std::max(entry.repetitions, 1);
  row.threads = entry.threads;
  row.time_unit = entry.time_unit;
  row.label = entry.label;
  row.error = entry.error;
  if (entry.error.empty()) {
    row.real_time = entry.real_time;
    row.cpu_time = entry.cpu_time;
    row.counters = entry.counters;
  }
  return row;
}

// The file's cv where it has one (Google Benchmark 1.7 and later), else stddev / mean, which is
// how the library computes it.
void add_spread(microbenchmark_row& row, const instance& group) {
  if (const benchmark_entry* cv = aggregate_named(group, "cv")) {
    if (cv->aggregate_unit == "percentage") {
      row.real_time_cv = cv->real_time;
      row.cpu_time_cv = cv->cpu_time;
      return;
    }
  }
  const benchmark_entry* mean = aggregate_named(group, "mean");
  const benchmark_entry* stddev = aggregate_named(group, "stddev");
  if (mean != nullptr && stddev != nullptr) {
    if (mean->real_time != 0) {
      row.real_time_cv = stddev->real_time / mean->real_time;
    }
    if (mean->cpu_time != 0) {
      row.cpu_time_cv = stddev->cpu_time / mean->cpu_time;
    }
  }
}

void add_iterations(microbenchmark_row& row, const instance& group) {
  for (const benchmark_entry* entry : group.repetitions) {
    if (!entry->error.empty()) {
      continue;
    }
    row.iterations_low =
        std::min(row.iterations_low.value_or(entry->iterations), entry->iterations);
    row.iterations_high =
        std::max(row.iterations_high.value_or(entry->iterations), entry->iterations);
  }
}

void add_rows(microbenchmark_source& source, const instance& group) {
  for (const char* statistic : {"median", "mean"}) {
    if (const benchmark_entry* summary = aggregate_named(group, statistic)) {
      microbenchmark_row row = row_of(*summary);
      row.statistic = statistic;
      add_spread(row, group);
      add_iterations(row, group);
      for (const benchmark_entry* entry : group.repetitions) {
        if (!entry->error.empty()) {
          row.repetition_error = row.repetition_error.empty() ? entry->error : row.repetition_error;
          ++row.failed_repetitions;
        }
      }
      source.rows.push_back(std::move(row));
      return;
    }
  }
  // No statistic over repetitions: each repetition is shown, except that repetitions which
  // all failed for one reason are one row saying so, not the same message R times.
  const bool one_failure =
      !group.repetitions.empty() &&
      std::all_of(group.repetitions.begin(), group.repetitions.end(),
                  [&](const benchmark_entry* entry) {
                    return !entry->error.empty() && entry->error == group.repetitions[0]->error;
                  });
  for (const benchmark_entry* entry : group.repetitions) {
    microbenchmark_row row = row_of(*entry);
    if (!one_failure) {
      row.repetition = entry->repetition_index;
    }
    if (entry->error.empty()) {
      row.iterations_low = entry->iterations;
      row.iterations_high = entry->iterations;
    }
    source.rows.push_back(std::move(row));
    if (one_failure) {
      break;
    }
  }
}

} // namespace

microbenchmark_source build_microbenchmark_source(const benchmark_file& file,
                                                  const std::string& path) {
  microbenchmark_source source;
  source.path = path;
  source.context = file.context;
  source.label = fmt::format("{}, {}", file.context.host_name, file.context.date);
  source.debug_library = file.context.library_build_type == "debug";
  std::vector<instance> groups;
  for (const benchmark_entry& entry : file.benchmarks) {
    auto found = std::find_if(groups.begin(), groups.end(), [&](const instance& group) {
      return group.run_name == entry.run_name;
    });
    if (found == groups.end()) {
      groups.push_back({entry.run_name, {}, {}});
      found = groups.end() - 1;
    }
    (entry.aggregate ? found->aggregates : found->repetitions).push_back(&entry);
  }
  for (const instance& group : groups) {
    add_rows(source, group);
  }
  return source;
}

} // namespace gpushare::report
