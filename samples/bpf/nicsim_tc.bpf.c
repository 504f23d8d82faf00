// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim_tc: two TC programs.
 *
 * Ingress load balancing: packets arriving on a port are redirected, round
 * robin, to the egress of a set of target ports (bpf_redirect()).
 *
 * Egress pacing with EDT: each packet leaving a port gets a departure time
 * (skb->tstamp, CLOCK_MONOTONIC) that keeps the port under a byte rate; the
 * fq qdisc holds it until then. Packets that would wait longer than the
 * horizon are dropped, as fq would.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "nicsim_tc.h"

#define NSEC_PER_SEC	1000000000ULL

const volatile __u32 ntargets;
const volatile __u32 targets[MAX_TARGETS];	/* ifindexes */
const volatile __u64 rate_bytes;		/* per second; 0: no pacing */
const volatile __u64 horizon_ns = 2 * NSEC_PER_SEC;

/* the port's EDT clock: when the next packet may leave */
struct edt {
	struct bpf_spin_lock lock;
	__u64 next;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct edt);
} clock SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nicsim_tc_stats);
} stats SEC(".maps");

static __always_inline struct nicsim_tc_stats *tc_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&stats, &zero);
}

SEC("tcx/ingress")
int tc_balance(struct __sk_buff *skb)
{
	static __u32 rr;
	struct nicsim_tc_stats *s = tc_stats();
	__u32 i;
	long err;

	if (!ntargets)
		return TCX_NEXT;
	/* ntargets <= MAX_TARGETS, a power of two: the mask only tells the verifier */
	i = (__sync_fetch_and_add(&rr, 1) % ntargets) & (MAX_TARGETS - 1);
	err = bpf_redirect(targets[i], 0);
	if (s) {
		if (err == TCX_REDIRECT)
			s->lb_packets[i]++;
		else
			s->lb_errors++;
	}
	return err == TCX_REDIRECT ? TCX_REDIRECT : TCX_NEXT;
}

SEC("tcx/egress")
int tc_pace(struct __sk_buff *skb)
{
	struct nicsim_tc_stats *s = tc_stats();
	__u64 now = bpf_ktime_get_ns(), next, delay, cost;
	__u32 zero = 0;
	struct edt *edt;

	edt = bpf_map_lookup_elem(&clock, &zero);
	if (!rate_bytes || !edt)
		return TCX_NEXT;
	cost = (__u64)skb->len * NSEC_PER_SEC / rate_bytes;
	/* reserve [next, next + cost) on the port's clock */
	bpf_spin_lock(&edt->lock);
	next = edt->next > now ? edt->next : now;
	delay = next - now;
	if (delay <= horizon_ns)
		edt->next = next + cost;
	bpf_spin_unlock(&edt->lock);
	if (delay > horizon_ns) {
		if (s)
			s->horizon_drops++;
		return TCX_DROP;
	}
	/* a departure time on CLOCK_MONOTONIC, which fq honours */
	bpf_skb_set_tstamp(skb, next, BPF_SKB_CLOCK_MONOTONIC);
	if (s) {
		s->paced++;
		s->paced_bytes += skb->len;
		s->delay_ns += delay;
		if (delay > s->max_delay_ns)
			s->max_delay_ns = delay;
	}
	return TCX_NEXT;
}

char LICENSE[] SEC("license") = "GPL";
