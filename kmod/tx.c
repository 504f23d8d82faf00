// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim transmit: post skbs to the TX ring, ring the doorbell once per
 * xmit_more batch, and clean completions from NAPI.
 */

#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/tcp.h>
#include <net/netdev_queues.h>
#include <net/page_pool/helpers.h>
#include <net/xdp.h>

#include "nicsim.h"
#include "trace.h"

/* The default ring must be one the driver accepts. */
static_assert(NICSIM_DEFAULT_RING_SIZE >= NICSIM_DRV_MIN_RING_SIZE);

u32 nicsim_txq_free_descs(const struct nicsim_txq *txq)
{
	return txq->size - (txq->tail - READ_ONCE(txq->clean));
}

void nicsim_txq_doorbell(struct nicsim_txq *txq)
{
	u32 posted = txq->tail - txq->doorbell_tail;

	if (!posted)
		return;
	dma_wmb();	/* descriptors before the tail register */
	trace_nicsim_tx_doorbell(txq->port->netdev, txq->qid, txq->tail,
				 posted);
	nicsim_hw_tx_doorbell(txq->hwq, txq->tail);
	txq->doorbell_tail = txq->tail;
	u64_stats_update_begin(&txq->syncp);
	u64_stats_inc(&txq->doorbells);
	u64_stats_update_end(&txq->syncp);
}

/* dma_map_single() of a TX buffer; the tx_dma_map fault makes it fail. */
bool nicsim_tx_map(struct nicsim_txq *txq, void *data, u32 len,
		   dma_addr_t *dma)
{
	struct device *dma_dev = &txq->port->ndev->dev;

	if (unlikely(should_fail(&txq->port->hw->faults.tx_dma_map, 1)))
		goto err;
	*dma = dma_map_single(dma_dev, data, len, DMA_TO_DEVICE);
	if (likely(!dma_mapping_error(dma_dev, *dma)))
		return true;
err:
	u64_stats_update_begin(&txq->syncp);
	u64_stats_inc(&txq->dma_map_errors);
	u64_stats_update_end(&txq->syncp);
	return false;
}

/* A frame's offloads, in its first descriptor (hw.h). */
struct nicsim_tx_offload {
	u16 cmd;
	u16 csum_start;
	u16 csum_offset;
	u16 mss;
	u16 hdr_len;
	u16 l3_start;
};

/* what the descriptors after a frame's first one carry */
static const struct nicsim_tx_offload nicsim_tx_no_offload;

/* Write one descriptor; nothing is published until the tail moves. */
static void nicsim_txq_write_desc(struct nicsim_txq *txq, u32 idx,
				  dma_addr_t dma, u32 len, u16 cmd,
				  const struct nicsim_tx_offload *off)
{
	struct nicsim_tx_desc *desc = &txq->desc[idx];

	desc->addr = cpu_to_le64(dma);
	desc->len = cpu_to_le16(len);
	desc->cmd = cpu_to_le16(cmd | off->cmd);
	desc->csum_start = cpu_to_le16(off->csum_start);
	desc->csum_offset = cpu_to_le16(off->csum_offset);
	desc->mss = cpu_to_le16(off->mss);
	desc->hdr_len = cpu_to_le16(off->hdr_len);
	desc->l3_start = cpu_to_le16(off->l3_start);
	desc->status = 0;
}

/* Publish descriptors up to @tail: clean must not see stale DD bits. */
static void nicsim_txq_publish(struct nicsim_txq *txq, u32 tail)
{
	/* pairs with smp_load_acquire() in nicsim_txq_clean() */
	smp_store_release(&txq->tail, tail);
}

/* Write one single-buffer frame's descriptor and publish it. */
void nicsim_txq_post(struct nicsim_txq *txq, u32 idx, dma_addr_t dma, u32 len)
{
	nicsim_txq_write_desc(txq, idx, dma, len, NICSIM_TXD_CMD_EOP,
			      &nicsim_tx_no_offload);
	nicsim_txq_publish(txq, txq->tail + 1);
}

