// Cost of connect() to a destination that is not one of warden's targets:
// what every other connection in an intercepted cgroup pays for the hook.
//
// usage: connect_cost [-n CONNECTS] [-r ROUNDS] [-a IPV4] [-b]
//
// Listens on IPV4 (default 127.0.0.1) port 0 itself, so nothing else is
// needed, then per round does CONNECTS x socket() + connect() + close().
// connect() is non-blocking unless -b: the hook runs inside the syscall
// either way, and not waiting for the handshake keeps scheduler noise out.
// A warm-up of CONNECTS/10 precedes the rounds. Prints one line per round:
//   round=R connect_cpu_ns=N connect_wall_ns=N loop_cpu_ns=N errors=E
// connect_cpu_ns is this thread's CPU time inside connect() per call: on a
// machine shared with other work it is the stable figure, while wall time
// also counts the time the thread waited for a CPU.
// SO_LINGER 0 makes close() reset the connection: no TIME_WAIT, so 200000
// connects do not run out of ephemeral ports.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static atomic_bool stopping;

static uint64_t clockNs(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// Drains the accept queue; a full queue would stall connect() for a SYN retry.
static void* acceptLoop(void* arg) {
  int listener = *(int*)arg;
  while (!atomic_load(&stopping)) {
    int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0) {
      close(fd);
    } else if (errno != EINTR && errno != ECONNABORTED) {
      break;  // the listener was shut down
    }
  }
  return NULL;
}

static int openListener(const char* address, struct sockaddr_in* bound) {
  memset(bound, 0, sizeof(*bound));
  bound->sin_family = AF_INET;
  if (inet_pton(AF_INET, address, &bound->sin_addr) != 1) {
    fprintf(stderr, "connect_cost: '%s' is not an IPv4 address\n", address);
    return -1;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  socklen_t len = sizeof(*bound);
  if (fd < 0 || bind(fd, (struct sockaddr*)bound, sizeof(*bound)) != 0 || listen(fd, 4096) != 0 ||
      getsockname(fd, (struct sockaddr*)bound, &len) != 0) {
    fprintf(stderr, "connect_cost: cannot listen on %s: %s\n", address, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

struct RoundResult {
  uint64_t connectCpuNs;
  uint64_t connectWallNs;
  uint64_t loopCpuNs;
  long errors;
};

static struct RoundResult runRound(const struct sockaddr_in* target, long connects, bool blocking) {
  const struct linger reset = {.l_onoff = 1, .l_linger = 0};
  struct RoundResult result = {0, 0, 0, 0};
  uint64_t cpuInConnect = 0, wallInConnect = 0;
  uint64_t loopStart = clockNs(CLOCK_THREAD_CPUTIME_ID);
  for (long i = 0; i < connects; i++) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (blocking ? 0 : SOCK_NONBLOCK), 0);
    if (fd < 0) {
      result.errors++;
      continue;
    }
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
    uint64_t wallBefore = clockNs(CLOCK_MONOTONIC);
    uint64_t cpuBefore = clockNs(CLOCK_THREAD_CPUTIME_ID);
    int rc = connect(fd, (const struct sockaddr*)target, sizeof(*target));
    cpuInConnect += clockNs(CLOCK_THREAD_CPUTIME_ID) - cpuBefore;
    wallInConnect += clockNs(CLOCK_MONOTONIC) - wallBefore;
    if (rc != 0 && (blocking || errno != EINPROGRESS)) {
      if (result.errors == 0) fprintf(stderr, "connect_cost: connect failed: %s\n", strerror(errno));
      result.errors++;
    }
    close(fd);
  }
  result.loopCpuNs = (clockNs(CLOCK_THREAD_CPUTIME_ID) - loopStart) / (uint64_t)connects;
  result.connectCpuNs = cpuInConnect / (uint64_t)connects;
  result.connectWallNs = wallInConnect / (uint64_t)connects;
  return result;
}

int main(int argc, char** argv) {
  long connects = 200000;
  int rounds = 1;
  const char* address = "127.0.0.1";
  bool blocking = false;
  int opt;
  while ((opt = getopt(argc, argv, "n:r:a:b")) != -1) {
    switch (opt) {
      case 'n': connects = strtol(optarg, NULL, 10); break;
      case 'r': rounds = atoi(optarg); break;
      case 'a': address = optarg; break;
      case 'b': blocking = true; break;
      default:
        fprintf(stderr, "usage: %s [-n CONNECTS] [-r ROUNDS] [-a IPV4] [-b]\n", argv[0]);
        return 2;
    }
  }
  if (connects <= 0 || rounds <= 0) {
    fprintf(stderr, "connect_cost: -n and -r must be positive\n");
    return 2;
  }

  struct sockaddr_in target;
  int listener = openListener(address, &target);
  if (listener < 0) return 1;
  pthread_t acceptor;
  if (pthread_create(&acceptor, NULL, acceptLoop, &listener) != 0) {
    fprintf(stderr, "connect_cost: cannot start the accept thread\n");
    return 1;
  }
  printf("port=%u mode=%s\n", (unsigned)ntohs(target.sin_port), blocking ? "blocking" : "non-blocking");

  // Warms caches and slabs so the first round is not the slowest.
  long failed = runRound(&target, connects / 10 + 1, blocking).errors;
  for (int round = 1; round <= rounds; round++) {
    struct RoundResult r = runRound(&target, connects, blocking);
    failed += r.errors;
    printf("round=%d connect_cpu_ns=%llu connect_wall_ns=%llu loop_cpu_ns=%llu errors=%ld\n", round,
           (unsigned long long)r.connectCpuNs, (unsigned long long)r.connectWallNs,
           (unsigned long long)r.loopCpuNs, r.errors);
    fflush(stdout);
  }

  atomic_store(&stopping, true);
  shutdown(listener, SHUT_RDWR);  // wakes the blocked accept()
  pthread_join(acceptor, NULL);
  close(listener);
  return failed == 0 ? 0 : 1;
}
