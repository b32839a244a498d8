#include "mig/nvidia_smi_parser.hpp"

#include "common/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <regex>

namespace gpushare::mig {
namespace {

constexpr std::string_view lgip_command = "nvidia-smi mig -lgip";
constexpr std::string_view lgipp_command = "nvidia-smi mig -lgipp";
constexpr std::string_view lgi_command = "nvidia-smi mig -lgi";
constexpr std::string_view lci_command = "nvidia-smi mig -lci";
constexpr std::string_view list_command = "nvidia-smi -L";
constexpr std::string_view query_command =
    "nvidia-smi --query-gpu=index,name,uuid,mig.mode.current,mig.mode.pending "
    "--format=csv,noheader";
constexpr std::string_view table_command = "nvidia-smi";

struct numbered_line {
  std::size_t number = 0; ///< 1-based, as an editor shows it
  std::string_view text;  ///< without the line break and a trailing '\r'
};

std::vector<numbered_line> lines_of(std::string_view text) {
  std::vector<numbered_line> lines;
  std::size_t number = 1;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    lines.push_back({number++, line});
    if (end == std::string_view::npos) {
      break;
    }
    text.remove_prefix(end + 1);
  }
  return lines;
}

[[noreturn]] void fail(std::string_view command, const numbered_line& line, std::string_view why) {
  throw nvidia_smi_output_error(fmt::format("cannot read the output of `{}`: line {} '{}': {}",
                                            command, line.number, trim(line.text), why));
}

[[noreturn]] void fail_whole(std::string_view command, std::string_view why) {
  throw nvidia_smi_output_error(fmt::format("cannot read the output of `{}`: {}", command, why));
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at])) != 0) {
      ++at;
    }
    const std::size_t start = at;
    while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at])) == 0) {
      ++at;
    }
    if (at > start) {
      words.emplace_back(text.substr(start, at - start));
    }
  }
  return words;
}

std::optional<int> to_int(std::string_view word) {
  if (word.empty() || word.size() > 9) {
    return std::nullopt;
  }
  int value = 0;
  for (const char c : word) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

int int_field(std::string_view word, std::string_view column, std::string_view command,
              const numbered_line& line) {
  const auto value = to_int(word);
  if (!value) {
    fail(command, line, fmt::format("{} '{}' is not a whole number", column, word));
  }
  return *value;
}

placement placement_field(std::string_view word, std::string_view command,
                          const numbered_line& line) {
  const auto colon = word.find(':');
  const auto start = colon == std::string_view::npos ? std::nullopt : to_int(word.substr(0, colon));
  const auto size = colon == std::string_view::npos ? std::nullopt : to_int(word.substr(colon + 1));
  if (!start || !size || *size == 0) {
    fail(command, line, fmt::format("placement '{}' is not START:SIZE", word));
  }
  return placement{*start, *size};
}

/// "MIG 1g.10gb" is printed as two words; the profile is the second.
std::string profile_field(const std::vector<std::string>& words, std::size_t at,
                          std::string_view command, const numbered_line& line) {
  if (words.at(at) != "MIG") {
    fail(command, line, fmt::format("expected 'MIG <profile>', found '{}'", words.at(at)));
  }
  return words.at(at + 1);
}

struct table_row {
  numbered_line line;
  std::vector<std::string> words;
};

struct table {
  smi_state state = smi_state::ok;
  std::vector<table_row> rows;
};

smi_state stronger(smi_state a, smi_state b) {
  // A permission problem explains every other message, so it wins.
  if (a == smi_state::permission_denied || b == smi_state::permission_denied) {
    return smi_state::permission_denied;
  }
  return a == smi_state::ok ? b : a;
}

/// The boxed tables of `nvidia-smi mig -l...`: '+---+' borders, a header down to the '|===|'
/// line (which must name `title`), then one row per line.
table read_table(std::string_view text, std::string_view command, std::string_view title) {
  table result;
  bool in_body = false;
  bool saw_title = false;
  bool saw_anything = false;
  for (const auto& line : lines_of(text)) {
    const std::string_view content = trim(line.text);
    if (content.empty()) {
      continue;
    }
    saw_anything = true;
    if (content.front() == '+') {
      continue;
    }
    if (content.front() != '|') {
      const smi_state state = classify_message(content);
      if (state == smi_state::ok) {
        fail(command, line, "neither a table line nor a known message");
      }
      result.state = stronger(result.state, state);
      continue;
    }
    if (content.size() < 2 || content.back() != '|') {
      fail(command, line, "a table line must end with '|'");
    }
    const std::string_view inner = trim(content.substr(1, content.size() - 2));
    if (!inner.empty() && inner.find_first_not_of('=') == std::string_view::npos) {
      in_body = true;
      continue;
    }
    if (!in_body) {
      saw_title = saw_title || inner.find(title) != std::string_view::npos;
      continue;
    }
    result.rows.push_back({line, split_words(inner)});
  }
  if (!saw_anything) {
    fail_whole(command, "it printed nothing");
  }
  if (result.state == smi_state::ok && (!saw_title || !in_body)) {
    fail_whole(command, fmt::format("no '{}' table in it", title));
  }
  return result;
}

} // namespace

