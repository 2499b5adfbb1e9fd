// The object store behind FakeApiServer, with kube-apiserver's semantics for what
// mgw uses: one global resourceVersion counter stamped on every write, generation
// bumped when spec changes, optimistic concurrency (409 on a stale resourceVersion),
// AlreadyExists on create, a status subresource (status writes keep everything but
// status; main writes keep status), finalizers holding deletion, list paging with
// continue tokens, an event history for watches and compaction (410 Expired).
// Every resource is treated as having a status subresource. Answers are
// (HTTP status, JSON body) pairs with metav1.Status bodies for errors. Not
// thread-safe: FakeApiServer serialises calls.
#ifndef MGW_TEST_FAKE_APISERVER_STORE_H_
#define MGW_TEST_FAKE_APISERVER_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mgw::testing {

struct FakeReply {
  int status = 200;
  nlohmann::json body;
};

// Which objects a list or watch wants. `resource` is "<api>/<plural>", e.g.
// "v1/persistentvolumeclaims" or "operator.openshift.io/v1alpha1/mustgatherimages".
struct FakeSelector {
  std::string resource;
  std::string ns;              // "" for every namespace
  std::string field_selector;  // metadata.name=..., metadata.namespace=... (comma-joined)
  std::string label_selector;  // k=v, k==v, k!=v (comma-joined)
  bool Matches(const std::string& resource_id, const nlohmann::json& object) const;
};

struct FakeEvent {
  int64_t resource_version = 0;
  std::string resource;
  std::string type;  // ADDED, MODIFIED or DELETED
  nlohmann::json object;
};

class FakeStore {
 public:
  // Returns "" to accept an object, or the message of a 422 Invalid.
  using Validator = std::function<std::string(const nlohmann::json&)>;

  FakeReply Get(const std::string& resource, const std::string& ns, const std::string& name) const;
  FakeReply List(const FakeSelector& selector, int64_t limit, const std::string& continue_token);
  FakeReply Create(const std::string& resource, const std::string& ns, nlohmann::json body);
  FakeReply Update(const std::string& resource, const std::string& ns, const std::string& name,
                   nlohmann::json body, bool status);
  FakeReply Patch(const std::string& resource, const std::string& ns, const std::string& name,
                  const std::string& content_type, const std::string& body, bool status);
  FakeReply Delete(const std::string& resource, const std::string& ns, const std::string& name,
                   const nlohmann::json& options);

  // Events after `resource_version` that `selector` matches; nullopt when that
  // version has been compacted away (the caller answers 410).
  std::optional<std::vector<FakeEvent>> EventsAfter(int64_t resource_version,
                                                    const FakeSelector& selector) const;
  // Current objects `selector` matches, sorted by key (for watches from "" or "0").
  std::vector<nlohmann::json> Snapshot(const FakeSelector& selector) const;

  // Forgets history up to now: older watch versions and continue tokens expire.
  void Compact() { compacted_ = resource_version_; }
  int64_t resource_version() const { return resource_version_; }
  void SetValidator(const std::string& resource, Validator validator);

 private:
  struct Stored {
    nlohmann::json object;
  };
  using Key = std::pair<std::string, std::string>;  // (resource, "ns/name" or "name")

  FakeReply Replace(const std::string& resource, const Key& key, nlohmann::json next, bool status);
  FakeReply Commit(const std::string& resource, const Key& key, nlohmann::json object,
                   const std::string& type);
  std::string Validate(const std::string& resource, const nlohmann::json& object) const;

  std::map<Key, Stored> objects_;
  std::vector<FakeEvent> history_;
  int64_t resource_version_ = 1000;
  int64_t compacted_ = 0;
  int64_t next_uid_ = 1;
  std::map<std::string, Validator> validators_;
};

// A metav1.Status error body.
FakeReply FakeError(int code, const std::string& reason, const std::string& message);

}  // namespace mgw::testing

#endif  // MGW_TEST_FAKE_APISERVER_STORE_H_
