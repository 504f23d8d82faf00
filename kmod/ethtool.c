// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim ethtool: driver info, link, channels, rings, RSS and per-queue
 * statistics of both the driver and the device.
 */

#include <linux/ethtool.h>
#include <linux/netdevice.h>

#include "nicsim.h"

/* ---- statistics ---------------------------------------------------- */

static const char nicsim_rxq_stat_names[][ETH_GSTRING_LEN] = {
	"packets", "bytes", "doorbells", "alloc_errors", "csum_unnecessary",
	"napi_polls",
	"xdp_pass", "xdp_drop", "xdp_tx", "xdp_redirect", "xdp_aborted",
	"discards",
};

static const char nicsim_txq_stat_names[][ETH_GSTRING_LEN] = {
	"packets", "bytes", "doorbells", "dma_map_errors", "ring_full",
	"frags", "csum_partial", "tso", "xdp_xmit", "xdp_xmit_errors", "timeouts",
};

static const char nicsim_hwq_stat_names[][ETH_GSTRING_LEN] = {
	"irq_events", "irqs_raised", "irqs_lost", "irqs_handled",
	"irq_watchdog", "rx_frames", "rx_no_buffer", "rx_stalled",
	"rx_oversize", "rx_csum_errors", "rx_vlan_stripped", "rx_dma_errors",
	"tx_frames",
	"tx_dma_errors", "tx_csum_errors", "tx_wire_drops", "tx_wire_corrupted",
	"tx_tso_segs", "tx_tso_errors",
};

#define NICSIM_RXQ_STATS	ARRAY_SIZE(nicsim_rxq_stat_names)
#define NICSIM_TXQ_STATS	ARRAY_SIZE(nicsim_txq_stat_names)
#define NICSIM_HWQ_STATS	ARRAY_SIZE(nicsim_hwq_stat_names)
#define NICSIM_Q_STATS		(NICSIM_RXQ_STATS + NICSIM_TXQ_STATS + \
				 NICSIM_HWQ_STATS)

static int nicsim_get_sset_count(struct net_device *dev, int sset)
{
	struct nicsim_port *port = netdev_priv(dev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return port->num_queues * NICSIM_Q_STATS;
}

static void nicsim_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	struct nicsim_port *port = netdev_priv(dev);
	unsigned int q, i;

	if (sset != ETH_SS_STATS)
		return;
	for (q = 0; q < port->num_queues; q++) {
		for (i = 0; i < NICSIM_RXQ_STATS; i++)
			ethtool_sprintf(&data, "rx%u_%s", q,
					nicsim_rxq_stat_names[i]);
		for (i = 0; i < NICSIM_TXQ_STATS; i++)
			ethtool_sprintf(&data, "tx%u_%s", q,
					nicsim_txq_stat_names[i]);
		for (i = 0; i < NICSIM_HWQ_STATS; i++)
			ethtool_sprintf(&data, "hw%u_%s", q,
					nicsim_hwq_stat_names[i]);
	}
}

/* Fill the NICSIM_Q_STATS values of one queue pair, in name order. */
static u64 *nicsim_qpair_stats(struct nicsim_qpair *qp, u64 *data)
{
	const struct nicsim_rxq *rxq = &qp->rxq;
	const struct nicsim_txq *txq = &qp->txq;
	const struct nicsim_hw_queue *hwq = rxq->hwq;
	unsigned int start;
	u64 *d;

	do {
		start = u64_stats_fetch_begin(&rxq->syncp);
		d = data;
		*d++ = u64_stats_read(&rxq->packets);
		*d++ = u64_stats_read(&rxq->bytes);
		*d++ = u64_stats_read(&rxq->doorbells);
		*d++ = u64_stats_read(&rxq->alloc_errors);
		*d++ = u64_stats_read(&rxq->csum_unnecessary);
		*d++ = u64_stats_read(&rxq->polls);
		*d++ = u64_stats_read(&rxq->xdp_pass);
		*d++ = u64_stats_read(&rxq->xdp_drop);
		*d++ = u64_stats_read(&rxq->xdp_tx);
		*d++ = u64_stats_read(&rxq->xdp_redirect);
		*d++ = u64_stats_read(&rxq->xdp_aborted);
		*d++ = u64_stats_read(&rxq->discards);
	} while (u64_stats_fetch_retry(&rxq->syncp, start));
	data = d;

	do {
		start = u64_stats_fetch_begin(&txq->clean_syncp);
		data[0] = u64_stats_read(&txq->packets);
		data[1] = u64_stats_read(&txq->bytes);
	} while (u64_stats_fetch_retry(&txq->clean_syncp, start));
	do {
		start = u64_stats_fetch_begin(&txq->syncp);
		data[2] = u64_stats_read(&txq->doorbells);
		data[3] = u64_stats_read(&txq->dma_map_errors);
		data[4] = u64_stats_read(&txq->ring_full);
		data[5] = u64_stats_read(&txq->frags);
		data[6] = u64_stats_read(&txq->csum_partial);
		data[7] = u64_stats_read(&txq->tso);
		data[8] = u64_stats_read(&txq->xdp_xmit);
		data[9] = u64_stats_read(&txq->xdp_xmit_errors);
		data[10] = u64_stats_read(&txq->timeouts);
	} while (u64_stats_fetch_retry(&txq->syncp, start));
	data += NICSIM_TXQ_STATS;

	/* device counters: read as a driver reads statistics registers */
	*data++ = READ_ONCE(qp->vec->events);
	*data++ = READ_ONCE(qp->vec->raised);
	*data++ = READ_ONCE(qp->vec->lost);
	do {
		start = u64_stats_fetch_begin(&qp->irq_syncp);
		*data = u64_stats_read(&qp->irqs);
	} while (u64_stats_fetch_retry(&qp->irq_syncp, start));
	data++;
	*data++ = READ_ONCE(qp->wd_polls);
	*data++ = READ_ONCE(hwq->rx_frames);
	*data++ = READ_ONCE(hwq->rx_no_buffer);
	*data++ = READ_ONCE(hwq->rx_stalled);
	*data++ = READ_ONCE(hwq->rx_oversize);
	*data++ = READ_ONCE(hwq->rx_csum_errors);
	*data++ = READ_ONCE(hwq->rx_vlan_stripped);
	*data++ = READ_ONCE(hwq->rx_dma_errors);
	*data++ = READ_ONCE(hwq->tx_frames);
	*data++ = READ_ONCE(hwq->tx_dma_errors);
	*data++ = READ_ONCE(hwq->tx_csum_errors);
	*data++ = READ_ONCE(hwq->tx_wire_drops);
	*data++ = READ_ONCE(hwq->tx_wire_corrupted);
	*data++ = READ_ONCE(hwq->tx_tso_segs);
	*data++ = READ_ONCE(hwq->tx_tso_errors);
	return data;
}

