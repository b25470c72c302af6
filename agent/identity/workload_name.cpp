#include "identity/workload_name.h"

#include <optional>
#include <vector>

namespace warden::identity {
namespace {

// Container ids are 64 lowercase hex digits in every runtime named here;
// requiring that keeps user-named scopes such as "docker-compose-web.scope"
// from being taken for containers.
bool isContainerId(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool startsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

struct ContainerMatch {
  ContainerRuntime runtime;
  std::string_view id;
};

// "<prefix><id>.scope" as the systemd cgroup drivers name container scopes.
std::optional<ContainerMatch> matchScope(std::string_view part) {
  struct Form {
    std::string_view prefix;
    ContainerRuntime runtime;
  };
  // libpod-conmon-<id>.scope / crio-conmon-<id>.scope hold the monitor, not
  // the container; they fail the id check because "conmon-" is not hex.
  static constexpr Form kForms[] = {
      {"docker-", ContainerRuntime::kDocker},
      {"cri-containerd-", ContainerRuntime::kContainerd},
      {"libpod-", ContainerRuntime::kPodman},
      {"crio-", ContainerRuntime::kCrio},
  };
  if (!endsWith(part, ".scope")) return std::nullopt;
  const std::string_view stem = part.substr(0, part.size() - 6);
  for (const auto& form : kForms) {
    if (startsWith(stem, form.prefix) && isContainerId(stem.substr(form.prefix.size()))) {
      return ContainerMatch{form.runtime, stem.substr(form.prefix.size())};
    }
  }
  return std::nullopt;
}

// kubepods-pod<uid>.slice, kubepods-<qos>-pod<uid>.slice (systemd driver,
// '-' in the uid escaped as '_'; kind and others prefix "kubelet-"),
// pod<uid> (cgroupfs driver).
std::optional<std::string> matchPod(std::string_view part, bool underKubepods) {
  if (part.find("kubepods") != std::string_view::npos && endsWith(part, ".slice")) {
    const size_t at = part.rfind("-pod");
    if (at == std::string_view::npos) return std::nullopt;
    std::string uid(part.substr(at + 4, part.size() - 6 - (at + 4)));
    if (uid.empty()) return std::nullopt;
    for (char& c : uid) {
      if (c == '_') c = '-';
    }
    return uid;
  }
  if (underKubepods && startsWith(part, "pod") && part.size() > 3) return std::string(part.substr(3));
  return std::nullopt;
}

}  // namespace

std::string_view runtimeName(ContainerRuntime runtime) {
  switch (runtime) {
    case ContainerRuntime::kNone:
      return "";
    case ContainerRuntime::kDocker:
      return "docker";
    case ContainerRuntime::kContainerd:
      return "containerd";
    case ContainerRuntime::kPodman:
      return "podman";
    case ContainerRuntime::kCrio:
      return "crio";
    case ContainerRuntime::kUnknown:
      return "unknown";
  }
  return "";
}

WorkloadName parseWorkloadName(std::string_view cgroupPath) {
  const auto parts = splitPath(cgroupPath);
  WorkloadName name;
  bool underKubepods = false;  // cgroupfs driver: /kubepods/[qos/]pod<uid>/<id>
  bool underDocker = false;    // cgroupfs driver: /docker/<id>, also nested (Docker in Docker)
  size_t unitEnd = 0;          // parts[0, unitEnd) is the unit's path
  std::string_view slice;
  std::string_view lastSlice;

  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string_view part = parts[i];
    if (endsWith(part, ".service") || endsWith(part, ".scope")) {
      unitEnd = i + 1;
      slice = lastSlice;
    } else if (endsWith(part, ".slice")) {
      lastSlice = part;
    }

    if (auto pod = matchPod(part, underKubepods)) {
      name.podUid = std::move(*pod);
      continue;
    }
    if (auto container = matchScope(part)) {
      name.containerId = std::string(container->id);
      name.runtime = container->runtime;
    } else if ((underDocker || (underKubepods && !name.podUid.empty())) && isContainerId(part)) {
      name.containerId = std::string(part);
      name.runtime = underDocker ? ContainerRuntime::kDocker : ContainerRuntime::kUnknown;
    }
    underKubepods = underKubepods || part == "kubepods";
    underDocker = part == "docker";
  }

  if (unitEnd > 0) {
    for (size_t i = 0; i < unitEnd; ++i) {
      if (i > 0) name.unit += '/';
      name.unit += parts[i];
    }
    name.slice = std::string(slice);
  }
  return name;
}

}  // namespace warden::identity
