/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by nicsim_guard.bpf.c and nicsim_guard.c. */
#ifndef _NICSIM_GUARD_H
#define _NICSIM_GUARD_H

#define TASK_COMM_LEN	16

enum guard_op {
	OP_BIND,	/* a socket bound a local port (a listener to be) */
	OP_CONNECT,	/* connect() to a destination */
	OP_SENDMSG,	/* an unconnected UDP send to a destination */
};

struct guard_event {
	__u64 ts;
	__u32 pid;
	__u32 uid;
	char comm[TASK_COMM_LEN];
	__u32 addr[4];		/* network order: IPv4 in addr[0] */
	__u16 port;		/* host order */
	__u8 op;
	__u8 family;		/* AF_INET, AF_INET6 */
	__u8 proto;		/* IPPROTO_TCP, IPPROTO_UDP */
	__u8 denied;
	__u16 pad;
};

struct lpm_key {
	__u32 prefixlen;	/* 96 + v4 prefix for IPv4 (::ffff:a.b.c.d) */
	__u8 addr[16];
};

enum guard_counter {
	GC_ALLOWED,
	GC_AUDITED,	/* unexpected, let through (audit mode) */
	GC_DENIED,
	GC_LOST,	/* audit events the ring buffer had no room for */
	GC_NR,
};

#endif
