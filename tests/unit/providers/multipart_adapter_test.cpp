#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "provider_test_support.h"
#include "providers/adapter.h"
#include "providers/multipart_request.h"
#include "providers/route.h"

namespace warden::providers {
namespace {

using testing::expectData;
using testing::readPieces;

const std::string kBoundary = "----form7MA4YWxkTrZu0gW";
const std::string kContentType = "multipart/form-data; boundary=" + kBoundary;

struct FormPart {
  std::string name;
  std::string content;
  std::string filename;  // empty: a plain field
  std::string type;
};

std::string form(const std::vector<FormPart>& parts) {
  std::string body;
  for (const auto& p : parts) {
    body += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + p.name + "\"";
    if (!p.filename.empty()) body += "; filename=\"" + p.filename + "\"";
    body += "\r\n";
    if (!p.type.empty()) body += "Content-Type: " + p.type + "\r\n";
    body += "\r\n" + p.content + "\r\n";
  }
  return body + "--" + kBoundary + "--\r\n";
}

Result<Request> parse(const Route& route, const std::string& body, const std::string& contentType = kContentType) {
  const Adapter* adapter = adapterFor(route);
  EXPECT_EQ(adapter, &multipartAdapter());
  if (adapter == nullptr) return Error{"no adapter"};
  return adapter->parseRequest(route, body, {}, contentType);
}

// Built when a test runs, not during static initialisation (the route
// table lives in another translation unit).
Route filesRoute() { return route("api.openai.com", "POST", "/v1/files"); }
Route transcriptionsRoute() { return route("api.openai.com", "POST", "/v1/audio/transcriptions"); }

TEST(MultipartAdapter, FilesUploadOfJsonLinesIsMetadataAndText) {
  const std::string lines = "{\"messages\":[{\"role\":\"user\",\"content\":\"my key is sk-123\"}]}\n{\"x\":1}\n";
  const auto request = parse(
      filesRoute(), form({{"purpose", "fine-tune", "", ""}, {"file", lines, "train.jsonl", "application/jsonl"}}));
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->provider, Provider::OpenAI);
  EXPECT_EQ(request->operation, Operation::Files);
  EXPECT_EQ(request->model, "");
  EXPECT_FALSE(request->stream);
  EXPECT_TRUE(request->inputs.empty());
  ASSERT_EQ(request->messages.size(), 1u);
  const Message& upload = request->messages[0];
  EXPECT_EQ(upload.role, Role::User);
  ASSERT_EQ(upload.parts.size(), 2u);
  expectData(upload.parts[0], Part::Kind::File, "application/jsonl", lines.size(), "train.jsonl");
  EXPECT_EQ(upload.parts[0].formField, "file");
  const Part& text = upload.parts[1];
  EXPECT_EQ(text.kind, Part::Kind::Text);
  EXPECT_EQ(text.text.text, lines);
  EXPECT_EQ(text.text.pointer, "") << "text of an upload cannot be edited in place";
  EXPECT_EQ(text.formField, "file");
}

TEST(MultipartAdapter, AudioTranscriptionReadsModelPromptAndAudioMetadata) {
  const std::string audio("ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x64\x00\xff\xfe", 17);
  const auto request = parse(transcriptionsRoute(), form({{"model", "gpt-4o-transcribe", "", ""},
                                                          {"prompt", "Names: Zoë, Øyvind", "", ""},
                                                          {"temperature", "0.2", "", ""},
                                                          {"language", "no", "", ""},
                                                          {"response_format", "json", "", ""},
                                                          {"stream", "true", "", ""},
                                                          {"file", audio, "meeting.mp3", "audio/mpeg"}}));
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->operation, Operation::AudioTranscriptions);
  EXPECT_EQ(request->model, "gpt-4o-transcribe");
  EXPECT_TRUE(request->stream);
  EXPECT_EQ(request->temperature, 0.2);
  ASSERT_EQ(request->inputs.size(), 1u);
  EXPECT_EQ(request->inputs[0].text, "Names: Zoë, Øyvind");
  EXPECT_EQ(request->inputs[0].pointer, "");
  ASSERT_EQ(request->messages.size(), 1u);
  ASSERT_EQ(request->messages[0].parts.size(), 1u) << "audio has no text part";
  expectData(request->messages[0].parts[0], Part::Kind::Audio, "audio/mpeg", audio.size(), "meeting.mp3");
}