/*
 * Map an skb's head and fragments. Returns the number of buffers, or 0
 * with nothing left mapped if one mapping failed.
 */
static unsigned int nicsim_tx_map_skb(struct nicsim_txq *txq,
				      struct sk_buff *skb, dma_addr_t *dma,
				      u32 *len)
{
	struct device *dma_dev = &txq->port->ndev->dev;
	unsigned int i, n = skb_shinfo(skb)->nr_frags;

	len[0] = skb_headlen(skb);
	if (unlikely(!nicsim_tx_map(txq, skb->data, len[0], &dma[0])))
		return 0;
	for (i = 0; i < n; i++) {
		const skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

		len[i + 1] = skb_frag_size(frag);
		dma[i + 1] = skb_frag_dma_map(dma_dev, frag, 0, len[i + 1],
					      DMA_TO_DEVICE);
		if (unlikely(dma_mapping_error(dma_dev, dma[i + 1])))
			goto unmap;
	}
	return n + 1;

unmap:
	while (i--)
		dma_unmap_page(dma_dev, dma[i + 1], len[i + 1], DMA_TO_DEVICE);
	dma_unmap_single(dma_dev, dma[0], len[0], DMA_TO_DEVICE);
	u64_stats_update_begin(&txq->syncp);
	u64_stats_inc(&txq->dma_map_errors);
	u64_stats_update_end(&txq->syncp);
	return 0;
}

netdev_tx_t nicsim_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct nicsim_port *port = netdev_priv(dev);
	u16 qid = skb_get_queue_mapping(skb);
	struct nicsim_txq *txq = &port->qp[qid].txq;
	dma_addr_t dma[MAX_SKB_FRAGS + 1];
	u32 len[MAX_SKB_FRAGS + 1], tail;
	struct nicsim_tx_offload off = {};
	unsigned int i, nbufs;
	struct netdev_queue *nq;
	bool doorbell;

	nq = netdev_get_tx_queue(dev, qid);
	/*
	 * XDP_TX and ndo_xdp_xmit share the ring and do not stop the queue:
	 * it may be full. Stop it; any completion wakes it again.
	 */
	if (unlikely(!netif_txq_maybe_stop(nq, nicsim_txq_free_descs(txq),
					   NICSIM_TX_MAX_DESCS,
					   NICSIM_TX_WAKE_THRESH))) {
		u64_stats_update_begin(&txq->syncp);
		u64_stats_inc(&txq->ring_full);
		u64_stats_update_end(&txq->syncp);
		/* a ring kept full by XDP is busy, not hung */
		txq_trans_cond_update(nq);
		return NETDEV_TX_BUSY;
	}

	if (eth_skb_pad(skb))
		goto out_dropped;	/* eth_skb_pad freed the skb */
	nbufs = nicsim_tx_map_skb(txq, skb, dma, len);
	if (unlikely(!nbufs)) {
		dev_kfree_skb_any(skb);
		goto out_dropped;
	}
	if (skb_is_gso(skb)) {
		/* TCP over IPv4 or IPv6: the only GSO types advertised */
		off.cmd = NICSIM_TXD_CMD_TSO;
		off.mss = skb_shinfo(skb)->gso_size;
		off.hdr_len = skb_tcp_all_headers(skb);
		off.l3_start = skb_network_offset(skb);
	} else if (skb->ip_summed == CHECKSUM_PARTIAL) {
		off.cmd = NICSIM_TXD_CMD_CSUM;
	}
	if (off.cmd) {
		off.csum_start = skb_checksum_start_offset(skb);
		off.csum_offset = skb->csum_offset;
	}
	if (unlikely(skb_shinfo(skb)->tx_flags & SKBTX_HW_TSTAMP) &&
	    READ_ONCE(port->tstamp_tx)) {
		skb_shinfo(skb)->tx_flags |= SKBTX_IN_PROGRESS;
		off.cmd |= NICSIM_TXD_CMD_TSTAMP;
	}

	tail = txq->tail;
	for (i = 0; i < nbufs; i++, tail++) {
		struct nicsim_tx_buf *buf = &txq->bufs[tail & (txq->size - 1)];
		bool last = i == nbufs - 1;

		buf->skb = last ? skb : NULL;
		buf->dma = dma[i];
		buf->len = len[i];
		buf->type = i ? NICSIM_TX_SKB_FRAG : NICSIM_TX_SKB;
		nicsim_txq_write_desc(txq, tail & (txq->size - 1), dma[i],
				      len[i], last ? NICSIM_TXD_CMD_EOP : 0,
				      i ? &nicsim_tx_no_offload : &off);
	}
	nicsim_txq_publish(txq, tail);
	trace_nicsim_tx_post(dev, qid, skb, (tail - nbufs) & (txq->size - 1),
			     nbufs);
	skb_tx_timestamp(skb);
	u64_stats_update_begin(&txq->syncp);
	u64_stats_add(&txq->frags, nbufs - 1);
	if (off.cmd & NICSIM_TXD_CMD_CSUM)
		u64_stats_inc(&txq->csum_partial);
	else if (off.cmd & NICSIM_TXD_CMD_TSO)
		u64_stats_inc(&txq->tso);
	u64_stats_update_end(&txq->syncp);

	doorbell = __netdev_tx_sent_queue(nq, skb->len, netdev_xmit_more());
	netif_txq_maybe_stop(nq, nicsim_txq_free_descs(txq),
			     NICSIM_TX_MAX_DESCS, NICSIM_TX_WAKE_THRESH);
	if (doorbell || netif_xmit_stopped(nq))
		nicsim_txq_doorbell(txq);
	return NETDEV_TX_OK;

