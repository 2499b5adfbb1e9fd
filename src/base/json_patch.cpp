#include "mgw/base/json_patch.h"

#include <array>
#include <cstdint>
#include <utility>

namespace mgw {
namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint8_t kNotBase64 = 0xFF;

// Maps every byte to its 6-bit value, or kNotBase64; indexed by unsigned byte so
// no input can read outside the table.
constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> table{};
  for (auto& entry : table) entry = kNotBase64;
  for (size_t i = 0; i < kBase64Alphabet.size(); ++i) {
    table[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<uint8_t>(i);
  }
  return table;
}
constexpr std::array<uint8_t, 256> kDecodeTable = MakeDecodeTable();

nlohmann::json Op(std::string_view op, const std::vector<std::string>& path) {
  return {{"op", op}, {"path", JsonPointer(path)}};
}

// Number of '=' at the end of a length-checked quantum-aligned text (0, 1 or 2 are
// valid; anything else is reported by the caller).
size_t CountPadding(std::string_view text) {
  size_t pad = 0;
  while (pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  return pad;
}

}  // namespace

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  // One pass handles RFC 6901's ordering rule: a '/' becomes "~1" and its '~' is
  // never escaped again.
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string JsonPointer(const std::vector<std::string>& tokens) {
  std::string out;
  for (const std::string& token : tokens) {
    out += '/';
    out += EscapePointerToken(token);
  }
  return out;
}

PatchBuilder& PatchBuilder::Add(const std::vector<std::string>& path, nlohmann::json value) {
  nlohmann::json op = Op("add", path);
  op["value"] = std::move(value);
  ops_.push_back(std::move(op));
  return *this;
}

PatchBuilder& PatchBuilder::Replace(const std::vector<std::string>& path, nlohmann::json value) {
  nlohmann::json op = Op("replace", path);
  op["value"] = std::move(value);
  ops_.push_back(std::move(op));
  return *this;
}

PatchBuilder& PatchBuilder::Remove(const std::vector<std::string>& path) {
  ops_.push_back(Op("remove", path));
  return *this;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                       static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                       static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 2]));
    for (int shift = 18; shift >= 0; shift -= 6) out += kBase64Alphabet[(n >> shift) & 0x3F];
  }
  const size_t rest = bytes.size() - i;
  if (rest == 0) return out;
  uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
  if (rest == 2) n |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
  out += kBase64Alphabet[(n >> 18) & 0x3F];
  out += kBase64Alphabet[(n >> 12) & 0x3F];
  out += rest == 2 ? kBase64Alphabet[(n >> 6) & 0x3F] : '=';
  out += '=';
  return out;
}

StatusOr<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return InvalidArgumentError("base64 text length " + std::to_string(text.size()) +
                                " is not a multiple of 4");
  }
  const size_t pad = CountPadding(text);
  if (pad > 2) return InvalidArgumentError("base64 text has more than two '=' padding characters");
  const std::string_view data = text.substr(0, text.size() - pad);
  std::string out;
  out.reserve(data.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    const uint8_t v = kDecodeTable[static_cast<unsigned char>(data[i])];
    if (v == kNotBase64) {
      return InvalidArgumentError("invalid base64 character at offset " + std::to_string(i));
    }
    acc = (acc << 6 | v) & 0xFFFFFF;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Leftover bits are the zero fill of the last quantum; RFC 4648 §3.5 lets a
  // decoder reject non-zero fill, which keeps every byte string to one encoding.
  if ((acc & ((1u << bits) - 1)) != 0) {
    return InvalidArgumentError("base64 text has non-zero bits in its final padding");
  }
  return out;
}

}  // namespace mgw
