#pragma once
// Small pieces shared by every YAML artifact: comment blocks a person reads before applying a
// file, and the text of a yaml-cpp emitter with its errors turned into exceptions.

#include <string>
#include <vector>

namespace YAML {
class Emitter;
} // namespace YAML

namespace gpushare::k8s {

/// Each line as a YAML comment ("# line\n"), wrapped at word boundaries to stay within 100
/// columns; a line holding newlines becomes several paragraphs.
[[nodiscard]] std::string comment_block(const std::vector<std::string>& lines);

/// The emitted text, ending in one newline. A failed emitter is a bug in our code, not bad
/// input, so it throws std::logic_error with yaml-cpp's reason.
[[nodiscard]] std::string emitted_text(const YAML::Emitter& emitter);

/// Documents of a multi-document stream, each started by "---".
[[nodiscard]] std::string join_documents(const std::vector<std::string>& documents);

} // namespace gpushare::k8s