out_dropped:
	/* a dropped last skb of a batch must still flush the batch */
	if (!netdev_xmit_more() || netif_xmit_stopped(nq))
		nicsim_txq_doorbell(txq);
	dev_core_stats_tx_dropped_inc(dev);
	return NETDEV_TX_OK;
}

/* Give the skb's socket the time its frame left the MAC. */
static void nicsim_tx_hwtstamp(struct sk_buff *skb,
			       const struct nicsim_tx_desc *desc)
{
	struct skb_shared_hwtstamps hwts = {
		.hwtstamp = ns_to_ktime(le64_to_cpu(desc->hwts)),
	};

	if (skb_shinfo(skb)->tx_flags & SKBTX_IN_PROGRESS)
		skb_tstamp_tx(skb, &hwts);
}

/* Complete what the device has written back. */
void nicsim_txq_clean(struct nicsim_txq *txq, int budget)
{
	struct device *dma_dev = &txq->port->ndev->dev;
	struct net_device *dev = txq->port->netdev;
	struct netdev_queue *nq;
	u32 tail = smp_load_acquire(&txq->tail);	/* pairs with xmit */
	unsigned int bql_pkts = 0, bql_bytes = 0;
	unsigned int pkts = 0, bytes = 0;
	u32 clean = txq->clean;

	while (clean != tail) {
		u32 idx = clean & (txq->size - 1);
		struct nicsim_tx_desc *desc = &txq->desc[idx];
		struct nicsim_tx_buf *buf = &txq->bufs[idx];

		if (!(READ_ONCE(desc->status) & cpu_to_le16(NICSIM_TXD_STS_DD)))
			break;
		dma_rmb();	/* status before the rest of the write-back */

		/*
		 * netpoll polls at budget 0, maybe with IRQs off: no XDP or
		 * page_pool call there (napi.rst). An XDP frame, and what
		 * follows it, wait for the next NAPI poll.
		 */
		if (unlikely(!budget) && (buf->type == NICSIM_TX_XDP_TX ||
					  buf->type == NICSIM_TX_XDP_XMIT))
			break;

		switch (buf->type) {
		case NICSIM_TX_SKB:
		case NICSIM_TX_SKB_FRAG:
			if (buf->type == NICSIM_TX_SKB)
				dma_unmap_single(dma_dev, buf->dma, buf->len,
						 DMA_TO_DEVICE);
			else
				dma_unmap_page(dma_dev, buf->dma, buf->len,
					       DMA_TO_DEVICE);
			if (!buf->skb)
				break;	/* not the frame's last buffer */
			trace_nicsim_tx_clean(dev, txq->qid, idx, desc,
					      buf->skb, buf->skb->len);
			if (unlikely(desc->status &
				     cpu_to_le16(NICSIM_TXD_STS_TS)))
				nicsim_tx_hwtstamp(buf->skb, desc);
			bql_bytes += buf->skb->len;
			bql_pkts++;
			/* what went on the wire: a TSO frame's segments */
			pkts += skb_is_gso(buf->skb) ?
				skb_shinfo(buf->skb)->gso_segs : 1;
			napi_consume_skb(buf->skb, budget);
			break;
		case NICSIM_TX_XDP_TX:
			trace_nicsim_tx_clean(dev, txq->qid, idx, desc, NULL,
					      buf->len);
			/* back to this queue's pool, from its own NAPI */
			xdp_return_frame_rx_napi(buf->frame);
			pkts++;
			break;
		case NICSIM_TX_XDP_XMIT:
			trace_nicsim_tx_clean(dev, txq->qid, idx, desc, NULL,
					      buf->len);
			dma_unmap_single(dma_dev, buf->dma, buf->len,
					 DMA_TO_DEVICE);
			xdp_return_frame(buf->frame);
			pkts++;
			break;
		}
		bytes += buf->len;
		buf->skb = NULL;
		clean++;
	}
	/* a frame's first buffers can complete before its last one */
	if (clean == txq->clean)
		return;

	/* free the slots only after their buffers are released */
	smp_store_release(&txq->clean, clean);
	u64_stats_update_begin(&txq->clean_syncp);
	u64_stats_add(&txq->packets, pkts);
	u64_stats_add(&txq->bytes, bytes);
	u64_stats_update_end(&txq->clean_syncp);

	nq = netdev_get_tx_queue(txq->port->netdev, txq->qid);
	/*
	 * Only skbs went through BQL, but XDP frames free slots too: with no
	 * skb in flight, their completions are the only ones that can wake a
	 * queue that found the ring full of them.
	 */
	netdev_tx_completed_queue(nq, bql_pkts, bql_bytes);
	/* the new clean before the stopped bit: pairs with netif_txq_maybe_stop */
	smp_mb();
	if (unlikely(netif_tx_queue_stopped(nq)) &&
	    nicsim_txq_free_descs(txq) >= NICSIM_TX_WAKE_THRESH)
		netif_tx_wake_queue(nq);
}

