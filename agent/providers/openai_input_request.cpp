// The single-input operations: completions (`prompt`, `suffix`), embeddings
// and moderations (`input`). Their strings go to Request::inputs.
#include "providers/openai_cursor.h"
#include "providers/openai_media.h"
#include "providers/openai_request.h"

namespace warden::providers::openai {
namespace {

bool isTokenId(JsonValue value) { return value.isInteger(); }

// Pre-tokenised input is numbers, not text: accepted, but there is nothing
// to read in it.
bool isTokenList(JsonValue value) {
  if (!value.isArray()) return false;
  for (JsonValue token : value.elements()) {
    if (!isTokenId(token)) return false;
  }
  return true;
}

// A string, or an array of strings, token ids or token-id arrays.
Status readTextOrTokens(JsonValue body, const Cursor& root, std::string_view key, bool required, Request& out) {
  const auto value = member(body, key);
  const Cursor at = root.child(key);
  if (!value) {
    if (required) return at.expected("a string or an array of strings (it is required)");
    return {};
  }
  if (value->isString()) {
    out.inputs.push_back(at.text(value->string()));
    return {};
  }
  if (!value->isArray()) return at.expected("a string or an array of strings");
  size_t i = 0;
  for (JsonValue item : value->elements()) {
    if (item.isString()) {
      out.inputs.push_back(at.child(i).text(item.string()));
    } else if (!isTokenId(item) && !isTokenList(item)) {
      return at.child(i).expected("a string or token ids");
    }
    ++i;
  }
  return {};
}

// Multi-modal moderation input: {"type":"text","text"} and
// {"type":"image_url","image_url":{"url"}}.
Status readModerationPart(JsonValue part, const Cursor& at, Request& out, Message& images) {
  auto type = requiredString(part, at, "type");
  if (!type) return type.error();
  if (*type == "text") {
    auto text = requiredString(part, at, "text");
    if (!text) return text.error();
    out.inputs.push_back(at.child("text").text(*text));
    return {};
  }
  if (*type == "image_url") {
    auto image = requiredObject(part, at, "image_url");
    if (!image) return image.error();
    auto url = requiredString(*image, at.child("image_url"), "url");
    if (!url) return url.error();
    Part imagePart;
    imagePart.kind = Part::Kind::Image;
    setMediaFromUrl(imagePart, *url);
    images.parts.push_back(std::move(imagePart));
    return {};
  }
  return at.child("type").expected("\"text\" or \"image_url\"");
}

}  // namespace

Status readCompletionsRequest(JsonValue body, Request& out) {
  const Cursor root;
  if (auto status = readTextOrTokens(body, root, "prompt", false, out); !status) return status;
  // Text after the insertion point is prompt text too.
  auto suffix = optionalString(body, root, "suffix");
  if (!suffix) return suffix.error();
  if (*suffix) out.inputs.push_back(root.child("suffix").text(**suffix));
  return {};
}

Status readEmbeddingsRequest(JsonValue body, Request& out) {
  return readTextOrTokens(body, Cursor{}, "input", true, out);
}

Status readModerationsRequest(JsonValue body, Request& out) {
  const Cursor root;
  const auto input = member(body, "input");
  const bool multiModal = input && input->isArray() && !input->empty() && (*input->elements().begin()).isObject();
  if (!multiModal) return readTextOrTokens(body, root, "input", true, out);

  // Images have no text to point at: they are kept as a user turn's parts
  // so media policies see them.
  Message images;
  images.role = Role::User;
  const Cursor at = root.child("input");
  size_t i = 0;
  for (JsonValue part : input->elements()) {
    if (!part.isObject()) return at.child(i).expected("an input part object");
    if (auto status = readModerationPart(part, at.child(i), out, images); !status) return status;
    ++i;
  }
  if (!images.parts.empty()) out.messages.push_back(std::move(images));
  return {};
}

}  // namespace warden::providers::openai