const char* to_string(smi_state state) {
  switch (state) {
  case smi_state::ok:
    return "ok";
  case smi_state::mig_disabled:
    return "MIG disabled";
  case smi_state::mig_unsupported:
    return "MIG not supported";
  case smi_state::no_instances:
    return "no instances";
  case smi_state::permission_denied:
    return "insufficient permissions";
  }
  return "unknown";
}

smi_state classify_message(std::string_view line) {
  const std::string_view text = trim(line);
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.find("insufficient permissions") != std::string::npos) {
    return smi_state::permission_denied;
  }
  if (lower.rfind("no mig-enabled devices found", 0) == 0) {
    return smi_state::mig_disabled;
  }
  if (lower.rfind("no mig-supported devices found", 0) == 0) {
    return smi_state::mig_unsupported;
  }
  if (lower.rfind("no gpu instances found", 0) == 0 ||
      lower.rfind("no compute instances found", 0) == 0) {
    return smi_state::no_instances;
  }
  return smi_state::ok;
}

gpu_instance_profile_listing parse_gpu_instance_profiles(std::string_view text) {
  const table parsed = read_table(text, lgip_command, "GPU instance profiles:");
  gpu_instance_profile_listing listing;
  listing.state = parsed.state;
  for (const auto& row : parsed.rows) {
    const auto& w = row.words;
    if (w.size() == 10) {
      gpu_instance_profile_row profile;
      profile.gpu = int_field(w[0], "GPU", lgip_command, row.line);
      profile.name = profile_field(w, 1, lgip_command, row.line);
      profile.id = int_field(w[3], "ID", lgip_command, row.line);
      const auto slash = w[4].find('/');
      if (slash == std::string::npos) {
        fail(lgip_command, row.line, fmt::format("instances '{}' is not FREE/TOTAL", w[4]));
      }
      profile.free = int_field(w[4].substr(0, slash), "free instances", lgip_command, row.line);
      profile.total = int_field(w[4].substr(slash + 1), "total instances", lgip_command, row.line);
      char* end = nullptr;
      profile.memory_gib = std::strtod(w[5].c_str(), &end);
      if (end == w[5].c_str() || *end != '\0' || !std::isfinite(profile.memory_gib)) {
        fail(lgip_command, row.line, fmt::format("memory '{}' is not a number of GiB", w[5]));
      }
      profile.p2p = w[6];
      profile.sm = int_field(w[7], "SM", lgip_command, row.line);
      profile.dec = int_field(w[8], "DEC", lgip_command, row.line);
      profile.enc = int_field(w[9], "ENC", lgip_command, row.line);
      listing.profiles.push_back(profile);
    } else if (w.size() == 3 && !listing.profiles.empty() && !listing.profiles.back().ce) {
      // The second line of a profile: CE, JPEG, OFA under SM, DEC, ENC.
      auto& profile = listing.profiles.back();
      profile.ce = int_field(w[0], "CE", lgip_command, row.line);
      profile.jpeg = int_field(w[1], "JPEG", lgip_command, row.line);
      profile.ofa = int_field(w[2], "OFA", lgip_command, row.line);
    } else {
      fail(lgip_command, row.line,
           "expected 'GPU MIG NAME ID FREE/TOTAL GiB P2P SM DEC ENC' or its 'CE JPEG OFA' line");
    }
  }
  return listing;
}

