// SPDX-License-Identifier: GPL-2.0
/* sockops: once a redirected connect has its local port (TCP_CONNECT_CB,
 * before the SYN leaves), index its origin by the client address the agent
 * will see from accept(); drop both entries when the socket closes.
 *
 * `current` is not the application here, so identity comes from the origin
 * captured in connect4/6.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "warden_net.bpf.h"
#include "warden_state.bpf.h"

/* A socket that talks IPv4 (AF_INET, or AF_INET6 to a v4-mapped peer) keeps
 * its source address in local_ip4; the agent sees it as v4-mapped. */
static __always_inline void warden_conn_key_of(struct bpf_sock_ops *skops, __u64 netns_cookie,
					       struct warden_conn_key *key)
{
	__u32 remote6[4];
	__u32 local6[4];

	__builtin_memset(key, 0, sizeof(*key));
	key->netns_cookie = netns_cookie;
	key->client_port = (__u16)skops->local_port;
	if (skops->family == WARDEN_AF_INET) {
		warden_addr_set_v4(&key->client_addr, skops->local_ip4);
		return;
	}
	remote6[0] = skops->remote_ip6[0];
	remote6[1] = skops->remote_ip6[1];
	remote6[2] = skops->remote_ip6[2];
	remote6[3] = skops->remote_ip6[3];
	if (warden_ip6_is_v4_mapped(remote6)) {
		warden_addr_set_v4(&key->client_addr, skops->local_ip4);
		return;
	}
	local6[0] = skops->local_ip6[0];
	local6[1] = skops->local_ip6[1];
	local6[2] = skops->local_ip6[2];
	local6[3] = skops->local_ip6[3];
	warden_addr_set_v6(&key->client_addr, local6);
}

/* remote_port holds the big-endian port in its upper 16 bits on
 * little-endian hosts (the kernel shifts it for compatibility) and in the
 * lower ones on big-endian hosts. */
static __always_inline __u16 warden_remote_port_be(const struct bpf_sock_ops *skops)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (__u16)(skops->remote_port >> 16);
#else
	return (__u16)skops->remote_port;
#endif
}

static __always_inline void warden_on_connect(struct bpf_sock_ops *skops)
{
	const struct warden_settings *settings = warden_get_settings();
	struct warden_origin *origin;
	struct warden_conn_key key;
	__u64 cookie;

	/* connect4/6 already rewrote redirected sockets to the agent's port: any
	 * other connection needs no cookie (allocating one costs) nor lookup. */
	if (!settings || warden_remote_port_be(skops) != settings->listen_port)
		return;
	cookie = bpf_get_socket_cookie(skops);
	origin = bpf_map_lookup_elem(&warden_origins, &cookie);
	if (!origin)
		return;
	warden_conn_key_of(skops, origin->netns_cookie, &key);
	if (bpf_map_update_elem(&warden_conns, &key, origin, BPF_ANY)) {
		warden_count(WARDEN_CTR_ORIGIN_MISSING);
		return;
	}
	bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_STATE_CB_FLAG);
}

static __always_inline void warden_on_close(struct bpf_sock_ops *skops)
{
	__u64 cookie = bpf_get_socket_cookie(skops);
	struct warden_origin *origin = bpf_map_lookup_elem(&warden_origins, &cookie);
	struct warden_conn_key key;

	/* without the origin the netns cookie is unknown; LRU reclaims the rest */
	if (!origin)
		return;
	warden_conn_key_of(skops, origin->netns_cookie, &key);
	bpf_map_delete_elem(&warden_conns, &key);
	bpf_map_delete_elem(&warden_origins, &cookie);
}

SEC("sockops")
int warden_sockops(struct bpf_sock_ops *skops)
{
	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		warden_on_connect(skops);
		break;
	case BPF_SOCK_OPS_STATE_CB:
		if (skops->args[1] == BPF_TCP_CLOSE)
			warden_on_close(skops);
		break;
	default:
		break;
	}
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
