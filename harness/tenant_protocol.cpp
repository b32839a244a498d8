#include "harness/tenant_protocol.hpp"

#include <fmt/format.h>

#include <sstream>
#include <stdexcept>

namespace gpushare {
namespace {

std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  return text;
}

/// Splits "key rest of line" into key and rest.
std::pair<std::string, std::string> split_key(const std::string& line) {
  const auto space = line.find(' ');
  if (space == std::string::npos) {
    return {line, ""};
  }
  return {line.substr(0, space), line.substr(space + 1)};
}

template <typename... T>
void read_fields(const std::string& key, const std::string& text, T&... fields) {
  std::istringstream in(text);
  in.imbue(std::locale::classic());
  (in >> ... >> fields);
  if (in.fail()) {
    throw std::runtime_error(fmt::format("tenant protocol: malformed '{}' line: {}", key, text));
  }
}

} // namespace

std::string encode_tenant_result(const workload_result& result) {
  std::string out = "result-begin\n";
  out += fmt::format("workload {}\n", one_line(result.workload));
  out += fmt::format("description {}\n", one_line(result.description));
  out += fmt::format("host_only {}\n", result.host_only ? 1 : 0);
  const verification_result& v = result.verification;
  out += fmt::format("verification {} {} {} {:.17g} {:.17g}\n", v.checked ? 1 : 0, v.passed ? 1 : 0,
                     v.elements_checked, v.max_abs_error, v.tolerance);
  out += fmt::format("verification_detail {}\n", one_line(v.detail));
  out +=
      fmt::format("work {:.17g} {:.17g}\n", result.flops_per_iteration, result.bytes_per_iteration);
  out += fmt::format("iterations {}\n", result.iterations);
  out += fmt::format("first_start_ns {}\n", result.first_iteration_start_ns);
  for (std::size_t i = 0; i < result.repetition_iteration_time_us.size(); ++i) {
    out += fmt::format("repetition {:.17g} {:.17g}\n", result.repetition_iteration_time_us[i],
                       result.repetition_throughput_per_s.at(i));
  }
  const histogram_state h = result.histogram.state();
  out += fmt::format("histogram {} {} {} {:.17g} {:.17g}\n", h.count, h.min_ns, h.max_ns, h.mean_ns,
                     h.m2);
  for (const auto& [index, count] : h.buckets) {
    out += fmt::format("bucket {} {}\n", index, count);
  }
  if (result.spin_trace) {
    const run_segment_trace& trace = *result.spin_trace;
    out += fmt::format("spin_trace {} {} {}\n", trace.gap_threshold_ns, trace.dropped,
                       trace.segments.size());
    for (const run_segment& segment : trace.segments) {
      out += fmt::format("segment {} {} {} {}\n", segment.start_ns, segment.end_ns,
                         segment.after_gap ? 1 : 0, segment.before_gap ? 1 : 0);
    }
  }
  if (result.memory_hold) {
    const memory_hold_record& hold = *result.memory_hold;
    // The error text goes last: it is free text with spaces, and may be empty.
    out += fmt::format("memory_hold {} {} {} {} {} {}\n", hold.bytes_requested, hold.bytes_target,
                       hold.bytes_held, hold.chunk_bytes, hold.free_bytes_before,
                       one_line(hold.allocation_error));
  }
  out += "result-end\n";
  return out;
}

std::string encode_tenant_error(const std::string& message) {
  return "error " + one_line(message) + "\n";
}

void tenant_message_reader::feed(std::string_view bytes) {
  m_buffer.append(bytes);
}

std::optional<std::string> tenant_message_reader::next_line() {
  const auto newline = m_buffer.find('\n');
  if (newline == std::string::npos) {
    return std::nullopt;
  }
  std::string line = m_buffer.substr(0, newline);
  m_buffer.erase(0, newline + 1);
  return line;
}

