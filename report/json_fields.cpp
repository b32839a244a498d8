#include "report/json_fields.hpp"

#include <fmt/format.h>

namespace gpushare::report {

using nlohmann::json;

std::string child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string expected(const char* what, const json& value) {
  return fmt::format("expected {}, got {}", what, value.dump());
}

const json& member(const json& object, const std::string& key, const std::string& path) {
  if (!object.is_object()) {
    throw json_field_error(path, "expected an object");
  }
  const auto found = object.find(key);
  if (found == object.end()) {
    throw json_field_error(child(path, key), "missing");
  }
  return *found;
}

const json* optional_member(const json& object, const std::string& key, const std::string& path) {
  if (!object.is_object()) {
    throw json_field_error(path, "expected an object");
  }
  const auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

std::string string_value(const json& value, const std::string& where) {
  if (!value.is_string()) {
    throw json_field_error(where, expected("a string", value));
  }
  return value.get<std::string>();
}

std::string read_string(const json& object, const std::string& key, const std::string& path) {
  return string_value(member(object, key, path), child(path, key));
}

} // namespace gpushare::report
