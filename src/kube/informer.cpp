#include "mgw/kube/informer.h"

namespace mgw {
namespace {

using nlohmann::json;

// While the API server stays away, a warning is logged at most this often.
constexpr auto kFailureLogInterval = std::chrono::seconds(60);

std::string MetadataString(const json& object, const char* key) {
  if (!object.is_object()) return "";
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return "";
  auto it = meta->find(key);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
}

int64_t SecondsBetween(std::chrono::system_clock::time_point from,
                       std::chrono::system_clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
}

}  // namespace

struct Informer::Change {
  enum class Kind { kAdd, kUpdate, kDelete };
  Kind kind;
  Object old_object;
  Object object;
};

std::string ObjectKey(const json& object) {
  std::string ns = MetadataString(object, "namespace");
  std::string name = MetadataString(object, "name");
  return ns.empty() ? name : ns + "/" + name;
}

Informer::Informer(KubeClient& client, InformerOptions options)
    : client_(client), options_(std::move(options)) {}

Informer::~Informer() { Stop(); }

void Informer::AddHandler(InformerHandler handler) { handlers_.push_back(std::move(handler)); }

void Informer::Start() {
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

void Informer::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  wait_cv_.notify_all();
  thread_.join();
}

bool Informer::HasSynced() const {
  std::lock_guard<std::mutex> lock(mu_);
  return health_.synced;
}

bool Informer::WaitForSync(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return synced_cv_.wait_for(lock, timeout, [this] { return health_.synced; });
}

std::shared_ptr<const json> Informer::Get(std::string_view ns, std::string_view name) const {
  std::string key = ns.empty() ? std::string(name) : std::string(ns) + "/" + std::string(name);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const json>> Informer::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Object> out;
  out.reserve(items_.size());
  for (const auto& [key, object] : items_) out.push_back(object);
  return out;
}

InformerHealth Informer::Health() const {
  std::lock_guard<std::mutex> lock(mu_);
  return health_;
}

void Informer::Run(std::stop_token stop) {
  bool need_list = true;
  int failures = 0;  // consecutive rounds without progress
  while (!stop.stop_requested()) {
    progressed_ = false;
    Status s = need_list ? ListAndReplace() : Status();
    if (s.ok()) {
      need_list = false;
      s = WatchOnce(stop);
    }
    if (stop.stop_requested()) break;
    if (s.ok() || progressed_) failures = 0;
    if (s.ok()) {  // the server ended the watch: resume from the last version
      if (!progressed_) WaitBackoff(stop, 0);  // but not in a hot loop if it ends at once
      continue;
    }
    if (IsExpired(s)) {
      need_list = true;
      Log(spdlog::level::info, "resourceVersion expired; relisting", {{"error", s.message()}});
    } else {
      RecordFailure(s);
    }
    // A first 410 relists at once; anything else, or 410s in a row, back off.
    if (!IsExpired(s) || failures > 0) WaitBackoff(stop, failures);
    ++failures;
  }
  std::lock_guard<std::mutex> lock(mu_);
  health_.watching = false;
}

Status Informer::ListAndReplace() {
  ListOptions list;
  list.ns = options_.ns;
  list.label_selector = options_.label_selector;
  list.field_selector = options_.field_selector;
  list.limit = options_.page_size;
  MGW_ASSIGN_OR_RETURN(ObjectList listed, ListAll(client_, options_.gvr, list));
  std::map<std::string, Object> next;
  for (json& item : listed.items) {
    if (options_.transform) item = options_.transform(std::move(item));
    std::string key = ObjectKey(item);
    next[key] = std::make_shared<const json>(std::move(item));
  }
  std::vector<Change> changes = Replace(std::move(next), listed.resource_version);
  RecordContact(false);
  Dispatch(changes);
  {
    std::lock_guard<std::mutex> lock(mu_);
    health_.synced = true;
  }
  synced_cv_.notify_all();
  return Status();
}

std::vector<Informer::Change> Informer::Replace(std::map<std::string, Object> next,
                                                const std::string& resource_version) {
  std::vector<Change> changes;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, object] : next) {
    auto old = items_.find(key);
    if (old == items_.end()) {
      changes.push_back({Change::Kind::kAdd, nullptr, object});
    } else if (MetadataString(*old->second, "resourceVersion") !=
               MetadataString(*object, "resourceVersion")) {
      changes.push_back({Change::Kind::kUpdate, old->second, object});
    }
  }
  for (const auto& [key, object] : items_) {  // gone while we were not watching
    if (next.find(key) == next.end()) changes.push_back({Change::Kind::kDelete, object, object});
  }
  items_ = std::move(next);
  health_.resource_version = resource_version;
  health_.last_sync = Now();
  ++health_.lists;
  return changes;
}

