// HTTPS load generator for the webhook: N connections, each a thread with its
// own httplib::SSLClient, POSTing one AdmissionReview body for a duration or a
// request count, then printing throughput, latency percentiles and errors.
// Exit status: 0 all requests answered 200, 1 some failed, 2 usage error.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxConnections = 1024;
constexpr double kMaxDurationSeconds = 3600;
// With only --requests given, a run still stops after this long.
constexpr double kRequestModeCapSeconds = 600;

constexpr char kUsage[] = R"(Usage: webhook_bench [options]
  --url URL                     https://HOST:PORT/PATH (default https://127.0.0.1:9443/validate-mustgather)
  --body FILE                   request body, an AdmissionReview (default bench/mustgather-review.json)
  --ca FILE                     CA to verify the server with; without it verification is off
  --connections N               concurrent connections, one thread each (default 4)
  --duration SECONDS            run time (default 10; with --requests, a cap)
  --requests N                  total requests across all connections
  --new-connection-per-request  a fresh TCP + TLS handshake for every request
  --timeout SECONDS             connect and read timeout per request (default 10)
  --json                        print one JSON object instead of text
)";

struct Options {
  std::string url = "https://127.0.0.1:9443/validate-mustgather";
  std::string host;
  int port = 443;
  std::string path = "/";
  std::string body_file = "bench/mustgather-review.json";
  std::string body;
  std::string ca_file;
  int connections = 4;
  std::optional<double> duration_s;
  int64_t requests = 0;  // 0: run for the duration
  bool new_connection_per_request = false;
  int timeout_s = 10;
  bool json = false;
};

struct WorkerResult {
  std::vector<int64_t> latencies_ns;  // successful requests only
  std::map<std::string, int64_t> errors;
};

struct UsageError {
  std::string message;
};

[[noreturn]] void Fail(const std::string& message) { throw UsageError{message}; }

int64_t ParseInt(const std::string& flag, const std::string& text, int64_t lo, int64_t hi) {
  size_t used = 0;
  int64_t v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || v < lo || v > hi) {
    Fail(flag + " wants a whole number in [" + std::to_string(lo) + ", " + std::to_string(hi) +
         "], got '" + text + "'");
  }
  return v;
}

double ParseSeconds(const std::string& flag, const std::string& text) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !(v > 0) || v > kMaxDurationSeconds) {
    Fail(flag + " wants seconds in (0, 3600], got '" + text + "'");
  }
  return v;
}

// Splits https://HOST[:PORT][/PATH]; HOST may be a bracketed IPv6 literal.
void ParseUrl(Options& o) {
  constexpr std::string_view kScheme = "https://";
  if (o.url.rfind(kScheme, 0) != 0) Fail("--url must start with https://");
  std::string rest = o.url.substr(kScheme.size());
  size_t slash = rest.find('/');
  o.path = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string authority = rest.substr(0, slash);
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    o.port = static_cast<int>(ParseInt("--url port", authority.substr(colon + 1), 1, 65535));
    authority.resize(colon);
  }
  if (authority.size() > 2 && authority.front() == '[' && authority.back() == ']') {
    authority = authority.substr(1, authority.size() - 2);
  }
  if (authority.empty()) Fail("--url has no host");
  o.host = authority;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void ApplyFlag(Options& o, const std::string& flag, const std::string& value) {
  if (flag == "--url")
    o.url = value;
  else if (flag == "--body")
    o.body_file = value;
  else if (flag == "--ca")
    o.ca_file = value;
  else if (flag == "--connections")
    o.connections = static_cast<int>(ParseInt(flag, value, 1, kMaxConnections));
  else if (flag == "--duration")
    o.duration_s = ParseSeconds(flag, value);
  else if (flag == "--requests")
    o.requests = ParseInt(flag, value, 1, int64_t{1} << 40);
  else if (flag == "--timeout")
    o.timeout_s = static_cast<int>(ParseInt(flag, value, 1, 600));
  else
    Fail("unknown flag " + flag);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else if (arg == "--json") {
      o.json = true;
    } else if (arg == "--new-connection-per-request") {
      o.new_connection_per_request = true;
    } else if (size_t eq = arg.find('='); eq != std::string::npos) {
      ApplyFlag(o, arg.substr(0, eq), arg.substr(eq + 1));
    } else if (i + 1 < argc) {
      ApplyFlag(o, arg, argv[++i]);
    } else {
      Fail(arg == "" ? "empty argument" : arg + " needs a value");
    }
  }
  ParseUrl(o);
  o.body = ReadFile(o.body_file);
  return o;
}

std::unique_ptr<httplib::SSLClient> MakeClient(const Options& o) {
  auto client = std::make_unique<httplib::SSLClient>(o.host, o.port);
  if (!o.ca_file.empty()) client->set_ca_cert_path(o.ca_file.c_str());
  client->enable_server_certificate_verification(!o.ca_file.empty());
  // Off: the server closes after each response, so every request does a full handshake.
  client->set_keep_alive(!o.new_connection_per_request);
  // Go's net/http, the apiserver's client, disables Nagle's algorithm; so do we.
  client->set_tcp_nodelay(true);
  client->set_connection_timeout(o.timeout_s, 0);
  client->set_read_timeout(o.timeout_s, 0);
  client->set_write_timeout(o.timeout_s, 0);
  return client;
}