static void nicsim_get_ethtool_stats(struct net_device *dev,
				     struct ethtool_stats *stats, u64 *data)
{
	struct nicsim_port *port = netdev_priv(dev);
	unsigned int q;

	for (q = 0; q < port->num_queues; q++) {
		u64 *next = nicsim_qpair_stats(&port->qp[q], data);

		/* the values must match nicsim_get_strings() one to one */
		WARN_ON_ONCE(next - data != NICSIM_Q_STATS);
		data = next;
	}
}

/* ---- configuration ------------------------------------------------- */

static void nicsim_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *info)
{
	struct nicsim_port *port = netdev_priv(dev);

	strscpy(info->driver, DRV_NAME, sizeof(info->driver));
	strscpy(info->bus_info, dev_name(&port->ndev->dev),
		sizeof(info->bus_info));
}

static int nicsim_get_link_ksettings(struct net_device *dev,
				     struct ethtool_link_ksettings *cmd)
{
	/* a fixed 100G direct-attach cable, no autonegotiation */
	cmd->base.speed = netif_carrier_ok(dev) ? SPEED_100000 : SPEED_UNKNOWN;
	cmd->base.duplex = netif_carrier_ok(dev) ? DUPLEX_FULL :
						   DUPLEX_UNKNOWN;
	cmd->base.port = PORT_DA;
	cmd->base.autoneg = AUTONEG_DISABLE;
	return 0;
}

static void nicsim_get_channels(struct net_device *dev,
				struct ethtool_channels *ch)
{
	struct nicsim_port *port = netdev_priv(dev);

	ch->max_combined = port->hw->num_queues;
	ch->combined_count = port->num_queues;
}

static int nicsim_set_channels(struct net_device *dev,
			       struct ethtool_channels *ch)
{
	struct nicsim_port *port = netdev_priv(dev);

	/* the core checks the counts against max_combined and RSS */
	if (!ch->combined_count || ch->rx_count || ch->tx_count)
		return -EINVAL;
	return nicsim_reconfigure(port, ch->combined_count, port->ring_size,
				  dev->mtu);
}

static void nicsim_get_ringparam(struct net_device *dev,
				 struct ethtool_ringparam *ring,
				 struct kernel_ethtool_ringparam *kring,
				 struct netlink_ext_ack *extack)
{
	struct nicsim_port *port = netdev_priv(dev);

	ring->rx_max_pending = NICSIM_MAX_RING_SIZE;
	ring->tx_max_pending = NICSIM_MAX_RING_SIZE;
	ring->rx_pending = port->ring_size;
	ring->tx_pending = port->ring_size;
	kring->rx_buf_len = nicsim_rx_buf_len(dev->mtu);
}

static int nicsim_set_ringparam(struct net_device *dev,
				struct ethtool_ringparam *ring,
				struct kernel_ethtool_ringparam *kring,
				struct netlink_ext_ack *extack)
{
	struct nicsim_port *port = netdev_priv(dev);
	u32 size = ring->rx_pending;

