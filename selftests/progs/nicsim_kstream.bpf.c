// SPDX-License-Identifier: GPL-2.0
/*
 * The streaming tracer nicsim's benchmarks compare nicsim_journey with,
 * built the way pwru and nettrace's default mode work: a kprobe on each
 * stage function of the packet journey, every hit sent to user space
 * through a perf buffer. Each attachment's cookie is its function's index;
 * the skb is in the argument the program's name gives.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct kstream_event {
	__u64 ts;
	__u64 skb;
	__u32 func;	/* the attachment's cookie */
	__u32 cpu;
	__u32 len;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

static int emit(struct pt_regs *ctx, struct sk_buff *skb)
{
	struct kstream_event e = {
		.ts = bpf_ktime_get_ns(),
		.skb = (__u64)skb,
		.func = bpf_get_attach_cookie(ctx),
		.cpu = bpf_get_smp_processor_id(),
		.len = BPF_CORE_READ(skb, len),
	};

	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(skb_arg1, struct sk_buff *skb)
{
	return emit(ctx, skb);
}

SEC("kprobe")
int BPF_KPROBE(skb_arg2, void *a, struct sk_buff *skb)
{
	return emit(ctx, skb);
}

SEC("kprobe")
int BPF_KPROBE(skb_arg3, void *a, void *b, struct sk_buff *skb)
{
	return emit(ctx, skb);
}

char LICENSE[] SEC("license") = "GPL";
