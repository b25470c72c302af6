#include "kernel/bpf_redirector.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "core/log.h"
#include "core/unique_fd.h"
#include "kernel/abi_convert.h"
#include "kernel/libbpf_log.h"
#include "kernel/pin_dir.h"
#include "kernel/target_diff.h"
#include "warden_bpf.skel.h"

namespace warden::kernel {
namespace {

Status validate(const RedirectorOptions& options) {
  if (options.cgroupPath.empty()) return Error{"no cgroup directory given to attach to"};
  if (options.listenPort == 0) return Error{"listen port 0: the agent must listen on a fixed port"};
  if (options.heartbeatTimeout.count() <= 0) return Error{"heartbeat timeout must be positive"};
  return {};
}

Result<UniqueFd> openCgroup2Dir(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return errnoError("open cgroup " + path);
  struct statfs fs {};
  if (::fstatfs(fd.get(), &fs) != 0) return errnoError("statfs cgroup " + path);
  if (static_cast<uint64_t>(fs.f_type) != CGROUP2_SUPER_MAGIC) {
    return Error{path + " is not a cgroup v2 directory; use the cgroup2 mount from /proc/mounts "
                        "(e.g. /sys/fs/cgroup or /sys/fs/cgroup/unified) or a directory below it"};
  }
  return fd;
}

uint64_t monotonicNowNs() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1000000000ULL + static_cast<uint64_t>(now.tv_nsec);
}

}  // namespace

struct BpfRedirector::Impl {
  explicit Impl(const RedirectorOptions& opts) : options(opts), pins(opts.pinDir) {}
  ~Impl() { release(); }

  Status start();
  Status load();
  Status writeSettings();
  Status pinMaps();
  Status attachPrograms();
  void release();

  int mapFd(bpf_map* map) const { return bpf_map__fd(map); }

  RedirectorOptions options;
  PinDir pins;
  bool pinsPrepared = false;
  uint64_t netnsCookie = 0;
  UniqueFd cgroup;
  warden_bpf* skel = nullptr;
  std::vector<bpf_link*> links;
  std::mutex targetsMutex;
  std::vector<TargetEntry> installedTargets;
};

Status BpfRedirector::Impl::start() {
  if (auto ok = validate(options); !ok) return ok;
  netnsCookie = options.agentNetnsCookie;
  if (netnsCookie == 0) {
    auto cookie = currentNetnsCookie();
    if (!cookie) return cookie.error();
    netnsCookie = *cookie;
  }
  auto fd = openCgroup2Dir(options.cgroupPath);
  if (!fd) return fd.error();
  cgroup = std::move(*fd);
  // A live agent's heartbeat is at most one timeout old.
  if (auto ok = pins.prepare(options.heartbeatTimeout); !ok) return ok;
  pinsPrepared = true;
  if (auto ok = load(); !ok) return ok;
  if (auto ok = writeSettings(); !ok) return ok;
  if (auto ok = pinMaps(); !ok) return ok;
  return attachPrograms();
}

Status BpfRedirector::Impl::load() {
  skel = warden_bpf__open();
  if (!skel) return errnoError("open the BPF skeleton");
  if (int err = warden_bpf__load(skel); err != 0) {
    return errnoError("load the BPF programs (needs root or CAP_BPF, CAP_NET_ADMIN and "
                      "CAP_SYS_ADMIN, and a kernel with BTF; libbpf logged the details above)",
                      -err);
  }
  return {};
}

// Written before any program is attached, so no connect ever sees zeros.
Status BpfRedirector::Impl::writeSettings() {
  const uint32_t zero = 0;
  const warden_settings settings = makeSettings(options, netnsCookie);
  if (bpf_map_update_elem(mapFd(skel->maps.warden_settings), &zero, &settings, BPF_ANY) != 0) {
    return errnoError("write warden_settings");
  }
  return {};
}

Status BpfRedirector::Impl::pinMaps() {
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, skel->obj) {
    const std::string path = pins.mapPath(bpf_map__name(map));
    if (int err = bpf_map__pin(map, path.c_str()); err != 0) return errnoError("pin map " + path, -err);
  }
  return {};
}

Status BpfRedirector::Impl::attachPrograms() {
  bpf_program* prog = nullptr;
  bpf_object__for_each_program(prog, skel->obj) {
    const std::string name = bpf_program__name(prog);
    bpf_link* link = bpf_program__attach_cgroup(prog, cgroup.get());
    if (!link) return errnoError("attach " + name + " to cgroup " + options.cgroupPath);
    links.push_back(link);
    const std::string path = pins.linkPath(name);
    if (int err = bpf_link__pin(link, path.c_str()); err != 0) return errnoError("pin link " + path, -err);
  }
  return {};
}

