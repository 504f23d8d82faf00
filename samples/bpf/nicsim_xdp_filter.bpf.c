// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim_xdp_filter: drop, in XDP, packets from blocked source prefixes
 * (LPM tries, IPv4 and IPv6) and packets over a per-source rate; count
 * each verdict, and measure how long after the NIC's DMA write the verdict
 * came, with bpf_nicsim_xdp_meta().
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "nicsim_kfuncs.h"
#include "nicsim_common.bpf.h"
#include "nicsim_xdp_filter.h"

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define NSEC_PER_SEC	1000000000ULL

const volatile __u32 rate_limit;	/* packets per second per source; 0: off */

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm4);
	__type(value, __u8);
} block4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm6);
	__type(value, __u8);
} block6 SEC(".maps");

/* per source: a one-second window and what it has sent in it */
struct window {
	__u64 start;
	__u64 packets;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct in6_addr);		/* IPv4 as ::ffff:a.b.c.d */
	__type(value, struct window);
} sources SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, V_NR);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, V_NR);
	__type(key, __u32);
	__type(value, struct lat_hist);
} latency SEC(".maps");

__u64 meta_errors;			/* bpf_nicsim_xdp_meta() failed */

/* Count the verdict, and its latency since the device's DMA write. */
static __always_inline int verdict(struct xdp_md *ctx, enum verdict v)
{
	struct nicsim_xdp_meta meta;
	struct lat_hist *h;
	__u64 *n, now;
	__u32 key = v;

	n = bpf_map_lookup_elem(&verdicts, &key);
	if (n)
		(*n)++;
	if (bpf_nicsim_xdp_meta(ctx, &meta, sizeof(meta))) {
		__sync_fetch_and_add(&meta_errors, 1);	/* not nicsim */
	} else {
		now = bpf_ktime_get_ns();
		h = bpf_map_lookup_elem(&latency, &key);
		if (h && now >= meta.dma_tstamp) {
			h->slots[nicsim_us_slot(now - meta.dma_tstamp, LAT_SLOTS)]++;
			h->count++;
			h->sum_ns += now - meta.dma_tstamp;
		}
	}
	return v == V_PASS || v == V_PASS_NOT_IP ? XDP_PASS : XDP_DROP;
}

/* Over its rate? A fixed one-second window per source. */
static __always_inline bool over_rate(const struct in6_addr *src)
{
	struct window *w, fresh = { .start = bpf_ktime_get_ns(), .packets = 1 };

	if (!rate_limit)
		return false;
	w = bpf_map_lookup_elem(&sources, src);
	if (!w || fresh.start - w->start >= NSEC_PER_SEC) {
		bpf_map_update_elem(&sources, src, &fresh, BPF_ANY);
		return false;
	}
	return __sync_fetch_and_add(&w->packets, 1) >= rate_limit;
}

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct in6_addr src = {};

	if ((void *)(eth + 1) > data_end)
		return verdict(ctx, V_PASS_NOT_IP);
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);
		struct lpm4 key = { .prefixlen = 32 };

		if ((void *)(iph + 1) > data_end)
			return verdict(ctx, V_PASS_NOT_IP);
		key.addr = iph->saddr;
		if (bpf_map_lookup_elem(&block4, &key))
			return verdict(ctx, V_DROP_BLOCKED);
		src.in6_u.u6_addr32[2] = bpf_htonl(0xffff);
		src.in6_u.u6_addr32[3] = iph->saddr;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);
		struct lpm6 key = { .prefixlen = 128 };

		if ((void *)(ip6h + 1) > data_end)
			return verdict(ctx, V_PASS_NOT_IP);
		__builtin_memcpy(key.addr, &ip6h->saddr, 16);
		if (bpf_map_lookup_elem(&block6, &key))
			return verdict(ctx, V_DROP_BLOCKED);
		__builtin_memcpy(&src, &ip6h->saddr, 16);
	} else {
		return verdict(ctx, V_PASS_NOT_IP);
	}
	if (over_rate(&src))
		return verdict(ctx, V_DROP_RATE);
	return verdict(ctx, V_PASS);
}

char LICENSE[] SEC("license") = "GPL";
