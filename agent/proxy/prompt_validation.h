// Layer 1 on an inspected request: every text the adapter read (system
// prompts, user turns, tool results, tool descriptions, embedding inputs) in
// reading order, past the validation engine, and what that means for the
// request: forward it, forward it with smuggled characters removed, or
// refuse it.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "layers/audit/event.h"
#include "layers/validation/prompt_inspector.h"
#include "providers/conversation.h"
#include "providers/json_edit.h"

namespace warden::proxy {

// One text of a request and where it came from.
struct RequestText {
  validation::MessagePart part = validation::MessagePart::User;
  const providers::TextRef* ref = nullptr;  // into the request
  // The request's last user message, when no tool exchange follows it (or an
  // embedding or completion input): what the client sends this time for certain. Everything else (system
  // prompts, earlier turns, tool results, tool descriptions) may be the
  // conversation a chat API resends with every turn.
  bool newInput = false;
  // Part of the system (or developer) prompt the conversation opens with:
  // the application's own instructions, before any other message, even an
  // empty one. A system message further down is the client's choice of role.
  bool opening = false;
};

// The texts of a request in the order validatePrompt() inspects them (a
// finding's text index counts in this order): each message's text parts and
// the tool-call arguments it carries, then tool descriptions (they steer the
// model like a system prompt), then embedding and completion inputs. Empty
// texts are left out.
std::vector<RequestText> requestTexts(const providers::Request& request);
// The bytes of those texts: what validating the request reads.
size_t requestTextBytes(const providers::Request& request);

struct PromptValidation {
  validation::Verdict verdict = validation::Verdict::Allow;
  audit::ValidationRecord record;
  // Shown to the client when the request is refused.
  std::string reason;
  // Sanitize: the texts to rewrite in the body before it is forwarded.
  std::vector<providers::TextEdit> edits;
};

// `texts`: requestTexts() of the request, listed once per request and handed
// to each layer that reads them. `rewritable`: the body is JSON the edits can be applied to. When it is not
// (a multipart upload), a text that needs sanitising cannot be rewritten and
// the request is refused instead. An engine failure refuses the request too:
// warden does not forward what it could not inspect.
PromptValidation validatePrompt(const validation::PromptInspector& inspector, std::span<const RequestText> texts,
                                bool rewritable);

// The refusal of a request whose texts could not be validated: `error`
// says why, for the record.
PromptValidation unreadPrompt(std::string error);

}  // namespace warden::proxy
