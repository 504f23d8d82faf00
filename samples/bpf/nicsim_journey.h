/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by nicsim_journey.bpf.c and nicsim_journey.c. */
#ifndef _NICSIM_JOURNEY_H
#define _NICSIM_JOURNEY_H

/* Receive: the seed's journey, wire to application. */
enum rx_stage {
	RX_WIRE,	/* the sending port put it on the cable (device time) */
	RX_DMA,		/* the NIC wrote the frame to the ring (device time);
			 * on other drivers, its XDP RX metadata timestamp
			 */
	RX_IRQ,		/* it raised the interrupt */
	RX_HANDLER,	/* the driver's handler ran (hard IRQ) */
	RX_NAPI,	/* NAPI consumed the descriptor */
	RX_XDP,		/* the XDP program's verdict */
	RX_SKB,		/* the driver built the sk_buff */
	RX_STACK,	/* netif_receive_skb, after GRO */
	RX_TC,		/* TC ingress */
	RX_SOCKET,	/* queued to the socket */
	RX_APP,		/* the application read it */
	RX_NR,
};

/* Send: application to wire, and the completion. */
enum tx_stage {
	TX_APP,		/* the application's send system call */
	TX_TC,		/* TC egress */
	TX_XMIT,	/* the stack handed it to the driver */
	TX_POST,	/* the driver posted its descriptors */
	TX_DOORBELL,	/* the doorbell that covered them */
	TX_DMA,		/* the NIC read it from the ring (device time) */
	TX_WIRE,	/* it went on the cable (device time) */
	TX_DONE,	/* the driver cleaned the completion */
	TX_NR,
};

#define MAX_STAGES	11
#define MAX_PORTS	16	/* followed at once */
#define TCP_UNREAD	128	/* segments followed per socket until read */
#define CAP_BYTES	64	/* of each packet, for --pcapng */
#define HIST_SLOTS	32	/* log2 buckets of microseconds */

enum dir { DIR_RX, DIR_TX, DIR_NR };

/*
 * A port is its network namespace and ifindex (ifindexes are per
 * namespace: a veth's two ends are often both 2).
 */
#define PORT_KEY(netns, ifindex)	((__u64)(netns) << 32 | (__u32)(ifindex))

/* ports map values: what drives the port */
enum port_kind {
	JPORT_NICSIM = 1,	/* every stage */
	JPORT_OTHER,		/* any other driver: the upstream hooks only */
	JPORT_VETH,		/* the same, but no ring: it hands the skb to its peer */
};

/*
 * hwts map values: what bpf_xdp_metadata_rx_timestamp() gave the journey's
 * XDP program on a port of another driver
 */
struct hwts_stat {
	__s32 err;		/* its last error (-EOPNOTSUPP: not implemented) */
	__u32 pad;
	__u64 stamped;		/* frames given a time the journey shows */
	__u64 zero;		/* 0 (veth: the skb had no hardware time) */
	__u64 nodata;		/* -ENODATA: none for this frame (receive
				 * timestamping off: SIOCSHWTSTAMP)
				 */
	__u64 unsynced;		/* a time in no clock of the system's */
};

/* irqs map values: a followed port's receive interrupt */
struct irq_port {
	__u64 port;		/* PORT_KEY() */
	__u32 queue;
	__u32 pad;
};

/* How a journey ended. */
enum journey_end {
	END_DELIVERED,	/* RX: read by the application; TX: completed */
	END_CONSUMED,	/* RX: consumed by the kernel (no socket read) */
	END_DROPPED,	/* freed as a drop (kfree_skb) */
	END_XDP,	/* XDP took it (drop, TX, redirect, aborted) */
	END_MERGED,	/* RX: GRO merged it into an earlier packet */
};

struct flow {
	__u32 saddr[4];
	__u32 daddr[4];
	__u16 sport;
	__u16 dport;
	__u8 family;	/* AF_INET, AF_INET6, 0: not IP */
	__u8 proto;
	__u16 pad;
};

/* One packet's journey: the map value, and the ring buffer event. */
struct journey {
	__u64 ts[MAX_STAGES];	/* CLOCK_MONOTONIC ns; 0: not seen */
	__u64 seq;		/* the device's frame sequence number */
	__u64 skb;
	struct flow flow;
	__u32 ifindex;
	__u32 netns;		/* its inode number */
	__u32 queue;
	__u32 desc;
	__u32 len;
	__u8 dir;
	__u8 end;
	__u8 xdp_act;
	__u8 pad;
	__u32 irq;
	__u8 cpu[MAX_STAGES + 1];	/* where each stage was seen */
	__u8 caplen;
	__u8 data[CAP_BYTES];		/* the frame's first bytes, from its MAC header */
};

/* Latency of a stage since the one before it that was seen. */
struct hist {
	__u64 slots[HIST_SLOTS];
	__u64 count;
	__u64 sum_ns;
};

/* hist map index: direction * MAX_STAGES + stage; stage 0 is the total */
#define HIST_IDX(dir, stage)	((dir) * MAX_STAGES + (stage))
#define HIST_ENTRIES		(DIR_NR * MAX_STAGES)

enum counter {
	CNT_JOURNEYS_RX,	/* finished */
	CNT_JOURNEYS_TX,
	CNT_LOST_EVENTS,	/* ring buffer full */
	CNT_SAMPLED_OUT,	/* matched, skipped by 1-in-N sampling */
	CNT_TCP_UNFOLLOWED,	/* a socket's unread segments overflowed */
	CNT_END_UNSEEN,		/* its skb came back, for another, before it ended */
	CNT_NR,
};

#endif
