// The Markdown, CSV and HTML of `gpushare-bench report`: their numbers are the record values
// in the documented formats, text from the reports is escaped, the page needs no script, and
// several files appear side by side. Documents are written figures, not measurements.

#include "report/console_table.hpp"
#include "report/report_csv.hpp"
#include "report/report_html.hpp"
#include "report/report_markdown.hpp"
#include "report/report_model.hpp"
#include "report/svg_chart.hpp"
#include "report_samples.hpp"
#include "sample_records.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gpushare::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string host_label = report::host_only_label;
/// As Markdown shows it: "host-\* test instrument, ...".
const std::string host_label_markdown = report::escape_markdown(report::host_only_label);

report::report_model model_of(const std::vector<report_document>& documents) {
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    paths.push_back(fmt::format("gpu{}.json", i));
  }
  return report::build_report_model(documents, paths);
}

std::string csv_named(const report::report_model& model, const std::string& name) {
  for (const auto& [file, contents] : report::render_report_csv(model)) {
    if (file == name) {
      return contents;
    }
  }
  ADD_FAILURE() << name << " not rendered";
  return "";
}

TEST(ReportMarkdown, MatrixAndFiguresCarryTheRecordValues) {
  const report_document document = make_sharing_document();
  const std::string markdown = report::render_report_markdown(model_of({document}));
  const run_record& two = document.runs[3];
  const run_record& four = document.runs[2];
  // The matrix row: median slowdown and tenant range in format_ratio, per tenant count.
  EXPECT_THAT(markdown,
              HasSubstr(fmt::format("| timeslice | gemm:dtype=fp16,k=4096,m=4096,n=4096 | "
                                    "{} [{}, {}] | {} [{}, {}] (throttled) |",
                                    report::format_ratio(1.95), report::format_ratio(1.9),
                                    report::format_ratio(2.0), report::format_ratio(4.1),
                                    report::format_ratio(3.8), report::format_ratio(4.4))));
  EXPECT_THAT(markdown, HasSubstr("| 2 tenants | 4 tenants |"));
  // The figures row of the 4-tenant run, every aggregate as the console formats it.
  EXPECT_THAT(markdown,
              HasSubstr(fmt::format(
                  "| 4/4 ok | {} [{}, {}] | {} | {} | - | {} | {} | - | throttled |",
                  report::format_ratio(4.1), report::format_ratio(3.8), report::format_ratio(4.4),
                  report::format_percent(*four.aggregate.mechanism_overhead),
                  report::format_ratio(*four.aggregate.throughput_ratio),
                  report::format_significant(*four.aggregate.fairness, 3),
                  report::format_duration_us(*four.aggregate.start_skew_us))));
  EXPECT_THAT(markdown, HasSubstr(report::format_ratio(*two.aggregate.throughput_ratio)));
  EXPECT_THAT(markdown, HasSubstr("| " + report::format_ratio(3.25) + " |"))
      << "the infer tenant's p99 inflation";
  // Per-mode tenant tables and the streams table.
  EXPECT_THAT(markdown, HasSubstr("### mps: tenants"));
  EXPECT_THAT(markdown, HasSubstr(fmt::format(
                            "| {} | {} | {} |", report::format_duration_us(1500),
                            report::format_duration_us(1500 * 4.4),
                            report::format_duration_us(four.tenants[3].shared->latency_us.p99))));
  EXPECT_THAT(markdown, HasSubstr("| kernel overlap | 8 | 7.14x | 8.00x | 89.3 % |"));
  EXPECT_THAT(markdown, HasSubstr("GEMM peak (fp16) | 700 TFLOP/s"));
  EXPECT_THAT(markdown, Not(HasSubstr("host-\\* test instrument")));
}

