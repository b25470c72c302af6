#include "layers/access/masking/value_checks.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "layers/access/masking/value_span.h"

namespace warden::masking {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isLower(char c) { return c >= 'a' && c <= 'z'; }
bool isAlpha(char c) { return isUpper(c) || isLower(c); }

std::string lowerCase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = isUpper(c) ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

std::string digitsOf(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (isDigit(c)) out += c;
  }
  return out;
}

bool allSame(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) { return c == s.front(); });
}

int characterClasses(std::string_view s) {
  bool lower = false, upper = false, digit = false, other = false;
  for (char c : s) {
    lower |= isLower(c);
    upper |= isUpper(c);
    digit |= isDigit(c);
    other |= !isAlpha(c) && !isDigit(c);
  }
  return int(lower) + int(upper) + int(digit) + int(other);
}

// Words a config or a tutorial puts where the secret goes.
constexpr std::string_view kPlaceholderWords[] = {
    "none",   "null",     "nil",      "true",    "false",   "undefined", "password", "passwd",
    "secret", "token",    "changeme", "example", "sample",  "dummy",     "redacted", "empty",
    "string", "required", "optional", "default", "unknown", "hidden",    "masked",   "test",
};
constexpr std::string_view kPlaceholderParts[] = {
    "xxxx",    "****",  "....",     "####",      "your_",       "your-",   "yourpass", "yoursecret", "yourtoken",
    "yourkey", "<your", "changeme", "change_me", "placeholder", "example", "${",       "{{",         "%(",
    "$(",      "%s",    "0000000",  "<%",        "}}",          "1234567", "7654321",  "abcdefg",
};

bool isPlaceholder(std::string_view value) {
  const std::string lower = lowerCase(value);
  for (std::string_view w : kPlaceholderWords) {
    if (lower == w) return true;
  }
  for (std::string_view p : kPlaceholderParts) {
    if (lower.find(p) != std::string::npos) return true;
  }
  if (value.front() == '<' && value.back() == '>') return true;
  if (value.front() == '[' && value.back() == ']') return true;
  if (value.front() == '$' || value.front() == '%') return true;  // $ENV_VAR, %VAR%
  return allSame(value);
}

// `config.db_password`, `self.token`, `args.key`: a reference, not a value.
bool isIdentifierPath(std::string_view value) {
  if (!isAlpha(value.front()) && value.front() != '_') return false;
  return std::all_of(value.begin(), value.end(),
                     [](char c) { return isAlpha(c) || isDigit(c) || c == '_' || c == '.'; });
}

constexpr std::pair<std::string_view, int> kIbanLengths[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22}, {"BH", 22},
    {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DK", 18}, {"DO", 28},
    {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23},
    {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26},
    {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NL", 18},
    {"NO", 15}, {"PK", 24}, {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"SA", 24},
    {"SC", 31}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24},
    {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
};

}  // namespace

double shannonEntropy(std::string_view value) {
  if (value.empty()) return 0;
  std::array<size_t, 256> counts{};
  for (unsigned char c : value) ++counts[c];
  double bits = 0;
  const double n = static_cast<double>(value.size());
  for (size_t count : counts) {
    if (count == 0) continue;
    const double p = static_cast<double>(count) / n;
    bits -= p * std::log2(p);
  }
  return bits;
}

bool luhnValid(std::string_view number) {
  const std::string digits = digitsOf(number);
  if (digits.size() < 13 || digits.size() > 19 || allSame(digits)) return false;
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice && (d *= 2) > 9) d -= 9;
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

bool ibanValid(std::string_view iban) {
  std::string compact;
  for (char c : iban) {
    if (c == ' ') continue;
    if (isLower(c)) c = static_cast<char>(c - 'a' + 'A');  // written in lower case, still an IBAN
    if (!isDigit(c) && !isUpper(c)) return false;
    compact += c;
  }
  if (compact.size() < 15 || compact.size() > 34) return false;
  const auto known = std::find_if(std::begin(kIbanLengths), std::end(kIbanLengths),
                                  [&](const auto& entry) { return compact.compare(0, 2, entry.first) == 0; });
  if (known == std::end(kIbanLengths) || static_cast<int>(compact.size()) != known->second) return false;
  // Country and check digits move to the end; letters count as 10..35.
  const std::string rotated = compact.substr(4) + compact.substr(0, 4);
  int remainder = 0;
  for (char c : rotated) {
    const int value = isDigit(c) ? c - '0' : c - 'A' + 10;
    remainder = (value >= 10 ? remainder * 100 : remainder * 10) + value;
    remainder %= 97;
  }
  return remainder == 1;
}

