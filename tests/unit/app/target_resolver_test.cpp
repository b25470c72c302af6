#include "app/target_resolver.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>

namespace warden::app {
namespace {

using std::chrono::seconds;

struct FakeClock {
  SteadyClock::time_point now = SteadyClock::time_point{} + std::chrono::hours(1000);
  void advance(SteadyClock::duration d) { now += d; }
};

// Answers from a table; counts lookups per name.
struct FakeDns {
  std::map<std::string, Result<LookupAnswer>> answers;
  std::map<std::string, int> calls;

  void set(const std::string& name, std::vector<std::string> addresses, std::optional<seconds> ttl) {
    LookupAnswer answer;
    for (const auto& a : addresses) answer.addresses.push_back(*Endpoint::parseAddress(a));
    answer.ttl = ttl;
    answers.insert_or_assign(name, Result<LookupAnswer>(answer));
  }
  void fail(const std::string& name, const std::string& message) {
    answers.insert_or_assign(name, Result<LookupAnswer>(Error{message}));
  }
  Result<LookupAnswer> lookup(const std::string& name) {
    ++calls[name];
    auto it = answers.find(name);
    if (it == answers.end()) return Error{"resolve " + name + ": Name or service not known"};
    return it->second;
  }
};

kernel::TargetEntry hostEntry(const std::string& address, uint16_t port = 443, bool plain = false) {
  return kernel::TargetEntry{Endpoint::parseAddress(address)->addr, 128, port, plain};
}

class TargetResolverTest : public ::testing::Test {
 protected:
  Config config() {
    Config c = defaultConfig();
    c.hosts = {HostTarget{"api.example.com"}};
    return c;
  }

  std::unique_ptr<TargetResolver> make(const Config& c) {
    ResolverOptions options;
    options.lookup = [this](const std::string& name) { return dns.lookup(name); };
    options.clock = [this] { return clock.now; };
    options.grace = seconds(600);
    return std::make_unique<TargetResolver>(
        c, [this](const std::vector<kernel::TargetEntry>& t) { published.push_back(t); }, options);
  }

  FakeClock clock;
  FakeDns dns;
  std::vector<std::vector<kernel::TargetEntry>> published;
};

TEST_F(TargetResolverTest, FirstPollPublishesResolvedAddressesAndCidrs) {
  Config c = config();
  c.hosts.push_back(HostTarget{"local.model", 8080, false, true});
  c.hosts.push_back(HostTarget{"sni.only", 443, true, false});
  c.cidrs.push_back(CidrTarget{"10.0.0.0/8", *parseCidr("10.0.0.0/8", 443, false)});
  dns.set("api.example.com", {"192.0.2.1", "2001:db8::1"}, seconds(60));
  dns.set("local.model", {"127.0.0.5"}, seconds(60));
  auto resolver = make(c);

  resolver->poll();

  ASSERT_EQ(published.size(), 1u);
  std::vector<kernel::TargetEntry> expected = {hostEntry("2001:db8::1"),
                                               *parseCidr("10.0.0.0/8", 443, false),
                                               hostEntry("127.0.0.5", 8080, true),
                                               hostEntry("192.0.2.1")};
  std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
    return std::tie(a.addr, a.prefixLen, a.port) < std::tie(b.addr, b.prefixLen, b.port);
  });
  EXPECT_EQ(published[0], expected);
  EXPECT_EQ(resolver->targets(), expected);
  EXPECT_EQ(dns.calls.count("sni.only"), 0u) << "resolve: false must never be looked up";
}

TEST_F(TargetResolverTest, TtlIsHonouredAndClamped) {
  dns.set("api.example.com", {"192.0.2.1"}, seconds(30));
  auto resolver = make(config());
  auto next = resolver->poll();
  EXPECT_EQ(next, clock.now + seconds(30));
  EXPECT_EQ(dns.calls["api.example.com"], 1);

  clock.advance(seconds(29));
  resolver->poll();
  EXPECT_EQ(dns.calls["api.example.com"], 1) << "looked up again before the TTL ran out";
  EXPECT_EQ(resolver->snapshot().hosts[0].expiresIn, seconds(1));

  clock.advance(seconds(1));
  resolver->poll();
  EXPECT_EQ(dns.calls["api.example.com"], 2);

  dns.set("api.example.com", {"192.0.2.1"}, seconds(1));  // below min_ttl_s (5)
  clock.advance(seconds(30));
  EXPECT_EQ(resolver->poll(), clock.now + seconds(5));
  EXPECT_EQ(resolver->snapshot().hosts[0].ttl, seconds(5));

  dns.set("api.example.com", {"192.0.2.1"}, seconds(100000));  // above max_ttl_s (300)
  clock.advance(seconds(5));
  EXPECT_EQ(resolver->poll(), clock.now + seconds(300));

  dns.set("api.example.com", {"192.0.2.1"}, std::nullopt);  // hosts file: default_ttl_s (60)
  clock.advance(seconds(300));
  EXPECT_EQ(resolver->poll(), clock.now + seconds(60));
}

