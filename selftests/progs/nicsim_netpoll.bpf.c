// SPDX-License-Identifier: GPL-2.0
/*
 * What nicsim's NAPI poll calls at budget 0, for nicsim_xdp's netpoll
 * test. netpoll polls with a budget of 0, IRQs off: napi.rst allows skb
 * TX completions only there, and no XDP or page_pool call (a page_pool
 * return takes a _bh lock, which must not be taken with IRQs off).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* per CPU: inside a budget-0 poll of nicsim (IRQs are off there) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} in_netpoll SEC(".maps");

__u64 polls;		/* nicsim polls at budget 0 */
__u64 xdp_calls;	/* XDP frame returns in them: a bug */
__u64 pp_calls;		/* page_pool allocations and returns in them: a bug */

static void set_netpoll(__u32 on)
{
	__u32 key = 0, *v = bpf_map_lookup_elem(&in_netpoll, &key);

	if (v)
		*v = on;
}

static void count_if_netpoll(__u64 *counter)
{
	__u32 key = 0, *v = bpf_map_lookup_elem(&in_netpoll, &key);

	if (v && *v)
		__sync_fetch_and_add(counter, 1);
}

SEC("fentry/nicsim_napi_poll")
int BPF_PROG(poll_enter, struct napi_struct *napi, int budget)
{
	set_netpoll(!budget);
	if (!budget)
		__sync_fetch_and_add(&polls, 1);
	return 0;
}

SEC("fexit/nicsim_napi_poll")
int BPF_PROG(poll_exit, struct napi_struct *napi, int budget, int ret)
{
	set_netpoll(0);
	return 0;
}

SEC("fentry/xdp_return_frame")
int BPF_PROG(return_frame, struct xdp_frame *frame)
{
	count_if_netpoll(&xdp_calls);
	return 0;
}

SEC("fentry/xdp_return_frame_rx_napi")
int BPF_PROG(return_frame_rx_napi, struct xdp_frame *frame)
{
	count_if_netpoll(&xdp_calls);
	return 0;
}

SEC("fentry/page_pool_alloc_netmems")
int BPF_PROG(pp_alloc, struct page_pool *pool, gfp_t gfp)
{
	count_if_netpoll(&pp_calls);
	return 0;
}

SEC("fentry/page_pool_alloc_frag_netmem")
int BPF_PROG(pp_alloc_frag, struct page_pool *pool, unsigned int *offset,
	     unsigned int size, gfp_t gfp)
{
	count_if_netpoll(&pp_calls);
	return 0;
}

SEC("fentry/page_pool_put_unrefed_netmem")
int BPF_PROG(pp_put, struct page_pool *pool, netmem_ref netmem,
	     unsigned int dma_sync_size, bool allow_direct)
{
	count_if_netpoll(&pp_calls);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
