// FakeApiServer's watch streams: chunked, newline-delimited events from a
// resourceVersion, with the fault hooks that end them.
#include <httplib.h>

#include "support/fake_apiserver.h"

namespace mgw::testing {
namespace {

using nlohmann::json;

constexpr auto kDefaultWatchTimeout = std::chrono::minutes(30);

std::string WatchLine(const std::string& type, const json& object) {
  return json{{"type", type}, {"object", object}}.dump() + "\n";
}

}  // namespace

void FakeApiServer::ServeWatch(const Route& route, const httplib::Request& req,
                               httplib::Response& res) {
  auto stream = std::make_shared<Stream>();
  stream->selector = {route.resource, route.ns, req.get_param_value("fieldSelector"),
                      req.get_param_value("labelSelector")};
  stream->bookmarks = req.get_param_value("allowWatchBookmarks") == "true";
  std::string timeout = req.get_param_value("timeoutSeconds");
  stream->deadline = std::chrono::steady_clock::now() +
                     (timeout.empty() ? std::chrono::seconds(kDefaultWatchTimeout)
                                      : std::chrono::seconds(std::stoll(timeout)));
  std::string rv = req.get_param_value("resourceVersion");
  {
    std::lock_guard<std::mutex> lock(mu_);
    stream->cursor = store_.resource_version();
    if (rv.empty() || rv == "0") {
      stream->initial = store_.Snapshot(stream->selector);
    } else if (!store_.EventsAfter(std::stoll(rv), stream->selector)) {
      Reply(res, FakeError(410, "Expired", "too old resource version: " + rv));
    } else {
      stream->cursor = std::stoll(rv);
    }
    // Recorded before the stream is visible, so a test that sees the watch open also
    // sees its request.
    requests_.push_back(Describe(req, res.status == 410 ? 410 : 200));
    if (res.status != 410) streams_.push_back(stream);
  }
  cv_.notify_all();
  if (res.status == 410) return;
  res.set_chunked_content_provider(
      "application/json",
      [this, stream](size_t, httplib::DataSink& sink) { return PumpWatch(stream, sink); },
      [this, stream](bool) {
        std::lock_guard<std::mutex> lock(mu_);
        streams_.remove(stream);
        cv_.notify_all();
      });
}

bool FakeApiServer::PumpWatch(const std::shared_ptr<Stream>& stream, httplib::DataSink& sink) {
  std::string out;
  bool end = false;
  {
    std::unique_lock<std::mutex> lock(mu_);
    auto pending = [&] {
      return shutting_down_ || stream->drop || stream->expire || stream->bookmark ||
             !stream->initial.empty() || store_.resource_version() > stream->cursor;
    };
    cv_.wait_until(lock, stream->deadline, pending);
    if (stream->drop) return false;  // no final chunk: the client sees a broken stream
    for (const json& object : stream->initial) out += WatchLine("ADDED", object);
    stream->initial.clear();
    auto events = store_.EventsAfter(stream->cursor, stream->selector);
    for (const FakeEvent& e : events.value_or(std::vector<FakeEvent>())) {
      out += WatchLine(e.type, e.object);
    }
    stream->cursor = store_.resource_version();
    if (stream->bookmark && stream->bookmarks) {
      out += WatchLine("BOOKMARK",
                       {{"metadata", {{"resourceVersion", std::to_string(stream->cursor)}}}});
    }
    stream->bookmark = false;
    if (stream->expire) {
      out += WatchLine("ERROR", FakeError(410, "Expired", "too old resource version").body);
    }
    end = stream->expire || shutting_down_ || std::chrono::steady_clock::now() >= stream->deadline;
  }
  if (!out.empty() && !sink.write(out.data(), out.size())) return false;
  if (end) sink.done();
  return true;
}

}  // namespace mgw::testing
