#include "support/fake_apiserver_store.h"

#include <algorithm>

namespace mgw::testing {
namespace {

using nlohmann::json;

std::string MetaString(const json& object, const char* key) {
  if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object()) {
    return "";
  }
  const json& meta = object["metadata"];
  auto it = meta.find(key);
  return it != meta.end() && it->is_string() ? it->get<std::string>() : "";
}

// "mustgatherimages.operator.openshift.io" from "operator.openshift.io/v1alpha1/mustgatherimages".
std::string Qualified(const std::string& resource) {
  size_t last = resource.rfind('/');
  std::string plural = resource.substr(last + 1);
  size_t first = resource.find('/');
  return first == last ? plural : plural + "." + resource.substr(0, first);
}

std::string KeyName(const std::string& ns, const std::string& name) {
  return ns.empty() ? name : ns + "/" + name;
}

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(sep, start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Evaluates "k=v", "k==v" or "k!=v" terms against `lookup`.
bool TermsMatch(const std::string& selector,
                const std::function<std::optional<std::string>(const std::string&)>& lookup) {
  for (const std::string& term : Split(selector, ',')) {
    bool negate = term.find("!=") != std::string::npos;
    size_t op = term.find(negate ? "!=" : "=");
    if (op == std::string::npos) return false;
    std::string key = term.substr(0, op);
    size_t value_at = op + (negate || term.compare(op, 2, "==") == 0 ? 2 : 1);
    std::optional<std::string> actual = lookup(key);
    bool equal = actual && *actual == term.substr(value_at);
    if (equal == negate) return false;
  }
  return true;
}

json Conflict(const std::string& resource, const std::string& name, const std::string& why) {
  return FakeError(409, "Conflict",
                   "Operation cannot be fulfilled on " + Qualified(resource) + " \"" + name +
                       "\": " + why)
      .body;
}

json SpecOf(const json& object) {
  return object.is_object() && object.contains("spec") ? object["spec"] : json();
}

}  // namespace

FakeReply FakeError(int code, const std::string& reason, const std::string& message) {
  return {code,
          {{"kind", "Status"},
           {"apiVersion", "v1"},
           {"metadata", json::object()},
           {"status", "Failure"},
           {"message", message},
           {"reason", reason},
           {"code", code}}};
}

bool FakeSelector::Matches(const std::string& resource_id, const json& object) const {
  if (resource_id != resource) return false;
  if (!ns.empty() && MetaString(object, "namespace") != ns) return false;
  bool fields =
      TermsMatch(field_selector, [&](const std::string& key) -> std::optional<std::string> {
        if (key == "metadata.name") return MetaString(object, "name");
        if (key == "metadata.namespace") return MetaString(object, "namespace");
        return std::nullopt;
      });
  return fields &&
         TermsMatch(label_selector, [&](const std::string& key) -> std::optional<std::string> {
           const json* labels = object.contains("metadata") && object["metadata"].contains("labels")
                                    ? &object["metadata"]["labels"]
                                    : nullptr;
           if (labels == nullptr || !labels->contains(key) || !(*labels)[key].is_string()) {
             return std::nullopt;
           }
           return (*labels)[key].get<std::string>();
         });
}

FakeReply FakeStore::Get(const std::string& resource, const std::string& ns,
                         const std::string& name) const {
  auto it = objects_.find({resource, KeyName(ns, name)});
  if (it == objects_.end()) {
    return FakeError(404, "NotFound", Qualified(resource) + " \"" + name + "\" not found");
  }
  return {200, it->second.object};
}

FakeReply FakeStore::List(const FakeSelector& selector, int64_t limit,
                          const std::string& continue_token) {
  int64_t list_rv = resource_version_;
  std::string after;
  if (!continue_token.empty()) {
    size_t bar = continue_token.find('|');
    list_rv = std::stoll(continue_token.substr(0, bar));
    after = continue_token.substr(bar + 1);
    if (list_rv < compacted_) {
      return FakeError(410, "Expired",
                       "The provided continue parameter is too old to display a consistent list "
                       "result. You can start a new list without the continue parameter.");
    }
  }
  json items = json::array();
  std::string last;
  int64_t remaining = 0;
  for (const auto& [key, stored] : objects_) {
    if (!selector.Matches(key.first, stored.object) || (!after.empty() && key.second <= after)) {
      continue;
    }
    if (limit > 0 && static_cast<int64_t>(items.size()) >= limit) {
      ++remaining;
      continue;
    }
    items.push_back(stored.object);
    last = key.second;
  }
  json meta = {{"resourceVersion", std::to_string(list_rv)}};
  if (remaining > 0) {
    meta["continue"] = std::to_string(list_rv) + "|" + last;
    meta["remainingItemCount"] = remaining;
  }
  return {200, {{"kind", "List"}, {"apiVersion", "v1"}, {"metadata", meta}, {"items", items}}};
}

FakeReply FakeStore::Create(const std::string& resource, const std::string& ns, json body) {
  if (!body.is_object()) return FakeError(400, "BadRequest", "the body is not a JSON object");
  json& meta = body["metadata"];
  if (!meta.is_object()) meta = json::object();
  std::string name = MetaString(body, "name");
  if (name.empty() && !MetaString(body, "generateName").empty()) {
    name = MetaString(body, "generateName") + "x" + std::to_string(next_uid_);
    meta["name"] = name;
  }
  if (name.empty()) {
    return FakeError(422, "Invalid",
                     "metadata.name: Required value: name or generateName is required");
  }
  std::string body_ns = MetaString(body, "namespace");
  if (!body_ns.empty() && body_ns != ns) {
    return FakeError(400, "BadRequest",
                     "the namespace of the provided object does not match the namespace sent on "
                     "the request");
  }
  if (!ns.empty()) meta["namespace"] = ns;
  if (!MetaString(body, "resourceVersion").empty()) {
    return FakeError(500, "InternalError",
                     "resourceVersion should not be set on objects to be created");
  }
  if (std::string why = Validate(resource, body); !why.empty())
    return FakeError(422, "Invalid", why);
  Key key{resource, KeyName(ns, name)};
  if (objects_.count(key) > 0) {
    return FakeError(409, "AlreadyExists",
                     Qualified(resource) + " \"" + name + "\" already exists");
  }
  meta["uid"] = "uid-" + std::to_string(next_uid_++);
  meta["creationTimestamp"] = "2024-01-01T00:00:00Z";
  meta["generation"] = 1;
  meta.erase("deletionTimestamp");
  FakeReply reply = Commit(resource, key, std::move(body), "ADDED");
  reply.status = 201;
  return reply;
}

FakeReply FakeStore::Update(const std::string& resource, const std::string& ns,
                            const std::string& name, json body, bool status) {
  if (!body.is_object()) return FakeError(400, "BadRequest", "the body is not a JSON object");
  Key key{resource, KeyName(ns, name)};
  if (objects_.count(key) == 0) return Get(resource, ns, name);
  if (MetaString(body, "name") != name) {
    return FakeError(400, "BadRequest",
                     "the name of the object (" + MetaString(body, "name") +
                         ") does not match the name on the URL (" + name + ")");
  }
  return Replace(resource, key, std::move(body), status);
}

FakeReply FakeStore::Patch(const std::string& resource, const std::string& ns,
                           const std::string& name, const std::string& content_type,
                           const std::string& body, bool status) {
  Key key{resource, KeyName(ns, name)};
  auto it = objects_.find(key);
  if (it == objects_.end()) return Get(resource, ns, name);
  json patch = json::parse(body, nullptr, false);
  if (patch.is_discarded()) return FakeError(400, "BadRequest", "the patch is not JSON");
  json result = it->second.object;
  if (content_type == "application/merge-patch+json") {
    result.merge_patch(patch);
  } else if (content_type == "application/json-patch+json") {
    try {
      result = result.patch(patch);
    } catch (const json::exception& e) {
      return FakeError(422, "Invalid", std::string("the JSON patch does not apply: ") + e.what());
    }
  } else {
    return FakeError(415, "UnsupportedMediaType",
                     "the body of the request was in an unknown format: " + content_type);
  }
  return Replace(resource, key, std::move(result), status);
}

FakeReply FakeStore::Delete(const std::string& resource, const std::string& ns,
                            const std::string& name, const json& options) {
  Key key{resource, KeyName(ns, name)};
  auto it = objects_.find(key);
  if (it == objects_.end()) return Get(resource, ns, name);
  json object = it->second.object;
  json pre = options.is_object() ? options.value("preconditions", json::object()) : json::object();
  for (const char* field : {"resourceVersion", "uid"}) {
    if (pre.contains(field) && pre[field] != object["metadata"].value(field, json())) {
      return {409, Conflict(resource, name, std::string("Precondition failed: ") + field)};
    }
  }
  json finalizers = object["metadata"].value("finalizers", json::array());
  if (finalizers.is_array() && !finalizers.empty()) {
    if (object["metadata"].contains("deletionTimestamp")) return {200, object};
    object["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:01Z";
    return Commit(resource, key, std::move(object), "MODIFIED");
  }
  objects_.erase(it);
  object["metadata"]["resourceVersion"] = std::to_string(++resource_version_);
  history_.push_back({resource_version_, resource, "DELETED", object});
  return {200, object};
}

FakeReply FakeStore::Replace(const std::string& resource, const Key& key, json next, bool status) {
  const json& old = objects_[key].object;
  std::string name = MetaString(old, "name");
  std::string want = MetaString(next, "resourceVersion");
  if (!want.empty() && want != MetaString(old, "resourceVersion")) {
    return {409, Conflict(resource, name,
                          "the object has been modified; please apply your changes to the latest "
                          "version and try again")};
  }
  json merged = old;
  if (status) {
    if (next.contains("status"))
      merged["status"] = next["status"];
    else
      merged.erase("status");
  } else {
    merged = next;
    if (old.contains("status"))
      merged["status"] = old["status"];
    else
      merged.erase("status");
    json& meta = merged["metadata"];
    for (const char* keep : {"name", "namespace", "uid", "creationTimestamp", "generation",
                             "deletionTimestamp", "resourceVersion"}) {
      if (old["metadata"].contains(keep))
        meta[keep] = old["metadata"][keep];
      else
        meta.erase(keep);
    }
    if (SpecOf(old) != SpecOf(merged))
      meta["generation"] = old["metadata"].value("generation", 0) + 1;
    if (std::string why = Validate(resource, merged); !why.empty()) {
      return FakeError(422, "Invalid", why);
    }
  }
  if (merged == old) return {200, old};  // a no-op write bumps nothing and tells no one
  json finalizers = merged["metadata"].value("finalizers", json::array());
  if (merged["metadata"].contains("deletionTimestamp") &&
      (!finalizers.is_array() || finalizers.empty())) {
    objects_.erase(key);
    merged["metadata"]["resourceVersion"] = std::to_string(++resource_version_);
    history_.push_back({resource_version_, resource, "DELETED", merged});
    return {200, merged};
  }
  return Commit(resource, key, std::move(merged), "MODIFIED");
}

FakeReply FakeStore::Commit(const std::string& resource, const Key& key, json object,
                            const std::string& type) {
  object["metadata"]["resourceVersion"] = std::to_string(++resource_version_);
  objects_[key].object = object;
  history_.push_back({resource_version_, resource, type, object});
  return {200, std::move(object)};
}

std::string FakeStore::Validate(const std::string& resource, const json& object) const {
  auto it = validators_.find(resource);
  return it == validators_.end() ? "" : it->second(object);
}

void FakeStore::SetValidator(const std::string& resource, Validator validator) {
  validators_[resource] = std::move(validator);
}

std::optional<std::vector<FakeEvent>> FakeStore::EventsAfter(int64_t resource_version,
                                                             const FakeSelector& selector) const {
  if (resource_version < compacted_) return std::nullopt;
  std::vector<FakeEvent> out;
  for (const FakeEvent& e : history_) {
    if (e.resource_version > resource_version && selector.Matches(e.resource, e.object)) {
      out.push_back(e);
    }
  }
  return out;
}

std::vector<json> FakeStore::Snapshot(const FakeSelector& selector) const {
  std::vector<json> out;
  for (const auto& [key, stored] : objects_) {
    if (selector.Matches(key.first, stored.object)) out.push_back(stored.object);
  }
  return out;
}

}  // namespace mgw::testing
