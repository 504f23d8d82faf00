// SPDX-License-Identifier: GPL-2.0
/*
 * Per-packet receive timeline of a nicsim port: the device's DMA write,
 * its interrupt, the hard-IRQ handler, the driver's NAPI poll and XDP,
 * joined by the device's frame sequence number.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "nicsim_kfuncs.h"
#include "nicsim_timeline.h"

/* Frames between their DMA write and their XDP run, by sequence number. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct timeline_event);
} frames SEC(".maps");

struct vector_state {
	__u64 raise_ts;		/* last interrupt message */
	__u64 entry_ts;		/* last hard-IRQ handler entry */
	__u32 irq;
	__u32 cpu;
};

/* Interrupt vectors by (ifindex << 16 | vector); their IRQs by number. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct vector_state);
} vectors SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} irq_to_vector SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

__u64 lost_events;			/* ring buffer full */
__u64 untracked_frames;			/* XDP saw a frame without DMA record */

static __always_inline __u32 vector_key(__u32 ifindex, __u32 vector)
{
	return ifindex << 16 | vector;
}

SEC("tp_btf/nicsim_rx_dma_write")
int BPF_PROG(on_dma_write, const struct net_device *dev, u16 queue,
	     u32 desc_idx, u32 len, u64 seq, u64 dma_tstamp)
{
	struct timeline_event e = {
		.seq = seq,
		.queue = queue,
		.desc_idx = desc_idx,
		.len = len,
		.dma_ts = dma_tstamp,
	};

	if (!dev)	/* tracepoint pointer arguments may be NULL */
		return 0;
	e.ifindex = dev->ifindex;
	bpf_map_update_elem(&frames, &seq, &e, BPF_ANY);
	return 0;
}

SEC("tp_btf/nicsim_irq_raise")
int BPF_PROG(on_irq_raise, const struct net_device *dev, u16 vector,
	     unsigned int irq, int cpu, int reason)
{
	struct vector_state *v, init = { .irq = irq };
	__u32 key;

	if (!dev)
		return 0;
	key = vector_key(dev->ifindex, vector);
	bpf_map_update_elem(&irq_to_vector, &irq, &key, BPF_ANY);
	v = bpf_map_lookup_elem(&vectors, &key);
	if (!v) {
		bpf_map_update_elem(&vectors, &key, &init, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&vectors, &key);
		if (!v)
			return 0;
	}
	v->raise_ts = bpf_ktime_get_ns();
	v->irq = irq;
	return 0;
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(on_irq_entry, int irq, struct irqaction *action)
{
	struct vector_state *v;
	__u32 *key;

	key = bpf_map_lookup_elem(&irq_to_vector, &irq);
	if (!key)
		return 0;
	v = bpf_map_lookup_elem(&vectors, key);
	if (v) {
		v->entry_ts = bpf_ktime_get_ns();
		v->cpu = bpf_get_smp_processor_id();
	}
	return 0;
}

SEC("tp_btf/nicsim_rx_desc")
int BPF_PROG(on_rx_desc, const struct net_device *dev, u16 queue,
	     u32 desc_idx, u32 len, u64 seq, u64 dma_tstamp)
{
	struct timeline_event *e;
	struct vector_state *v;
	__u32 key;

	if (!dev)
		return 0;
	key = vector_key(dev->ifindex, queue);	/* one vector per queue pair */
	e = bpf_map_lookup_elem(&frames, &seq);
	if (!e)
		return 0;
	e->napi_ts = bpf_ktime_get_ns();
	v = bpf_map_lookup_elem(&vectors, &key);
	if (v) {
		e->irq_raise_ts = v->raise_ts;
		e->irq_entry_ts = v->entry_ts;
		e->irq = v->irq;
		e->irq_cpu = v->cpu;
	}
	return 0;
}

SEC("xdp")
int timeline_xdp(struct xdp_md *ctx)
{
	struct nicsim_xdp_meta meta;
	struct timeline_event *e, *out;

	if (bpf_nicsim_xdp_meta(ctx, &meta, sizeof(meta)))
		return XDP_PASS;
	e = bpf_map_lookup_elem(&frames, &meta.seq);
	if (!e) {
		__sync_fetch_and_add(&untracked_frames, 1);
		return XDP_PASS;
	}
	e->xdp_ts = bpf_ktime_get_ns();
	out = bpf_ringbuf_reserve(&events, sizeof(*out), 0);
	if (out) {
		*out = *e;
		bpf_ringbuf_submit(out, 0);
	} else {
		__sync_fetch_and_add(&lost_events, 1);
	}
	bpf_map_delete_elem(&frames, &meta.seq);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
