#include "cli/status_view.h"

#include <gtest/gtest.h>

namespace warden::cli {
namespace {

// The agent's status answer as documented for the control protocol.
const char* kSample = R"({"version":"0.1.0","pid":123,"uptime_s":3725.5,"cgroup":"/sys/fs/cgroup/unified",
 "programs":["warden_connect4","warden_connect6"],
 "fail_mode":"open","heartbeat_age_ms":120,"listen_port":15001,
 "targets":{"hosts":[{"name":"api.openai.com","port":443,"tls":true,"addresses":["1.2.3.4","5.6.7.8"],"expires_in_s":30,
            "error":""},
            {"name":"api.anthropic.com","port":443,"tls":true,"addresses":[],"expires_in_s":1,
            "error":"resolve api.anthropic.com: Temporary failure in name resolution"}],
            "addresses":[{"cidr":"127.0.0.2/32","port":11434,"tls":false}]},
 "kernel":{"redirected":1,"passed":2,"agent_own":3,"quic_refused":0,"not_covered":0,"fail_open":0,
           "fail_closed":0,"peername_rewritten":0,"origin_missing":0},
 "proxy":{"connections":1,"intercepted":1,"tunnelled":0,"plain_http":0,"requests":1,"errors":0,"no_origin":0,
          "handshake_failures":0,"untrusted_ca_by_executable":{"curl":2,"node":5}},
 "events":{"spool":"/var/lib/warden/spool","written":10,"dropped":0,
           "sinks":[{"name":"siem","destination":"syslog tls://siem:6514","healthy":false,
                     "last_error":"connection refused","delivered":5,"lag_bytes":1200}]},
 "ca":{"fingerprint_sha256":"AB:CD","subject":"CN=warden local CA"}})";

TEST(StatusViewTest, RendersTheFullStatus) {
  std::string expected =
      "wardend 0.1.0 (pid 123, up 1h 2m)\n"
      "\n"
      "  cgroup         /sys/fs/cgroup/unified\n"
      "  programs       warden_connect4, warden_connect6\n"
      "  fail mode      open\n"
      "  heartbeat age  120 ms\n"
      "  listen port    15001\n"
      "  events         /var/lib/warden/spool (10 written, 0 dropped)\n"
      "  sink siem      syslog tls://siem:6514: DOWN (connection refused), 5 delivered, 1200 bytes behind\n"
      "  CA SHA-256     AB:CD\n"
      "  CA subject     CN=warden local CA\n"
      "\n"
      "Target hosts\n"
      "  HOST               PORT  TLS  ADDRESSES  EXPIRES IN  ERROR\n"
      "  api.openai.com     443   yes  1.2.3.4    30s\n"
      "                                5.6.7.8\n"
      "  api.anthropic.com  443   yes  -          1s          resolve api.anthropic.com: Temporary failure in name "
      "resolution\n"
      "\n"
      "Target addresses\n"
      "  CIDR          PORT   TLS\n"
      "  127.0.0.2/32  11434  no\n"
      "\n"
      "Kernel counters\n"
      "  redirected          1\n"
      "  passed              2\n"
      "  agent own           3\n"
      "  quic refused        0\n"
      "  not covered         0\n"
      "  fail open           0\n"
      "  fail closed         0\n"
      "  peername rewritten  0\n"
      "  origin missing      0\n"
      "\n"
      "Proxy counters\n"
      "  connections         1\n"
      "  intercepted         1\n"
      "  tunnelled           0\n"
      "  plain http          0\n"
      "  requests            1\n"
      "  errors              0\n"
      "  no origin           0\n"
      "  handshake failures  0\n"
      "\n"
      "Clients that do not trust the warden CA (add it to their trust store: wardenctl ca export)\n"
      "  EXECUTABLE  REJECTED HANDSHAKES\n"
      "  curl        2\n"
      "  node        5\n";
  EXPECT_EQ(renderStatus(nlohmann::json::parse(kSample)), expected);
}

TEST(StatusViewTest, SkipsWhatIsAbsent) {
  EXPECT_EQ(renderStatus(nlohmann::json::object()), "wardend\n");
  auto partial = nlohmann::json::parse(R"({"pid":7,"kernel":{"redirected":4,"new_counter":9},"targets":{"hosts":[]},
                                           "events":{"written":3}})");
  EXPECT_EQ(renderStatus(partial),
            "wardend (pid 7)\n"
            "\n"
            "  events  3 written\n"
            "\n"
            "Kernel counters\n"
            "  redirected   4\n"
            "  new counter  9\n");
}

TEST(StatusViewTest, UptimeFormats) {
  EXPECT_EQ(formatUptime(0.4), "0s");
  EXPECT_EQ(formatUptime(59), "59s");
  EXPECT_EQ(formatUptime(61), "1m 1s");
  EXPECT_EQ(formatUptime(3725), "1h 2m");
  EXPECT_EQ(formatUptime(90061), "1d 1h");
  EXPECT_EQ(formatUptime(-3), "0s");
}

}  // namespace
}  // namespace warden::cli
