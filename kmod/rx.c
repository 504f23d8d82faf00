// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim receive: page_pool buffers posted to the RX ring, the interrupt
 * handler, and the NAPI poll that cleans TX, runs XDP and builds skbs.
 */

#include <linux/bpf_trace.h>
#include <linux/etherdevice.h>
#include <linux/filter.h>
#include <linux/if_vlan.h>
#include <net/page_pool/helpers.h>
#include <net/xdp.h>

#include "nicsim.h"
#include "trace.h"

/* Post fresh buffers to every free descriptor; returns how many. */
static u32 nicsim_rxq_fill(struct nicsim_rxq *rxq)
{
	u32 posted = 0;

	while (rxq->tail - rxq->clean < rxq->size) {
		u32 idx = rxq->tail & (rxq->size - 1);
		struct nicsim_rx_desc *desc = &rxq->desc[idx];
		struct page *page;

		if (unlikely(should_fail(&rxq->port->hw->faults.rx_refill, 1)))
			page = NULL;
		else
			page = page_pool_dev_alloc_pages(rxq->pp);
		if (unlikely(!page)) {
			u64_stats_update_begin(&rxq->syncp);
			u64_stats_inc(&rxq->alloc_errors);
			u64_stats_update_end(&rxq->syncp);
			break;
		}
		rxq->pages[idx] = page;
		desc->addr = cpu_to_le64(page_pool_get_dma_addr(page) +
					 NICSIM_RX_HEADROOM);
		desc->buf_len = cpu_to_le16(rxq->buf_len);
		desc->status = 0;
		rxq->tail++;
		posted++;
	}
	return posted;
}

/* Tell the device about @posted new buffers. */
static void nicsim_rxq_doorbell(struct nicsim_rxq *rxq, u32 posted)
{
	dma_wmb();	/* descriptors before the tail register */
	trace_nicsim_rx_doorbell(rxq->port->netdev, rxq->qid, rxq->tail,
				 posted);
	nicsim_hw_rx_doorbell(rxq->hwq, rxq->tail);
	u64_stats_update_begin(&rxq->syncp);
	u64_stats_inc(&rxq->doorbells);
	u64_stats_update_end(&rxq->syncp);
}

/* Post fresh buffers to every free descriptor, then ring the doorbell. */
static void nicsim_rxq_refill(struct nicsim_rxq *rxq)
{
	u32 posted = nicsim_rxq_fill(rxq);

	if (posted)
		nicsim_rxq_doorbell(rxq, posted);
}

/*
 * Keep the descriptor's metadata at the start of the buffer, where no XDP
 * program can write, for bpf_nicsim_skb_meta(): the skb is built around
 * this buffer.
 */
static void nicsim_rx_stamp(const struct nicsim_rxq *rxq, void *va,
			    const struct nicsim_xdp_buff *nxdp)
{
	struct nicsim_rx_stamp *st = va;

	BUILD_BUG_ON(sizeof(*st) > sizeof(struct xdp_frame));
	st->ifindex = rxq->port->netdev->ifindex;
	st->queue = rxq->qid;
	st->desc_idx = nxdp->desc_idx;
	st->seq = nxdp->seq;
	st->dma_tstamp = nxdp->dma_tstamp;
	st->magic = NICSIM_RX_STAMP_MAGIC ^ lower_32_bits(nxdp->seq);
}

static void nicsim_rx_hash(struct net_device *dev, struct sk_buff *skb,
			   u32 hash, u16 type)
{
	if (!(dev->features & NETIF_F_RXHASH) || type == NICSIM_RSS_TYPE_NONE)
		return;
	skb_set_hash(skb, hash, nicsim_rss_type_is_l4(type) ?
		     PKT_HASH_TYPE_L4 : PKT_HASH_TYPE_L3);
}

