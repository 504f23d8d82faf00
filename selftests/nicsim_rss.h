/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by nicsim_rss.c and progs/nicsim_rss.bpf.c. */
#ifndef _NICSIM_RSS_H
#define _NICSIM_RSS_H

#define NICSIM_RSS_MAX_FRAMES 64

/* What the XDP program saw of one frame. */
struct rss_record {
	__u32 queue;		/* bpf_nicsim_xdp_meta() */
	__u32 hash;		/* bpf_xdp_metadata_rx_hash() */
	__u32 rss_type;
	__s32 hash_err;
	__s32 meta_err;
	__s32 ts_err;		/* bpf_xdp_metadata_rx_timestamp(): RX time
				 * stamps are off (SIOCSHWTSTAMP), -ENODATA
				 */
	__s32 vlan_err;		/* bpf_xdp_metadata_rx_vlan_tag() */
	__u16 vlan_proto;	/* network order */
	__u16 vlan_tci;
};

#endif
