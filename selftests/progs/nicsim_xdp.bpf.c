// SPDX-License-Identifier: GPL-2.0
/* XDP program for nicsim_xdp: calls bpf_nicsim_xdp_meta() on every test
 * frame, keeps what it returned, and returns the configured verdict
 * (XDP_TX swaps the MAC addresses, XDP_REDIRECT goes to redirect_ifindex).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "nicsim_kfuncs.h"

#define ETH_ALEN 6

const volatile __u32 verdict = XDP_PASS;
const volatile __u32 redirect_ifindex;
const volatile __u16 match_proto;	/* count only this EtherType (BE) */

__u64 frames;				/* frames matching match_proto */
__u64 meta_ok;				/* calls that returned 0 */
__u64 meta_bad_time;			/* dma_tstamp 0 or in the future */
__u64 meta_garbage;			/* failed calls leaving data */
int last_err;				/* last return value */
struct nicsim_xdp_meta last_meta;

SEC("xdp")
int nicsim_xdp_probe(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct nicsim_xdp_meta meta;
	struct ethhdr *eth = data;
	__u64 now;
	int err;

	if ((void *)(eth + 1) > data_end || eth->h_proto != match_proto)
		return XDP_PASS;

	err = bpf_nicsim_xdp_meta(ctx, &meta, sizeof(meta));
	now = bpf_ktime_get_ns();
	last_err = err;
	if (err && (meta.ifindex || meta.seq || meta.dma_tstamp))
		__sync_fetch_and_add(&meta_garbage, 1);
	if (!err) {
		__sync_fetch_and_add(&meta_ok, 1);
		if (!meta.dma_tstamp || meta.dma_tstamp > now)
			__sync_fetch_and_add(&meta_bad_time, 1);
		last_meta = meta;
	}
	if (verdict == XDP_TX) {
		__u8 tmp[ETH_ALEN];

		__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
		__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
		__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	}
	/* last: the test reads the other counters once this one is reached */
	__sync_fetch_and_add(&frames, 1);
	if (verdict == XDP_REDIRECT)
		return bpf_redirect(redirect_ifindex, 0);
	return verdict;
}

char LICENSE[] SEC("license") = "GPL";