/* A checksum the device verified spares the stack; anything else not. */
static bool nicsim_rx_csum(struct net_device *dev, struct sk_buff *skb,
			   u16 status)
{
	if (!(dev->features & NETIF_F_RXCSUM) ||
	    (status & (NICSIM_RXD_STS_L4CSUM | NICSIM_RXD_STS_L4CSUM_ERR)) !=
	    NICSIM_RXD_STS_L4CSUM)
		return false;
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	return true;
}

int nicsim_rxq_poll(struct nicsim_rxq *rxq, struct napi_struct *napi,
		    int budget)
{
	struct net_device *dev = rxq->port->netdev;
	unsigned int bytes = 0, pkts = 0, csum_ok = 0, discards = 0;
	bool tstamp = READ_ONCE(rxq->port->tstamp_rx);
	unsigned int xdp_flush = 0;
	struct bpf_prog *prog;
	int work = 0;

	rcu_read_lock();
	prog = rcu_dereference(rxq->port->xdp_prog);
	if (prog)
		rxq->poll_ns = ktime_get_ns();	/* for bpf_nicsim_xdp_meta() */
	while (work < budget) {
		u32 idx = rxq->clean & (rxq->size - 1);
		struct nicsim_rx_desc *desc = &rxq->desc[idx];
		u32 len, offset = NICSIM_RX_HEADROOM, metasize = 0;
		struct nicsim_xdp_buff nxdp;
		struct sk_buff *skb;
		struct page *page;

		if (rxq->clean == rxq->tail ||
		    !(READ_ONCE(desc->status) & cpu_to_le16(NICSIM_RXD_STS_DD)))
			break;
		dma_rmb();	/* status before the rest of the write-back */

		len = le16_to_cpu(desc->len);
		nxdp.status = le16_to_cpu(desc->status);
		nxdp.vlan_tci = le16_to_cpu(desc->vlan_tci);
		nxdp.rxq = rxq;
		nxdp.desc_idx = idx;
		nxdp.rss_hash = le32_to_cpu(desc->rss_hash);
		nxdp.rss_type = le16_to_cpu(desc->rss_type);
		nxdp.seq = le64_to_cpu(desc->seq);
		nxdp.dma_tstamp = le64_to_cpu(desc->tstamp);
		nxdp.hwts = le64_to_cpu(desc->hwts);
		trace_nicsim_rx_desc(dev, rxq->qid, idx, len, nxdp.seq,
				     nxdp.dma_tstamp);

		page = rxq->pages[idx];
		rxq->pages[idx] = NULL;
		rxq->clean++;
		work++;
		/* the buffer's bounds are the driver's, whatever the device says */
		if (unlikely(len < ETH_HLEN || len > rxq->buf_len)) {
			netdev_warn_once(dev, "queue %u: descriptor %u reports %u bytes for a %u-byte buffer\n",
					 rxq->qid, idx, len, rxq->buf_len);
			page_pool_recycle_direct(rxq->pp, page);
			discards++;
			continue;
		}
		page_pool_dma_sync_for_cpu(rxq->pp, page, 0, len);

		if (prog && !nicsim_run_xdp(rxq, prog, page, &nxdp, &offset,
					    &len, &metasize, &xdp_flush))
			continue;

		nicsim_rx_stamp(rxq, page_address(page), &nxdp);
		skb = napi_build_skb(page_address(page),
				     PAGE_SIZE << rxq->buf_order);
		if (unlikely(!skb)) {
			page_pool_recycle_direct(rxq->pp, page);
			discards++;
			continue;
		}
		skb_mark_for_recycle(skb);
		skb_reserve(skb, offset);
		skb_put(skb, len);
		if (metasize)
			skb_metadata_set(skb, metasize);
		nicsim_rx_hash(dev, skb, nxdp.rss_hash, nxdp.rss_type);
		if (nicsim_rx_csum(dev, skb, nxdp.status))
			csum_ok++;
		if (nxdp.status & NICSIM_RXD_STS_VLAN)
			__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q),
					       nxdp.vlan_tci);
		if (tstamp)
			skb_hwtstamps(skb)->hwtstamp = ns_to_ktime(nxdp.hwts);
		skb->protocol = eth_type_trans(skb, dev);
		skb_record_rx_queue(skb, rxq->qid);
		trace_nicsim_rx_skb(dev, rxq->qid, idx, nxdp.seq, skb);
		pkts++;
		bytes += len;
		napi_gro_receive(napi, skb);
	}
	if (xdp_flush & NICSIM_XDP_FLUSH_REDIR)
		xdp_do_flush();
	rcu_read_unlock();
	if (xdp_flush & NICSIM_XDP_FLUSH_TX)
		nicsim_xdp_tx_flush(&rxq->port->qp[rxq->qid].txq);

	nicsim_rxq_refill(rxq);
	u64_stats_update_begin(&rxq->syncp);
	u64_stats_add(&rxq->packets, pkts);
	u64_stats_add(&rxq->bytes, bytes);
	u64_stats_add(&rxq->csum_unnecessary, csum_ok);
	u64_stats_add(&rxq->discards, discards);
	u64_stats_inc(&rxq->polls);
	u64_stats_update_end(&rxq->syncp);
	return work;
}

