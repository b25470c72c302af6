#include "proxy/response_inspection.h"

#include "providers/native_error.h"
#include "proxy/identity_coding.h"

namespace warden::proxy {
namespace {

// Decoding is for inspection only; past this a response is relayed unread.
constexpr size_t kMaxDecodedResponseBytes = 256u << 20;

}  // namespace

void ResponseInspection::judgeWith(ResponseJudge judge, std::string eventId) {
  judge_ = std::move(judge);
  eventId_ = std::move(eventId);
}

void ResponseInspection::head(unsigned status, const http::response_header<Fields>& header) {
  seen_ = true;
  boundary_.emplace(status, header[http::field::content_type],
                    !isIdentityCoding(header[http::field::content_encoding]));
  startReading(status, header);
  judge();
}

void ResponseInspection::piece(std::string_view bytes) {
  if (boundary_) boundary_->feed(bytes);
  read(bytes);
  judge();
}

void ResponseInspection::startReading(unsigned status, const http::response_header<Fields>& header) {
  const auto contentEncoding = header[http::field::content_encoding];
  if (!isIdentityCoding(contentEncoding)) {
    warden::http::DecodeLimits limits;
    limits.maxOutputBytes = kMaxDecodedResponseBytes;
    auto decoder = warden::http::StreamDecoder::create(contentEncoding, limits);
    if (!decoder) {
      fail(decoder.error().wrap("decode the response body").message);
      return;
    }
    decoder_ = std::move(decoder.value());
  }
  reader_ = adapter_.readResponse(route_, status, header[http::field::content_type]);
}

void ResponseInspection::read(std::string_view bytes) {
  if (!reader_ || ended_) return;
  if (!decoder_) {
    reader_->feed(bytes);
    return;
  }
  auto decoded = decoder_->feed(bytes);
  if (!decoded) {
    fail(decoded.error().wrap("decode the response body").message);
    return;
  }
  if (!decoded->empty()) reader_->feed(*decoded);
}

void ResponseInspection::judge() {
  if (!judge_ || refusedBecause_) return;
  static const providers::Response kNothingRead;
  const ResponseDecision decision = judge_(reader_ ? reader_->response() : kNothingRead);
  if (!decision.allow) refusedBecause_ = decision.reason;
}

std::optional<ResponseRefusal> ResponseInspection::refusal() const {
  if (!refusedBecause_) return std::nullopt;
  ResponseRefusal refusal{*refusedBecause_, eventId_, route_.provider, ""};
  if (boundary_) {
    const std::string error = providers::streamErrorIn(boundary_->framing(), route_.provider,
                                                       providers::Refusal::Forbidden, refusal.reason, eventId_);
    refusal.ending = boundary_->ending(error);
  }
  return refusal;
}

void ResponseInspection::end(bool complete) {
  if (!reader_ || ended_) return;
  if (decoder_ && complete) {
    if (auto finished = decoder_->finish(); !finished) {
      fail(finished.error().wrap("decode the response body").message);
      return;
    }
  }
  ended_ = true;
  reader_->finish();
}

void ResponseInspection::fail(std::string why) {
  failure_ = std::move(why);
  // What was read so far stays in the record; nothing more is fed.
  if (reader_ && !ended_) reader_->finish();
  ended_ = true;
}

std::optional<audit::LlmResponseRecord> ResponseInspection::record(const audit::TextHasher* hasher) const {
  if (!seen_) return std::nullopt;
  audit::LlmResponseRecord record;
  record.parseError = failure_;
  if (!reader_) return record;
  const std::string parseError =
      !record.parseError.empty() ? record.parseError : (reader_->failed() ? reader_->failure() : "");
  record = responseRecord(reader_->response());
  record.parseError = parseError;
  if (hasher != nullptr && !reader_->response().text.empty()) {
    const std::string_view text = reader_->response().text;
    record.completionHash = hasher->hash(std::span<const std::string_view>(&text, 1));
  }
  return record;
}

audit::LlmResponseRecord responseRecord(const providers::Response& response) {
  audit::LlmResponseRecord record;
  record.model = response.model;
  record.finishReason = response.finishReason;
  record.toolCallNames.reserve(response.toolCalls.size());
  for (const auto& call : response.toolCalls) record.toolCallNames.push_back(call.name);
  record.inputTokens = response.usage.inputTokens;
  record.outputTokens = response.usage.outputTokens;
  record.providerError = response.errorMessage.value_or("");
  return record;
}

}  // namespace warden::proxy
