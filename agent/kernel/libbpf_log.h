// Routes libbpf's messages (including verifier logs on a failed load) to the
// "kernel" component logger instead of stderr.
#pragma once

namespace warden::kernel {

// Idempotent; libbpf's print hook is process-wide.
void routeLibbpfLogs();

}  // namespace warden::kernel
