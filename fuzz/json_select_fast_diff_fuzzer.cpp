// Differential fuzzer: TrySelectJsonFast (simdjson) against SelectJson (nlohmann's
// SAX parser), keeping everything and keeping an AdmissionReview-like subset.
// Whenever the fast path answers, SelectJson must succeed with the identical
// value (number types included); whenever SelectJson fails, the fast path must
// have declined. Any disagreement aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "mgw/base/json_select.h"
#include "mgw/base/json_select_fast.h"

namespace {

using ::nlohmann::json;

void Check(bool condition) {
  if (!condition) std::abort();
}

// Equal values with equal types at every level (json's == calls 1u and 1 equal).
bool Identical(const json& a, const json& b) {
  if (a.type() != b.type() || a != b) return false;
  if (!a.is_structured()) return true;
  if (a.size() != b.size()) return false;
  auto ib = b.begin();
  for (auto ia = a.begin(); ia != a.end(); ++ia, ++ib) {
    if (a.is_object() && ia.key() != ib.key()) return false;
    if (!Identical(*ia, *ib)) return false;
  }
  return true;
}

const mgw::JsonSelector& Subset() {
  static const mgw::JsonSelector* const kSelector = [] {
    auto* s = new mgw::JsonSelector;
    mgw::JsonSelector metadata;
    metadata.members.emplace("name", mgw::JsonSelector::All());
    s->members.emplace("metadata", std::move(metadata));
    s->members.emplace("spec", mgw::JsonSelector::All());
    s->members.emplace("kind", mgw::JsonSelector::All());
    s->keep_other = false;
    return s;
  }();
  return *kSelector;
}

void Compare(std::string_view text, const mgw::JsonSelector& select) {
  mgw::JsonSelectLimits limits;
  limits.max_values = 64;
  json fast;
  const bool answered = mgw::TrySelectJsonFast(text, select, limits, fast);
  json reference;
  const mgw::Status s = mgw::SelectJson(text, select, limits, reference);
  if (!answered) return;
  Check(s.ok());
  Check(Identical(fast, reference));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Compare(text, mgw::JsonSelector::All());
  Compare(text, Subset());
  return 0;
}