TEST(MultipartAdapter, TranslationsAzureAndCompatibleServersRouteHere) {
  const std::string body = form({{"model", "whisper-1", "", ""}, {"file", "RIFF", "a.wav", ""}});
  const auto translation = parse(route("api.openai.com", "POST", "/v1/audio/translations"), body);
  ASSERT_TRUE(translation.ok()) << translation.error().message;
  EXPECT_EQ(translation->operation, Operation::AudioTranscriptions);
  expectData(translation->messages[0].parts[0], Part::Kind::Audio, "", 4, "a.wav");

  // Azure runs the deployment named in the path.
  const Route azure = route("contoso.openai.azure.com", "POST",
                            "/openai/deployments/whisper-prod/audio/transcriptions?api-version=2024-06-01");
  const auto deployed = parse(azure, body);
  ASSERT_TRUE(deployed.ok()) << deployed.error().message;
  EXPECT_EQ(deployed->provider, Provider::AzureOpenAI);
  EXPECT_EQ(deployed->model, "whisper-prod");

  const auto azureFiles = parse(route("contoso.openai.azure.com", "POST", "/openai/files?api-version=2024-10-21"),
                                form({{"purpose", "assistants", "", ""}, {"file", "x", "a.pdf", "application/pdf"}}));
  ASSERT_TRUE(azureFiles.ok()) << azureFiles.error().message;
  EXPECT_EQ(azureFiles->operation, Operation::Files);
  ASSERT_EQ(azureFiles->messages[0].parts.size(), 1u) << "a PDF is data only";
  expectData(azureFiles->messages[0].parts[0], Part::Kind::File, "application/pdf", 1, "a.pdf");

  const auto local = parse(route("localhost:8000", "POST", "/v1/audio/transcriptions"), body);
  ASSERT_TRUE(local.ok()) << local.error().message;
  EXPECT_EQ(local->model, "whisper-1");
}

TEST(MultipartAdapter, TextFilesAreKnownByTypeOrNameAndMustBeUtf8) {
  const auto request = parse(filesRoute(), form({{"file", "a,b\n1,2\n", "table.CSV", "application/octet-stream"},
                                                 {"file", "# notes", "notes", "text/markdown; charset=utf-8"},
                                                 {"file", "plain\xff\xfe", "bad.txt", "text/plain"},
                                                 {"file", "{\"k\":1}", "", ""},
                                                 {"file", "\x89PNG", "image.png", "image/png"}}));
  ASSERT_TRUE(request.ok()) << request.error().message;
  ASSERT_EQ(request->messages.size(), 5u);
  const auto textOf = [&](size_t i) {
    const auto& parts = request->messages[i].parts;
    return parts.size() == 2 && parts[1].kind == Part::Kind::Text ? parts[1].text.text : std::string("<none>");
  };
  EXPECT_EQ(textOf(0), "a,b\n1,2\n");
  EXPECT_EQ(textOf(1), "# notes");
  EXPECT_EQ(request->messages[1].parts[0].mediaType, "text/markdown");
  EXPECT_EQ(textOf(2), "<none>") << "not UTF-8: data only";
  EXPECT_EQ(textOf(3), "<none>") << "no type or name says it is text";
  EXPECT_EQ(textOf(4), "<none>");
  expectData(request->messages[4].parts[0], Part::Kind::Image, "image/png", 4, "image.png");
}

TEST(MultipartAdapter, TheTextOfALargeFileIsItsFirstEightMiBCutAtACharacter) {
  // "é" is two bytes: the limit falls inside one.
  std::string content(kUploadTextLimit - 1, 'a');
  content += "\xC3\xA9 and more";
  const auto request = parse(filesRoute(), form({{"file", content, "big.txt", "text/plain"}}));
  ASSERT_TRUE(request.ok()) << request.error().message;
  const auto& parts = request->messages[0].parts;
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].bytes, content.size());
  EXPECT_EQ(parts[1].text.text.size(), kUploadTextLimit - 1);
  EXPECT_EQ(parts[1].text.text, content.substr(0, kUploadTextLimit - 1));
}

