/* warden's BPF maps, included by every program file.
 *
 * Each definition is __weak so that every object can see the maps while
 * `bpftool gen object` merges the identical definitions into one map each in
 * the linked object (and therefore one set of maps in the skeleton).
 */
#ifndef WARDEN_MAPS_BPF_H
#define WARDEN_MAPS_BPF_H

#include "warden_abi.h"

#define WARDEN_MAX_TARGETS 4096
/* One entry per in-flight redirected connect; LRU evicts the oldest if the
 * close callback never ran (e.g. a connect that failed before the SYN). */
#define WARDEN_MAX_CONNS 65536

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, WARDEN_MAX_TARGETS);
	__type(key, struct warden_target_key);
	__type(value, struct warden_target);
} warden_targets SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct warden_settings);
} warden_settings SEC(".maps") __weak;

/* CLOCK_MONOTONIC ns of the agent's last sign of life; 0 = never. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} warden_heartbeat SEC(".maps") __weak;

/* socket cookie -> origin, written in connect4/6 where `current` is the app. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WARDEN_MAX_CONNS);
	__type(key, __u64);
	__type(value, struct warden_origin);
} warden_origins SEC(".maps") __weak;

/* client end of the redirected connection -> origin, for the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WARDEN_MAX_CONNS);
	__type(key, struct warden_conn_key);
	__type(value, struct warden_origin);
} warden_conns SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WARDEN_CTR_MAX);
	__type(key, __u32);
	__type(value, __u64);
} warden_counters SEC(".maps") __weak;

#endif /* WARDEN_MAPS_BPF_H */