Status Informer::WatchOnce(std::stop_token stop) {
  WatchOptions watch;
  watch.ns = options_.ns;
  watch.label_selector = options_.label_selector;
  watch.field_selector = options_.field_selector;
  {
    std::lock_guard<std::mutex> lock(mu_);
    watch.resource_version = health_.resource_version;
  }
  watch.allow_bookmarks = true;
  watch.timeout = std::chrono::seconds(
      static_cast<int64_t>(static_cast<double>(options_.watch_timeout.count()) * (1.0 + Random())));
  WatchSink sink;
  sink.opened = [this] { RecordContact(true); };
  sink.event = [this](const WatchEvent& event) {
    ApplyEvent(event);
    progressed_ = true;
    return true;
  };
  Status s = client_.Watch(options_.gvr, watch, sink, stop);
  std::lock_guard<std::mutex> lock(mu_);
  health_.watching = false;
  return s;
}

void Informer::ApplyEvent(const WatchEvent& event) {
  std::string version = MetadataString(event.object, "resourceVersion");
  if (event.type == WatchEvent::Type::kBookmark) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!version.empty()) health_.resource_version = version;
    health_.last_contact = Now();
    return;
  }
  json copy = options_.transform ? options_.transform(event.object) : event.object;
  Object object = std::make_shared<const json>(std::move(copy));
  std::string key = ObjectKey(*object);
  Change change{Change::Kind::kAdd, nullptr, object};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!version.empty()) health_.resource_version = version;
    health_.last_contact = Now();
    auto old = items_.find(key);
    if (event.type == WatchEvent::Type::kDeleted) {
      change = {Change::Kind::kDelete, old == items_.end() ? object : old->second, object};
      if (old != items_.end()) items_.erase(old);
    } else {
      if (old != items_.end()) change = {Change::Kind::kUpdate, old->second, object};
      items_[key] = object;
    }
  }
  Dispatch({change});
}

void Informer::Dispatch(const std::vector<Change>& changes) {
  for (const Change& c : changes) {
    for (const InformerHandler& h : handlers_) {
      if (c.kind == Change::Kind::kAdd && h.on_add) h.on_add(*c.object);
      if (c.kind == Change::Kind::kUpdate && h.on_update) h.on_update(*c.old_object, *c.object);
      if (c.kind == Change::Kind::kDelete && h.on_delete) h.on_delete(*c.object);
    }
  }
}

void Informer::RecordContact(bool watching) {
  std::string recovered_from;
  std::optional<std::chrono::system_clock::time_point> since;
  auto now = Now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    since = health_.last_contact;
    health_.last_contact = now;
    health_.watching = watching;
    recovered_from.swap(health_.last_error);
    last_failure_log_.reset();
    last_logged_error_.clear();
  }
  if (!recovered_from.empty()) {
    json fields = {{"after_error", recovered_from}};
    if (since) fields["unreachable_s"] = SecondsBetween(*since, now);
    Log(spdlog::level::info, "API server reachable again", std::move(fields));
  }
}

void Informer::RecordFailure(const Status& status) {
  auto now = Now();
  json fields = {{"error", status.ToString()}};
  bool log = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    health_.watching = false;
    health_.last_error = status.ToString();
    fields["synced"] = health_.synced;
    if (health_.last_contact) fields["cache_age_s"] = SecondsBetween(*health_.last_contact, now);
    log = last_logged_error_ != health_.last_error || !last_failure_log_ ||
          now - *last_failure_log_ >= kFailureLogInterval;
    if (log) {
      last_failure_log_ = now;
      last_logged_error_ = health_.last_error;
    }
  }
  if (!log) return;
  const char* msg = fields["synced"].get<bool>() ? "cannot list or watch; serving the cached copy"
                                                 : "cannot list or watch; nothing cached yet";
  Log(spdlog::level::warn, msg, std::move(fields));
}

void Informer::WaitBackoff(std::stop_token stop, int attempt) {
  std::chrono::milliseconds delay = BackoffDelay(options_.backoff, attempt, Random());
  std::unique_lock<std::mutex> lock(wait_mu_);
  wait_cv_.wait_for(lock, stop, delay, [] { return false; });
}

double Informer::Random() {
  if (options_.random) return options_.random();
  return std::uniform_real_distribution<double>(0.0, 1.0)(prng_);
}

std::chrono::system_clock::time_point Informer::Now() const { return WallNow(options_.clock); }

void Informer::Log(spdlog::level::level_enum level, std::string_view msg, json fields) const {
  fields["informer"] = options_.name.empty() ? options_.gvr.resource : options_.name;
  LogTo(options_.log, level, msg, fields);
}

}  // namespace mgw
