// SPDX-License-Identifier: GPL-2.0
/*
 * The nicsim driver's netdev side: one net_device per port, queue pair
 * bring-up and teardown, statistics and ethtool basics.
 */

#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/netdev_queues.h>
#include <net/netdev_rx_queue.h>
#include <net/page_pool/types.h>

#include "nicsim.h"

#define NICSIM_WATCHDOG_PERIOD	msecs_to_jiffies(500)

/*
 * Rings for a configuration, allocated while the old one still runs: a
 * spare copy of each queue pair's TX and RX queue, taken over by the live
 * queue pairs only once every allocation has succeeded.
 */
struct nicsim_rings {
	unsigned int num_queues;
	struct {
		struct nicsim_txq txq;
		struct nicsim_rxq rxq;
	} q[] __counted_by(num_queues);
};

/* Free the rings of the first @n queue pairs, and the set. */
static void nicsim_rings_free(struct nicsim_rings *rings, unsigned int n)
{
	unsigned int q;

	for (q = 0; q < n; q++) {
		nicsim_txq_free(&rings->q[q].txq);
		nicsim_rxq_free(&rings->q[q].rxq);
	}
	kfree(rings);
}

static struct nicsim_rings *nicsim_rings_alloc(struct nicsim_port *port,
					       unsigned int num_queues,
					       u32 ring_size, unsigned int mtu,
					       bool hds)
{
	struct nicsim_rings *rings;
	unsigned int q;
	int err;

	rings = kzalloc(struct_size(rings, q, num_queues), GFP_KERNEL);
	if (!rings)
		return ERR_PTR(-ENOMEM);
	rings->num_queues = num_queues;
	for (q = 0; q < num_queues; q++) {
		struct nicsim_txq *txq = &rings->q[q].txq;
		struct nicsim_rxq *rxq = &rings->q[q].rxq;
		struct nicsim_qpair *qp = &port->qp[q];

		txq->port = port;
		txq->hwq = qp->txq.hwq;
		txq->qid = q;
		txq->size = ring_size;
		rxq->port = port;
		rxq->hwq = qp->rxq.hwq;
		rxq->qid = q;
		rxq->size = ring_size;
		u64_stats_init(&rxq->syncp);
		err = nicsim_txq_alloc(txq);
		if (err)
			goto err_free;
		err = nicsim_rxq_alloc(rxq, &qp->napi, mtu, hds, false);
		if (err) {
			nicsim_txq_free(txq);
			goto err_free;
		}
	}
	return rings;

err_free:
	nicsim_rings_free(rings, q);
	return ERR_PTR(err);
}

/* Each queue pair's vector, requested once and kept while the pair is used. */
static int nicsim_irqs_request(struct nicsim_port *port,
			       unsigned int num_queues)
{
	struct net_device *dev = port->netdev;
	unsigned int q;
	int err;

	for (q = 0; q < num_queues; q++) {
		struct nicsim_qpair *qp = &port->qp[q];

		if (qp->irq_requested)
			continue;
		snprintf(qp->irq_name, sizeof(qp->irq_name), "%s-rxtx-%u",
			 dev->name, qp->qid);
		err = request_irq(qp->vec->irq, nicsim_irq_handler, 0,
				  qp->irq_name, qp);
		if (err) {
			netdev_err(dev, "request_irq %u failed: %d\n",
				   qp->vec->irq, err);
			return err;
		}
		qp->irq_requested = true;
		netif_napi_set_irq(&qp->napi, qp->vec->irq);
	}
	return 0;
}

/* Free the vectors of the queue pairs from @from on. */
static void nicsim_irqs_free(struct nicsim_port *port, unsigned int from)
{
	unsigned int q;

	for (q = from; q < port->hw->num_queues; q++) {
		struct nicsim_qpair *qp = &port->qp[q];

		if (!qp->irq_requested)
			continue;
		netif_napi_set_irq(&qp->napi, -1);
		free_irq(qp->vec->irq, qp);
		qp->irq_requested = false;
	}
}

/* Hand the new rings to the queue pairs, the device and NAPI. */
static void nicsim_queues_start(struct nicsim_port *port,
				const struct nicsim_rings *rings)
{
	struct net_device *dev = port->netdev;
	unsigned int q;

	for (q = 0; q < rings->num_queues; q++) {
		struct nicsim_qpair *qp = &port->qp[q];

		nicsim_txq_start(&qp->txq, &rings->q[q].txq);
		nicsim_rxq_start(&qp->rxq, &rings->q[q].rxq);
		qp->wd_rx_done = false;
		qp->wd_tx_done = false;
		napi_enable(&qp->napi);
		netif_queue_set_napi(dev, q, NETDEV_QUEUE_TYPE_RX, &qp->napi);
		netif_queue_set_napi(dev, q, NETDEV_QUEUE_TYPE_TX, &qp->napi);
		nicsim_hw_irq_enable(qp->vec);
	}
	WRITE_ONCE(port->running, true);
	mod_timer(&port->watchdog, jiffies + NICSIM_WATCHDOG_PERIOD);
	netif_carrier_on(dev);
}

