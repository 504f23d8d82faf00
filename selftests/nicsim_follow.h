/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stages at which nicsim_follow sees its one UDP datagram, shared by
 * the BPF program and the test, in the order they happen; the wire is
 * where sending and receiving meet, and the receiving application may run
 * before the NAPI poll that woke it has ended.
 */
#ifndef _NICSIM_FOLLOW_H
#define _NICSIM_FOLLOW_H

enum nicsim_follow_stage {
	/* send: application to the wire */
	ST_SENDTO,		/* raw_syscalls:sys_enter, sendto */
	ST_TC_EGRESS,		/* tcx egress program on the sending port */
	ST_NET_DEV_QUEUE,	/* net:net_dev_queue */
	ST_START_XMIT,		/* net:net_dev_start_xmit */
	ST_TX_POST,		/* nicsim:nicsim_tx_post */
	ST_TX_DOORBELL,		/* nicsim:nicsim_tx_doorbell */
	ST_TX_DMA_READ,		/* nicsim:nicsim_tx_dma_read */
	ST_WIRE,		/* nicsim:nicsim_wire */
	/* receive: the wire to the application */
	ST_RX_DMA_WRITE,	/* nicsim:nicsim_rx_dma_write */
	ST_RX_IRQ_RAISE,	/* nicsim:nicsim_irq_raise */
	ST_RX_IRQ_ENTRY,	/* irq:irq_handler_entry */
	ST_RX_IRQ_HANDLE,	/* nicsim:nicsim_irq_handle */
	ST_RX_DESC,		/* nicsim:nicsim_rx_desc */
	ST_XDP,			/* the XDP program, bpf_nicsim_xdp_meta() */
	ST_XDP_VERDICT,		/* nicsim:nicsim_xdp_verdict */
	ST_RX_SKB,		/* nicsim:nicsim_rx_skb */
	ST_NETIF_RECEIVE,	/* net:netif_receive_skb */
	ST_TC_INGRESS,		/* tcx ingress program on the receiving port */
	ST_SK_DATA_READY,	/* sock:sk_data_ready, queued to the socket */
	ST_NAPI_POLL,		/* napi:napi_poll, the poll's end */
	ST_SKB_CONSUMED,	/* skb:consume_skb, copied out by recvfrom() */
	ST_SOCK_RECV,		/* sock:sock_recv_length */
	ST_RECV_EXIT,		/* raw_syscalls:sys_exit, recvfrom */
	/* send, completion: after the wire, in the sender's NAPI */
	ST_TX_IRQ_RAISE,	/* nicsim:nicsim_irq_raise */
	ST_TX_IRQ_HANDLE,	/* nicsim:nicsim_irq_handle */
	ST_TX_CLEAN,		/* nicsim:nicsim_tx_clean */
	ST_NR,
};

struct nicsim_follow_rec {
	__u64 ts[ST_NR];	/* bpf_ktime_get_ns() at each stage, 0: unseen */
	__u64 tx_skb;		/* kernel skb addresses */
	__u64 rx_skb;
	__u64 seq;		/* the device's frame sequence number */
	__u64 tx_dma_tstamp;	/* device times: DMA read, DMA write */
	__u64 rx_dma_tstamp;
	__u32 tx_desc;
	__u32 rx_desc;
	__u32 rx_queue;
	__u32 rx_irq;
	__u64 rx_doorbell_ts;	/* the refill after the frame's skb */
	__s32 xdp_err;		/* bpf_nicsim_xdp_meta() */
	__u32 xdp_desc;
	__u64 xdp_seq;
	__u64 xdp_dma_tstamp;
};

/* The drop events for a frame of the followed length, by tp_btf and raw_tp. */
struct nicsim_follow_drops {
	__u64 wire_seq;		/* nicsim_wire, result dropped (tp_btf) */
	__u32 wire_len;
	__s32 wire_result;
	__u64 rx_seq;		/* nicsim_rx_drop (tp_btf) */
	__u32 rx_len;
	__s32 rx_reason;
	__u32 rx_queue;
	__u32 raw_rx_len;	/* nicsim_rx_drop (raw_tp) */
	__s32 raw_rx_reason;
	__u32 raw_rx_ifindex;
};

/* bpf_nicsim_queue_state() from a SYSCALL program, run by the test */
struct nicsim_follow_qs_args {
	__u32 ifindex;
	__u32 queue;
	__s32 err;
	__s32 small_err;	/* with an 8-byte buffer */
	struct nicsim_queue_state state;
};

#endif
