// Fuzzes the HTTP/1.x request head parser the HTTPS server reads every request
// with: arbitrary bytes as received data, under an 8 KiB limit and a 64-byte one.
// Checks the header's contracts: an error has one of the listed statuses and a
// short one-line reason; a complete head lies within the data and the limit, and
// each shorter prefix of it is incomplete; incomplete data is within the limit; a
// parsed head has a method, a version of 1.0 or 1.1 and findable headers; query
// parameters decode to no more bytes than the query. Any broken check traps.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mgw/net/http_request_head.h"

namespace {

constexpr size_t kMaxMessage = 512;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

void CheckError(const mgw::HeadParse& parse) {
  const int s = parse.status;
  Check(s == 400 || s == 411 || s == 431 || s == 501 || s == 505);
  Check(!parse.error.empty() && parse.error.size() < kMaxMessage);
  Check(parse.error.find('\n') == std::string::npos && parse.error.find('\r') == std::string::npos);
}

void CheckQuery(const std::string& query) {
  for (const std::string_view name : {"timeout", "", "a", "dryRun"}) {
    const std::optional<std::string> value = mgw::QueryParameter(query, name);
    Check(!value || value->size() <= query.size());
  }
}

void CheckComplete(std::string_view data, size_t limit, const mgw::HeadParse& parse) {
  const mgw::RequestHead& head = parse.head;
  Check(parse.consumed > 0 && parse.consumed <= data.size() && parse.consumed <= limit);
  Check(data[parse.consumed - 1] == '\n');
  Check(!head.method.empty() && head.headers.size() <= 100);
  Check(head.minor_version == 0 || head.minor_version == 1);
  Check(!head.expect_continue || head.minor_version == 1);
  for (const auto& [name, value] : head.headers) {
    Check(!name.empty() && head.Header(name).size() <= data.size());
    Check(value.empty() || (value.front() != ' ' && value.back() != ' '));
  }
  // The head ends exactly at `consumed`: one byte less has not arrived yet.
  const mgw::HeadParse shorter = mgw::ParseRequestHead(data.substr(0, parse.consumed - 1), limit);
  Check(shorter.kind == mgw::HeadParse::Kind::kIncomplete);
  // The bytes after the head do not change it.
  const mgw::HeadParse alone = mgw::ParseRequestHead(data.substr(0, parse.consumed), limit);
  Check(alone.kind == mgw::HeadParse::Kind::kComplete && alone.consumed == parse.consumed);
  Check(alone.head.headers == head.headers && alone.head.content_length == head.content_length);
  CheckQuery(head.query);
}

void CheckParse(std::string_view data, size_t limit) {
  const mgw::HeadParse parse = mgw::ParseRequestHead(data, limit);
  switch (parse.kind) {
    case mgw::HeadParse::Kind::kIncomplete:
      Check(data.size() <= limit && parse.consumed == 0 && parse.status == 0);
      break;
    case mgw::HeadParse::Kind::kError:
      CheckError(parse);
      break;
    case mgw::HeadParse::Kind::kComplete:
      CheckComplete(data, limit, parse);
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckParse(text, 8192);
  CheckParse(text, 64);
  CheckQuery(std::string(text));
  return 0;
}
