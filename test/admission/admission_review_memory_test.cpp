// How much the AdmissionReview decoder allocates for hostile bodies at the size
// limit: every operator new in this binary is counted, and the peak of live bytes
// during one parse must stay a small multiple of the body. (The full-tree decoder
// peaked at about 40 times the body for these shapes.)
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include <gtest/gtest.h>
#include <malloc.h>

#include "mgw/admission/admission_review.h"
#include "mgw/admission/webhook_http.h"

namespace {

std::atomic<size_t> live{0};
std::atomic<size_t> peak{0};

void* Counted(size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  const size_t now = live += malloc_usable_size(p);
  size_t seen = peak.load();
  while (now > seen && !peak.compare_exchange_weak(seen, now)) {
  }
  return p;
}

void Uncounted(void* p) {
  if (p == nullptr) return;
  live -= malloc_usable_size(p);
  std::free(p);
}

}  // namespace

void* operator new(size_t size) { return Counted(size); }
void* operator new[](size_t size) { return Counted(size); }
void operator delete(void* p) noexcept { Uncounted(p); }
void operator delete[](void* p) noexcept { Uncounted(p); }
void operator delete(void* p, size_t) noexcept { Uncounted(p); }
void operator delete[](void* p, size_t) noexcept { Uncounted(p); }

namespace mgw {
namespace {

// A MustGather CREATE review of about kMaxBodyBytes whose request.object (or
// spec) is `open` + `item` repeated + `close`.
std::string Hostile(const std::string& where, const std::string& open, const std::string& item,
                    const std::string& close) {
  std::string head =
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u",)"
      R"("kind":{"group":"operator.openshift.io","kind":"MustGather"},"operation":"CREATE",)";
  head += where == "spec" ? R"("object":{"metadata":{"name":"m"},"spec":)" : R"("object":)";
  std::string tail = where == "spec" ? "}}}" : "}}";
  std::string body = head + open;
  const size_t room = kMaxBodyBytes - head.size() - tail.size() - close.size() - item.size();
  while (body.size() < room) body += item + ",";
  body += item + close + tail;
  return body;
}

// The peak of live heap bytes during one parse, over what was live before it.
size_t ParsePeak(const std::string& body, bool* ok) {
  const size_t before = live.load();
  peak = before;
  StatusOr<AdmissionRequest> r = ParseAdmissionReview(body);
  *ok = r.ok();
  return peak.load() - before;
}

struct Shape {
  const char* name;
  const char* where;
  const char* open;
  const char* item;
  const char* close;
};

TEST(AdmissionReviewMemoryTest, HostileBodiesStayWithinTwiceTheBody) {
  const Shape shapes[] = {
      {"object {\"x\":[{},...]}", "object", R"({"x":[)", "{}", "]}"},
      {"object [0,...]", "object", "[", "0", "]"},
      {"spec {\"x\":[{},...]}", "spec", R"({"x":[)", "{}", "]}"},
      {"spec [[],...]", "spec", "[", "[]", "]"},
      {"object {\"k0\":0,...}", "object", "{", R"("k":0)", "}"},
  };
  for (const Shape& s : shapes) {
    const std::string body = Hostile(s.where, s.open, s.item, s.close);
    ASSERT_LE(body.size(), kMaxBodyBytes);
    bool ok = false;
    const size_t bytes = ParsePeak(body, &ok);
    std::printf("%-24s body %zu B, parse peak %zu B (%.2fx), %s\n", s.name, body.size(), bytes,
                static_cast<double>(bytes) / static_cast<double>(body.size()),
                ok ? "parsed" : "rejected");
    EXPECT_LE(bytes, 2 * body.size()) << s.name;
  }
}

}  // namespace
}  // namespace mgw
