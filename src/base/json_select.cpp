#include "mgw/base/json_select.h"

#include <vector>

namespace mgw {
namespace {

using ::nlohmann::json;

// Where the next value goes and how it is selected; `slot` null means skip it.
struct Target {
  json* slot = nullptr;
  const JsonSelector* select = nullptr;
};

// A kept array or object being filled.
struct Frame {
  json* container;
  const JsonSelector* select;  // for objects: how their members are chosen
};

// The SAX handler. Skipped subtrees cost one counter; kept values are built as
// nlohmann's DOM parser builds them (duplicate keys: the last one wins).
class Selector {
 public:
  Selector(const JsonSelector& root, const JsonSelectLimits& limits, json& out)
      : root_(root), limits_(limits), out_(out) {}

  const Status& status() const { return status_; }

  bool null() { return Scalar(json()); }
  bool boolean(bool v) { return Scalar(json(v)); }
  bool number_integer(json::number_integer_t v) { return Scalar(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return Scalar(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t& /*text*/) {
    return Scalar(json(v));
  }
  bool string(json::string_t& v) { return Scalar(json(v)); }
  bool binary(json::binary_t& v) { return Scalar(json::binary(v)); }

  bool start_object(size_t /*size*/) {
    const Target t = Next();
    if (t.slot == nullptr) return Skip();
    *t.slot = json::object();
    stack_.push_back({t.slot, t.select});
    return Count();
  }
  bool start_array(size_t /*size*/) {
    const Target t = Next();
    if (t.slot == nullptr) return Skip();
    *t.slot = json::array();
    if (!t.select->keep_all && !t.select->keep_other) {
      ++skip_depth_;  // the type only
    } else {
      stack_.push_back({t.slot, &all_});
    }
    return Count();
  }
  bool key(json::string_t& k) {
    if (!Tick()) return false;
    if (skip_depth_ > 0) return true;
    const Frame& f = stack_.back();
    pending_ = {};
    if (f.select->keep_all) {
      pending_ = {&(*f.container)[k], &all_};
    } else if (auto it = f.select->members.find(k); it != f.select->members.end()) {
      pending_ = {&(*f.container)[k], &it->second};
    }
    return true;
  }
  bool end_object() { return End(); }
  bool end_array() { return End(); }
  bool parse_error(size_t /*position*/, const std::string& /*token*/,
                   const nlohmann::detail::exception& e) {
    status_ = InvalidArgumentError(e.what());
    return false;
  }

 private:
  // The place for the value that starts now.
  Target Next() {
    if (skip_depth_ > 0) return {};
    if (stack_.empty()) return {&out_, &root_};
    const Frame& f = stack_.back();
    if (f.container->is_array()) return {&f.container->emplace_back(), &all_};
    const Target t = pending_;
    pending_ = {};
    return t;
  }
  bool Scalar(json value) {
    const Target t = Next();
    if (t.slot == nullptr) return Tick();
    *t.slot = std::move(value);
    return Count();
  }
  bool Skip() {
    ++skip_depth_;
    return Tick();
  }
  bool End() {
    if (skip_depth_ > 0) {
      --skip_depth_;
    } else {
      stack_.pop_back();
    }
    return Tick();
  }
  bool Count() {
    if (++kept_ > limits_.max_values) {
      status_ = ResourceExhaustedError("more than " + std::to_string(limits_.max_values) +
                                       " values in the parts that are read");
      return false;
    }
    return Tick();
  }
  bool Tick() {
    if (!limits_.deadline || ++events_ % limits_.deadline_check_every != 0) return true;
    if (SteadyNow(limits_.clock) < *limits_.deadline) return true;
    status_ = DeadlineExceededError("the deadline passed while parsing");
    return false;
  }

  const JsonSelector& root_;
  const JsonSelectLimits& limits_;
  json& out_;
  const JsonSelector all_ = JsonSelector::All();
  std::vector<Frame> stack_;
  Target pending_;
  size_t skip_depth_ = 0;
  size_t kept_ = 0;
  size_t events_ = 0;
  Status status_;
};

}  // namespace

JsonSelector JsonSelector::All() {
  JsonSelector s;
  s.keep_all = true;
  return s;
}

Status SelectJson(std::string_view text, const JsonSelector& select, const JsonSelectLimits& limits,
                  json& out) {
  out = json();
  Selector handler(select, limits, out);
  try {
    if (json::sax_parse(text.begin(), text.end(), &handler)) return Status::Ok();
  } catch (const json::exception& e) {
    return InvalidArgumentError(e.what());
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError("out of memory while parsing");
  }
  if (!handler.status().ok()) return handler.status();
  return InternalError("the JSON parser stopped without saying why");
}

}  // namespace mgw