/* Stop NAPI on the active queue pairs: no poll runs until they restart. */
static void nicsim_napi_disable_all(struct nicsim_port *port)
{
	unsigned int q;

	for (q = 0; q < port->num_queues; q++)
		napi_disable(&port->qp[q].napi);
}

/*
 * Restart NAPI after a pause, with a poll each: an interrupt that came
 * meanwhile found NAPI disabled, and its vector waits for a poll.
 */
static void nicsim_napi_resume_all(struct nicsim_port *port)
{
	unsigned int q;

	local_bh_disable();
	for (q = 0; q < port->num_queues; q++) {
		napi_enable(&port->qp[q].napi);
		napi_schedule(&port->qp[q].napi);
	}
	local_bh_enable();
}

/*
 * Stop the data path and free the rings; the vectors stay requested. NAPI
 * must be disabled first (nicsim_napi_disable_all()): a TX clean wakes its
 * queue, so stopping the queues before every poll is over could leave one
 * awake over freed rings.
 */
static void nicsim_queues_stop(struct nicsim_port *port)
{
	struct net_device *dev = port->netdev;
	unsigned int q;

	WRITE_ONCE(port->running, false);
	netif_carrier_off(dev);
	netif_tx_disable(dev);
	synchronize_net();	/* ndo_xdp_xmit callers saw the carrier off */
	timer_delete_sync(&port->watchdog);
	for (q = 0; q < port->num_queues; q++) {
		struct nicsim_qpair *qp = &port->qp[q];

		/* quiesce the device first: no more DMA, no completions */
		nicsim_hw_txr_disable(qp->txq.hwq);
		nicsim_hw_rxr_disable(qp->rxq.hwq);
		netif_queue_set_napi(dev, q, NETDEV_QUEUE_TYPE_RX, NULL);
		netif_queue_set_napi(dev, q, NETDEV_QUEUE_TYPE_TX, NULL);
		/* after the last poll, which may have re-enabled the vector */
		nicsim_hw_irq_disable(qp->vec);
		synchronize_irq(qp->vec->irq);
		nicsim_txq_free(&qp->txq);
		nicsim_rxq_free(&qp->rxq);
		/* BQL: a queue that fewer channels leave unused must not stay stopped */
		netdev_tx_reset_queue(netdev_get_tx_queue(dev, q));
	}
}

/*
 * Queue management (netdev_rx_queue_restart(): a dma-buf bound to a queue
 * or unbound): one RX queue gets a new ring and buffers while the others
 * run. The new ring is allocated first; stopping the queue disables its
 * ring in the device and its queue pair's NAPI (TX completions wait),
 * and hands the old ring over to be freed once the new one has started.
 * A memory provider's buffers need header split: the headers go to
 * memory the stack can read.
 */
static int __nicsim_queue_mem_alloc(struct net_device *dev,
				    struct nicsim_rxq *rxq, int idx,
				    bool napi_live)
{
	struct nicsim_port *port = netdev_priv(dev);
	struct nicsim_qpair *qp = &port->qp[idx];

	if (!port->running)
		return -ENETDOWN;
	if (__netif_get_rx_queue(dev, idx)->mp_params.mp_ops && !port->hds) {
		netdev_err(dev, "queue %d: a memory provider needs tcp-data-split on\n",
			   idx);
		return -EOPNOTSUPP;
	}
	rxq->port = port;
	rxq->hwq = qp->rxq.hwq;
	rxq->qid = idx;
	rxq->size = port->ring_size;
	u64_stats_init(&rxq->syncp);
	return nicsim_rxq_alloc(rxq, &qp->napi, dev->mtu, port->hds, napi_live);
}

/* the core may free a new ring with its NAPI running: no direct recycling */
static int nicsim_queue_mem_alloc(struct net_device *dev, void *mem, int idx)
{
	return __nicsim_queue_mem_alloc(dev, mem, idx, true);
}

static void nicsim_queue_mem_free(struct net_device *dev, void *mem)
{
	struct nicsim_rxq *rxq = mem;

	if (rxq->desc)
		nicsim_rxq_free(rxq);
}

