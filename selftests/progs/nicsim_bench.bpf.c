// SPDX-License-Identifier: GPL-2.0
/*
 * Programs for nicsim_xdpgen, the benchmark suite's XDP traffic generator
 * (as xdp-trafficgen does it): bench_gen runs under BPF_PROG_RUN with live
 * frames and redirects each into the sending port (its ndo_xdp_xmit);
 * bench_drop, on the receiving port, counts and drops.
 *
 * What a kfunc call costs: on the receiving port, bench_calls_* make
 * CALLS calls per frame (none, bpf_ktime_get_ns(), bpf_nicsim_xdp_meta())
 * between two clock reads and add up the time; the SYSCALL programs
 * bench_syscall_* do the same with bpf_nicsim_queue_state() in a
 * bpf_loop(). The difference with "none", per call, is the call's cost.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "nicsim_kfuncs.h"

#define CALLS	16

const volatile __u32 queue_ifindex;	/* for bench_syscall_queue_state */
__u64 calls_ns, calls_frames;		/* bench_calls_*: time and frames */
__u64 syscall_ns, syscall_calls;	/* bench_syscall_*: the last run */

const volatile __u32 out_ifindex;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} dropped SEC(".maps");

SEC("xdp")
int bench_gen(struct xdp_md *ctx)
{
	return bpf_redirect(out_ifindex, 0);
}

static int drop(void)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&dropped, &key);

	if (n)
		(*n)++;
	return XDP_DROP;
}

SEC("xdp")
int bench_drop(struct xdp_md *ctx)
{
	return drop();
}

static int account(__u64 t0)
{
	__sync_fetch_and_add(&calls_ns, bpf_ktime_get_ns() - t0);
	__sync_fetch_and_add(&calls_frames, 1);
	return drop();
}

SEC("xdp")
int bench_calls_none(struct xdp_md *ctx)
{
	return account(bpf_ktime_get_ns());
}

SEC("xdp")
int bench_calls_ktime(struct xdp_md *ctx)
{
	__u64 t0 = bpf_ktime_get_ns(), sum = 0;

#pragma unroll
	for (int i = 0; i < CALLS; i++)
		sum += bpf_ktime_get_ns();
	if (!sum)	/* keep the calls */
		return XDP_PASS;
	return account(t0);
}

SEC("xdp")
int bench_calls_xdp_meta(struct xdp_md *ctx)
{
	__u64 t0 = bpf_ktime_get_ns();
	struct nicsim_xdp_meta meta;
	int err = 0;

#pragma unroll
	for (int i = 0; i < CALLS; i++)
		err |= bpf_nicsim_xdp_meta(ctx, &meta, sizeof(meta));
	if (err)	/* not a nicsim frame: not what is measured */
		return XDP_PASS;
	return account(t0);
}

static long call_none(__u64 i, void *data)
{
	return 0;
}

static long call_ktime(__u64 i, __u64 *sum)
{
	*sum += bpf_ktime_get_ns();
	return 0;
}

static long call_queue_state(__u64 i, int *err)
{
	struct nicsim_queue_state st;

	*err |= bpf_nicsim_queue_state(queue_ifindex, 0, &st, sizeof(st));
	return 0;
}

#define SYSCALL_LOOPS	100000

SEC("syscall")
int bench_syscall_none(void *ctx)
{
	__u64 t0 = bpf_ktime_get_ns();

	syscall_calls = bpf_loop(SYSCALL_LOOPS, call_none, NULL, 0);
	syscall_ns = bpf_ktime_get_ns() - t0;
	return 0;
}

SEC("syscall")
int bench_syscall_ktime(void *ctx)
{
	__u64 t0 = bpf_ktime_get_ns(), sum = 0;

	syscall_calls = bpf_loop(SYSCALL_LOOPS, call_ktime, &sum, 0);
	syscall_ns = bpf_ktime_get_ns() - t0;
	return sum ? 0 : 1;
}

SEC("syscall")
int bench_syscall_queue_state(void *ctx)
{
	__u64 t0 = bpf_ktime_get_ns();
	int err = 0;

	syscall_calls = bpf_loop(SYSCALL_LOOPS, call_queue_state, &err, 0);
	syscall_ns = bpf_ktime_get_ns() - t0;
	return err ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
