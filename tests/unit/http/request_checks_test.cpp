#include "http/request_checks.h"

#include <gtest/gtest.h>

#include <string>

namespace warden::http {
namespace {

const std::string kCurl =
    "POST /v1/chat/completions HTTP/1.1\r\n"
    "Host: api.openai.com\r\n"
    "User-Agent: curl/7.88.1\r\n"
    "Accept: */*\r\n"
    "Authorization: Bearer sk-test\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 77\r\n"
    "\r\n";

const std::string kPythonSdk =
    "POST /v1/chat/completions HTTP/1.1\r\n"
    "host: api.openai.com\r\n"
    "accept-encoding: gzip, deflate, br, zstd\r\n"
    "connection: keep-alive\r\n"
    "accept: application/json\r\n"
    "content-type: application/json\r\n"
    "user-agent: OpenAI/Python 1.51.0\r\n"
    "x-stainless-lang: python\r\n"
    "x-stainless-package-version: 1.51.0\r\n"
    "x-stainless-os: Linux\r\n"
    "x-stainless-arch: x64\r\n"
    "x-stainless-runtime: CPython\r\n"
    "x-stainless-runtime-version: 3.11.2\r\n"
    "authorization: Bearer sk-test\r\n"
    "x-stainless-async: false\r\n"
    "x-stainless-retry-count: 0\r\n"
    "content-length: 93\r\n"
    "\r\n";

const std::string kNodeChunked =
    "POST /v1/messages HTTP/1.1\r\n"
    "Host: api.anthropic.com\r\n"
    "x-api-key: sk-ant-test\r\n"
    "anthropic-version: 2023-06-01\r\n"
    "content-type: application/json\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n";

// Replaces the fields after the request line of kCurl.
std::string request(const std::string& fields, const std::string& requestLine = "POST /v1/chat/completions HTTP/1.1") {
  return requestLine + "\r\nHost: api.openai.com\r\n" + fields + "\r\n";
}

void expectRefused(const std::string& header, const std::string& rule, const HeaderLimits& limits = {}) {
  auto result = checkRequestHeader(header, limits);
  ASSERT_FALSE(result.ok()) << "accepted: " << header;
  EXPECT_NE(result.error().message.find(rule), std::string::npos)
      << "message \"" << result.error().message << "\" does not name \"" << rule << "\"";
}

void expectAccepted(const std::string& header, const HeaderLimits& limits = {}) {
  auto result = checkRequestHeader(header, limits);
  EXPECT_TRUE(result.ok()) << result.error().message << "\nfor: " << header;
}

TEST(RequestChecks, AcceptsOrdinaryClientRequests) {
  expectAccepted(kCurl);
  expectAccepted(kPythonSdk);
  expectAccepted(kNodeChunked);
  expectAccepted("GET /v1/models HTTP/1.1\r\nHost: api.openai.com\r\n\r\n");
  expectAccepted("GET /api/tags HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
  expectAccepted("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
  expectAccepted(request("X-Empty:\r\nX-Tab:\tvalue\t\r\nX-Spaces:   a b  \r\n"));
  expectAccepted(request("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"));
  expectAccepted(request("Transfer-Encoding:\tchunked \r\n"));
  expectAccepted(request("Content-Length: 007\r\n"));
}

TEST(RequestChecks, IgnoresBytesAfterTheBlankLine) { expectAccepted(kCurl + std::string("{\"a\":\n\0\r}", 9)); }

TEST(RequestChecks, RefusesObsoleteLineFolding) {
  expectRefused(request("X-A: one\r\n two\r\n"), "obsolete line folding");
  expectRefused(request("X-A: one\r\n\ttwo\r\n"), "obsolete line folding");
  expectRefused(request("Content-Type: application/json\r\n Transfer-Encoding: chunked\r\n"), "obsolete line folding");
}

TEST(RequestChecks, RefusesContentLengthWithTransferEncoding) {
  expectRefused(request("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
                "both Content-Length and Transfer-Encoding");
  expectRefused(request("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n"),
                "both Content-Length and Transfer-Encoding");
}

TEST(RequestChecks, RefusesMoreThanOneContentLength) {
  expectRefused(request("Content-Length: 5\r\nContent-Length: 5\r\n"), "more than one Content-Length");
  expectRefused(request("Content-Length: 5\r\ncontent-length: 6\r\n"), "more than one Content-Length");
}

TEST(RequestChecks, RefusesContentLengthThatIsNotPlainDigits) {
  for (const char* value : {"+5", "-1", "5 5", "5,5", "0x10", "", "5.0", "1e3", "\xd9\xa3"}) {
    expectRefused(request(std::string("Content-Length: ") + value + "\r\n"), "is not plain digits");
  }
  expectRefused(request("Content-Length: 123456789012345678901\r\n"), "too large");
  expectAccepted(request("Content-Length: 1234567890123456789\r\n"));
}

TEST(RequestChecks, RefusesTransferEncodingNotEndingInChunked) {
  for (const char* value :
       {"gzip", "chunked, gzip", "xchunked", "chunked-x", "Chunked", "CHUNKED", "chunked;x=1", "\"chunked\"", ""}) {
    expectRefused(request(std::string("Transfer-Encoding: ") + value + "\r\n"), "Transfer-Encoding");
  }
  expectRefused(request("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n"),
                "final coding must be exactly 'chunked'");
  expectRefused(request("Transfer-Encoding: chunked, chunked\r\n"), "only once");
  expectRefused(request("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"), "only once");
  expectRefused(request("Transfer-Encoding: gzip, , chunked\r\n"), "not a list of transfer codings");
}

TEST(RequestChecks, RefusesTransferEncodingOnHttp10) {
  expectRefused(request("Transfer-Encoding: chunked\r\n", "POST /v1/chat/completions HTTP/1.0"),
                "Transfer-Encoding on an HTTP/1.0 request");
}

TEST(RequestChecks, RefusesWhitespaceBeforeTheColon) {
  expectRefused(request("Transfer-Encoding : chunked\r\n"), "whitespace between the field name");
  expectRefused(request("Content-Length\t: 5\r\n"), "whitespace between the field name");
  expectRefused(request("X A: b\r\n"), "whitespace between the field name");
}

TEST(RequestChecks, RefusesBareCrAndBareLf) {
  expectRefused("POST / HTTP/1.1\nHost: a\r\n\r\n", "bare LF");
  expectRefused(request("X-A: b\n"), "bare LF");
  expectRefused("POST / HTTP/1.1\r\nHost: a\n\n", "bare LF");
  expectRefused(request("X-A: b\rTransfer-Encoding: chunked\r\n"), "bare CR");
  expectRefused("POST / HTTP/1.1\rHost: a\r\n\r\n", "bare CR");
}

TEST(RequestChecks, RefusesNulBytes) {
  expectRefused(request(std::string("X-A: a\0b\r\n", 10)), "NUL");
  expectRefused(request(std::string("X-\0A: b\r\n", 9)), "NUL");
}

TEST(RequestChecks, RefusesTooManyFields) {
  std::string fields;
  for (int i = 0; i < 99; ++i) fields += "X-F" + std::to_string(i) + ": v\r\n";
  expectAccepted(request(fields));  // Host + 99 = 100
  expectRefused(request(fields + "X-Last: v\r\n"), "more than 100 header fields");
  HeaderLimits tight;
  tight.maxHeaderCount = 2;
  expectAccepted(request("A: 1\r\n"), tight);
  expectRefused(request("A: 1\r\nB: 2\r\n"), "more than 2 header fields", tight);
}

TEST(RequestChecks, RefusesOversizedHeaders) {
  const std::string header = request("X-Big: " + std::string(70000, 'a') + "\r\n");
  expectRefused(header, "over the limit of 65536");
  HeaderLimits limits;
  limits.maxHeaderBytes = kCurl.size();
  expectAccepted(kCurl, limits);
  limits.maxHeaderBytes = kCurl.size() - 1;
  expectRefused(kCurl, "over the limit", limits);
  // Still buffering, no blank line yet: already too big is reported as such.
  expectRefused("POST / HTTP/1.1\r\nX-Big: " + std::string(70000, 'a'), "over the limit of 65536");
}

TEST(RequestChecks, RefusesIncompleteHeaders) {
  expectRefused("POST / HTTP/1.1\r\nHost: a\r\n", "incomplete");
  expectRefused("POST / HTTP/1.1\r\nHost: a\r\n\r", "incomplete");
  expectRefused("POST / HTTP/1.1", "incomplete");
  expectRefused("", "incomplete");
}

TEST(RequestChecks, RefusesMalformedRequestLinesAndFields) {
  expectRefused("\r\nPOST / HTTP/1.1\r\nHost: a\r\n\r\n", "empty line before the request line");
  expectRefused(request("", "POST  / HTTP/1.1"), "empty request target");
  expectRefused(request("", "POST /"), "malformed request line");
  expectRefused(request("", "POST / HTTP/2.0"), "unsupported HTTP version");
  expectRefused(request("", "POST / HTTP/1.1 "), "unsupported HTTP version");
  expectRefused(request("", "PO(ST / HTTP/1.1"), "malformed method");
  expectRefused(request("", std::string("POST /a") + '\x7f' + "b HTTP/1.1"), "control character");
  expectRefused(request("NoColonHere\r\n"), "no colon");
  expectRefused(request(": value\r\n"), "invalid field name");
  expectRefused(request("X(A): b\r\n"), "invalid field name");
}

TEST(RequestChecks, RefusesMoreThanOneHost) { expectRefused(request("Host: evil.example\r\n"), "more than one Host"); }

TEST(RequestChecks, HeaderEndFindsTheBlankLine) {
  EXPECT_EQ(headerEnd(kCurl), kCurl.size());
  EXPECT_EQ(headerEnd(kCurl + "{\"body\":1}"), kCurl.size());
  EXPECT_EQ(headerEnd("GET / HTTP/1.1\r\nHost: a\r\n\r"), std::nullopt);
  EXPECT_EQ(headerEnd("GET / HTTP/1.1\nHost: a\n\n"), std::nullopt);
  EXPECT_EQ(headerEnd(""), std::nullopt);
  EXPECT_EQ(headerEnd("\r\n\r\n"), 4u);
}

}  // namespace
}  // namespace warden::http