static int nicsim_queue_start(struct net_device *dev, void *mem, int idx)
{
	struct nicsim_port *port = netdev_priv(dev);
	struct nicsim_qpair *qp = &port->qp[idx];

	/* never fails: the core's recovery, restarting the old ring, is moot */
	nicsim_rxq_start(&qp->rxq, mem);
	qp->wd_rx_done = false;
	napi_enable(&qp->napi);
	local_bh_disable();
	napi_schedule(&qp->napi);	/* TX completions waited */
	local_bh_enable();
	mod_timer(&port->watchdog, jiffies + NICSIM_WATCHDOG_PERIOD);
	return 0;
}

static int nicsim_queue_stop(struct net_device *dev, void *mem, int idx)
{
	struct nicsim_port *port = netdev_priv(dev);
	struct nicsim_qpair *qp = &port->qp[idx];
	struct nicsim_rxq *old = mem;

	if (!port->running)
		return -ENETDOWN;
	/* the watchdog reads the ring */
	timer_delete_sync(&port->watchdog);
	napi_disable(&qp->napi);
	/* the old pools are destroyed once the new ring runs, NAPI with it */
	page_pool_disable_direct_recycling(qp->rxq.pp);
	if (qp->rxq.hdr_pp)
		page_pool_disable_direct_recycling(qp->rxq.hdr_pp);
	nicsim_hw_rxr_disable(qp->rxq.hwq);
	/* the ring goes, the queue's statistics stay */
	nicsim_rxq_take(old, &qp->rxq);
	return 0;
}

const struct netdev_queue_mgmt_ops nicsim_queue_mgmt_ops = {
	.ndo_queue_mem_size	= sizeof(struct nicsim_rxq),
	.ndo_queue_mem_alloc	= nicsim_queue_mem_alloc,
	.ndo_queue_mem_free	= nicsim_queue_mem_free,
	.ndo_queue_start	= nicsim_queue_start,
	.ndo_queue_stop		= nicsim_queue_stop,
};

/*
 * XDP_TX frames posted on a TX ring and not yet cleaned: pages of their
 * queue pair's RX pool, sent with its DMA mapping.
 */
static bool nicsim_xdp_tx_pending(struct nicsim_port *port)
{
	unsigned int q;

	for (q = 0; q < port->num_queues; q++)
		if (nicsim_txq_has_xdp_tx(&port->qp[q].txq))
			return true;
	return false;
}

/*
 * New RX buffers for a running port (the kind nicsim_rx_use_frags() now
 * says), one queue at a time through the queue management ops, as
 * netdev_rx_queue_restart() does for one: the carrier stays up, TX goes
 * on, and only the queue being swapped pauses. Every new ring is allocated
 * first: if one cannot be, the port keeps its rings and nothing changed.
 * The new pools recycle from their NAPI, as those of nicsim_open() do.
 */
int nicsim_rx_rings_swap(struct nicsim_port *port)
{
	struct net_device *dev = port->netdev;
	unsigned int n = port->num_queues, q;
	struct nicsim_rxq *new, *old;
	int err = 0, tries;

	ASSERT_RTNL();
	if (!port->running)
		return 0;
	/*
	 * A detached program's XDP_TX frames still on the TX rings are pages
	 * of the old pools, which unmap them when they go: let the device
	 * send them and NAPI clean them first. No more come (nicsim_bpf()
	 * waited for the polls that ran the program); a MAC that PAUSE holds
	 * long enough keeps the old rings.
	 */
	for (tries = 0; nicsim_xdp_tx_pending(port); tries++) {
		if (tries == 100) {
			netdev_warn(dev, "XDP_TX frames not sent in 2 s, keeping the RX rings\n");
			return -EBUSY;
		}
		msleep(20);
	}

	new = kvcalloc(n, sizeof(*new), GFP_KERNEL);
	old = kvcalloc(n, sizeof(*old), GFP_KERNEL);
	q = 0;
	if (!new || !old) {
		err = -ENOMEM;
		goto err_free;
	}
	for (; q < n; q++) {
		err = __nicsim_queue_mem_alloc(dev, &new[q], q, false);
		if (err)
			goto err_free;
	}
	/* rtnl held and the port running: neither stop nor start fails */
	for (q = 0; q < n; q++) {
		nicsim_queue_stop(dev, &old[q], q);
		nicsim_queue_start(dev, &new[q], q);
		nicsim_queue_mem_free(dev, &old[q]);
	}
	goto out;

err_free:
	/* a pool bound to a NAPI instance is destroyed with it disabled */
	while (q--) {
		napi_disable(&port->qp[q].napi);
		nicsim_queue_mem_free(dev, &new[q]);
		napi_enable(&port->qp[q].napi);
		local_bh_disable();
		/* an interrupt that came meanwhile waits for a poll */
		napi_schedule(&port->qp[q].napi);
		local_bh_enable();
	}
	netdev_err(dev, "cannot allocate new RX rings, keeping the old: %d\n",
		   err);
out:
	kvfree(new);
	kvfree(old);
	return err;
}

