// An in-process stand-in for kube-apiserver over real HTTPS (127.0.0.1, port 0, a
// throwaway CA from test_certs.h), for the REST calls mgw makes: get, list with
// limit/continue, watch (chunked, newline-delimited events from a resourceVersion,
// BOOKMARKs on request, 410 Expired for a compacted version), create, update, patch
// (merge and JSON patch), delete and the status subresource, with metav1.Status error
// bodies (semantics in fake_apiserver_store.h). Optional bearer-token and client
// certificate checks. Fault hooks: fail the next N requests, drop or expire open
// watches, add latency. Every request is recorded. Thread-safe.
#ifndef MGW_TEST_FAKE_APISERVER_H_
#define MGW_TEST_FAKE_APISERVER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/kube/kube_client.h"
#include "mgw/kube/kube_config.h"
#include "support/fake_apiserver_store.h"
#include "support/test_certs.h"

namespace httplib {
class SSLServer;
struct Request;
struct Response;
class DataSink;
}  // namespace httplib

namespace mgw::testing {

struct FakeApiServerOptions {
  std::string bearer_token;          // when set, requests without "Bearer <token>" get 401
  bool require_client_cert = false;  // clients must present a certificate from ca()
  LeafSpec server_cert;              // the serving certificate's names (localhost, 127.0.0.1)
};

// One request as the server saw it.
struct FakeRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> params;  // the query, decoded
  std::string authorization;
  std::string content_type;
  std::string body;
  int status = 0;  // what was answered (200 for a watch that started)
};

class FakeApiServer {
 public:
  // Starts serving; throws std::runtime_error when it cannot.
  explicit FakeApiServer(FakeApiServerOptions options = {});
  ~FakeApiServer();
  FakeApiServer(const FakeApiServer&) = delete;
  FakeApiServer& operator=(const FakeApiServer&) = delete;

  int port() const { return port_; }
  const TestCa& ca() const { return ca_; }
  // A KubeConfig for this server: its URL and CA, plus `token` when non-empty.
  KubeConfig Config(const std::string& token = "") const;
  // Writes a kubeconfig file for this server (CA inline, bearer token "t0k") into
  // `dir`, as a user would pass with --kubeconfig; returns its path.
  std::string WriteKubeconfig(const TempDir& dir) const;

  // Writes as an administrator would, bypassing HTTP (and faults): creates the
  // object, or replaces it (ignoring its resourceVersion). Returns the stored object.
  nlohmann::json Apply(const Gvr& gvr, const nlohmann::json& object);
  // Deletes through the store (finalizers honoured); false when absent.
  bool Remove(const Gvr& gvr, const std::string& ns, const std::string& name);
  std::optional<nlohmann::json> Object(const Gvr& gvr, const std::string& ns,
                                       const std::string& name) const;
  int64_t ResourceVersion() const;
  void SetValidator(const Gvr& gvr, FakeStore::Validator validator);
  void SetBearerToken(std::string token);

  // Faults. FailNext: the next `count` requests whose method matches (any when
  // empty) get `status` with a Status body and, when positive, a Retry-After header.
  void FailNext(int count, int status = 500, std::string method = "", int retry_after = 0);
  void DropWatches();    // cuts every open watch without the final chunk
  void ExpireWatches();  // sends an ERROR 410 Expired event on every open watch, then ends it
  void SendBookmarks();  // a BOOKMARK at the current version on watches that allow them
  void Compact();        // older resourceVersions and continue tokens now get 410
  void SetLatency(std::chrono::milliseconds latency);

  // Observations.
  std::vector<FakeRequest> Requests() const;
  int CountRequests(const std::string& method, bool watch) const;
  int OpenWatches() const;
  // Waits until at least `count` watches are open; false on timeout.
  bool WaitForOpenWatches(int count, std::chrono::milliseconds timeout) const;

 private:
  struct Route {
    std::string resource;
    std::string ns;
    std::string name;
    std::string sub;
  };

  struct Stream {
    FakeSelector selector;
    int64_t cursor = 0;
    bool bookmarks = false;
    std::vector<nlohmann::json> initial;  // synthetic ADDED events for a watch from "" or "0"
    bool drop = false;
    bool expire = false;
    bool bookmark = false;
    std::chrono::steady_clock::time_point deadline;
  };

  void Handle(const httplib::Request& req, httplib::Response& res);
  bool Authorized(const httplib::Request& req, httplib::Response& res);
  bool InjectFault(const httplib::Request& req, httplib::Response& res);
  void ServeWatch(const Route& route, const httplib::Request& req, httplib::Response& res);
  bool PumpWatch(const std::shared_ptr<Stream>& stream, httplib::DataSink& sink);
  void Reply(httplib::Response& res, const FakeReply& reply);
  void Record(const httplib::Request& req, int status);
  static FakeRequest Describe(const httplib::Request& req, int status);

  TestCa ca_;
  TempDir dir_;
  FakeApiServerOptions options_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;  // store changes, stream signals, shutdown
  FakeStore store_;
  std::list<std::shared_ptr<Stream>> streams_;
  std::vector<FakeRequest> requests_;
  int fail_count_ = 0;
  int fail_status_ = 500;
  std::string fail_method_;
  int fail_retry_after_ = 0;
  std::chrono::milliseconds latency_{0};
  bool shutting_down_ = false;
};

// "<api>/<plural>" as FakeStore names resources, e.g. "v1/persistentvolumeclaims".
std::string FakeResourceId(const Gvr& gvr);

// An environment holding exactly `vars`, for code that reads KUBECONFIG, HOME etc.
EnvLookup MapEnv(std::map<std::string, std::string> vars);

}  // namespace mgw::testing

#endif  // MGW_TEST_FAKE_APISERVER_H_
