// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim transmit: post skbs to the TX ring, ring the doorbell once per
 * xmit_more batch, and clean completions from NAPI.
 */

#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <net/netdev_queues.h>

#include "nicsim.h"
#include "trace.h"

/* Wake a stopped queue once this many descriptors are free again. */
#define NICSIM_TX_WAKE_THRESH	32

static u32 nicsim_txq_free_descs(const struct nicsim_txq *txq)
{
	return txq->size - (txq->tail - READ_ONCE(txq->clean));
}

static void nicsim_txq_doorbell(struct nicsim_txq *txq)
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

netdev_tx_t nicsim_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct nicsim_port *port = netdev_priv(dev);
	u16 qid = skb_get_queue_mapping(skb);
	struct nicsim_txq *txq = &port->qp[qid].txq;
	struct device *dma_dev = &port->ndev->dev;
	struct netdev_queue *nq;
	struct nicsim_tx_desc *desc;
	struct nicsim_tx_buf *buf;
	bool doorbell;
	dma_addr_t dma;
	u32 idx, len;

	nq = netdev_get_tx_queue(dev, qid);
	if (unlikely(!nicsim_txq_free_descs(txq))) {
		/* the stop below should make this unreachable */
		netif_tx_stop_queue(nq);
		u64_stats_update_begin(&txq->syncp);
		u64_stats_inc(&txq->ring_full);
		u64_stats_update_end(&txq->syncp);
		return NETDEV_TX_BUSY;
	}

	if (eth_skb_pad(skb))
		goto out_dropped;	/* eth_skb_pad freed the skb */
	len = skb_headlen(skb);
	dma = dma_map_single(dma_dev, skb->data, len, DMA_TO_DEVICE);
	if (unlikely(dma_mapping_error(dma_dev, dma))) {
		dev_kfree_skb_any(skb);
		u64_stats_update_begin(&txq->syncp);
		u64_stats_inc(&txq->dma_map_errors);
		u64_stats_update_end(&txq->syncp);
		goto out_dropped;
	}

	idx = txq->tail & (txq->size - 1);
	buf = &txq->bufs[idx];
	buf->skb = skb;
	buf->dma = dma;
	buf->len = len;

	desc = &txq->desc[idx];
	desc->addr = cpu_to_le64(dma);
	desc->len = cpu_to_le16(len);
	desc->cmd = cpu_to_le16(NICSIM_TXD_CMD_EOP);
	desc->status = 0;
	/* publish the slot: clean must not see the tail before the reset DD */
	smp_store_release(&txq->tail, txq->tail + 1);
	skb_tx_timestamp(skb);

	doorbell = __netdev_tx_sent_queue(nq, skb->len, netdev_xmit_more());
	netif_txq_maybe_stop(nq, nicsim_txq_free_descs(txq), 1,
			     NICSIM_TX_WAKE_THRESH);
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

/* Complete what the device has written back. */
void nicsim_txq_clean(struct nicsim_txq *txq, int budget)
{
	struct device *dma_dev = &txq->port->ndev->dev;
	struct netdev_queue *nq;
	u32 tail = smp_load_acquire(&txq->tail);	/* pairs with xmit */
	u32 clean = txq->clean;
	unsigned int pkts = 0, bytes = 0;

	while (clean != tail) {
		u32 idx = clean & (txq->size - 1);
		struct nicsim_tx_desc *desc = &txq->desc[idx];
		struct nicsim_tx_buf *buf = &txq->bufs[idx];

		if (!(READ_ONCE(desc->status) & cpu_to_le16(NICSIM_TXD_STS_DD)))
			break;
		dma_rmb();	/* status before the rest of the write-back */

		dma_unmap_single(dma_dev, buf->dma, buf->len, DMA_TO_DEVICE);
		bytes += buf->skb->len;
		pkts++;
		napi_consume_skb(buf->skb, budget);
		buf->skb = NULL;
		clean++;
	}
	if (!pkts)
		return;

	/* free the slots only after their buffers are released */
	smp_store_release(&txq->clean, clean);
	u64_stats_update_begin(&txq->clean_syncp);
	u64_stats_add(&txq->packets, pkts);
	u64_stats_add(&txq->bytes, bytes);
	u64_stats_update_end(&txq->clean_syncp);

	nq = netdev_get_tx_queue(txq->port->netdev, txq->qid);
	netif_txq_completed_wake(nq, pkts, bytes, nicsim_txq_free_descs(txq),
				 NICSIM_TX_WAKE_THRESH);
}

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
	nicsim_hw_txr_enable(txq->hwq, txq->desc_dma, txq->size);
	return 0;
}

/* Free what the device never completed. The TX ring must be disabled. */
void nicsim_txq_free(struct nicsim_txq *txq)
{
	struct device *dma_dev = &txq->port->ndev->dev;

	for (; txq->clean != txq->tail; txq->clean++) {
		struct nicsim_tx_buf *buf;

		buf = &txq->bufs[txq->clean & (txq->size - 1)];
		dma_unmap_single(dma_dev, buf->dma, buf->len, DMA_TO_DEVICE);
		dev_kfree_skb_any(buf->skb);
		buf->skb = NULL;
	}
	netdev_tx_reset_queue(netdev_get_tx_queue(txq->port->netdev,
						  txq->qid));
	dma_free_coherent(dma_dev, txq->size * sizeof(*txq->desc), txq->desc,
			  txq->desc_dma);
	txq->desc = NULL;
	kfree(txq->bufs);
	txq->bufs = NULL;
}