/*
 * Completions waiting in a ring since the last run with no progress: their
 * interrupt was lost. Moderation delays are far shorter than the period.
 */
static bool nicsim_qpair_stuck(struct nicsim_qpair *qp)
{
	const struct nicsim_rxq *rxq = &qp->rxq;
	const struct nicsim_txq *txq = &qp->txq;
	u32 rx_clean = READ_ONCE(rxq->clean);
	u32 tx_clean = READ_ONCE(txq->clean);
	bool rx_done, tx_done, stuck;

	rx_done = rx_clean != READ_ONCE(rxq->tail) &&
		  (READ_ONCE(rxq->desc[rx_clean & (rxq->size - 1)].status) &
		   cpu_to_le16(NICSIM_RXD_STS_DD));
	tx_done = tx_clean != READ_ONCE(txq->tail) &&
		  (READ_ONCE(txq->desc[tx_clean & (txq->size - 1)].status) &
		   cpu_to_le16(NICSIM_TXD_STS_DD));
	/* an empty RX ring: refill failed, and no interrupt will come */
	stuck = (rx_done && qp->wd_rx_done && rx_clean == qp->wd_rx_clean) ||
		(tx_done && qp->wd_tx_done && tx_clean == qp->wd_tx_clean) ||
		rx_clean == READ_ONCE(rxq->tail);
	qp->wd_rx_clean = rx_clean;
	qp->wd_tx_clean = tx_clean;
	qp->wd_rx_done = rx_done;
	qp->wd_tx_done = tx_done;
	return stuck;
}

static void nicsim_watchdog(struct timer_list *t)
{
	struct nicsim_port *port = from_timer(port, t, watchdog);
	unsigned int q;

	for (q = 0; q < port->num_queues; q++) {
		struct nicsim_qpair *qp = &port->qp[q];

		if (nicsim_qpair_stuck(qp)) {
			WRITE_ONCE(qp->wd_polls, qp->wd_polls + 1);
			napi_schedule(&qp->napi);
		}
	}
	mod_timer(&port->watchdog, jiffies + NICSIM_WATCHDOG_PERIOD);
}

static int nicsim_open(struct net_device *dev)
{
	struct nicsim_port *port = netdev_priv(dev);
	struct nicsim_rings *rings;
	int err;

	rings = nicsim_rings_alloc(port, port->num_queues, port->ring_size,
				   dev->mtu, port->hds);
	if (IS_ERR(rings))
		return PTR_ERR(rings);
	err = nicsim_irqs_request(port, port->num_queues);
	if (err) {
		nicsim_irqs_free(port, 0);
		nicsim_rings_free(rings, rings->num_queues);
		return err;
	}
	nicsim_queues_start(port, rings);
	kfree(rings);	/* the queue pairs own what it held */
	netif_tx_start_all_queues(dev);
	return 0;
}

static int nicsim_stop(struct net_device *dev)
{
	struct nicsim_port *port = netdev_priv(dev);

	if (port->running) {
		nicsim_napi_disable_all(port);
		nicsim_queues_stop(port);
	}
	nicsim_irqs_free(port, 0);
	return 0;
}

/*
 * The port's totals: every queue pair the port has, active or not, so
 * that fewer channels never make a counter go backwards.
 */
static void nicsim_get_stats64(struct net_device *dev,
			       struct rtnl_link_stats64 *stats)
{
	struct nicsim_port *port = netdev_priv(dev);
	unsigned int q, start;

