#include "app/target_resolver.h"

#include <arpa/nameser.h>
#include <netdb.h>
#include <resolv.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>
#include <tuple>

#include "core/log.h"

namespace warden::app {
namespace {

using std::chrono::seconds;

std::shared_ptr<spdlog::logger> targetsLog() { return logger("targets"); }

bool entryLess(const kernel::TargetEntry& a, const kernel::TargetEntry& b) {
  return std::tie(a.addr, a.prefixLen, a.port, a.plainHttp) < std::tie(b.addr, b.prefixLen, b.port, b.plainHttp);
}

// The smallest TTL among the A/AAAA answers (CNAME links included, since the
// chain expires with its shortest link); none when DNS does not answer, for
// example for names that only live in /etc/hosts.
std::optional<seconds> dnsTtl(const std::string& name) {
  struct __res_state state;
  std::memset(&state, 0, sizeof(state));
  if (res_ninit(&state) != 0) return std::nullopt;
  // Keep a dead resolver from stalling the loop for the libc default of 30 s.
  state.retrans = 2;
  state.retry = 1;
  std::optional<uint32_t> best;
  for (int type : {ns_t_a, ns_t_aaaa}) {
    unsigned char buf[4096];
    int len = res_nquery(&state, name.c_str(), ns_c_in, type, buf, sizeof(buf));
    if (len < 0) continue;
    ns_msg msg;
    if (ns_initparse(buf, std::min(len, static_cast<int>(sizeof(buf))), &msg) != 0) continue;
    for (int i = 0; i < ns_msg_count(msg, ns_s_an); ++i) {
      ns_rr rr;
      if (ns_parserr(&msg, ns_s_an, i, &rr) != 0) break;
      uint32_t ttl = ns_rr_ttl(rr);
      if (!best || ttl < *best) best = ttl;
    }
  }
  res_nclose(&state);
  if (!best) return std::nullopt;
  return seconds(*best);
}

}  // namespace

Result<LookupAnswer> systemLookup(const std::string& name) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;  // one entry per address instead of three
  addrinfo* list = nullptr;
  int rc = getaddrinfo(name.c_str(), nullptr, &hints, &list);
  if (rc != 0) {
    return Error{"resolve " + name + ": " + (rc == EAI_SYSTEM ? std::strerror(errno) : gai_strerror(rc))};
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(list, freeaddrinfo);
  LookupAnswer answer;
  for (const addrinfo* p = list; p; p = p->ai_next) {
    if (p->ai_family != AF_INET && p->ai_family != AF_INET6) continue;
    Endpoint e = Endpoint::fromSockaddr(p->ai_addr);
    e.port = 0;
    if (std::find(answer.addresses.begin(), answer.addresses.end(), e) == answer.addresses.end()) {
      answer.addresses.push_back(e);
    }
  }
  answer.ttl = dnsTtl(name);
  return answer;
}

nlohmann::json toJson(const TargetSnapshot& snapshot) {
  auto hosts = nlohmann::json::array();
  for (const auto& h : snapshot.hosts) {
    hosts.push_back({{"name", h.target.name},
                     {"port", h.target.port},
                     {"tls", h.target.tls},
                     {"resolve", h.target.resolve},
                     {"addresses", h.addresses},
                     {"ttl_s", h.ttl.count()},
                     {"expires_in_s", h.expiresIn.count()},
                     {"error", h.error}});
  }
  auto cidrs = nlohmann::json::array();
  for (const auto& c : snapshot.cidrs) {
    cidrs.push_back({{"cidr", c.cidr}, {"port", c.entry.port}, {"tls", !c.entry.plainHttp}});
  }
  return {{"hosts", hosts}, {"addresses", cidrs}};
}

TargetResolver::TargetResolver(const Config& config, TargetsCallback onChange, ResolverOptions options)
    : cidrs_(config.cidrs),
      minTtl_(config.minTtl),
      maxTtl_(config.maxTtl),
      defaultTtl_(config.defaultTtl),
      onChange_(std::move(onChange)),
      options_(std::move(options)) {
  auto now = options_.clock();
  for (const auto& host : config.hosts) {
    HostState state;
    state.target = host;
    state.due = now;
    hosts_.push_back(std::move(state));
  }
}

TargetResolver::~TargetResolver() { stop(); }

void TargetResolver::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void TargetResolver::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TargetResolver::run() {
  for (;;) {
    auto next = poll();
    std::unique_lock lock(mutex_);
    // The clock may be injected, so measure the wait with it and sleep on the
    // real one; the floor keeps a clock that does not move from spinning.
    auto wait = std::clamp<SteadyClock::duration>(next - options_.clock(), std::chrono::milliseconds(10),
                                                   std::chrono::hours(1));
    if (wake_.wait_for(lock, wait, [this] { return stopping_; })) return;
  }
}

SteadyClock::time_point TargetResolver::poll() {
  std::lock_guard pollLock(pollMutex_);
  std::vector<size_t> due;
  {
    std::lock_guard lock(mutex_);
    auto now = options_.clock();
    for (size_t i = 0; i < hosts_.size(); ++i) {
      if (hosts_[i].target.resolve && hosts_[i].due <= now) due.push_back(i);
    }
  }
  // Lookups block for as long as DNS takes: never under the mutex that
  // snapshot() needs.
  std::vector<Result<LookupAnswer>> answers;
  for (size_t i : due) answers.push_back(lookupCatching(hosts_[i].target.name));

  std::optional<std::vector<kernel::TargetEntry>> changed;
  SteadyClock::time_point next;
  {
    std::lock_guard lock(mutex_);
    auto now = options_.clock();
    for (size_t k = 0; k < due.size(); ++k) applyAnswer(hosts_[due[k]], answers[k], now);
    next = now + std::chrono::hours(1);
    for (auto& host : hosts_) {
      pruneExpired(host, now);
      next = std::min(next, nextDue(host));
    }
    auto targets = computeTargets();
    if (!published_ || *published_ != targets) {
      if (now < publishNotBefore_) {
        next = std::min(next, publishNotBefore_);  // the publisher failed: its backoff first
      } else {
        published_ = targets;
        changed = std::move(targets);
      }
    }
  }
  if (changed && !publish(*changed)) {
    std::lock_guard lock(mutex_);
    published_.reset();  // so a later poll publishes the set again
    publishNotBefore_ = options_.clock() + publishBackoff_;
    next = std::min(next, publishNotBefore_);
  }
  return next;
}

// A lookup or a publisher that throws is a failure like any other: on the
// resolver's thread an escaping exception would end the agent.
Result<LookupAnswer> TargetResolver::lookupCatching(const std::string& name) const {
  try {
    return options_.lookup(name);
  } catch (const std::exception& e) {
    return Error{"resolve " + name + ": " + e.what()};
  }
}

bool TargetResolver::publish(const std::vector<kernel::TargetEntry>& targets) {
  std::string error;
  try {
    onChange_(targets);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (error.empty()) {
    if (!publishError_.empty()) targetsLog()->info("published the {} target(s) again", targets.size());
    publishError_.clear();
    publishBackoff_ = seconds(0);
    return true;
  }
  publishBackoff_ = publishBackoff_ == seconds(0) ? options_.minBackoff : std::min(publishBackoff_ * 2, options_.maxBackoff);
  // Once per new failure, as for lookups.
  if (error != publishError_) {
    targetsLog()->error("could not publish {} target(s): {}; retrying with backoff (up to {}s)", targets.size(), error,
                        options_.maxBackoff.count());
  }
  publishError_ = error;
  return false;
}

void TargetResolver::applyAnswer(HostState& host, const Result<LookupAnswer>& answer, SteadyClock::time_point now) {
  const std::string& name = host.target.name;
  std::string error;
  if (!answer) {
    error = answer.error().message;
  } else if (answer->addresses.empty()) {
    error = "resolve " + name + ": no addresses in the answer";
  }
  if (!error.empty()) {
    host.backoff = host.backoff == seconds(0) ? options_.minBackoff : std::min(host.backoff * 2, options_.maxBackoff);
    host.due = now + host.backoff;
    // Once per new failure, not once per retry: a DNS outage must not flood the log.
    if (error != host.error) {
      targetsLog()->warn("{}; keeping its {} known address(es) and retrying with backoff (up to {}s)", error,
                  host.lastSeen.size(), options_.maxBackoff.count());
    }
    host.error = error;
    return;
  }
  if (!host.error.empty()) targetsLog()->info("resolved {} again ({} address(es))", name, answer->addresses.size());
  host.error.clear();
  host.backoff = seconds(0);
  host.ttl = std::clamp(answer->ttl.value_or(defaultTtl_), minTtl_, maxTtl_);
  host.due = now + host.ttl;
  host.lastAnswer = now;
  for (const auto& address : answer->addresses) {
    if (host.lastSeen.find(address.addr) == host.lastSeen.end()) {
      targetsLog()->debug("{}: new address {}", name, address.addressString());
    }
    host.lastSeen[address.addr] = now;
  }
}

// An address stays while the latest good answer holds it (however long DNS
// then fails), and for the grace period after an answer first left it out.
void TargetResolver::pruneExpired(HostState& host, SteadyClock::time_point now) {
  for (auto it = host.lastSeen.begin(); it != host.lastSeen.end();) {
    bool current = it->second >= host.lastAnswer;
    if (!current && it->second + options_.grace <= now) {
      Endpoint e;
      e.addr = it->first;
      targetsLog()->debug("{}: dropping address {} (not in answers for {}s)", host.target.name, e.addressString(),
                   options_.grace.count());
      it = host.lastSeen.erase(it);
    } else {
      ++it;
    }
  }
}

SteadyClock::time_point TargetResolver::nextDue(const HostState& host) const {
  auto next = SteadyClock::time_point::max();
  if (!host.target.resolve) return next;
  next = host.due;
  for (const auto& [addr, seen] : host.lastSeen) {
    if (seen < host.lastAnswer) next = std::min(next, seen + options_.grace);
  }
  return next;
}

std::vector<kernel::TargetEntry> TargetResolver::computeTargets() const {
  std::vector<kernel::TargetEntry> out;
  for (const auto& host : hosts_) {
    for (const auto& [addr, seen] : host.lastSeen) {
      out.push_back(kernel::TargetEntry{addr, 128, host.target.port, !host.target.tls});
    }
  }
  for (const auto& cidr : cidrs_) out.push_back(cidr.entry);
  std::sort(out.begin(), out.end(), entryLess);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<kernel::TargetEntry> TargetResolver::targets() const {
  std::lock_guard lock(mutex_);
  return published_.value_or(std::vector<kernel::TargetEntry>{});
}

TargetSnapshot TargetResolver::snapshot() const {
  std::lock_guard lock(mutex_);
  auto now = options_.clock();
  TargetSnapshot snap;
  snap.cidrs = cidrs_;
  for (const auto& host : hosts_) {
    HostStatus status{host.target, {}, host.ttl, seconds(0), host.error};
    for (const auto& [addr, seen] : host.lastSeen) {
      Endpoint e;
      e.addr = addr;
      status.addresses.push_back(e.addressString());
    }
    std::sort(status.addresses.begin(), status.addresses.end());
    if (host.target.resolve && host.due > now) {
      status.expiresIn = std::chrono::ceil<seconds>(host.due - now);
    }
    snap.hosts.push_back(std::move(status));
  }
  return snap;
}

}  // namespace warden::app
