#include "mgw/reconcile/run_outcome.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/reconcile/conditions.h"
#include "mgw/reconcile/gather_run.h"

namespace mgw {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

json Uploading() {
  return {{"metadata", {{"name", "mg"}, {"namespace", "ns"}}},
          {"spec",
           {{"uploadTarget",
             {{"type", "SFTP"},
              {"sftp",
               {{"caseID", "01234567"},
                {"caseManagementAccountSecretRef", {{"name", "case-creds"}}}}}}}}}};
}

json UploadJob() {
  return {{"metadata",
           {{"name", "mg"},
            {"namespace", "ns"},
            {"annotations",
             {{std::string(kOutputPathAnnotation), "runs/d"},
              {std::string(kUploadFileAnnotation), "01234567_d.tar.gz"}}}}}};
}

TEST(RunOutcomeTest, CredentialsKeepOnlyNonEmptyKeyNames) {
  json secret = {{"data", {{"username", "YWxpY2U="}, {"password", ""}, {"x", 1}}},
                 {"stringData", {{"password", "pw"}}}};
  CredentialsSecret c = CredentialsOf(secret);
  EXPECT_EQ(c.non_empty_keys, (std::set<std::string>{"password", "username"}));
  EXPECT_TRUE(CredentialsOf(json()).non_empty_keys.empty());
}

TEST(RunOutcomeTest, CredentialsProblemNamesTheSecretAndTheKey) {
  EXPECT_FALSE(CredentialsProblem(json::object(), std::nullopt));  // no upload
  EXPECT_FALSE(CredentialsProblem(Uploading(), CredentialsSecret{{"username", "password"}}));
  EXPECT_EQ(CredentialsProblem(Uploading(), std::nullopt).value(),
            "Secret \"case-creds\" in namespace \"ns\" "
            "(spec.uploadTarget.sftp.caseManagementAccountSecretRef.name) was not found; create "
            "it with the keys username and password of the support case account, then create "
            "this MustGather again");
  EXPECT_THAT(
      CredentialsProblem(Uploading(), CredentialsSecret{{"username"}}).value(),
      AllOf(HasSubstr("\"case-creds\""), HasSubstr("has no key \"password\", or it is empty")));
  EXPECT_THAT(CredentialsProblem(Uploading(), CredentialsSecret{{"password"}}).value(),
              HasSubstr("has no key \"username\""));
}

TEST(RunOutcomeTest, UploadContainerFailureIsUploadFailed) {
  std::optional<RunVerdict> v = UploadRunFailure(
      Uploading(), UploadJob(),
      "Container upload for pod ns/mg-x failed with exit code 1 matching FailJob rule at index 0",
      "\"runs/d\" on PersistentVolumeClaim \"pvc\"");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->reason, kReasonUploadFailed);
  EXPECT_EQ(v->message,
            "the upload to support case \"01234567\" on sftp.access.redhat.com did not finish: it "
            "failed (exit code 1); see kubectl logs -n ns job/mg -c upload (the gather "
            "containers may have failed too); the gathered output is kept in \"runs/d\" on "
            "PersistentVolumeClaim \"pvc\"");
}

TEST(RunOutcomeTest, GatherFailureSaysThePartialOutputWasUploaded) {
  std::optional<RunVerdict> v = UploadRunFailure(
      Uploading(), UploadJob(),
      "Container gather-1 for pod ns/mg-x failed with exit code 124 matching FailJob rule at "
      "index 1",
      "here");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->reason, kReasonGatherFailed);
  EXPECT_THAT(v->message, AllOf(HasSubstr("\"gather-1\" was stopped by spec.mustGatherTimeout"),
                                HasSubstr("-c gather-1"),
                                HasSubstr("uploaded to support case \"01234567\" as "
                                          "\"01234567_d.tar.gz\"")));
  v = UploadRunFailure(Uploading(), UploadJob(),
                       "Container gather for pod ns/p failed with exit code 3 matching FailJob "
                       "rule at index 1",
                       "here");
  ASSERT_TRUE(v.has_value());
  EXPECT_THAT(v->message, HasSubstr("failed with exit code 3"));
}

TEST(RunOutcomeTest, OtherFailuresAreLeftToTheJobsReason) {
  EXPECT_FALSE(UploadRunFailure(Uploading(), UploadJob(), "BackoffLimitExceeded", "x"));
  json plain = UploadJob();
  plain["metadata"]["annotations"].erase(std::string(kUploadFileAnnotation));
  EXPECT_FALSE(UploadRunFailure(
      Uploading(), plain,
      "Container gather for pod ns/p failed with exit code 1 matching FailJob rule at index 1",
      "x"));
}

TEST(RunOutcomeTest, SuccessNoteNamesTheCaseAndFile) {
  EXPECT_EQ(UploadSuccessNote(Uploading(), UploadJob()),
            "; uploaded to support case \"01234567\" as \"01234567_d.tar.gz\" on "
            "sftp.access.redhat.com");
  EXPECT_EQ(UploadSuccessNote(json::object(), json::object()), "");
  EXPECT_THAT(OutputLocation("pvc", "a/b"), Not(HasSubstr("under")));
}

}  // namespace
}  // namespace mgw
