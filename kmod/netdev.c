// SPDX-License-Identifier: GPL-2.0
/*
 * The nicsim driver's netdev side: one net_device per port, queue pair
 * bring-up and teardown, statistics and ethtool basics.
 */

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "nicsim.h"

/* Free a queue pair whose NAPI instance is disabled. */
static void nicsim_qpair_close(struct nicsim_port *port,
			       struct nicsim_qpair *qp)
{
	struct net_device *dev = port->netdev;

	/* Quiesce the device first: no more DMA, no more completions. */
	nicsim_hw_txr_disable(qp->txq.hwq);
	nicsim_hw_rxr_disable(qp->rxq.hwq);

	netif_queue_set_napi(dev, qp->qid, NETDEV_QUEUE_TYPE_RX, NULL);
	netif_queue_set_napi(dev, qp->qid, NETDEV_QUEUE_TYPE_TX, NULL);
	/* after the last poll, which may have re-enabled the vector */
	nicsim_hw_irq_disable(qp->vec);
	free_irq(qp->vec->irq, qp);

	nicsim_txq_free(&qp->txq);
	nicsim_rxq_free(&qp->rxq);
}

static int nicsim_qpair_open(struct nicsim_port *port, struct nicsim_qpair *qp)
{
	struct net_device *dev = port->netdev;
	int err;

	qp->txq.size = port->ring_size;
	qp->rxq.size = port->ring_size;
	err = nicsim_txq_alloc(&qp->txq);
	if (err)
		return err;
	err = nicsim_rxq_alloc(&qp->rxq, &qp->napi);
	if (err)
		goto err_free_txq;

	/* NAPI first: an interrupt may arrive as soon as the IRQ is requested */
	napi_enable(&qp->napi);
	snprintf(qp->irq_name, sizeof(qp->irq_name), "%s-rxtx-%u",
		 dev->name, qp->qid);
	err = request_irq(qp->vec->irq, nicsim_irq_handler, 0, qp->irq_name,
			  qp);
	if (err) {
		netdev_err(dev, "request_irq %u failed: %d\n", qp->vec->irq,
			   err);
		goto err_napi_disable;
	}
	netif_napi_set_irq(&qp->napi, qp->vec->irq);
	netif_queue_set_napi(dev, qp->qid, NETDEV_QUEUE_TYPE_RX, &qp->napi);
	netif_queue_set_napi(dev, qp->qid, NETDEV_QUEUE_TYPE_TX, &qp->napi);
	nicsim_hw_irq_enable(qp->vec);
	return 0;

err_napi_disable:
	napi_disable(&qp->napi);
	nicsim_hw_rxr_disable(qp->rxq.hwq);
	nicsim_rxq_free(&qp->rxq);
err_free_txq:
	nicsim_hw_txr_disable(qp->txq.hwq);
	nicsim_txq_free(&qp->txq);
	return err;
}

#define NICSIM_WATCHDOG_PERIOD	msecs_to_jiffies(500)

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
	stuck = (rx_done && qp->wd_rx_done && rx_clean == qp->wd_rx_clean) ||
		(tx_done && qp->wd_tx_done && tx_clean == qp->wd_tx_clean);
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
	unsigned int q;
	int err;

	for (q = 0; q < port->num_queues; q++) {
		err = nicsim_qpair_open(port, &port->qp[q]);
		if (err)
			goto err_close;
	}
	for (q = 0; q < port->num_queues; q++) {
		port->qp[q].wd_rx_done = false;
		port->qp[q].wd_tx_done = false;
	}
	mod_timer(&port->watchdog, jiffies + NICSIM_WATCHDOG_PERIOD);
	netif_carrier_on(dev);
	netif_tx_start_all_queues(dev);
	return 0;

err_close:
	while (q--) {
		napi_disable(&port->qp[q].napi);
		nicsim_qpair_close(port, &port->qp[q]);
	}
	return err;
}

static int nicsim_stop(struct net_device *dev)
{
	struct nicsim_port *port = netdev_priv(dev);
	unsigned int q;

	netif_carrier_off(dev);
	/*
	 * NAPI first: a TX clean wakes its queue, so stopping the queues
	 * before every poll is over could leave one awake over freed rings.
	 */
	for (q = 0; q < port->num_queues; q++)
		napi_disable(&port->qp[q].napi);
	netif_tx_disable(dev);
	synchronize_net();	/* ndo_xdp_xmit callers saw the carrier off */
	timer_delete_sync(&port->watchdog);
	for (q = 0; q < port->num_queues; q++)
		nicsim_qpair_close(port, &port->qp[q]);
	return 0;
}