	if (ring->tx_pending != size) {
		NL_SET_ERR_MSG_MOD(extack,
				   "RX and TX rings of a queue pair have one size");
		return -EINVAL;
	}
	if (size < NICSIM_DRV_MIN_RING_SIZE || size > NICSIM_MAX_RING_SIZE ||
	    !is_power_of_2(size)) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "ring size must be a power of two, %u..%u",
				       (u32)NICSIM_DRV_MIN_RING_SIZE,
				       NICSIM_MAX_RING_SIZE);
		return -EINVAL;
	}
	return nicsim_reconfigure(port, port->num_queues, size, dev->mtu);
}

static int nicsim_get_rxnfc(struct net_device *dev, struct ethtool_rxnfc *info,
			    u32 *rule_locs)
{
	struct nicsim_port *port = netdev_priv(dev);

	if (info->cmd != ETHTOOL_GRXRINGS)
		return -EOPNOTSUPP;
	info->data = port->num_queues;
	return 0;
}

static int nicsim_get_coalesce(struct net_device *dev,
			       struct ethtool_coalesce *ec,
			       struct kernel_ethtool_coalesce *kec,
			       struct netlink_ext_ack *extack)
{
	struct nicsim_port *port = netdev_priv(dev);

	*ec = port->coalesce;
	return 0;
}

static int nicsim_set_coalesce(struct net_device *dev,
			       struct ethtool_coalesce *ec,
			       struct kernel_ethtool_coalesce *kec,
			       struct netlink_ext_ack *extack)
{
	struct nicsim_port *port = netdev_priv(dev);

	if (ec->rx_coalesce_usecs > NICSIM_MAX_COALESCE_USECS ||
	    ec->tx_coalesce_usecs > NICSIM_MAX_COALESCE_USECS ||
	    ec->rx_max_coalesced_frames > NICSIM_MAX_COALESCE_FRAMES ||
	    ec->tx_max_coalesced_frames > NICSIM_MAX_COALESCE_FRAMES) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "usecs up to %u, frames up to %u",
				       NICSIM_MAX_COALESCE_USECS,
				       NICSIM_MAX_COALESCE_FRAMES);
		return -EINVAL;
	}
	port->coalesce = *ec;
	nicsim_program_coalesce(port);
	return 0;
}

static u32 nicsim_get_rxfh_key_size(struct net_device *dev)
{
	return NICSIM_RSS_KEY_SIZE;
}

static u32 nicsim_get_rxfh_indir_size(struct net_device *dev)
{
	return NICSIM_RSS_INDIR_SIZE;
}

static int nicsim_get_rxfh(struct net_device *dev,
			   struct ethtool_rxfh_param *rxfh)
{
	struct nicsim_port *port = netdev_priv(dev);

	rxfh->hfunc = ETH_RSS_HASH_TOP;
	if (rxfh->key)
		memcpy(rxfh->key, port->rss_key, NICSIM_RSS_KEY_SIZE);
	if (rxfh->indir)
		memcpy(rxfh->indir, port->rss_indir, sizeof(port->rss_indir));
	return 0;
}

static int nicsim_set_rxfh(struct net_device *dev,
			   struct ethtool_rxfh_param *rxfh,
			   struct netlink_ext_ack *extack)
{
	struct nicsim_port *port = netdev_priv(dev);

	if (rxfh->hfunc != ETH_RSS_HASH_NO_CHANGE &&
	    rxfh->hfunc != ETH_RSS_HASH_TOP) {
		NL_SET_ERR_MSG_MOD(extack, "only the Toeplitz hash is supported");
		return -EOPNOTSUPP;
	}
	if (rxfh->key)
		memcpy(port->rss_key, rxfh->key, NICSIM_RSS_KEY_SIZE);
	if (rxfh->indir)
		memcpy(port->rss_indir, rxfh->indir, sizeof(port->rss_indir));
	nicsim_hw_rss_program(port->hw, port->rss_key, port->rss_indir);
	return 0;
}

const struct ethtool_ops nicsim_ethtool_ops = {
	.supported_coalesce_params = ETHTOOL_COALESCE_USECS |
				     ETHTOOL_COALESCE_MAX_FRAMES,
	.get_drvinfo		= nicsim_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= nicsim_get_link_ksettings,
	.get_ts_info		= ethtool_op_get_ts_info,
	.get_channels		= nicsim_get_channels,
	.set_channels		= nicsim_set_channels,
	.get_coalesce		= nicsim_get_coalesce,
	.set_coalesce		= nicsim_set_coalesce,
	.get_ringparam		= nicsim_get_ringparam,
	.set_ringparam		= nicsim_set_ringparam,
	.get_rxnfc		= nicsim_get_rxnfc,
	.get_rxfh_key_size	= nicsim_get_rxfh_key_size,
	.get_rxfh_indir_size	= nicsim_get_rxfh_indir_size,
	.get_rxfh		= nicsim_get_rxfh,
	.set_rxfh		= nicsim_set_rxfh,
	.get_sset_count		= nicsim_get_sset_count,
	.get_strings		= nicsim_get_strings,
	.get_ethtool_stats	= nicsim_get_ethtool_stats,
};
