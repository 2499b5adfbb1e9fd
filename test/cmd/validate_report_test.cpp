#include "mgw/cmd/validate_report.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace mgw {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

ObjectResult Checked(std::string name, FieldErrors errors = {},
                     std::vector<std::string> warnings = {}) {
  ObjectResult r;
  r.file = "dir/mg.yaml";
  r.line = 3;
  r.api_version = "operator.openshift.io/v1alpha1";
  r.kind = "MustGather";
  r.namespace_ = "team-a";
  r.name = std::move(name);
  r.checked = true;
  r.errors = std::move(errors);
  r.warnings = std::move(warnings);
  return r;
}

ObjectResult Skipped(std::string kind, std::string reason) {
  ObjectResult r;
  r.file = "dir/other.yaml";
  r.line = 1;
  r.api_version = "v1";
  r.kind = std::move(kind);
  r.name = "x";
  r.skip_reason = std::move(reason);
  return r;
}

FieldError PolicyError() {
  FieldError e = Forbidden("spec.mustGatherImage", "not allowed");
  e.kind = FindingKind::kPolicy;
  e.reason = std::string(kReasonInvalidImage);
  return e;
}

TEST(ValidateReportTest, ObjectIdForms) {
  ObjectResult r = Checked("mg");
  EXPECT_EQ(ObjectId(r), "MustGather/team-a/mg");
  r.namespace_.clear();
  EXPECT_EQ(ObjectId(r), "MustGather/mg");
  r.name.clear();
  r.generate_name = "nightly-";
  EXPECT_EQ(ObjectId(r), "MustGather/nightly-*");
  r.generate_name.clear();
  r.kind.clear();
  EXPECT_EQ(ObjectId(r), "<no kind>/<unnamed>");
}

TEST(ValidateReportTest, SummaryAndExitCode) {
  ValidateReport report;
  report.objects = {Checked("ok"), Checked("warned", {}, {"w"}),
                    Checked("bad", {Required("spec.storage")}), Skipped("ConfigMap", "kind")};
  ReportSummary s = Summarize(report);
  EXPECT_EQ(s.checked, 3u);
  EXPECT_EQ(s.rejected, 1u);
  EXPECT_EQ(s.skipped, 1u);
  EXPECT_EQ(s.warnings, 1u);
  EXPECT_EQ(ExitCode(report), 1);

  report.strict = true;
  EXPECT_EQ(Summarize(report).rejected, 2u);

  report.objects = {Checked("ok"), Skipped("ConfigMap", "kind")};
  EXPECT_EQ(ExitCode(report), 0);
  report.input_errors.push_back({"f", "f:1:1: bad"});
  EXPECT_EQ(ExitCode(report), 2);  // wins over everything
  report.objects.push_back(Checked("bad", {Required("spec.storage")}));
  EXPECT_EQ(ExitCode(report), 2);
}

TEST(ValidateReportTest, TextBlocksUseTheWebhookHeadlines) {
  ValidateReport report;
  report.objects = {Checked("ok"), Checked("bad", {Required("spec.storage", "set it")}, {"w1"}),
                    Checked("policy", {PolicyError()}), Skipped("ConfigMap", "kind ConfigMap")};
  EXPECT_EQ(RenderText(report),
            "dir/mg.yaml:3: MustGather/team-a/bad: MustGather \"bad\" is invalid\n"
            "  * spec.storage: Required value: set it\n"
            "  warning: w1\n"
            "dir/mg.yaml:3: MustGather/team-a/policy: MustGather \"policy\" is forbidden\n"
            "  * spec.mustGatherImage: Forbidden: not allowed\n"
            "3 checked, 2 rejected, 1 skipped\n");
}

TEST(ValidateReportTest, TextWarningsAndStrict) {
  ValidateReport report;
  report.objects = {Checked("warned", {}, {"spec.images[1]: listed twice"})};
  EXPECT_EQ(RenderText(report),
            "dir/mg.yaml:3: MustGather/team-a/warned: allowed with 1 warning\n"
            "  warning: spec.images[1]: listed twice\n"
            "1 checked, 0 rejected, 0 skipped\n");
  report.strict = true;
  EXPECT_EQ(RenderText(report),
            "dir/mg.yaml:3: MustGather/team-a/warned: 1 warning, which --strict treats as errors\n"
            "  warning: spec.images[1]: listed twice\n"
            "1 checked, 1 rejected, 0 skipped\n");
}

TEST(ValidateReportTest, TextNotesOurKindsInAForeignGroupAndCountsInputErrors) {
  ValidateReport report;
  report.objects = {Skipped("MustGather", "apiVersion \"v1\" is not in group x")};
  report.input_errors = {{"a", "a: nope"}, {"b", "b: nope"}};
  EXPECT_EQ(RenderText(report),
            "dir/other.yaml:1: MustGather/x: skipped: apiVersion \"v1\" is not in group x\n"
            "0 checked, 0 rejected, 1 skipped, 2 input errors\n");
}

