#include "proxy/risk_signals.h"

#include <algorithm>
#include <functional>
#include <map>
#include <span>
#include <vector>

#include "proxy/prompt_validation.h"

namespace warden::proxy {
namespace {

// Never 0, which means "no fingerprint".
uint64_t fingerprintOf(std::string_view text) { return std::hash<std::string_view>{}(text) | 1; }

class TextSignalsByIndex {
 public:
  explicit TextSignalsByIndex(const std::vector<RequestText>* texts) {
    if (texts != nullptr) texts_ = *texts;
    known_ = texts != nullptr;
  }

  // Whether the text is part of the system prompt the request opens with.
  // Unknown without the request: a WebSocket session's findings, where a
  // client may add system items mid-session, so none is spared.
  bool opensConversation(uint64_t index) const { return known_ && index < texts_.size() && texts_[index].opening; }

  // The text's signals to fill in; null for an index the request does not have.
  anomaly::TextSignals* at(uint64_t index) {
    if (known_ && index >= texts_.size()) return nullptr;
    auto [it, added] = byIndex_.try_emplace(index);
    if (added && known_) {
      it->second.fingerprint = fingerprintOf(texts_[index].ref->text);
      it->second.newInput = texts_[index].newInput;
    }
    return &it->second;
  }

  std::vector<anomaly::TextSignals> take() {
    std::vector<anomaly::TextSignals> out;
    out.reserve(byIndex_.size());
    for (auto& [index, signals] : byIndex_) out.push_back(signals);
    return out;
  }

 private:
  bool known_ = false;
  std::span<const RequestText> texts_;
  std::map<uint64_t, anomaly::TextSignals> byIndex_;
};

}  // namespace

anomaly::RequestSignals riskSignalsOf(const audit::Event& event, const std::vector<RequestText>* texts,
                                      std::optional<uint64_t> bodyBytes) {
  anomaly::RequestSignals signals;
  signals.bodyBytes = bodyBytes;
  if (event.llm && event.llm->request) signals.model = event.llm->request->model;
  TextSignalsByIndex byIndex(texts);
  if (const auto& validation = event.validation) {
    for (const auto& finding : validation->findings) {
      // Findings under the flag threshold are kept for explanation only;
      // a size limit says nothing about intent.
      if (finding.verdict == "allow" || finding.category == "size-limit") continue;
      // An application's own system prompt reads like an attack to the
      // model ("never reveal these instructions", "you are ..."), and one
      // that embeds the date or the user's name is a new text each time:
      // counted, it would raise every such workload's risk on every request.
      // So the one a request opens with counts from its block threshold;
      // smuggled characters always do. A system message further down is the
      // client's choice of role for what it says mid-conversation, and counts
      // like user text.
      if (finding.verdict != "block" && finding.category != "hidden-text" && byIndex.opensConversation(finding.text)) {
        continue;
      }
      anomaly::TextSignals* text = byIndex.at(finding.text);
      if (text == nullptr) continue;
      if (finding.category == "harmful") {
        text->harmfulScore = std::max(text->harmfulScore, finding.score);
      } else if (finding.category == "hidden-text") {
        text->smuggling = true;
      } else {
        text->attackScore = std::max(text->attackScore, finding.score);
      }
    }
  }
  if (const auto& sensitive = event.sensitiveData) {
    for (const auto& finding : sensitive->findings) {
      anomaly::TextSignals* text = byIndex.at(finding.text);
      if (text == nullptr) continue;
      if (finding.dataClass == "secret") ++text->secrets;
      if (finding.dataClass == "pii") ++text->pii;
    }
  }
  signals.texts = byIndex.take();
  return signals;
}

anomaly::RequestOutcome riskOutcomeOf(const audit::Event& event, bool deniedOnRisk) {
  anomaly::RequestOutcome outcome;
  if (const auto& access = event.access) {
    outcome.denied = access->action == "deny" && access->enforced && !deniedOnRisk;
    outcome.keyTheft =
        std::find(access->flags.begin(), access->flags.end(), "key_theft_suspected") != access->flags.end();
  }
  return outcome;
}

audit::AnomalyRecord anomalyRecordOf(const anomaly::RiskAssessment& assessment) {
  return audit::AnomalyRecord{assessment.score, assessment.reasons, assessment.requests};
}

}  // namespace warden::proxy
