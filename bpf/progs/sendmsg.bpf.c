// SPDX-License-Identifier: GPL-2.0
/* cgroup/sendmsg4 and cgroup/sendmsg6: refuse unconnected UDP (QUIC) to LLM
 * targets on port 443, so clients fall back to TCP, which is redirected.
 * Connected UDP is caught in connect4/6. */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "warden_net.bpf.h"
#include "warden_state.bpf.h"

static __always_inline int warden_sendmsg_verdict(const struct warden_addr *dst, __u16 port_be)
{
	if (port_be != bpf_htons(WARDEN_QUIC_PORT) || !warden_find_target(dst, port_be))
		return WARDEN_ALLOW;
	warden_count(WARDEN_CTR_QUIC_REFUSED);
	return WARDEN_REFUSE;
}

SEC("cgroup/sendmsg4")
int warden_sendmsg4(struct bpf_sock_addr *ctx)
{
	struct warden_addr dst;

	warden_addr_set_v4(&dst, ctx->user_ip4);
	return warden_sendmsg_verdict(&dst, (__u16)ctx->user_port);
}

SEC("cgroup/sendmsg6")
int warden_sendmsg6(struct bpf_sock_addr *ctx)
{
	struct warden_addr dst;
	__u32 ip6[4];

	ip6[0] = ctx->user_ip6[0];
	ip6[1] = ctx->user_ip6[1];
	ip6[2] = ctx->user_ip6[2];
	ip6[3] = ctx->user_ip6[3];
	if (warden_ip6_is_v4_mapped(ip6))
		warden_addr_set_v4(&dst, ip6[3]);
	else
		warden_addr_set_v6(&dst, ip6);
	return warden_sendmsg_verdict(&dst, (__u16)ctx->user_port);
}

char LICENSE[] SEC("license") = "GPL";