	for (q = 0; q < port->hw->num_queues; q++) {
		const struct nicsim_rxq *rxq = &port->qp[q].rxq;
		const struct nicsim_txq *txq = &port->qp[q].txq;
		const struct nicsim_hw_queue *hwq = rxq->hwq;
		u64 packets, bytes, dropped;

		do {
			start = u64_stats_fetch_begin(&rxq->syncp);
			packets = u64_stats_read(&rxq->packets);
			bytes = u64_stats_read(&rxq->bytes);
			dropped = u64_stats_read(&rxq->xdp_drop) +
				  u64_stats_read(&rxq->xdp_aborted) +
				  u64_stats_read(&rxq->discards);
		} while (u64_stats_fetch_retry(&rxq->syncp, start));
		stats->rx_packets += packets;
		stats->rx_bytes += bytes;
		stats->rx_dropped += dropped;

		do {
			start = u64_stats_fetch_begin(&txq->clean_syncp);
			packets = u64_stats_read(&txq->packets);
			bytes = u64_stats_read(&txq->bytes);
		} while (u64_stats_fetch_retry(&txq->clean_syncp, start));
		/* skbs the driver dropped are in the core's tx_dropped */
		stats->tx_packets += packets;
		stats->tx_bytes += bytes;

		/* the device's drop counters, as a MAC reports them */
		stats->rx_length_errors += READ_ONCE(hwq->rx_oversize);
		stats->rx_missed_errors += READ_ONCE(hwq->rx_no_buffer) +
					   READ_ONCE(hwq->rx_stalled);
		stats->rx_errors += READ_ONCE(hwq->rx_oversize) +
				    READ_ONCE(hwq->rx_dma_errors);
		stats->tx_errors += READ_ONCE(hwq->tx_dma_errors);
	}
	/* what a flow rule dropped in the device, before any queue */
	stats->rx_dropped += READ_ONCE(port->hw->rx_flow_drops);
}

/* Per-queue statistics for netdev netlink (qstats-get) */
static void nicsim_get_queue_stats_rx(struct net_device *dev, int idx,
				      struct netdev_queue_stats_rx *rx)
{
	struct nicsim_port *port = netdev_priv(dev);
	const struct nicsim_rxq *rxq = &port->qp[idx].rxq;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&rxq->syncp);
		rx->packets = u64_stats_read(&rxq->packets);
		rx->bytes = u64_stats_read(&rxq->bytes);
		rx->alloc_fail = u64_stats_read(&rxq->alloc_errors);
		rx->csum_unnecessary = u64_stats_read(&rxq->csum_unnecessary);
	} while (u64_stats_fetch_retry(&rxq->syncp, start));
	rx->hw_drops = READ_ONCE(rxq->hwq->rx_oversize) +
		       READ_ONCE(rxq->hwq->rx_no_buffer) +
		       READ_ONCE(rxq->hwq->rx_stalled) +
		       READ_ONCE(rxq->hwq->rx_dma_errors);
	rx->hw_drop_overruns = READ_ONCE(rxq->hwq->rx_no_buffer);
}

static void nicsim_get_queue_stats_tx(struct net_device *dev, int idx,
				      struct netdev_queue_stats_tx *tx)
{
	struct nicsim_port *port = netdev_priv(dev);
	const struct nicsim_txq *txq = &port->qp[idx].txq;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&txq->clean_syncp);
		tx->packets = u64_stats_read(&txq->packets);
		tx->bytes = u64_stats_read(&txq->bytes);
	} while (u64_stats_fetch_retry(&txq->clean_syncp, start));
	do {
		start = u64_stats_fetch_begin(&txq->syncp);
		tx->needs_csum = u64_stats_read(&txq->csum_partial);
		tx->hw_gso_packets = u64_stats_read(&txq->tso);
	} while (u64_stats_fetch_retry(&txq->syncp, start));
	tx->hw_gso_wire_packets = READ_ONCE(txq->hwq->tx_tso_segs);
	tx->hw_drops = READ_ONCE(txq->hwq->tx_dma_errors);
	tx->hw_drop_errors = tx->hw_drops;
}

/* What the queues beyond the active ones counted before they went. */
static void nicsim_get_base_stats(struct net_device *dev,
				  struct netdev_queue_stats_rx *rx,
				  struct netdev_queue_stats_tx *tx)
{
	struct nicsim_port *port = netdev_priv(dev);
	unsigned int q;

	/* the core marks every field unreported: report what queues count */
	rx->packets = 0;
	rx->bytes = 0;
	rx->alloc_fail = 0;
	rx->csum_unnecessary = 0;
	rx->hw_drops = 0;
	rx->hw_drop_overruns = 0;
	tx->packets = 0;
	tx->bytes = 0;
	tx->needs_csum = 0;
	tx->hw_gso_packets = 0;
	tx->hw_gso_wire_packets = 0;
	tx->hw_drops = 0;
	tx->hw_drop_errors = 0;
	for (q = port->num_queues; q < port->hw->num_queues; q++) {
		struct netdev_queue_stats_rx qrx;
		struct netdev_queue_stats_tx qtx;

		nicsim_get_queue_stats_rx(dev, q, &qrx);
		nicsim_get_queue_stats_tx(dev, q, &qtx);
		rx->packets += qrx.packets;
		rx->bytes += qrx.bytes;
		rx->alloc_fail += qrx.alloc_fail;
		rx->csum_unnecessary += qrx.csum_unnecessary;
		rx->hw_drops += qrx.hw_drops;
		rx->hw_drop_overruns += qrx.hw_drop_overruns;
		tx->packets += qtx.packets;
		tx->bytes += qtx.bytes;
		tx->needs_csum += qtx.needs_csum;
		tx->hw_gso_packets += qtx.hw_gso_packets;
		tx->hw_gso_wire_packets += qtx.hw_gso_wire_packets;
		tx->hw_drops += qtx.hw_drops;
		tx->hw_drop_errors += qtx.hw_drop_errors;
	}
}