placement_listing parse_gpu_instance_placements(std::string_view text) {
  // "GPU  0 Profile ID 19 Placements: {0,1,2,3,4,5,6}:1" and, for one placement,
  // "GPU  0 Profile ID  5 Placement : {0}:4".
  static const std::regex line_pattern(
      R"(^GPU\s+(\d+)\s+Profile\s+ID\s+(\d+)\s+Placements?\s*:\s*\{([0-9,\s]*)\}\s*:\s*(\d+)$)");
  placement_listing listing;
  bool saw_anything = false;
  for (const auto& line : lines_of(text)) {
    const std::string content(trim(line.text));
    if (content.empty()) {
      continue;
    }
    saw_anything = true;
    std::smatch match;
    if (!std::regex_match(content, match, line_pattern)) {
      const smi_state state = classify_message(content);
      if (state == smi_state::ok) {
        fail(lgipp_command, line,
             "expected 'GPU N Profile ID P Placements: {S,...}:SIZE' or a known message");
      }
      listing.state = stronger(listing.state, state);
      continue;
    }
    profile_placements row;
    row.gpu = int_field(match[1].str(), "GPU", lgipp_command, line);
    row.profile_id = int_field(match[2].str(), "profile ID", lgipp_command, line);
    const int size = int_field(match[4].str(), "size", lgipp_command, line);
    const std::string starts = match[3].str();
    std::size_t at = 0;
    while (at <= starts.size()) {
      const auto comma = starts.find(',', at);
      const std::string_view item = trim(std::string_view(starts).substr(
          at, comma == std::string::npos ? std::string::npos : comma - at));
      if (!item.empty()) {
        row.placements.push_back(
            placement{int_field(item, "placement start", lgipp_command, line), size});
      }
      if (comma == std::string::npos) {
        break;
      }
      at = comma + 1;
    }
    if (row.placements.empty() || size == 0) {
      fail(lgipp_command, line, "a profile without any placement");
    }
    listing.profiles.push_back(std::move(row));
  }
  if (!saw_anything) {
    fail_whole(lgipp_command, "it printed nothing");
  }
  return listing;
}

gpu_instance_listing parse_gpu_instances(std::string_view text) {
  const table parsed = read_table(text, lgi_command, "GPU instances:");
  gpu_instance_listing listing;
  listing.state = parsed.state;
  for (const auto& row : parsed.rows) {
    const auto& w = row.words;
    // GPU, "MIG", profile, profile ID, instance ID, and Start:Size where the driver prints it.
    if (w.size() != 6 && w.size() != 5) {
      fail(lgi_command, row.line, "expected 'GPU MIG NAME PROFILE-ID INSTANCE-ID START:SIZE'");
    }
    gpu_instance instance;
    instance.gpu = int_field(w[0], "GPU", lgi_command, row.line);
    instance.profile = profile_field(w, 1, lgi_command, row.line);
    instance.profile_id = int_field(w[3], "profile ID", lgi_command, row.line);
    instance.id = int_field(w[4], "instance ID", lgi_command, row.line);
    if (w.size() == 6) {
      instance.where = placement_field(w[5], lgi_command, row.line);
    }
    listing.instances.push_back(instance);
  }
  return listing;
}