TEST(ValidateReportTest, JsonCarriesEveryFieldAndSurvivesBadUtf8) {
  ValidateReport report;
  report.allowlist = "a.yaml:1";
  report.objects = {Checked("bad\xFF", {Invalid("spec.x", json("v\xFE"), "d")}, {"w"}),
                    Skipped("ConfigMap", "kind ConfigMap is not checked")};
  report.objects[0].item_index = 2;
  report.input_errors = {{"f.yaml", "f.yaml:1:2: oops"}};
  json j = json::parse(RenderJson(report));
  const json& r = j["results"][0];
  EXPECT_EQ(r["name"], "bad\xEF\xBF\xBD");
  EXPECT_EQ(r["item"], 2);
  EXPECT_EQ(r["allowed"], false);
  EXPECT_EQ(r["passed"], false);
  EXPECT_EQ(r["errors"][0]["type"], "FieldValueInvalid");
  EXPECT_EQ(r["errors"][0]["field"], "spec.x");
  EXPECT_EQ(r["errors"][0]["reason"], "ValidationFailed");
  EXPECT_EQ(r["warnings"], json::array({"w"}));
  EXPECT_EQ(j["skipped"][0]["reason"], "kind ConfigMap is not checked");
  EXPECT_EQ(j["inputErrors"][0]["message"], "f.yaml:1:2: oops");
  EXPECT_EQ(j["summary"], json::parse(R"({"checked":1,"rejected":1,"skipped":1,"warnings":1,
                                          "inputErrors":1,"exitCode":2})"));
  EXPECT_EQ(j["allowlist"], "a.yaml:1");
}

TEST(ValidateReportTest, JunitEscapesEverything) {
  ValidateReport report;
  report.files = {"dir/a&b.yaml"};
  ObjectResult r = Checked("x", {Invalid("spec.y", json("<\"'&>"), "bad \x01 byte \xC3\x28")});
  r.file = "dir/a&b.yaml";
  report.objects = {r};
  std::string xml = RenderJunit(report);
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"dir/a&amp;b.yaml\" tests=\"1\" failures=\"1\""));
  EXPECT_THAT(xml, HasSubstr("message=\"MustGather &quot;x&quot; is invalid\" type=\"Invalid\">"));
  EXPECT_THAT(xml, HasSubstr("Invalid value: \"&lt;\\\"'&amp;&gt;\": bad \xEF\xBF\xBD byte "
                             "\xEF\xBF\xBD("));
  EXPECT_THAT(xml, Not(HasSubstr("\x01")));
}

TEST(ValidateReportTest, JunitSuitesPerFileWithSkipsErrorsAndWarnings) {
  ValidateReport report;
  report.files = {"dir/mg.yaml", "dir/other.yaml", "broken.yaml"};
  report.objects = {Checked("ok"), Checked("warned", {}, {"w <1>"}),
                    Skipped("ConfigMap", "kind ConfigMap is not checked")};
  report.input_errors = {{"broken.yaml", "broken.yaml:2:3: illegal map value"}};
  EXPECT_EQ(
      RenderJunit(report),
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"mustgather-webhook validate\" tests=\"4\" failures=\"0\" errors=\"1\" "
      "skipped=\"1\">\n"
      "  <testsuite name=\"dir/mg.yaml\" tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"0\">\n"
      "    <testcase name=\"MustGather/team-a/ok\" classname=\"dir/mg.yaml\" file=\"dir/mg.yaml\" "
      "line=\"3\"/>\n"
      "    <testcase name=\"MustGather/team-a/warned\" classname=\"dir/mg.yaml\" "
      "file=\"dir/mg.yaml\" line=\"3\">\n"
      "      <system-out>  warning: w &lt;1&gt;\n</system-out>\n"
      "    </testcase>\n"
      "  </testsuite>\n"
      "  <testsuite name=\"dir/other.yaml\" tests=\"1\" failures=\"0\" errors=\"0\" "
      "skipped=\"1\">\n"
      "    <testcase name=\"ConfigMap/x\" classname=\"dir/other.yaml\" file=\"dir/other.yaml\" "
      "line=\"1\">\n"
      "      <skipped message=\"kind ConfigMap is not checked\"/>\n"
      "    </testcase>\n"
      "  </testsuite>\n"
      "  <testsuite name=\"broken.yaml\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n"
      "    <testcase name=\"read and parse\" classname=\"broken.yaml\">\n"
      "      <error message=\"broken.yaml:2:3: illegal map value\" type=\"InputError\"/>\n"
      "    </testcase>\n"
      "  </testsuite>\n"
      "</testsuites>\n");
}

TEST(ValidateReportTest, JunitStrictFailureForWarningsOnly) {
  ValidateReport report;
  report.strict = true;
  report.files = {"dir/mg.yaml"};
  report.objects = {Checked("warned", {}, {"w"})};
  EXPECT_THAT(RenderJunit(report),
              HasSubstr("<failure message=\"1 warning, which --strict treats as errors\" "
                        "type=\"Warning\">"));
}

}  // namespace
}  // namespace mgw
