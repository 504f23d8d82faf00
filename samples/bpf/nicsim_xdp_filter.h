/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by nicsim_xdp_filter.bpf.c and nicsim_xdp_filter.c. */
#ifndef _NICSIM_XDP_FILTER_H
#define _NICSIM_XDP_FILTER_H

enum verdict {
	V_PASS,		/* IP, not blocked, within its rate */
	V_PASS_NOT_IP,	/* ARP and the like: not filtered */
	V_DROP_BLOCKED,	/* source in a blocked prefix */
	V_DROP_RATE,	/* source over its packet rate */
	V_NR,
};

#define LAT_SLOTS	32	/* log2 buckets of microseconds */

/* DMA-completion-to-verdict latency, per verdict */
struct lat_hist {
	__u64 slots[LAT_SLOTS];
	__u64 count;
	__u64 sum_ns;
};

/* LPM keys: IPv4 and IPv6 blocklists */
struct lpm4 {
	__u32 prefixlen;
	__u32 addr;
};

struct lpm6 {
	__u32 prefixlen;
	__u8 addr[16];
};

#endif
