#pragma once
// Every CUDA call the harness itself needs (finding the GPUs, the streams experiment) runs in
// a short-lived child: this program re-executed with its hidden `device-worker` command. The
// harness process therefore never initialises CUDA, so it holds no context that would take
// memory and time slices beside the tenants it measures, cannot lock tenants out of a GPU in
// exclusive-process compute mode, and never forks with CUDA state.
//
// Protocol: one JSON request on the worker's stdin, one JSON reply on its stdout:
//   {"task": "environment"}                          -> {"environment": {...}}
//   {"task": "streams", "settings": {...}, "gpu": {...}} -> {"streams": {...}}
//   {"task": "calibrate", "settings": {...}, "gpu": {...}} -> {"calibration": {...}}
//   any failure                                      -> {"error": {"message", "exit_code"}}

#include "harness/calibration.hpp"
#include "harness/records.hpp"
#include "harness/streams_experiment.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <istream>
#include <string>

namespace gpushare::cli {

/// The hidden `device-worker` command: answers one request. Returns the exit code.
int run_device_worker(std::istream& requests);

/// How a worker meets an MPS daemon the harness did not start: `avoid` gives it an empty MPS
/// pipe directory (make_mps_free_pipe_directory), so it runs without MPS whatever daemon runs;
/// `join` lets it inherit the harness's, for --mps-use-existing, where that daemon may be the
/// only way onto the GPU.
enum class existing_mps { avoid, join };

/// capture_environment() in a worker. A worker that cannot be started or answers nothing
/// usable is reported as an unavailable environment (never an exception), like a missing
/// driver; an interrupt throws interrupted_error.
[[nodiscard]] environment_info capture_environment_in_worker(const std::string& program,
                                                             existing_mps mps);

/// run_streams_experiment() in a worker; its errors come back with their exit codes.
[[nodiscard]] streams_result run_streams_in_worker(const std::string& program,
                                                   const streams_settings& settings,
                                                   const gpu_info& gpu, existing_mps mps);

/// The calibrate request's settings as the worker receives them (exposed for tests).
[[nodiscard]] nlohmann::json calibration_settings_to_json(const calibration_settings& settings);
[[nodiscard]] calibration_settings calibration_settings_from_json(const nlohmann::json& value);

/// run_calibration() in a worker; its errors come back with their exit codes.
[[nodiscard]] calibration_result run_calibration_in_worker(const std::string& program,
                                                           const calibration_settings& settings,
                                                           const gpu_info& gpu, existing_mps mps);

} // namespace gpushare::cli
