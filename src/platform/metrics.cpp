#include "mgw/platform/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <variant>

namespace mgw {
namespace {

enum Type { kCounter, kGauge, kHistogram, kCallback };

std::string_view TypeName(int type) {
  switch (type) {
    case kCounter:
      return "counter";
    case kHistogram:
      return "histogram";
    default:
      return "gauge";
  }
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

void AppendEscaped(std::string& out, std::string_view text, bool quotes) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// `{a="x",b="y"}` (plus `extra` as a last pair), or "" for no labels.
std::string LabelText(const std::vector<std::string>& names, const LabelValues& values,
                      std::string_view extra_name = {}, std::string_view extra_value = {}) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out += out.empty() ? "{" : ",";
    out += names[i] + "=\"";
    AppendEscaped(out, i < values.size() ? values[i] : "", true);
    out += '"';
  }
  if (!extra_name.empty()) {
    out += out.empty() ? "{" : ",";
    out += std::string(extra_name) + "=\"" + std::string(extra_value) + "\"";
  }
  if (!out.empty()) out += '}';
  return out;
}

void AppendSample(std::string& out, std::string_view name, const std::string& labels,
                  double value) {
  out.append(name).append(labels).append(" ").append(FormatValue(value)).append("\n");
}

void RenderHistogram(std::string& out, const std::string& name,
                     const std::vector<std::string>& names, const LabelValues& values,
                     const Histogram& h) {
  Histogram::Snapshot s = h.Read();
  for (size_t i = 0; i <= s.upper_bounds.size(); ++i) {
    std::string le = i < s.upper_bounds.size() ? FormatValue(s.upper_bounds[i]) : "+Inf";
    AppendSample(out, name + "_bucket", LabelText(names, values, "le", le),
                 static_cast<double>(s.cumulative[i]));
  }
  AppendSample(out, name + "_sum", LabelText(names, values), s.sum);
  AppendSample(out, name + "_count", LabelText(names, values), static_cast<double>(s.count));
}

}  // namespace

struct MetricsRegistry::Entry {
  std::string name;
  std::string help;
  int type = kCounter;
  std::vector<std::string> label_names;
  std::unique_ptr<CounterFamily> counters;
  std::unique_ptr<GaugeFamily> gauges;
  std::unique_ptr<HistogramFamily> histograms;
  GaugeCallback callback;

  void Render(std::string& out) const;
};

void MetricsRegistry::Entry::Render(std::string& out) const {
  out += "# HELP " + name + " ";
  AppendEscaped(out, help, false);
  out += "\n# TYPE " + name + " " + std::string(TypeName(type)) + "\n";
  if (counters) {
    for (const auto& [values, c] : counters->Children())
      AppendSample(out, name, LabelText(label_names, values), c->Value());
  } else if (gauges) {
    for (const auto& [values, g] : gauges->Children())
      AppendSample(out, name, LabelText(label_names, values), g->Value());
  } else if (histograms) {
    for (const auto& [values, h] : histograms->Children())
      RenderHistogram(out, name, label_names, values, *h);
  } else if (callback) {
    for (const GaugeSample& s : callback())
      AppendSample(out, name, LabelText(label_names, s.labels), s.value);
  }
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

void Counter::Inc(double delta) {
  if (delta > 0) value_.fetch_add(delta, std::memory_order_relaxed);
}

void Gauge::Add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double value) {
  size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                 bounds_.begin());
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_[i];
  sum_ += value;
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.upper_bounds = bounds_;
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t running = 0;
  for (uint64_t c : counts_) s.cumulative.push_back(running += c);
  s.count = running;
  s.sum = sum_;
  return s;
}

template <typename T>
Family<T>::Family(std::vector<std::string> label_names, std::function<std::unique_ptr<T>()> make)
    : label_names_(std::move(label_names)), make_(std::move(make)) {}

template <typename T>
T& Family<T>::WithLabels(LabelValues values) {
  values.resize(label_names_.size());
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<T>& child = children_[std::move(values)];
  if (!child) child = make_();
  return *child;
}

template <typename T>
std::vector<std::pair<LabelValues, const T*>> Family<T>::Children() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<LabelValues, const T*>> out;
  for (const auto& [values, child] : children_) out.emplace_back(values, child.get());
  return out;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Entry* MetricsRegistry::Find(const std::string& name, int type,
                                              const std::vector<std::string>& labels) {
  for (const std::unique_ptr<Entry>& e : entries_) {
    if (e->name != name) continue;
    if (e->type == type && e->label_names == labels) return e.get();
    detached_.push_back(std::make_unique<Entry>());  // conflict: works, never rendered
    return detached_.back().get();
  }
  entries_.push_back(std::make_unique<Entry>());
  return entries_.back().get();
}

CounterFamily& MetricsRegistry::AddCounter(const std::string& name, const std::string& help,
                                           std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry* e = Find(name, kCounter, label_names);
  if (!e->counters) {
    *e = Entry{name, help, kCounter, label_names, nullptr, nullptr, nullptr, nullptr};
    e->counters = std::make_unique<CounterFamily>(std::move(label_names),
                                                  [] { return std::make_unique<Counter>(); });
  }
  return *e->counters;
}

GaugeFamily& MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                                       std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry* e = Find(name, kGauge, label_names);
  if (!e->gauges) {
    *e = Entry{name, help, kGauge, label_names, nullptr, nullptr, nullptr, nullptr};
    e->gauges = std::make_unique<GaugeFamily>(std::move(label_names),
                                              [] { return std::make_unique<Gauge>(); });
  }
  return *e->gauges;
}

HistogramFamily& MetricsRegistry::AddHistogram(const std::string& name, const std::string& help,
                                               std::vector<std::string> label_names,
                                               std::vector<double> upper_bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry* e = Find(name, kHistogram, label_names);
  if (!e->histograms) {
    *e = Entry{name, help, kHistogram, label_names, nullptr, nullptr, nullptr, nullptr};
    e->histograms = std::make_unique<HistogramFamily>(
        std::move(label_names),
        [b = std::move(upper_bounds)] { return std::make_unique<Histogram>(b); });
  }
  return *e->histograms;
}

void MetricsRegistry::AddGaugeCallback(const std::string& name, const std::string& help,
                                       std::vector<std::string> label_names,
                                       GaugeCallback callback) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry* e = Find(name, kCallback, label_names);
  *e = Entry{name, help, kCallback, std::move(label_names), nullptr, nullptr, nullptr, nullptr};
  e->callback = std::move(callback);
}

std::string MetricsRegistry::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const std::unique_ptr<Entry>& e : entries_) e->Render(out);
  return out;
}

}  // namespace mgw
