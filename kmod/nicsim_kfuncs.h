/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nicsim kfuncs and the structs they fill, shared by the kernel module
 * and BPF programs (which include vmlinux.h and bpf_helpers.h first).
 */
#ifndef _NICSIM_KFUNCS_H
#define _NICSIM_KFUNCS_H

#ifndef __bpf__
#include <linux/types.h>
struct xdp_md;
#endif

/**
 * struct nicsim_xdp_meta - device-side metadata of the frame under XDP
 * @ifindex: the receiving nicsim port
 * @queue: RX queue the device wrote the frame to
 * @desc_idx: RX descriptor index within that queue's ring
 * @len: frame length the device wrote back
 * @seq: the device's frame sequence number (also in the nicsim tracepoints)
 * @dma_tstamp: when the device completed the DMA write, ns of
 *              CLOCK_MONOTONIC (the clock of bpf_ktime_get_ns())
 */
struct nicsim_xdp_meta {
	__u32 ifindex;
	__u32 queue;
	__u32 desc_idx;
	__u32 len;
	__u64 seq;
	__u64 dma_tstamp;
};

#if defined(__bpf__)
int bpf_nicsim_xdp_meta(struct xdp_md *ctx, struct nicsim_xdp_meta *meta,
			__u32 meta__sz) __ksym;
#elif defined(__KERNEL__)
int bpf_nicsim_xdp_meta(struct xdp_md *ctx, struct nicsim_xdp_meta *meta,
			u32 meta__sz);
#endif

#endif /* _NICSIM_KFUNCS_H */
