/* Whether the agent's listener exists in the caller's network namespace.
 *
 * The heartbeat alone leaves a window after the agent dies (up to the
 * heartbeat timeout) in which connects would be sent to a dead port and fail
 * with ECONNREFUSED even in fail-open mode. The listening socket goes away
 * with the process, so its absence is an immediate sign of a dead agent.
 */
#ifndef WARDEN_LISTENER_BPF_H
#define WARDEN_LISTENER_BPF_H

#include "warden_net.bpf.h"

/* Source address and port stay zero: no established socket has them, so the
 * lookup can only find a listener. Two calls rather than one with a computed
 * size, because the verifier wants the tuple size to be a known constant. */
static __always_inline bool warden_listener_present(struct bpf_sock_addr *ctx, bool v4,
						    __u16 port_be)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;
	bool listening;

	if (v4) {
		tuple.ipv4.daddr = bpf_htonl(WARDEN_LOOPBACK4);
		tuple.ipv4.dport = port_be;
		sk = bpf_sk_lookup_tcp(ctx, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	} else {
		tuple.ipv6.daddr[3] = bpf_htonl(1); /* ::1 */
		tuple.ipv6.dport = port_be;
		sk = bpf_sk_lookup_tcp(ctx, &tuple, sizeof(tuple.ipv6), BPF_F_CURRENT_NETNS, 0);
	}
	if (!sk)
		return false;
	/* A half-closed or merely bound socket on the port would still refuse. */
	listening = sk->state == BPF_TCP_LISTEN;
	bpf_sk_release(sk);
	return listening;
}

#endif /* WARDEN_LISTENER_BPF_H */
