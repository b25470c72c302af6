#include "http/multipart.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/header_parameters.h"

namespace warden::http {
namespace {

const std::string kType = "multipart/form-data; boundary=XyZ";

// A part as clients write it: header lines, a blank line, the content.
std::string part(const std::string& disposition, const std::string& content, const std::string& extra = "") {
  return "--XyZ\r\nContent-Disposition: " + disposition + "\r\n" + extra + "\r\n" + content + "\r\n";
}

const std::string kClose = "--XyZ--\r\n";

std::vector<MultipartPart> read(const std::string& body, const std::string& type = kType) {
  auto parts = readMultipart(type, body);
  EXPECT_TRUE(parts.ok()) << parts.error().message;
  return parts.ok() ? *parts : std::vector<MultipartPart>{};
}

std::string failure(const std::string& body, const std::string& type = kType, const MultipartLimits& limits = {}) {
  auto parts = readMultipart(type, body, limits);
  EXPECT_FALSE(parts.ok()) << "read " << (parts.ok() ? parts->size() : 0) << " parts";
  return parts.ok() ? "" : parts.error().message;
}

TEST(Multipart, ReadsFieldsAndFilesWithTheirTypes) {
  const std::string body =
      part("form-data; name=\"purpose\"", "batch") +
      part("form-data; name=\"file\"; filename=\"in.jsonl\"", "{\"a\":1}\n", "Content-Type: application/jsonl\r\n") +
      kClose;
  const auto parts = read(body);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "purpose");
  EXPECT_FALSE(parts[0].filename.has_value());
  EXPECT_EQ(parts[0].contentType, "");
  EXPECT_EQ(parts[0].body, "batch");
  EXPECT_EQ(parts[1].name, "file");
  EXPECT_EQ(parts[1].filename, "in.jsonl");
  EXPECT_EQ(parts[1].contentType, "application/jsonl");
  EXPECT_EQ(parts[1].body, "{\"a\":1}\n");
  // Views into the body, not copies.
  EXPECT_GE(parts[1].body.data(), body.data());
  EXPECT_LE(parts[1].body.data() + parts[1].body.size(), body.data() + body.size());
}

TEST(Multipart, BoundaryQuotedOrNotAndParametersInAnyCase) {
  const std::string body = part("form-data; name=a", "1") + kClose;
  for (const std::string type : {"multipart/form-data; boundary=XyZ", "multipart/form-data; boundary=\"XyZ\"",
                                 "Multipart/Form-Data;BOUNDARY=XyZ", "multipart/form-data; charset=utf-8; boundary=XyZ",
                                 "multipart/form-data ; boundary=XyZ ;"}) {
    const auto parts = read(body, type);
    ASSERT_EQ(parts.size(), 1u) << type;
    EXPECT_EQ(parts[0].body, "1") << type;
  }
  // A boundary with characters only a quoted string may hold.
  const std::string spaced = "--a b:c?\r\nContent-Disposition: form-data; name=x\r\n\r\nv\r\n--a b:c?--";
  const auto parts = read(spaced, "multipart/form-data; boundary=\"a b:c?\"");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].body, "v");
}

TEST(Multipart, ContentTypeWithoutAUsableBoundaryIsRefused) {
  const std::string body = part("form-data; name=a", "1") + kClose;
  EXPECT_NE(failure(body, "multipart/form-data").find("no boundary parameter"), std::string::npos);
  EXPECT_NE(failure(body, "").find("no Content-Type"), std::string::npos);
  EXPECT_NE(failure(body, "application/json").find("not multipart/form-data"), std::string::npos);
  EXPECT_NE(failure(body, "multipart/mixed; boundary=XyZ").find("not multipart/form-data"), std::string::npos);
  EXPECT_NE(failure(body, "multipart/form-data; boundary=").find("token or a quoted string"), std::string::npos);
  EXPECT_NE(failure(body, "multipart/form-data; boundary=\"\"").find("RFC 2046"), std::string::npos);
  EXPECT_NE(failure(body, "multipart/form-data; boundary=\"XyZ \"").find("RFC 2046"), std::string::npos);
  EXPECT_NE(failure(body, "multipart/form-data; boundary=" + std::string(71, 'a')).find("RFC 2046"), std::string::npos);
  EXPECT_NE(failure(body, "multipart/form-data; boundary=XyZ; boundary=abc").find("given twice"), std::string::npos);
  EXPECT_NE(failure(body, "multipart/form-data; boundary=\"XyZ").find("unterminated"), std::string::npos);
  EXPECT_NE(failure(body, "multipart/form-data; boundary=XyZ x").find("expected ';'"), std::string::npos);
}

