#include "layers/audit/hash_chain.h"

#include "layers/audit/checkpoint_signer.h"

#include <openssl/evp.h>

#include <fstream>
#include <optional>
#include <nlohmann/json.hpp>

namespace warden::audit {
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";
// Bytes read back from the end of the log to find its last line; an event
// line is far shorter.
constexpr std::streamoff kTailBytes = 1 << 20;

std::optional<Sha256> fromHex(std::string_view hex) {
  Sha256 digest{};
  if (hex.size() != 2 * digest.size()) return std::nullopt;
  for (size_t i = 0; i < digest.size(); ++i) {
    const size_t high = kHexDigits.find(hex[2 * i]);
    const size_t low = kHexDigits.find(hex[2 * i + 1]);
    if (high == std::string_view::npos || low == std::string_view::npos) return std::nullopt;
    digest[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return digest;
}

}  // namespace

std::string toHex(const Sha256& digest) {
  std::string out;
  out.reserve(2 * digest.size());
  for (const unsigned char b : digest) {
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 0xf];
  }
  return out;
}

Sha256 sha256Of(std::string_view bytes) {
  // Fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up in its
  // provider store on every digest, which cost more than hashing an event line.
  static const EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  Sha256 digest{};
  unsigned int length = 0;
  // Fails only if OpenSSL itself is broken; the zero digest then breaks the
  // chain visibly rather than silently.
  (void)EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, sha256 ? sha256 : EVP_sha256(), nullptr);
  return digest;
}

HashChain HashChain::after(std::string_view lastLine) {
  HashChain chain;
  if (lastLine.empty()) return chain;
  chain.head_ = sha256Of(lastLine);
  const auto parsed = nlohmann::json::parse(lastLine, nullptr, false);
  if (parsed.is_object() && parsed.contains("chain") && parsed["chain"].is_object()) {
    const auto& seq = parsed["chain"]["seq"];
    if (seq.is_number_unsigned()) chain.nextSeq_ = seq.get<uint64_t>() + 1;
  }
  return chain;
}

void HashChain::seal(std::string& out, size_t lineStart) {
  // "...}\n" -> "...,"chain":{...}}\n"
  out.resize(out.size() - 2);
  out += ",\"chain\":{\"prev\":\"";
  out += toHex(head_);
  out += "\",\"seq\":";
  out += std::to_string(nextSeq_);
  out += "}}";
  head_ = sha256Of(std::string_view(out).substr(lineStart));
  out += '\n';
  ++nextSeq_;
}

std::string lastCompleteLine(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return {};
  const std::streamoff size = in.tellg();
  if (size <= 0) return {};
  const std::streamoff start = size > kTailBytes ? size - kTailBytes : 0;
  in.seekg(start);
  std::string tail(static_cast<size_t>(size - start), '\0');
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  const size_t end = tail.rfind('\n');
  if (end == std::string::npos || end == 0) return {};  // no line, or an empty one
  const size_t begin = tail.rfind('\n', end - 1);
  const size_t from = begin == std::string::npos ? 0 : begin + 1;
  // Without a newline before it, a line longer than the tail was cut.
  if (begin == std::string::npos && start > 0) return {};
  return tail.substr(from, end - from);
}

ChainReport verifyChain(std::istream& lines, const CheckpointVerifier* verifier) {
  ChainReport report;
  std::string line;
  uint64_t number = 0;
  std::optional<Sha256> previous;
  uint64_t expectedSeq = 0;
  const auto fail = [&](std::string problem) {
    report.ok = false;
    report.problemLine = number;
    report.problem = std::move(problem);
    return report;
  };
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty()) return fail("empty line");
    const auto parsed = nlohmann::json::parse(line, nullptr, false);
    if (!parsed.is_object()) return fail("not a JSON object (a cut or edited line)");
    const auto chain = parsed.find("chain");
    if (chain == parsed.end() || !chain->is_object() || !chain->contains("prev") || !chain->contains("seq") ||
        !(*chain)["prev"].is_string() || !(*chain)["seq"].is_number_unsigned()) {
      return fail("no chain member {prev, seq} (a line not written by wardend, or written before chaining)");
    }
    const std::string prev = (*chain)["prev"].get<std::string>();
    const uint64_t seq = (*chain)["seq"].get<uint64_t>();
    if (previous) {
      if (seq != expectedSeq) {
        if (seq > expectedSeq) {
          return fail("seq " + std::to_string(seq) + " follows seq " + std::to_string(expectedSeq - 1) + ": " +
                      std::to_string(seq - expectedSeq) + " event(s) missing before this line");
        }
        return fail("seq " + std::to_string(seq) + " follows seq " + std::to_string(expectedSeq - 1) +
                    ": lines out of order or repeated");
      }
      if (prev != toHex(*previous)) {
        return fail("prev does not match the SHA-256 of line " + std::to_string(number - 1) +
                    ": that line was altered, or a line was put in its place");
      }
    } else {
      report.firstSeq = seq;
    }
    if (parsed.value("type", "") == "checkpoint") {
      const auto& checkpoint = parsed["checkpoint"];
      if (!checkpoint.is_object() || !checkpoint["head"].is_string() || !checkpoint["seq"].is_number_unsigned() ||
          !checkpoint["signature"].is_string()) {
        return fail("a checkpoint without head, seq and signature");
      }
      if (checkpoint["head"].get<std::string>() != prev || checkpoint["seq"].get<uint64_t>() + 1 != seq) {
        return fail("a checkpoint that does not name the chain where it stands");
      }
      ++report.checkpoints;
      if (verifier != nullptr) {
        const auto digest = fromHex(checkpoint["head"].get<std::string>());
        if (!digest) return fail("a checkpoint whose head is not 64 hex digits");
        const uint64_t covered = checkpoint["seq"].get<uint64_t>();
        if (!verifier->verify(checkpointMessage(*digest, covered), checkpoint["signature"].get<std::string>())) {
          return fail("the checkpoint's signature does not verify with key " + verifier->keyId() +
                      " (signed with another key, or the chain before it was rewritten)");
        }
        ++report.checkpointsVerified;
        report.lastSignedSeq = covered;
      }
    }
    previous = sha256Of(line);
    expectedSeq = seq + 1;
    ++report.lines;
  }
  return report;
}

}  // namespace warden::audit