// Takes one request from the shared budget; true while there is work left.
bool TakeRequest(const Options& o, std::atomic<int64_t>& budget, Clock::time_point deadline) {
  if (Clock::now() >= deadline) return false;
  return o.requests == 0 || budget.fetch_sub(1) > 0;
}

void RunWorker(const Options& o, std::atomic<int64_t>& budget, Clock::time_point deadline,
               WorkerResult& out) {
  std::unique_ptr<httplib::SSLClient> client = MakeClient(o);
  while (TakeRequest(o, budget, deadline)) {
    Clock::time_point start = Clock::now();
    httplib::Result res = client->Post(o.path.c_str(), o.body, "application/json");
    int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
    if (!res) {
      ++out.errors[httplib::to_string(res.error())];
    } else if (res->status != 200) {
      ++out.errors["HTTP " + std::to_string(res->status)];
    } else {
      out.latencies_ns.push_back(ns);
    }
  }
}

struct Summary {
  double elapsed_s = 0;
  int64_t ok = 0;
  int64_t failed = 0;
  std::map<std::string, int64_t> errors;
  std::vector<int64_t> latencies_ns;  // sorted
  // Successful requests on the least and the busiest connection: a server whose
  // worker pool is smaller than --connections starves some connections entirely.
  int64_t per_connection_min = 0;
  int64_t per_connection_max = 0;
};

Summary Merge(const std::vector<WorkerResult>& results, double elapsed_s) {
  Summary s;
  s.elapsed_s = elapsed_s;
  s.per_connection_min = std::numeric_limits<int64_t>::max();
  for (const WorkerResult& r : results) {
    auto ok = static_cast<int64_t>(r.latencies_ns.size());
    s.per_connection_min = std::min(s.per_connection_min, ok);
    s.per_connection_max = std::max(s.per_connection_max, ok);
    s.latencies_ns.insert(s.latencies_ns.end(), r.latencies_ns.begin(), r.latencies_ns.end());
    for (const auto& [kind, n] : r.errors) {
      s.errors[kind] += n;
      s.failed += n;
    }
  }
  std::sort(s.latencies_ns.begin(), s.latencies_ns.end());
  s.ok = static_cast<int64_t>(s.latencies_ns.size());
  return s;
}

Summary Run(const Options& o) {
  double seconds = o.duration_s.value_or(o.requests ? kRequestModeCapSeconds : 10.0);
  std::atomic<int64_t> budget{o.requests};
  std::vector<WorkerResult> results(static_cast<size_t>(o.connections));
  std::vector<std::thread> threads;
  Clock::time_point start = Clock::now();
  Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (WorkerResult& r : results) {
    threads.emplace_back(RunWorker, std::cref(o), std::ref(budget), deadline, std::ref(r));
  }
  for (std::thread& t : threads) t.join();
  return Merge(results, std::chrono::duration<double>(Clock::now() - start).count());
}

// Nearest-rank percentile of sorted samples, in milliseconds; 0 when empty.
double PercentileMs(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return static_cast<double>(sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1]) / 1e6;
}

nlohmann::json ToJson(const Options& o, const Summary& s) {
  const auto& l = s.latencies_ns;
  return {
      {"url", o.url},
      {"connections", o.connections},
      {"mode", o.new_connection_per_request ? "new-connection-per-request" : "keep-alive"},
      {"body_bytes", o.body.size()},
      {"elapsed_s", s.elapsed_s},
      {"requests", s.ok + s.failed},
      {"ok", s.ok},
      {"errors", s.failed},
      {"error_kinds", s.errors},
      {"ok_per_connection", {{"min", s.per_connection_min}, {"max", s.per_connection_max}}},
      {"requests_per_s", s.elapsed_s > 0 ? static_cast<double>(s.ok) / s.elapsed_s : 0.0},
      {"latency_ms",
       {{"p50", PercentileMs(l, 50)},
        {"p90", PercentileMs(l, 90)},
        {"p99", PercentileMs(l, 99)},
        {"max", PercentileMs(l, 100)}}},
  };
}

void PrintText(const nlohmann::json& j) {
  const auto& lat = j["latency_ms"];
  std::printf("target      %s (%s, %d connections, %zu-byte body)\n",
              j["url"].get<std::string>().c_str(), j["mode"].get<std::string>().c_str(),
              j["connections"].get<int>(), j["body_bytes"].get<size_t>());
  std::printf("requests    %lld ok, %lld errors in %.2f s\n", j["ok"].get<long long>(),
              j["errors"].get<long long>(), j["elapsed_s"].get<double>());
  std::printf("throughput  %.1f requests/s\n", j["requests_per_s"].get<double>());
  std::printf("fairness    %lld to %lld ok requests per connection\n",
              j["ok_per_connection"]["min"].get<long long>(),
              j["ok_per_connection"]["max"].get<long long>());
  std::printf("latency     p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms\n",
              lat["p50"].get<double>(), lat["p90"].get<double>(), lat["p99"].get<double>(),
              lat["max"].get<double>());
  for (const auto& [kind, n] : j["error_kinds"].items()) {
    std::printf("error       %s: %lld\n", kind.c_str(), n.get<long long>());
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = ParseArgs(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "webhook_bench: " << e.message << "\n" << kUsage;
    return 2;
  }
  Summary summary = Run(options);
  nlohmann::json report = ToJson(options, summary);
  if (options.json) {
    std::cout << report.dump(2) << "\n";
  } else {
    PrintText(report);
  }
  return summary.failed == 0 && summary.ok > 0 ? 0 : 1;
}
