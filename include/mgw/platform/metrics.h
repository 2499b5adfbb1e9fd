// A small Prometheus metrics registry: counters, gauges (set directly or computed
// by a callback at scrape time) and histograms, each a family with fixed label
// names, rendered in the text exposition format 0.0.4. Thread-safe: samples may
// be updated from any thread while Render runs; references returned by the
// registry and its families stay valid for the registry's lifetime.
#ifndef MGW_PLATFORM_METRICS_H_
#define MGW_PLATFORM_METRICS_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace mgw {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Label values, in the order of the family's label names.
using LabelValues = std::vector<std::string>;

// Prometheus' default histogram buckets (client_golang DefBuckets), which
// controller-runtime's webhook latency histogram uses: 5 ms to 10 s.
std::vector<double> DefaultLatencyBuckets();

class Counter {
 public:
  // Adds `delta` (negative values are ignored: counters only go up).
  void Inc(double delta = 1);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // REQUIRES: `upper_bounds` strictly increasing, without +Inf (always implied).
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<uint64_t> cumulative;  // per bound, then one more for +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  mutable std::mutex mu_;
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // per bucket, non-cumulative; last is +Inf
  double sum_ = 0;
};

// A family of one metric type: one child per distinct label-value tuple, created
// on first use. A tuple of the wrong length is padded or cut to the label count.
template <typename T>
class Family {
 public:
  Family(std::vector<std::string> label_names, std::function<std::unique_ptr<T>()> make);
  T& WithLabels(LabelValues values);
  // Every child, ordered by label values.
  std::vector<std::pair<LabelValues, const T*>> Children() const;
  const std::vector<std::string>& label_names() const { return label_names_; }

 private:
  std::vector<std::string> label_names_;
  std::function<std::unique_ptr<T>()> make_;
  mutable std::mutex mu_;
  std::map<LabelValues, std::unique_ptr<T>> children_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// One sample of a callback gauge.
struct GaugeSample {
  LabelValues labels;
  double value = 0;
};
using GaugeCallback = std::function<std::vector<GaugeSample>()>;

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Registers a family, or returns the one already registered under `name` when
  // its type and label names are the same, so independent modules may share it.
  // A conflicting registration gets a working family that is never rendered.
  // `name` and label names must match [a-zA-Z_:][a-zA-Z0-9_:]*.
  CounterFamily& AddCounter(const std::string& name, const std::string& help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(const std::string& name, const std::string& help,
                        std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(const std::string& name, const std::string& help,
                                std::vector<std::string> label_names,
                                std::vector<double> upper_bounds = DefaultLatencyBuckets());

  // A gauge whose samples `callback` computes at each Render (e.g. a queue depth
  // or a certificate's expiry). The callback runs on the scraping thread with the
  // registry locked: it must be thread-safe and quick, must not call the registry,
  // and may return no samples. Replaces an earlier callback of the same name.
  void AddGaugeCallback(const std::string& name, const std::string& help,
                        std::vector<std::string> label_names, GaugeCallback callback);

  // All families in the text format 0.0.4: "# HELP" and "# TYPE" lines, then one
  // line per sample, in registration order; label values and help are escaped.
  std::string Render() const;

 private:
  struct Entry;
  Entry* Find(const std::string& name, int type, const std::vector<std::string>& labels);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::vector<std::unique_ptr<Entry>> detached_;  // conflicting registrations
};

}  // namespace mgw

#endif  // MGW_PLATFORM_METRICS_H_
