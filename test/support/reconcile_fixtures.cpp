#include "support/reconcile_fixtures.h"

#include <thread>

#include <gtest/gtest.h>

namespace mgw::testing {

using nlohmann::json;

json MustGatherObject(const std::string& name, const MustGatherSpec& spec) {
  json pv = {{"claim", {{"name", spec.claim}}}};
  if (!spec.sub_path.empty()) pv["subPath"] = spec.sub_path;
  json mg = {{"apiVersion", "operator.openshift.io/v1alpha1"},
             {"kind", "MustGather"},
             {"metadata", {{"name", name}, {"namespace", kTestNamespace}}},
             {"spec",
              {{"serviceAccountRef", {{"name", "must-gather-admin"}}},
               {"storage", {{"type", "PersistentVolume"}, {"persistentVolume", pv}}}}}};
  if (!spec.image.empty()) mg["spec"]["mustGatherImage"] = spec.image;
  if (!spec.timeout.empty()) mg["spec"]["mustGatherTimeout"] = spec.timeout;
  if (spec.retain) mg["spec"]["retainResourcesOnCompletion"] = true;
  return mg;
}

json PvcObject(const std::string& name, const std::string& phase,
               const std::string& storage_class) {
  json pvc = {
      {"apiVersion", "v1"},
      {"kind", "PersistentVolumeClaim"},
      {"metadata", {{"name", name}, {"namespace", kTestNamespace}}},
      {"spec",
       {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "5Gi"}}}}}}}};
  if (!storage_class.empty()) pvc["spec"]["storageClassName"] = storage_class;
  if (!phase.empty()) pvc["status"] = {{"phase", phase}};
  return pvc;
}

json AllowlistObject(const std::vector<std::string>& images) {
  return {{"apiVersion", "operator.openshift.io/v1alpha1"},
          {"kind", "MustGatherImage"},
          {"metadata", {{"name", "cluster"}}},
          {"spec", {{"images", images}}}};
}

json FinishedJob(json job, bool succeeded, const std::string& reason) {
  json condition = {{"type", succeeded ? "Complete" : "Failed"},
                    {"status", "True"},
                    {"lastTransitionTime", "2024-01-01T00:10:00Z"}};
  if (!reason.empty()) {
    condition["reason"] = reason;
    condition["message"] = "Job ended: " + reason;
  }
  job["status"] = {{"conditions", json::array({condition})},
                   {"succeeded", succeeded ? 1 : 0},
                   {"failed", succeeded ? 0 : 1}};
  return job;
}

std::unique_ptr<HttpKubeClient> ClientFor(const FakeApiServer& server) {
  HttpKubeClientOptions o;
  o.backoff = {std::chrono::milliseconds(1), std::chrono::milliseconds(10)};
  o.request_timeout = std::chrono::seconds(10);
  StatusOr<std::unique_ptr<HttpKubeClient>> client = HttpKubeClient::Create(server.Config(), o);
  if (!client.ok()) throw std::runtime_error(client.status().ToString());
  return std::move(client).value();
}

InformerOptions FastInformerOptions() {
  InformerOptions o;
  o.backoff = {std::chrono::milliseconds(1), std::chrono::milliseconds(20)};
  return o;
}

std::unique_ptr<Informer> FrozenInformer(KubeClient& client, Gvr gvr,
                                         std::function<nlohmann::json(nlohmann::json)> transform,
                                         std::string labels) {
  InformerOptions o = FastInformerOptions();
  o.gvr = std::move(gvr);
  o.transform = std::move(transform);
  o.label_selector = std::move(labels);
  auto informer = std::make_unique<Informer>(client, o);
  informer->Start();
  EXPECT_TRUE(informer->WaitForSync(std::chrono::seconds(10)));
  informer->Stop();
  return informer;
}

Status RecordingEventSink::Emit(const ObjectRef& object, const Event& event) {
  std::lock_guard<std::mutex> lock(mu_);
  records_.push_back({object, event});
  return Status();
}

std::vector<RecordingEventSink::Record> RecordingEventSink::records() const {
  std::lock_guard<std::mutex> lock(mu_);
  return records_;
}

std::vector<std::string> RecordingEventSink::Reasons(const std::string& name) const {
  std::vector<std::string> out;
  for (const Record& r : records()) {
    if (r.object.name == name) out.push_back(r.event.reason);
  }
  return out;
}

}  // namespace mgw::testing
