#include "k8s/yaml_text.hpp"

#include <sstream>
#include <stdexcept>
#include <yaml-cpp/yaml.h>

namespace gpushare::k8s {
namespace {

/// Text columns after "# ", so a comment line stays within 100 columns.
constexpr std::size_t comment_width = 98;

} // namespace

std::string comment_block(const std::vector<std::string>& lines) {
  std::string text;
  const auto add_paragraph = [&text](const std::string& paragraph) {
    std::istringstream words(paragraph);
    std::string line;
    for (std::string word; words >> word;) {
      if (!line.empty() && line.size() + 1 + word.size() > comment_width) {
        text += "# " + line + "\n";
        line.clear();
      }
      line += (line.empty() ? "" : " ") + word;
    }
    text += line.empty() ? "#\n" : "# " + line + "\n";
  };
  for (const auto& line : lines) {
    std::size_t begin = 0;
    while (true) {
      const auto end = line.find('\n', begin);
      add_paragraph(line.substr(begin, end == std::string::npos ? end : end - begin));
      if (end == std::string::npos) {
        break;
      }
      begin = end + 1;
    }
  }
  return text;
}

std::string emitted_text(const YAML::Emitter& emitter) {
  if (!emitter.good()) {
    throw std::logic_error("YAML emitter: " + emitter.GetLastError());
  }
  std::string text = emitter.c_str();
  if (text.empty() || text.back() != '\n') {
    text += '\n';
  }
  return text;
}

std::string join_documents(const std::vector<std::string>& documents) {
  std::string text;
  for (const auto& document : documents) {
    text += "---\n" + document;
  }
  return text;
}

} // namespace gpushare::k8s
