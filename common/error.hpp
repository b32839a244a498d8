#pragma once
// Error types shared by every library. Libraries throw; only cli/main.cpp turns an error
// into an exit code, so nothing deep in the code base ever calls exit().

#include <stdexcept>
#include <string>

namespace gpushare {

/// Process exit codes, as documented in SPEC.md and --help.
enum class exit_code : int {
  success = 0,
  check_failed = 1,  ///< ran, but a gate or a correctness check failed
  usage = 2,         ///< usage, configuration or environment error (no GPU, no driver, bad input)
  tenant_failed = 3, ///< a tenant process failed or timed out
  interrupted = 130,
};

/// Base of every error the tool reports; what() is the one line shown to the user.
class error : public std::runtime_error {
public:
  error(const std::string& message, exit_code code) : std::runtime_error(message), m_code(code) {}
  [[nodiscard]] exit_code code() const noexcept { return m_code; }

private:
  exit_code m_code;
};

/// A bad option, value or input file; the message names the option and what is accepted.
class usage_error : public error {
public:
  explicit usage_error(const std::string& message) : error(message, exit_code::usage) {}
};

/// The machine cannot run what was asked (no driver, no device, missing program).
class environment_error : public error {
public:
  explicit environment_error(const std::string& message) : error(message, exit_code::usage) {}
};

/// The run finished but a correctness check failed (device result differs from the reference).
class check_error : public error {
public:
  explicit check_error(const std::string& message) : error(message, exit_code::check_failed) {}
};

} // namespace gpushare
