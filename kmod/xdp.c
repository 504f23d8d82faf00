// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim native XDP: attaching a program, running it from the NAPI poll
 * with every verdict, XDP_TX and ndo_xdp_xmit on the TX rings, and the XDP
 * RX metadata (timestamp, RSS hash, VLAN tag) the device wrote back.
 */

#include <linux/bpf.h>
#include <linux/bpf_trace.h>
#include <linux/filter.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/page_pool/helpers.h>
#include <net/xdp.h>

#include "nicsim.h"
#include "trace.h"

/*
 * XDP runs on RX rings of whole pages with XDP_PACKET_HEADROOM, the stack
 * alone on half-page fragments where the MTU allows (nicsim.h): the first
 * program attached, or the last detached, has a running port give its RX
 * queues new buffers, one queue at a time, the link up.
 */
static int nicsim_xdp_rings(struct nicsim_port *port, bool xdp)
{
	struct net_device *dev = port->netdev;
	bool was = port->xdp_rings;
	int err;

	port->xdp_rings = xdp;
	if (!port->running ||
	    port->qp[0].rxq.frags == nicsim_rx_use_frags(port, dev->mtu,
							  port->hds))
		return 0;
	err = nicsim_rx_rings_swap(port);
	if (err)
		port->xdp_rings = was;
	return err;
}

int nicsim_bpf(struct net_device *dev, struct netdev_bpf *bpf)
{
	struct nicsim_port *port = netdev_priv(dev);
	struct bpf_prog *old;
	int err;

	switch (bpf->command) {
	case XDP_SETUP_PROG:
		if (bpf->prog && dev->mtu > NICSIM_XDP_MAX_MTU) {
			NL_SET_ERR_MSG_FMT_MOD(bpf->extack,
					       "MTU %u too large for single-buffer XDP, max %lu",
					       dev->mtu, NICSIM_XDP_MAX_MTU);
			return -EINVAL;
		}
		if (bpf->prog && port->hds) {
			NL_SET_ERR_MSG_MOD(bpf->extack,
					   "XDP needs each frame in one buffer: turn tcp-data-split off");
			return -EINVAL;
		}
		/* the rings for XDP before it runs */
		if (bpf->prog && !port->xdp_rings) {
			err = nicsim_xdp_rings(port, true);
			if (err) {
				NL_SET_ERR_MSG_MOD(bpf->extack,
						   "cannot set up the RX rings XDP needs");
				return err;
			}
		}
		old = rcu_replace_pointer(port->xdp_prog, bpf->prog,
					  lockdep_rtnl_is_held());
		if (old)
			bpf_prog_put(old);
		if (!bpf->prog && port->xdp_rings) {
			/* the polls that ran it are over: no more XDP_TX */
			synchronize_net();
			/*
			 * Rings of whole pages still work: if new ones cannot
			 * be had (nicsim_rx_rings_swap() says so), the port
			 * keeps them, and the next reconfiguration gives it
			 * fragments.
			 */
			if (nicsim_xdp_rings(port, false))
				port->xdp_rings = false;
		}
		return 0;
	default:
		return -EINVAL;
	}
}

/* XDP keeps to one page per frame: refuse an MTU it cannot have. */
int nicsim_xdp_check_mtu(struct net_device *dev, int mtu)
{
	struct nicsim_port *port = netdev_priv(dev);

	if (rtnl_dereference(port->xdp_prog) && mtu > NICSIM_XDP_MAX_MTU) {
		netdev_err(dev, "MTU %d too large for single-buffer XDP, max %lu\n",
			   mtu, NICSIM_XDP_MAX_MTU);
		return -EINVAL;
	}
	return 0;
}

/* The nicsim_xdp_buff around @xdp, or NULL if nicsim's NAPI did not run it. */
const struct nicsim_xdp_buff *nicsim_xdp_buff(const struct xdp_buff *xdp)
{
	const struct xdp_rxq_info *xdp_rxq = xdp->rxq;
	struct nicsim_port *port;
	u32 q = xdp_rxq->queue_index;

	if (!nicsim_netdev_is_nicsim(xdp_rxq->dev))
		return NULL;
	port = netdev_priv(xdp_rxq->dev);
	/* generic XDP and cpumap bring their own rxq: not ours */
	if (q >= port->num_queues || xdp_rxq != &port->qp[q].rxq.xdp_rxq)
		return NULL;
	return container_of(xdp, struct nicsim_xdp_buff, xdp);
}

/*
 * xdp_metadata_ops: only called for dev-bound programs in nicsim's XDP.
 * The time stamp is the skb's hardware one: the PTP clock's, while RX
 * time stamps are on (SIOCSHWTSTAMP), as with mlx5 or ice.
 */
