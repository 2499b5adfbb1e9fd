#include "mgw/base/quote.h"

#include <nlohmann/json.hpp>

namespace mgw {

std::string QuoteBytes(std::string_view text, size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  size_t i = 0;
  for (; i < text.size() && out.size() <= max_bytes; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (i < text.size()) out += "...(" + std::to_string(text.size()) + " bytes)";
  return out + "\"";
}

std::string QuoteJson(std::string_view text) {
  std::string out;
  AppendQuotedJson(out, text);
  return out;
}

void AppendQuotedJson(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  const size_t start = out.size();
  out.reserve(start + text.size() + 2);
  out += '"';
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80) {
      // UTF-8, maybe invalid: nlohmann's serializer decides, so both agree.
      using nlohmann::json;
      out.resize(start);
      out += json(text).dump(-1, ' ', false, json::error_handler_t::replace);
      return;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      out += ch;
      continue;
    }
    out += '\\';
    switch (c) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '\b':
        out += 'b';
        break;
      case '\f':
        out += 'f';
        break;
      case '\n':
        out += 'n';
        break;
      case '\r':
        out += 'r';
        break;
      case '\t':
        out += 't';
        break;
      default:
        out += "u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out += '"';
}

}  // namespace mgw