/*
 * The stack's watchdog found a queue stopped for watchdog_timeo: report
 * what the ring holds and kick the queue pair's NAPI, which cleans what
 * completed and wakes the queue (an interrupt may have been lost).
 */
void nicsim_tx_timeout(struct net_device *dev, unsigned int qid)
{
	struct nicsim_port *port = netdev_priv(dev);
	struct nicsim_qpair *qp = &port->qp[qid];
	struct nicsim_txq *txq = &qp->txq;
	struct netdev_queue *nq;

	/* the stack's watchdog looks at every queue, active or not */
	if (qid >= READ_ONCE(port->num_queues) || !READ_ONCE(port->running))
		return;
	netdev_warn(dev, "TX queue %u timed out: tail %u clean %u doorbell %u, %u free\n",
		    qid, READ_ONCE(txq->tail), READ_ONCE(txq->clean),
		    READ_ONCE(txq->doorbell_tail), nicsim_txq_free_descs(txq));
	nq = netdev_get_tx_queue(dev, qid);
	__netif_tx_lock(nq, smp_processor_id());	/* syncp's writers hold it */
	u64_stats_update_begin(&txq->syncp);
	u64_stats_inc(&txq->timeouts);
	u64_stats_update_end(&txq->syncp);
	__netif_tx_unlock(nq);
	napi_schedule(&qp->napi);
}

