// SPDX-License-Identifier: GPL-2.0
/* cgroup/getpeername4 and cgroup/getpeername6: a redirected socket reports
 * the address its owner dialled, not the agent's listener, so clients that
 * check or log their peer see what they expect. */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "warden_net.bpf.h"
#include "warden_state.bpf.h"

static __always_inline const struct warden_origin *warden_origin_of(struct bpf_sock_addr *ctx)
{
	__u64 cookie = bpf_get_socket_cookie(ctx);

	return bpf_map_lookup_elem(&warden_origins, &cookie);
}

SEC("cgroup/getpeername4")
int warden_getpeername4(struct bpf_sock_addr *ctx)
{
	const struct warden_origin *origin = warden_origin_of(ctx);

	if (!origin)
		return WARDEN_ALLOW;
	ctx->user_ip4 = warden_addr_word(&origin->dst, 3);
	ctx->user_port = origin->dst_port;
	warden_count(WARDEN_CTR_PEERNAME);
	return WARDEN_ALLOW;
}

/* The stored address is already in the form the socket dialled: v4-mapped for
 * an IPv6 socket that dialled ::ffff:a.b.c.d. */
SEC("cgroup/getpeername6")
int warden_getpeername6(struct bpf_sock_addr *ctx)
{
	const struct warden_origin *origin = warden_origin_of(ctx);

	if (!origin)
		return WARDEN_ALLOW;
	ctx->user_ip6[0] = warden_addr_word(&origin->dst, 0);
	ctx->user_ip6[1] = warden_addr_word(&origin->dst, 1);
	ctx->user_ip6[2] = warden_addr_word(&origin->dst, 2);
	ctx->user_ip6[3] = warden_addr_word(&origin->dst, 3);
	ctx->user_port = origin->dst_port;
	warden_count(WARDEN_CTR_PEERNAME);
	return WARDEN_ALLOW;
}

char LICENSE[] SEC("license") = "GPL";
