// Uploads of the OpenAI API family: files and audio, sent as
// multipart/form-data; the replies are JSON (a file object, a transcript),
// plain text or an event stream of transcript pieces.
#include "providers/adapter.h"
#include "providers/multipart_request.h"
#include "providers/openai_response.h"
#include "providers/transcription_response.h"

namespace warden::providers {
namespace {

class MultipartAdapter final : public Adapter {
 public:
  // A form has no JSON nesting to limit; readMultipart bounds its parts.
  Result<Request> parseRequest(const Route& route, std::string_view body, const ParseLimits& /*limits*/,
                               std::string_view contentType) const override {
    return parseMultipartRequest(route, contentType, body);
  }

  std::unique_ptr<ResponseReader> readResponse(const Route& route, unsigned status,
                                               std::string_view contentType) const override {
    if (route.operation == Operation::AudioTranscriptions) return makeTranscriptionReader(status, contentType);
    return openai::makeJsonReader(route.operation, status);  // a file object: its id
  }
};

}  // namespace

const Adapter& multipartAdapter() {
  static const MultipartAdapter adapter;
  return adapter;
}

}  // namespace warden::providers