/*
 * Allocate a ring of txq->size entries into @txq, which may be a spare
 * copy of a live queue: nothing reaches the device or the stack here.
 */
int nicsim_txq_alloc(struct nicsim_txq *txq)
{
	struct device *dma_dev = &txq->port->ndev->dev;

	txq->bufs = kcalloc(txq->size, sizeof(*txq->bufs), GFP_KERNEL);
	if (!txq->bufs)
		return -ENOMEM;
	txq->desc = dma_alloc_coherent(dma_dev, txq->size * sizeof(*txq->desc),
				       &txq->desc_dma, GFP_KERNEL);
	if (!txq->desc) {
		kfree(txq->bufs);
		txq->bufs = NULL;
		return -ENOMEM;
	}
	txq->tail = 0;
	txq->clean = 0;
	txq->doorbell_tail = 0;
	return 0;
}

/* Take over the ring allocated in @new, and give it to the device. */
void nicsim_txq_start(struct nicsim_txq *txq, const struct nicsim_txq *new)
{
	txq->size = new->size;
	txq->desc = new->desc;
	txq->desc_dma = new->desc_dma;
	txq->bufs = new->bufs;
	txq->tail = 0;
	txq->clean = 0;
	txq->doorbell_tail = 0;
	netdev_tx_reset_queue(netdev_get_tx_queue(txq->port->netdev,
						  txq->qid));
	nicsim_hw_txr_enable(txq->hwq, txq->desc_dma, txq->size);
}

/* Free what the device never completed. The TX ring must be disabled. */
void nicsim_txq_free(struct nicsim_txq *txq)
{
	struct device *dma_dev = &txq->port->ndev->dev;

	for (; txq->clean != txq->tail; txq->clean++) {
		struct nicsim_tx_buf *buf;

		buf = &txq->bufs[txq->clean & (txq->size - 1)];
		switch (buf->type) {
		case NICSIM_TX_SKB_FRAG:
			dma_unmap_page(dma_dev, buf->dma, buf->len,
				       DMA_TO_DEVICE);
			dev_kfree_skb_any(buf->skb);	/* NULL but last */
			break;
		case NICSIM_TX_SKB:
			dma_unmap_single(dma_dev, buf->dma, buf->len,
					 DMA_TO_DEVICE);
			dev_kfree_skb_any(buf->skb);
			break;
		case NICSIM_TX_XDP_XMIT:
			dma_unmap_single(dma_dev, buf->dma, buf->len,
					 DMA_TO_DEVICE);
			fallthrough;
		case NICSIM_TX_XDP_TX:
			xdp_return_frame(buf->frame);
			break;
		}
		buf->skb = NULL;
	}
	dma_free_coherent(dma_dev, txq->size * sizeof(*txq->desc), txq->desc,
			  txq->desc_dma);
	txq->desc = NULL;
	kfree(txq->bufs);
	txq->bufs = NULL;
}

/*
 * XDP_TX frames on @txq that no poll has cleaned yet. With no XDP program
 * posting more, a stale read only errs towards true.
 */
bool nicsim_txq_has_xdp_tx(struct nicsim_txq *txq)
{
	u32 i, tail = READ_ONCE(txq->tail);

	/* pairs with the release in nicsim_txq_clean(): bufs before clean */
	for (i = smp_load_acquire(&txq->clean); i != tail; i++)
		if (READ_ONCE(txq->bufs[i & (txq->size - 1)].type) ==
		    NICSIM_TX_XDP_TX)
			return true;
	return false;
}
