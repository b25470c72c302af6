#include "kernel/libbpf_log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <string>

#include "core/log.h"

namespace warden::kernel {
namespace {

int printToLogger(enum libbpf_print_level level, const char* format, va_list args) {
  char buffer[2048];
  int written = std::vsnprintf(buffer, sizeof(buffer), format, args);
  if (written < 0) return written;
  std::string line(buffer);
  while (!line.empty() && line.back() == '\n') line.pop_back();
  // libbpf's INFO level is feature probing chatter; only warnings matter to
  // operators.
  spdlog::level::level_enum mapped = spdlog::level::trace;
  if (level == LIBBPF_WARN) {
    mapped = spdlog::level::warn;
  } else if (level == LIBBPF_INFO) {
    mapped = spdlog::level::debug;
  }
  logger("kernel")->log(mapped, "libbpf: {}", line);
  return written;
}

}  // namespace

void routeLibbpfLogs() {
  static std::once_flag once;
  std::call_once(once, [] { libbpf_set_print(printToLogger); });
}

}  // namespace warden::kernel
