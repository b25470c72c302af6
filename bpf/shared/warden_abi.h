/* Structures and constants shared by the BPF programs and wardend.
 *
 * Every field is fixed-width and explicitly padded so the layout is identical
 * for clang -target bpf and the host compiler; tests/unit/kernel/abi_layout_test.cpp
 * checks sizes and offsets on the C++ side.
 */
#ifndef WARDEN_ABI_H
#define WARDEN_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define WARDEN_COMM_LEN 16

/* Addresses are always stored as IPv6; IPv4 as v4-mapped ::ffff:a.b.c.d, so
 * one LPM trie serves connect4, connect6 and v4-mapped connect6. */
struct warden_addr {
	__u8 bytes[16];
};

/* Key of warden_targets (LPM trie). prefixlen counts the 32 bits of port+pad
 * first, then address bits: a /32 IPv4 target has prefixlen 32 + 96 + 32. */
struct warden_target_key {
	__u32 prefixlen;
	__u16 port; /* network byte order */
	__u16 pad;
	struct warden_addr addr;
};

enum warden_target_flags {
	WARDEN_TARGET_TLS = 1 << 0,   /* expect TLS; intercept by SNI */
	WARDEN_TARGET_PLAIN = 1 << 1, /* plain HTTP (e.g. a local model server) */
};

struct warden_target {
	__u32 flags;
};

/* Who opened a redirected connection and where it wanted to go. Captured in
 * connect4/6, where `current` is the caller. */
struct warden_origin {
	struct warden_addr dst;
	__u16 dst_port; /* network byte order */
	__u16 family;   /* AF_INET or AF_INET6 as dialled */
	__u32 tgid;
	__u32 pid;
	__u32 uid;
	__u32 gid;
	__u32 target_flags;
	__u64 cgroup_id;
	__u64 netns_cookie;
	__u64 socket_cookie;
	__u64 connect_ns; /* bpf_ktime_get_ns() at connect */
	char comm[WARDEN_COMM_LEN];
};

/* Key of warden_conns: the client end of a redirected connection as the
 * agent sees it from accept(): peer address and port. The netns cookie keeps
 * 4-tuples of different namespaces apart. */
struct warden_conn_key {
	__u64 netns_cookie;
	struct warden_addr client_addr;
	__u16 client_port; /* host byte order, as sock_ops reports local_port */
	__u16 pad[3];
};

enum warden_fail_mode {
	WARDEN_FAIL_OPEN = 0,   /* agent down: connect goes direct */
	WARDEN_FAIL_CLOSED = 1, /* agent down: connect fails with EPERM */
};

/* Single entry of warden_settings, written by the agent before attaching. */
struct warden_settings {
	__u64 agent_netns_cookie; /* only this netns is redirected */
	__u64 heartbeat_timeout_ns;
	__u32 agent_mark;     /* SO_MARK on the agent's own sockets */
	__u32 fail_mode;      /* enum warden_fail_mode */
	__u16 listen_port;    /* network byte order */
	__u16 pad[3];
};

enum warden_counter {
	WARDEN_CTR_REDIRECTED = 0,  /* TCP connect rewritten to the agent */
	WARDEN_CTR_PASSED,          /* not a target: untouched */
	WARDEN_CTR_AGENT_OWN,       /* the agent's own upstream socket */
	WARDEN_CTR_QUIC_REFUSED,    /* UDP/443 to a target refused */
	WARDEN_CTR_NOT_COVERED,     /* target dialled from another netns */
	WARDEN_CTR_FAIL_OPEN,       /* target passed: agent down (stale or no listener) */
	WARDEN_CTR_FAIL_CLOSED,     /* target refused: agent down (stale or no listener) */
	WARDEN_CTR_PEERNAME,        /* getpeername answered with the origin */
	WARDEN_CTR_ORIGIN_MISSING,  /* map full or lookup failed */
	WARDEN_CTR_NO_LISTENER,     /* heartbeat fresh but no agent listener; also
				     * counted as FAIL_OPEN or FAIL_CLOSED */
	WARDEN_CTR_MAX,
};

#endif /* WARDEN_ABI_H */