TEST(MultipartAdapter, UnreadableFormsAreErrorsThatSayWhy) {
  const auto notMultipart = parse(filesRoute(), "{\"file\":\"x\"}", "application/json");
  ASSERT_FALSE(notMultipart.ok());
  EXPECT_NE(notMultipart.error().message.find("not multipart/form-data"), std::string::npos);

  const auto twice =
      parse(transcriptionsRoute(), form({{"model", "whisper-1", "", ""}, {"model", "gpt-4o-transcribe", "", ""}}));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().message, "form field 'model': given twice");

  const auto hot = parse(transcriptionsRoute(), form({{"temperature", "hot", "", ""}}));
  ASSERT_FALSE(hot.ok());
  EXPECT_EQ(hot.error().message, "form field 'temperature': expected a number, got 'hot'");

  const auto stream = parse(transcriptionsRoute(), form({{"stream", "yes", "", ""}}));
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.error().message, "form field 'stream': expected true or false");

  const auto badPrompt = parse(transcriptionsRoute(), form({{"prompt", "\xc3", "", ""}}));
  ASSERT_FALSE(badPrompt.ok());
  EXPECT_EQ(badPrompt.error().message, "form field 'prompt': not valid UTF-8");

  const auto truncated = parse(filesRoute(), form({{"file", "x", "a.txt", "text/plain"}}).substr(0, 90));
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.error().message.find("truncated"), std::string::npos);
}

TEST(MultipartAdapter, TranscriptsAreReadAsJsonPlainTextOrEvents) {
  const auto json = readPieces(multipartAdapter(), transcriptionsRoute(), "application/json",
                               {R"({"text":"Hello there.","usage":{"type":"tokens","input_tokens":14,)",
                                R"("output_tokens":4,"total_tokens":18}})"});
  EXPECT_FALSE(json.failed) << json.failure;
  EXPECT_EQ(json.response.text, "Hello there.");
  EXPECT_EQ(json.response.usage.inputTokens, 14u);
  EXPECT_EQ(json.response.usage.outputTokens, 4u);

  const auto plain = readPieces(multipartAdapter(), transcriptionsRoute(), "text/plain; charset=utf-8",
                                {"1\n00:00:00,000 ", "--> 00:00:01,000\nHi\n"});
  EXPECT_FALSE(plain.failed) << plain.failure;
  EXPECT_EQ(plain.response.text, "1\n00:00:00,000 --> 00:00:01,000\nHi\n");

  const std::string events =
      "data: {\"type\":\"transcript.text.delta\",\"delta\":\"Hel\"}\n\n"
      "data: {\"type\":\"transcript.text.delta\",\"delta\":\"lo\"}\n\n";
  const auto partial = readPieces(multipartAdapter(), transcriptionsRoute(), "text/event-stream", {events});
  EXPECT_FALSE(partial.failed) << partial.failure;
  EXPECT_EQ(partial.response.text, "Hello");
  const auto done = readPieces(multipartAdapter(), transcriptionsRoute(), "text/event-stream",
                               {events,
                                "data: "
                                "{\"type\":\"transcript.text.done\",\"text\":\"Hello.\",\"usage\":{\"input_tokens\":9,"
                                "\"output_tokens\":3}}\n\n"});
  EXPECT_FALSE(done.failed) << done.failure;
  EXPECT_EQ(done.response.text, "Hello.");
  EXPECT_EQ(done.response.usage.outputTokens, 3u);

  const auto error =
      readPieces(multipartAdapter(), transcriptionsRoute(), "application/json",
                 {R"({"error":{"message":"Invalid file format.","type":"invalid_request_error"}})"}, 400);
  EXPECT_EQ(error.response.errorMessage, "Invalid file format.");
  EXPECT_EQ(error.response.text, "");
}

TEST(MultipartAdapter, AFileObjectReplyGivesItsId) {
  const auto reply = readPieces(multipartAdapter(), filesRoute(), "application/json",
                                {R"({"id":"file-abc123","object":"file","bytes":120000,"created_at":1677610602,)"
                                 R"("filename":"train.jsonl","purpose":"fine-tune"})"});
  EXPECT_FALSE(reply.failed) << reply.failure;
  EXPECT_EQ(reply.response.id, "file-abc123");
  EXPECT_EQ(reply.response.text, "");
}

}  // namespace
}  // namespace warden::providers