compute_instance_listing parse_compute_instances(std::string_view text) {
  const table parsed = read_table(text, lci_command, "Compute instances:");
  compute_instance_listing listing;
  listing.state = parsed.state;
  for (const auto& row : parsed.rows) {
    const auto& w = row.words;
    // GPU, GPU instance ID, "MIG", profile, profile ID, instance ID, and Start:Size on R525+.
    if (w.size() != 7 && w.size() != 6) {
      fail(lci_command, row.line,
           "expected 'GPU GI-ID MIG NAME PROFILE-ID INSTANCE-ID [START:SIZE]'");
    }
    compute_instance instance;
    instance.gpu = int_field(w[0], "GPU", lci_command, row.line);
    instance.gpu_instance_id = int_field(w[1], "GPU instance ID", lci_command, row.line);
    instance.profile = profile_field(w, 2, lci_command, row.line);
    instance.profile_id = int_field(w[4], "profile ID", lci_command, row.line);
    instance.id = int_field(w[5], "instance ID", lci_command, row.line);
    if (w.size() == 7) {
      instance.where = placement_field(w[6], lci_command, row.line);
    }
    listing.instances.push_back(instance);
  }
  return listing;
}

std::vector<listed_gpu> parse_gpu_list(std::string_view text) {
  static const std::regex gpu_pattern(R"(^GPU (\d+): (.+) \(UUID: (GPU-[0-9A-Fa-f-]+)\)$)");
  static const std::regex device_pattern(
      R"(^MIG (\S+)\s+Device\s+(\d+): \(UUID: (MIG-[^)\s]+)\)$)");
  // Before R470 a MIG device was named after its GPU and instance IDs.
  static const std::regex old_uuid_pattern(R"(^MIG-GPU-[0-9A-Fa-f-]+/(\d+)/(\d+)$)");
  std::vector<listed_gpu> gpus;
  for (const auto& line : lines_of(text)) {
    const std::string content(trim(line.text));
    if (content.empty() || content == "No devices were found") {
      continue;
    }
    std::smatch match;
    if (std::regex_match(content, match, gpu_pattern)) {
      listed_gpu gpu;
      gpu.index = int_field(match[1].str(), "GPU index", list_command, line);
      gpu.name = match[2].str();
      gpu.uuid = match[3].str();
      gpus.push_back(std::move(gpu));
    } else if (std::regex_match(content, match, device_pattern)) {
      if (gpus.empty()) {
        fail(list_command, line, "a MIG device before any GPU line");
      }
      mig_device device;
      device.gpu = gpus.back().index;
      device.profile = match[1].str();
      device.device_index = int_field(match[2].str(), "device index", list_command, line);
      device.uuid = match[3].str();
      std::smatch ids;
      if (std::regex_match(device.uuid, ids, old_uuid_pattern)) {
        device.gpu_instance_id = std::stoi(ids[1].str());
        device.compute_instance_id = std::stoi(ids[2].str());
      }
      gpus.back().devices.push_back(std::move(device));
    } else {
      fail(list_command, line,
           "expected 'GPU N: NAME (UUID: GPU-...)' or 'MIG PROFILE Device N: (UUID: MIG-...)'");
    }
  }
  return gpus;
}

namespace {

mig_mode_value mode_field(std::string_view word, const numbered_line& line) {
  if (word == "Enabled") {
    return mig_mode_value::enabled;
  }
  if (word == "Disabled") {
    return mig_mode_value::disabled;
  }
  if (word == "[N/A]" || word == "N/A" || word == "[Not Supported]") {
    return mig_mode_value::not_supported;
  }
  fail(query_command, line,
       fmt::format("MIG mode '{}' is none of Enabled, Disabled, [N/A], [Not Supported]", word));
}

} // namespace

