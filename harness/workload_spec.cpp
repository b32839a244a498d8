#include "harness/workload_spec.hpp"

#include "common/error.hpp"
#include "common/text.hpp"
#include "harness/workload_catalog.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

namespace gpushare {
namespace {

/// Integers may carry a binary suffix (Ki, Mi, Gi) because sizes are usually powers of two.
std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t multiplier = 1;
  if (text.size() > 2) {
    const std::string_view suffix = text.substr(text.size() - 2);
    if (suffix == "Ki") {
      multiplier = std::int64_t{1} << 10;
    } else if (suffix == "Mi") {
      multiplier = std::int64_t{1} << 20;
    } else if (suffix == "Gi") {
      multiplier = std::int64_t{1} << 30;
    }
    if (multiplier != 1) {
      text.remove_suffix(2);
    }
  }
  if (text.empty() || text.size() > 19) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  if (value > std::numeric_limits<std::int64_t>::max() / multiplier) {
    return std::nullopt;
  }
  return value * multiplier;
}

std::optional<double> parse_real(std::string_view text) {
  const std::string copy(text);
  if (copy.empty()) {
    return std::nullopt;
  }
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(copy.c_str(), &end);
  if (errno != 0 || end != copy.c_str() + copy.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::string accepted_values(const param_definition& param) {
  switch (param.kind) {
  case param_kind::integer:
    return fmt::format("an integer in [{}, {}]", param.min_integer, param.max_integer);
  case param_kind::real:
    return fmt::format("a number in [{}, {}]", param.min_real, param.max_real);
  case param_kind::choice:
    return fmt::format("one of {}", fmt::join(param.choices, ", "));
  }
  return "";
}

/// Returns the canonical text of a valid value, or nullopt.
std::optional<std::string> normalize_value(const param_definition& param, std::string_view text) {
  switch (param.kind) {
  case param_kind::integer: {
    const auto value = parse_integer(text);
    if (!value || *value < param.min_integer || *value > param.max_integer) {
      return std::nullopt;
    }
    return std::to_string(*value);
  }
  case param_kind::real: {
    const auto value = parse_real(text);
    if (!value || *value < param.min_real || *value > param.max_real) {
      return std::nullopt;
    }
    return fmt::format("{}", *value);
  }
  case param_kind::choice:
    for (const auto& choice : param.choices) {
      if (choice == text) {
        return choice;
      }
    }
    return std::nullopt;
  }
  return std::nullopt;
}

const param_definition* find_param(const workload_definition& definition, std::string_view key) {
  for (const auto& param : definition.params) {
    if (param.key == key) {
      return &param;
    }
  }
  return nullptr;
}

std::vector<std::string> key_names(const workload_definition& definition) {
  std::vector<std::string> keys;
  for (const auto& param : definition.params) {
    keys.push_back(param.key);
  }
  return keys;
}

} // namespace

std::string workload_spec::canonical() const {
  std::string text = name;
  char separator = ':';
  for (const auto& [key, value] : params) {
    text += separator;
    text += key + "=" + value;
    separator = ',';
  }
  return text;
}

const std::string& workload_spec::get(const std::string& key) const {
  const auto found = params.find(key);
  if (found == params.end()) {
    throw usage_error(fmt::format("workload {} has no parameter '{}'", name, key));
  }
  return found->second;
}

std::int64_t workload_spec::get_int(const std::string& key) const {
  const auto value = parse_integer(get(key));
  if (!value) {
    throw usage_error(fmt::format("workload {}: {} is not an integer", name, key));
  }
  return *value;
}

double workload_spec::get_double(const std::string& key) const {
  const auto value = parse_real(get(key));
  if (!value) {
    throw usage_error(fmt::format("workload {}: {} is not a number", name, key));
  }
  return *value;
}

workload_spec parse_workload_spec(std::string_view text) {
  const std::string original(text);
  const auto fail = [&](const std::string& why) -> usage_error {
    return usage_error(fmt::format("--workload '{}': {}", original, why));
  };

  text = trim(text);
  const auto colon = text.find(':');
  const std::string name(trim(text.substr(0, colon)));
  if (name.empty()) {
    throw fail("empty workload name; expected name:key=value,... (e.g. gemm:dtype=bf16)");
  }
  const workload_definition* definition = find_workload_definition(name);
  if (definition == nullptr) {
    throw fail(fmt::format("unknown workload '{}'; known workloads: {}", name,
                           fmt::join(workload_names(), ", ")));
  }

  workload_spec spec;
  spec.name = name;
  std::map<std::string, std::string> given;
  std::string_view rest =
      colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (item.empty()) {
      throw fail("empty item between commas");
    }
    const auto equals = item.find('=');
    if (equals == std::string_view::npos) {
      throw fail(fmt::format("'{}' is not key=value", item));
    }
    const std::string key(trim(item.substr(0, equals)));
    const std::string_view value = trim(item.substr(equals + 1));
    const param_definition* param = find_param(*definition, key);
    if (param == nullptr) {
      throw fail(fmt::format("unknown key '{}' for {}; accepted keys: {}", key, name,
                             fmt::join(key_names(*definition), ", ")));
    }
    if (given.count(key) != 0) {
      throw fail(fmt::format("key '{}' given twice", key));
    }
    const auto normalized = normalize_value(*param, value);
    if (!normalized) {
      throw fail(fmt::format("{} must be {}, got '{}'", key, accepted_values(*param), value));
    }
    given[key] = *normalized;
  }

  for (const auto& param : definition->params) {
    if (param.alias_of.empty()) {
      continue;
    }
    const auto alias = given.find(param.key);
    if (alias == given.end()) {
      continue;
    }
    for (const auto& target : param.alias_of) {
      if (given.count(target) != 0) {
        throw fail(fmt::format("{} sets {}; give either {} or {}", param.key,
                               fmt::join(param.alias_of, ", "), param.key, target));
      }
    }
    for (const auto& target : param.alias_of) {
      spec.params[target] = alias->second;
    }
  }
  for (const auto& param : definition->params) {
    if (!param.alias_of.empty()) {
      continue;
    }
    const auto value = given.find(param.key);
    if (value != given.end()) {
      spec.params[param.key] = value->second;
    } else if (spec.params.count(param.key) == 0) {
      spec.params[param.key] = param.default_value;
    }
  }
  return spec;
}

std::vector<std::string> workload_names() {
  std::vector<std::string> names;
  for (const auto& definition : workload_catalog()) {
    names.push_back(definition.name);
  }
  return names;
}

std::string workload_catalog_help() {
  std::string text;
  for (const auto& definition : workload_catalog()) {
    text += fmt::format("  {:<11} {}\n", definition.name, definition.summary);
    for (const auto& param : definition.params) {
      const std::string default_text =
          param.alias_of.empty() ? fmt::format(" (default {})", param.default_value) : "";
      text += fmt::format("      {}=  {}; {}{}\n", param.key, param.help, accepted_values(param),
                          default_text);
    }
  }
  return text;
}

} // namespace gpushare
