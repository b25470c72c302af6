#include "proxy/hop_by_hop.h"

#include <gtest/gtest.h>

namespace warden::proxy {
namespace {

TEST(HopByHop, RemovesConnectionFieldsAndWhatConnectionNames) {
  http::fields fields;
  fields.set(http::field::connection, "keep-alive, X-Session-Hop");
  fields.insert(http::field::connection, "Upgrade");
  fields.set("X-Session-Hop", "1");
  fields.set(http::field::keep_alive, "timeout=5");
  fields.set(http::field::proxy_connection, "keep-alive");
  fields.set(http::field::te, "trailers");
  fields.set(http::field::upgrade, "websocket");
  fields.set(http::field::authorization, "Bearer sk-test");
  fields.set(http::field::content_type, "application/json");

  removeHopByHopFields(fields);

  EXPECT_EQ(fields.count(http::field::connection), 0u);
  EXPECT_EQ(fields.count("X-Session-Hop"), 0u);
  EXPECT_EQ(fields.count(http::field::keep_alive), 0u);
  EXPECT_EQ(fields.count(http::field::proxy_connection), 0u);
  EXPECT_EQ(fields.count(http::field::te), 0u);
  EXPECT_EQ(fields.count(http::field::upgrade), 0u);
  EXPECT_EQ(fields[http::field::authorization], "Bearer sk-test");
  EXPECT_EQ(fields[http::field::content_type], "application/json");
}

TEST(HopByHop, KeepsFramingEvenWhenConnectionNamesIt) {
  http::fields fields;
  fields.set(http::field::connection, "Transfer-Encoding, Content-Length");
  fields.set(http::field::transfer_encoding, "chunked");
  removeHopByHopFields(fields);
  EXPECT_EQ(fields[http::field::transfer_encoding], "chunked");
}

}  // namespace
}  // namespace warden::proxy