bool usSsnValid(std::string_view ssn) {
  const std::string digits = digitsOf(ssn);
  if (digits.size() != 9 || allSame(digits)) return false;
  const std::string_view d = digits;
  if (d.substr(0, 3) == "000" || d.substr(0, 3) == "666" || d[0] == '9') return false;
  if (d.substr(3, 2) == "00" || d.substr(5, 4) == "0000") return false;
  return true;
}

bool ipv4Valid(std::string_view address) {
  int parts = 0;
  size_t i = 0;
  while (i <= address.size()) {
    size_t j = i;
    while (j < address.size() && isDigit(address[j])) ++j;
    const size_t len = j - i;
    if (len == 0 || len > 3 || (len > 1 && address[i] == '0')) return false;
    if (std::stoi(std::string(address.substr(i, len))) > 255) return false;
    ++parts;
    if (j == address.size()) break;
    if (address[j] != '.') return false;
    i = j + 1;
  }
  return parts == 4;
}

bool ipv6Valid(std::string_view address) {
  if (address.size() < 3 || address.size() > 45 || std::count(address.begin(), address.end(), ':') < 2) return false;
  // "::" alone or a run of colons is punctuation, not an address.
  if (std::none_of(address.begin(), address.end(), [](char c) { return c != ':'; })) return false;
  in6_addr parsed{};
  return inet_pton(AF_INET6, std::string(address).c_str(), &parsed) == 1;
}

bool phoneValid(std::string_view number) {
  const std::string digits = digitsOf(number);
  if (digits.size() < 7 || digits.size() > 15 || allSame(digits)) return false;
  // A national number needs separators: a bare run of digits is an id, an amount, a timestamp.
  if (number.front() != '+' && std::all_of(number.begin(), number.end(), isDigit)) return false;
  return true;
}

bool emailValid(std::string_view address) {
  const size_t at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  const std::string_view local = address.substr(0, at);
  const std::string_view domain = address.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  if (domain.find('.') == std::string_view::npos || domain.find("..") != std::string_view::npos) return false;
  size_t start = 0;
  while (start < domain.size()) {
    size_t end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    const std::string_view label = domain.substr(start, end - start);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    start = end + 1;
  }
  const std::string_view tld = domain.substr(domain.rfind('.') + 1);
  return tld.size() >= 2 && std::all_of(tld.begin(), tld.end(), isAlpha);
}

bool secretValueValid(std::string_view value, bool quoted) {
  if (value.size() < 6 || value.size() > kMaxValueBytes) return false;
  if (isPlaceholder(value)) return false;
  if (value.find_first_of("()[]") != std::string_view::npos) return false;  // a call or an index: code
  if (!quoted && isIdentifierPath(value) &&
      (value.find('.') != std::string_view::npos || std::none_of(value.begin(), value.end(), isDigit))) {
    return false;
  }
  const bool hasDigitOrSymbol =
      std::any_of(value.begin(), value.end(), [](char c) { return !isAlpha(c) && c != '_' && c != '-' && c != '.'; });
  // Words (with _ . -) alone read as names; only a long random-looking run is a secret.
  if (!hasDigitOrSymbol) return value.size() >= 16 && shannonEntropy(value) >= 3.5 && characterClasses(value) >= 2;
  return characterClasses(value) >= 2 && shannonEntropy(value) >= 2.0;
}

bool tokenValid(std::string_view value) { return !isPlaceholder(value); }

bool highEntropyValid(std::string_view value) {
  if (value.size() < 16 || value.size() > 4096 || isPlaceholder(value)) return false;
  return characterClasses(value) >= 2 && shannonEntropy(value) >= 3.0;
}

bool passesCheck(ValueCheck check, std::string_view value, bool quoted) {
  if (value.empty()) return false;
  switch (check) {
    case ValueCheck::None:
      return true;
    case ValueCheck::SecretValue:
      return secretValueValid(value, quoted);
    case ValueCheck::HighEntropy:
      return highEntropyValid(value);
    case ValueCheck::Token:
      return tokenValid(value);
    case ValueCheck::Luhn:
      return luhnValid(value);
    case ValueCheck::Iban:
      return ibanValid(value);
    case ValueCheck::UsSsn:
      return usSsnValid(value);
    case ValueCheck::Ipv4:
      return ipv4Valid(value);
    case ValueCheck::Ipv6:
      return ipv6Valid(value);
    case ValueCheck::Phone:
      return phoneValid(value);
    case ValueCheck::Email:
      return emailValid(value);
  }
  return false;
}

}  // namespace warden::masking