TEST(ReportMarkdown, HostOnlyFilesCarryTheBannerAndEscapedText) {
  report_document document = make_full_document();
  document.host.hostname = "R&D|lab_<1>";
  const std::string markdown = report::render_report_markdown(model_of({document}));
  EXPECT_THAT(markdown, HasSubstr("R&amp;D\\|lab\\_&lt;1&gt;"));
  EXPECT_THAT(markdown, Not(HasSubstr("R&D|")));
  // The timeslice run mixes gemm with a host-sleep tenant: its cell says so.
  EXPECT_THAT(markdown, HasSubstr("host-\\* test instrument, not a GPU figure"));
  EXPECT_THAT(markdown, HasSubstr("- mps (failed): nvidia-cuda-mps-control not found"));
}

TEST(ReportMarkdown, TenantTextStaysOnOneLineAndMakesNoLink) {
  // A daemon's log tail in an error, a tenant's failure with a link or an image in it.
  EXPECT_EQ(report::escape_markdown("cannot start:\n[control.log]\r\nfailed ![x](http://h/i)"),
            "cannot start: \\[control.log\\]  failed !\\[x\\](http://h/i)");
}

TEST(ReportMarkdown, IsolationMatrixEvidenceAndClaims) {
  const report_document document = make_full_document();
  const std::string markdown = report::render_report_markdown(model_of({document}));
  EXPECT_THAT(markdown, HasSubstr("### Isolation matrix\n"));
  EXPECT_THAT(markdown, HasSubstr("| mechanism | memory | fault | latency | compute |\n"
                                  "|---|---|---|---|---|\n"
                                  "| timeslice | - | isolated, victims\\_kept\\_running 1 (" +
                                  host_label_markdown + ") | - | - |\n"))
      << "the host-* cell is labelled as a test instrument";
  EXPECT_THAT(markdown,
              HasSubstr("| mps | none, hog\\_held\\_bytes " +
                        report::format_bytes(76'235'669'504ull) + " | none, recovery\\_ms " +
                        report::format_duration_us(850.5e3) + " | - | - |\n"));
  EXPECT_THAT(markdown, HasSubstr("| mps-limited | - | - | partial, victim\\_p99\\_inflation " +
                                  report::format_ratio(3.25) + " | - |\n"));
  EXPECT_THAT(markdown,
              HasSubstr("| mig | isolated, hog\\_held\\_bytes " +
                        report::format_bytes(10'200'547'328ull) + " | - | - | untested |"));
  // The evidence list: every cell with its rule, figures and processes.
  const isolation_cell& fault = document.runs[8].isolation->cells[1];
  EXPECT_THAT(markdown, HasSubstr("- **mps, fault: none** (run isolation): " + fault.evidence));
  EXPECT_THAT(markdown, HasSubstr("  - rule: " + fault.rule + "\n"));
  EXPECT_THAT(markdown, HasSubstr("  - figures: recovery\\_ms 851 ms, victims\\_failed 1\n"));
  EXPECT_THAT(markdown, HasSubstr("  - probe tenant 2 triad:n=1048576: ok\n"));
  EXPECT_THAT(markdown,
              HasSubstr("  - MPS recovery: a new client ran 851 ms after the last tenant exited"));
  EXPECT_THAT(markdown, HasSubstr("- **timeslice, fault: isolated** (run isolation), " +
                                  host_label_markdown + ": "));
  EXPECT_THAT(markdown,
              HasSubstr("| mechanism | property | claim | source | claim holds on this card: yes "
                        "/ no / untested | basis |"));
  EXPECT_THAT(markdown, HasSubstr("| mps-limited | latency | bounded by the thread limit | vendor "
                                  "talk | no | victim\\_p99\\_inflation 3.25x, above the 1.5x "
                                  "bound |"));
  EXPECT_THAT(markdown, HasSubstr("| mps | overhead | ~10-15% | conference talk | untested |"));

  EXPECT_THAT(report::render_report_markdown(model_of({make_sharing_document()})),
              Not(HasSubstr("Isolation")))
      << "no isolation run, no section";
}

TEST(ReportCsv, FieldsAreQuotedAsRfc4180Requires) {
  EXPECT_EQ(report::csv_field("plain"), "plain");
  EXPECT_EQ(report::csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(report::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(report::csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(report::csv_number(std::nullopt), "");
  EXPECT_EQ(report::csv_number(0.1), "0.1");
}

TEST(ReportCsv, MatrixRowsHoldTheFiguresAtFullPrecision) {
  const report_document document = make_sharing_document();
  const std::string csv = csv_named(model_of({document}), "matrix.csv");
  const std::string label = "\"NVIDIA H100 80GB HBM3, driver 580.95.05, node-17\"";
  EXPECT_THAT(csv, HasSubstr("source,file,mode,workloads,tenants,tenants_ok,slowdown,"));
  EXPECT_THAT(csv,
              HasSubstr(label + ",gpu0.json,timeslice,\"gemm:dtype=fp16,k=4096,m=4096,n=4096\""))
      << "the label and the workload spec hold commas and must be quoted";
  EXPECT_THAT(csv, HasSubstr("\"gemm:dtype=fp16,k=4096,m=4096,n=4096\",4,4,4.1,3.8,4.4,0.025,"
                             "0.976,,0.97,1250,,throttled,"));
  EXPECT_THAT(csv, HasSubstr(",2,2,1.5,1.5,1.5,,1.33,3.25,0.95,40,,,"));
  EXPECT_NE(csv.find("\r\n"), std::string::npos);
  const std::string tenants = csv_named(model_of({document}), "tenants.csv");
  // Full precision: the shared median is 1500 * 4.4 as the record holds it, not rounded.
  const workload_result& shared = *document.runs[2].tenants[3].shared;
  EXPECT_THAT(tenants, HasSubstr(fmt::format(",ok,1500,{},{},", shared.iteration_time_us.median,
                                             shared.latency_us.p99)));
  EXPECT_THAT(csv_named(model_of({document}), "streams.csv"),
              HasSubstr("kernel overlap,8,7.143,8"));
  EXPECT_THAT(csv_named(model_of({document}), "latency_cdf.csv"), HasSubstr(",1,false\r\n"));
}

TEST(ReportCsv, IsolationCellsAndClaimsAtFullPrecision) {
  const auto model = model_of({make_full_document()});
  const std::string cells = csv_named(model, "isolation.csv");
  EXPECT_THAT(cells, HasSubstr("source,file,run,mechanism,property,verdict,key_figure,key_value,"
                               "host_only,figures,recovery_ms,flags,rule,evidence\r\n"));
  EXPECT_THAT(cells, HasSubstr(",gpu0.json,isolation,mps,memory,none,hog_held_bytes,76235669504,"
                               "false,hog_held_bytes=76235669504;victim_allocation_failed=1,,,"));
  EXPECT_THAT(cells, HasSubstr(",mps,fault,none,recovery_ms,850.5,false,"
                               "recovery_ms=850.5;victims_failed=1,850.5,,"));
  EXPECT_THAT(cells, HasSubstr(",timeslice,fault,isolated,victims_kept_running,1,true,"
                               "victims_kept_running=1,,host_instruments_only,"));
  EXPECT_THAT(cells, HasSubstr(",mig,compute,untested,,,false,,,,"));
  EXPECT_THAT(cells, HasSubstr(",the hog held 71.0 GiB; the victim's allocation of 1 GiB failed "
                               "with cudaErrorMemoryAllocation\r\n"))
      << "the evidence last, whole";
  const std::string claims = csv_named(model, "isolation_claims.csv");
  EXPECT_THAT(claims, HasSubstr("source,file,run,mechanism,property,claim,claim_source,holds,"
                                "basis\r\n"));
  EXPECT_THAT(claims, HasSubstr(",gpu0.json,isolation,mps,overhead,~10-15%,conference talk,"
                                "untested,not measured by this run\r\n"));
  EXPECT_THAT(claims, HasSubstr(",mps,memory,none between clients,\"NVIDIA MPS documentation, "
                                "2.3.3\",yes,"));
  EXPECT_EQ(csv_named(model_of({make_sharing_document()}), "isolation.csv"),
            "source,file,run,mechanism,property,verdict,key_figure,key_value,host_only,figures,"
            "recovery_ms,flags,rule,evidence\r\n")
      << "the header alone when no file has an isolation run";
}

TEST(ReportHtml, SelfContainedWithChartsAndNoScript) {
  const std::string html = report::render_report_html(model_of({make_sharing_document()}));
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  for (const char* fetch : {"src=", "href=", "<link", "@import", "url("}) {
    EXPECT_THAT(html, Not(HasSubstr(fetch))) << "the page must load nothing";
  }
  for (const char* title :
       {"Slowdown against tenant count", "Stream overlap speedup", "Latency CDF", "Roofline"}) {
    EXPECT_THAT(html, HasSubstr(title));
  }
  std::size_t charts = 0;
  for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) {
    ++charts;
  }
  EXPECT_GE(charts, 4u);
  EXPECT_THAT(html,
              HasSubstr("<td class=\"num\">" + report::format_ratio(1.95) + " [" +
                        report::format_ratio(1.9) + ", " + report::format_ratio(2.0) + "]</td>"));
}

TEST(ReportHtml, TextFromReportsIsEscaped) {
  report_document document = make_sharing_document();
  document.host.hostname = "R&D <lab> \"7\"";
  document.environment.gpus[0].name = "GPU & <b>bold</b>";
  const std::string html = report::render_report_html(model_of({document}));
  EXPECT_THAT(html, HasSubstr("GPU &amp; &lt;b&gt;bold&lt;/b&gt;"));
  EXPECT_THAT(html, HasSubstr("R&amp;D &lt;lab&gt; &quot;7&quot;"));
  EXPECT_THAT(html, Not(HasSubstr("<b>bold")));
  EXPECT_THAT(html, Not(HasSubstr("R&D")));
}

TEST(ReportHtml, SeveralFilesSideBySide) {
  report_document h100 = make_sharing_document();
  report_document a100 = make_sharing_document();
  a100.environment.gpus[0].name = "NVIDIA A100-SXM4-80GB";
  a100.runs[3].tenants[0].slowdown = 2.2;
  a100.runs[3].tenants[1].slowdown = 2.4;
  const auto model = model_of({h100, a100});
  const std::string html = report::render_report_html(model);
  EXPECT_THAT(html, HasSubstr("Side by side: median slowdown"));
  EXPECT_THAT(html, HasSubstr("<th>NVIDIA H100 80GB HBM3, driver 580.95.05, node-17</th>"
                              "<th>NVIDIA A100-SXM4-80GB, driver 580.95.05, node-17</th>"));
  EXPECT_THAT(html,
              HasSubstr("<td class=\"num\">" + report::format_ratio(1.95) + " [" +
                        report::format_ratio(1.9) + ", " + report::format_ratio(2.0) +
                        "]</td><td class=\"num\">" + report::format_ratio(2.3) + " [" +
                        report::format_ratio(2.2) + ", " + report::format_ratio(2.4) + "]</td>"));
  const std::string markdown = report::render_report_markdown(model);
  EXPECT_THAT(markdown, HasSubstr("| timeslice | gemm:dtype=fp16,k=4096,m=4096,n=4096 | 2 | " +
                                  report::format_ratio(1.95)));
  EXPECT_THAT(markdown, HasSubstr("## NVIDIA A100-SXM4-80GB, driver 580.95.05, node-17"));
  const std::string csv = csv_named(model, "matrix.csv");
  EXPECT_THAT(csv, HasSubstr("gpu1.json,timeslice,\"gemm:dtype=fp16,k=4096,m=4096,n=4096\",2,2,"
                             "2.3,2.2,2.4,"));
}

TEST(ReportHtml, IsolationMatrixSideBySideAndEscaped) {
  report_document h100 = make_full_document();
  report_document a100 = make_full_document();
  a100.environment.gpus[0].name = "NVIDIA A100-SXM4-80GB";
  isolation_cell& latency = a100.runs[8].isolation->cells[2];
  latency.verdict = "isolated";
  latency.figures["victim_p99_inflation"] = 1.2;
  latency.evidence = "p99 <b>steady</b> & calm";
  a100.runs[8].isolation->cells.pop_back(); // no timeslice fault cell on this one
  const auto model = model_of({h100, a100});

  const std::string html = report::render_report_html(model);
  EXPECT_THAT(html, HasSubstr("<h2>Side by side: isolation verdicts</h2>"));
  EXPECT_THAT(html, HasSubstr("<tr><td class=\"key\">mps-limited</td><td class=\"key\">latency"
                              "</td><td><span class=\"verdict-partial\">partial</span><span "
                              "class=\"figure\">victim_p99_inflation 3.25x</span></td><td><span "
                              "class=\"verdict-isolated\">isolated</span><span class=\"figure\">"
                              "victim_p99_inflation 1.20x</span></td></tr>"));
  EXPECT_THAT(html, HasSubstr("<td class=\"key\">timeslice</td><td class=\"key\">fault</td><td>"
                              "<span class=\"verdict-isolated\">isolated</span><span class=\""
                              "figure\">victims_kept_running 1</span><span class=\"flags\">" +
                              host_label + "</span></td><td>-</td></tr>"))
      << "a source without the cell shows -";
  EXPECT_THAT(html, HasSubstr("<h3>Isolation matrix</h3>"));
  EXPECT_THAT(html, HasSubstr("claim holds on this card: yes / no / untested"));
  EXPECT_THAT(html, HasSubstr("p99 &lt;b&gt;steady&lt;/b&gt; &amp; calm"));
  EXPECT_THAT(html, Not(HasSubstr("<b>steady")));

  const std::string markdown = report::render_report_markdown(model);
  EXPECT_THAT(markdown, HasSubstr("## Side by side: isolation verdicts\n"));
  EXPECT_THAT(markdown, HasSubstr("| mps-limited | latency | partial, victim\\_p99\\_inflation "
                                  "3.25x | isolated, victim\\_p99\\_inflation 1.20x |"));
  const std::string csv = csv_named(model, "isolation.csv");
  EXPECT_THAT(csv, HasSubstr(",gpu1.json,isolation,mps-limited,latency,isolated,"
                             "victim_p99_inflation,1.2,false,"));
  EXPECT_THAT(report::render_report_html(model_of({h100})), Not(HasSubstr("Side by side")))
      << "one file: nothing side by side";
}

TEST(ReportHtml, HostOnlyFilesAreLabelledEverywhere) {
  const report_document document = make_host_only_document();
  const std::string html = report::render_report_html(model_of({document}));
  EXPECT_THAT(html, HasSubstr("<div class=\"banner\">"));
  // The banner, the source list, the matrix flags, every chart note and legend.
  std::size_t labels = 0;
  for (auto at = html.find(report::host_only_label); at != std::string::npos;
       at = html.find(report::host_only_label, at + 1)) {
    ++labels;
  }
  EXPECT_GE(labels, 6u);
}

TEST(SvgChart, EscapesTextAndSaysNoDataWhenEmpty) {
  report::chart_spec chart;
  chart.title = "a < b & c";
  chart.data.push_back({"tenant \"0\"", {{1, 2}, {2, 3}}, false, false});
  const std::string svg = report::render_svg_chart(chart);
  EXPECT_THAT(svg, HasSubstr("a &lt; b &amp; c"));
  EXPECT_THAT(svg, HasSubstr("tenant &quot;0&quot;"));
  EXPECT_THAT(svg, HasSubstr("<polyline"));
  EXPECT_EQ(report::escape_xml("'&'"), "&#39;&amp;&#39;");

  report::chart_spec empty;
  empty.title = "nothing";
  empty.log_x = true;
  empty.data.push_back({"negative on a log axis", {{-1, 2}}, false, false});
  const std::string none = report::render_svg_chart(empty);
  EXPECT_THAT(none, HasSubstr("no data"));
  EXPECT_THAT(none, Not(HasSubstr("<circle")));
}

} // namespace
} // namespace gpushare::test
