#include "mgw/base/json_select_fast.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <new>

#include <simdjson.h>

namespace mgw {
namespace {

using ::nlohmann::json;
namespace dom = ::simdjson::dom;

// One walk over a parsed document, building what `select` keeps.
class Builder {
 public:
  Builder(std::string_view text, const JsonSelectLimits& limits, JsonCaptures* captures)
      : text_(text), limits_(limits), captures_(captures) {}

  // Builds `element` into `slot` as SelectJson's handler would; false to decline.
  bool Build(dom::element element, const JsonSelector& select, json& slot) {
    if (++kept_ > limits_.max_values) return false;
    switch (element.type()) {
      case dom::element_type::OBJECT:
        return BuildObject(dom::object(element), select, slot);
      case dom::element_type::ARRAY:
        slot = json::array();
        if (!select.keep_all && !select.keep_other) return true;  // the type only
        for (dom::element item : dom::array(element)) {
          if (!Build(item, all_, slot.emplace_back())) return false;
        }
        return true;
      default:
        return Scalar(element, slot);
    }
  }

 private:
  bool BuildObject(dom::object object, const JsonSelector& select, json& slot) {
    slot = json::object();
    for (dom::key_value_pair member : object) {
      const JsonSelector* child = &all_;
      if (!select.keep_all) {
        const auto it = select.members.find(member.key);
        if (it == select.members.end()) continue;
        child = &it->second;
        if (captures_ != nullptr) {
          if (Captured(*child)) {
            if (!Capture(member.value, (*captures_)[static_cast<size_t>(child->capture)])) {
              return false;
            }
            continue;
          }
          // A second copy would replace the first in SelectJson's tree, captures included.
          if (slot.contains(member.key)) return false;
        }
      }
      // operator[] on an existing key reuses it: the last duplicate wins.
      if (!Build(member.value, *child, slot[std::string(member.key)])) return false;
    }
    return true;
  }

  bool Captured(const JsonSelector& select) const {
    return select.capture >= 0 && static_cast<size_t>(select.capture) < captures_->size();
  }

  // Only a string, and only once: anything else is for SelectJson to judge.
  bool Capture(dom::element element, std::optional<std::string>& into) {
    if (++kept_ > limits_.max_values) return false;
    if (element.type() != dom::element_type::STRING || into.has_value()) return false;
    into.emplace(std::string_view(element));
    return true;
  }

  bool Scalar(dom::element element, json& slot) {
    switch (element.type()) {
      case dom::element_type::STRING:
        slot = std::string(std::string_view(element));
        return true;
      case dom::element_type::INT64: {
        const int64_t v = int64_t(element);
        if (v < 0) {
          slot = v;
        } else if (v == 0 && HasNegativeZero()) {
          return false;  // nlohmann keeps "-0" as a signed integer; the DOM cannot tell
        } else {
          slot = static_cast<uint64_t>(v);  // nlohmann: non-negative integers are unsigned
        }
        return true;
      }
      case dom::element_type::UINT64:
        slot = uint64_t(element);
        return true;
      case dom::element_type::DOUBLE:
        slot = double(element);
        return true;
      case dom::element_type::BOOL:
        slot = bool(element);
        return true;
      case dom::element_type::NULL_VALUE:
        slot = nullptr;
        return true;
      default:
        return false;
    }
  }

  bool HasNegativeZero() const { return text_.find("-0") != std::string_view::npos; }

  std::string_view text_;
  const JsonSelectLimits& limits_;
  JsonCaptures* captures_;  // null: build every member, captures or not
  const JsonSelector all_ = JsonSelector::All();
  size_t kept_ = 0;
};

// SelectJson's handler counts one event per scalar, key, container start and
// container end: the same count from the parsed tree, stopping at `cap`.
size_t CountEvents(dom::element element, size_t cap) {
  size_t n = 1;
  if (element.is_object()) {
    for (dom::key_value_pair member : dom::object(element)) {
      if (n >= cap) return n;
      n += 1 + CountEvents(member.value, cap - n);
    }
    return n + 1;
  }
  if (element.is_array()) {
    for (dom::element item : dom::array(element)) {
      if (n >= cap) return n;
      n += CountEvents(item, cap - n);
    }
    return n + 1;
  }
  return n;
}

// This thread's parser, set to refuse nesting deeper than `max_depth`. Its
// buffers are kept across calls; a change of depth re-allocates them.
dom::parser& ThreadParser(size_t max_depth) {
  thread_local dom::parser parser(kMaxFastSelectBytes);
  if (parser.max_depth() != max_depth) {
    const size_t capacity = parser.capacity() > 0 ? parser.capacity() : 4096;
    if (parser.allocate(capacity, max_depth) != simdjson::SUCCESS) {
      throw std::bad_alloc();  // caught below: the caller falls back to SelectJson
    }
  }
  return parser;
}

bool SelectFast(std::string_view text, const JsonSelector& select, const JsonSelectLimits& limits,
                json& out, JsonCaptures* captures) {
  // An empty view may carry a null pointer, which simdjson copies from.
  if (text.empty() || text.size() > kMaxFastSelectBytes) return false;
  try {
    dom::element root;
    dom::parser& parser = ThreadParser(limits.fast_max_depth);
    if (parser.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) {
      return false;
    }
    // Every event takes at least one byte, so a shorter text never reaches a
    // clock read in SelectJson.
    const size_t every = limits.deadline_check_every;
    if (limits.deadline && every > 0 && text.size() >= every && CountEvents(root, every) >= every) {
      return false;
    }
    out = json();
    Builder builder(text, limits, captures);
    return builder.Build(root, select, out);
  } catch (const simdjson::simdjson_error&) {
    return false;  // a type mismatch, which the switches above rule out
  } catch (const std::bad_alloc&) {
    return false;
  }
}

}  // namespace

bool TrySelectJsonFast(std::string_view text, const JsonSelector& select,
                       const JsonSelectLimits& limits, json& out) {
  return SelectFast(text, select, limits, out, nullptr);
}

bool TrySelectJsonFast(std::string_view text, const JsonSelector& select,
                       const JsonSelectLimits& limits, json& out, JsonCaptures& captures) {
  std::fill(captures.begin(), captures.end(), std::nullopt);
  return SelectFast(text, select, limits, out, &captures);
}

}  // namespace mgw