static int nicsim_xmo_rx_timestamp(const struct xdp_md *ctx, u64 *timestamp)
{
	const struct nicsim_xdp_buff *nxdp = (const void *)ctx;

	if (!READ_ONCE(nxdp->rxq->port->tstamp_rx))
		return -ENODATA;
	*timestamp = nxdp->hwts;
	return 0;
}

static int nicsim_xmo_rx_hash(const struct xdp_md *ctx, u32 *hash,
			      enum xdp_rss_hash_type *rss_type)
{
	static const enum xdp_rss_hash_type types[] = {
		[NICSIM_RSS_TYPE_NONE]		= XDP_RSS_TYPE_NONE,
		[NICSIM_RSS_TYPE_IPV4]		= XDP_RSS_TYPE_L3_IPV4,
		[NICSIM_RSS_TYPE_IPV4_TCP]	= XDP_RSS_TYPE_L4_IPV4_TCP,
		[NICSIM_RSS_TYPE_IPV4_UDP]	= XDP_RSS_TYPE_L4_IPV4_UDP,
		[NICSIM_RSS_TYPE_IPV6]		= XDP_RSS_TYPE_L3_IPV6,
		[NICSIM_RSS_TYPE_IPV6_TCP]	= XDP_RSS_TYPE_L4_IPV6_TCP,
		[NICSIM_RSS_TYPE_IPV6_UDP]	= XDP_RSS_TYPE_L4_IPV6_UDP,
	};
	const struct nicsim_xdp_buff *nxdp = (const void *)ctx;

	if (!(nxdp->rxq->port->netdev->features & NETIF_F_RXHASH) ||
	    nxdp->rss_type == NICSIM_RSS_TYPE_NONE ||
	    nxdp->rss_type >= ARRAY_SIZE(types))
		return -ENODATA;
	*hash = nxdp->rss_hash;
	*rss_type = types[nxdp->rss_type];
	return 0;
}

static int nicsim_xmo_rx_vlan_tag(const struct xdp_md *ctx, __be16 *vlan_proto,
				  u16 *vlan_tci)
{
	const struct nicsim_xdp_buff *nxdp = (const void *)ctx;

	if (!(nxdp->status & NICSIM_RXD_STS_VLAN))
		return -ENODATA;
	*vlan_proto = htons(ETH_P_8021Q);
	*vlan_tci = nxdp->vlan_tci;
	return 0;
}

const struct xdp_metadata_ops nicsim_xdp_metadata_ops = {
	.xmo_rx_timestamp	= nicsim_xmo_rx_timestamp,
	.xmo_rx_hash		= nicsim_xmo_rx_hash,
	.xmo_rx_vlan_tag	= nicsim_xmo_rx_vlan_tag,
};

/*
 * Run the XDP program on one frame. Returns true when the frame goes on to
 * the stack, with *offset and *len updated to what the program left;
 * otherwise the page was sent, redirected or recycled.
 */
bool nicsim_run_xdp(struct nicsim_rxq *rxq, struct bpf_prog *prog,
		    struct page *page, struct nicsim_xdp_buff *nxdp,
		    u32 *offset, u32 *len, u32 *metasize, unsigned int *flush)
{
	struct nicsim_txq *txq = &rxq->port->qp[rxq->qid].txq;
	struct net_device *dev = rxq->port->netdev;
	void *va = page_address(page);
	struct xdp_frame *frame;
	u64_stats_t *counter;
	u32 act;

	DEBUG_NET_WARN_ON_ONCE(rxq->frags);	/* XDP runs on whole pages */
	xdp_init_buff(&nxdp->xdp, PAGE_SIZE << rxq->buf_order, &rxq->xdp_rxq);
	xdp_prepare_buff(&nxdp->xdp, va, *offset, *len, true);

	act = bpf_prog_run_xdp(prog, &nxdp->xdp);
	trace_nicsim_xdp_verdict(dev, rxq->qid, nxdp->desc_idx, nxdp->seq, act);
	switch (act) {
	case XDP_PASS:
		*offset = nxdp->xdp.data - va;
		*len = nxdp->xdp.data_end - nxdp->xdp.data;
		*metasize = nxdp->xdp.data - nxdp->xdp.data_meta;
		counter = &rxq->xdp_pass;
		break;
	case XDP_TX:
		frame = xdp_convert_buff_to_frame(&nxdp->xdp);
		if (unlikely(!frame || !nicsim_xdp_tx(txq, frame)))
			goto aborted;
		*flush |= NICSIM_XDP_FLUSH_TX;
		counter = &rxq->xdp_tx;
		break;
	case XDP_REDIRECT:
		if (unlikely(xdp_do_redirect(dev, &nxdp->xdp, prog)))
			goto aborted;
		*flush |= NICSIM_XDP_FLUSH_REDIR;
		counter = &rxq->xdp_redirect;
		break;
	default:
		bpf_warn_invalid_xdp_action(dev, prog, act);
		fallthrough;
	case XDP_ABORTED:
aborted:
		trace_xdp_exception(dev, prog, act);
		counter = &rxq->xdp_aborted;
		act = XDP_ABORTED;
		break;
	case XDP_DROP:
		counter = &rxq->xdp_drop;
		break;
	}
	u64_stats_update_begin(&rxq->syncp);
	u64_stats_inc(counter);
	u64_stats_update_end(&rxq->syncp);

	if (act == XDP_ABORTED || act == XDP_DROP)
		page_pool_recycle_direct(rxq->pp, page);
	return act == XDP_PASS;
}