static const struct netdev_stat_ops nicsim_stat_ops = {
	.get_queue_stats_rx	= nicsim_get_queue_stats_rx,
	.get_queue_stats_tx	= nicsim_get_queue_stats_tx,
	.get_base_stats		= nicsim_get_base_stats,
};

static int nicsim_set_features(struct net_device *dev,
			       netdev_features_t features)
{
	struct nicsim_port *port = netdev_priv(dev);

	/* RXHASH and RXCSUM are applied per frame from dev->features */
	if ((dev->features ^ features) & NETIF_F_HW_VLAN_CTAG_RX)
		nicsim_hw_vlan_strip(port->hw,
				     !!(features & NETIF_F_HW_VLAN_CTAG_RX));
	/* off, the device ignores its rules; they stay for ethtool -n */
	if ((dev->features ^ features) & NETIF_F_NTUPLE)
		nicsim_hw_flow_steering(port->hw,
					!!(features & NETIF_F_NTUPLE));
	return 0;
}

/* RX buffers are sized for the MTU: a running port reallocates its rings. */
static int nicsim_change_mtu(struct net_device *dev, int new_mtu)
{
	struct nicsim_port *port = netdev_priv(dev);

	if (nicsim_xdp_check_mtu(dev, new_mtu))
		return -EINVAL;
	if (port->hds && new_mtu > NICSIM_HDS_MAX_MTU) {
		netdev_err(dev, "MTU %d: with tcp-data-split, payloads fit a page: at most %lu\n",
			   new_mtu, NICSIM_HDS_MAX_MTU);
		return -EINVAL;
	}
	return nicsim_reconfigure(port, port->num_queues, port->ring_size,
				  new_mtu, port->hds);
}

const struct net_device_ops nicsim_netdev_ops = {
	.ndo_open		= nicsim_open,
	.ndo_stop		= nicsim_stop,
	.ndo_start_xmit		= nicsim_start_xmit,
	.ndo_tx_timeout		= nicsim_tx_timeout,
	.ndo_get_stats64	= nicsim_get_stats64,
	.ndo_set_features	= nicsim_set_features,
	.ndo_change_mtu		= nicsim_change_mtu,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_bpf		= nicsim_bpf,
	.ndo_xdp_xmit		= nicsim_xdp_xmit,
	.ndo_hwtstamp_get	= nicsim_hwtstamp_get,
	.ndo_hwtstamp_set	= nicsim_hwtstamp_set,
};

static void nicsim_qpair_init(struct nicsim_port *port, unsigned int q)
{
	struct nicsim_hw_queue *hwq = &port->hw->queues[q];
	struct nicsim_qpair *qp = &port->qp[q];

	qp->port = port;
	qp->qid = q;
	qp->vec = hwq->vec;
	qp->txq.port = port;
	qp->txq.hwq = hwq;
	qp->txq.qid = q;
	u64_stats_init(&qp->txq.syncp);
	u64_stats_init(&qp->txq.clean_syncp);
	qp->rxq.port = port;
	qp->rxq.hwq = hwq;
	qp->rxq.qid = q;
	u64_stats_init(&qp->rxq.syncp);
	u64_stats_init(&qp->irq_syncp);
	netif_napi_add(port->netdev, &qp->napi, nicsim_napi_poll);
}

/* Write the ethtool -C settings to every vector of the port. */
void nicsim_program_coalesce(struct nicsim_port *port)
{
	const struct ethtool_coalesce *ec = &port->coalesce;
	unsigned int q;

	for (q = 0; q < port->hw->num_queues; q++)
		nicsim_hw_irq_moderation(port->qp[q].vec,
					 ec->rx_coalesce_usecs,
					 ec->rx_max_coalesced_frames,
					 ec->tx_coalesce_usecs,
					 ec->tx_max_coalesced_frames);
}

