// Test doubles for code that talks to the API server on its own threads: a KubeClient
// that forwards to a real one but can fail every call (a partition), hold every call
// until released (a hung connection) or run a hook just before the next write (to lose
// a race on purpose); and a steady clock that moves only when told, so expiry
// decisions depend on the test alone, never on how fast the machine is. Thread-safe.
#ifndef MGW_TEST_FAULTY_KUBE_CLIENT_H_
#define MGW_TEST_FAULTY_KUBE_CLIENT_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "mgw/kube/kube_client.h"

namespace mgw::testing {

class FakeSteadyClock {
 public:
  std::chrono::steady_clock::time_point Now() const;
  void Advance(std::chrono::milliseconds d);

 private:
  std::atomic<int64_t> ns_{int64_t{3600} * 1000 * 1000 * 1000};
};

// Faults apply to Get, Create, Update, UpdateStatus, Patch and Delete; List and Watch
// always pass through.
class FaultyKubeClient : public KubeClient {
 public:
  explicit FaultyKubeClient(KubeClient& inner) : inner_(inner) {}
  ~FaultyKubeClient() override;  // releases hung calls

  // While cut, calls fail with UNAVAILABLE at once.
  void Cut(bool cut) { cut_ = cut; }
  // While hung, calls block until Hang(false).
  void Hang(bool hang);
  // Runs `hook` once, just before the next Update or UpdateStatus is forwarded.
  void BeforeNextUpdate(std::function<void()> hook);

  int calls() const { return calls_; }    // calls subject to faults
  int faults() const { return faults_; }  // of which failed by Cut
  int hung() const { return hung_; }      // of which held by Hang

  StatusOr<nlohmann::json> Get(const Gvr& gvr, const std::string& ns,
                               const std::string& name) override;
  StatusOr<nlohmann::json> List(const Gvr& gvr, const ListOptions& options) override;
  Status Watch(const Gvr& gvr, const WatchOptions& options, const WatchSink& sink,
               std::stop_token stop) override;
  StatusOr<nlohmann::json> Create(const Gvr& gvr, const std::string& ns,
                                  const nlohmann::json& object) override;
  StatusOr<nlohmann::json> Update(const Gvr& gvr, const std::string& ns,
                                  const nlohmann::json& object) override;
  StatusOr<nlohmann::json> UpdateStatus(const Gvr& gvr, const std::string& ns,
                                        const nlohmann::json& object) override;
  StatusOr<nlohmann::json> Patch(const Gvr& gvr, const std::string& ns, const std::string& name,
                                 PatchType type, const nlohmann::json& patch,
                                 const std::string& subresource) override;
  StatusOr<nlohmann::json> Delete(const Gvr& gvr, const std::string& ns, const std::string& name,
                                  const DeleteOptions& options) override;

 private:
  Status Fault();
  void RunUpdateHook();

  KubeClient& inner_;
  std::atomic<bool> cut_{false};
  std::atomic<int> calls_{0};
  std::atomic<int> faults_{0};
  std::atomic<int> hung_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool hang_ = false;
  std::function<void()> update_hook_;
};

}  // namespace mgw::testing

#endif  // MGW_TEST_FAULTY_KUBE_CLIENT_H_
