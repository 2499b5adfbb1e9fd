#include "manifest/yaml_core_schema.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>

#include "mgw/base/quote.h"

namespace mgw {
namespace {

using nlohmann::json;

constexpr std::string_view kCoreTagPrefix = "tag:yaml.org,2002:";

bool AllDigits(std::string_view s, int base) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [base](char c) {
    if (c >= '0' && c <= '9') return c - '0' < base;
    char lower = static_cast<char>(c | 0x20);
    return base == 16 && lower >= 'a' && lower <= 'f';
  });
}

json UnsignedJson(uint64_t u) {
  return u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
             ? json(static_cast<int64_t>(u))
             : json(u);
}

// [-+]?[0-9]+, 0o[0-7]+ or 0x[0-9a-fA-F]+; a decimal beyond 64 bits becomes a float.
std::optional<json> ResolveInt(std::string_view s) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
    int base = s[1] == 'o' ? 8 : 16;
    s.remove_prefix(2);
    uint64_t u = 0;
    if (!AllDigits(s, base) ||
        std::from_chars(s.data(), s.data() + s.size(), u, base).ec != std::errc()) {
      return std::nullopt;
    }
    return UnsignedJson(u);
  }
  bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (!AllDigits(s, 10)) return std::nullopt;
  uint64_t u = 0;
  if (std::from_chars(s.data(), s.data() + s.size(), u).ec == std::errc()) {
    if (!negative) return UnsignedJson(u);
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1) {
      return json(static_cast<int64_t>(0 - u));  // two's complement: exact down to INT64_MIN
    }
  }
  double d = 0;
  std::from_chars(s.data(), s.data() + s.size(), d);
  return json(negative ? -d : d);
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool IsCoreFloat(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (size_t e = s.find_first_of("eE"); e != std::string_view::npos) {
    std::string_view exp = s.substr(e + 1);
    if (!exp.empty() && (exp[0] == '-' || exp[0] == '+')) exp.remove_prefix(1);
    if (!AllDigits(exp, 10)) return false;
    s = s.substr(0, e);
  }
  size_t dot = s.find('.');
  if (dot == std::string_view::npos) return AllDigits(s, 10);
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = s.substr(dot + 1);
  if (whole.empty()) return AllDigits(frac, 10);
  return AllDigits(whole, 10) && (frac.empty() || AllDigits(frac, 10));
}

std::optional<json> ResolveFloat(std::string_view s) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (s == ".nan" || s == ".NaN" || s == ".NAN")
    return json(std::numeric_limits<double>::quiet_NaN());
  bool negative = !s.empty() && s[0] == '-';
  std::string_view body = s.empty() || (s[0] != '-' && s[0] != '+') ? s : s.substr(1);
  if (body == ".inf" || body == ".Inf" || body == ".INF") return json(negative ? -kInf : kInf);
  if (!IsCoreFloat(s)) return std::nullopt;
  double d = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), d);
  if (ec == std::errc::result_out_of_range) {
    d = body.find("e-") != std::string_view::npos || body.find("E-") != std::string_view::npos
            ? 0.0
            : kInf;
  }
  return json(negative ? -d : d);
}

}  // namespace

json ResolvePlainScalar(std::string_view text) {
  std::string_view s = text;
  if (s.empty()) return json(nullptr);
  // Every null, boolean and number of the core schema starts with one of these.
  if (std::string_view("~nNtTfF+-.0123456789").find(s[0]) == std::string_view::npos) return json(s);
  if (s == "~" || s == "null" || s == "Null" || s == "NULL") return json(nullptr);
  if (s == "true" || s == "True" || s == "TRUE") return json(true);
  if (s == "false" || s == "False" || s == "FALSE") return json(false);
  if (std::optional<json> i = ResolveInt(s)) return *std::move(i);
  if (std::optional<json> f = ResolveFloat(s)) return *std::move(f);
  return json(s);
}

StatusOr<json> ResolveTaggedScalar(std::string_view tag, std::string_view text) {
  std::string_view value = text;
  if (tag == "?") return ResolvePlainScalar(value);
  if (!tag.starts_with(kCoreTagPrefix)) return json(value);
  std::string_view type = tag.substr(kCoreTagPrefix.size());
  if (type != "null" && type != "bool" && type != "int" && type != "float") return json(value);
  json v = ResolvePlainScalar(value);
  if (type == "float" && v.is_number()) return json(v.get<double>());
  if ((type == "null" && v.is_null()) || (type == "bool" && v.is_boolean()) ||
      (type == "int" && v.is_number_integer())) {
    return v;
  }
  return InvalidArgumentError(QuoteJson(value) + " is not a valid !!" + std::string(type));
}

}  // namespace mgw
