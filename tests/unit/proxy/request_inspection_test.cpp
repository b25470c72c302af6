#include "proxy/request_inspection.h"

#include <gtest/gtest.h>

#include <string>

#include "providers/route.h"

namespace warden::proxy {
namespace {

const std::string kType = "multipart/form-data; boundary=b0und";

std::string upload() {
  return "--b0und\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nuser_data\r\n"
         "--b0und\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.md\"\r\n"
         "Content-Type: text/markdown\r\n\r\n# secret plans\r\n"
         "--b0und\r\nContent-Disposition: form-data; name=\"file\"; filename=\"chart.png\"\r\n"
         "Content-Type: image/png\r\n\r\n\x89PNG\r\n"
         "--b0und--\r\n";
}

TEST(RequestInspection, UploadsAreReadWithTheirContentTypeAndListedInTheRecord) {
  const auto route = providers::route("api.openai.com", "POST", "/v1/files");
  const auto* adapter = providers::adapterFor(route);
  ASSERT_NE(adapter, nullptr);
  const auto inspected = inspectRequest(*adapter, route, kType, "", upload(), {});
  ASSERT_TRUE(inspected.request) << inspected.failure;
  ASSERT_EQ(inspected.request->messages.size(), 2u);
  EXPECT_EQ(inspected.request->messages[0].parts.back().text.text, "# secret plans");

  const audit::LlmRequestRecord record = requestRecord(inspected);
  EXPECT_TRUE(record.parsed);
  EXPECT_EQ(record.messages, 2u);
  ASSERT_EQ(record.files.size(), 2u) << "a text file's content is not a second file";
  EXPECT_EQ(record.files[0].field, "file");
  EXPECT_EQ(record.files[0].filename, "notes.md");
  EXPECT_EQ(record.files[0].contentType, "text/markdown");
  EXPECT_EQ(record.files[0].bytes, 14u);
  EXPECT_EQ(record.files[1].filename, "chart.png");
  EXPECT_EQ(record.files[1].contentType, "image/png");
  EXPECT_EQ(record.files[1].bytes, 4u);
}

TEST(RequestInspection, AnUploadWithoutItsBoundaryIsForwardedUnreadWithTheReason) {
  const auto route = providers::route("api.openai.com", "POST", "/v1/audio/transcriptions");
  const auto inspected = inspectRequest(*providers::adapterFor(route), route, "multipart/form-data", "", upload(), {});
  EXPECT_FALSE(inspected.request);
  EXPECT_EQ(inspected.failure, "Content-Type multipart/form-data has no boundary parameter");
  const audit::LlmRequestRecord record = requestRecord(inspected);
  EXPECT_FALSE(record.parsed);
  EXPECT_TRUE(record.files.empty());
}

TEST(RequestInspection, JsonRequestsAreReadWhateverTheirContentType) {
  const auto route = providers::route("api.openai.com", "POST", "/v1/chat/completions");
  const auto inspected = inspectRequest(*providers::adapterFor(route), route, "text/plain", "",
                                        R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})", {});
  ASSERT_TRUE(inspected.request) << inspected.failure;
  EXPECT_EQ(inspected.request->model, "gpt-4o");
  EXPECT_TRUE(requestRecord(inspected).files.empty());
}

}  // namespace
}  // namespace warden::proxy
