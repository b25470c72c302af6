#include "proxy/http_session.h"

#include <array>
#include <chrono>
#include <cstddef>
#include <memory_resource>
#include <optional>
#include <string>

#include "core/log.h"
#include "http/content_decoding.h"
#include "layers/audit/event_log.h"
#include "providers/json_edit.h"
#include "providers/adapter.h"
#include "providers/realtime_session.h"
#include "providers/route.h"
#include "proxy/error_responses.h"
#include "proxy/http_exchange.h"
#include "proxy/http_io.h"
#include "proxy/identity_coding.h"
#include "proxy/offload.h"
#include "proxy/prompt_capture.h"
#include "proxy/prompt_validation.h"
#include "proxy/request_body.h"
#include "proxy/request_decision.h"
#include "proxy/request_head.h"
#include "proxy/realtime_inspection.h"
#include "proxy/request_inspection.h"
#include "proxy/request_metrics.h"
#include "proxy/response_inspection.h"
#include "proxy/risk_signals.h"
#include "proxy/sensitive_data_scan.h"

namespace warden::proxy {
namespace {

using ErrorCode = boost::system::error_code;
using Clock = std::chrono::steady_clock;

// How long we wait for a client to acknowledge our close (TLS close_notify,
// FIN) before dropping the connection.
constexpr auto kCloseGrace = std::chrono::seconds(1);
// Unread request bytes at close() make the kernel send RST, which can destroy
// the response we just wrote; read and discard up to this much first.
constexpr size_t kLingerDrainBytes = 64 * 1024;
// Room for the header fields of a typical request and its response; a
// larger exchange spills over to the heap.
constexpr size_t kFieldArenaBytes = 8 * 1024;
// A body buffer grown past this for one large request is not kept.
constexpr size_t kKeptBodyBytes = 1024 * 1024;
// Requests with up to this many bytes of text are validated on the worker
// itself (about 1 ms of CPU at the engine's speed); larger ones on the
// inspection pool.
constexpr size_t kInlineValidationBytes = 16 * 1024;

// A token of a comma-separated header value, compared without case.
bool hasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (beast::iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

template <class Request>
bool isWebSocketUpgrade(const Request& req) {
  return req.method() == http::verb::get && hasToken(req[http::field::connection], "upgrade") &&
         hasToken(req[http::field::upgrade], "websocket");
}

// How log lines name a request once its event may have gone to the log.
template <class Request>
std::string requestLine(const Request& req) {
  return std::string(req.method_string()) + " " + std::string(req.target());
}

bool isMalformedRequest(const ErrorCode& ec) {
  if (!ec) return false;
  if (ec.category() != http::make_error_code(http::error::end_of_stream).category()) return false;
  return ec != http::error::end_of_stream && ec != http::error::partial_message && ec != http::error::need_more &&
         ec != http::error::need_buffer;
}

class HttpSession final : public ResponseCommit {
 public:
  HttpSession(WorkerContext& worker, Stream client, ConnectionInfo info, const asio::any_io_executor& executor)
      : worker_(worker),
        options_(worker.shared.options),
        client_(std::move(client)),
        info_(std::move(info)),
        executor_(executor),
        idle_(executor, worker.shared.options.idleTimeout, [this] { closeAll(); }) {
    buffer_.reserve(kReadBufferBytes);
    headerLimits_.maxHeaderBytes = options_.maxHeaderBytes;
    headerLimits_.maxHeaderCount = options_.maxHeaderCount;
  }

  asio::awaitable<void> run() {
    // Not `while (co_await ...)`: GCC 12 miscompiles co_await in a condition.
    for (;;) {
      const bool keepGoing = co_await serveOne();
      if (!keepGoing) break;
    }
    co_await closeClient();
  }

 private:
  asio::awaitable<bool> serveOne();
  asio::awaitable<bool> serveUpgrade(RequestParser& request, std::string_view host, audit::Event& event,
                                     Clock::time_point start);
  asio::awaitable<bool> readBody(RequestParser& request, providers::Provider provider, audit::Event& event,
                                 Clock::time_point start);
  // `sanitized`: the edits applied to the body, when layer 1 removed smuggled characters.
  asio::awaitable<bool> validate(RequestParser& request, const providers::Route& route,
                                 const providers::Request& parsed, audit::Event& event, Clock::time_point start,
                                 std::vector<providers::TextEdit>& sanitized);
  // Layer 3's scan of the request's texts (texts_) for secrets and personal
  // data, into `event`. A failed scan (a text with too many findings)
  // refuses only what needs it: a redaction, a capture.
  asio::awaitable<SensitiveScan> scanSensitive(const std::vector<providers::TextEdit>& sanitized, audit::Event& event);
  // Masks the scan's findings in the body (action redact); "" when done,
  // else why it could not be (the request is then refused).
  std::string redact(RequestParser& request, const providers::Request* parsed, SensitiveScan* scan,
                     audit::Event& event);
  Status rewriteBody(RequestParser& request, const std::vector<providers::TextEdit>& edits);
  // Answers the client ourselves (the connection ends after it), and records
  // the event with `error` before the answer goes.
  // retryAfter: sent as Retry-After when non-zero (a budget's 429).
  asio::awaitable<void> refuse(providers::Provider provider, providers::Refusal refusal, const std::string& reason,
                               audit::Event& event, Clock::time_point start, const std::string& error,
                               std::chrono::seconds retryAfter = std::chrono::seconds{0});
  // What the layers read of a request's body, for layer 3.
  struct BodyAsRead {
    const providers::Request* parsed = nullptr;  // null: not read (a WebSocket, an API warden does not read)
    const std::vector<providers::TextEdit>* sanitized = nullptr;
    SensitiveScan* sensitive = nullptr;  // null: not scanned
  };
  // Layer 3 on a request about to be forwarded: false when it was refused
  // (and answered). A brokered key is put into `request`, masks into its body.
  asio::awaitable<bool> admit(RequestParser& request, const providers::Route& route, const BodyAsRead& body,
                              std::string_view host, audit::Event& event, Clock::time_point start,
                              AccessVerdict& verdict);
  // Counts the exchange's tokens against the budgets the request was admitted under.
  void chargeBudgets(const AccessVerdict& verdict, const ResponseInspection* inspection,
                     const providers::Request* parsed);
  struct RecordBeforeRefusal;
  // The event is recorded once per request: finish() hands it to the log
  // and goes on, record() stages it for the spool and untilRecorded()
  // returns once it is there (ResponseCommit).
  // Either moves the event away: read nothing of it after.
  void finish(audit::Event& event, Clock::time_point start, const std::string& error);
  void record(audit::Event& event, Clock::time_point start, const std::string& error);
  bool seal(audit::Event& event, Clock::time_point start, const std::string& error);
  void evaluateRisk(audit::Event& event);
  void countRequestRisk(audit::Event& event, bool forwarded);
  void countRisk(audit::Event& event);
  void applyOutcome(audit::Event& event, const ResponseInspection* inspection, const ExchangeOutcome& outcome);
  void beforeLastWrite(const ExchangeOutcome& soFar) override;
  void beforeUpgrade(const ExchangeOutcome& soFar) override;
  asio::awaitable<void> untilRecorded() override;
  // Sends `request` upstream with the session as its commit point.
  asio::awaitable<ExchangeOutcome> exchange(ClientSide& side, RequestParser& request, audit::Event& event,
                                            Clock::time_point start, const ResponseInspection* inspection);
  // After exchange(): true when the event was recorded at the commit point
  // (nothing more to add to it).
  bool recordedAtCommit(const RequestParser& request, const ExchangeOutcome& outcome) const;
  asio::awaitable<void> closeClient();
  void closeAll();

  WorkerContext& worker_;
  const ProxyOptions& options_;
  Stream client_;
  ConnectionInfo info_;
  asio::any_io_executor executor_;
  beast::flat_buffer buffer_;
  Stream* activeUpstream_ = nullptr;
  Watchdog idle_;
  warden::http::HeaderLimits headerLimits_;
  // Allocated with the session, not per request.
  std::array<char, kBodyPieceBytes> piece_;
  beast::flat_buffer output_;
  std::string body_;  // the current request's body, when it is read whole
  alignas(std::max_align_t) std::array<std::byte, kFieldArenaBytes> fieldSpace_;
  std::pmr::monotonic_buffer_resource fieldArena_{fieldSpace_.data(), fieldSpace_.size()};
  // The current request's event, until it is recorded.
  bool recorded_ = false;
  uint64_t recordTicket_ = 0;  // record()'s, for untilRecorded()
  // Layer 2: the request as read, its body's size when read whole, and
  // whether it was counted and refused on its risk score.
  const providers::Request* parsed_ = nullptr;  // lives in serveOne(), as long as the event
  // Its texts (requestTexts()), listed once for every layer that reads them.
  std::vector<RequestText> texts_;
  size_t textBytes_ = 0;  // theirs together: what validating them reads
  const std::vector<RequestText>* knownTexts() const { return parsed_ != nullptr ? &texts_ : nullptr; }
  std::optional<uint64_t> bodyBytes_;
  // Read once for the decision and kept for the count: the findings they come
  // from do not change in between (masking only marks texts masked).
  std::optional<anomaly::RequestSignals> riskSignals_;
  bool riskCounted_ = false;
  bool deniedOnRisk_ = false;
  std::string openEventId_;        // the current WebSocket session's websocket_open event
  struct Exchanging {
    audit::Event* event = nullptr;
    Clock::time_point start;
    const ResponseInspection* inspection = nullptr;
  } exchanging_;
};

asio::awaitable<bool> HttpSession::serveOne() {
  // The previous exchange's messages are gone: their fields' space is free.
  fieldArena_.release();
  body_.clear();
  if (body_.capacity() > kKeptBodyBytes) std::string().swap(body_);
  RequestParser request(std::piecewise_construct, std::make_tuple(), std::make_tuple(FieldAllocator(&fieldArena_)));
  request.header_limit(options_.maxHeaderBytes);
  request.body_limit(boost::none);
  idle_.touch();
  recorded_ = false;
  recordTicket_ = 0;
  parsed_ = nullptr;
  texts_.clear();
  textBytes_ = 0;
  bodyBytes_.reset();
  riskSignals_.reset();
  riskCounted_ = false;
  deniedOnRisk_ = false;
  openEventId_.clear();
  exchanging_ = {};
  const RequestHead head = co_await readRequestHead(client_, buffer_, request, headerLimits_);
  const auto start = Clock::now();
  auto event = makeEvent(audit::EventType::Request, info_);
  event.bytesFromClient = head.bytes;
  auto& req = request.get();
  event.method = std::string(req.method_string());
  event.path = std::string(req.target());
  event.httpHost = std::string(req[http::field::host]);
  const std::string_view host = event.httpHost.empty() ? std::string_view(info_.sni) : event.httpHost;
  if (!head.violation.empty() || isMalformedRequest(head.error)) {
    // Nothing of it is forwarded, and the stream is no longer at a message
    // boundary we agree on with the client: answer and close.
    const std::string why = "malformed request: " + (head.violation.empty() ? head.error.message() : head.violation);
    co_await refuse(providers::providerForHost(host), providers::Refusal::BadRequest, why, event, start, why);
    co_return false;
  }
  // Nothing but a closed or idle connection: not a request at all.
  if (head.error) co_return false;
  if (worker_.shared.events != nullptr && worker_.shared.events->full()) {
    // A request the audit trail cannot record is not let through
    // (audit.spool.on_full: block); its refusal is still recorded.
    event.decision = "deny";
    co_await refuse(providers::providerForHost(host), providers::Refusal::Unavailable,
                    "the audit spool is full, so requests are refused until it has room", event, start, "");
    co_return false;
  }

  const bool upgrade = isWebSocketUpgrade(req);
  if (upgrade) co_return co_await serveUpgrade(request, host, event, start);

  const providers::Route route = providers::route(host, event.method, event.path);
  auto& llm = event.llm.emplace();
  llm.provider = providers::toString(route.provider);
  llm.operation = providers::toString(route.operation);

  // An API request the adapters read: its whole body first, then the decision.
  const providers::Adapter* adapter = providers::adapterFor(route);
  const bool bodyRead = adapter != nullptr && !request.is_done();
  InspectedRequest inspected;
  if (bodyRead) {
    const bool readWhole = co_await readBody(request, route.provider, event, start);
    if (!readWhole) co_return false;
    bodyBytes_ = body_.size();
  }
  if (adapter != nullptr) {
    const InspectionLimits limits{options_.maxRequestBodyBytes, options_.maxJsonDepth};
    inspected = inspectRequest(*adapter, route, req[http::field::content_type], req[http::field::content_encoding],
                               body_, limits);
    llm.request = requestRecord(inspected);
    if (inspected.request) {
      parsed_ = &*inspected.request;
      texts_ = requestTexts(*parsed_);
      for (const RequestText& text : texts_) textBytes_ += text.ref->text.size();
    }
    if (options_.textHasher && inspected.request) {
      std::vector<std::string_view> texts;
      texts.reserve(texts_.size());
      for (const RequestText& text : texts_) texts.push_back(text.ref->text);
      llm.request->promptHash = options_.textHasher->hash(texts);
    }
  }
  std::vector<providers::TextEdit> sanitized;
  if (adapter != nullptr && options_.promptInspector) {
    bool forward = true;
    if (inspected.request) {
      forward = co_await validate(request, route, *inspected.request, event, start, sanitized);
    } else if (options_.blockUnreadable) {
      // What cannot be read cannot be validated; forwarding it would let a
      // body nested one level too deep past every check.
      forward = false;
      auto& record = event.validation.emplace();
      record.verdict = std::string(validation::verdictName(validation::Verdict::Block));
      record.error = "the body could not be read: " + inspected.failure;
      ProxyStats::bump(worker_.shared.stats.validation[static_cast<size_t>(validation::Verdict::Block)]);
      event.decision = "deny";
      co_await refuse(route.provider, providers::Refusal::BadRequest,
                      "prompt validation could not read the request body (" + inspected.failure +
                          "), so it was not forwarded", event, start, "");
    }
    if (!forward) co_return false;
  }

  const providers::Request* parsed = inspected.request ? &*inspected.request : nullptr;
  std::optional<SensitiveScan> sensitive;
  if (parsed != nullptr && options_.sensitiveDataScanner) {
    sensitive = co_await scanSensitive(sanitized, event);
  }
  AccessVerdict access;
  const BodyAsRead asRead{parsed, &sanitized, sensitive ? &*sensitive : nullptr};
  const bool admitted = co_await admit(request, route, asRead, host, event, start, access);
  if (!admitted) co_return false;

  std::optional<ResponseInspection> responseInspection;
  if (adapter != nullptr) {
    responseInspection.emplace(*adapter, route);
    responseInspection->judgeWith(
        [this, &route](const providers::Response& soFar) { return decideResponse(info_, route, soFar); }, event.id);
  }
  ClientSide side{client_,
                  buffer_,
                  info_,
                  idle_,
                  activeUpstream_,
                  piece_,
                  output_,
                  FieldAllocator(&fieldArena_),
                  bodyRead ? &body_ : nullptr,
                  responseInspection ? &*responseInspection : nullptr};
  ExchangeOutcome outcome =
      co_await exchange(side, request, event, start, responseInspection ? &*responseInspection : nullptr);
  chargeBudgets(access, responseInspection ? &*responseInspection : nullptr, parsed);
  if (recordedAtCommit(request, outcome)) co_return outcome.keepClient;
  applyOutcome(event, responseInspection ? &*responseInspection : nullptr, outcome);
  if (outcome.upstreamUnavailable) {
    if (auto* metrics = worker_.shared.metrics) metrics->recordUpstreamError();
    logger("proxy")->warn("{} {} from {}: {}", event.method, event.path,
                          info_.origin.identity.comm.empty() ? info_.client.toString() : info_.origin.identity.comm,
                          outcome.error);
    co_await refuse(route.provider, providers::Refusal::UpstreamFailure, outcome.error, event, start, outcome.error);
  }
  finish(event, start, outcome.error);
  co_return outcome.keepClient;
}

// Fills in how the exchange went; outcome.error says why and how a refused
// response ended.
void HttpSession::applyOutcome(audit::Event& event, const ResponseInspection* inspection,
                               const ExchangeOutcome& outcome) {
  if (inspection != nullptr && event.llm) event.llm->response = inspection->record(options_.textHasher.get());
  if (event.capture && inspection != nullptr && inspection->response() != nullptr && options_.sensitiveDataScanner) {
    captureCompletion(*event.capture, inspection->response()->text, *options_.sensitiveDataScanner);
  }
  event.bytesFromClient += outcome.bytesFromClient;
  event.bytesToClient += outcome.bytesToClient;
  event.status = outcome.status;
  if (outcome.refusal) event.decision = "deny";
}

// The commit point. Under the block policy a full spool keeps the event in
// memory (EventLog::writeNow) and the response goes on: a full spool refuses
// new requests (serveOne), never holds back one already answered.
void HttpSession::beforeLastWrite(const ExchangeOutcome& soFar) {
  if (exchanging_.event == nullptr) return;
  auto& event = *exchanging_.event;
  applyOutcome(event, exchanging_.inspection, soFar);
  record(event, exchanging_.start, soFar.error);
}

// A session may last hours: its opening is on record before the client can
// send anything through it. The session's own event (written when it ends)
// names this one.
void HttpSession::beforeUpgrade(const ExchangeOutcome& soFar) {
  if (exchanging_.event == nullptr) return;
  audit::Event opened = *exchanging_.event;
  opened.type = audit::EventType::WebSocketOpen;
  opened.id = audit::newEventId();
  opened.status = soFar.status;
  opened.bytesFromClient += soFar.bytesFromClient;
  opened.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - exchanging_.start);
  openEventId_ = opened.id;
  recordTicket_ = worker_.events.stage(std::move(opened));
}

asio::awaitable<ExchangeOutcome> HttpSession::exchange(ClientSide& side, RequestParser& request, audit::Event& event,
                                                       Clock::time_point start,
                                                       const ResponseInspection* inspection) {
  side.commit = this;
  exchanging_ = {&event, start, inspection};
  ExchangeOutcome outcome = co_await forwardRequest(worker_, side, request);
  exchanging_ = {};
  co_return outcome;
}

bool HttpSession::recordedAtCommit(const RequestParser& request, const ExchangeOutcome& outcome) const {
  if (!recorded_) return false;
  // Recorded before the response's last write, which then failed: the
  // event says it was sent, bytes included. Rare enough (the client went
  // away at the last byte) that it is only logged.
  if (!outcome.error.empty()) {
    logger("proxy")->debug("{}: after its event was recorded: {}", requestLine(request.get()), outcome.error);
  }
  return true;
}

asio::awaitable<bool> HttpSession::admit(RequestParser& request, const providers::Route& route, const BodyAsRead& body,
                                         std::string_view host, audit::Event& event, Clock::time_point start,
                                         AccessVerdict& verdict) {
  auto& req = request.get();
  const providers::Request* parsed = body.parsed;
  SensitiveScan* sensitive = body.sensitive;
  // Layer 2 first: policies' riskAbove reads the score with this request's
  // signals counted.
  evaluateRisk(event);
  const double riskScore = event.anomaly ? event.anomaly->score : 0;
  const AccessInput input{info_,
                          route,
                          parsed,
                          &req.base(),
                          event.validation ? &*event.validation : nullptr,
                          host,
                          sensitive ? &sensitive->record : nullptr,
                          riskScore};
  RequestDecision decision = decide(&worker_.shared.access, input);
  verdict = std::move(decision.access);
  deniedOnRisk_ = verdict.refuse && verdict.onRisk;
  if (!verdict.record.action.empty()) event.access = verdict.record;
  event.decision = decision.decision;
  // Captured only where every finding can be masked: with the scan done.
  if (verdict.capture != nullptr && parsed != nullptr && sensitive != nullptr && !sensitive->failed()) {
    event.capture = capturePrompt(verdict.capture->id, texts_, *body.sanitized, *sensitive);
  }
  if (!decision.allow) {
    countRequestRisk(event, /*forwarded=*/false);
    co_await refuse(route.provider, decision.refusal, decision.reason, event, start, "", verdict.retryAfter);
    co_return false;
  }
  if (verdict.redact) {
    const std::string problem = redact(request, parsed, sensitive, event);
    if (!problem.empty()) {
      event.decision = "deny";
      worker_.shared.access.returnRequest(verdict);
      countRequestRisk(event, /*forwarded=*/false);
      co_await refuse(route.provider, providers::Refusal::Forbidden, problem, event, start, problem);
      co_return false;
    }
  }
  countRequestRisk(event, /*forwarded=*/true);
  if (verdict.credential) req.set(verdict.credential->header, verdict.credential->value);
  co_return true;
}

std::string HttpSession::redact(RequestParser& request, const providers::Request* parsed, SensitiveScan* scan,
                                audit::Event& event) {
  if (parsed == nullptr || scan == nullptr) {
    return "the deciding access rule masks secrets and personal data, and warden did not read this request's texts "
           "(a WebSocket session, an API warden does not read, or masking rules not loaded), so it was not "
           "forwarded";
  }
  if (scan->failed()) return "secrets or personal data could not be masked: " + scan->record.error;
  if (scan->texts.empty()) return "";
  if (parsed->operation == providers::Operation::Files ||
      parsed->operation == providers::Operation::AudioTranscriptions) {
    return "the deciding access rule masks secrets and personal data, and some are inside an uploaded file, "
           "which warden cannot rewrite";
  }
  auto edits = maskingEdits(*scan);
  if (auto rewritten = rewriteBody(request, edits); !rewritten) {
    return "secrets or personal data could not be masked: " + rewritten.error().message;
  }
  if (event.sensitiveData) event.sensitiveData->maskedTexts = scan->record.maskedTexts;
  return "";
}

asio::awaitable<SensitiveScan> HttpSession::scanSensitive(const std::vector<providers::TextEdit>& sanitized,
                                                          audit::Event& event) {
  const auto run = [&scanner = *options_.sensitiveDataScanner, this, &sanitized]() noexcept {
    try {
      return scanSensitiveData(scanner, texts_, sanitized);
    } catch (const std::exception& e) {
      SensitiveScan failed;
      failed.record.error = std::string("the scan failed: ") + e.what();
      return failed;
    }
  };
  // As for validation: small requests on the worker, large ones on the pool.
  SensitiveScan scan;
  if (textBytes_ <= kInlineValidationBytes) {
    scan = run();
  } else {
    scan = co_await runOffLoop(worker_.shared.inspectPool, run);
  }
  event.sensitiveData = scan.record;
  co_return scan;
}

void HttpSession::chargeBudgets(const AccessVerdict& verdict, const ResponseInspection* inspection,
                                const providers::Request* parsed) {
  if (verdict.budgets.empty()) return;
  uint64_t tokens = 0;
  std::optional<audit::LlmResponseRecord> response;
  if (inspection != nullptr) response = inspection->record();
  if (response && (response->inputTokens || response->outputTokens)) {
    tokens = response->inputTokens.value_or(0) + response->outputTokens.value_or(0);
  } else if (parsed != nullptr) {
    // The stream reported no usage: the prompt's size stands in for it.
    tokens = access::estimateTokens(textBytes_);
  }
  worker_.shared.access.recordUsage(verdict, tokens);
}

// A WebSocket upgrade: a Realtime session is read event by event, any other
// is relayed and counted. The connection is the session's from then on.
asio::awaitable<bool> HttpSession::serveUpgrade(RequestParser& request, std::string_view host, audit::Event& event,
                                                Clock::time_point start) {
  const auto realtime = providers::realtimeRoute(host, event.path);
  const providers::Route route =
      realtime ? *realtime : providers::Route{.provider = providers::providerForHost(host)};
  auto& llm = event.llm.emplace();
  llm.provider = providers::toString(route.provider);
  llm.operation = providers::toString(route.operation);

  // A WebSocket on an API host that is not a session warden reads would
  // carry prompts past the validation layer unread. Refused before access
  // decides, like an HTTP body validation cannot read: it never went out.
  if (!realtime && options_.promptInspector && options_.blockUnreadable) {
    const std::string reason = "prompt validation cannot read a WebSocket to " + event.path +
                               " (it reads OpenAI Realtime sessions), so it was not opened";
    audit::ValidationRecord record;
    record.verdict = std::string(validation::verdictName(validation::Verdict::Block));
    record.error = reason;
    event.validation = std::move(record);
    event.decision = "deny";
    ProxyStats::bump(worker_.shared.stats.validation[static_cast<size_t>(validation::Verdict::Block)]);
    co_await refuse(route.provider, providers::Refusal::BadRequest, reason, event, start, "");
    co_return false;
  }
  AccessVerdict access;
  if (!co_await admit(request, route, BodyAsRead{}, host, event, start, access)) co_return false;
  std::optional<RealtimeInspection> inspection;
  if (realtime) {
    inspection.emplace(route, RealtimeValidation{options_.promptInspector.get(), options_.blockUnreadable, event.id,
                                                 &worker_.shared.inspectPool});
  }
  ClientSide side{client_, buffer_, info_, idle_, activeUpstream_, piece_, output_, FieldAllocator(&fieldArena_)};
  side.webSocketUpgrade = true;
  side.webSocketTap = inspection ? &*inspection : nullptr;
  // An answer other than 101 is an ordinary response, recorded before its
  // last write; a WebSocket session is recorded when it ends.
  ExchangeOutcome outcome = co_await exchange(side, request, event, start, nullptr);
  if (recordedAtCommit(request, outcome)) co_return outcome.keepClient;
  applyOutcome(event, nullptr, outcome);
  if (outcome.webSocket) {
    event.type = audit::EventType::WebSocket;
    if (inspection) {
      event.llm = inspection->llmRecord(route);
      event.websocket = inspection->webSocketRecord(*outcome.webSocket);
      event.validation = inspection->validationRecord();
      for (size_t v = 0; v < inspection->verdicts().size(); ++v) {
        ProxyStats::bump(worker_.shared.stats.validation[v], inspection->verdicts()[v]);
      }
      if (!outcome.webSocket->refused.empty()) event.decision = "deny";
    } else {
      audit::WebSocketRecord record;
      record.messagesFromClient = outcome.webSocket->messagesFromClient;
      record.messagesToClient = outcome.webSocket->messagesToClient;
      record.uninspected = record.messagesFromClient + record.messagesToClient;
      record.unreadable = outcome.webSocket->unreadable;
      event.websocket = record;
    }
    event.websocket->openEvent = openEventId_;
  } else if (!openEventId_.empty()) {
    // Its opening is on record but the 101 did not reach the client: the
    // session's own event says so, and names it.
    event.type = audit::EventType::WebSocket;
    event.websocket.emplace().openEvent = openEventId_;
  }
  if (outcome.upstreamUnavailable) {
    if (auto* metrics = worker_.shared.metrics) metrics->recordUpstreamError();
    co_await refuse(route.provider, providers::Refusal::UpstreamFailure, outcome.error, event, start, outcome.error);
  }
  finish(event, start, outcome.error);
  co_return outcome.keepClient;
}

// Reads the whole body of a request an adapter reads, within the size limit.
// false: the request was answered or the client failed; the session ends.
asio::awaitable<bool> HttpSession::readBody(RequestParser& request, providers::Provider provider,
                                            audit::Event& event, Clock::time_point start) {
  const uint64_t limit = options_.maxRequestBodyBytes;
  const std::string tooLarge = "the request body is over warden's limit of " + std::to_string(limit) + " bytes";
  // A declared length over the limit is refused before the body is invited.
  if (declaredTooLarge(request, limit)) {
    co_await refuse(provider, providers::Refusal::TooLarge, tooLarge, event, start, tooLarge);
    co_return false;
  }
  auto& req = request.get();
  if (beast::iequals(req[http::field::expect], "100-continue")) {
    // The client holds the body back until told to send it; we read it
    // before the upstream is even chosen, so the answer is ours to give.
    auto [ec, n] = co_await writeContinue(client_);
    event.bytesToClient += n;
    if (ec) {
      finish(event, start, "write 100 Continue to the client: " + ec.message());
      co_return false;
    }
    req.erase(http::field::expect);
  }
  const WholeBody whole = co_await readWholeBody(client_, buffer_, request, piece_, limit, idle_, body_);
  event.bytesFromClient += whole.consumed;
  if (whole.tooLarge) {
    co_await refuse(provider, providers::Refusal::TooLarge, tooLarge, event, start, tooLarge);
    co_return false;
  }
  if (whole.error) {
    finish(event, start, "client stopped sending the request body: " + whole.error.message());
    co_return false;
  }
  co_return true;
}

// Layer 1. false: the request was refused (and the session ends, as for
// every refusal); true: forward it, its body rewritten when sanitised.
asio::awaitable<bool> HttpSession::validate(RequestParser& request, const providers::Route& route,
                                            const providers::Request& parsed, audit::Event& event,
                                            Clock::time_point start, std::vector<providers::TextEdit>& sanitized) {
  const bool multipart = parsed.operation == providers::Operation::Files ||
                         parsed.operation == providers::Operation::AudioTranscriptions;
  // Nothing may escape to the pool thread: an exception there would end
  // the process. What could not be checked is not forwarded.
  const auto check = [&inspector = *options_.promptInspector, this, multipart]() noexcept {
    try {
      return validatePrompt(inspector, texts_, !multipart);
    } catch (const std::exception& e) {
      return unreadPrompt(std::string("validation failed: ") + e.what());
    }
  };
  // Texts of a few kilobytes are checked in well under a millisecond, less
  // than the hop to another thread and back costs in latency; larger ones
  // go to the pool so this worker's other connections keep moving. Counted
  // on the decoded texts: a small compressed body can hold megabytes.
  // Statements, not a conditional expression: GCC 12 miscompiles co_await
  // inside ?: (seen as free() of an invalid pointer).
  PromptValidation checked;
  if (textBytes_ <= kInlineValidationBytes) {
    checked = check();
  } else {
    checked = co_await runOffLoop(worker_.shared.inspectPool, check);
  }
  if (checked.verdict == validation::Verdict::Sanitize && !checked.edits.empty()) {
    if (auto rewritten = rewriteBody(request, checked.edits); !rewritten) {
      checked.verdict = validation::Verdict::Block;
      checked.record.verdict = std::string(validation::verdictName(checked.verdict));
      checked.record.error = rewritten.error().message;
      checked.reason = "prompt validation: hidden characters that could not be removed";
    } else {
      sanitized = std::move(checked.edits);
    }
  }
  ProxyStats::bump(worker_.shared.stats.validation[static_cast<size_t>(checked.verdict)]);
  event.validation = std::move(checked.record);
  if (checked.verdict != validation::Verdict::Block) co_return true;
  event.decision = "deny";
  co_await refuse(route.provider, providers::Refusal::Forbidden, checked.reason, event, start, "");
  co_return false;
}

// The body as forwarded after sanitising: the client's JSON with the edited
// strings, without any Content-Encoding (the edits apply to the decoded text).
Status HttpSession::rewriteBody(RequestParser& request, const std::vector<providers::TextEdit>& edits) {
  auto& req = request.get();
  const std::string_view coding = req[http::field::content_encoding];
  std::string decoded;
  std::string_view json = body_;
  if (!isIdentityCoding(coding)) {
    warden::http::DecodeLimits limits;
    limits.maxOutputBytes = static_cast<size_t>(options_.maxRequestBodyBytes);
    auto plain = warden::http::decodeBody(coding, body_, limits);
    if (!plain) return plain.error().wrap("decode the request body to sanitise it");
    decoded = std::move(plain.value());
    json = decoded;
  }
  auto edited = providers::applyEdits(json, edits);
  if (!edited) return edited.error().wrap("sanitise the request body");
  body_ = std::move(edited.value());
  req.erase(http::field::content_encoding);
  return Status{};
}

// Records a refusal's event just before the refusal goes to the client,
// counting its bytes as sent (as ResponseCommit does: a write that then
// fails leaves them overstated).
struct HttpSession::RecordBeforeRefusal final : LastWriteHook {
  RecordBeforeRefusal(HttpSession& session, audit::Event& event, Clock::time_point start, const std::string& error)
      : session(session), event(event), start(start), error(error) {}
  void beforeLastWrite(size_t bytes) override {
    event.bytesToClient += bytes;
    session.record(event, start, error);
  }
  asio::awaitable<void> untilRecorded() override { return session.untilRecorded(); }

