#include "app/config.h"
#include "app/validation_settings.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

namespace warden::app {
namespace {

std::array<uint8_t, 16> mapped(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d};
}

std::string errorOf(const std::string& yaml) {
  auto config = parseConfig(yaml, "t.yaml");
  if (config) return "(parsed without error)";
  return config.error().message;
}

TEST(ConfigTest, DefaultsMatchTheDocumentedValues) {
  Config c = defaultConfig();
  EXPECT_EQ(c.cgroup, "auto");
  EXPECT_EQ(c.failMode, kernel::FailMode::Open);
  EXPECT_EQ(c.heartbeatInterval.count(), 250);
  EXPECT_EQ(c.heartbeatTimeout.count(), 1000);
  EXPECT_EQ(c.listenPort, 15001);
  EXPECT_EQ(c.workers, 0u);
  EXPECT_EQ(c.controlSocketPath(), "/run/warden/control.sock");
  EXPECT_EQ(c.audit.spoolDir, "/var/lib/warden/spool");
  EXPECT_EQ(c.audit.onFull, AuditConfig::OnFull::Block);
  EXPECT_TRUE(c.audit.sinks.empty());
  EXPECT_TRUE(c.metrics.enabled);
  EXPECT_EQ(c.metrics.port, 15002);
  EXPECT_EQ(c.agentMark, 0x5741u);
  ASSERT_EQ(c.hosts.size(), 3u);
  EXPECT_EQ(c.hosts[0], (HostTarget{"api.openai.com", 443, true, true}));
  EXPECT_EQ(c.hosts[1].name, "api.anthropic.com");
  EXPECT_EQ(c.hosts[2].name, "generativelanguage.googleapis.com");
  EXPECT_TRUE(c.cidrs.empty());
}

TEST(ConfigTest, EmptyDocumentGivesDefaults) {
  auto parsed = parseConfig("# nothing set\n", "empty.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  Config expected = defaultConfig();
  expected.sourcePath = "empty.yaml";
  EXPECT_EQ(*parsed, expected);
}

TEST(ConfigTest, PackagedConfigEqualsBuiltInDefaults) {
  std::string path = std::string(WARDEN_TEST_FIXTURES) + "/../../packaging/config/warden.yaml";
  auto loaded = loadConfig(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  Config expected = defaultConfig();
  expected.sourcePath = path;
  EXPECT_EQ(*loaded, expected);
}

TEST(ConfigTest, AccessSectionSetsPolicyDirsAndSecrets) {
  auto parsed = parseConfig(
      "access:\n  enabled: false\n  policy_dirs: [/opt/p, /etc/warden/policies.d]\n"
      "  secrets_file: /etc/warden/secrets.yaml\n  masking_rules_dir: /opt/masking\n",
      "a.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_FALSE(parsed->access.enabled);
  EXPECT_EQ(parsed->access.policyDirs, (std::vector<std::string>{"/opt/p", "/etc/warden/policies.d"}));
  EXPECT_EQ(parsed->access.secretsFile, "/etc/warden/secrets.yaml");
  EXPECT_EQ(parsed->access.maskingRulesDir, "/opt/masking");
  EXPECT_EQ(defaultConfig().access.maskingRulesDir, WARDEN_DATA_DIR "/masking");
  auto noScan = parseConfig("access: {masking_rules_dir: \"\"}\n", "c.yaml");
  ASSERT_TRUE(noScan) << noScan.error().message;
  EXPECT_TRUE(noScan->access.maskingRulesDir.empty()) << "\"\" turns the scan off";

  auto relative = parseConfig("access:\n  policy_dirs:\n    - /ok\n    - policies\n", "b.yaml");
  ASSERT_FALSE(relative);
  EXPECT_EQ(relative.error().message, "b.yaml:4:7: access.policy_dirs: 'policies' is not an absolute path");
}

TEST(ConfigTest, AnomalySectionSetsTheHalfLifeAndTheWorkloadCap) {
  auto parsed = parseConfig("anomaly:\n  enabled: false\n  half_life_s: 60\n  max_workloads: 500\n", "a.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_FALSE(parsed->anomaly.enabled);
  EXPECT_EQ(parsed->anomaly.halfLife, std::chrono::seconds(60));
  EXPECT_EQ(parsed->anomaly.maxWorkloads, 500u);
  EXPECT_TRUE(defaultConfig().anomaly.enabled) << "on by default: a score 0 changes nothing until a policy reads it";

  auto zero = parseConfig("anomaly:\n  half_life_s: 0\n", "b.yaml");
  ASSERT_FALSE(zero);
  EXPECT_NE(zero.error().message.find("b.yaml:2:16: anomaly.half_life_s"), std::string::npos) << zero.error().message;
}

TEST(ConfigTest, FullFileSetsEveryField) {
  auto loaded = loadConfig(std::string(WARDEN_TEST_FIXTURES) + "/config/full.yaml");
  ASSERT_TRUE(loaded) << loaded.error().message;
  const Config& c = *loaded;
  EXPECT_EQ(c.cgroup, "/sys/fs/cgroup/test.slice");
  EXPECT_EQ(c.failMode, kernel::FailMode::Closed);
  EXPECT_EQ(c.heartbeatInterval.count(), 100);
  EXPECT_EQ(c.heartbeatTimeout.count(), 2000);
  EXPECT_EQ(c.listenPort, 16001);
  EXPECT_EQ(c.workers, 3u);
  EXPECT_EQ(c.stateDir, "/tmp/warden/state");
  EXPECT_EQ(c.controlSocketPath(), "/tmp/warden/run/control.sock");
  EXPECT_EQ(c.bpfPinDir, "/tmp/warden/bpf");
  EXPECT_EQ(c.audit.spoolDir, "/tmp/warden/spool");
  EXPECT_EQ(c.audit.segmentBytes, 8u << 20);
  EXPECT_EQ(c.audit.segmentAge.count(), 600);
  EXPECT_EQ(c.audit.maxSpoolBytes, 64u << 20);
  EXPECT_EQ(c.audit.onFull, AuditConfig::OnFull::Drop);
  ASSERT_EQ(c.audit.sinks.size(), 3u);
  EXPECT_EQ(c.audit.sinks[0].type, audit::SinkType::File);
  EXPECT_EQ(c.audit.sinks[0].path, "/tmp/warden/events.jsonl");
  EXPECT_EQ(c.audit.sinks[0].batchEvents, 100u);
  EXPECT_TRUE(c.audit.sinks[0].ocsf);
  EXPECT_FALSE(c.audit.sinks[1].ocsf);
  const auto& siem = c.audit.sinks[1];
  EXPECT_EQ(siem.type, audit::SinkType::Syslog);
  EXPECT_EQ(siem.address, "siem.example:6514");
  EXPECT_TRUE(siem.tls);
  EXPECT_EQ(siem.caFile, "/etc/warden/siem-ca.pem");
  EXPECT_EQ(siem.certFile, "/etc/warden/client.pem");
  EXPECT_EQ(siem.keyFile, "/etc/warden/client.key");
  EXPECT_EQ(siem.serverName, "siem.internal");
  EXPECT_EQ(siem.timeout.count(), 2000);
  const auto& es = c.audit.sinks[2];
  EXPECT_EQ(es.type, audit::SinkType::Http);
  EXPECT_EQ(es.url, "https://es.example:9200/_bulk");
  EXPECT_EQ(es.format, audit::HttpFormat::Splunk);
  EXPECT_EQ(es.index, "audit");
  EXPECT_EQ(es.authorizationFile, "/etc/warden/token");
  EXPECT_FALSE(c.metrics.enabled);
  EXPECT_EQ(c.metrics.port, 19464);
  EXPECT_EQ(c.upstreamExtraCaFile, "/etc/ssl/extra.pem");
  EXPECT_EQ(c.upstreamConnectTimeout.count(), 1500);
  EXPECT_EQ(c.upstreamIdlePerHost, 4u);
  EXPECT_EQ(c.agentMark, 0x1234u);
  EXPECT_EQ(c.clientHelloTimeout.count(), 3000);
  EXPECT_EQ(c.idleTimeout.count(), 60000);
  ASSERT_EQ(c.hosts.size(), 3u);  // replaces the default list
  EXPECT_EQ(c.hosts[0], (HostTarget{"api.example.com", 8443, true, true}));
  EXPECT_EQ(c.hosts[1], (HostTarget{"local.model", 8080, false, false}));
  EXPECT_EQ(c.hosts[2], (HostTarget{"plain.example.org", 443, true, true}));
  ASSERT_EQ(c.cidrs.size(), 2u);
  EXPECT_EQ(c.cidrs[0].cidr, "127.0.0.2/32");
  EXPECT_EQ(c.cidrs[0].entry, (kernel::TargetEntry{mapped(127, 0, 0, 2), 128, 11434, true}));
  EXPECT_EQ(c.cidrs[1].entry.prefixLen, 64);
  EXPECT_EQ(c.cidrs[1].entry.port, 443);
  EXPECT_FALSE(c.cidrs[1].entry.plainHttp);
  EXPECT_EQ(c.minTtl.count(), 2);
  EXPECT_EQ(c.maxTtl.count(), 600);
  EXPECT_EQ(c.defaultTtl.count(), 30);
  const ValidationConfig& v = c.validation;
  EXPECT_FALSE(v.enabled);
  EXPECT_EQ(v.rulesDir, "/opt/rules");
  EXPECT_EQ(v.injectionModel, "");
  EXPECT_EQ(v.harmfulModel, "/opt/models/harmful.model");
  EXPECT_DOUBLE_EQ(v.flagScore, 0.4);
  EXPECT_DOUBLE_EQ(v.blockScore, 0.7);
  EXPECT_DOUBLE_EQ(v.indirectFlagScore, 0.45);
  EXPECT_DOUBLE_EQ(v.indirectBlockScore, 0.75);
  EXPECT_DOUBLE_EQ(v.systemFlagScore, 0.55);
  EXPECT_DOUBLE_EQ(v.systemBlockScore, 0.95);
  EXPECT_DOUBLE_EQ(inspectorPolicyOf(v).systemBlockScore, 0.95);
  EXPECT_DOUBLE_EQ(v.harmfulFlagScore, 0.5);
  EXPECT_DOUBLE_EQ(v.harmfulBlockScore, 1.0);
  EXPECT_FALSE(v.sanitizeSmuggling);
  EXPECT_DOUBLE_EQ(v.hiddenTextRatio, 0.05);
  EXPECT_FALSE(v.blockUnreadable);
  EXPECT_EQ(v.cacheMiB, 3);
  EXPECT_EQ(inspectorPolicyOf(v).cacheBytesPerThread, size_t{3} << 20);
}

TEST(ConfigTest, ValidationScoresAreFractionsAndOrdered) {
  EXPECT_EQ(errorOf("validation: {block_score: 1.5}\n"),
            "t.yaml:1:27: validation.block_score: '1.5' is not a number from 0 to 1");
  EXPECT_EQ(errorOf("validation: {flag_score: high}\n"),
            "t.yaml:1:26: validation.flag_score: 'high' is not a number from 0 to 1");
  EXPECT_EQ(errorOf("validation:\n  harmful_flag_score: 0.9\n  harmful_block_score: 0.8\n"),
            "t.yaml:2:23: validation.harmful_flag_score: must not be above validation.harmful_block_score");
  EXPECT_EQ(errorOf("validation: {rules_dir: rules}\n"),
            "t.yaml:1:25: validation.rules_dir: 'rules' is not an absolute path");
}

TEST(ConfigTest, AddressesAloneKeepDefaultHosts) {
  auto parsed = parseConfig("targets:\n  addresses: [{cidr: 10.0.0.0/8}]\n", "t.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->hosts, defaultConfig().hosts);
  ASSERT_EQ(parsed->cidrs.size(), 1u);
  EXPECT_EQ(parsed->cidrs[0].entry.prefixLen, 8 + 96);
}

TEST(ConfigTest, EmptyHostListMeansNoHosts) {
  auto parsed = parseConfig("targets: {hosts: []}\n", "t.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_TRUE(parsed->hosts.empty());
}

TEST(ConfigTest, ErrorsNameFileLineColumnAndKeyPath) {
  EXPECT_EQ(errorOf("targets:\n  hosts:\n    - name: a.example\n    - name: b.example\n"
                    "      port: 70000\n"),
            "t.yaml:5:13: targets.hosts[1].port: 70000 is not a port (1-65535)");
  EXPECT_EQ(errorOf("listen:\n  port: 0\n"), "t.yaml:2:9: listen.port: 0 is not a port (1-65535)");
  EXPECT_EQ(errorOf("listen: {port: 65536}\n"), "t.yaml:1:16: listen.port: 65536 is not a port (1-65535)");
  EXPECT_EQ(errorOf("fail_mode: maybe\n"), "t.yaml:1:12: fail_mode: 'maybe' is not open or closed");
  EXPECT_EQ(errorOf("heartbeat:\n  interval_ms: 1000\n  timeout_ms: 1000\n"),
            "t.yaml:2:16: heartbeat.interval_ms: 1000 must be less than heartbeat.timeout_ms (1000), "
            "or the agent looks dead between beats");
  EXPECT_EQ(errorOf("targets:\n  hosts:\n    - name: \"\"\n"), "t.yaml:3:13: targets.hosts[0].name: empty host name");
  EXPECT_EQ(errorOf("targets:\n  hosts:\n    - api.openai.com\n    - API.OpenAI.com\n"),
            "t.yaml:4:7: targets.hosts[1]: duplicate host api.openai.com");
  EXPECT_EQ(errorOf("targets:\n  hosts:\n    - {port: 443}\n"),
            "t.yaml:3:7: targets.hosts[0].name: missing (every host needs a name)");
  EXPECT_EQ(errorOf("targets:\n  hosts:\n    - name: bad host\n"),
            "t.yaml:3:13: targets.hosts[0].name: 'bad host' is not a host name");
}

TEST(ConfigTest, AuditSinkMistakesAreNamed) {
  EXPECT_EQ(errorOf("audit:\n  sinks:\n    - {type: file, path: /x}\n"),
            "t.yaml:3:7: audit.sinks[0].name: missing (for example siem)");
  EXPECT_EQ(errorOf("audit:\n  sinks:\n    - {name: a, type: kafka}\n"),
            "t.yaml:3:23: audit.sinks[0].type: 'kafka' is not file, syslog or http");
  EXPECT_EQ(errorOf("audit:\n  sinks:\n    - {name: a, type: file, url: http://x}\n"),
            "t.yaml:3:29: audit.sinks[0].url: does not apply to a file sink");
  EXPECT_EQ(errorOf("audit:\n  sinks:\n    - {name: a, type: syslog}\n"),
            "t.yaml:3:7: audit.sinks[0].address: missing (for example \"siem.example:6514\")");
  EXPECT_EQ(errorOf("audit:\n  sinks:\n    - {name: a, type: http, url: ftp://x}\n"),
            "t.yaml:3:34: audit.sinks[0].url: 'ftp://x' does not start with http:// or https://");
  EXPECT_EQ(errorOf("audit:\n  sinks:\n    - {name: a/b, type: file, path: /x}\n"),
            "t.yaml:3:14: audit.sinks[0].name: 'a/b' is not a sink name (1-64 letters, digits, - or _)");
  EXPECT_EQ(errorOf("audit:\n  sinks:\n    - {name: a, type: file, path: /x}\n    - {name: a, type: file, path: /y}\n"),
            "t.yaml:4:7: audit.sinks[1].name: duplicate sink name a (each names its own cursor)");
  EXPECT_EQ(errorOf("audit:\n  sinks:\n    - {name: a, type: http, url: \"http://logs.example:9200/_bulk\",\n"
                    "       authorization_file: /etc/warden/es-auth}\n"),
            "t.yaml:4:28: audit.sinks[0].authorization_file: would be sent in clear over http:// to logs.example: "
            "use an https:// url, or a receiver on this host (localhost, 127.0.0.0/8, ::1)");
  for (const char* local : {"http://127.0.0.1:3100/x", "http://[::1]:3100/x", "http://localhost/x",
                            "https://logs.example/x"}) {
    EXPECT_EQ(errorOf(std::string("audit:\n  sinks:\n    - {name: a, type: http, url: \"") + local +
                      "\", authorization_file: /etc/warden/t}\n"),
              "(parsed without error)")
        << local;
  }
  EXPECT_EQ(errorOf("audit:\n  spool: {on_full: wait}\n"), "t.yaml:2:20: audit.spool.on_full: 'wait' is not block or drop");
  EXPECT_EQ(errorOf("audit:\n  spool: {segment_mib: 64, max_mib: 100}\n"),
            "t.yaml:2:37: audit.spool.max_mib: 100 must be at least twice audit.spool.segment_mib (64)");
}

TEST(ConfigTest, UnknownKeysAreErrorsAtTheKey) {
  EXPECT_EQ(errorOf("listen: {port: 1}\nlisen: {port: 2}\n"),
            "t.yaml:2:1: lisen: unknown key (known here: cgroup, fail_mode, heartbeat, listen, workers, paths, "
            "upstream, timeouts, targets, resolve, limits, validation, anomaly, access, audit, metrics)");
  EXPECT_EQ(errorOf("upstream:\n  ca_file: /x\n"),
            "t.yaml:2:3: upstream.ca_file: unknown key (known here: extra_ca_file, connect_timeout_ms, "
            "idle_per_host, mark)");
  EXPECT_EQ(errorOf("targets:\n  hosts:\n    - {name: a.example, tsl: false}\n"),
            "t.yaml:3:25: targets.hosts[0].tsl: unknown key (known here: name, port, tls, resolve)");
  EXPECT_EQ(errorOf("workers: 1\nworkers: 2\n"), "t.yaml:2:1: workers: duplicate key");
}

TEST(ConfigTest, WrongTypesAreErrors) {
  EXPECT_EQ(errorOf("workers: [1]\n"), "t.yaml:1:10: workers: expected a single value, got a list");
  EXPECT_EQ(errorOf("heartbeat: 5\n"), "t.yaml:1:12: heartbeat: expected a map of settings, got '5'");
  EXPECT_EQ(errorOf("listen:\n  port: abc\n"), "t.yaml:2:9: listen.port: 'abc' is not a whole number");
  EXPECT_EQ(errorOf("workers: -1\n"), "t.yaml:1:10: workers: -1 is not a worker count (0-1024)");
  EXPECT_EQ(errorOf("targets:\n  hosts:\n    - {name: a.example, tls: maybe}\n"),
            "t.yaml:3:30: targets.hosts[0].tls: 'maybe' is not true or false");
  EXPECT_EQ(errorOf("targets:\n  hosts: api.openai.com\n"),
            "t.yaml:2:10: targets.hosts: expected a list, got 'api.openai.com'");
  EXPECT_EQ(errorOf("targets:\n  hosts:\n"), "t.yaml:2:3: targets.hosts: has no value (write [] for an empty list)");
  EXPECT_EQ(errorOf("- a\n- b\n"), "t.yaml:1:1: (top level): expected a map of settings, got a list");
  EXPECT_EQ(errorOf("paths: {state_dir: relative/dir}\n"),
            "t.yaml:1:20: paths.state_dir: 'relative/dir' is not an absolute path");
  EXPECT_EQ(errorOf("upstream: {mark: 0}\n"), "t.yaml:1:18: upstream.mark: 0 is not a non-zero socket mark (1-4294967295)");
  EXPECT_EQ(errorOf("cgroup: sys/fs\n"), "t.yaml:1:9: cgroup: 'sys/fs' is neither auto nor an absolute cgroup v2 directory");
  EXPECT_EQ(errorOf("resolve: {min_ttl_s: 10, max_ttl_s: 5}\n"),
            "t.yaml:1:37: resolve.max_ttl_s: 5 is less than resolve.min_ttl_s (10)");
}

TEST(ConfigTest, LeadingZeroIsDecimalAndHexIsAccepted) {
  auto parsed = parseConfig("listen: {port: 0443}\nupstream: {mark: 0xff}\n", "t.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->listenPort, 443);
  EXPECT_EQ(parsed->agentMark, 0xffu);
}

TEST(ConfigTest, BadCidrsAreErrorsWithPosition) {
  EXPECT_EQ(errorOf("targets:\n  addresses:\n    - {cidr: 10.0.0.1/8}\n"),
            "t.yaml:3:14: targets.addresses[0].cidr: '10.0.0.1/8' is not a CIDR: host bits are set "
            "(did you mean 10.0.0.0/8?)");
  EXPECT_EQ(errorOf("targets:\n  addresses:\n    - {cidr: 10.0.0.0/33}\n"),
            "t.yaml:3:14: targets.addresses[0].cidr: '10.0.0.0/33' is not a CIDR: an IPv4 prefix length is at most 32");
  EXPECT_EQ(errorOf("targets:\n  addresses:\n    - {port: 80}\n"),
            "t.yaml:3:7: targets.addresses[0].cidr: missing (for example 127.0.0.2/32)");
  EXPECT_EQ(errorOf("targets:\n  addresses:\n    - {cidr: 10.0.0.0/8}\n    - {cidr: 10.0.0.0/8, port: 443}\n"),
            "t.yaml:4:14: targets.addresses[1].cidr: duplicate address 10.0.0.0/8 port 443");
}

TEST(ConfigTest, SyntaxErrorsHavePositions) {
  std::string error = errorOf("listen: {port: 1\n");
  EXPECT_EQ(error.rfind("t.yaml:", 0), 0u) << error;
  EXPECT_NE(error.find("not valid YAML"), std::string::npos) << error;
  EXPECT_NE(error.find(":2:1:"), std::string::npos) << error;
}

TEST(ConfigTest, MissingFileSaysWhichFile) {
  auto loaded = loadConfig("/nonexistent/warden.yaml");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().message, "read config /nonexistent/warden.yaml: No such file or directory");
}

TEST(CidrTest, Ipv4BecomesMappedWithPrefixPlus96) {
  auto e = parseCidr("127.0.0.0/8", 443, false);
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->addr, mapped(127, 0, 0, 0));
  EXPECT_EQ(e->prefixLen, 104);
  EXPECT_EQ(e->port, 443);
  EXPECT_FALSE(e->plainHttp);

  auto all = parseCidr("0.0.0.0/0", 80, true);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->prefixLen, 96);
  EXPECT_TRUE(all->plainHttp);

  auto host = parseCidr("192.0.2.7", 443, false);
  ASSERT_TRUE(host);
  EXPECT_EQ(host->addr, mapped(192, 0, 2, 7));
  EXPECT_EQ(host->prefixLen, 128);
}

TEST(CidrTest, Ipv6IsKeptAsIs) {
  auto e = parseCidr("2001:db8::/32", 443, false);
  ASSERT_TRUE(e) << e.error().message;
  std::array<uint8_t, 16> expected{0x20, 0x01, 0x0d, 0xb8};
  EXPECT_EQ(e->addr, expected);
  EXPECT_EQ(e->prefixLen, 32);

  auto loopback = parseCidr("::1/128", 8080, true);
  ASSERT_TRUE(loopback);
  EXPECT_EQ(loopback->addr[15], 1);
  EXPECT_EQ(loopback->prefixLen, 128);
  EXPECT_EQ(parseCidr("::1", 443, false)->prefixLen, 128);
}

TEST(CidrTest, RejectsBadInput) {
  EXPECT_EQ(parseCidr("10.1.2.3/16", 443, false).error().message,
            "'10.1.2.3/16' is not a CIDR: host bits are set (did you mean 10.1.0.0/16?)");
  EXPECT_EQ(parseCidr("2001:db8::1/32", 443, false).error().message,
            "'2001:db8::1/32' is not a CIDR: host bits are set (did you mean 2001:db8::/32?)");
  EXPECT_EQ(parseCidr("10.0.0.0/33", 443, false).error().message,
            "'10.0.0.0/33' is not a CIDR: an IPv4 prefix length is at most 32");
  EXPECT_EQ(parseCidr("::/129", 443, false).error().message,
            "'::/129' is not a CIDR: an IPv6 prefix length is at most 128");
  EXPECT_EQ(parseCidr("10.0.0.0/", 443, false).error().message,
            "'10.0.0.0/' is not a CIDR: the prefix length after / must be a number");
  EXPECT_EQ(parseCidr("10.0.0.0/-1", 443, false).error().message,
            "'10.0.0.0/-1' is not a CIDR: the prefix length after / must be a number");
  EXPECT_EQ(parseCidr("example.com/32", 443, false).error().message,
            "'example.com/32' is not a CIDR: expected an address like 10.0.0.0/8 or fd00::/8");
  EXPECT_FALSE(parseCidr("", 443, false));
  EXPECT_FALSE(parseCidr("300.0.0.0/8", 443, false));
}

}  // namespace
}  // namespace warden::app
