#include "cli/device_worker.hpp"

#include "cli/protocol_channel.hpp"
#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "harness/environment.hpp"
#include "harness/mps_daemon.hpp"
#include "harness/mps_detect.hpp"
#include "harness/private_directory.hpp"
#include "harness/subprocess.hpp"
#include "report/json_reader.hpp"
#include "report/json_records.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <poll.h>
#include <unistd.h>

namespace gpushare::cli {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr milliseconds environment_timeout{120'000};

json settings_to_json(const streams_settings& settings) {
  return json{{"device", settings.device},
              {"stream_counts", settings.stream_counts},
              {"kernels", settings.kernels},
              {"chunks", settings.chunks},
              {"pipeline_bytes", settings.pipeline_bytes},
              {"warmup_batches", settings.warmup_batches},
              {"repetitions", settings.repetitions},
              {"batches_per_repetition", settings.batches_per_repetition
                                             ? json(*settings.batches_per_repetition)
                                             : json(nullptr)},
              {"duration_s", settings.duration_s ? json(*settings.duration_s) : json(nullptr)},
              {"noise_threshold", settings.noise_threshold},
              {"target_kernel_us", settings.target_kernel_us}};
}

streams_settings settings_from_json(const json& value) {
  streams_settings settings;
  value.at("device").get_to(settings.device);
  value.at("stream_counts").get_to(settings.stream_counts);
  value.at("kernels").get_to(settings.kernels);
  value.at("chunks").get_to(settings.chunks);
  value.at("pipeline_bytes").get_to(settings.pipeline_bytes);
  value.at("warmup_batches").get_to(settings.warmup_batches);
  value.at("repetitions").get_to(settings.repetitions);
  if (!value.at("batches_per_repetition").is_null()) {
    settings.batches_per_repetition = value.at("batches_per_repetition").get<std::uint64_t>();
  }
  if (!value.at("duration_s").is_null()) {
    settings.duration_s = value.at("duration_s").get<double>();
  }
  value.at("noise_threshold").get_to(settings.noise_threshold);
  value.at("target_kernel_us").get_to(settings.target_kernel_us);
  return settings;
}

json answer(const json& request) {
  const std::string task = request.at("task").get<std::string>();
  if (task == "environment") {
    return json{{"environment", report::environment_to_json(capture_environment())}};
  }
  if (task == "streams") {
    const gpu_info gpu = report::gpu_from_json(request.at("gpu"), "gpu");
    const streams_result result =
        run_streams_experiment(settings_from_json(request.at("settings")), gpu);
    return json{{"streams", report::streams_to_json(result)}};
  }
  if (task == "calibrate") {
    const gpu_info gpu = report::gpu_from_json(request.at("gpu"), "gpu");
    const calibration_result result =
        run_calibration(calibration_settings_from_json(request.at("settings")), gpu);
    return json{{"calibration", report::calibration_to_json(result)}};
  }
  throw usage_error(fmt::format("device worker: unknown task '{}'", task));
}

json error_reply(const std::string& message, exit_code code) {
  return json{{"error", {{"message", message}, {"exit_code", static_cast<int>(code)}}}};
}

/// A long streams run is bounded by what it was asked to do; a fixed batch count has no
/// planned time, so it gets a generous ceiling instead.
milliseconds streams_timeout(const streams_settings& settings) {
  if (!settings.duration_s) {
    return milliseconds(1'800'000);
  }
  const double phases = 2.0 * static_cast<double>(settings.stream_counts.size()) + 4;
  const double planned_s = *settings.duration_s * settings.repetitions * phases;
  return milliseconds(static_cast<long long>((300 + 3 * planned_s) * 1000));
}

/// Runs one request through a worker and returns its reply. Throws error (exit code 2) when the
/// worker cannot be run or says nothing parsable, interrupted_error on SIGINT/SIGTERM, and the
/// worker's own error with its exit code when it reports one.
json call_worker(const std::string& program, const json& request, milliseconds timeout,
                 existing_mps mps) {
  const std::string what = request.at("task").get<std::string>();
  const scoped_private_directory scratch(std::filesystem::temp_directory_path().string(),
                                         "gpushare-worker-");
  const std::string stderr_path = scratch.path() + "/worker.stderr";
  process_spec spec;
  spec.argv = {program, "device-worker"};
  if (mps == existing_mps::avoid) {
    spec.set_environment["CUDA_MPS_PIPE_DIRECTORY"] = make_mps_free_pipe_directory(scratch.path());
  }
  child_process worker = child_process::spawn_piped(spec, stderr_path);
  const auto stop_worker = [&worker] { worker.terminate(milliseconds(1000)); };
  if (!write_to_pipe(worker.input_fd(), request.dump() + "\n")) {
    stop_worker();
    throw error(fmt::format("the {} worker process closed its input at once; its stderr: {}", what,
                            tail_of_file(stderr_path, 5)),
                exit_code::usage);
  }
  worker.close_input();

  std::string reply;
  const auto deadline = steady_clock::now() + timeout;
  while (worker.output_fd() >= 0) {
    if (interrupt_requested()) {
      stop_worker();
      throw_if_interrupted();
    }
    if (steady_clock::now() > deadline) {
      stop_worker();
      throw error(fmt::format("the {} worker process did not answer within {} s and was "
                              "stopped; its stderr: {}",
                              what,
                              std::chrono::duration_cast<std::chrono::seconds>(timeout).count(),
                              tail_of_file(stderr_path, 5)),
                  exit_code::usage);
    }
    pollfd ready{worker.output_fd(), POLLIN, 0};
    if (poll(&ready, 1, 100) < 0 && errno != EINTR) {
      stop_worker();
      throw error(fmt::format("poll on the {} worker failed: {}", what, std::strerror(errno)),
                  exit_code::usage);
    }
    if ((ready.revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
      continue;
    }
    char buffer[65536];
    const ssize_t got = read(worker.output_fd(), buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      worker.close_output();
    } else {
      reply.append(buffer, static_cast<std::size_t>(got));
    }
  }
  auto status = worker.wait_for(milliseconds(5000));
  if (!status) {
    stop_worker();
    status = worker.status();
  }
  const std::string ended = status ? describe_wait_status(*status) : "an unknown status";
  json parsed;
  try {
    parsed = json::parse(reply);
  } catch (const json::exception&) {
    throw error(fmt::format("the {} worker process ended with {} without a usable answer; its "
                            "stderr: {}",
                            what, ended, tail_of_file(stderr_path, 5)),
                exit_code::usage);
  }
  if (parsed.contains("error")) {
    const json& failure = parsed.at("error");
    throw error(failure.at("message").get<std::string>(),
                static_cast<exit_code>(failure.at("exit_code").get<int>()));
  }
  return parsed;
}

} // namespace

nlohmann::json calibration_settings_to_json(const calibration_settings& settings) {
  return json{{"device", settings.device},
              {"repetitions", settings.repetitions},
              {"warmup", settings.warmup},
              {"noise_threshold", settings.noise_threshold},
              {"target_repetition_ms", settings.target_repetition_ms},
              {"gemm_dtypes", settings.gemm_dtypes},
              {"gemm_sizes", settings.gemm_sizes},
              {"device_copy_bytes", settings.device_copy_bytes},
              {"host_copy_bytes", settings.host_copy_bytes},
              {"launches_per_repetition", settings.launches_per_repetition}};
}

calibration_settings calibration_settings_from_json(const nlohmann::json& value) {
  calibration_settings settings;
  value.at("device").get_to(settings.device);
  value.at("repetitions").get_to(settings.repetitions);
  value.at("warmup").get_to(settings.warmup);
  value.at("noise_threshold").get_to(settings.noise_threshold);
  value.at("target_repetition_ms").get_to(settings.target_repetition_ms);
  value.at("gemm_dtypes").get_to(settings.gemm_dtypes);
  value.at("gemm_sizes").get_to(settings.gemm_sizes);
  value.at("device_copy_bytes").get_to(settings.device_copy_bytes);
  value.at("host_copy_bytes").get_to(settings.host_copy_bytes);
  value.at("launches_per_repetition").get_to(settings.launches_per_repetition);
  return settings;
}

int run_device_worker(std::istream& requests) {
  const protocol_channel channel("device worker");
  json reply;
  int exit = static_cast<int>(exit_code::success);
  try {
    const std::string text((std::istreambuf_iterator<char>(requests)),
                           std::istreambuf_iterator<char>());
    reply = answer(json::parse(text));
  } catch (const error& failure) {
    reply = error_reply(failure.what(), failure.code());
    exit = static_cast<int>(failure.code());
  } catch (const std::exception& failure) {
    reply = error_reply(fmt::format("device worker: {}", failure.what()), exit_code::usage);
    exit = static_cast<int>(exit_code::usage);
  }
  channel.write_all(reply.dump() + "\n");
  return exit;
}

environment_info capture_environment_in_worker(const std::string& program, existing_mps mps) {
  try {
    const json reply =
        call_worker(program, json{{"task", "environment"}}, environment_timeout, mps);
    return report::environment_from_json(reply.at("environment"), "environment");
  } catch (const interrupted_error&) {
    throw;
  } catch (const std::exception& failure) {
    // Unknown is the honest answer: what this machine has could not be found out.
    environment_info unknown;
    unknown.unavailable_reason = fmt::format("could not query the GPUs: {}", failure.what());
    unknown.nvml_status = "not tried: the device query failed";
    return unknown;
  }
}

streams_result run_streams_in_worker(const std::string& program, const streams_settings& settings,
                                     const gpu_info& gpu, existing_mps mps) {
  const json reply = call_worker(program,
                                 json{{"task", "streams"},
                                      {"settings", settings_to_json(settings)},
                                      {"gpu", report::gpu_to_json(gpu)}},
                                 streams_timeout(settings), mps);
  try {
    return report::streams_from_json(reply.at("streams"), "streams");
  } catch (const std::exception& failure) {
    throw error(fmt::format("the streams worker's answer is malformed: {}", failure.what()),
                exit_code::usage);
  }
}

calibration_result run_calibration_in_worker(const std::string& program,
                                             const calibration_settings& settings,
                                             const gpu_info& gpu, existing_mps mps) {
  // Seconds of work; the ceiling only catches a worker that hangs.
  constexpr milliseconds calibration_timeout{600'000};
  const json reply = call_worker(program,
                                 json{{"task", "calibrate"},
                                      {"settings", calibration_settings_to_json(settings)},
                                      {"gpu", report::gpu_to_json(gpu)}},
                                 calibration_timeout, mps);
  try {
    return report::calibration_from_json(reply.at("calibration"), "calibration");
  } catch (const std::exception& failure) {
    throw error(fmt::format("the calibration worker's answer is malformed: {}", failure.what()),
                exit_code::usage);
  }
}

} // namespace gpushare::cli
