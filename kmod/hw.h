/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nicsim hardware interface: what the driver and the simulated device
 * share. Descriptors live in DMA-coherent memory and are little-endian,
 * as on a PCI NIC. Everything else the driver tells the device goes
 * through the register accessors declared in nicsim.h. BPF programs and
 * tests include it too, for the layouts and the enums the tracepoints
 * report.
 */
#ifndef _NICSIM_HW_H
#define _NICSIM_HW_H

#ifndef __bpf__		/* BPF programs have vmlinux.h */
#include <linux/types.h>
#endif

#define NICSIM_MAX_PORTS		16
#define NICSIM_MAX_QUEUES		128
#define NICSIM_DEFAULT_PORTS		2
#define NICSIM_DEFAULT_QUEUES		1
#define NICSIM_MIN_RING_SIZE		64
#define NICSIM_MAX_RING_SIZE		4096
#define NICSIM_DEFAULT_RING_SIZE	256
#define NICSIM_MAX_COALESCE_USECS	100000
#define NICSIM_MAX_COALESCE_FRAMES	NICSIM_MAX_RING_SIZE

/* RSS: Toeplitz hash with a 40-byte key, 128-entry indirection table. */
#define NICSIM_RSS_KEY_SIZE		40
#define NICSIM_RSS_INDIR_SIZE		128
/* RSS contexts, the main one (0) included, and flow steering rules */
#define NICSIM_RSS_MAX_CTX		64
#define NICSIM_FLOW_RULES		128

/*
 * TX descriptor, written by the driver, written back by the device. A
 * frame takes one descriptor per buffer; the last one has EOP. The first
 * one asks for checksum offload: the device sums from csum_start to the
 * end of the frame and stores the folded sum at csum_start + csum_offset.
 * Or it asks for TCP segmentation (TSO): the frame is hdr_len bytes of
 * headers (IPv4 or IPv6 at l3_start, TCP at csum_start) and a payload
 * that the device cuts into mss-byte segments, each sent with a copy of
 * the headers, fixed up as a NIC does: IPv4 total length, ID (+1
 * per segment) and header checksum, IPv6 payload length, TCP sequence
 * number, FIN and PSH on the last segment only, CWR on the first only,
 * and the TCP checksum. With TSTAMP in the first descriptor, the device
 * writes back in the last one the PTP clock's time at which the MAC sent
 * the frame (a TSO frame's first segment), and sets TS.
 */
struct nicsim_tx_desc {
	__le64 addr;		/* bus address of the buffer */
	__le16 len;		/* buffer length in bytes */
	__le16 cmd;		/* NICSIM_TXD_CMD_* */
	__le16 status;		/* NICSIM_TXD_STS_*, written back */
	__le16 csum_start;	/* from the frame's first byte */
	__le16 csum_offset;	/* from csum_start */
	__le16 mss;		/* TSO: payload bytes per segment */
	__le16 hdr_len;		/* TSO: headers, up to the TCP payload */
	__le16 l3_start;	/* TSO: the IP header, from the first byte */
	__le64 seq;		/* written back: device frame sequence number */
	__le64 tstamp;		/* written back: DMA-read completion, ns */
	__le64 hwts;		/* written back with TS: PTP clock, ns */
};

#define NICSIM_TXD_CMD_EOP	BIT(0)	/* last descriptor of a frame */
#define NICSIM_TXD_CMD_CSUM	BIT(1)	/* checksum offload (first desc) */
#define NICSIM_TXD_CMD_TSO	BIT(2)	/* TCP segmentation (first desc) */
#define NICSIM_TXD_CMD_TSTAMP	BIT(3)	/* time stamp the frame (first desc) */
#define NICSIM_TXD_STS_DD	BIT(0)	/* descriptor done */
#define NICSIM_TXD_STS_TS	BIT(1)	/* hwts holds the frame's time stamp */

/* The device's TX FIFO: the largest frame it gathers, a TSO one too. */
#define NICSIM_TX_FIFO_SIZE	65536
/* The longest TSO headers the device copies into each segment. */
#define NICSIM_TSO_MAX_HDR	256

