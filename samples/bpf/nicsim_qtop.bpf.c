// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim_qtop: per-queue interrupt and NAPI activity of nicsim ports from
 * nicsim_irq_raise and napi:napi_poll, and a SYSCALL program that reads
 * each queue's ring and moderation state with bpf_nicsim_queue_state().
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "nicsim_qtop.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);		/* ifindex << 32 | queue */
	__type(value, struct qstats);
} stats SEC(".maps");

/* which queue pair an IRQ serves, learnt from nicsim_irq_raise */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);		/* Linux IRQ */
	__type(value, __u64);		/* ifindex << 32 | queue */
} irqs SEC(".maps");

static __always_inline struct qstats *qstats(__u64 key)
{
	struct qstats *s = bpf_map_lookup_elem(&stats, &key), zero = {};

	if (s)
		return s;
	bpf_map_update_elem(&stats, &key, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&stats, &key);
}

SEC("tp_btf/nicsim_irq_raise")
int BPF_PROG(qtop_irq, struct net_device *dev, u16 vector, unsigned int irq,
	     int cpu, int reason, u32 rx_batch, u32 tx_batch)
{
	__u64 key;
	struct qstats *s;

	if (!dev)
		return 0;
	key = (__u64)dev->ifindex << 32 | vector;
	bpf_map_update_elem(&irqs, &irq, &key, BPF_ANY);
	s = qstats(key);
	if (s) {
		s->irqs++;
		s->rx_batch += rx_batch;
		s->tx_batch += tx_batch;
	}
	return 0;
}

SEC("tp_btf/napi_poll")
int BPF_PROG(qtop_poll, struct napi_struct *napi, int work, int budget)
{
	__u32 irq;
	__u64 *key;
	struct qstats *s;

	if (!napi)
		return 0;
	irq = napi->irq;	/* nicsim sets each NAPI's IRQ */
	key = bpf_map_lookup_elem(&irqs, &irq);
	if (!key)
		return 0;
	s = qstats(*key);
	if (s) {
		s->polls++;
		s->work += work;
		s->full_polls += work >= budget;
	}
	return 0;
}

SEC("syscall")
int qtop_state(struct qstate_args *args)
{
	struct nicsim_queue_state state;

	args->err = bpf_nicsim_queue_state(args->ifindex, args->queue, &state,
					   sizeof(state));
	args->state = state;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
