#include "mgw/rules/gather_options_rules.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/rules/mustgather_rules.h"

namespace mgw {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

json Spec(const json& merge_patch) {
  json spec = {{"storage",
                {{"type", "PersistentVolume"},
                 {"persistentVolume", {{"claim", {{"name", "mg-artifacts"}}}}}}}};
  spec.merge_patch(merge_patch);
  return spec;
}

json Upload(const json& sftp_patch) {
  json sftp = {{"caseID", "01234567"},
               {"caseManagementAccountSecretRef", {{"name", "case-creds"}}},
               {"host", "sftp.access.redhat.com"},
               {"internalUser", false}};
  sftp.merge_patch(sftp_patch);
  return {{"uploadTarget", {{"type", "SFTP"}, {"sftp", sftp}}}};
}

std::vector<std::string> Findings(const json& spec) {
  FieldErrors errors;
  CheckGatherOptions(spec, errors);
  std::vector<std::string> out;
  for (const FieldError& e : errors) out.push_back(ToString(e));
  return out;
}

struct Case {
  std::string name;
  json patch;
  std::string want;  // the single finding, exactly; empty: none
};

TEST(GatherOptionsRulesTest, AcceptsValidFields) {
  const Case cases[] = {
      {"nothing set", json::object(), ""},
      {"audit", {{"additionalConfig", {{"audit", true}}}}, ""},
      {"audit false with a custom image",
       {{"additionalConfig", {{"audit", false}}}, {"mustGatherImage", "quay.io/a/b:1"}},
       ""},
      {"audit with empty mustGatherImage",
       {{"additionalConfig", {{"audit", true}}}, {"mustGatherImage", ""}},
       ""},
      {"proxies",
       {{"proxyConfig",
         {{"httpProxy", "http://proxy.example.com:3128"},
          {"httpsProxy", "https://user:pw@10.0.0.1:8443/"},
          {"noProxy", ".cluster.local, 10.0.0.0/16,*.svc,localhost,::1,fd00::/8,api:6443"}}}},
       ""},
      {"empty proxies", {{"proxyConfig", {{"httpProxy", ""}, {"noProxy", ""}}}}, ""},
      {"upload", Upload(json::object()), ""},
      {"upload with port", Upload({{"host", "sftp.example.com:2222"}}), ""},
      {"upload to an IPv6 address", Upload({{"host", "[fd00::1]:22"}}), ""},
      {"upload, host defaulted later", Upload({{"host", nullptr}, {"internalUser", nullptr}}), ""},
  };
  for (const Case& c : cases) EXPECT_THAT(Findings(Spec(c.patch)), IsEmpty()) << c.name;
}

TEST(GatherOptionsRulesTest, RejectsEachBadField) {
  const Case cases[] = {
      {"audit with a custom image",
       {{"additionalConfig", {{"audit", true}}}, {"mustGatherImage", "quay.io/a/b:1"}},
       "spec.additionalConfig.audit: Forbidden: audit logs are gathered by the default image's "
       "/usr/bin/gather_audit_logs, which a custom image may not have; remove "
       "spec.mustGatherImage and spec.images, or set audit to false and gather audit logs with "
       "the custom image's own script"},
      {"audit with images",
       {{"additionalConfig", {{"audit", true}}}, {"images", {"quay.io/a/b:1"}}},
       "spec.additionalConfig.audit: Forbidden: audit logs are gathered by the default image's "
       "/usr/bin/gather_audit_logs, which a custom image may not have; remove "
       "spec.mustGatherImage and spec.images, or set audit to false and gather audit logs with "
       "the custom image's own script"},
      {"audit not a bool",
       {{"additionalConfig", {{"audit", "yes"}}}},
       R"(spec.additionalConfig.audit: Invalid value: "yes": must be true or false)"},
      {"proxy without scheme",
       {{"proxyConfig", {{"httpProxy", "proxy.example.com:3128"}}}},
       R"(spec.proxyConfig.httpProxy: Invalid value: "proxy.example.com:3128": must be an absolute http:// or https:// URL with a host, such as 'http://proxy.example.com:3128'; leave it empty to use the cluster's proxy)"},
      {"socks proxy",
       {{"proxyConfig", {{"httpsProxy", "socks5://proxy:1080"}}}},
       R"(spec.proxyConfig.httpsProxy: Invalid value: "socks5://proxy:1080": must be an absolute http:// or https:// URL with a host, such as 'http://proxy.example.com:3128'; leave it empty to use the cluster's proxy)"},
      {"bad noProxy entry",
       {{"proxyConfig", {{"noProxy", "localhost,bad host,10.0.0.0/16"}}}},
       R"(spec.proxyConfig.noProxy: Invalid value: "bad host": every comma-separated entry must be a host, a domain such as '.example.com', an IP address or a CIDR such as '10.0.0.0/16')"},
      {"upload without sftp",
       {{"uploadTarget", {{"type", "SFTP"}}}},
       "spec.uploadTarget.sftp: Required value: sftp upload target config is required when "
       "upload type is SFTP, and forbidden otherwise"},
      {"unknown upload type",
       {{"uploadTarget", {{"type", "S3"}}}},
       R"(spec.uploadTarget.type: Unsupported value: "S3": supported values: "SFTP")"},
      {"missing case", Upload({{"caseID", nullptr}}),
       "spec.uploadTarget.sftp.caseID: Required value: the support case number the output is "
       "uploaded to, e.g. '01234567'"},
      {"case with a slash", Upload({{"caseID", "0123/../x"}}),
       R"(spec.uploadTarget.sftp.caseID: Invalid value: "0123/../x": must be 1-64 letters, digits or '-' (it becomes part of the uploaded file's name), e.g. '01234567')"},
      {"case too long", Upload({{"caseID", std::string(65, '1')}}),
       R"(spec.uploadTarget.sftp.caseID: Invalid value: ")" + std::string(65, '1') +
           R"(": must be 1-64 letters, digits or '-' (it becomes part of the uploaded file's name), e.g. '01234567')"},
      {"no secret", Upload({{"caseManagementAccountSecretRef", nullptr}}),
       "spec.uploadTarget.sftp.caseManagementAccountSecretRef.name: Required value: name the "
       "Secret, in the MustGather's namespace, whose keys username and password log in to the "
       "support case system"},
      {"bad secret name", Upload({{"caseManagementAccountSecretRef", {{"name", "Case_Creds"}}}}),
       R"(spec.uploadTarget.sftp.caseManagementAccountSecretRef.name: Invalid value: "Case_Creds": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'case-management-creds'))"},
      {"bad host", Upload({{"host", "sftp.example.com:99999"}}),
       R"(spec.uploadTarget.sftp.host: Invalid value: "sftp.example.com:99999": must be a DNS name or IP address with an optional ':port', e.g. 'sftp.access.redhat.com' (the default) or 'sftp.example.com:2222')"},
      {"internalUser a string", Upload({{"internalUser", "true"}}),
       R"(spec.uploadTarget.sftp.internalUser: Invalid value: "true": must be true or false)"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(Findings(Spec(c.patch)), ElementsAre(c.want)) << c.name;
  }
}

TEST(GatherOptionsRulesTest, SftpWithoutTypeBreaksTheUnion) {
  EXPECT_THAT(Findings(Spec(
                  {{"uploadTarget", {{"sftp", Upload(json::object())["uploadTarget"]["sftp"]}}}})),
              ElementsAre("spec.uploadTarget.type: Required value: set it to \"SFTP\", the only "
                          "upload type",
                          "spec.uploadTarget.sftp: Forbidden: sftp upload target config is "
                          "required when upload type is SFTP, and forbidden otherwise"));
}

TEST(GatherOptionsRulesTest, ProxyCredentialsNeverAppearInFindings) {
  json spec = Spec({{"proxyConfig", {{"httpProxy", "ftp://alice:s3cret@proxy:21"}}}});
  std::vector<std::string> found = Findings(spec);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_THAT(found[0], Not(HasSubstr("s3cret")));
  EXPECT_THAT(found[0], Not(HasSubstr("alice")));
  EXPECT_THAT(found[0], HasSubstr(R"("ftp://REDACTED@proxy:21")"));
}

TEST(GatherOptionsRulesTest, RedactsUserInformationOnly) {
  EXPECT_EQ(RedactUrlCredentials("http://u:p@h:1/x@y"), "http://REDACTED@h:1/x@y");
  EXPECT_EQ(RedactUrlCredentials("http://h:1/x@y"), "http://h:1/x@y");
  EXPECT_EQ(RedactUrlCredentials("u:p@h"), "REDACTED@h");
  EXPECT_EQ(RedactUrlCredentials(""), "");
}

TEST(GatherOptionsRulesTest, HostAndNoProxyGrammar) {
  for (const char* ok : {"a", "sftp.example.com", "10.1.2.3:22", "[::1]:2222", "::1", "A-b.C"}) {
    EXPECT_TRUE(IsHostWithOptionalPort(ok)) << ok;
  }
  for (const char* bad : {"", ":22", "a:0", "a:b", "-a", "a_b", "[::1", "[x]:1", "a b"}) {
    EXPECT_FALSE(IsHostWithOptionalPort(bad)) << bad;
  }
  for (const char* ok : {"*", ".example.com", "*.svc", "10.0.0.0/8", "fd00::/8", "h:80"}) {
    EXPECT_TRUE(IsNoProxyEntry(ok)) << ok;
  }
  for (const char* bad : {"", "10.0.0.0/33", "a b", "*x", "http://h"}) {
    EXPECT_FALSE(IsNoProxyEntry(bad)) << bad;
  }
  EXPECT_TRUE(IsProxyUrl("http://[fd00::1]:3128"));
  EXPECT_FALSE(IsProxyUrl("http://"));
  EXPECT_FALSE(IsProxyUrl("http://:3128"));
}

// The webhook, the reconciler and `validate` reach these rules through CheckMustGather.
TEST(GatherOptionsRulesTest, CheckMustGatherRunsThem) {
  Allowlist none;
  RuleContext ctx;
  ctx.allowlist = &none;
  json mg = {{"apiVersion", "operator.openshift.io/v1alpha1"},
             {"kind", "MustGather"},
             {"metadata", {{"name", "x"}, {"namespace", "ns"}}},
             {"spec", Spec(Upload({{"caseID", "no/slash"}}))}};
  RuleResult result = CheckMustGather(mg, ctx);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].field, "spec.uploadTarget.sftp.caseID");
}

}  // namespace
}  // namespace mgw
