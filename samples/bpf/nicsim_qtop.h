/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by nicsim_qtop.bpf.c and nicsim_qtop.c. */
#ifndef _NICSIM_QTOP_H
#define _NICSIM_QTOP_H

#include "nicsim_kfuncs.h"

/* Per queue pair, per CPU, from the tracepoints: key ifindex << 32 | queue */
struct qstats {
	__u64 irqs;		/* interrupt messages the device sent */
	__u64 rx_batch;		/* RX completions they covered */
	__u64 tx_batch;		/* TX completions they covered */
	__u64 polls;		/* NAPI polls of the pair */
	__u64 work;		/* RX frames those polls processed */
	__u64 full_polls;	/* polls that used their whole budget */
};

/* bpf_nicsim_queue_state() through a SYSCALL program */
struct qstate_args {
	__u32 ifindex;
	__u32 queue;
	__s32 err;
	__u32 pad;
	struct nicsim_queue_state state;
};

#endif