/*
 * Post one XDP frame; the caller holds the TX queue lock. XDP_TX frames
 * live in this queue's page_pool pages, already mapped: only sync them.
 */
static int nicsim_txq_xdp_frame(struct nicsim_txq *txq,
				struct xdp_frame *frame, bool map)
{
	struct device *dma_dev = &txq->port->ndev->dev;
	struct nicsim_tx_buf *buf;
	dma_addr_t dma;
	u32 idx;

	if (unlikely(!nicsim_txq_free_descs(txq))) {
		u64_stats_update_begin(&txq->syncp);
		u64_stats_inc(&txq->ring_full);
		u64_stats_update_end(&txq->syncp);
		return -ENOSPC;
	}
	if (map) {
		if (unlikely(!nicsim_tx_map(txq, frame->data, frame->len, &dma)))
			return -ENOMEM;
	} else {
		struct page *page = virt_to_page(frame->data);

		dma = page_pool_get_dma_addr(page) +
		      (frame->data - page_address(page));
		dma_sync_single_for_device(dma_dev, dma, frame->len,
					   DMA_BIDIRECTIONAL);
	}

	idx = txq->tail & (txq->size - 1);
	buf = &txq->bufs[idx];
	buf->frame = frame;
	buf->dma = dma;
	buf->len = frame->len;
	buf->type = map ? NICSIM_TX_XDP_XMIT : NICSIM_TX_XDP_TX;
	nicsim_txq_post(txq, idx, dma, frame->len);
	return 0;
}

/* XDP_TX from the queue pair's NAPI; the doorbell waits for the flush. */
bool nicsim_xdp_tx(struct nicsim_txq *txq, struct xdp_frame *frame)
{
	struct netdev_queue *nq = netdev_get_tx_queue(txq->port->netdev,
						      txq->qid);
	int err;

	__netif_tx_lock(nq, smp_processor_id());
	err = nicsim_txq_xdp_frame(txq, frame, false);
	__netif_tx_unlock(nq);
	return !err;
}

void nicsim_xdp_tx_flush(struct nicsim_txq *txq)
{
	struct netdev_queue *nq = netdev_get_tx_queue(txq->port->netdev,
						      txq->qid);

	__netif_tx_lock(nq, smp_processor_id());
	nicsim_txq_doorbell(txq);
	__netif_tx_unlock(nq);
}

/* Frames redirected to nicsim by XDP elsewhere: on this CPU's queue. */
int nicsim_xdp_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		    u32 flags)
{
	struct nicsim_port *port = netdev_priv(dev);
	unsigned int cpu = smp_processor_id();
	struct netdev_queue *nq;
	struct nicsim_txq *txq;
	int sent;

	if (unlikely(flags & ~XDP_XMIT_FLAGS_MASK))
		return -EINVAL;
	/* nicsim_stop() turns the carrier off, then waits for us */
	if (unlikely(!netif_running(dev) || !netif_carrier_ok(dev)))
		return -ENETDOWN;

	txq = &port->qp[cpu % port->num_queues].txq;
	nq = netdev_get_tx_queue(dev, txq->qid);
	__netif_tx_lock(nq, cpu);
	for (sent = 0; sent < n; sent++)
		if (nicsim_txq_xdp_frame(txq, frames[sent], true))
			break;
	if (flags & XDP_XMIT_FLUSH)
		nicsim_txq_doorbell(txq);
	u64_stats_update_begin(&txq->syncp);
	u64_stats_add(&txq->xdp_xmit, sent);
	u64_stats_add(&txq->xdp_xmit_errors, n - sent);
	u64_stats_update_end(&txq->syncp);
	__netif_tx_unlock(nq);
	return sent;
}
