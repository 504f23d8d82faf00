// SPDX-License-Identifier: GPL-2.0
/* For nicsim_rss: record, for each IP frame from the test, the RX queue
 * (nicsim kfunc) and the RSS hash and type (XDP RX metadata kfunc).
 * Loaded dev-bound to the receiving nicsim port.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "nicsim_kfuncs.h"
#include "nicsim_rss.h"

#define ETH_P_IP 0x0800		/* vmlinux.h has no macros */
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100

int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, __u32 *hash,
			     enum xdp_rss_hash_type *rss_type) __ksym;
int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx,
				  __u64 *timestamp) __ksym;
int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx, __be16 *vlan_proto,
				 __u16 *vlan_tci) __ksym;

struct rss_record records[NICSIM_RSS_MAX_FRAMES];
__u32 nr_records;			/* records taken */
__u32 nr_done;				/* records filled: the test waits on it */

SEC("xdp")
int nicsim_rss_probe(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	enum xdp_rss_hash_type type = 0;
	struct nicsim_xdp_meta meta;
	struct ethhdr *eth = data;
	struct rss_record *r;
	__u64 ts = 0;
	__u32 i;

	/* only the test's frames: from 02:00:00:00:00:00 */
	if ((void *)(eth + 1) > data_end || eth->h_source[0] != 0x02 ||
	    eth->h_source[1] || eth->h_source[2] || eth->h_source[3] ||
	    eth->h_source[4] || eth->h_source[5] ||
	    (eth->h_proto != bpf_htons(ETH_P_IP) &&
	     eth->h_proto != bpf_htons(ETH_P_IPV6) &&
	     eth->h_proto != bpf_htons(ETH_P_8021Q)))
		return XDP_PASS;
	i = __sync_fetch_and_add(&nr_records, 1);
	if (i >= NICSIM_RSS_MAX_FRAMES)
		return XDP_DROP;
	r = &records[i];
	r->meta_err = bpf_nicsim_xdp_meta(ctx, &meta, sizeof(meta));
	r->queue = meta.queue;
	r->hash_err = bpf_xdp_metadata_rx_hash(ctx, &r->hash, &type);
	r->rss_type = type;
	r->ts_err = bpf_xdp_metadata_rx_timestamp(ctx, &ts);
	r->vlan_err = bpf_xdp_metadata_rx_vlan_tag(ctx, &r->vlan_proto,
						   &r->vlan_tci);
	__sync_fetch_and_add(&nr_done, 1);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
