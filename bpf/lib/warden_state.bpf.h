/* Access to the agent-written state: settings, heartbeat, targets, counters.
 * Every lookup is NULL-checked even where the map type cannot miss, because
 * the verifier requires it and a future map type change must not crash. */
#ifndef WARDEN_STATE_BPF_H
#define WARDEN_STATE_BPF_H

#include "warden_maps.bpf.h"

static __always_inline void warden_count(enum warden_counter counter)
{
	__u32 key = counter;
	__u64 *value = bpf_map_lookup_elem(&warden_counters, &key);

	/* per-CPU slot: no other writer, no atomic needed */
	if (value)
		*value += 1;
}

static __always_inline const struct warden_settings *warden_get_settings(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&warden_settings, &zero);
}

/* Stale when never written or older than the timeout. Same clock as the
 * agent's CLOCK_MONOTONIC. */
static __always_inline bool warden_agent_stale(const struct warden_settings *settings)
{
	__u32 zero = 0;
	__u64 *beat = bpf_map_lookup_elem(&warden_heartbeat, &zero);
	__u64 now;

	if (!beat || *beat == 0)
		return true;
	now = bpf_ktime_get_ns();
	return now > *beat && now - *beat > settings->heartbeat_timeout_ns;
}

static __always_inline struct warden_target *warden_find_target(const struct warden_addr *dst,
								__u16 port_be)
{
	struct warden_target_key key = {};

	key.prefixlen = 32 + 128;
	key.port = port_be;
	key.addr = *dst;
	return bpf_map_lookup_elem(&warden_targets, &key);
}

#endif /* WARDEN_STATE_BPF_H */
