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

/*
 * A buffer of @pp, a NICSIM_RX_FRAG_SIZE fragment of one if @offset is
 * given (where it starts, for *@offset), or none when the rx_refill fault
 * says so.
 */
static netmem_ref nicsim_rx_alloc(struct nicsim_rxq *rxq, struct page_pool *pp,
				  unsigned int *offset)
{
	const gfp_t gfp = GFP_ATOMIC | __GFP_NOWARN;

	if (unlikely(should_fail(&rxq->port->hw->faults.rx_refill, 1)))
		return 0;
	if (offset)
		return page_pool_alloc_frag_netmem(pp, offset,
						   NICSIM_RX_FRAG_SIZE, gfp);
	return page_pool_alloc_netmems(pp, gfp);
}

/* Post fresh buffers to every free descriptor; returns how many. */
static u32 nicsim_rxq_fill(struct nicsim_rxq *rxq)
{
	u32 posted = 0;

	while (rxq->tail - rxq->clean < rxq->size) {
		u32 idx = rxq->tail & (rxq->size - 1);
		struct nicsim_rx_desc *desc = &rxq->desc[idx];
		unsigned int offset = 0;
		netmem_ref buf, hdr = 0;

		buf = nicsim_rx_alloc(rxq, rxq->pp,
				      rxq->frags ? &offset : NULL);
		if (buf && rxq->hds) {
			hdr = nicsim_rx_alloc(rxq, rxq->hdr_pp, NULL);
			if (!hdr) {
				page_pool_put_full_netmem(rxq->pp, buf, false);
				buf = 0;
			}
		}
		if (unlikely(!buf)) {
			u64_stats_update_begin(&rxq->syncp);
			u64_stats_inc(&rxq->alloc_errors);
			u64_stats_update_end(&rxq->syncp);
			break;
		}
		rxq->bufs[idx].netmem = buf;
		rxq->bufs[idx].offset = offset;
		/* the pool's offset is the headroom; none for HDS payload */
		desc->addr = cpu_to_le64(page_pool_get_dma_addr_netmem(buf) +
					 offset + rxq->pp->p.offset);
		desc->buf_len = cpu_to_le16(rxq->buf_len);
		if (hdr) {
			rxq->hdrs[idx] = netmem_to_page(hdr);
			desc->hdr_addr =
				cpu_to_le64(page_pool_get_dma_addr_netmem(hdr) +
					    NICSIM_RX_HEADROOM);
			desc->hdr_buf_len = cpu_to_le16(NICSIM_RX_HDR_LEN);
		} else {
			desc->hdr_addr = 0;
		}
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
	BUILD_BUG_ON(sizeof(*st) > NICSIM_RX_FRAG_HEADROOM);
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

/* Did the device verify the frame's checksum, and may the stack trust it? */
static bool nicsim_rx_csum_ok(struct net_device *dev, u16 status)
{
	return (dev->features & NETIF_F_RXCSUM) &&
	       (status & (NICSIM_RXD_STS_L4CSUM | NICSIM_RXD_STS_L4CSUM_ERR)) ==
	       NICSIM_RXD_STS_L4CSUM;
}

/* A checksum the device verified spares the stack; anything else not. */
static bool nicsim_rx_csum(struct net_device *dev, struct sk_buff *skb,
			   u16 status)
{
	if (!nicsim_rx_csum_ok(dev, status))
		return false;
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	return true;
}

/*
 * Without header split: the skb around the frame's buffer, which starts
 * @buf_offset into @page, or NULL.
 */
static struct sk_buff *nicsim_rx_build_skb(struct nicsim_rxq *rxq,
					   struct page *page, u32 buf_offset,
					   const struct nicsim_xdp_buff *nxdp,
					   u32 offset, u32 len, u32 metasize)
{
	void *va = page_address(page) + buf_offset;
	struct sk_buff *skb;

	nicsim_rx_stamp(rxq, va, nxdp);
	skb = napi_build_skb(va, rxq->frags ? NICSIM_RX_FRAG_SIZE :
			     PAGE_SIZE << rxq->buf_order);
	if (unlikely(!skb)) {
		page_pool_recycle_direct(rxq->pp, page);
		return NULL;
	}
	skb_mark_for_recycle(skb);
	skb_reserve(skb, offset);
	skb_put(skb, len);
	if (metasize)
		skb_metadata_set(skb, metasize);
	return skb;
}

/*
 * Header split: the skb is built around the header buffer, with the
 * payload buffer as its fragment. A frame whose headers did not fit the
 * header buffer has none the stack could read here (its payload buffer
 * may be unreadable), and is discarded. NULL if the frame was dropped.
 */
static struct sk_buff *nicsim_rx_hds_skb(struct nicsim_rxq *rxq,
					 const struct nicsim_xdp_buff *nxdp,
					 struct page *hdr, u32 hlen,
					 netmem_ref buf, u32 len)
{
	struct sk_buff *skb;

	if (unlikely(hlen > NICSIM_RX_HDR_LEN || len > rxq->buf_len))
		netdev_warn_once(rxq->port->netdev, "queue %u: descriptor %u reports %u + %u bytes for %u-byte buffers\n",
				 rxq->qid, nxdp->desc_idx, hlen, len,
				 rxq->buf_len);
	if (unlikely(!(nxdp->status & NICSIM_RXD_STS_HDR) || hlen < ETH_HLEN ||
		     hlen > NICSIM_RX_HDR_LEN || len > rxq->buf_len))
		goto drop;
	/* the stack cannot check a sum over memory it cannot read */
	if (len && netmem_is_net_iov(buf) &&
	    !nicsim_rx_csum_ok(rxq->port->netdev, nxdp->status))
		goto drop;
	page_pool_dma_sync_for_cpu(rxq->hdr_pp, hdr, 0, hlen);
	nicsim_rx_stamp(rxq, page_address(hdr), nxdp);
	skb = napi_build_skb(page_address(hdr), PAGE_SIZE);
	if (unlikely(!skb))
		goto drop;
	skb_mark_for_recycle(skb);
	skb_reserve(skb, NICSIM_RX_HEADROOM);
	skb_put(skb, hlen);
	if (len) {
		page_pool_dma_sync_netmem_for_cpu(rxq->pp, buf, 0, len);
		skb_add_rx_frag_netmem(skb, 0, buf, 0, len, PAGE_SIZE);
	} else {
		page_pool_put_full_netmem(rxq->pp, buf, true);
	}
	return skb;

drop:
	page_pool_put_full_netmem(rxq->pp, buf, true);
	page_pool_recycle_direct(rxq->hdr_pp, hdr);
	return NULL;
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
		u32 len, hlen, offset = rxq->pp->p.offset, metasize = 0;
		struct nicsim_xdp_buff nxdp;
		struct nicsim_rx_buf buf;
		struct page *page, *hdr;
		struct sk_buff *skb;

		if (rxq->clean == rxq->tail ||
		    !(READ_ONCE(desc->status) & cpu_to_le16(NICSIM_RXD_STS_DD)))
			break;
		dma_rmb();	/* status before the rest of the write-back */

		len = le16_to_cpu(desc->len);
		hlen = rxq->hds ? le16_to_cpu(desc->hdr_len) : 0;
		nxdp.status = le16_to_cpu(desc->status);
		nxdp.vlan_tci = le16_to_cpu(desc->vlan_tci);
		nxdp.rxq = rxq;
		nxdp.desc_idx = idx;
		nxdp.rss_hash = le32_to_cpu(desc->rss_hash);
		nxdp.rss_type = le16_to_cpu(desc->rss_type);
		nxdp.seq = le64_to_cpu(desc->seq);
		nxdp.dma_tstamp = le64_to_cpu(desc->tstamp);
		nxdp.hwts = le64_to_cpu(desc->hwts);
		trace_nicsim_rx_desc(dev, rxq->qid, idx, hlen + len, nxdp.seq,
				     nxdp.dma_tstamp);

		buf = rxq->bufs[idx];
		rxq->bufs[idx].netmem = 0;
		rxq->clean++;
		work++;
		if (rxq->hds) {
			hdr = rxq->hdrs[idx];
			rxq->hdrs[idx] = NULL;
			skb = nicsim_rx_hds_skb(rxq, &nxdp, hdr, hlen,
						buf.netmem, len);
		} else {
			page = netmem_to_page(buf.netmem);
			/* the buffer's bounds are the driver's, whatever it says */
			if (unlikely(len < ETH_HLEN || len > rxq->buf_len)) {
				netdev_warn_once(dev, "queue %u: descriptor %u reports %u bytes for a %u-byte buffer\n",
						 rxq->qid, idx, len, rxq->buf_len);
				page_pool_recycle_direct(rxq->pp, page);
				discards++;
				continue;
			}
			page_pool_dma_sync_for_cpu(rxq->pp, page, buf.offset,
						   len);

			/* XDP's rings are of whole pages (buf.offset is 0) */
			if (prog && !nicsim_run_xdp(rxq, prog, page, &nxdp,
						    &offset, &len, &metasize,
						    &xdp_flush))
				continue;

			skb = nicsim_rx_build_skb(rxq, page, buf.offset, &nxdp,
						  offset, len, metasize);
		}
		if (!skb) {
			discards++;
			continue;
		}
		len = skb->len;
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
 * the device here. With header split (@hds), the payload buffers come
 * from the memory provider bound to the queue, if any (a dma-buf), and
 * the headers from a pool of pages of their own. The pools recycle
 * directly into their cache from @napi's polls, unless @napi_live: a pool
 * destroyed while its NAPI runs might race with it.
 */
int nicsim_rxq_alloc(struct nicsim_rxq *rxq, struct napi_struct *napi,
		     unsigned int mtu, bool hds, bool napi_live)
{
	struct page_pool_params pp_params = {
		.flags		= PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV,
		.order		= nicsim_rx_buf_order(mtu),
		.pool_size	= rxq->size,
		.nid		= NUMA_NO_NODE,
		.dev		= &rxq->port->ndev->dev,
		.napi		= napi_live ? NULL : napi,
		.dma_dir	= DMA_BIDIRECTIONAL,
		.max_len	= nicsim_rx_buf_len(mtu),
		.offset		= NICSIM_RX_HEADROOM,
		.netdev		= rxq->port->netdev,
		.queue_idx	= rxq->qid,
	};
	struct device *dma_dev = &rxq->port->ndev->dev;
	int err;

	rxq->hds = hds;
	if (hds) {
		struct page_pool_params hdr_params = pp_params;

		hdr_params.order = 0;
		hdr_params.dma_dir = DMA_FROM_DEVICE;
		hdr_params.max_len = NICSIM_RX_HDR_LEN;
		rxq->hdr_pp = page_pool_create(&hdr_params);
		if (IS_ERR(rxq->hdr_pp)) {
			err = PTR_ERR(rxq->hdr_pp);
			rxq->hdr_pp = NULL;
			return err;
		}
		pp_params.flags |= PP_FLAG_ALLOW_UNREADABLE_NETMEM;
		pp_params.order = 0;
		pp_params.dma_dir = DMA_FROM_DEVICE;
		pp_params.offset = 0;
	}
	rxq->buf_len = pp_params.max_len;
	/*
	 * Half-page fragments, each with its own headroom: the pool syncs
	 * the page from the first one's frame to its end for the device.
	 * Only the device writes them (no XDP_TX).
	 */
	rxq->frags = nicsim_rx_use_frags(rxq->port, mtu, hds);
	if (rxq->frags) {
		pp_params.order = 0;
		pp_params.offset = NICSIM_RX_FRAG_HEADROOM;
		pp_params.max_len = PAGE_SIZE - NICSIM_RX_FRAG_HEADROOM;
		pp_params.dma_dir = DMA_FROM_DEVICE;
	}
	rxq->buf_order = pp_params.order;
	rxq->pp = page_pool_create(&pp_params);
	if (IS_ERR(rxq->pp)) {
		err = PTR_ERR(rxq->pp);
		rxq->pp = NULL;
		goto err_destroy_hdr_pool;
	}
	err = xdp_rxq_info_reg(&rxq->xdp_rxq, rxq->port->netdev, rxq->qid,
			       napi->napi_id);
	if (err)
		goto err_destroy_pool;
	err = xdp_rxq_info_reg_mem_model(&rxq->xdp_rxq, MEM_TYPE_PAGE_POOL,
					 rxq->pp);
	if (err)
		goto err_unreg_rxq;

	err = -ENOMEM;
	rxq->bufs = kcalloc(rxq->size, sizeof(*rxq->bufs), GFP_KERNEL);
	if (!rxq->bufs)
		goto err_unreg_rxq;
	if (hds) {
		rxq->hdrs = kcalloc(rxq->size, sizeof(*rxq->hdrs), GFP_KERNEL);
		if (!rxq->hdrs)
			goto err_free_bufs;
	}
	rxq->desc = dma_alloc_coherent(dma_dev, rxq->size * sizeof(*rxq->desc),
				       &rxq->desc_dma, GFP_KERNEL);
	if (!rxq->desc)
		goto err_free_bufs;
	rxq->tail = 0;
	rxq->clean = 0;
	nicsim_rxq_fill(rxq);
	return 0;

err_free_bufs:
	kfree(rxq->hdrs);
	rxq->hdrs = NULL;
	kfree(rxq->bufs);
	rxq->bufs = NULL;
err_unreg_rxq:
	xdp_rxq_info_unreg(&rxq->xdp_rxq);
err_destroy_pool:
	page_pool_destroy(rxq->pp);
	rxq->pp = NULL;
err_destroy_hdr_pool:
	if (rxq->hdr_pp)
		page_pool_destroy(rxq->hdr_pp);
	rxq->hdr_pp = NULL;
	return err;
}

/* The ring and its buffers: what moves between a queue and a spare copy. */
static void nicsim_rxq_ring_copy(struct nicsim_rxq *dst,
				 const struct nicsim_rxq *src)
{
	dst->size = src->size;
	dst->tail = src->tail;
	dst->clean = src->clean;
	dst->desc = src->desc;
	dst->desc_dma = src->desc_dma;
	dst->bufs = src->bufs;
	dst->pp = src->pp;
	dst->hds = src->hds;
	dst->hdrs = src->hdrs;
	dst->hdr_pp = src->hdr_pp;
	dst->buf_len = src->buf_len;
	dst->buf_order = src->buf_order;
	dst->frags = src->frags;
	dst->xdp_rxq = src->xdp_rxq;
}

/* Take over the ring allocated in @new, give it and its buffers to the device. */
void nicsim_rxq_start(struct nicsim_rxq *rxq, const struct nicsim_rxq *new)
{
	nicsim_rxq_ring_copy(rxq, new);
	/* what filling the new ring could not allocate */
	u64_stats_update_begin(&rxq->syncp);
	u64_stats_add(&rxq->alloc_errors, u64_stats_read(&new->alloc_errors));
	u64_stats_update_end(&rxq->syncp);
	nicsim_hw_rxr_enable(rxq->hwq, rxq->desc_dma, rxq->size);
	if (rxq->tail != rxq->clean)
		nicsim_rxq_doorbell(rxq, rxq->tail - rxq->clean);
}

/*
 * Move the ring of a stopped queue (the device no longer uses it, its
 * NAPI is disabled) to @old, for nicsim_rxq_free(). Frames the device
 * completed that no poll took are counted as discards here, in the
 * queue's statistics, which stay with the queue.
 */
void nicsim_rxq_take(struct nicsim_rxq *old, struct nicsim_rxq *rxq)
{
	unsigned int discards = 0;
	u32 i;

	for (i = rxq->clean; i != rxq->tail; i++)
		if (rxq->desc[i & (rxq->size - 1)].status &
		    cpu_to_le16(NICSIM_RXD_STS_DD))
			discards++;
	u64_stats_update_begin(&rxq->syncp);
	u64_stats_add(&rxq->discards, discards);
	u64_stats_update_end(&rxq->syncp);

	u64_stats_init(&old->syncp);
	old->port = rxq->port;
	old->hwq = rxq->hwq;
	old->qid = rxq->qid;
	nicsim_rxq_ring_copy(old, rxq);
	rxq->desc = NULL;
	rxq->bufs = NULL;
	rxq->hdrs = NULL;
	rxq->pp = NULL;
	rxq->hdr_pp = NULL;
	rxq->tail = 0;
	rxq->clean = 0;
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
		page_pool_put_full_netmem(rxq->pp, rxq->bufs[idx].netmem,
					  false);
		rxq->bufs[idx].netmem = 0;
		if (rxq->hds) {
			page_pool_put_full_page(rxq->hdr_pp, rxq->hdrs[idx],
						false);
			rxq->hdrs[idx] = NULL;
		}
	}
	if (discards) {
		u64_stats_update_begin(&rxq->syncp);
		u64_stats_add(&rxq->discards, discards);
		u64_stats_update_end(&rxq->syncp);
	}
	dma_free_coherent(dma_dev, rxq->size * sizeof(*rxq->desc), rxq->desc,
			  rxq->desc_dma);
	rxq->desc = NULL;
	kfree(rxq->bufs);
	rxq->bufs = NULL;
	kfree(rxq->hdrs);
	rxq->hdrs = NULL;
	xdp_rxq_info_unreg(&rxq->xdp_rxq);
	page_pool_destroy(rxq->pp);
	rxq->pp = NULL;
	if (rxq->hdr_pp)
		page_pool_destroy(rxq->hdr_pp);
	rxq->hdr_pp = NULL;
}
