// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim kfuncs: what the device knows about a frame, for XDP, TC and
 * tracing programs, and a queue's ring and interrupt state for any program.
 */

#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/nsproxy.h>
#include <net/net_namespace.h>
#include <net/page_pool/types.h>

#include "nicsim.h"
#include "nicsim_kfuncs.h"

__bpf_kfunc_start_defs();

/**
 * bpf_nicsim_xdp_meta() - Read the device-side metadata of an XDP frame.
 * @ctx: XDP context of a program run by nicsim's native XDP.
 * @meta: Buffer the metadata is written to.
 * @meta__sz: Size of @meta, must be sizeof(struct nicsim_xdp_meta).
 *
 * Fills @meta with where the device put the frame (port, queue,
 * descriptor, length), its sequence number and DMA-completion time, and
 * how it reached the program: the time the device raised the interrupt
 * that started this NAPI run, the number of RX completions that interrupt
 * was coalesced from, and the start of the poll. For XDP programs only.
 * On error @meta is zeroed.
 *
 * Return:
 * * ``0``       - @meta is filled
 * * ``-EINVAL`` - @meta__sz is not the size of struct nicsim_xdp_meta
 * * ``-ENODEV`` - the frame was not received by nicsim's native XDP
 *   (another driver, generic XDP or a cpumap)
 */
__bpf_kfunc int bpf_nicsim_xdp_meta(struct xdp_md *ctx,
				    struct nicsim_xdp_meta *meta, u32 meta__sz)
{
	const struct nicsim_xdp_buff *nxdp;
	const struct nicsim_rxq *rxq;
	const struct nicsim_qpair *qp;

	if (meta__sz != sizeof(*meta)) {
		memset(meta, 0, meta__sz);
		return -EINVAL;
	}
	nxdp = nicsim_xdp_buff((struct xdp_buff *)ctx);
	if (!nxdp) {
		memset(meta, 0, sizeof(*meta));
		return -ENODEV;
	}

	/* every byte written once: the struct has no implicit padding */
	rxq = nxdp->rxq;
	qp = &rxq->port->qp[rxq->qid];
	*meta = (struct nicsim_xdp_meta) {
		.ifindex = rxq->port->netdev->ifindex,
		.queue = rxq->qid,
		.desc_idx = nxdp->desc_idx,
		.len = le16_to_cpu(rxq->desc[nxdp->desc_idx].len),
		.seq = nxdp->seq,
		.dma_tstamp = nxdp->dma_tstamp,
		.irq_tstamp = qp->irq_raise_ns,
		.poll_tstamp = rxq->poll_ns,
		.irq_batch = qp->irq_batch,
	};
	return 0;
}

/*
 * The stamp the driver left at the start of @skb's buffer, if the buffer
 * is a nicsim RX buffer: the head is the start of a page of a nicsim
 * port's page_pool, or of a fragment of one. A head reallocated by the
 * stack is not.
 */
static int nicsim_skb_stamp(const struct sk_buff *skb,
			    const struct nicsim_rx_stamp **stamp)
{
	const struct nicsim_rx_stamp *st;
	struct net_device *dev;
	struct page *page;
	bool is_nicsim;

	if (!skb->head_frag || !skb->pp_recycle)
		return -ENODEV;
	/* a buffer is a page_pool page, or a fragment of one */
	page = virt_to_head_page(skb->head);
	if (!page_pool_page_is_pp(page) ||
	    !IS_ALIGNED((unsigned long)skb->head, NICSIM_RX_FRAG_SIZE))
		return -ENODEV;
	/*
	 * A pool whose port is gone points at the loopback device, or at
	 * NET_PTR_POISON once that is gone too. The unregistration that
	 * repoints it waits for RCU readers before the netdev is freed.
	 */
	rcu_read_lock();
	dev = READ_ONCE(page->pp->slow.netdev);
	is_nicsim = dev && dev != NET_PTR_POISON &&
		    nicsim_netdev_is_nicsim(dev);
	rcu_read_unlock();
	if (!is_nicsim)
		return -ENODEV;
	st = (const void *)skb->head;
	if (st->magic != (NICSIM_RX_STAMP_MAGIC ^ lower_32_bits(st->seq)))
		return -ENODATA;	/* e.g. an xdp_frame took its place */
	*stamp = st;
	return 0;
}