TEST(Multipart, FilenameStarIsDecodedAndPreferred) {
  const std::string body =
      part("form-data; name=\"file\"; filename=\"fallback.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt", "x") +
      part("form-data; name=\"latin\"; filename*=iso-8859-1'en'caf%E9.md", "y") +
      part("form-data; name=\"quoted\"; filename=\"say \\\"hi\\\".txt\"", "z") + kClose;
  const auto parts = read(body);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].filename, "\xE2\x82\xAC rates.txt");
  EXPECT_EQ(parts[1].filename, "caf\xC3\xA9.md");
  EXPECT_EQ(parts[2].filename, "say \"hi\".txt");

  EXPECT_NE(failure(part("form-data; name=f; filename*=UTF-8''%FF.txt", "x") + kClose).find("not valid UTF-8"),
            std::string::npos);
  EXPECT_NE(failure(part("form-data; name=f; filename*=UTF-16''a", "x") + kClose).find("charset"), std::string::npos);
  EXPECT_NE(failure(part("form-data; name=f; filename*=UTF-8''a%2", "x") + kClose).find("two hex digits"),
            std::string::npos);
  EXPECT_NE(failure(part("form-data; name=f; filename*=a.txt", "x") + kClose).find("charset'language'value"),
            std::string::npos);
}

TEST(Multipart, LineEndingsAreExactlyCrlf) {
  // The CRLF before a delimiter belongs to the delimiter: content keeps its own.
  // Parts are views into the body: keep it alive while they are read.
  const std::string keptBody = part("form-data; name=a", "line\r\n") + kClose;
  const auto kept = read(keptBody);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].body, "line\r\n");
  // An empty part, and one whose content is only CRLF.
  const std::string emptyBody = part("form-data; name=a", "") + part("form-data; name=b", "\r\n") + kClose;
  const auto empty = read(emptyBody);
  ASSERT_EQ(empty.size(), 2u);
  EXPECT_EQ(empty[0].body, "");
  EXPECT_EQ(empty[1].body, "\r\n");
  // The close delimiter may end the body or be followed by one CRLF.
  EXPECT_EQ(read(part("form-data; name=a", "1") + "--XyZ--").size(), 1u);
  // A body of no parts at all (an empty form).
  EXPECT_TRUE(read("--XyZ--\r\n").empty());

  // LF alone does not end a header line or a delimiter line.
  EXPECT_NE(failure("--XyZ\nContent-Disposition: form-data; name=a\n\n1\n--XyZ--").find("other than CRLF"),
            std::string::npos);
  EXPECT_NE(failure("--XyZ\r\nContent-Disposition: form-data; name=a\nX: y\r\n\r\n1\r\n--XyZ--").find("bare CR"),
            std::string::npos);
  EXPECT_NE(failure("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\n--XyZ--").find("truncated"),
            std::string::npos);
  EXPECT_NE(failure(part("form-data; name=a", "1", " folded\r\n") + kClose).find("folding"), std::string::npos);
  EXPECT_NE(failure(part("form-data; name=a", "1") + kClose + "epilogue").find("after the closing"), std::string::npos);
  EXPECT_NE(failure("preamble\r\n" + part("form-data; name=a", "1") + kClose).find("does not start"),
            std::string::npos);
  EXPECT_NE(failure("--XyZ \r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--").find("other than CRLF"),
            std::string::npos);
}

TEST(Multipart, TruncatedBodiesAreRefused) {
  const std::string whole = part("form-data; name=\"file\"; filename=\"a.txt\"", "content") + kClose;
  // Every cut short of the close delimiter is an error; cut after it, fine.
  const size_t closed = whole.size() - 2;
  for (size_t cut = 0; cut < closed; ++cut) {
    const std::string body = whole.substr(0, cut);
    EXPECT_FALSE(readMultipart(kType, body).ok()) << "cut at " << cut << ": " << body;
  }
  EXPECT_TRUE(readMultipart(kType, whole.substr(0, closed)).ok());
  EXPECT_NE(failure(part("form-data; name=a", "1")).find("truncated"), std::string::npos);
  EXPECT_NE(failure("--XyZ\r\nContent-Disposition: form-data; name=a\r\n").find("truncated"), std::string::npos);
}

