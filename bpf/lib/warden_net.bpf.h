/* Socket constants and address helpers.
 *
 * vmlinux.h carries types but not #define'd UAPI constants, so the few we need
 * are spelled out here; their values are part of the stable Linux ABI.
 */
#ifndef WARDEN_NET_BPF_H
#define WARDEN_NET_BPF_H

#include "warden_abi.h"

#define WARDEN_AF_INET 2
#define WARDEN_AF_INET6 10
#define WARDEN_SOCK_STREAM 1
#define WARDEN_SOCK_DGRAM 2
#define WARDEN_SOL_SOCKET 1
#define WARDEN_SO_MARK 36

#define WARDEN_QUIC_PORT 443
#define WARDEN_LOOPBACK4 0x7f000001 /* 127.0.0.1, host order */

/* Return values of cgroup sock_addr programs. */
#define WARDEN_ALLOW 1
#define WARDEN_REFUSE 0 /* the syscall fails with EPERM */

static __always_inline void warden_addr_set_v4(struct warden_addr *a, __u32 ip4_be)
{
	__builtin_memset(a, 0, sizeof(*a));
	a->bytes[10] = 0xff;
	a->bytes[11] = 0xff;
	__builtin_memcpy(&a->bytes[12], &ip4_be, sizeof(ip4_be));
}

static __always_inline void warden_addr_set_v6(struct warden_addr *a, const __u32 ip6_be[4])
{
	__builtin_memcpy(&a->bytes[0], &ip6_be[0], 4);
	__builtin_memcpy(&a->bytes[4], &ip6_be[1], 4);
	__builtin_memcpy(&a->bytes[8], &ip6_be[2], 4);
	__builtin_memcpy(&a->bytes[12], &ip6_be[3], 4);
}

static __always_inline __u32 warden_addr_word(const struct warden_addr *a, int i)
{
	__u32 w;

	__builtin_memcpy(&w, &a->bytes[i * 4], sizeof(w));
	return w;
}

static __always_inline bool warden_ip6_is_v4_mapped(const __u32 ip6_be[4])
{
	return ip6_be[0] == 0 && ip6_be[1] == 0 && ip6_be[2] == bpf_htonl(0x0000ffff);
}

static __always_inline bool warden_addr_is_v4(const struct warden_addr *a)
{
	__u32 ip6[4] = { warden_addr_word(a, 0), warden_addr_word(a, 1), warden_addr_word(a, 2),
			 warden_addr_word(a, 3) };

	return warden_ip6_is_v4_mapped(ip6);
}

#endif /* WARDEN_NET_BPF_H */