static void nicsim_get_stats64(struct net_device *dev,
			       struct rtnl_link_stats64 *stats)
{
	struct nicsim_port *port = netdev_priv(dev);
	unsigned int q, start;

	for (q = 0; q < port->num_queues; q++) {
		const struct nicsim_rxq *rxq = &port->qp[q].rxq;
		const struct nicsim_txq *txq = &port->qp[q].txq;
		const struct nicsim_hw_queue *hwq = rxq->hwq;
		u64 packets, bytes, dropped;

		do {
			start = u64_stats_fetch_begin(&rxq->syncp);
			packets = u64_stats_read(&rxq->packets);
			bytes = u64_stats_read(&rxq->bytes);
			dropped = u64_stats_read(&rxq->xdp_drop) +
				  u64_stats_read(&rxq->xdp_aborted);
		} while (u64_stats_fetch_retry(&rxq->syncp, start));
		stats->rx_packets += packets;
		stats->rx_bytes += bytes;
		stats->rx_dropped += dropped;

		do {
			start = u64_stats_fetch_begin(&txq->clean_syncp);
			packets = u64_stats_read(&txq->packets);
			bytes = u64_stats_read(&txq->bytes);
		} while (u64_stats_fetch_retry(&txq->clean_syncp, start));
		do {
			start = u64_stats_fetch_begin(&txq->syncp);
			dropped = u64_stats_read(&txq->dma_map_errors);
		} while (u64_stats_fetch_retry(&txq->syncp, start));
		stats->tx_packets += packets;
		stats->tx_bytes += bytes;
		stats->tx_dropped += dropped;

		/* the device's drop counters, as a MAC reports them */
		stats->rx_length_errors += READ_ONCE(hwq->rx_oversize);
		stats->rx_missed_errors += READ_ONCE(hwq->rx_no_buffer) +
					   READ_ONCE(hwq->rx_stalled);
		stats->rx_errors += READ_ONCE(hwq->rx_oversize) +
				    READ_ONCE(hwq->rx_dma_errors);
		stats->tx_errors += READ_ONCE(hwq->tx_dma_errors);
	}
}

static int nicsim_set_features(struct net_device *dev,
			       netdev_features_t features)
{
	struct nicsim_port *port = netdev_priv(dev);

	/* RXHASH and RXCSUM are applied per frame from dev->features */
	if ((dev->features ^ features) & NETIF_F_HW_VLAN_CTAG_RX)
		nicsim_hw_vlan_strip(port->hw,
				     !!(features & NETIF_F_HW_VLAN_CTAG_RX));
	return 0;
}

/* RX buffers are sized for the MTU: a running port reallocates its rings. */
static int nicsim_change_mtu(struct net_device *dev, int new_mtu)
{
	unsigned int old_mtu = dev->mtu;
	int err;

	err = nicsim_xdp_check_mtu(dev, new_mtu);
	if (err)
		return err;
	WRITE_ONCE(dev->mtu, new_mtu);
	if (!netif_running(dev))
		return 0;
	nicsim_stop(dev);
	err = nicsim_open(dev);
	if (!err)
		return 0;
	netdev_err(dev, "cannot reopen with MTU %d: %d\n", new_mtu, err);
	WRITE_ONCE(dev->mtu, old_mtu);
	if (nicsim_open(dev))
		netdev_err(dev, "cannot reopen with MTU %u either\n", old_mtu);
	return err;
}

