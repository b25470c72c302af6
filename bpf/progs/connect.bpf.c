// SPDX-License-Identifier: GPL-2.0
/* cgroup/connect4 and cgroup/connect6: send TCP connects to LLM targets to the
 * local agent and remember who dialled what; refuse QUIC to targets.
 *
 * IPv4-mapped IPv6 destinations go through the IPv4 logic and are rewritten to
 * ::ffff:127.0.0.1, because the socket then really talks IPv4 and ::1 would
 * not be reachable from it.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "warden_listener.bpf.h"
#include "warden_net.bpf.h"
#include "warden_state.bpf.h"

enum warden_verdict {
	WARDEN_VERDICT_PASS,
	WARDEN_VERDICT_REFUSE,
	WARDEN_VERDICT_REDIRECT,
};

static __always_inline bool warden_is_agent_socket(struct bpf_sock_addr *ctx,
						   const struct warden_settings *settings)
{
	__u32 mark = 0;

	if (bpf_getsockopt(ctx, WARDEN_SOL_SOCKET, WARDEN_SO_MARK, &mark, sizeof(mark)))
		return false;
	return settings->agent_mark != 0 && mark == settings->agent_mark;
}

static __always_inline enum warden_verdict
warden_agent_down_verdict(const struct warden_settings *settings)
{
	if (settings->fail_mode == WARDEN_FAIL_CLOSED) {
		warden_count(WARDEN_CTR_FAIL_CLOSED);
		return WARDEN_VERDICT_REFUSE;
	}
	warden_count(WARDEN_CTR_FAIL_OPEN);
	return WARDEN_VERDICT_PASS;
}

/* The order of the checks is the policy: non-targets pass at once; the
 * agent's own sockets always go out; QUIC to a target is refused so clients fall back to TCP; other network
 * namespaces cannot reach our 127.0.0.1 listener, so they pass and are counted;
 * a dead agent means the configured fail mode. A dead agent is a stale
 * heartbeat or, at once after a crash, a missing listener: redirecting to a
 * closed port would fail the connect even in fail-open mode. The v4 path
 * (connect4 and v4-mapped connect6) keeps dst v4-mapped and is redirected to
 * 127.0.0.1, native IPv6 to ::1, so that is where the listener must be. */
static __always_inline enum warden_verdict
warden_connect_verdict(struct bpf_sock_addr *ctx, const struct warden_settings *settings,
		       const struct warden_addr *dst, __u16 port_be, __u32 *target_flags)
{
	/* Most connects on a host are not to an LLM API: one LPM lookup decides
	 * them, before anything costlier (bpf_getsockopt takes the socket lock). */
	struct warden_target *target = warden_find_target(dst, port_be);

	if (!target) {
		warden_count(WARDEN_CTR_PASSED);
		return WARDEN_VERDICT_PASS;
	}
	if (warden_is_agent_socket(ctx, settings)) {
		warden_count(WARDEN_CTR_AGENT_OWN);
		return WARDEN_VERDICT_PASS;
	}
	if (ctx->type == WARDEN_SOCK_DGRAM && port_be == bpf_htons(WARDEN_QUIC_PORT)) {
		warden_count(WARDEN_CTR_QUIC_REFUSED);
		return WARDEN_VERDICT_REFUSE;
	}
	if (ctx->type != WARDEN_SOCK_STREAM) {
		warden_count(WARDEN_CTR_PASSED);
		return WARDEN_VERDICT_PASS;
	}
	if (bpf_get_netns_cookie(ctx) != settings->agent_netns_cookie) {
		warden_count(WARDEN_CTR_NOT_COVERED);
		return WARDEN_VERDICT_PASS;
	}
	if (warden_agent_stale(settings))
		return warden_agent_down_verdict(settings);
	if (!warden_listener_present(ctx, warden_addr_is_v4(dst), settings->listen_port)) {
		warden_count(WARDEN_CTR_NO_LISTENER);
		return warden_agent_down_verdict(settings);
	}
	*target_flags = target->flags;
	return WARDEN_VERDICT_REDIRECT;
}

/* Identity is taken here because `current` is the caller only in connect();
 * sock_ops runs later, in softirq. */