void BpfRedirector::Impl::release() {
  auto log = logger("kernel");
  for (bpf_link* link : links) {
    // Forced detach: a leaked fd elsewhere must not keep the program attached.
    if (bpf_link__detach(link) != 0) log->warn("detach link: {}", std::strerror(errno));
    if (bpf_link__pin_path(link) && bpf_link__unpin(link) != 0) {
      log->warn("unpin link {}: {}", bpf_link__pin_path(link), std::strerror(errno));
    }
    bpf_link__destroy(link);
  }
  links.clear();
  if (skel) {
    bpf_map* map = nullptr;
    bpf_object__for_each_map(map, skel->obj) {
      if (bpf_map__is_pinned(map) && bpf_map__unpin(map, nullptr) != 0) {
        log->warn("unpin map {}: {}", bpf_map__name(map), std::strerror(errno));
      }
    }
    warden_bpf__destroy(skel);
    skel = nullptr;
    log->info("detached from {}", options.cgroupPath);
  }
  if (pinsPrepared) {
    pins.removeDirectories();
    pinsPrepared = false;
  }
  cgroup.reset();
}

Result<std::unique_ptr<BpfRedirector>> BpfRedirector::attach(const RedirectorOptions& options) {
  routeLibbpfLogs();
  auto impl = std::make_unique<Impl>(options);
  if (auto ok = impl->start(); !ok) {
    return ok.error().wrap("attach BPF programs to " + options.cgroupPath);
  }
  logger("kernel")->info("attached {} programs to {}, pinned under {}, redirecting to port {}",
                         impl->links.size(), options.cgroupPath, impl->pins.path(),
                         options.listenPort);
  return std::unique_ptr<BpfRedirector>(new BpfRedirector(std::move(impl)));
}

BpfRedirector::BpfRedirector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

BpfRedirector::~BpfRedirector() { detach(); }

void BpfRedirector::detach() { impl_->release(); }

Status BpfRedirector::setTargets(const std::vector<TargetEntry>& targets) {
  std::lock_guard lock(impl_->targetsMutex);
  if (!impl_->skel) return Error{"set targets: the BPF programs are detached"};
  auto diff = diffTargets(impl_->installedTargets, targets);
  if (!diff) return diff.error().wrap("set targets");
  const int fd = impl_->mapFd(impl_->skel->maps.warden_targets);
  // Add before removing so a prefix that moves between entries never gaps.
  for (const auto& [key, value] : diff->upserts) {
    if (bpf_map_update_elem(fd, &key, &value, BPF_ANY) != 0) {
      if (errno == ENOSPC || errno == E2BIG || errno == ENOMEM) {
        return errnoError("add target: the target map is full; configure fewer hosts or ranges");
      }
      return errnoError("add target");
    }
  }
  for (const auto& key : diff->removals) {
    if (bpf_map_delete_elem(fd, &key) != 0 && errno != ENOENT) return errnoError("remove target");
  }
  impl_->installedTargets = targets;
  logger("kernel")->debug("targets: {} added or changed, {} removed", diff->upserts.size(),
                          diff->removals.size());
  return {};
}

Status BpfRedirector::heartbeat() {
  if (!impl_->skel) return Error{"heartbeat: the BPF programs are detached"};
  const uint32_t zero = 0;
  const uint64_t now = monotonicNowNs();
  if (bpf_map_update_elem(impl_->mapFd(impl_->skel->maps.warden_heartbeat), &zero, &now, BPF_ANY) != 0) {
    return errnoError("write warden_heartbeat");
  }
  return {};
}

std::optional<ConnectionOrigin> BpfRedirector::lookupConnection(const Endpoint& client) const {
  if (!impl_->skel) return std::nullopt;
  const warden_conn_key key = makeConnKey(impl_->netnsCookie, client);
  warden_origin origin{};
  if (bpf_map_lookup_elem(impl_->mapFd(impl_->skel->maps.warden_conns), &key, &origin) != 0) {
    return std::nullopt;
  }
  return toConnectionOrigin(origin);
}

KernelCounters BpfRedirector::counters() const {
  KernelCounters out;
  if (!impl_->skel) return out;
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return out;
  std::vector<uint64_t> perCpu(static_cast<size_t>(cpus));
  const int fd = impl_->mapFd(impl_->skel->maps.warden_counters);
  auto sum = [&](warden_counter counter) -> uint64_t {
    const uint32_t key = counter;
    if (bpf_map_lookup_elem(fd, &key, perCpu.data()) != 0) return 0;
    uint64_t total = 0;
    for (uint64_t v : perCpu) total += v;
    return total;
  };
  out.redirected = sum(WARDEN_CTR_REDIRECTED);
  out.passed = sum(WARDEN_CTR_PASSED);
  out.agentOwn = sum(WARDEN_CTR_AGENT_OWN);
  out.quicRefused = sum(WARDEN_CTR_QUIC_REFUSED);
  out.notCovered = sum(WARDEN_CTR_NOT_COVERED);
  out.failOpen = sum(WARDEN_CTR_FAIL_OPEN);
  out.failClosed = sum(WARDEN_CTR_FAIL_CLOSED);
  out.peernameRewritten = sum(WARDEN_CTR_PEERNAME);
  out.originMissing = sum(WARDEN_CTR_ORIGIN_MISSING);
  out.noListener = sum(WARDEN_CTR_NO_LISTENER);
  return out;
}

std::vector<std::string> BpfRedirector::programNames() const {
  std::vector<std::string> names;
  if (!impl_->skel) return names;
  bpf_program* prog = nullptr;
  bpf_object__for_each_program(prog, impl_->skel->obj) names.emplace_back(bpf_program__name(prog));
  return names;
}

const std::string& BpfRedirector::cgroupPath() const { return impl_->options.cgroupPath; }

}  // namespace warden::kernel