const struct net_device_ops nicsim_netdev_ops = {
	.ndo_open		= nicsim_open,
	.ndo_stop		= nicsim_stop,
	.ndo_start_xmit		= nicsim_start_xmit,
	.ndo_get_stats64	= nicsim_get_stats64,
	.ndo_set_features	= nicsim_set_features,
	.ndo_change_mtu		= nicsim_change_mtu,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_bpf		= nicsim_bpf,
	.ndo_xdp_xmit		= nicsim_xdp_xmit,
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

static int nicsim_set_queues(struct nicsim_port *port,
			     unsigned int num_queues, u32 ring_size)
{
	int err;

	err = netif_set_real_num_queues(port->netdev, num_queues, num_queues);
	if (err)
		return err;
	port->num_queues = num_queues;
	port->ring_size = ring_size;
	if (!netif_is_rxfh_configured(port->netdev))
		nicsim_rss_default(port);
	nicsim_hw_rss_program(port->hw, port->rss_key, port->rss_indir);
	return 0;
}

/*
 * Change the channel count or ring size: a running port is closed and
 * reopened, and falls back to what it had if the new setting fails.
 */
int nicsim_reconfigure(struct nicsim_port *port, unsigned int num_queues,
		       u32 ring_size)
{
	unsigned int old_queues = port->num_queues;
	struct net_device *dev = port->netdev;
	bool running = netif_running(dev);
	u32 old_ring_size = port->ring_size;
	int err;

	ASSERT_RTNL();
	if (running)
		nicsim_stop(dev);
	err = nicsim_set_queues(port, num_queues, ring_size);
	if (!err && running)
		err = nicsim_open(dev);
	if (!err)
		return 0;

	netdev_err(dev, "reconfiguration to %u queues of %u failed: %d\n",
		   num_queues, ring_size, err);
	if (nicsim_set_queues(port, old_queues, old_ring_size) ||
	    (running && nicsim_open(dev)))
		netdev_err(dev, "cannot restore the previous configuration\n");
	return err;
}

static int nicsim_port_create(struct nicsim_dev *ndev, unsigned int index)
{
	struct nicsim_hw_port *hw = &ndev->hw_ports[index];
	struct nicsim_port *port;
	struct net_device *dev;
	unsigned int q;
	int err;

	dev = alloc_etherdev_mqs(sizeof(*port), NICSIM_MAX_QUEUES,
				 NICSIM_MAX_QUEUES);
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
	dev->ethtool_ops = &nicsim_ethtool_ops;
	dev->xdp_metadata_ops = &nicsim_xdp_metadata_ops;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = NICSIM_MAX_MTU;
	dev->priv_flags |= IFF_UNICAST_FLT;
	dev->hw_features = NETIF_F_RXHASH | NETIF_F_RXCSUM |
			   NETIF_F_HW_VLAN_CTAG_RX | NETIF_F_SG | NETIF_F_HW_CSUM;
	dev->features = dev->hw_features;
	nicsim_hw_vlan_strip(hw, true);
	xdp_set_features_flag(dev, NETDEV_XDP_ACT_BASIC |
			      NETDEV_XDP_ACT_REDIRECT |
			      NETDEV_XDP_ACT_NDO_XMIT);
	eth_hw_addr_random(dev);

	err = nicsim_set_queues(port, hw->num_queues, NICSIM_DEFAULT_RING_SIZE);
	if (err)
		goto err_free;
	for (q = 0; q < hw->num_queues; q++)
		nicsim_qpair_init(port, q);
	/* no moderation until ethtool -C asks: one interrupt per completion */
	port->coalesce.rx_max_coalesced_frames = 1;
	port->coalesce.tx_max_coalesced_frames = 1;
	nicsim_program_coalesce(port);

	hw->trace_dev = dev;
	netif_carrier_off(dev);	/* until open: lets operstate go UP */
	err = register_netdev(dev);
	if (err)
		goto err_napi_del;
	ndev->ports[index] = port;
	return 0;

err_napi_del:
	hw->trace_dev = NULL;
	for (q = 0; q < hw->num_queues; q++)
		netif_napi_del(&port->qp[q].napi);
err_free:
	free_netdev(dev);
	return err;
}

static void nicsim_port_destroy(struct nicsim_port *port)
{
	struct net_device *dev = port->netdev;
	unsigned int q;

	unregister_netdev(dev);
	port->hw->trace_dev = NULL;
	for (q = 0; q < port->hw->num_queues; q++)
		netif_napi_del(&port->qp[q].napi);
	free_netdev(dev);
}

int nicsim_ports_create(struct nicsim_dev *ndev)
{
	unsigned int p;
	int err;

	ndev->ports = kcalloc(ndev->num_ports, sizeof(*ndev->ports),
			      GFP_KERNEL);
	if (!ndev->ports)
		return -ENOMEM;
	for (p = 0; p < ndev->num_ports; p++) {
		err = nicsim_port_create(ndev, p);
		if (err)
			goto err_destroy;
	}
	return 0;

err_destroy:
	while (p--)
		nicsim_port_destroy(ndev->ports[p]);
	kfree(ndev->ports);
	ndev->ports = NULL;
	return err;
}

void nicsim_ports_destroy(struct nicsim_dev *ndev)
{
	unsigned int p;

	for (p = 0; p < ndev->num_ports; p++)
		nicsim_port_destroy(ndev->ports[p]);
	kfree(ndev->ports);
	ndev->ports = NULL;
}
