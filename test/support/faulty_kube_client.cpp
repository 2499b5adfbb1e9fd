#include "support/faulty_kube_client.h"

#include <utility>

namespace mgw::testing {

using nlohmann::json;

std::chrono::steady_clock::time_point FakeSteadyClock::Now() const {
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns_.load()));
}

void FakeSteadyClock::Advance(std::chrono::milliseconds d) {
  ns_ += std::chrono::nanoseconds(d).count();
}

FaultyKubeClient::~FaultyKubeClient() { Hang(false); }

void FaultyKubeClient::Hang(bool hang) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    hang_ = hang;
  }
  cv_.notify_all();
}

void FaultyKubeClient::BeforeNextUpdate(std::function<void()> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  update_hook_ = std::move(hook);
}

Status FaultyKubeClient::Fault() {
  ++calls_;
  if (cut_) {
    ++faults_;
    return UnavailableError("injected partition");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (hang_) {
    ++hung_;
    cv_.wait(lock, [&] { return !hang_; });
  }
  return Status::Ok();
}

void FaultyKubeClient::RunUpdateHook() {
  std::function<void()> hook;
  {
    std::lock_guard<std::mutex> lock(mu_);
    hook = std::exchange(update_hook_, nullptr);
  }
  if (hook) hook();
}

StatusOr<json> FaultyKubeClient::Get(const Gvr& gvr, const std::string& ns,
                                     const std::string& name) {
  MGW_RETURN_IF_ERROR(Fault());
  return inner_.Get(gvr, ns, name);
}

StatusOr<json> FaultyKubeClient::List(const Gvr& gvr, const ListOptions& options) {
  return inner_.List(gvr, options);
}

Status FaultyKubeClient::Watch(const Gvr& gvr, const WatchOptions& options, const WatchSink& sink,
                               std::stop_token stop) {
  return inner_.Watch(gvr, options, sink, stop);
}

StatusOr<json> FaultyKubeClient::Create(const Gvr& gvr, const std::string& ns, const json& object) {
  MGW_RETURN_IF_ERROR(Fault());
  return inner_.Create(gvr, ns, object);
}

StatusOr<json> FaultyKubeClient::Update(const Gvr& gvr, const std::string& ns, const json& object) {
  MGW_RETURN_IF_ERROR(Fault());
  RunUpdateHook();
  return inner_.Update(gvr, ns, object);
}

StatusOr<json> FaultyKubeClient::UpdateStatus(const Gvr& gvr, const std::string& ns,
                                              const json& object) {
  MGW_RETURN_IF_ERROR(Fault());
  RunUpdateHook();
  return inner_.UpdateStatus(gvr, ns, object);
}

StatusOr<json> FaultyKubeClient::Patch(const Gvr& gvr, const std::string& ns,
                                       const std::string& name, PatchType type, const json& patch,
                                       const std::string& subresource) {
  MGW_RETURN_IF_ERROR(Fault());
  return inner_.Patch(gvr, ns, name, type, patch, subresource);
}

StatusOr<json> FaultyKubeClient::Delete(const Gvr& gvr, const std::string& ns,
                                        const std::string& name, const DeleteOptions& options) {
  MGW_RETURN_IF_ERROR(Fault());
  return inner_.Delete(gvr, ns, name, options);
}

}  // namespace mgw::testing