int nicsim_napi_poll(struct napi_struct *napi, int budget)
{
	struct nicsim_qpair *qp = container_of(napi, struct nicsim_qpair, napi);
	int work;

	nicsim_txq_clean(&qp->txq, budget);
	/* netpoll: TX completions only, no RX, no XDP (napi.rst) */
	if (unlikely(!budget))
		return 0;
	work = nicsim_rxq_poll(&qp->rxq, napi, budget);
	/*
	 * With no buffer posted (every allocation failed) the device cannot
	 * interrupt for RX: the watchdog polls again later, rather than
	 * this poll spinning at full budget.
	 */
	if (work < budget && napi_complete_done(napi, work)) {
		/* the run is over: the next one may not start with an IRQ */
		qp->irq_raise_ns = 0;
		qp->irq_batch = 0;
		nicsim_hw_irq_enable(qp->vec);
	}
	return work;
}

irqreturn_t nicsim_irq_handler(int irq, void *data)
{
	struct nicsim_qpair *qp = data;

	/* the message's time and batch, for bpf_nicsim_xdp_meta() */
	qp->irq_raise_ns = READ_ONCE(qp->vec->raise_ns);
	qp->irq_batch = READ_ONCE(qp->vec->batch_rx);
	trace_nicsim_irq_handle(qp->port->netdev, qp->qid, irq,
				qp->irq_raise_ns);
	u64_stats_update_begin(&qp->irq_syncp);
	u64_stats_inc(&qp->irqs);
	u64_stats_update_end(&qp->irq_syncp);
	napi_schedule_irqoff(&qp->napi);
	return IRQ_HANDLED;
}

/*
 * Allocate a ring of rxq->size entries for @mtu into @rxq, which may be a
 * spare copy of a live queue, and fill it with buffers: nothing reaches
 * the device here.
 */