std::vector<gpu_mig_mode> parse_mig_mode_query(std::string_view text) {
  std::vector<gpu_mig_mode> gpus;
  for (const auto& line : lines_of(text)) {
    const std::string_view content = trim(line.text);
    if (content.empty() || content == "No devices were found") {
      continue;
    }
    std::vector<std::string_view> fields;
    std::size_t at = 0;
    while (true) {
      const auto comma = content.find(',', at);
      fields.push_back(trim(content.substr(
          at, comma == std::string_view::npos ? std::string_view::npos : comma - at)));
      if (comma == std::string_view::npos) {
        break;
      }
      at = comma + 1;
    }
    if (fields.size() < 5) {
      fail(query_command, line, "expected 'INDEX, NAME, UUID, CURRENT, PENDING'");
    }
    gpu_mig_mode gpu;
    gpu.index = int_field(fields.front(), "index", query_command, line);
    // Names have no commas today; joining keeps a future one from shifting the UUID.
    const std::size_t n = fields.size();
    for (std::size_t i = 1; i + 3 < n; ++i) {
      gpu.name += (i > 1 ? "," : "") + std::string(fields[i]);
    }
    gpu.uuid = std::string(fields[n - 3]);
    if (gpu.uuid.rfind("GPU-", 0) != 0) {
      fail(query_command, line, fmt::format("UUID '{}' does not start with GPU-", gpu.uuid));
    }
    gpu.current = mode_field(fields[n - 2], line);
    gpu.pending = mode_field(fields[n - 1], line);
    gpus.push_back(std::move(gpu));
  }
  return gpus;
}

std::vector<mig_device_row> parse_mig_device_table(std::string_view text) {
  // Only the first cell is read ("GPU GI CI MIG-Dev"): the other columns changed between
  // drivers (memory, BAR1, engines), the first one did not.
  std::vector<mig_device_row> rows;
  bool in_section = false;
  for (const auto& line : lines_of(text)) {
    const std::string_view content = trim(line.text);
    if (!in_section) {
      in_section = content.find("MIG devices:") != std::string_view::npos;
      continue;
    }
    if (content.empty() || (content.front() != '|' && content.front() != '+')) {
      break; // the blank line before "Processes:"
    }
    if (content.front() == '+') {
      continue;
    }
    const auto second_bar = content.find('|', 1);
    const std::string_view cell = content.substr(
        1, second_bar == std::string_view::npos ? std::string_view::npos : second_bar - 1);
    const auto words = split_words(cell);
    const bool numeric = !words.empty() && std::all_of(words.begin(), words.end(), [](auto& w) {
      return to_int(w).has_value();
    });
    if (!numeric) {
      continue; // header, '===' rule, a row's second line, or "No MIG devices found"
    }
    if (words.size() != 4) {
      fail(table_command, line, "expected 'GPU GI CI MIG-DEV' in the first cell");
    }
    rows.push_back({*to_int(words[0]), *to_int(words[1]), *to_int(words[2]), *to_int(words[3])});
  }
  return rows;
}

creation_report parse_creation_output(std::string_view text) {
  static const std::regex gpu_instance_pattern(
      R"(^Successfully created GPU instance ID\s+(\d+) on GPU\s+(\d+) using profile MIG (\S+) \(ID\s+(\d+)\)$)");
  static const std::regex old_gpu_instance_pattern(
      R"(^Successfully created GPU instance on GPU\s+(\d+) using profile ID\s+(\d+)$)");
  static const std::regex compute_instance_pattern(
      R"(^Successfully created compute instance ID\s+(\d+) on GPU\s+(\d+) GPU instance ID\s+(\d+) using profile MIG (\S+) \(ID\s+(\d+)\)$)");
  static const std::regex anonymous_compute_instance_pattern(
      R"(^Successfully created compute instance on GPU\s+(\d+) GPU instance ID\s+(\d+) using profile MIG (\S+) \(ID\s+(\d+)\)$)");
  creation_report report;
  for (const auto& line : lines_of(text)) {
    const std::string content(trim(line.text));
    if (content.empty()) {
      continue;
    }
    std::smatch m;
    if (std::regex_match(content, m, gpu_instance_pattern)) {
      report.gpu_instances.push_back(
          {std::stoi(m[2].str()), std::stoi(m[1].str()), m[3].str(), std::stoi(m[4].str())});
    } else if (std::regex_match(content, m, old_gpu_instance_pattern)) {
      report.gpu_instances.push_back(
          {std::stoi(m[1].str()), std::nullopt, std::string(), std::stoi(m[2].str())});
    } else if (std::regex_match(content, m, compute_instance_pattern)) {
      report.compute_instances.push_back({std::stoi(m[2].str()), std::stoi(m[3].str()),
                                          std::stoi(m[1].str()), m[4].str(),
                                          std::stoi(m[5].str())});
    } else if (std::regex_match(content, m, anonymous_compute_instance_pattern)) {
      report.compute_instances.push_back({std::stoi(m[1].str()), std::stoi(m[2].str()),
                                          std::nullopt, m[3].str(), std::stoi(m[4].str())});
    } else if (content.rfind("Unable to ", 0) == 0 || content.rfind("Failed to ", 0) == 0) {
      report.failures.push_back(content);
    } else {
      report.other.push_back(content);
    }
  }
  return report;
}