/* Spread the indirection table over the active queues. */
static void nicsim_rss_default(struct nicsim_port *port)
{
	unsigned int i, n = port->num_queues;

	for (i = 0; i < NICSIM_RSS_INDIR_SIZE; i++)
		port->rss_indir[i] = ethtool_rxfh_indir_default(i, n);
}

/* Take a new configuration's parameters. */
static void nicsim_apply(struct nicsim_port *port, unsigned int num_queues,
			 u32 ring_size, unsigned int mtu, bool hds)
{
	port->num_queues = num_queues;
	port->hds = hds;
	port->ring_size = ring_size;
	WRITE_ONCE(port->netdev->mtu, mtu);
	if (!netif_is_rxfh_configured(port->netdev))
		nicsim_rss_default(port);
	nicsim_hw_rss_program(port->hw, 0, port->rss_key, port->rss_indir);
}

/*
 * Change the channel count, ring size, MTU or header split. A running port gets its new
 * rings and vectors before it lets go of the old ones: if any allocation
 * fails, the old configuration resumes and nothing changed. Its NAPI
 * pauses meanwhile: the new page_pools name the same NAPI instances, and
 * one that fails is destroyed, which NAPI must not race.
 */
int nicsim_reconfigure(struct nicsim_port *port, unsigned int num_queues,
		       u32 ring_size, unsigned int mtu, bool hds)
{
	unsigned int old_queues = port->num_queues;
	struct net_device *dev = port->netdev;
	struct nicsim_rings *rings;
	int err;

	ASSERT_RTNL();
	if (!netif_running(dev)) {
		err = netif_set_real_num_queues(dev, num_queues, num_queues);
		if (err)
			return err;
		goto set;
	}

	nicsim_napi_disable_all(port);
	rings = nicsim_rings_alloc(port, num_queues, ring_size, mtu, hds);
	if (IS_ERR(rings)) {
		err = PTR_ERR(rings);
		goto err_resume;
	}
	err = nicsim_irqs_request(port, num_queues);
	if (err)
		goto err_free_irqs;
	/* the stack must not use a queue the old rings do not have */
	netif_tx_disable(dev);
	err = netif_set_real_num_queues(dev, num_queues, num_queues);
	if (err) {
		netif_tx_wake_all_queues(dev);
		goto err_free_irqs;
	}

	nicsim_queues_stop(port);
	nicsim_irqs_free(port, num_queues);
	/* RSS to the new queues before they receive */
	nicsim_apply(port, num_queues, ring_size, mtu, hds);
	nicsim_queues_start(port, rings);
	kfree(rings);	/* the queue pairs own what it held */
	netif_tx_wake_all_queues(dev);
	return 0;
set:
	nicsim_apply(port, num_queues, ring_size, mtu, hds);
	return 0;

err_free_irqs:
	nicsim_irqs_free(port, old_queues);
	nicsim_rings_free(rings, rings->num_queues);
err_resume:
	nicsim_napi_resume_all(port);
	netdev_err(dev, "cannot allocate %u queues of %u at MTU %u, keeping %u of %u at MTU %u: %d\n",
		   num_queues, ring_size, mtu, old_queues, port->ring_size,
		   dev->mtu, err);
	return err;
}