/**
 * bpf_nicsim_skb_meta() - Read what an skb received from nicsim carries.
 * @skb: A TC program's context, or a trusted skb of a tracing program
 *       (an argument, not a pointer read from one).
 * @meta: Buffer the metadata is written to.
 * @meta__sz: Size of @meta, must be sizeof(struct nicsim_skb_meta).
 *
 * The driver keeps each received frame's RX queue, descriptor, sequence
 * number and DMA-completion time at the start of its buffer; this reads
 * them back for as long as the skb's head is that buffer. For TC
 * (SCHED_CLS, SCHED_ACT) and tracing programs. On error @meta is zeroed.
 *
 * Return:
 * * ``0``        - @meta is filled
 * * ``-EINVAL``  - @meta__sz is not the size of struct nicsim_skb_meta
 * * ``-ENODEV``  - the skb's head is not a nicsim RX buffer (sent locally,
 *   received by another device, or its head was reallocated)
 * * ``-ENODATA`` - a nicsim buffer without the metadata (the frame went
 *   through XDP_REDIRECT or XDP_TX before becoming this skb)
 */
__bpf_kfunc int bpf_nicsim_skb_meta(struct sk_buff *skb,
				    struct nicsim_skb_meta *meta, u32 meta__sz)
{
	const struct nicsim_rx_stamp *st;
	int err;

	memset(meta, 0, meta__sz);
	if (meta__sz != sizeof(*meta))
		return -EINVAL;
	err = nicsim_skb_stamp(skb, &st);
	if (err)
		return err;
	meta->ifindex = st->ifindex;
	meta->queue = st->queue;
	meta->desc_idx = st->desc_idx;
	meta->seq = st->seq;
	meta->dma_tstamp = st->dma_tstamp;
	return 0;
}

/**
 * bpf_nicsim_queue_state() - Read the state of a nicsim queue pair.
 * @ifindex: A nicsim port, in the current task's network namespace.
 * @queue: A queue pair in use (below the port's channel count).
 * @state: Buffer the state is written to.
 * @state__sz: Size of @state, must be sizeof(struct nicsim_queue_state).
 *
 * A lockless snapshot of the queue pair: ring indices of the driver and
 * the device, the vector's enable, mask and pending bits, completions
 * waiting for an interrupt, the moderation settings and counters. For any
 * program type; the port is looked up in the network namespace of
 * current, so from softirq or interrupt context (XDP, TC, most
 * tracepoints) it is that of whichever task was interrupted. On error
 * @state is zeroed.
 *
 * Return:
 * * ``0``       - @state is filled
 * * ``-EINVAL`` - @state__sz is not the size of struct nicsim_queue_state
 * * ``-ENODEV`` - no such device, or not a nicsim port
 * * ``-ERANGE`` - @queue is not a queue pair in use
 */
