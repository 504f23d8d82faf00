/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by nicsim_timeline.bpf.c and nicsim_timeline.c. */
#ifndef _NICSIM_TIMELINE_H
#define _NICSIM_TIMELINE_H

/* One received frame, with the time (CLOCK_MONOTONIC ns) of each stage. */
struct timeline_event {
	__u64 seq;		/* device frame sequence number */
	__u32 ifindex;
	__u32 queue;
	__u32 desc_idx;
	__u32 len;
	__u64 dma_ts;		/* device: DMA write + descriptor write-back */
	__u64 irq_raise_ts;	/* device: interrupt message sent */
	__u64 irq_entry_ts;	/* CPU: hard-IRQ handler entered */
	__u64 napi_ts;		/* driver: descriptor consumed in NAPI */
	__u64 xdp_ts;		/* driver: XDP program running */
	__u32 irq;
	__u32 irq_cpu;
};

#endif