TEST_F(TargetResolverTest, CallbackOnlyWhenTheSetChanges) {
  dns.set("api.example.com", {"192.0.2.1"}, seconds(10));
  auto resolver = make(config());
  resolver->poll();
  ASSERT_EQ(published.size(), 1u);

  for (int i = 0; i < 3; ++i) {
    clock.advance(seconds(10));
    resolver->poll();
  }
  EXPECT_EQ(dns.calls["api.example.com"], 4);
  EXPECT_EQ(published.size(), 1u) << "same answers must not republish";

  dns.set("api.example.com", {"192.0.2.1", "192.0.2.2"}, seconds(10));
  clock.advance(seconds(10));
  resolver->poll();
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(published[1], (std::vector<kernel::TargetEntry>{hostEntry("192.0.2.1"), hostEntry("192.0.2.2")}));
}

TEST_F(TargetResolverTest, VanishedAddressIsKeptForTheGracePeriodThenRemoved) {
  dns.set("api.example.com", {"192.0.2.1", "192.0.2.2"}, seconds(60));
  auto resolver = make(config());
  resolver->poll();

  clock.advance(seconds(60));
  dns.set("api.example.com", {"192.0.2.2"}, seconds(60));
  resolver->poll();  // 192.0.2.1 last seen 60 s ago
  EXPECT_EQ(published.size(), 1u) << "a vanished address must stay during the grace period";
  EXPECT_EQ(resolver->snapshot().hosts[0].addresses, (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));

  clock.advance(seconds(539));  // 599 s since 192.0.2.1 was last seen
  auto next = resolver->poll();
  EXPECT_EQ(published.size(), 1u);
  EXPECT_EQ(next, clock.now + seconds(1)) << "the grace expiry must wake the resolver";

  clock.advance(seconds(1));
  resolver->poll();
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(published[1], (std::vector<kernel::TargetEntry>{hostEntry("192.0.2.2")}));
}

TEST_F(TargetResolverTest, FailureKeepsTheLastGoodAddressesAndBacksOff) {
  dns.set("api.example.com", {"192.0.2.1"}, seconds(60));
  auto resolver = make(config());
  resolver->poll();

  clock.advance(seconds(60));
  dns.fail("api.example.com", "resolve api.example.com: Temporary failure in name resolution");
  EXPECT_EQ(resolver->poll(), clock.now + seconds(1));
  clock.advance(seconds(1));
  EXPECT_EQ(resolver->poll(), clock.now + seconds(2));
  clock.advance(seconds(2));
  EXPECT_EQ(resolver->poll(), clock.now + seconds(4));

  auto snap = resolver->snapshot();
  EXPECT_EQ(snap.hosts[0].error, "resolve api.example.com: Temporary failure in name resolution");
  EXPECT_EQ(snap.hosts[0].addresses, std::vector<std::string>{"192.0.2.1"});

  // Far past the grace period: an outage alone never empties the set.
  for (int i = 0; i < 40; ++i) {
    clock.advance(seconds(60));
    resolver->poll();
  }
  EXPECT_EQ(published.size(), 1u);
  EXPECT_EQ(resolver->targets(), std::vector<kernel::TargetEntry>{hostEntry("192.0.2.1")});
  EXPECT_LE(resolver->poll(), clock.now + seconds(60)) << "backoff is capped";

  dns.set("api.example.com", {"192.0.2.1"}, seconds(60));
  clock.advance(seconds(60));
  resolver->poll();
  EXPECT_EQ(resolver->snapshot().hosts[0].error, "");
  EXPECT_EQ(published.size(), 1u);
}

TEST_F(TargetResolverTest, ALookupThatThrowsIsAFailedLookup) {
  ResolverOptions options;
  options.lookup = [](const std::string&) -> Result<LookupAnswer> { throw std::runtime_error("out of sockets"); };
  options.clock = [this] { return clock.now; };
  TargetResolver resolver(
      config(), [this](const std::vector<kernel::TargetEntry>& t) { published.push_back(t); }, options);
  EXPECT_EQ(resolver.poll(), clock.now + seconds(1)) << "retried with backoff";
  EXPECT_EQ(resolver.snapshot().hosts[0].error, "resolve api.example.com: out of sockets");
}