static int nicsim_port_create(struct nicsim_dev *ndev, unsigned int index)
{
	struct nicsim_hw_port *hw = &ndev->hw_ports[index];
	struct nicsim_port *port;
	struct net_device *dev;
	unsigned int q;
	int err;

	/* as many netdev queues as the hardware has: mq makes a qdisc each */
	dev = alloc_etherdev_mqs(sizeof(*port), hw->num_queues,
				 hw->num_queues);
	if (!dev)
		return -ENOMEM;
	SET_NETDEV_DEV(dev, &ndev->dev);
	dev->dev_port = index;

	port = netdev_priv(dev);
	port->netdev = dev;
	port->ndev = ndev;
	port->hw = hw;
	port->ring_size = NICSIM_DEFAULT_RING_SIZE;
	timer_setup(&port->watchdog, nicsim_watchdog, 0);
	netdev_rss_key_fill(port->rss_key, sizeof(port->rss_key));

	dev->netdev_ops = &nicsim_netdev_ops;
	dev->queue_mgmt_ops = &nicsim_queue_mgmt_ops;
	dev->ethtool_ops = &nicsim_ethtool_ops;
	dev->stat_ops = &nicsim_stat_ops;
	dev->xdp_metadata_ops = &nicsim_xdp_metadata_ops;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = NICSIM_MAX_MTU;
	dev->hw_features = NETIF_F_RXHASH | NETIF_F_RXCSUM |
			   NETIF_F_HW_VLAN_CTAG_RX | NETIF_F_SG | NETIF_F_HW_CSUM |
			   NETIF_F_TSO | NETIF_F_TSO6 | NETIF_F_NTUPLE;
	dev->features = dev->hw_features;
	nicsim_hw_flow_steering(hw, true);
	/* a TSO frame, headers included, fits the device's TX FIFO */
	netif_set_tso_max_size(dev, NICSIM_TX_FIFO_SIZE);
	nicsim_hw_vlan_strip(hw, true);
	xdp_set_features_flag(dev, NETDEV_XDP_ACT_BASIC |
			      NETDEV_XDP_ACT_REDIRECT |
			      NETDEV_XDP_ACT_NDO_XMIT);
	eth_hw_addr_random(dev);

	for (q = 0; q < hw->num_queues; q++)
		nicsim_qpair_init(port, q);
	err = netif_set_real_num_queues(dev, hw->num_queues, hw->num_queues);
	if (err)
		goto err_napi_del;
	nicsim_apply(port, hw->num_queues, NICSIM_DEFAULT_RING_SIZE, dev->mtu,
		     false);
	/*
	 * Moderate as NICs do by default: an interrupt once 64 completions
	 * are pending or 30 us after the first. One per completion costs the
	 * receiver an interrupt and a NAPI poll per frame and leaves GRO
	 * nothing to merge (ethtool -C rx-usecs 0 rx-frames 1 asks for it).
	 */
	port->coalesce.rx_coalesce_usecs = NICSIM_DEFAULT_COALESCE_USECS;
	port->coalesce.rx_max_coalesced_frames = NICSIM_DEFAULT_COALESCE_FRAMES;
	port->coalesce.tx_coalesce_usecs = NICSIM_DEFAULT_COALESCE_USECS;
	port->coalesce.tx_max_coalesced_frames = NICSIM_DEFAULT_COALESCE_FRAMES;
	nicsim_program_coalesce(port);

	err = nicsim_ptp_init(port);
	if (err)
		goto err_napi_del;

	WRITE_ONCE(hw->trace_dev, dev);
	netif_carrier_off(dev);	/* until open: lets operstate go UP */
	err = register_netdev(dev);
	if (err)
		goto err_ptp;
	ndev->ports[index] = port;
	return 0;

err_ptp:
	nicsim_ptp_fini(port);
err_napi_del:
	WRITE_ONCE(hw->trace_dev, NULL);
	for (q = 0; q < hw->num_queues; q++)
		netif_napi_del(&port->qp[q].napi);
	free_netdev(dev);
	return err;
}

/* Free an unregistered port; nothing in the device may trace it now. */
static void nicsim_port_free(struct nicsim_port *port)
{
	struct net_device *dev = port->netdev;
	unsigned int q;

	WRITE_ONCE(port->hw->trace_dev, NULL);
	nicsim_ptp_fini(port);
	for (q = 0; q < port->hw->num_queues; q++)
		netif_napi_del(&port->qp[q].napi);
	free_netdev(dev);
}

/*
 * Unregister every port first (their engines stop), then drain the
 * cables: a frame in flight names both ends' netdevs in its trace, so
 * they are freed only once no frame can be delivered.
 */
static void nicsim_ports_destroy_n(struct nicsim_dev *ndev, unsigned int n)
{
	unsigned int p;

	for (p = 0; p < n; p++)
		unregister_netdev(ndev->ports[p]->netdev);
	for (p = 0; p < ndev->num_ports; p++)
		nicsim_hw_wire_fini(&ndev->hw_ports[p]);
	for (p = 0; p < n; p++)
		nicsim_port_free(ndev->ports[p]);
	kfree(ndev->ports);
	ndev->ports = NULL;
}

int nicsim_ports_create(struct nicsim_dev *ndev)
{
	unsigned int p;
	int err;

	ndev->ports = kcalloc(ndev->num_ports, sizeof(*ndev->ports),
			      GFP_KERNEL);
	if (!ndev->ports)
		return -ENOMEM;
	/* a previous unbind cut the cables */
	for (p = 0; p < ndev->num_ports; p++)
		nicsim_hw_wire_connect(&ndev->hw_ports[p]);
	for (p = 0; p < ndev->num_ports; p++) {
		err = nicsim_port_create(ndev, p);
		if (err)
			goto err_destroy;
	}
	return 0;

err_destroy:
	nicsim_ports_destroy_n(ndev, p);
	return err;
}

void nicsim_ports_destroy(struct nicsim_dev *ndev)
{
	nicsim_ports_destroy_n(ndev, ndev->num_ports);
}