int nicsim_rxq_alloc(struct nicsim_rxq *rxq, struct napi_struct *napi,
		     unsigned int mtu)
{
	struct page_pool_params pp_params = {
		.flags		= PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV,
		.order		= nicsim_rx_buf_order(mtu),
		.pool_size	= rxq->size,
		.nid		= NUMA_NO_NODE,
		.dev		= &rxq->port->ndev->dev,
		.napi		= napi,
		.dma_dir	= DMA_BIDIRECTIONAL,
		.max_len	= nicsim_rx_buf_len(mtu),
		.offset		= NICSIM_RX_HEADROOM,
		.netdev		= rxq->port->netdev,
		.queue_idx	= rxq->qid,
	};
	struct device *dma_dev = &rxq->port->ndev->dev;
	int err;

	rxq->buf_len = pp_params.max_len;
	rxq->buf_order = pp_params.order;
	rxq->pp = page_pool_create(&pp_params);
	if (IS_ERR(rxq->pp)) {
		err = PTR_ERR(rxq->pp);
		rxq->pp = NULL;
		return err;
	}
	err = xdp_rxq_info_reg(&rxq->xdp_rxq, rxq->port->netdev, rxq->qid,
			       napi->napi_id);
	if (err)
		goto err_destroy_pool;
	err = xdp_rxq_info_reg_mem_model(&rxq->xdp_rxq, MEM_TYPE_PAGE_POOL,
					 rxq->pp);
	if (err)
		goto err_unreg_rxq;

	rxq->pages = kcalloc(rxq->size, sizeof(*rxq->pages), GFP_KERNEL);
	if (!rxq->pages) {
		err = -ENOMEM;
		goto err_unreg_rxq;
	}
	rxq->desc = dma_alloc_coherent(dma_dev, rxq->size * sizeof(*rxq->desc),
				       &rxq->desc_dma, GFP_KERNEL);
	if (!rxq->desc) {
		err = -ENOMEM;
		goto err_free_pages;
	}
	rxq->tail = 0;
	rxq->clean = 0;
	nicsim_rxq_fill(rxq);
	return 0;

err_free_pages:
	kfree(rxq->pages);
	rxq->pages = NULL;
err_unreg_rxq:
	xdp_rxq_info_unreg(&rxq->xdp_rxq);
err_destroy_pool:
	page_pool_destroy(rxq->pp);
	rxq->pp = NULL;
	return err;
}

/* Take over the ring allocated in @new, give it and its buffers to the device. */
void nicsim_rxq_start(struct nicsim_rxq *rxq, const struct nicsim_rxq *new)
{
	rxq->size = new->size;
	rxq->tail = new->tail;
	rxq->clean = new->clean;
	rxq->desc = new->desc;
	rxq->desc_dma = new->desc_dma;
	rxq->pages = new->pages;
	rxq->pp = new->pp;
	rxq->buf_len = new->buf_len;
	rxq->buf_order = new->buf_order;
	rxq->xdp_rxq = new->xdp_rxq;
	/* what filling the new ring could not allocate */
	u64_stats_update_begin(&rxq->syncp);
	u64_stats_add(&rxq->alloc_errors, u64_stats_read(&new->alloc_errors));
	u64_stats_update_end(&rxq->syncp);
	nicsim_hw_rxr_enable(rxq->hwq, rxq->desc_dma, rxq->size);
	if (rxq->tail != rxq->clean)
		nicsim_rxq_doorbell(rxq, rxq->tail - rxq->clean);
}

/*
 * Return posted buffers to the pool. The RX ring must be disabled. Frames
 * the device completed that no poll took are counted as discards; a spare
 * ring the device never had has none, and its stats are never touched.
 */
void nicsim_rxq_free(struct nicsim_rxq *rxq)
{
	struct device *dma_dev = &rxq->port->ndev->dev;
	unsigned int discards = 0;

	for (; rxq->clean != rxq->tail; rxq->clean++) {
		u32 idx = rxq->clean & (rxq->size - 1);

		if (rxq->desc[idx].status & cpu_to_le16(NICSIM_RXD_STS_DD))
			discards++;
		page_pool_put_full_page(rxq->pp, rxq->pages[idx], false);
		rxq->pages[idx] = NULL;
	}
	if (discards) {
		u64_stats_update_begin(&rxq->syncp);
		u64_stats_add(&rxq->discards, discards);
		u64_stats_update_end(&rxq->syncp);
	}
	dma_free_coherent(dma_dev, rxq->size * sizeof(*rxq->desc), rxq->desc,
			  rxq->desc_dma);
	rxq->desc = NULL;
	kfree(rxq->pages);
	rxq->pages = NULL;
	xdp_rxq_info_unreg(&rxq->xdp_rxq);
	page_pool_destroy(rxq->pp);
	rxq->pp = NULL;
}