  HttpSession& session;
  audit::Event& event;
  Clock::time_point start;
  const std::string& error;
};

// Answers the client ourselves; the connection ends after this response.
asio::awaitable<void> HttpSession::refuse(providers::Provider provider, providers::Refusal refusal,
                                          const std::string& reason, audit::Event& event, Clock::time_point start,
                                          const std::string& error, std::chrono::seconds retryAfter) {
  auto response = refusalResponse(provider, refusal, reason, event.id);
  if (retryAfter.count() > 0) response.set(http::field::retry_after, std::to_string(retryAfter.count()));
  event.status = static_cast<int>(response.result_int());
  RecordBeforeRefusal hook(*this, event, start, error);
  auto [ec, n] = co_await writeMessage(client_, response, output_, hook);
  if (recorded_) co_return;
  // The answer could not be assembled, so the hook was not told and
  // nothing went: the refusal is recorded all the same, once.
  event.bytesToClient += n;
  const std::string failed = "write the refusal to the client: " + ec.message();
  finish(event, start, error.empty() ? failed : error + "; " + failed);
}

bool HttpSession::seal(audit::Event& event, Clock::time_point start, const std::string& error) {
  if (recorded_) return false;
  recorded_ = true;
  auto& stats = worker_.shared.stats;
  ProxyStats::bump(stats.requests);
  if (!error.empty()) {
    ProxyStats::bump(stats.errors);
    event.error = error;
  }
  event.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  countRisk(event);
  if (auto* metrics = worker_.shared.metrics) recordRequestMetrics(*metrics, event);
  worker_.shared.workloads.noteRequest(event.workload, event.decision, event.time);
  return true;
}

// The workload's score with this request's signals, for access to decide
// with; it is the score the event carries.
void HttpSession::evaluateRisk(audit::Event& event) {
  if (!worker_.shared.risk) return;
  const std::string key = workloadKeyOf(info_);
  if (key.empty()) return;
  riskSignals_ = riskSignalsOf(event, knownTexts(), bodyBytes_);
  event.anomaly =
      anomalyRecordOf(worker_.shared.risk->evaluate(key, *riskSignals_, std::chrono::steady_clock::now()));
}

// Counts the request's signals once: as soon as access has decided it (so
// requests in flight count for the next), or when it is sealed for one
// refused before (by validation, for its size). What a request refused
// carried never went out: only its attempts count.
void HttpSession::countRequestRisk(audit::Event& event, bool forwarded) {
  if (riskCounted_ || !worker_.shared.risk) return;
  riskCounted_ = true;
  const std::string key = workloadKeyOf(info_);
  if (key.empty()) return;
  const auto now = std::chrono::steady_clock::now();
  anomaly::RequestSignals signals =
      riskSignals_ ? std::move(*riskSignals_) : riskSignalsOf(event, knownTexts(), bodyBytes_);
  riskSignals_.reset();
  signals.forwarded = forwarded;
  const auto counted = worker_.shared.risk->commit(key, signals, now);
  // A request access decided keeps the score it was decided with; what it
  // added is what was counted (a refused request's data was not).
  if (event.anomaly) {
    event.anomaly->reasons = counted.reasons;
  } else {
    event.anomaly = anomalyRecordOf(counted);
  }
}

// Every request to an LLM API counts towards its workload's risk, refused
// ones too (a workload that keeps being blocked is probing), and how it
// ended counts towards the next. A WebSocket session's messages count when
// it ends.
void HttpSession::countRisk(audit::Event& event) {
  if (!worker_.shared.risk || !event.llm) return;
  const std::string key = workloadKeyOf(info_);
  if (key.empty()) return;
  const auto now = std::chrono::steady_clock::now();
  if (event.type == audit::EventType::WebSocket) {
    auto signals = riskSignalsOf(event, nullptr, std::nullopt);
    signals.isRequest = false;
    event.anomaly = anomalyRecordOf(worker_.shared.risk->commit(key, signals, now));
  } else if (event.type == audit::EventType::Request) {
    countRequestRisk(event, /*forwarded=*/false);
  } else {
    return;
  }
  auto added = worker_.shared.risk->recordOutcome(key, riskOutcomeOf(event, deniedOnRisk_), now);
  if (event.anomaly) event.anomaly->reasons.insert(event.anomaly->reasons.end(), added.begin(), added.end());
}

void HttpSession::finish(audit::Event& event, Clock::time_point start, const std::string& error) {
  if (seal(event, start, error)) worker_.events.submit(std::move(event));
}

void HttpSession::record(audit::Event& event, Clock::time_point start, const std::string& error) {
  // A log already stopped counts (and logs) the event as dropped.
  if (seal(event, start, error)) recordTicket_ = worker_.events.stage(std::move(event));
}

asio::awaitable<void> HttpSession::untilRecorded() {
  if (recordTicket_ != 0) co_await worker_.events.written(recordTicket_);
}

asio::awaitable<void> HttpSession::closeClient() {
  auto& socket = client_.socket();
  if (!socket.is_open()) co_return;
  Watchdog grace(executor_, kCloseGrace, [&socket] {
    boost::system::error_code ignored;
    socket.close(ignored);
  });
  if (auto* tls = client_.tls()) {
    co_await tls->async_shutdown(kUseTuple);
  }
  ErrorCode ec;
  socket.shutdown(Tcp::socket::shutdown_send, ec);
  std::array<char, 4096> sink;
  size_t drained = 0;
  while (!ec && socket.is_open() && drained < kLingerDrainBytes) {
    auto [readError, n] = co_await socket.async_read_some(asio::buffer(sink), kUseTuple);
    ec = readError;
    drained += n;
  }
  socket.close(ec);
}

void HttpSession::closeAll() {
  boost::system::error_code ignored;
  client_.socket().close(ignored);
  if (activeUpstream_ != nullptr) activeUpstream_->socket().close(ignored);
}

}  // namespace

asio::awaitable<void> serveHttp(WorkerContext& worker, Stream client, ConnectionInfo info) {
  auto executor = co_await asio::this_coro::executor;
  HttpSession session(worker, std::move(client), std::move(info), executor);
  co_await session.run();
}

}  // namespace warden::proxy