__bpf_kfunc int bpf_nicsim_queue_state(u32 ifindex, u32 queue,
				       struct nicsim_queue_state *state,
				       u32 state__sz)
{
	const struct nicsim_hw_queue *hwq;
	const struct nicsim_vector *vec;
	const struct nicsim_qpair *qp;
	const struct nicsim_port *port;
	struct net_device *dev;
	struct nsproxy *nsp;
	int err = 0;

	if (state__sz != sizeof(*state)) {
		memset(state, 0, state__sz);
		return -EINVAL;
	}
	nsp = current->nsproxy;		/* NULL once the task has exited */
	/* sleepable programs (SYSCALL) hold no RCU read lock of their own */
	rcu_read_lock();
	dev = dev_get_by_index_rcu(nsp ? nsp->net_ns : &init_net, ifindex);
	if (!dev || !nicsim_netdev_is_nicsim(dev)) {
		err = -ENODEV;
		goto out;
	}
	port = netdev_priv(dev);
	if (queue >= READ_ONCE(port->num_queues)) {
		err = -ERANGE;
		goto out;
	}

	/* every field is written below: the struct has no padding */
	qp = &port->qp[queue];
	hwq = &port->hw->queues[queue];
	vec = qp->vec;
	state->ifindex = ifindex;
	state->queue = queue;
	state->running = netif_running(dev);
	state->ring_size = READ_ONCE(port->ring_size);
	state->rx_tail = READ_ONCE(qp->rxq.tail);
	state->rx_clean = READ_ONCE(qp->rxq.clean);
	state->rx_head = READ_ONCE(hwq->rxr.head);
	state->rx_fill = READ_ONCE(hwq->rxr.tail) - state->rx_head;
	state->tx_tail = READ_ONCE(qp->txq.tail);
	state->tx_clean = READ_ONCE(qp->txq.clean);
	state->tx_head = READ_ONCE(hwq->txr.head);
	state->tx_inflight = state->tx_tail - state->tx_clean;
	state->irq = vec->irq;
	state->irq_enabled = READ_ONCE(vec->enabled);
	state->irq_masked = READ_ONCE(vec->masked) ||
			    READ_ONCE(vec->test_masked);
	state->irq_pending = READ_ONCE(vec->pending);
	state->rx_latched = READ_ONCE(vec->rx_pending);
	state->tx_latched = READ_ONCE(vec->tx_pending);
	state->rx_usecs = READ_ONCE(vec->rx_usecs);
	state->rx_frames = READ_ONCE(vec->rx_frames);
	state->tx_usecs = READ_ONCE(vec->tx_usecs);
	state->tx_frames = READ_ONCE(vec->tx_frames);
	state->irqs_raised = READ_ONCE(vec->raised);
	state->rx_packets = u64_stats_read(&qp->rxq.packets);
	state->rx_bytes = u64_stats_read(&qp->rxq.bytes);
	state->tx_packets = u64_stats_read(&qp->txq.packets);
	state->tx_bytes = u64_stats_read(&qp->txq.bytes);
	state->rx_no_buffer = READ_ONCE(hwq->rx_no_buffer);
	state->rx_oversize = READ_ONCE(hwq->rx_oversize);
out:
	rcu_read_unlock();
	if (err)
		memset(state, 0, sizeof(*state));
	return err;
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(nicsim_xdp_kfunc_ids)
BTF_ID_FLAGS(func, bpf_nicsim_xdp_meta)
BTF_KFUNCS_END(nicsim_xdp_kfunc_ids)

static const struct btf_kfunc_id_set nicsim_xdp_kfunc_set = {
	.owner	= THIS_MODULE,
	.set	= &nicsim_xdp_kfunc_ids,
};

BTF_KFUNCS_START(nicsim_skb_kfunc_ids)
BTF_ID_FLAGS(func, bpf_nicsim_skb_meta, KF_TRUSTED_ARGS)
BTF_KFUNCS_END(nicsim_skb_kfunc_ids)

static const struct btf_kfunc_id_set nicsim_skb_kfunc_set = {
	.owner	= THIS_MODULE,
	.set	= &nicsim_skb_kfunc_ids,
};

BTF_KFUNCS_START(nicsim_any_kfunc_ids)
BTF_ID_FLAGS(func, bpf_nicsim_queue_state)
BTF_KFUNCS_END(nicsim_any_kfunc_ids)

static const struct btf_kfunc_id_set nicsim_any_kfunc_set = {
	.owner	= THIS_MODULE,
	.set	= &nicsim_any_kfunc_ids,
};

int nicsim_kfuncs_init(void)
{
	int err;

	err = register_btf_kfunc_id_set(BPF_PROG_TYPE_XDP,
					&nicsim_xdp_kfunc_set);
	err = err ?: register_btf_kfunc_id_set(BPF_PROG_TYPE_SCHED_CLS,
					       &nicsim_skb_kfunc_set);
	err = err ?: register_btf_kfunc_id_set(BPF_PROG_TYPE_SCHED_ACT,
					       &nicsim_skb_kfunc_set);
	err = err ?: register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING,
					       &nicsim_skb_kfunc_set);
	/* every program type, BPF_PROG_TYPE_SYSCALL included */
	return err ?: register_btf_kfunc_id_set(BPF_PROG_TYPE_UNSPEC,
						&nicsim_any_kfunc_set);
}