void tenant_message_reader::parse_result_line(const std::string& line) {
  const auto [key, rest] = split_key(line);
  workload_result& r = m_result;
  if (key == "workload") {
    r.workload = rest;
  } else if (key == "description") {
    r.description = rest;
  } else if (key == "host_only") {
    int flag = 0;
    read_fields(key, rest, flag);
    r.host_only = flag != 0;
  } else if (key == "verification") {
    int checked = 0;
    int passed = 0;
    read_fields(key, rest, checked, passed, r.verification.elements_checked,
                r.verification.max_abs_error, r.verification.tolerance);
    r.verification.checked = checked != 0;
    r.verification.passed = passed != 0;
  } else if (key == "verification_detail") {
    r.verification.detail = rest;
  } else if (key == "work") {
    read_fields(key, rest, r.flops_per_iteration, r.bytes_per_iteration);
  } else if (key == "iterations") {
    read_fields(key, rest, r.iterations);
  } else if (key == "first_start_ns") {
    read_fields(key, rest, r.first_iteration_start_ns);
  } else if (key == "repetition") {
    double time_us = 0;
    double throughput = 0;
    read_fields(key, rest, time_us, throughput);
    r.repetition_iteration_time_us.push_back(time_us);
    r.repetition_throughput_per_s.push_back(throughput);
  } else if (key == "histogram") {
    read_fields(key, rest, m_histogram.count, m_histogram.min_ns, m_histogram.max_ns,
                m_histogram.mean_ns, m_histogram.m2);
  } else if (key == "bucket") {
    std::size_t index = 0;
    std::uint64_t count = 0;
    read_fields(key, rest, index, count);
    m_histogram.buckets.emplace_back(index, count);
  } else if (key == "spin_trace") {
    if (r.spin_trace) {
      throw std::runtime_error("tenant protocol: a second 'spin_trace' line in one result");
    }
    run_segment_trace trace;
    read_fields(key, rest, trace.gap_threshold_ns, trace.dropped, m_segments_announced);
    r.spin_trace = std::move(trace);
  } else if (key == "segment") {
    if (!r.spin_trace) {
      throw std::runtime_error("tenant protocol: a 'segment' line before 'spin_trace'");
    }
    run_segment segment;
    int after_gap = 0;
    int before_gap = 0;
    read_fields(key, rest, segment.start_ns, segment.end_ns, after_gap, before_gap);
    segment.after_gap = after_gap != 0;
    segment.before_gap = before_gap != 0;
    r.spin_trace->segments.push_back(segment);
  } else if (key == "memory_hold") {
    if (r.memory_hold) {
      throw std::runtime_error("tenant protocol: a second 'memory_hold' line in one result");
    }
    memory_hold_record hold;
    std::istringstream in(rest);
    in.imbue(std::locale::classic());
    in >> hold.bytes_requested >> hold.bytes_target >> hold.bytes_held >> hold.chunk_bytes >>
        hold.free_bytes_before;
    if (in.fail()) {
      throw std::runtime_error("tenant protocol: malformed 'memory_hold' line: " + rest);
    }
    std::getline(in, hold.allocation_error);
    if (!hold.allocation_error.empty() && hold.allocation_error.front() == ' ') {
      hold.allocation_error.erase(0, 1);
    }
    r.memory_hold = std::move(hold);
  } else {
    throw std::runtime_error("tenant protocol: unexpected line in a result: " + line);
  }
}

std::optional<tenant_message> tenant_message_reader::next() {
  while (auto line = next_line()) {
    if (m_in_result) {
      if (*line != "result-end") {
        parse_result_line(*line);
        continue;
      }
      m_in_result = false;
      // A count that does not match means lines were lost; a trace with holes would show
      // gaps that never happened.
      if (m_result.spin_trace && m_result.spin_trace->segments.size() != m_segments_announced) {
        throw std::runtime_error(
            fmt::format("tenant protocol: 'spin_trace' announced {} segments, {} arrived",
                        m_segments_announced, m_result.spin_trace->segments.size()));
      }
      tenant_message message;
      message.what = tenant_message::kind::result;
      message.result = std::move(m_result);
      message.result.histogram = latency_histogram::from_state(m_histogram);
      message.result.latency_us = summarize_latency(message.result.histogram);
      if (!message.result.repetition_iteration_time_us.empty()) {
        message.result.iteration_time_us =
            summarize(message.result.repetition_iteration_time_us, m_noise_threshold);
        message.result.throughput_per_s =
            summarize(message.result.repetition_throughput_per_s, m_noise_threshold);
      }
      m_result = {};
      m_histogram = {};
      m_segments_announced = 0;
      return message;
    }
    tenant_message message;
    if (*line == tenant_ready_line) {
      message.what = tenant_message::kind::ready;
      return message;
    }
    if (*line == "result-begin") {
      m_in_result = true;
      continue;
    }
    const auto [key, rest] = split_key(*line);
    if (key == "error") {
      message.what = tenant_message::kind::error;
      message.error = rest;
      return message;
    }
    throw std::runtime_error("tenant protocol: unexpected line: " + *line);
  }
  return std::nullopt;
}

} // namespace gpushare
