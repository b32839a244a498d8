#pragma once
// The field access every JSON reader of report/ shares (report files, Google Benchmark files):
// a missing or mistyped field becomes a json_field_error naming its path, e.g.
// "runs[2].tenants[0].status: missing".

#include "report/json_reader.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace gpushare::report {

/// The path of `key` inside `path`; fields at the top have no leading dot ("runs[0]").
[[nodiscard]] std::string child(const std::string& path, const std::string& key);

/// "expected WHAT, got VALUE", for a field of the wrong type.
[[nodiscard]] std::string expected(const char* what, const nlohmann::json& value);

/// The member `key` of `object` (at `path`); throws when `object` is no object or lacks it.
[[nodiscard]] const nlohmann::json& member(const nlohmann::json& object, const std::string& key,
                                           const std::string& path);

/// A member the writer may leave out; nullptr when it did. Throws when `object` is no object.
[[nodiscard]] const nlohmann::json*
optional_member(const nlohmann::json& object, const std::string& key, const std::string& path);

/// `value` (the field at `where`) as a string; throws when it is none.
[[nodiscard]] std::string string_value(const nlohmann::json& value, const std::string& where);

/// The string member `key` of `object`.
[[nodiscard]] std::string read_string(const nlohmann::json& object, const std::string& key,
                                      const std::string& path);

} // namespace gpushare::report