TEST(Multipart, ContentThatNearlyMatchesTheBoundaryIsContent) {
  const std::string content = "mid-line --XyZ\r\n-XyZ\r\n--XyY\r\n--Xy\r\n\r\n\r--XyZ";
  const std::string body = part("form-data; name=a", "--XyY") + part("form-data; name=b", content) + kClose;
  const auto parts = read(body);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].body, "--XyY");
  EXPECT_EQ(parts[1].body, content);
}

TEST(Multipart, TheBoundaryAtALineStartOfContentIsRefused) {
  // After CRLF the boundary must end its line; after a bare LF, or as the
  // first line of the content, it is a delimiter to lenient parsers. Either
  // way one parser would see a part another does not.
  EXPECT_NE(failure(part("form-data; name=a", "x\r\n--XyZabc") + kClose).find("other than CRLF"), std::string::npos);
  EXPECT_NE(failure(part("form-data; name=a", "x\n--XyZ\r\nContent-Disposition: form-data; name=b\r\n\r\n") + kClose)
                .find("boundary begins a line"),
            std::string::npos);
  EXPECT_NE(failure(part("form-data; name=a", "--XyZ--") + kClose).find("boundary begins a line"), std::string::npos);
}

TEST(Multipart, PartHeadersAreChecked) {
  EXPECT_NE(failure("--XyZ\r\n\r\nno headers\r\n--XyZ--").find("no Content-Disposition"), std::string::npos);
  EXPECT_NE(failure(part("attachment; name=a", "1") + kClose).find("not form-data"), std::string::npos);
  EXPECT_NE(failure(part("form-data; filename=a.txt", "1") + kClose).find("no name parameter"), std::string::npos);
  EXPECT_NE(failure(part("form-data; name=a; name=b", "1") + kClose).find("given twice"), std::string::npos);
  EXPECT_NE(failure(part("form-data; name*=UTF-8''a", "1") + kClose).find("name*"), std::string::npos);
  EXPECT_NE(failure(part("form-data; name=a", "1", "Content-Type: text/plain\r\ncontent-type: text/html\r\n") + kClose)
                .find("given twice"),
            std::string::npos);
  EXPECT_NE(failure(part("form-data; name=a", "MQ==", "Content-Transfer-Encoding: base64\r\n") + kClose)
                .find("Content-Transfer-Encoding"),
            std::string::npos);
  EXPECT_NE(failure(part("form-data; name=a", "1", "Bad Name: x\r\n") + kClose).find("malformed header"),
            std::string::npos);
  // Identity transfer encodings and other fields are allowed.
  const std::string body = part("form-data; name=a", "1", "Content-Transfer-Encoding: binary\r\nX-Other: y\r\n") + kClose;
  const auto parts = read(body);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].body, "1");
}

TEST(Multipart, PartCountAndHeaderSizeAreBounded) {
  std::string body;
  for (int i = 0; i < 5; ++i) body += part("form-data; name=f" + std::to_string(i), "v");
  body += kClose;
  EXPECT_EQ(readMultipart(kType, body, {.maxParts = 5}).value().size(), 5u);
  EXPECT_NE(failure(body, kType, {.maxParts = 4}).find("more than 4 parts"), std::string::npos);

  const std::string big = part("form-data; name=a", "1", "X-Pad: " + std::string(200, 'p') + "\r\n") + kClose;
  EXPECT_TRUE(readMultipart(kType, big, {.maxHeaderBytes = 300}).ok());
  EXPECT_NE(failure(big, kType, {.maxHeaderBytes = 100}).find("header over 100 bytes"), std::string::npos);
}

TEST(MultipartHeaderParameters, MediaTypeOfDropsParametersAndCase) {
  EXPECT_EQ(mediaTypeOf("Text/Plain; charset=utf-8"), "text/plain");
  EXPECT_EQ(mediaTypeOf("  audio/mpeg "), "audio/mpeg");
  EXPECT_EQ(mediaTypeOf(""), "");
}

}  // namespace
}  // namespace warden::http