TEST_F(TargetResolverTest, APublisherThatThrowsIsOfferedTheSetAgain) {
  dns.set("api.example.com", {"192.0.2.1"}, seconds(300));
  int offers = 0;
  ResolverOptions options;
  options.lookup = [this](const std::string& name) { return dns.lookup(name); };
  options.clock = [this] { return clock.now; };
  TargetResolver resolver(
      config(),
      [&](const std::vector<kernel::TargetEntry>& t) {
        if (++offers <= 2) throw std::runtime_error("map update refused");
        published.push_back(t);
      },
      options);
  EXPECT_EQ(resolver.poll(), clock.now + seconds(1)) << "the set is offered again soon, not at the TTL";
  EXPECT_EQ(resolver.poll(), clock.now + seconds(1)) << "an earlier poll does not offer it before its backoff";
  EXPECT_EQ(offers, 1);
  clock.advance(seconds(1));
  EXPECT_EQ(resolver.poll(), clock.now + seconds(2)) << "with backoff";
  EXPECT_TRUE(published.empty());
  clock.advance(seconds(2));
  resolver.poll();
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(published[0], std::vector<kernel::TargetEntry>{hostEntry("192.0.2.1")});
  EXPECT_EQ(dns.calls["api.example.com"], 1) << "offering again does not look the name up again";
}

TEST_F(TargetResolverTest, NeverResolvedHostPublishesTheCidrsAlone) {
  Config c = config();
  c.cidrs.push_back(CidrTarget{"127.0.0.2/32", *parseCidr("127.0.0.2/32", 443, false)});
  auto resolver = make(c);  // api.example.com is unknown to the fake DNS
  resolver->poll();
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(published[0], std::vector<kernel::TargetEntry>{c.cidrs[0].entry});
  EXPECT_NE(resolver->snapshot().hosts[0].error.find("Name or service not known"), std::string::npos);
}

TEST_F(TargetResolverTest, SnapshotJsonHasTheStatusShape) {
  Config c = config();
  c.cidrs.push_back(CidrTarget{"127.0.0.2/32", *parseCidr("127.0.0.2/32", 11434, true)});
  dns.set("api.example.com", {"192.0.2.1"}, seconds(30));
  auto resolver = make(c);
  resolver->poll();
  clock.advance(seconds(10));
  auto j = toJson(resolver->snapshot());
  EXPECT_EQ(j["hosts"][0]["name"], "api.example.com");
  EXPECT_EQ(j["hosts"][0]["port"], 443);
  EXPECT_EQ(j["hosts"][0]["tls"], true);
  EXPECT_EQ(j["hosts"][0]["addresses"], nlohmann::json::array({"192.0.2.1"}));
  EXPECT_EQ(j["hosts"][0]["expires_in_s"], 20);
  EXPECT_EQ(j["hosts"][0]["error"], "");
  EXPECT_EQ(j["addresses"][0], (nlohmann::json{{"cidr", "127.0.0.2/32"}, {"port", 11434}, {"tls", false}}));
}

TEST(TargetResolverThreadTest, ThreadResolvesAndPublishes) {
  Config c = defaultConfig();
  c.hosts = {HostTarget{"api.example.com"}};
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<kernel::TargetEntry> got;
  ResolverOptions options;
  options.lookup = [](const std::string&) -> Result<LookupAnswer> {
    return LookupAnswer{{*Endpoint::parseAddress("192.0.2.9")}, seconds(60)};
  };
  TargetResolver resolver(
      c,
      [&](const std::vector<kernel::TargetEntry>& t) {
        std::lock_guard lock(mutex);
        got = t;
        cv.notify_all();
      },
      options);
  resolver.start();
  std::unique_lock lock(mutex);
  ASSERT_TRUE(cv.wait_for(lock, seconds(5), [&] { return !got.empty(); }));
  EXPECT_EQ(got, std::vector<kernel::TargetEntry>{hostEntry("192.0.2.9")});
  lock.unlock();
  resolver.stop();  // returns promptly although the next lookup is 60 s away
}

TEST(SystemLookupTest, ResolvesFromTheHostsFile) {
  auto answer = systemLookup("localhost");
  ASSERT_TRUE(answer) << answer.error().message;
  bool loopback = false;
  for (const auto& e : answer->addresses) {
    loopback |= e.addressString() == "127.0.0.1" || e.addressString() == "::1";
  }
  EXPECT_TRUE(loopback);
  EXPECT_FALSE(systemLookup("name.invalid"));
}

}  // namespace
}  // namespace warden::app
