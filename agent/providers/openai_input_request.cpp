// The single-input operations: completions (`prompt`, `suffix`), embeddings
// and moderations (`input`). Their strings go to Request::inputs.
#include "providers/openai_cursor.h"
#include "providers/openai_media.h"
#include "providers/openai_request.h"

namespace warden::providers::openai {
namespace {

bool isTokenId(const Json& value) { return value.is_number_integer(); }

// Pre-tokenised input is numbers, not text: accepted, but there is nothing
// to read in it.
bool isTokenList(const Json& value) {
  if (!value.is_array()) return false;
  for (const Json& token : value) {
    if (!isTokenId(token)) return false;
  }
  return true;
}

// A string, or an array of strings, token ids or token-id arrays.
Status readTextOrTokens(const Json& body, const Cursor& root, std::string_view key, bool required, Request& out) {
  const Json* value = member(body, key);
  const Cursor at = root.child(key);
  if (value == nullptr) {
    if (required) return at.expected("a string or an array of strings (it is required)");
    return {};
  }
  if (value->is_string()) {
    out.inputs.push_back(at.text(value->get_ref<const std::string&>()));
    return {};
  }
  if (!value->is_array()) return at.expected("a string or an array of strings");
  for (size_t i = 0; i < value->size(); ++i) {
    const Json& item = (*value)[i];
    if (item.is_string()) {
      out.inputs.push_back(at.child(i).text(item.get_ref<const std::string&>()));
    } else if (!isTokenId(item) && !isTokenList(item)) {
      return at.child(i).expected("a string or token ids");
    }
  }
  return {};
}

// Multi-modal moderation input: {"type":"text","text"} and
// {"type":"image_url","image_url":{"url"}}.
Status readModerationPart(const Json& part, const Cursor& at, Request& out, Message& images) {
  auto type = requiredString(part, at, "type");
  if (!type) return type.error();
  if (**type == "text") {
    auto text = requiredString(part, at, "text");
    if (!text) return text.error();
    out.inputs.push_back(at.child("text").text(**text));
    return {};
  }
  if (**type == "image_url") {
    auto image = requiredObject(part, at, "image_url");
    if (!image) return image.error();
    auto url = requiredString(**image, at.child("image_url"), "url");
    if (!url) return url.error();
    Part imagePart;
    imagePart.kind = Part::Kind::Image;
    setMediaFromUrl(imagePart, **url);
    images.parts.push_back(std::move(imagePart));
    return {};
  }
  return at.child("type").expected("\"text\" or \"image_url\"");
}

}  // namespace

Status readCompletionsRequest(const Json& body, Request& out) {
  const Cursor root;
  if (auto status = readTextOrTokens(body, root, "prompt", false, out); !status) return status;
  // Text after the insertion point is prompt text too.
  auto suffix = optionalString(body, root, "suffix");
  if (!suffix) return suffix.error();
  if (*suffix != nullptr) out.inputs.push_back(root.child("suffix").text(**suffix));
  return {};
}

Status readEmbeddingsRequest(const Json& body, Request& out) {
  return readTextOrTokens(body, Cursor{}, "input", true, out);
}

Status readModerationsRequest(const Json& body, Request& out) {
  const Cursor root;
  const Json* input = member(body, "input");
  const bool multiModal = input != nullptr && input->is_array() && !input->empty() && (*input)[0].is_object();
  if (!multiModal) return readTextOrTokens(body, root, "input", true, out);

  // Images have no text to point at: they are kept as a user turn's parts
  // so media policies see them.
  Message images;
  images.role = Role::User;
  const Cursor at = root.child("input");
  for (size_t i = 0; i < input->size(); ++i) {
    const Json& part = (*input)[i];
    if (!part.is_object()) return at.child(i).expected("an input part object");
    if (auto status = readModerationPart(part, at.child(i), out, images); !status) return status;
  }
  if (!images.parts.empty()) out.messages.push_back(std::move(images));
  return {};
}

}  // namespace warden::providers::openai
