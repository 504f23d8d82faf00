/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nicsim kfuncs and the structs they fill, shared by the kernel module
 * and BPF programs (which include vmlinux.h and bpf_helpers.h first).
 */
#ifndef _NICSIM_KFUNCS_H
#define _NICSIM_KFUNCS_H

#ifndef __bpf__
#include <linux/types.h>
struct sk_buff;
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
 * @irq_tstamp: when the device raised the interrupt that started the NAPI
 *              run polling the frame; 0 if no interrupt did (the driver's
 *              watchdog scheduled it)
 * @poll_tstamp: when the NAPI poll that runs the program started
 * @irq_batch: RX completions that interrupt was coalesced from
 * @pad: zero
 */
struct nicsim_xdp_meta {
	__u32 ifindex;
	__u32 queue;
	__u32 desc_idx;
	__u32 len;
	__u64 seq;
	__u64 dma_tstamp;
	__u64 irq_tstamp;
	__u64 poll_tstamp;
	__u32 irq_batch;
	__u32 pad;
};

/**
 * struct nicsim_skb_meta - what an skb received from nicsim still carries
 * @ifindex: the receiving nicsim port, when the skb was built
 * @queue: RX queue
 * @desc_idx: RX descriptor index
 * @pad: zero
 * @seq: the device's frame sequence number
 * @dma_tstamp: when the device completed the DMA write (CLOCK_MONOTONIC ns)
 */
struct nicsim_skb_meta {
	__u32 ifindex;
	__u32 queue;
	__u32 desc_idx;
	__u32 pad;
	__u64 seq;
	__u64 dma_tstamp;
};

/**
 * struct nicsim_queue_state - a snapshot of one queue pair
 * @ifindex: the port
 * @queue: the queue pair
 * @running: the port is up, its rings allocated and enabled
 * @ring_size: descriptors per ring
 * @rx_tail: RX, the driver's next descriptor to post (tail register)
 * @rx_clean: RX, the driver's next descriptor to consume
 * @rx_head: RX, the device's next descriptor to fill
 * @rx_fill: RX buffers posted and not yet filled (@rx_tail - @rx_head)
 * @tx_tail: TX, the driver's next descriptor to post (tail register)
 * @tx_clean: TX, the driver's next descriptor to clean
 * @tx_head: TX, the device's next descriptor to read
 * @tx_inflight: TX descriptors posted and not yet cleaned
 * @irq: the vector's Linux IRQ
 * @irq_enabled: the driver's interrupt enable bit
 * @irq_masked: the MSI-X mask bit
 * @irq_pending: a message latched while masked
 * @rx_latched: RX completions waiting for the next interrupt
 * @tx_latched: TX completions waiting for the next interrupt
 * @rx_usecs: moderation: RX timer
 * @rx_frames: moderation: RX frame threshold
 * @tx_usecs: moderation: TX timer
 * @tx_frames: moderation: TX frame threshold
 * @irqs_raised: interrupt messages the device sent
 * @rx_packets: packets the driver received
 * @rx_bytes: and their bytes
 * @tx_packets: packets the driver completed
 * @tx_bytes: and their bytes
 * @rx_no_buffer: frames the device dropped for want of a buffer
 * @rx_oversize: frames the device dropped as longer than the buffer
 *
 * Read without locks: each field is current, the whole is not atomic.
 */
struct nicsim_queue_state {
	__u32 ifindex;
	__u32 queue;
	__u32 running;
	__u32 ring_size;
	__u32 rx_tail;
	__u32 rx_clean;
	__u32 rx_head;
	__u32 rx_fill;
	__u32 tx_tail;
	__u32 tx_clean;
	__u32 tx_head;
	__u32 tx_inflight;
	__u32 irq;
	__u32 irq_enabled;
	__u32 irq_masked;
	__u32 irq_pending;
	__u32 rx_latched;
	__u32 tx_latched;
	__u32 rx_usecs;
	__u32 rx_frames;
	__u32 tx_usecs;
	__u32 tx_frames;
	__u64 irqs_raised;
	__u64 rx_packets;
	__u64 rx_bytes;
	__u64 tx_packets;
	__u64 tx_bytes;
	__u64 rx_no_buffer;
	__u64 rx_oversize;
};

#if defined(__bpf__)
int bpf_nicsim_xdp_meta(struct xdp_md *ctx, struct nicsim_xdp_meta *meta,
			__u32 meta__sz) __ksym;
int bpf_nicsim_skb_meta(struct sk_buff *skb, struct nicsim_skb_meta *meta,
			__u32 meta__sz) __ksym;
int bpf_nicsim_queue_state(__u32 ifindex, __u32 queue,
			   struct nicsim_queue_state *state,
			   __u32 state__sz) __ksym;
#elif defined(__KERNEL__)
int bpf_nicsim_xdp_meta(struct xdp_md *ctx, struct nicsim_xdp_meta *meta,
			u32 meta__sz);
int bpf_nicsim_skb_meta(struct sk_buff *skb, struct nicsim_skb_meta *meta,
			u32 meta__sz);
int bpf_nicsim_queue_state(u32 ifindex, u32 queue,
			   struct nicsim_queue_state *state, u32 state__sz);
#endif

#endif /* _NICSIM_KFUNCS_H */
