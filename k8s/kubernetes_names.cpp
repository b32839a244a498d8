#include "k8s/kubernetes_names.hpp"

#include <cctype>
#include <regex>

namespace gpushare::k8s {
namespace {

bool matches(std::string_view text, const std::regex& form) {
  return std::regex_match(text.begin(), text.end(), form);
}

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

} // namespace

bool is_dns1123_subdomain(std::string_view text) {
  static const std::regex form("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  return !text.empty() && text.size() <= 253 && matches(text, form);
}

bool is_dns1123_label(std::string_view text) {
  static const std::regex form("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  return !text.empty() && text.size() <= 63 && matches(text, form);
}

bool is_label_value(std::string_view text) {
  static const std::regex form("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  return text.size() <= 63 && matches(text, form);
}

bool is_configmap_key(std::string_view text) {
  static const std::regex form("[-._a-zA-Z0-9]+");
  return !text.empty() && text.size() <= 253 && text != "." && text != ".." && matches(text, form);
}

bool is_nvidia_resource_name(std::string_view text) {
  constexpr std::string_view prefix = "nvidia.com/";
  if (text.substr(0, prefix.size()) != prefix) {
    return false;
  }
  static const std::regex form("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  const std::string_view name = text.substr(prefix.size());
  return !name.empty() && name.size() <= 63 && matches(name, form);
}

std::string to_dns1123_label(std::string_view text) {
  std::string label;
  for (const char raw : text) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(raw)));
    if (is_lower_alnum(c)) {
      label += c;
    } else if (!label.empty() && label.back() != '-') {
      label += '-';
    }
  }
  while (!label.empty() && label.back() == '-') {
    label.pop_back();
  }
  return label;
}

} // namespace gpushare::k8s