/*
 * RX descriptor. The driver posts it with addr and buf_len and a clear
 * status; the device writes the frame to addr and writes back len, seq,
 * tstamp, hwts (the PTP clock's time at which the frame reached the MAC)
 * and finally status with the DD bit.
 *
 * Header split (TCP data split): with a header buffer posted too
 * (hdr_addr), the device writes a TCP segment's headers, up to the end of
 * its TCP header, there and its payload at addr; any other frame goes
 * whole to the header buffer if it fits, else whole to addr. It writes
 * back hdr_len, len (the bytes at addr) and HDR when the header buffer
 * holds hdr_len bytes.
 */
struct nicsim_rx_desc {
	__le64 addr;		/* bus address of the buffer */
	__le16 buf_len;		/* usable bytes at addr */
	__le16 len;		/* written back: frame length */
	__le16 status;		/* written back: NICSIM_RXD_STS_* */
	__le16 rss_type;	/* written back: enum nicsim_rss_type */
	__le32 rss_hash;	/* written back: Toeplitz hash */
	__le16 vlan_tci;	/* written back: the stripped 802.1Q tag */
	__le16 rsvd;
	__le64 seq;		/* written back: device frame sequence number */
	__le64 tstamp;		/* written back: DMA-write completion, ns */
	__le64 hwts;		/* written back: PTP clock at the MAC, ns */
	__le64 hdr_addr;	/* header split: the header buffer (0: none) */
	__le16 hdr_buf_len;	/* its usable bytes */
	__le16 hdr_len;		/* written back with HDR: bytes there */
	__le32 rsvd2;
};

#define NICSIM_RXD_STS_DD	BIT(0)	/* descriptor done */
#define NICSIM_RXD_STS_EOP	BIT(1)	/* last descriptor of a frame */
#define NICSIM_RXD_STS_L4CSUM	BIT(2)	/* TCP/UDP checksum verified... */
#define NICSIM_RXD_STS_L4CSUM_ERR BIT(3) /* ...and found wrong */
#define NICSIM_RXD_STS_VLAN	BIT(4)	/* 802.1Q tag stripped to vlan_tci */
#define NICSIM_RXD_STS_HDR	BIT(5)	/* hdr_len bytes in the header buffer */

/* What the RSS hash covered. */
enum nicsim_rss_type {
	NICSIM_RSS_TYPE_NONE,		/* not IP: no hash, queue 0 */
	NICSIM_RSS_TYPE_IPV4,		/* addresses only */
	NICSIM_RSS_TYPE_IPV4_TCP,	/* addresses and ports */
	NICSIM_RSS_TYPE_IPV4_UDP,
	NICSIM_RSS_TYPE_IPV6,
	NICSIM_RSS_TYPE_IPV6_TCP,
	NICSIM_RSS_TYPE_IPV6_UDP,
};

/* Why the device sent an interrupt message (trace and counters). */
enum nicsim_irq_reason {
	NICSIM_IRQ_FRAMES,	/* a frame threshold met, vector enabled */
	NICSIM_IRQ_TIMER,	/* the moderation timer expired */
	NICSIM_IRQ_ENABLE,	/* driver re-enabled with completions latched */
	NICSIM_IRQ_UNMASK,	/* vector unmasked with a message pending */
	NICSIM_IRQ_RETRIGGER,	/* the IRQ core asked for a resend */
};

/* What became of a frame on the cable (nicsim_wire). */
enum nicsim_wire_result {
	NICSIM_WIRE_DELIVERED,	/* to the peer's MAC */
	NICSIM_WIRE_CORRUPTED,	/* delivered with a bit error */
	NICSIM_WIRE_DROPPED,	/* lost on the cable */
	NICSIM_WIRE_OVERFLOW,	/* too many frames in flight */
};

/* Why the device dropped a received frame (nicsim_rx_drop). */
enum nicsim_rx_drop_reason {
	NICSIM_RX_DROP_NO_BUFFER,	/* ring empty or disabled */
	NICSIM_RX_DROP_OVERSIZE,	/* longer than the posted buffer */
	NICSIM_RX_DROP_STALLED,		/* the RX DMA engine is stuck */
	NICSIM_RX_DROP_DMA_ERROR,	/* a bus address did not translate */
	NICSIM_RX_DROP_FILTER,		/* a flow rule said drop */
};

#endif /* _NICSIM_HW_H */