namespace {

/// The N of "Ng" in "3g.20gb", "1g.10gb+me": compute slices of a GPU instance profile.
int compute_slices_of(const std::string& name) {
  std::size_t digits = 0;
  while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits])) != 0) {
    ++digits;
  }
  if (digits == 0 || digits > 2 || digits >= name.size() || name[digits] != 'g') {
    return 0;
  }
  return std::stoi(name.substr(0, digits));
}

} // namespace

board_catalog to_board_catalog(const gpu_instance_profile_listing& profiles,
                               const placement_listing& placements, int gpu,
                               const std::string& gpu_name) {
  std::map<int, const profile_placements*> placements_by_id;
  for (const auto& row : placements.profiles) {
    if (row.gpu == gpu) {
      placements_by_id[row.profile_id] = &row;
    }
  }
  board_catalog board;
  board.model = gpu_name.empty() ? fmt::format("GPU {}", gpu) : gpu_name;
  if (!gpu_name.empty()) {
    board.aliases.push_back(gpu_name);
  }
  board.source =
      fmt::format("`nvidia-smi mig -i {0} -lgip` and `nvidia-smi mig -i {0} -lgipp`", gpu);
  board.origin = catalog_source::nvidia_smi;
  board.compute_slices = 0;
  board.memory_slices = 0;
  for (const auto& row : profiles.profiles) {
    if (row.gpu != gpu) {
      continue;
    }
    gpu_instance_profile profile;
    profile.name = row.name;
    profile.id = row.id;
    profile.compute_slices = compute_slices_of(row.name);
    profile.memory_mib = static_cast<std::uint64_t>(std::llround(row.memory_gib * 1024.0));
    profile.sm_count = row.sm;
    profile.max_instances = row.total;
    profile.media_extensions = row.name.find("+me") != std::string::npos;
    const auto found = placements_by_id.find(row.id);
    if (found != placements_by_id.end()) {
      profile.placements = found->second->placements;
      profile.memory_slices = profile.placements.front().size;
    } else {
      board.caveats.push_back(
          fmt::format("`-lgipp` lists no placement for profile {} ({}): it cannot be placed",
                      row.id, row.name));
    }
    if (profile.compute_slices == 0) {
      board.caveats.push_back(
          fmt::format("profile {} ({}): no compute slice count in its name", row.id, row.name));
    }
    board.compute_slices = std::max(board.compute_slices, profile.compute_slices);
    for (const auto& where : profile.placements) {
      board.memory_slices = std::max(board.memory_slices, where.start + where.size);
    }
    board.memory_mib = std::max(board.memory_mib, profile.memory_mib);
    board.profiles.push_back(std::move(profile));
  }
  if (board.profiles.empty()) {
    throw nvidia_smi_output_error(
        fmt::format("`nvidia-smi mig -lgip` lists no GPU instance profile for GPU {}", gpu));
  }
  board.caveats.push_back("board memory is that of its largest GPU instance profile, as "
                          "`-lgip` reports it");
  return board;
}

} // namespace gpushare::mig
