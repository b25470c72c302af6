#include "identity/proc_reader.h"

#include <time.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace warden::identity {
namespace {

std::string procFile(const std::string& procRoot, uint32_t tgid, const char* name) {
  return procRoot + "/" + std::to_string(tgid) + "/" + name;
}

Result<std::string> readWhole(const std::string& path) {
  std::ifstream in(path);
  if (!in) return errnoError("read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Result<uint64_t> readStartTime(const std::string& procRoot, uint32_t tgid) {
  const std::string path = procFile(procRoot, tgid, "stat");
  auto text = readWhole(path);
  if (!text) return text.error();
  // comm (field 2) may hold spaces and ')', so count fields after the last ')'.
  const size_t close = text->rfind(')');
  if (close == std::string::npos) return Error{"parse " + path + ": no ')' after comm"};
  std::istringstream fields(text->substr(close + 1));
  std::string field;
  for (int index = 3; index <= 22; ++index) {
    if (!(fields >> field)) return Error{"parse " + path + ": fewer than 22 fields"};
  }
  uint64_t ticks = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), ticks);
  if (ec != std::errc() || end != field.data() + field.size()) {
    return Error{"parse " + path + ": start time '" + field + "' is not a number"};
  }
  return ticks;
}

Result<bool> startedAfter(const std::string& procRoot, uint32_t tgid, uint64_t connectMonotonicNs) {
  auto ticks = readStartTime(procRoot, tgid);
  if (!ticks) return ticks.error();
  const long ticksPerSecond = ::sysconf(_SC_CLK_TCK);
  if (ticksPerSecond <= 0) return Error{"sysconf(_SC_CLK_TCK) failed"};
  timespec boot{};
  timespec monotonic{};
  ::clock_gettime(CLOCK_MONOTONIC, &monotonic);
  ::clock_gettime(CLOCK_BOOTTIME, &boot);
  constexpr uint64_t kNsPerSecond = 1'000'000'000;
  auto nsOf = [](const timespec& t) {
    return static_cast<uint64_t>(t.tv_sec) * kNsPerSecond + static_cast<uint64_t>(t.tv_nsec);
  };
  const uint64_t suspended = nsOf(boot) > nsOf(monotonic) ? nsOf(boot) - nsOf(monotonic) : 0;
  const uint64_t startNs = *ticks * (kNsPerSecond / static_cast<uint64_t>(ticksPerSecond));
  return startNs > connectMonotonicNs + suspended;
}

Result<ProcessCredentials> readCredentials(const std::string& procRoot, uint32_t tgid) {
  const std::string path = procFile(procRoot, tgid, "status");
  std::ifstream in(path);
  if (!in) return errnoError("read " + path);
  ProcessCredentials credentials;
  int found = 0;
  std::string line;
  while (std::getline(in, line) && found < 2) {
    std::istringstream fields(line);
    std::string key;
    uint32_t real = 0;
    if (!(fields >> key >> real)) continue;
    if (key == "Uid:") {
      credentials.uid = real;
      ++found;
    } else if (key == "Gid:") {
      credentials.gid = real;
      ++found;
    }
  }
  if (found < 2) return Error{"parse " + path + ": no Uid:/Gid: lines"};
  return credentials;
}

Result<std::string> readComm(const std::string& procRoot, uint32_t tgid) {
  auto text = readWhole(procFile(procRoot, tgid, "comm"));
  if (!text) return text.error();
  if (!text->empty() && text->back() == '\n') text->pop_back();
  return std::move(text).value();
}

Result<std::string> readCgroupV2Path(const std::string& procRoot, uint32_t tgid) {
  const std::string path = procFile(procRoot, tgid, "cgroup");
  std::ifstream in(path);
  if (!in) return errnoError("read " + path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) != 0) continue;
    std::string cgroup = line.substr(3);
    // A cgroup removed under a live (zombie) task reads " (deleted)".
    if (cgroup.size() > 10 && cgroup.compare(cgroup.size() - 10, 10, " (deleted)") == 0) {
      cgroup.resize(cgroup.size() - 10);
    }
    while (!cgroup.empty() && cgroup.front() == '/') cgroup.erase(0, 1);
    return cgroup;
  }
  return Error{path + " has no cgroup v2 (0::) line: the process is not in the cgroup v2 hierarchy"};
}

}  // namespace warden::identity
