// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim_guard: the seed's "bodyguard". cgroup socket hooks check what the
 * processes of one cgroup do: bind a local port that is not on the list
 * (a listener nobody expected), or connect or send to a destination
 * outside the allowed prefixes. Each such event goes to user space through
 * a ring buffer, the audit trail; with enforce set, the call also fails
 * with EPERM.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "nicsim_guard.h"

#define AF_INET		2
#define AF_INET6	10

const volatile bool enforce;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16);		/* host order */
	__type(value, __u8);
} bind_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, __u8);
} destinations SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GC_NR);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} audit SEC(".maps");

static __always_inline void count(enum guard_counter c)
{
	__u32 key = c;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (v)
		(*v)++;
}

/* Record an unexpected call; returns the hook's verdict (1: allow). */
static __always_inline int unexpected(enum guard_op op, __u8 family,
				      __u8 proto, const __u32 *addr,
				      __u16 port)
{
	struct guard_event *e;
	__u64 id = bpf_get_current_pid_tgid();

	count(enforce ? GC_DENIED : GC_AUDITED);
	e = bpf_ringbuf_reserve(&audit, sizeof(*e), 0);
	if (e) {
		e->ts = bpf_ktime_get_ns();
		e->pid = id >> 32;
		e->uid = (__u32)bpf_get_current_uid_gid();
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		e->addr[0] = addr[0];
		e->addr[1] = addr[1];
		e->addr[2] = addr[2];
		e->addr[3] = addr[3];
		e->port = port;
		e->op = op;
		e->family = family;
		e->proto = proto;
		e->denied = enforce;
		e->pad = 0;
		bpf_ringbuf_submit(e, 0);
	} else {
		count(GC_LOST);
	}
	return enforce ? 0 : 1;
}

/* @family is a constant: each program only reads its own family's fields */
static __always_inline int check_bind(struct bpf_sock *sk, __u8 family)
{
	__u16 port = sk->src_port;	/* host order */
	__u32 addr[4] = {};

	if (!port || bpf_map_lookup_elem(&bind_ports, &port)) {
		count(GC_ALLOWED);
		return 1;
	}
	if (family == AF_INET) {
		addr[0] = sk->src_ip4;
	} else {
		addr[0] = sk->src_ip6[0];
		addr[1] = sk->src_ip6[1];
		addr[2] = sk->src_ip6[2];
		addr[3] = sk->src_ip6[3];
	}
	return unexpected(OP_BIND, family, sk->protocol, addr, port);
}

SEC("cgroup/post_bind4")
int guard_bind4(struct bpf_sock *sk)
{
	return check_bind(sk, AF_INET);
}

SEC("cgroup/post_bind6")
int guard_bind6(struct bpf_sock *sk)
{
	return check_bind(sk, AF_INET6);
}

static __always_inline int check_dest(struct bpf_sock_addr *ctx,
				      enum guard_op op, __u8 family)
{
	struct lpm_key key = {};
	__u32 addr[4] = {};

	if (family == AF_INET) {
		addr[0] = ctx->user_ip4;
		key.prefixlen = 128;
		key.addr[10] = 0xff;
		key.addr[11] = 0xff;
		__builtin_memcpy(&key.addr[12], &addr[0], 4);
	} else {
		addr[0] = ctx->user_ip6[0];
		addr[1] = ctx->user_ip6[1];
		addr[2] = ctx->user_ip6[2];
		addr[3] = ctx->user_ip6[3];
		key.prefixlen = 128;
		__builtin_memcpy(key.addr, addr, 16);
	}
	if (bpf_map_lookup_elem(&destinations, &key)) {
		count(GC_ALLOWED);
		return 1;
	}
	return unexpected(op, family, ctx->protocol, addr,
			  bpf_ntohs(ctx->user_port));
}

SEC("cgroup/connect4")
int guard_connect4(struct bpf_sock_addr *ctx)
{
	return check_dest(ctx, OP_CONNECT, AF_INET);
}

SEC("cgroup/connect6")
int guard_connect6(struct bpf_sock_addr *ctx)
{
	return check_dest(ctx, OP_CONNECT, AF_INET6);
}

SEC("cgroup/sendmsg4")
int guard_sendmsg4(struct bpf_sock_addr *ctx)
{
	return check_dest(ctx, OP_SENDMSG, AF_INET);
}

SEC("cgroup/sendmsg6")
int guard_sendmsg6(struct bpf_sock_addr *ctx)
{
	return check_dest(ctx, OP_SENDMSG, AF_INET6);
}

char LICENSE[] SEC("license") = "GPL";