static __always_inline int warden_record_origin(struct bpf_sock_addr *ctx,
						const struct warden_addr *dst, __u16 port_be,
						__u16 family, __u32 target_flags)
{
	struct warden_origin origin = {};
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();

	origin.dst = *dst;
	origin.dst_port = port_be;
	origin.family = family;
	origin.tgid = pid_tgid >> 32;
	origin.pid = (__u32)pid_tgid;
	origin.uid = (__u32)uid_gid;
	origin.gid = uid_gid >> 32;
	origin.target_flags = target_flags;
	origin.cgroup_id = bpf_get_current_cgroup_id();
	origin.netns_cookie = bpf_get_netns_cookie(ctx);
	origin.socket_cookie = bpf_get_socket_cookie(ctx);
	origin.connect_ns = bpf_ktime_get_ns();
	bpf_get_current_comm(origin.comm, sizeof(origin.comm));
	return bpf_map_update_elem(&warden_origins, &origin.socket_cookie, &origin, BPF_ANY);
}

/* Shared tail of both hooks: returns WARDEN_VERDICT_REDIRECT only once the
 * origin is stored, so the agent can always find it. */
static __always_inline enum warden_verdict
warden_decide(struct bpf_sock_addr *ctx, const struct warden_settings *settings,
	      const struct warden_addr *dst, __u16 port_be, __u16 family)
{
	__u32 flags = 0;
	enum warden_verdict verdict;

	verdict = warden_connect_verdict(ctx, settings, dst, port_be, &flags);
	if (verdict != WARDEN_VERDICT_REDIRECT)
		return verdict;
	if (warden_record_origin(ctx, dst, port_be, family, flags)) {
		/* without an origin the agent cannot serve it: treat as agent down */
		warden_count(WARDEN_CTR_ORIGIN_MISSING);
		return settings->fail_mode == WARDEN_FAIL_CLOSED ? WARDEN_VERDICT_REFUSE
								 : WARDEN_VERDICT_PASS;
	}
	warden_count(WARDEN_CTR_REDIRECTED);
	return WARDEN_VERDICT_REDIRECT;
}

SEC("cgroup/connect4")
int warden_connect4(struct bpf_sock_addr *ctx)
{
	const struct warden_settings *settings = warden_get_settings();
	struct warden_addr dst;
	__u16 port_be = (__u16)ctx->user_port;

	if (!settings)
		return WARDEN_ALLOW;
	warden_addr_set_v4(&dst, ctx->user_ip4);
	switch (warden_decide(ctx, settings, &dst, port_be, WARDEN_AF_INET)) {
	case WARDEN_VERDICT_REFUSE:
		return WARDEN_REFUSE;
	case WARDEN_VERDICT_REDIRECT:
		ctx->user_ip4 = bpf_htonl(WARDEN_LOOPBACK4);
		ctx->user_port = settings->listen_port;
		return WARDEN_ALLOW;
	default:
		return WARDEN_ALLOW;
	}
}

SEC("cgroup/connect6")
int warden_connect6(struct bpf_sock_addr *ctx)
{
	const struct warden_settings *settings = warden_get_settings();
	struct warden_addr dst;
	__u16 port_be = (__u16)ctx->user_port;
	__u32 ip6[4];
	bool mapped;

	if (!settings)
		return WARDEN_ALLOW;
	ip6[0] = ctx->user_ip6[0];
	ip6[1] = ctx->user_ip6[1];
	ip6[2] = ctx->user_ip6[2];
	ip6[3] = ctx->user_ip6[3];
	mapped = warden_ip6_is_v4_mapped(ip6);
	if (mapped)
		warden_addr_set_v4(&dst, ip6[3]);
	else
		warden_addr_set_v6(&dst, ip6);
	switch (warden_decide(ctx, settings, &dst, port_be, WARDEN_AF_INET6)) {
	case WARDEN_VERDICT_REFUSE:
		return WARDEN_REFUSE;
	case WARDEN_VERDICT_REDIRECT:
		if (mapped) {
			ctx->user_ip6[3] = bpf_htonl(WARDEN_LOOPBACK4);
		} else {
			ctx->user_ip6[0] = 0;
			ctx->user_ip6[1] = 0;
			ctx->user_ip6[2] = 0;
			ctx->user_ip6[3] = bpf_htonl(1);
		}
		ctx->user_port = settings->listen_port;
		return WARDEN_ALLOW;
	default:
		return WARDEN_ALLOW;
	}
}

char LICENSE[] SEC("license") = "GPL";
